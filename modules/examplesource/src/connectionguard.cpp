#include "connectionguard_p.h"
#include "examplesource_log_p.h"

#include <QTcpSocket>

#include <sys/socket.h>

namespace lifdag::examplesource {

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
{
    m_idle.setSingleShot(true);
    m_idle.setInterval(limits.idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        qCDebug(lcExampleSource) << "closing a connection idle for" << m_limits.idleTimeoutMs << "ms";
        m_socket->disconnectFromHost();
    });
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    if (limits.idleTimeoutMs > 0)
        m_idle.start();
}

ConnectionGuard *ConnectionGuard::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<ConnectionGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

void ConnectionGuard::requestDone()
{
    m_inBody = false;
    m_chunked = false;
    m_bodySeen = 0;
    m_head.clear();
    if (m_limits.idleTimeoutMs > 0)
        m_idle.start();
}

// QAbstractHttpServer consumes every available byte on each readyRead unless a request completes
// (then it answers it and re-emits readyRead for the rest), so the unread bytes seen here are
// always new to this guard, or the start of the next request after requestDone().
void ConnectionGuard::onReadyRead()
{
    if (m_limits.idleTimeoutMs > 0)
        m_idle.start();
    const QByteArray fresh = m_socket->peek(m_socket->bytesAvailable());
    if (m_inBody) {
        m_bodySeen += fresh.size();
    } else {
        m_head += fresh;
        // Like Qt's parser, ignore line breaks left over before a request line.
        qsizetype start = 0;
        while (start < m_head.size() && (m_head[start] == '\r' || m_head[start] == '\n'))
            ++start;
        m_head.remove(0, start);
        qsizetype end = m_head.indexOf("\r\n\r\n");
        qsizetype separator = 4;
        const qsizetype lfEnd = m_head.indexOf("\n\n");
        if (lfEnd >= 0 && (end < 0 || lfEnd < end)) {
            end = lfEnd;
            separator = 2;
        }
        if (end < 0) {
            if (m_head.size() > m_limits.maxHeaderBytes)
                refuse(431, "Request Header Fields Too Large",
                       "request head exceeds " + QByteArray::number(m_limits.maxHeaderBytes) + " bytes");
            return;
        }
        if (end > m_limits.maxHeaderBytes) {
            refuse(431, "Request Header Fields Too Large",
                   "request head exceeds " + QByteArray::number(m_limits.maxHeaderBytes) + " bytes");
            return;
        }
        const QByteArray head = m_head.left(end);
        m_bodySeen = m_head.size() - end - separator;
        m_head.clear();
        m_inBody = true;
        parseHead(head);
        if (!m_inBody)
            return; // refused
    }
    // A chunked body has no announced length: count what arrives (with room for chunk framing).
    if (m_chunked && m_bodySeen > m_limits.maxBodyBytes + m_limits.maxBodyBytes / 8 + 4096)
        refuse(413, "Payload Too Large",
               "request body exceeds " + QByteArray::number(m_limits.maxBodyBytes) + " bytes");
}

void ConnectionGuard::parseHead(const QByteArray &head)
{
    const QList<QByteArray> lines = head.split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const bool http10 = requestLine.endsWith("HTTP/1.0");
    bool keepAlive = false;
    bool close = false;
    bool expectContinue = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed().toLower();
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            if (ok && length > m_limits.maxBodyBytes) {
                refuse(413, "Payload Too Large",
                       "request body exceeds " + QByteArray::number(m_limits.maxBodyBytes) + " bytes");
                return;
            }
        } else if (name == "transfer-encoding") {
            m_chunked = value.contains("chunked");
        } else if (name == "expect") {
            expectContinue = value == "100-continue";
        } else if (name == "connection") {
            close = close || value.contains("close");
            keepAlive = keepAlive || value.contains("keep-alive");
        }
    }
    m_close = close || (http10 && !keepAlive);
    // Clients such as curl wait for this before they send a body (Qt's parser never answers it).
    if (expectContinue && !http10)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void ConnectionGuard::refuse(int status, const QByteArray &reason, const QByteArray &detail)
{
    qCInfo(lcExampleSource).noquote() << "refusing a request:" << QString::fromLatin1(detail);
    m_inBody = false;
    m_idle.stop();
    // QAbstractHttpServer's parser reads nothing more from this connection. What the client still
    // sends is drained, so closing does not reset the connection before it has read the answer.
    disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] { m_socket->readAll(); });
    const QByteArray body = R"({"detail":")" + detail + R"("})";
    m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    auto finishWhenWritten = [this] {
        if (m_socket->bytesToWrite() == 0 && m_socket->socketDescriptor() != -1)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    };
    connect(m_socket, &QTcpSocket::bytesWritten, this, finishWhenWritten);
    m_socket->flush();
    finishWhenWritten();
    QTimer::singleShot(5000, this, [this] { m_socket->abort(); });
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    new ConnectionGuard(socket, m_limits);
    addPendingConnection(socket);
}

} // namespace lifdag::examplesource
