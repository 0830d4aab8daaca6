// The one HTTP client adapters and the LIF job use: blocking calls for worker threads, a keep-alive
// connection pool per thread (one QNetworkAccessManager each), timeouts, cancellation, and errors
// that name the status code and URL but never a header value.
#pragma once

#include <lifdag/core/result.h>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <utility>

namespace lifdag::adapters::http {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

struct Request
{
    QByteArray method = "GET";
    QUrl url;
    Headers headers;
    QByteArray body;
    // The whole exchange (connect, send, answer) must finish within this time.
    std::chrono::milliseconds timeout { 30000 };
};

struct Response
{
    int status = 0; // 0 when no HTTP answer arrived (see transportError)
    QString reason; // "Unauthorized"
    Headers headers;
    QByteArray body;
    QString transportError; // "Connection refused", "timed out after 30000 ms", "canceled"…
    qint64 elapsedUs = 0;

    bool isSuccess() const { return status >= 200 && status < 300; }
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
};

// Sends `request` and waits for the answer. Runs a local event loop: never call it on a thread whose
// event loop serves other work (a server's). `canceled` is polled while waiting; when it returns
// true the request is aborted. Thread-safe; connections are reused per calling thread.
Response send(const Request &request, const std::function<bool()> &canceled = {});

// The URL as errors and events show it: no user info, no query string (where tokens hide).
QString displayUrl(const QUrl &url);

// Error for a failed exchange (transport error or non-2xx status), code "http.transport" or
// "http.status": "GET http://host/path answered HTTP 401 (Unauthorized): <start of the body>" or
// "POST http://host/graphql failed: Connection refused". The body excerpt (at most 300
// characters) passes through lifdag::redaction.
Error failure(const Request &request, const Response &response);

// "GET http://host/path → 200 in 3.1 ms (512 bytes)": a line for the step's events.
QString describeExchange(const Request &request, const Response &response);

} // namespace lifdag::adapters::http
