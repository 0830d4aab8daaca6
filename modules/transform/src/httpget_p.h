// A small blocking HTTP GET for worker threads (own QNetworkAccessManager and local event loop).
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace lifdag::transform::detail {

struct HttpReply
{
    int status = 0; // 0 when no HTTP answer arrived
    QByteArray body;
    QString networkError; // set when the transport failed (connection refused, timeout…)
};

// Never call from a thread whose event loop serves other work: it spins a local QEventLoop.
HttpReply httpGet(const QUrl &url, const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs);

} // namespace lifdag::transform::detail
