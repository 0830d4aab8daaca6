// A WebSocket connection (RFC 6455) the server upgraded from an HTTP request: a thread-safe handle
// for sending, and the callbacks a route gives to receive.
#pragma once

#include <lifdag/http/message.h>

#include <QByteArray>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace lifdag::http {

namespace detail {
class ServerCore;
struct CoreLink;
} // namespace detail

class WebSocket
{
public:
    WebSocket(quint64 id, std::shared_ptr<detail::CoreLink> link, qsizetype maxBufferedBytes);

    quint64 id() const { return m_id; }
    // Queues a text message (UTF-8). Any thread. False when the connection is closed, or when the
    // client reads too slowly (more than the server's maxWebSocketBufferedBytes waiting): then the
    // connection is closed with 1008, since dropping a message would leave a gap.
    bool sendText(QByteArray utf8);
    // Starts the closing handshake. Any thread.
    void close(quint16 code = 1000, const QString &reason = {});
    bool isOpen() const { return m_open.load(); }

    // Server side only.
    void markClosed() { m_open.store(false); }
    void written(qsizetype bytes) { m_queued.fetch_sub(bytes); }

private:
    const quint64 m_id;
    std::shared_ptr<detail::CoreLink> m_link;
    const qsizetype m_maxBuffered;
    std::atomic<bool> m_open { true };
    std::atomic<qsizetype> m_queued { 0 };
};

struct WebSocketCallbacks
{
    // A complete text message (valid UTF-8). Called on the server's I/O thread in arrival order:
    // keep it quick and hand real work to another thread.
    std::function<void(const QByteArray &message)> onText;
    // Once, when the connection is gone (close handshake, error, timeout or server shutdown).
    std::function<void(quint16 code)> onClosed;
};

// What a WebSocket route answers to an upgrade request: a rejection (an ordinary HTTP response,
// e.g. 401) or the callbacks of the accepted connection.
struct WebSocketAcceptance
{
    std::optional<Response> reject;
    WebSocketCallbacks callbacks;

    static WebSocketAcceptance rejected(Response r) { return { std::move(r), {} }; }
    static WebSocketAcceptance accepted(WebSocketCallbacks c) { return { std::nullopt, std::move(c) }; }
};

// Runs on a worker thread (it may block, e.g. to authenticate against storage). Messages sent on
// `socket` before the upgrade completes are delivered right after it.
using WebSocketAccept =
    std::function<WebSocketAcceptance(const Request &request, const std::shared_ptr<WebSocket> &socket)>;

} // namespace lifdag::http
