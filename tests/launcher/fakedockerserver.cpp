#include "fakedockerserver.h"

#include <QThread>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace lifdag::test {

QByteArray FakeRequest::header(QByteArrayView name) const
{
    for (const auto &[k, v] : headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

FakeDockerServer::FakeDockerServer(Handler handler)
    : m_handler(std::move(handler))
    , m_socketPath(m_dir.filePath(QStringLiteral("docker.sock")))
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    const QByteArray path = m_socketPath.toLocal8Bit();
    std::strncpy(addr.sun_path, path.constData(), sizeof(addr.sun_path) - 1);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0
        || ::listen(fd, 16) != 0) {
        if (fd >= 0)
            ::close(fd);
        return;
    }
    m_listenFd = fd;
    m_thread = std::thread([this] { serve(); });
}

FakeDockerServer::~FakeDockerServer()
{
    if (m_listenFd >= 0) {
        ::shutdown(m_listenFd, SHUT_RDWR);
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_listenFd);
    }
}

QList<FakeRequest> FakeDockerServer::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

QByteArray FakeDockerServer::response(int status, const QByteArray &body, const QByteArray &contentType)
{
    return "HTTP/1.1 " + QByteArray::number(status) + " Status\r\nContent-Type: " + contentType
        + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nApi-Version: 1.41\r\n\r\n" + body;
}

QByteArray FakeDockerServer::chunkedResponse(int status, const QByteArray &body, int chunkSize)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status)
        + " Status\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype i = 0; i < body.size(); i += chunkSize) {
        const QByteArray chunk = body.mid(i, chunkSize);
        out += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
    }
    return out + "0\r\n\r\n";
}

void FakeDockerServer::serve()
{
    while (true) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return; // shut down
        handle(fd);
        ::close(fd);
    }
}

void FakeDockerServer::handle(int fd)
{
    QByteArray data;
    char buf[4096];
    qsizetype headerEnd = -1;
    while ((headerEnd = data.indexOf("\r\n\r\n")) < 0) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            return;
        data.append(buf, n);
    }
    FakeRequest request;
    const QList<QByteArray> lines = data.left(headerEnd).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request.method = first.value(0);
    request.target = first.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.append({ lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed() });
    }
    const qsizetype length = request.header("Content-Length").toLongLong();
    request.body = data.mid(headerEnd + 4);
    while (request.body.size() < length) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        request.body.append(buf, n);
    }
    {
        std::lock_guard lock(m_mutex);
        m_requests.append(request);
    }
    const FakeReply reply = m_handler(request);
    for (const QByteArray &piece : reply.pieces) {
        if (reply.delayMs > 0)
            QThread::msleep(reply.delayMs);
        if (::send(fd, piece.constData(), size_t(piece.size()), MSG_NOSIGNAL) < 0)
            return;
    }
    if (!reply.close) {
        while (::read(fd, buf, sizeof buf) > 0) { } // until the client hangs up
    }
}

} // namespace lifdag::test
