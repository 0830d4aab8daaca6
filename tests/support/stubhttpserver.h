// A small HTTP server on its own thread for tests and benchmarks: every request is recorded and
// answered by a handler function (called on the server's thread, so it may block - e.g. to
// forward to another server - without stalling the test's own thread).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>

namespace lifdag::test {

struct StubRequest
{
    QByteArray method; // "GET", "POST", …
    QUrl url;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QString path() const { return url.path(); }
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
};

struct StubResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<std::pair<QByteArray, QByteArray>> headers;

    static StubResponse json(int status, const QByteArray &body)
    {
        return { status, body, "application/json", {} };
    }
};

class StubHttpServer
{
public:
    using Handler = std::function<StubResponse(const StubRequest &)>;

    // Listens on 127.0.0.1 (or `address`, e.g. QHostAddress::AnyIPv4 for containers) and a free
    // port (`port` when non-zero).
    explicit StubHttpServer(Handler handler, quint16 port = 0,
                            const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));
    ~StubHttpServer();
    StubHttpServer(const StubHttpServer &) = delete;
    StubHttpServer &operator=(const StubHttpServer &) = delete;

    quint16 port() const;
    QString baseUrl() const; // "http://127.0.0.1:PORT"
    QString hostAndPort() const; // "127.0.0.1:PORT"

    void setHandler(Handler handler);
    // false: stop listening (new connections are refused); true: listen on the same port again.
    bool setAccepting(bool accepting);

    QList<StubRequest> requests() const;
    qsizetype requestCount() const;
    int connectionCount() const; // TCP connections accepted so far (keep-alive makes it < requests)
    void clearRequests();
    // Waits until at least `count` requests arrived; false on timeout.
    bool waitForRequests(qsizetype count, int timeoutMs = 10000) const;

    // A port on 127.0.0.1 that nothing listens on (bound, then released).
    static quint16 unusedPort();

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace lifdag::test
