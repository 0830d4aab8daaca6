#include "lifdag/http/message.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace lifdag::http {

namespace {
bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}
} // namespace

QByteArray Request::header(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (sameName(h.name, name))
            return h.value;
    }
    return {};
}

bool Request::hasHeader(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (sameName(h.name, name))
            return true;
    }
    return false;
}

QString Request::queryValue(const QString &key, const QString &fallback) const
{
    if (!query.hasQueryItem(key))
        return fallback;
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

QStringList Request::queryValues(const QString &key) const
{
    return query.allQueryItemValues(key, QUrl::FullyDecoded);
}

void Response::setHeader(const QByteArray &name, const QByteArray &value)
{
    const QByteArray lower = name.toLower();
    for (Header &h : headers) {
        if (h.name == lower) {
            h.value = value;
            return;
        }
    }
    headers.append({ lower, value });
}

QByteArray Response::header(QByteArrayView name) const
{
    for (const Header &h : headers) {
        if (sameName(h.name, name))
            return h.value;
    }
    return {};
}

Response Response::json(int status, const QJsonValue &value)
{
    QByteArray body;
    if (value.isObject())
        body = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    else if (value.isArray())
        body = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    else // a bare scalar: wrap and strip, QJsonDocument only serialises containers
        body = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return rawJson(status, std::move(body));
}

Response Response::rawJson(int status, QByteArray json)
{
    Response r;
    r.status = status;
    r.body = std::move(json);
    r.headers.append({ QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json") });
    return r;
}

Response Response::error(int status, const QString &code, const QString &message, const QJsonObject &details)
{
    QJsonObject error = details;
    error.insert(QStringLiteral("code"), code);
    error.insert(QStringLiteral("message"), message);
    return json(status, QJsonObject { { QStringLiteral("error"), error } });
}

Response Response::text(int status, QByteArray body, const QByteArray &contentType)
{
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.append({ QByteArrayLiteral("content-type"), contentType });
    return r;
}

Response Response::noContent()
{
    Response r;
    r.status = 204;
    return r;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return QByteArrayLiteral("Continue");
    case 101:
        return QByteArrayLiteral("Switching Protocols");
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 202:
        return QByteArrayLiteral("Accepted");
    case 204:
        return QByteArrayLiteral("No Content");
    case 301:
        return QByteArrayLiteral("Moved Permanently");
    case 302:
        return QByteArrayLiteral("Found");
    case 304:
        return QByteArrayLiteral("Not Modified");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 406:
        return QByteArrayLiteral("Not Acceptable");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 410:
        return QByteArrayLiteral("Gone");
    case 411:
        return QByteArrayLiteral("Length Required");
    case 413:
        return QByteArrayLiteral("Content Too Large");
    case 414:
        return QByteArrayLiteral("URI Too Long");
    case 415:
        return QByteArrayLiteral("Unsupported Media Type");
    case 417:
        return QByteArrayLiteral("Expectation Failed");
    case 422:
        return QByteArrayLiteral("Unprocessable Content");
    case 426:
        return QByteArrayLiteral("Upgrade Required");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra = 0;
        char32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        static constexpr char32_t kMin[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

} // namespace lifdag::http
