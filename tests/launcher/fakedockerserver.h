// A scripted HTTP server on a Unix socket standing in for the Docker Engine in unit tests: each
// connection's request is recorded and answered with the bytes the test's handler returns.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <functional>
#include <mutex>
#include <thread>

namespace lifdag::test {

struct FakeRequest
{
    QByteArray method;
    QByteArray target; // as sent, e.g. "/v1.41/containers/json?all=true"
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QByteArray header(QByteArrayView name) const;
};

struct FakeReply
{
    QList<QByteArray> pieces; // written one after another…
    int delayMs = 0; // …with this pause before each
    bool close = true; // false: leave the connection open until the client closes it
};

class FakeDockerServer
{
public:
    using Handler = std::function<FakeReply(const FakeRequest &)>;

    explicit FakeDockerServer(Handler handler);
    ~FakeDockerServer();
    FakeDockerServer(const FakeDockerServer &) = delete;
    FakeDockerServer &operator=(const FakeDockerServer &) = delete;

    QString socketPath() const { return m_socketPath; }
    bool listening() const { return m_listenFd >= 0; }
    QList<FakeRequest> requests() const;

    // A complete response with a JSON (or any) body framed by Content-Length.
    static QByteArray response(int status, const QByteArray &body,
                               const QByteArray &contentType = "application/json");
    // The same body sent with chunked transfer encoding, cut into chunks of `chunkSize` bytes.
    static QByteArray chunkedResponse(int status, const QByteArray &body, int chunkSize);

private:
    void serve();
    void handle(int fd);

    Handler m_handler;
    QTemporaryDir m_dir;
    QString m_socketPath;
    int m_listenFd = -1;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    QList<FakeRequest> m_requests;
};

} // namespace lifdag::test
