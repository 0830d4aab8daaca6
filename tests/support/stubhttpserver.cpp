#include "stubhttpserver.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QMetaEnum>
#include <QTcpServer>
#include <QThread>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace lifdag::test {

namespace {

class Server final : public QAbstractHttpServer
{
public:
    explicit Server(StubHttpServer::Private &owner)
        : m_owner(owner)
    { }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override { }

private:
    StubHttpServer::Private &m_owner;
};

} // namespace

struct StubHttpServer::Private
{
    QThread thread;
    std::unique_ptr<Server> server; // lives in `thread`
    quint16 port = 0;
    QHostAddress address;
    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    Handler handler;
    QList<StubRequest> requests;
    std::atomic<int> connections { 0 };

    // Runs `fn` on the server's thread and waits for it.
    void onServerThread(const std::function<void()> &fn)
    {
        QMetaObject::invokeMethod(server.get(), fn, Qt::BlockingQueuedConnection);
    }
};

namespace {

bool Server::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    StubRequest r;
    const QMetaEnum methods = QMetaEnum::fromType<QHttpServerRequest::Method>();
    r.method = QByteArray(methods.valueToKey(int(request.method()))).toUpper();
    r.url = request.url();
    for (const auto &[name, value] : request.headers())
        r.headers.append({ name, value });
    r.body = request.body();
    StubHttpServer::Handler handler;
    {
        std::lock_guard lock(m_owner.mutex);
        handler = m_owner.handler;
    }
    const StubResponse answer = handler ? handler(r) : StubResponse { 404, "{\"detail\":\"Not Found\"}" };
    {
        std::lock_guard lock(m_owner.mutex);
        m_owner.requests.append(r);
    }
    m_owner.arrived.notify_all();
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(answer.status));
    responder.writeHeader("Content-Type", answer.contentType);
    for (const auto &[name, value] : answer.headers)
        responder.writeHeader(name, value);
    responder.writeHeader("Content-Length", QByteArray::number(answer.body.size()));
    responder.writeBody(answer.body);
    return true;
}

} // namespace

QByteArray StubRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

StubHttpServer::StubHttpServer(Handler handler, quint16 port, const QHostAddress &address)
    : d(std::make_unique<Private>())
{
    d->handler = std::move(handler);
    d->address = address;
    d->server = std::make_unique<Server>(*d);
    d->server->moveToThread(&d->thread);
    d->thread.setObjectName(QStringLiteral("stub-http-server"));
    d->thread.start();
    d->onServerThread([this, port] {
        d->port = d->server->listen(d->address, port);
        for (QTcpServer *tcp : d->server->servers())
            QObject::connect(tcp, &QTcpServer::newConnection, d->server.get(), [this] { ++d->connections; });
    });
    if (d->port == 0)
        qFatal("StubHttpServer: cannot listen on %s:%u", qPrintable(address.toString()), unsigned(port));
}

StubHttpServer::~StubHttpServer()
{
    // Destroy the server on its own thread, then stop the thread.
    QObject *server = d->server.release();
    QMetaObject::invokeMethod(
        server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
}

quint16 StubHttpServer::port() const
{
    return d->port;
}

QString StubHttpServer::baseUrl() const
{
    return QStringLiteral("http://") + hostAndPort();
}

QString StubHttpServer::hostAndPort() const
{
    return QStringLiteral("127.0.0.1:") + QString::number(d->port);
}

void StubHttpServer::setHandler(Handler handler)
{
    std::lock_guard lock(d->mutex);
    d->handler = std::move(handler);
}

bool StubHttpServer::setAccepting(bool accepting)
{
    bool ok = true;
    d->onServerThread([&] {
        for (QTcpServer *tcp : d->server->servers()) {
            if (!accepting)
                tcp->close();
            else if (!tcp->isListening())
                ok = tcp->listen(d->address, d->port) && ok;
        }
    });
    return ok;
}

QList<StubRequest> StubHttpServer::requests() const
{
    std::lock_guard lock(d->mutex);
    return d->requests;
}

qsizetype StubHttpServer::requestCount() const
{
    std::lock_guard lock(d->mutex);
    return d->requests.size();
}

int StubHttpServer::connectionCount() const
{
    return d->connections.load();
}

void StubHttpServer::clearRequests()
{
    std::lock_guard lock(d->mutex);
    d->requests.clear();
}

bool StubHttpServer::waitForRequests(qsizetype count, int timeoutMs) const
{
    std::unique_lock lock(d->mutex);
    return d->arrived.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                               [&] { return d->requests.size() >= count; });
}

quint16 StubHttpServer::unusedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace lifdag::test
