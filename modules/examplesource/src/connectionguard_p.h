// What Qt 6.4's QHttpServer lacks for a public-facing port: a request body limit enforced before
// the body is read, a request head limit, an idle timeout for keep-alive connections, and
// honouring "Connection: close".
#pragma once

#include <QObject>
#include <QTcpServer>
#include <QTimer>

class QTcpSocket;

namespace lifdag::examplesource {

struct ConnectionLimits
{
    qint64 maxBodyBytes = 1024 * 1024;
    qint64 maxHeaderBytes = 32 * 1024;
    int idleTimeoutMs = 60000;
};

// Watches one connection; a child of its socket. It sees each chunk of data before
// QAbstractHttpServer parses it (its readyRead connection is made first).
class ConnectionGuard : public QObject
{
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, const ConnectionLimits &limits);

    static ConnectionGuard *of(QTcpSocket *socket);

    // The request whose head was seen last asked for the connection to close after the answer.
    bool closeAfterResponse() const { return m_close; }
    // Called once a request has been answered: the next bytes start a new request.
    void requestDone();

private:
    void onReadyRead();
    void parseHead(const QByteArray &head);
    void refuse(int status, const QByteArray &reason, const QByteArray &detail);

    QTcpSocket *m_socket;
    ConnectionLimits m_limits;
    QTimer m_idle;
    QByteArray m_head; // bytes of the current request head seen so far
    bool m_inBody = false;
    bool m_chunked = false;
    qint64 m_bodySeen = 0;
    bool m_close = false;
};

// Hands QAbstractHttpServer sockets that already carry a ConnectionGuard.
class GuardedTcpServer : public QTcpServer
{
public:
    explicit GuardedTcpServer(ConnectionLimits limits, QObject *parent = nullptr)
        : QTcpServer(parent)
        , m_limits(limits)
    { }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionLimits m_limits;
};

} // namespace lifdag::examplesource
