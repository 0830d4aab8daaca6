// Private: the server's I/O side. One QThread runs the listening socket and every connection;
// handlers run on a QThreadPool and post their responses back to this thread.
#pragma once

#include "wire_p.h"

#include <lifdag/http/server.h>

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <atomic>
#include <map>
#include <mutex>

namespace lifdag::http::detail {

class ServerCore;

// Lets WebSocket handles (which may outlive the server) reach it while it exists.
struct CoreLink
{
    std::mutex mutex;
    ServerCore *core = nullptr;
};

class Connection : public QObject
{
public:
    enum class State { ReadingHead, ReadingBody, Processing, UpgradePending, WebSocket, Closing };

    Connection(ServerCore *core, QTcpSocket *socket, quint64 id);
    ~Connection() override;

    quint64 id() const { return m_id; }
    State state() const { return m_state; }

    void readAndProcess();
    // A handler's response for the request in flight.
    void respond(Response response);
    void completeUpgrade(WebSocketAcceptance acceptance);
    void sendWebSocketText(const QByteArray &payload);
    void closeWebSocket(quint16 code, const QString &reason);
    // The sweep: enforces the timeouts; returns false when the connection was dropped.
    void checkTimeouts(qint64 nowMs);
    // Server shutdown.
    void shutdown();

private:
    void processHttp();
    void processWebSocket();
    void dispatch(ParsedHead head, QByteArray body);
    void failRequest(int status, const QString &code, const QString &message, bool close = true,
                     const QList<Header> &extraHeaders = {});
    void writeResponse(Response response, bool close);
    void logAndCount(int status, qsizetype bytes);
    void dropConnection();
    void webSocketMessage(int opcode, const QByteArray &payload);
    void sendFrame(int opcode, QByteArrayView payload);
    void beginClosing();
    void setState(State s);
    // For an error answered before routing (parse failure, timeout): what the access log shows.
    void startUnroutedRequest(const QByteArray &method, const QByteArray &logTarget);

    ServerCore *m_core;
    QTcpSocket *m_socket;
    const quint64 m_id;
    State m_state = State::ReadingHead;
    QByteArray m_buffer;
    qsizetype m_scanFrom = 0;
    qint64 m_stateSinceMs = 0;
    qint64 m_lastActivityMs = 0;
    qint64 m_lastWriteProgressMs = 0;
    int m_requestsServed = 0;
    bool m_sentContinue = false;
    bool m_closeAfterResponse = false;
    ParsedHead m_head; // of the request being read / in flight

    // The request in flight, for the access log and metrics.
    QByteArray m_method;
    QByteArray m_logTarget; // path and query, sensitive query values masked
    QString m_requestId;
    int m_routeIndex = -1;
    qint64 m_requestStartNs = 0;
    bool m_headRequest = false;

    // WebSocket mode.
    std::shared_ptr<WebSocket> m_ws;
    WebSocketCallbacks m_wsCallbacks;
    QList<QByteArray> m_wsPending; // sent before the upgrade completed
    QByteArray m_wsMessage;
    int m_wsMessageOpcode = 0;
    bool m_wsFragmenting = false;
    bool m_wsCloseSent = false;
    bool m_wsClosedNotified = false;
    quint16 m_wsCloseCode = 1006;
    qint64 m_wsLastFrameMs = 0;
    qint64 m_wsLastPingMs = 0;

    friend class ServerCore;
};

class ServerCore : public QObject
{
public:
    ServerCore(Router router, ServerOptions options);
    ~ServerCore() override;

    // Caller's thread.
    Status listen(const QHostAddress &address, quint16 port);
    void close();
    quint16 port() const { return m_port.load(); }

    // I/O thread.
    void onNewConnections();
    void sweep();
    void removeConnection(quint64 id);
    Connection *connection(quint64 id) const { return m_connections.value(id); }
    void recordRequest(int routeIndex, const QByteArray &method, int status, double seconds);
    qint64 nowMs() const { return m_clock.elapsed(); }
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }
    QString nextRequestId();
    bool enqueue(std::function<void()> job); // false when too many are waiting

    // Any thread.
    void postWebSocketText(quint64 id, QByteArray payload);
    void postWebSocketClose(quint64 id, quint16 code, QString reason);

    const Router &router() const { return m_router; }
    const ServerOptions &options() const { return m_options; }
    ServerStats stats() const;
    void writeMetrics(QByteArray &out) const;
    std::shared_ptr<CoreLink> link() const { return m_link; }

    std::atomic<qint64> openConnections { 0 };
    std::atomic<qint64> openWebSockets { 0 };
    std::atomic<quint64> requests { 0 };
    std::atomic<quint64> rejectedConnections { 0 };
    std::atomic<quint64> timeouts { 0 };
    std::atomic<bool> shuttingDown { false };

private:
    Router m_router;
    ServerOptions m_options;
    QThread m_thread;
    QThreadPool m_pool;
    QTcpServer *m_tcp = nullptr; // lives in m_thread
    QTimer *m_sweepTimer = nullptr;
    QHash<quint64, Connection *> m_connections;
    quint64 m_nextId = 1;
    std::atomic<quint16> m_port { 0 };
    std::atomic<int> m_waiting { 0 };
    std::atomic<quint64> m_requestCounter { 0 };
    QByteArray m_requestIdPrefix;
    QElapsedTimer m_clock;
    std::shared_ptr<CoreLink> m_link;
    bool m_listening = false;
    std::atomic<qint64> m_lastRequestMs { 0 };
    quint64 m_requestsAtTrim = 0; // I/O thread

    // Per route (index routes().size() = unmatched): a duration histogram; counts per status code.
    std::vector<std::unique_ptr<Histogram>> m_durations;
    mutable QMutex m_countMutex;
    std::map<std::pair<int, int>, quint64> m_counts; // (route, status) → requests
};

} // namespace lifdag::http::detail
