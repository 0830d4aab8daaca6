// An HTTP/1.1 server on QTcpServer for lifdag's APIs: strict request parsing with limits,
// keep-alive, HEAD/OPTIONS, idle and slow-request timeouts, handlers on a worker thread pool (a slow
// storage call never stalls other clients), WebSocket upgrades, an access log and per-route
// request-duration histograms. Qt 6.4's QHttpServer has no body limit, no timeouts and runs
// handlers on its only thread, hence this one.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/http/message.h>
#include <lifdag/http/metrics.h>
#include <lifdag/http/router.h>

#include <QHostAddress>
#include <QLoggingCategory>
#include <chrono>
#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcHttpAccess) // "lifdag.http.access": one line per request

namespace lifdag::http {

struct ServerOptions
{
    qsizetype maxRequestLineBytes = 8 * 1024; // longer → 414
    qsizetype maxHeaderBytes = 16 * 1024; // request line + headers; more → 431
    int maxHeaderCount = 100; // more → 431
    qsizetype maxBodyBytes = 1024 * 1024; // larger Content-Length → 413
    std::chrono::milliseconds headerTimeout { 10000 }; // first byte → end of headers, else 408
    std::chrono::milliseconds bodyTimeout { 30000 }; // end of headers → end of body, else 408
    std::chrono::milliseconds idleTimeout { 60000 }; // keep-alive connection without a request
    std::chrono::milliseconds writeTimeout { 30000 }; // a response the client does not read
    int maxConnections = 1024; // beyond: 503 and close
    int workerThreads = 8;
    int maxQueuedRequests = 1024; // handlers waiting for a worker; beyond: 503
    qsizetype maxWebSocketMessageBytes = 1024 * 1024; // larger → close 1009
    qsizetype maxWebSocketBufferedBytes = 16 * 1024 * 1024; // unread by a slow client → close 1008
    std::chrono::milliseconds webSocketPingInterval { 30000 }; // silent peers are pinged, then dropped
    bool accessLog = true;
    QByteArray corsAllowOrigin; // non-empty: CORS headers for this origin ("*" allowed)
};

struct ServerStats
{
    qint64 openConnections = 0;
    qint64 openWebSockets = 0;
    quint64 requests = 0; // responses written
    quint64 rejectedConnections = 0; // over maxConnections
    quint64 timeouts = 0; // 408s and idle/slow closes
};

class Server
{
public:
    Server(Router router, ServerOptions options = {});
    ~Server(); // close()
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Starts the I/O thread and listens; port 0 picks a free one (see port()).
    Status listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    // Stops accepting, closes every connection (WebSockets with 1001) and waits for running handlers.
    void close();

    const Router &router() const;
    const ServerOptions &options() const;
    ServerStats stats() const;
    // lifdag_http_requests_total{method,route,code} and lifdag_http_request_duration_seconds per
    // route, plus connection gauges, in Prometheus text format.
    void writeMetrics(QByteArray &out) const;

private:
    std::unique_ptr<detail::ServerCore> d;
};

} // namespace lifdag::http
