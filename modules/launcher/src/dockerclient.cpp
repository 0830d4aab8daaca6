#include "lifdag/launcher/dockerclient.h"

#include <lifdag/core/version.h>

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonObject>
#include <QLocalSocket>
#include <QUrl>

namespace lifdag::launcher {

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qint64 kMaxBodyBytes = 256ll * 1024 * 1024;

} // namespace

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonDocument HttpResponse::json() const
{
    return QJsonDocument::fromJson(body);
}

HttpResponseParser::HttpResponseParser(bool headRequest)
    : m_head(headRequest)
{ }

HttpResponseParser::State HttpResponseParser::fail(const QString &message)
{
    m_state = State::Failed;
    m_error = message;
    return m_state;
}

bool HttpResponseParser::takeLine(QByteArray *line)
{
    const qsizetype nl = m_buffer.indexOf('\n', m_pos);
    if (nl < 0)
        return false;
    qsizetype end = nl;
    if (end > m_pos && m_buffer.at(end - 1) == '\r')
        --end;
    *line = m_buffer.mid(m_pos, end - m_pos);
    m_pos = nl + 1;
    return true;
}

HttpResponseParser::State HttpResponseParser::feed(QByteArrayView data)
{
    if (m_state != State::NeedMore)
        return m_state;
    m_buffer.append(data);
    return parse();
}

HttpResponseParser::State HttpResponseParser::finish()
{
    if (m_state != State::NeedMore)
        return m_state;
    if (m_phase == Phase::UntilClose) {
        m_state = State::Done;
        return m_state;
    }
    static const char *const names[] = { "status line", "headers", "body",     "chunk size",
                                         "chunk",       "chunk",   "trailers", "body" };
    return fail(QStringLiteral("the connection closed in the middle of the response (%1)")
                    .arg(QLatin1StringView(names[int(m_phase)])));
}

HttpResponseParser::State HttpResponseParser::startBody()
{
    const int status = m_response.status;
    if (status >= 100 && status < 200) { // interim answer: the real one follows
        m_response = HttpResponse {};
        m_phase = Phase::StatusLine;
        return State::NeedMore;
    }
    if (m_head || status == 204 || status == 304) {
        m_state = State::Done;
        return m_state;
    }
    const QByteArray te = m_response.header("Transfer-Encoding").trimmed().toLower();
    if (!te.isEmpty()) {
        if (!te.endsWith("chunked"))
            return fail(QStringLiteral("unsupported Transfer-Encoding \"%1\"").arg(QString::fromLatin1(te)));
        m_phase = Phase::ChunkSize;
        return State::NeedMore;
    }
    const QByteArray cl = m_response.header("Content-Length").trimmed();
    if (!cl.isEmpty()) {
        bool ok = false;
        m_remaining = cl.toLongLong(&ok);
        if (!ok || m_remaining < 0)
            return fail(
                QStringLiteral("invalid Content-Length \"%1\"").arg(QString::fromLatin1(cl.left(40))));
        if (m_remaining > kMaxBodyBytes)
            return fail(QStringLiteral("response body of %1 bytes is too large").arg(m_remaining));
        if (m_remaining == 0) {
            m_state = State::Done;
            return m_state;
        }
        m_phase = Phase::Body;
        return State::NeedMore;
    }
    m_phase = Phase::UntilClose;
    return State::NeedMore;
}

HttpResponseParser::State HttpResponseParser::parse()
{
    while (m_state == State::NeedMore) {
        QByteArray line;
        switch (m_phase) {
        case Phase::StatusLine: {
            if (!takeLine(&line)) {
                if (m_buffer.size() - m_pos > kMaxHeaderBytes)
                    return fail(
                        QStringLiteral("no HTTP status line in the first %1 bytes").arg(kMaxHeaderBytes));
                return m_state;
            }
            // "HTTP/1.1 404 Not Found"
            const QList<QByteArray> parts = line.split(' ');
            bool ok = false;
            const int status = parts.size() >= 2 ? parts.at(1).toInt(&ok) : 0;
            if (!line.startsWith("HTTP/1.") || !ok || status < 100 || status > 599)
                return fail(QStringLiteral("not an HTTP/1.x status line: \"%1\"")
                                .arg(QString::fromLatin1(line.left(80))));
            m_response.status = status;
            const qsizetype reasonAt = line.indexOf(' ', line.indexOf(' ') + 1);
            m_response.reason = reasonAt > 0 ? line.mid(reasonAt + 1) : QByteArray();
            m_phase = Phase::Headers;
            break;
        }
        case Phase::Headers: {
            if (!takeLine(&line)) {
                if (m_buffer.size() - m_pos > kMaxHeaderBytes)
                    return fail(QStringLiteral("HTTP headers longer than %1 bytes").arg(kMaxHeaderBytes));
                return m_state;
            }
            if (line.isEmpty()) {
                if (startBody() != State::NeedMore)
                    return m_state;
                break;
            }
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return fail(
                    QStringLiteral("malformed header line \"%1\"").arg(QString::fromLatin1(line.left(80))));
            m_response.headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
            break;
        }
        case Phase::Body:
        case Phase::ChunkData: {
            const qsizetype available = m_buffer.size() - m_pos;
            if (available == 0)
                return m_state;
            const qsizetype take = qsizetype(std::min<qint64>(available, m_remaining));
            m_response.body.append(m_buffer.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                if (m_phase == Phase::Body) {
                    m_state = State::Done;
                    return m_state;
                }
                m_phase = Phase::ChunkDataEnd;
            }
            break;
        }
        case Phase::ChunkDataEnd:
            if (!takeLine(&line))
                return m_state;
            if (!line.isEmpty())
                return fail(QStringLiteral("chunk data not followed by CRLF"));
            m_phase = Phase::ChunkSize;
            break;
        case Phase::ChunkSize: {
            if (!takeLine(&line))
                return m_state;
            const qsizetype extension = line.indexOf(';'); // chunk extensions are ignored
            const QByteArray size = (extension < 0 ? line : line.left(extension)).trimmed();
            bool ok = false;
            const qint64 n = size.toLongLong(&ok, 16);
            if (!ok || n < 0 || size.isEmpty())
                return fail(
                    QStringLiteral("invalid chunk size \"%1\"").arg(QString::fromLatin1(line.left(40))));
            if (n > kMaxBodyBytes - m_response.body.size())
                return fail(QStringLiteral("response body larger than %1 bytes").arg(kMaxBodyBytes));
            m_remaining = n;
            m_phase = n == 0 ? Phase::Trailers : Phase::ChunkData;
            break;
        }
        case Phase::Trailers:
            if (!takeLine(&line))
                return m_state;
            if (line.isEmpty()) {
                m_state = State::Done;
                return m_state;
            }
            break; // trailer fields are not used
        case Phase::UntilClose:
            if (m_buffer.size() - m_pos + m_response.body.size() > kMaxBodyBytes)
                return fail(QStringLiteral("response body larger than %1 bytes").arg(kMaxBodyBytes));
            m_response.body.append(m_buffer.constData() + m_pos, m_buffer.size() - m_pos);
            m_pos = m_buffer.size();
            return m_state;
        }
        if (m_pos > 65536) { // keep the buffer small on long streams
            m_buffer.remove(0, m_pos);
            m_pos = 0;
        }
    }
    return m_state;
}

DockerClient::DockerClient(QString socketPath, std::chrono::milliseconds timeout)
    : m_socket(std::move(socketPath))
    , m_timeout(timeout)
{ }

Result<QString> DockerClient::socketPath(const QProcessEnvironment &environment)
{
    const QString host = environment.value(QStringLiteral("DOCKER_HOST")).trimmed();
    if (host.isEmpty())
        return QStringLiteral("/var/run/docker.sock");
    if (host.startsWith(QLatin1StringView("unix://"))) {
        const QString path = host.mid(7);
        if (!path.startsWith(QLatin1Char('/')))
            return Error { QStringLiteral("docker.config"),
                           QStringLiteral("DOCKER_HOST=%1: expected an absolute socket path, like "
                                          "unix:///var/run/docker.sock")
                               .arg(host) };
        return path;
    }
    if (host.startsWith(QLatin1Char('/')))
        return host;
    return Error { QStringLiteral("docker.config"),
                   QStringLiteral(
                       "DOCKER_HOST=%1: lifdag talks to the Docker Engine over its Unix socket only "
                       "(unix:///var/run/docker.sock); mount the engine's socket instead")
                       .arg(host) };
}

Result<HttpResponse> DockerClient::request(const QByteArray &method, const QString &path,
                                           const QByteArray &body,
                                           const QList<QPair<QByteArray, QByteArray>> &headers,
                                           std::chrono::milliseconds timeout) const
{
    const QString target = QLatin1Char('/') + kApiVersion + path;
    const QString what = QString::fromLatin1(method) + QLatin1Char(' ') + target;
    if (!QFileInfo::exists(m_socket))
        return Error { QStringLiteral("docker.socket"),
                       QStringLiteral("the Docker Engine socket %1 does not exist: start the engine, set "
                                      "DOCKER_HOST=unix:///path/to/docker.sock, or mount the engine's socket "
                                      "into this container")
                           .arg(m_socket) };
    const QDeadlineTimer deadline(timeout.count() > 0 ? timeout : m_timeout);
    QLocalSocket socket;
    socket.connectToServer(m_socket, QIODevice::ReadWrite);
    if (!socket.waitForConnected(int(std::max<qint64>(1, deadline.remainingTime()))))
        return Error { QStringLiteral("docker.connect"),
                       QStringLiteral("cannot connect to the Docker Engine at unix://%1: %2")
                           .arg(m_socket, socket.errorString()) };

    QByteArray head = method + ' ' + QUrl::toPercentEncoding(target, "/?&=:@,") + " HTTP/1.1\r\n"
        + "Host: docker\r\nUser-Agent: lifdag/" + lifdag::version().toLatin1()
        + "\r\nAccept: application/json\r\nConnection: close\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    socket.write(head);
    socket.write(body);
    while (socket.bytesToWrite() > 0) {
        if (!socket.waitForBytesWritten(int(std::max<qint64>(1, deadline.remainingTime()))))
            return Error { QStringLiteral("docker.io"),
                           QStringLiteral("%1 to the Docker Engine at unix://%2: sending failed: %3")
                               .arg(what, m_socket, socket.errorString()) };
    }

    HttpResponseParser parser(method == "HEAD");
    while (parser.state() == HttpResponseParser::State::NeedMore) {
        if (socket.bytesAvailable() > 0) {
            parser.feed(socket.readAll());
            continue;
        }
        if (socket.state() != QLocalSocket::ConnectedState) {
            parser.finish();
            break;
        }
        if (deadline.hasExpired())
            return Error { QStringLiteral("docker.timeout"),
                           QStringLiteral("the Docker Engine at unix://%1 did not answer %2 within %3 s")
                               .arg(m_socket, what)
                               .arg(double(timeout.count() > 0 ? timeout.count() : m_timeout.count())
                                    / 1000.0) };
        const int slice = int(std::clamp<qint64>(deadline.remainingTime(), 1, 1000));
        if (!socket.waitForReadyRead(slice) && socket.state() == QLocalSocket::ConnectedState
            && socket.error() != QLocalSocket::SocketTimeoutError
            && socket.error() != QLocalSocket::PeerClosedError
            && socket.error() != QLocalSocket::UnknownSocketError)
            return Error { QStringLiteral("docker.io"),
                           QStringLiteral("%1 to the Docker Engine at unix://%2: %3")
                               .arg(what, m_socket, socket.errorString()) };
    }
    if (parser.state() == HttpResponseParser::State::Failed)
        return Error { QStringLiteral("docker.io"),
                       QStringLiteral("%1: the Docker Engine at unix://%2 sent a malformed HTTP response: %3")
                           .arg(what, m_socket, parser.error()) };
    return parser.response();
}

Result<HttpResponse> DockerClient::postJson(const QString &path, const QJsonDocument &body,
                                            std::chrono::milliseconds timeout) const
{
    return request("POST", path, body.isNull() ? QByteArray() : body.toJson(QJsonDocument::Compact),
                   { { "Content-Type", "application/json" } }, timeout);
}

QString DockerClient::engineMessage(const HttpResponse &response)
{
    const QJsonDocument doc = response.json();
    QString message;
    if (doc.isObject())
        message = doc.object().value(QLatin1StringView("message")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(response.body).trimmed();
    if (message.isEmpty())
        message = QString::fromLatin1(response.reason);
    if (message.size() > 2000)
        message = message.left(2000) + QStringLiteral("…");
    return QStringLiteral("%1 (HTTP %2)").arg(message).arg(response.status);
}

QString DockerClient::streamError(const QByteArray &body)
{
    // A progress stream is a sequence of JSON objects, one per line (Docker) or back to back.
    qsizetype i = 0;
    while ((i = body.indexOf('{', i)) >= 0) {
        int depth = 0;
        bool inString = false;
        qsizetype end = i;
        for (; end < body.size(); ++end) {
            const char c = body.at(end);
            if (inString) {
                if (c == '\\')
                    ++end;
                else if (c == '"')
                    inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                ++depth;
            } else if (c == '}' && --depth == 0) {
                break;
            }
        }
        const QJsonObject o = QJsonDocument::fromJson(body.mid(i, end - i + 1)).object();
        QString e = o.value(QLatin1StringView("error")).toString();
        if (e.isEmpty())
            e = o.value(QLatin1StringView("errorDetail"))
                    .toObject()
                    .value(QLatin1StringView("message"))
                    .toString();
        if (!e.isEmpty())
            return e;
        i = end + 1;
    }
    return {};
}

} // namespace lifdag::launcher
