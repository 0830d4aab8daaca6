// Private: live events over WebSocket. Sessions subscribe to a run's events from a cursor and to run
// status changes; storage notifications (lifdag_events / lifdag_run_status with the run id, from
// every process on the database) trigger a fetch after each subscription's cursor, so nothing is
// pushed twice or skipped, and clients never poll.
#pragma once

#include <lifdag/http/metrics.h>
#include <lifdag/http/websocket.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/auth.h>

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QThread>
#include <QThreadPool>
#include <atomic>
#include <memory>
#include <mutex>

namespace lifdag::webserver::detail {

class LiveHub : public std::enable_shared_from_this<LiveHub>
{
public:
    struct Options
    {
        int maxSubscriptionsPerSession = 100;
        int eventsPerMessage = 500;
        std::chrono::milliseconds authTimeout { 10000 }; // to send {"type":"auth"} when no header was given
        std::chrono::milliseconds reconcileInterval { 10000 }; // repairs a lost notification
    };

    LiveHub(std::shared_ptr<instance::Instance> instance, std::shared_ptr<Authenticator> auth,
            Options options);
    ~LiveHub();

    Status start();
    void stop();

    // A WebSocket upgrade (HTTP worker thread). Without a principal the session must authenticate
    // with its first message.
    http::WebSocketAcceptance accept(const http::Request &request,
                                     const std::shared_ptr<http::WebSocket> &socket,
                                     std::optional<Principal> principal);

    http::Histogram &launchLatency() { return m_launchLatency; }
    quint64 eventsDelivered() const { return m_eventsDelivered.load(); }
    quint64 messagesSent() const { return m_messagesSent.load(); }
    int sessions() const;

    struct Session;
    struct EventSubscription;

private:
    void onText(const std::shared_ptr<Session> &session, const QByteArray &message);
    void onClosed(quint64 socketId);
    void onEventsNotified(const QString &runId);
    void onStatusNotified(const QString &runId);
    void reconcile();
    void kick(const std::shared_ptr<EventSubscription> &sub);
    void fetchEvents(const std::shared_ptr<EventSubscription> &sub);
    void publishRun(const QString &runId);
    void expireUnauthenticated();
    bool send(const std::shared_ptr<Session> &session, const QJsonObject &message);
    void sendError(const std::shared_ptr<Session> &session, const QString &id, const QString &code,
                   const QString &message);

    std::shared_ptr<instance::Instance> m_instance;
    std::shared_ptr<Authenticator> m_auth;
    Options m_options;

    mutable std::mutex m_mutex;
    QHash<quint64, std::shared_ptr<Session>> m_sessions; // by socket id
    QHash<QString, QList<std::shared_ptr<EventSubscription>>> m_eventSubs; // by run id
    QSet<QString> m_latencyObserved; // runs whose launch latency was recorded

    QThreadPool m_eventPool; // event fetches, several at once (each subscription one at a time)
    QThreadPool m_statusPool; // run status pushes, one thread: in order
    QThread m_thread; // timers
    QObject *m_threadContext = nullptr;
    std::vector<std::shared_ptr<void>> m_subscriptions;
    std::atomic<bool> m_running { false };

    http::Histogram m_launchLatency { { 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300 } };
    std::atomic<quint64> m_eventsDelivered { 0 };
    std::atomic<quint64> m_messagesSent { 0 };
};

} // namespace lifdag::webserver::detail
