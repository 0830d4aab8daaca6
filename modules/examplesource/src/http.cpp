#include "http_p.h"
#include "jsontext_p.h"

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value.isNull() ? QByteArray("") : value;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, QByteArray body, HeaderList extraHeaders)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers.emplaceBack("content-type", "application/json");
    response.headers.append(extraHeaders);
    return response;
}

HttpResponse HttpResponse::detail(int status, const QString &message, HeaderList extraHeaders)
{
    return json(status, json::object({ { "detail"_L1, json::text(message) } }), std::move(extraHeaders));
}

namespace {
QString unquotePlus(QByteArrayView text)
{
    QByteArray bytes = text.toByteArray();
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}
} // namespace

QList<std::pair<QString, QString>> parseQuery(QByteArrayView query)
{
    QList<std::pair<QString, QString>> result;
    for (const QByteArray &pair : query.toByteArray().split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        if (eq < 0)
            result.append({ unquotePlus(pair), QString() });
        else
            result.append({ unquotePlus(QByteArrayView(pair).first(eq)),
                            unquotePlus(QByteArrayView(pair).sliced(eq + 1)) });
    }
    return result;
}

QByteArray quoteUrl(const QString &text)
{
    static const QByteArray safe(":/%#?=@[]!$&'()*+,;_.-~");
    QByteArray out;
    for (const char c : text.toUtf8()) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || safe.contains(c))
            out.append(c);
        else
            out.append('%').append(QByteArray::number(u, 16).toUpper().rightJustified(2, '0'));
    }
    return out;
}

} // namespace lifdag::examplesource
