#include "wire_p.h"

#include <QCryptographicHash>
#include <QtEndian>

namespace lifdag::http::detail {

namespace {

bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        if (!isTchar(c))
            return false;
    }
    return true;
}

HeadState fail(ParseFailure *f, int status, const char *code, const QString &message)
{
    f->status = status;
    f->code = QString::fromLatin1(code);
    f->message = message;
    return HeadState::Failed;
}

QByteArrayView trimOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

// Comma-separated tokens of a header value, lower-cased.
QList<QByteArray> tokens(const QByteArray &value)
{
    QList<QByteArray> out;
    for (const QByteArray &part : value.split(',')) {
        const QByteArray t = trimOws(part).toByteArray().toLower();
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

} // namespace

HeadState parseHead(const QByteArray &buffer, qsizetype *scanFrom, const HeadLimits &limits, ParsedHead *head,
                    ParseFailure *failure)
{
    // The head ends at the first empty line (CRLF CRLF, or bare LFs, which RFC 9112 lets servers accept).
    qsizetype end = -1;
    qsizetype i = qMax<qsizetype>(0, *scanFrom - 2);
    for (; i < buffer.size(); ++i) {
        if (buffer[i] != '\n')
            continue;
        if (i + 1 < buffer.size() && buffer[i + 1] == '\n') {
            end = i + 2;
            break;
        }
        if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
            end = i + 3;
            break;
        }
    }
    if (end < 0) {
        *scanFrom = buffer.size();
        const qsizetype firstLf = buffer.indexOf('\n');
        if ((firstLf < 0 ? buffer.size() : firstLf) > limits.maxRequestLineBytes)
            return fail(
                failure, 414, "uri_too_long",
                QStringLiteral("the request line is longer than %1 bytes").arg(limits.maxRequestLineBytes));
        if (buffer.size() > limits.maxHeaderBytes)
            return fail(
                failure, 431, "headers_too_large",
                QStringLiteral("the request head is larger than %1 bytes").arg(limits.maxHeaderBytes));
        return HeadState::Incomplete;
    }
    if (end > limits.maxHeaderBytes)
        return fail(failure, 431, "headers_too_large",
                    QStringLiteral("the request head is larger than %1 bytes").arg(limits.maxHeaderBytes));

    *head = ParsedHead {};
    head->headBytes = end;
    const QByteArrayView all(buffer.constData(), end);
    qsizetype pos = 0;
    auto nextLine = [&]() -> QByteArrayView {
        const qsizetype lf = all.indexOf('\n', pos);
        QByteArrayView line = all.sliced(pos, lf - pos);
        pos = lf + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    };

    // request-line = method SP request-target SP HTTP-version
    const QByteArrayView requestLine = nextLine();
    if (requestLine.size() > limits.maxRequestLineBytes)
        return fail(
            failure, 414, "uri_too_long",
            QStringLiteral("the request line is longer than %1 bytes").arg(limits.maxRequestLineBytes));
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0)
        return fail(failure, 400, "bad_request_line",
                    QStringLiteral("expected \"METHOD /path HTTP/1.1\" as the first line"));
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(method) || method.size() > 32)
        return fail(failure, 400, "bad_request_line", QStringLiteral("the method is not a valid token"));
    if (target.isEmpty())
        return fail(failure, 400, "bad_request_line", QStringLiteral("the request target is empty"));
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F)
            return fail(failure, 400, "bad_request_target",
                        QStringLiteral("the request target must be ASCII without spaces or control "
                                       "characters (percent-encode the rest)"));
    }
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.' || version[5] < '0'
        || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return fail(failure, 400, "bad_request_line", QStringLiteral("expected HTTP/1.1 or HTTP/1.0"));
    if (version[5] != '1')
        return fail(failure, 505, "http_version_not_supported",
                    QStringLiteral("%1 is not supported; use HTTP/1.1").arg(QLatin1StringView(version)));
    head->minorVersion = version[7] - '0';
    head->method = method.toByteArray();
    head->target = target.toByteArray();

    bool haveLength = false;
    bool haveHost = false;
    QByteArray connection;
    QByteArray upgrade;
    while (pos < end) {
        const QByteArrayView line = nextLine();
        if (line.isEmpty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return fail(failure, 400, "bad_header", QStringLiteral("folded header lines are not accepted"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return fail(failure, 400, "bad_header", QStringLiteral("a header line is not \"Name: value\""));
        const QByteArrayView value = trimOws(line.sliced(colon + 1));
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && u != '\t') || u == 0x7F)
                return fail(failure, 400, "bad_header",
                            QStringLiteral("header %1 holds a control character")
                                .arg(QLatin1StringView(line.first(colon))));
        }
        if (head->headers.size() >= limits.maxHeaderCount)
            return fail(failure, 431, "headers_too_large",
                        QStringLiteral("more than %1 header fields").arg(limits.maxHeaderCount));
        Header h { line.first(colon).toByteArray().toLower(), value.toByteArray() };
        if (h.name == "content-length") {
            bool ok = !h.value.isEmpty() && h.value.size() <= 15;
            for (char c : std::as_const(h.value))
                ok = ok && c >= '0' && c <= '9';
            if (!ok)
                return fail(failure, 400, "bad_content_length",
                            QStringLiteral("Content-Length must be a decimal number of bytes"));
            const qint64 n = h.value.toLongLong();
            if (haveLength && n != head->contentLength)
                return fail(failure, 400, "bad_content_length",
                            QStringLiteral("conflicting Content-Length headers"));
            haveLength = true;
            head->contentLength = n;
        } else if (h.name == "transfer-encoding") {
            return fail(failure, 411, "length_required",
                        QStringLiteral("request bodies must be sent with Content-Length (Transfer-Encoding "
                                       "is not accepted)"));
        } else if (h.name == "host") {
            if (haveHost)
                return fail(failure, 400, "bad_header", QStringLiteral("more than one Host header"));
            haveHost = true;
        } else if (h.name == "connection") {
            connection += ',' + h.value;
        } else if (h.name == "upgrade") {
            upgrade += ',' + h.value;
        } else if (h.name == "expect") {
            if (h.value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return fail(failure, 417, "expectation_failed",
                            QStringLiteral("only \"Expect: 100-continue\" is supported"));
            head->expectContinue = true;
        }
        head->headers.append(std::move(h));
    }
    if (head->minorVersion >= 1 && !haveHost)
        return fail(failure, 400, "missing_host", QStringLiteral("HTTP/1.1 requests need a Host header"));
    const QList<QByteArray> conn = tokens(connection);
    head->keepAlive = head->minorVersion >= 1 ? !conn.contains("close") : conn.contains("keep-alive");
    head->upgradeWebSocket = conn.contains("upgrade") && tokens(upgrade).contains("websocket");
    if (head->contentLength > limits.maxBodyBytes)
        return fail(failure, 413, "payload_too_large",
                    QStringLiteral("the request body (%1 bytes) is larger than the limit of %2 bytes")
                        .arg(head->contentLength)
                        .arg(limits.maxBodyBytes));
    return HeadState::Complete;
}

FrameState parseClientFrame(const QByteArray &buffer, qsizetype offset, qsizetype maxPayload, WsFrame *frame,
                            qsizetype *consumed, quint16 *closeCode)
{
    const qsizetype avail = buffer.size() - offset;
    if (avail < 2)
        return FrameState::Incomplete;
    const auto *p = reinterpret_cast<const uchar *>(buffer.constData() + offset);
    const bool fin = p[0] & 0x80;
    const int opcode = p[0] & 0x0F;
    if (p[0] & 0x70) { // reserved bits: no extension was negotiated
        *closeCode = 1002;
        return FrameState::Failed;
    }
    if (!(p[1] & 0x80)) { // clients must mask
        *closeCode = 1002;
        return FrameState::Failed;
    }
    const bool control = opcode >= 8;
    if ((opcode > 2 && opcode < 8) || opcode > 10) {
        *closeCode = 1002;
        return FrameState::Failed;
    }
    quint64 length = p[1] & 0x7F;
    qsizetype headerLen = 2;
    if (length == 126) {
        if (avail < 4)
            return FrameState::Incomplete;
        length = qFromBigEndian<quint16>(p + 2);
        headerLen = 4;
    } else if (length == 127) {
        if (avail < 10)
            return FrameState::Incomplete;
        length = qFromBigEndian<quint64>(p + 2);
        headerLen = 10;
        if (length >> 63) {
            *closeCode = 1002;
            return FrameState::Failed;
        }
    }
    if (control && (!fin || length > 125)) {
        *closeCode = 1002;
        return FrameState::Failed;
    }
    if (length > quint64(maxPayload)) {
        *closeCode = 1009;
        return FrameState::Failed;
    }
    if (avail < headerLen + 4 + qsizetype(length))
        return FrameState::Incomplete;
    const uchar *mask = p + headerLen;
    const uchar *data = mask + 4;
    frame->fin = fin;
    frame->opcode = opcode;
    frame->payload.resize(qsizetype(length));
    char *out = frame->payload.data();
    for (quint64 k = 0; k < length; ++k)
        out[k] = char(data[k] ^ mask[k & 3]);
    *consumed = headerLen + 4 + qsizetype(length);
    return FrameState::Frame;
}

QByteArray encodeFrame(int opcode, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(payload.size() + 10);
    out.append(char(0x80 | (opcode & 0x0F)));
    if (payload.size() < 126) {
        out.append(char(payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.append(char(126));
        uchar len[2];
        qToBigEndian<quint16>(quint16(payload.size()), len);
        out.append(reinterpret_cast<const char *>(len), 2);
    } else {
        out.append(char(127));
        uchar len[8];
        qToBigEndian<quint64>(quint64(payload.size()), len);
        out.append(reinterpret_cast<const char *>(len), 8);
    }
    out.append(payload.data(), payload.size());
    return out;
}

QByteArray webSocketAccept(const QByteArray &key)
{
    return QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                    QCryptographicHash::Sha1)
        .toBase64();
}

} // namespace lifdag::http::detail
