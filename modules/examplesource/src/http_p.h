// The example source's view of an HTTP exchange, independent of the server that carries it, so
// routing and answers can be tested without sockets.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace lifdag::examplesource {

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

struct HttpRequest
{
    QByteArray method; // "GET", "POST", …
    QString path; // percent-decoded, as Starlette matches routes
    QByteArray query; // raw query string, without '?'
    HeaderList headers; // names in lower case, in arrival order
    QByteArray body;
    QByteArray origin; // "http://host:port" as the client addressed this server

    // The first value of header `name` (lower case), or a null QByteArray when absent.
    QByteArray header(QByteArrayView name) const;
};

struct HttpResponse
{
    int status = 200;
    HeaderList headers; // Content-Length is added by the server
    QByteArray body;

    static HttpResponse json(int status, QByteArray body, HeaderList extraHeaders = {});
    // {"detail": message}: FastAPI's shape for an HTTPException.
    static HttpResponse detail(int status, const QString &message, HeaderList extraHeaders = {});
};

// The query string's parameters as Python's parse_qsl(keep_blank_values=True) reads them
// ('&'-separated, '+' is a space, percent-decoding with U+FFFD for invalid UTF-8).
QList<std::pair<QString, QString>> parseQuery(QByteArrayView query);

// Percent-encodes `text` like Python's urllib.parse.quote with Starlette's redirect safe set.
QByteArray quoteUrl(const QString &text);

} // namespace lifdag::examplesource
