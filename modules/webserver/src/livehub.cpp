#include "livehub_p.h"

#include "apijson_p.h"
#include "webserver_log_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace lifdag::webserver::detail {

using Clock = std::chrono::steady_clock;

struct LiveHub::Session
{
    std::shared_ptr<http::WebSocket> socket;
    std::optional<Principal> principal; // guarded by the hub's mutex
    QHostAddress peer;
    Clock::time_point openedAt = Clock::now();
    QHash<QString, std::shared_ptr<EventSubscription>> eventSubs; // by subscription id
    QHash<QString, QSet<QString>> runSubs; // subscription id → run ids (empty: every run)
};

struct LiveHub::EventSubscription
{
    std::weak_ptr<Session> session;
    QString id;
    QString runId;
    std::mutex mutex;
    qint64 cursor = 0; // the storage id of the last event sent
    bool fetching = false;
    bool dirty = false;
    bool active = true;
    bool announced = false; // "subscribed" sent (after the run was found)
};

LiveHub::LiveHub(std::shared_ptr<instance::Instance> instance, std::shared_ptr<Authenticator> auth,
                 Options options)
    : m_instance(std::move(instance))
    , m_auth(std::move(auth))
    , m_options(options)
{
    m_eventPool.setMaxThreadCount(4);
    m_eventPool.setExpiryTimeout(-1);
    m_statusPool.setMaxThreadCount(1);
    m_statusPool.setExpiryTimeout(-1);
    m_thread.setObjectName(QStringLiteral("lifdag-live"));
}

LiveHub::~LiveHub()
{
    stop();
}

Status LiveHub::start()
{
    if (m_running.exchange(true))
        return {};
    std::weak_ptr<LiveHub> weak = weak_from_this();
    storage::Storage &storage = m_instance->storage();
    auto events = storage.subscribeWithPayload(storage::kEventsChannel, [weak](const QString &runId) {
        if (auto hub = weak.lock())
            hub->onEventsNotified(runId);
    });
    if (!events)
        return events.error();
    m_subscriptions.push_back(*events);
    auto status = storage.subscribeWithPayload(storage::kRunStatusChannel, [weak](const QString &runId) {
        if (auto hub = weak.lock())
            hub->onStatusNotified(runId);
    });
    if (!status)
        return status.error();
    m_subscriptions.push_back(*status);

    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_threadContext,
        [this, weak] {
            auto *timer = new QTimer(m_threadContext);
            QObject::connect(timer, &QTimer::timeout, m_threadContext, [weak] {
                if (auto hub = weak.lock())
                    hub->expireUnauthenticated();
            });
            timer->start(500);
            // Notifications are the delivery path; this only repairs a lost one (a dropped
            // listener connection, a full socket buffer) - a fetch after the cursor finds nothing
            // new in the normal case.
            auto *reconcile = new QTimer(m_threadContext);
            QObject::connect(reconcile, &QTimer::timeout, m_threadContext, [weak] {
                if (auto hub = weak.lock())
                    hub->reconcile();
            });
            reconcile->start(int(std::chrono::milliseconds(m_options.reconcileInterval).count()));
        },
        Qt::BlockingQueuedConnection);
    return {};
}

void LiveHub::stop()
{
    if (!m_running.exchange(false))
        return;
    m_subscriptions.clear();
    QMetaObject::invokeMethod(
        m_threadContext, [this] { qDeleteAll(m_threadContext->children()); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_threadContext; // its thread has ended
    m_threadContext = nullptr;
    m_eventPool.waitForDone();
    m_statusPool.waitForDone();
    QList<std::shared_ptr<Session>> sessions;
    {
        std::lock_guard lock(m_mutex);
        sessions = m_sessions.values();
        m_sessions.clear();
        m_eventSubs.clear();
    }
    for (const auto &s : sessions)
        s->socket->close(1001, QStringLiteral("server shutting down"));
}

int LiveHub::sessions() const
{
    std::lock_guard lock(m_mutex);
    return int(m_sessions.size());
}

http::WebSocketAcceptance LiveHub::accept(const http::Request &request,
                                          const std::shared_ptr<http::WebSocket> &socket,
                                          std::optional<Principal> principal)
{
    auto session = std::make_shared<Session>();
    session->socket = socket;
    session->principal = std::move(principal);
    session->peer = request.peerAddress;
    {
        std::lock_guard lock(m_mutex);
        m_sessions.insert(socket->id(), session);
    }
    std::weak_ptr<LiveHub> weak = weak_from_this();
    const quint64 id = socket->id();
    std::weak_ptr<Session> weakSession = session;
    return http::WebSocketAcceptance::accepted({ [weak, weakSession](const QByteArray &message) {
                                                    auto hub = weak.lock();
                                                    auto s = weakSession.lock();
                                                    if (hub && s)
                                                        hub->onText(s, message);
                                                },
                                                 [weak, id](quint16) {
                                                     if (auto hub = weak.lock())
                                                         hub->onClosed(id);
                                                 } });
}

void LiveHub::onClosed(quint64 socketId)
{
    std::lock_guard lock(m_mutex);
    const std::shared_ptr<Session> session = m_sessions.take(socketId);
    if (!session)
        return;
    for (const auto &sub : std::as_const(session->eventSubs)) {
        {
            std::lock_guard subLock(sub->mutex);
            sub->active = false;
        }
        auto it = m_eventSubs.find(sub->runId);
        if (it != m_eventSubs.end()) {
            it->removeOne(sub);
            if (it->isEmpty())
                m_eventSubs.erase(it);
        }
    }
}

bool LiveHub::send(const std::shared_ptr<Session> &session, const QJsonObject &message)
{
    m_messagesSent.fetch_add(1);
    return session->socket->sendText(toRedactedJson(message));
}

void LiveHub::sendError(const std::shared_ptr<Session> &session, const QString &id, const QString &code,
                        const QString &message)
{
    QJsonObject m { { QStringLiteral("type"), QStringLiteral("error") },
                    { QStringLiteral("error"),
                      QJsonObject { { QStringLiteral("code"), code },
                                    { QStringLiteral("message"), message } } } };
    if (!id.isEmpty())
        m.insert(QStringLiteral("id"), id);
    send(session, m);
}

void LiveHub::onText(const std::shared_ptr<Session> &session, const QByteArray &text)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (!doc.isObject()) {
        sendError(session, {}, QStringLiteral("invalid_message"),
                  QStringLiteral("expected a JSON object like {\"type\":\"subscribe\",…}: %1")
                      .arg(parseError.error == QJsonParseError::NoError ? QStringLiteral("not an object")
                                                                        : parseError.errorString()));
        return;
    }
    const QJsonObject m = doc.object();
    const QString type = m.value(QStringLiteral("type")).toString();
    const QString id = m.value(QStringLiteral("id")).toString();
    if (id.size() > 100) {
        sendError(session, {}, QStringLiteral("invalid_message"),
                  QStringLiteral("id: at most 100 characters"));
        return;
    }

    if (type == QLatin1StringView("auth")) {
        const auto outcome =
            m_auth->authenticateToken(m.value(QStringLiteral("token")).toString().toUtf8(), session->peer);
        if (!outcome.principal) {
            sendError(session, id, outcome.code, outcome.message);
            session->socket->close(1008, QStringLiteral("unauthorized"));
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            session->principal = outcome.principal;
        }
        send(session,
             QJsonObject { { QStringLiteral("type"), QStringLiteral("authenticated") },
                           { QStringLiteral("role"), roleName(outcome.principal->role) } });
        return;
    }
    bool authenticated = false;
    {
        std::lock_guard lock(m_mutex);
        authenticated = session->principal.has_value();
    }
    if (!authenticated) {
        sendError(session, id, QStringLiteral("unauthorized"),
                  QStringLiteral(
                      "authenticate first: {\"type\":\"auth\",\"token\":\"…\"} or an Authorization header"));
        session->socket->close(1008, QStringLiteral("unauthorized"));
        return;
    }
    if (type == QLatin1StringView("ping")) {
        send(session, QJsonObject { { QStringLiteral("type"), QStringLiteral("pong") } });
        return;
    }
    if (type == QLatin1StringView("unsubscribe")) {
        bool found = false;
        {
            std::lock_guard lock(m_mutex);
            if (auto sub = session->eventSubs.take(id)) {
                found = true;
                {
                    std::lock_guard subLock(sub->mutex);
                    sub->active = false;
                }
                auto it = m_eventSubs.find(sub->runId);
                if (it != m_eventSubs.end()) {
                    it->removeOne(sub);
                    if (it->isEmpty())
                        m_eventSubs.erase(it);
                }
            }
            found = session->runSubs.remove(id) > 0 || found;
        }
        if (!found) {
            sendError(session, id, QStringLiteral("unknown_subscription"),
                      QStringLiteral("no subscription with id \"%1\"").arg(id));
            return;
        }
        send(session,
             QJsonObject { { QStringLiteral("type"), QStringLiteral("unsubscribed") },
                           { QStringLiteral("id"), id } });
        return;
    }
    if (type != QLatin1StringView("subscribe")) {
        sendError(
            session, id, QStringLiteral("unknown_type"),
            QStringLiteral("unknown message type \"%1\" (expected auth, subscribe, unsubscribe or ping)")
                .arg(type.left(50)));
        return;
    }
    if (id.isEmpty()) {
        sendError(session, {}, QStringLiteral("invalid_message"),
                  QStringLiteral("subscribe needs an \"id\" the server's messages will carry"));
        return;
    }
    const QString channel = m.value(QStringLiteral("channel")).toString();
    std::lock_guard lock(m_mutex);
    if (session->eventSubs.contains(id) || session->runSubs.contains(id)) {
        sendError(session, id, QStringLiteral("duplicate_subscription"),
                  QStringLiteral("subscription id \"%1\" is in use").arg(id));
        return;
    }
    if (session->eventSubs.size() + session->runSubs.size() >= m_options.maxSubscriptionsPerSession) {
        sendError(session, id, QStringLiteral("too_many_subscriptions"),
                  QStringLiteral("at most %1 subscriptions per connection")
                      .arg(m_options.maxSubscriptionsPerSession));
        return;
    }
    if (channel == QLatin1StringView("events")) {
        const QString runId = m.value(QStringLiteral("runId")).toString();
        const QJsonValue after = m.value(QStringLiteral("after"));
        if (runId.isEmpty() || runId.size() > 200) {
            sendError(session, id, QStringLiteral("invalid_message"), QStringLiteral("runId: required"));
            return;
        }
        if (!after.isUndefined() && !after.isNull() && (!after.isDouble() || after.toDouble() < 0)) {
            sendError(
                session, id, QStringLiteral("invalid_message"),
                QStringLiteral("after: expected a storage id >= 0 (the cursor of the last event received)"));
            return;
        }
        auto sub = std::make_shared<EventSubscription>();
        sub->session = session;
        sub->id = id;
        sub->runId = runId;
        sub->cursor = qint64(after.toDouble());
        session->eventSubs.insert(id, sub);
        m_eventSubs[runId].append(sub);
        sub->fetching = true; // the first fetch checks the run and announces the subscription
        std::weak_ptr<LiveHub> weak = weak_from_this();
        m_eventPool.start([weak, sub] {
            if (auto hub = weak.lock())
                hub->fetchEvents(sub);
        });
        return;
    }
    if (channel == QLatin1StringView("runs")) {
        QSet<QString> runIds;
        for (const QJsonValue &v : m.value(QStringLiteral("runIds")).toArray())
            runIds.insert(v.toString());
        session->runSubs.insert(id, runIds);
        send(session,
             QJsonObject { { QStringLiteral("type"), QStringLiteral("subscribed") },
                           { QStringLiteral("id"), id },
                           { QStringLiteral("channel"), channel } });
        // The current state of named runs first, so a client needs no separate read.
        std::weak_ptr<LiveHub> weak = weak_from_this();
        for (const QString &runId : std::as_const(runIds))
            m_statusPool.start([weak, runId] {
                if (auto hub = weak.lock())
                    hub->publishRun(runId);
            });
        return;
    }
    sendError(
        session, id, QStringLiteral("invalid_message"),
        QStringLiteral("channel: expected \"events\" (a run's events) or \"runs\" (run status changes)"));
}

void LiveHub::onEventsNotified(const QString &runId)
{
    QList<std::shared_ptr<EventSubscription>> subs;
    {
        std::lock_guard lock(m_mutex);
        subs = m_eventSubs.value(runId);
    }
    for (const auto &sub : std::as_const(subs))
        kick(sub);
}

void LiveHub::kick(const std::shared_ptr<EventSubscription> &sub)
{
    {
        std::lock_guard lock(sub->mutex);
        if (!sub->active)
            return;
        if (sub->fetching) {
            sub->dirty = true; // the running fetch goes round once more
            return;
        }
        sub->fetching = true;
    }
    std::weak_ptr<LiveHub> weak = weak_from_this();
    m_eventPool.start([weak, sub] {
        if (auto hub = weak.lock())
            hub->fetchEvents(sub);
    });
}

void LiveHub::fetchEvents(const std::shared_ptr<EventSubscription> &sub)
{
    auto session = sub->session.lock();
    auto finish = [&] {
        std::lock_guard lock(sub->mutex);
        sub->fetching = false;
    };
    if (!session || !m_running.load()) {
        finish();
        return;
    }
    storage::Storage &storage = m_instance->storage();
    if (!sub->announced) {
        const auto run = storage.runs().run(sub->runId);
        if (!run || !run->has_value()) {
            sendError(session, sub->id,
                      run ? QStringLiteral("run_not_found") : QStringLiteral("storage_unavailable"),
                      run ? QStringLiteral("run %1 not found").arg(sub->runId) : run.error().message);
            std::lock_guard lock(m_mutex);
            session->eventSubs.remove(sub->id);
            auto it = m_eventSubs.find(sub->runId);
            if (it != m_eventSubs.end()) {
                it->removeOne(sub);
                if (it->isEmpty())
                    m_eventSubs.erase(it);
            }
            std::lock_guard subLock(sub->mutex);
            sub->active = false;
            sub->fetching = false;
            return;
        }
        sub->announced = true;
        send(session,
             QJsonObject { { QStringLiteral("type"), QStringLiteral("subscribed") },
                           { QStringLiteral("id"), sub->id },
                           { QStringLiteral("channel"), QStringLiteral("events") },
                           { QStringLiteral("runId"), sub->runId },
                           { QStringLiteral("cursor"), sub->cursor },
                           { QStringLiteral("status"), runStatusName((*run)->status) } });
    }
    while (true) {
        qint64 after = 0;
        {
            std::lock_guard lock(sub->mutex);
            if (!sub->active) {
                sub->fetching = false;
                return;
            }
            sub->dirty = false;
            after = sub->cursor;
        }
        const auto events = storage.events().events(sub->runId, after, m_options.eventsPerMessage);
        if (!events) {
            qCWarning(lcWebserver, "live events of run %s: %s", qPrintable(sub->runId),
                      qPrintable(events.error().message));
            sendError(session, sub->id, QStringLiteral("storage_unavailable"),
                      QStringLiteral("events could not be read; they follow with the next notification"));
            finish();
            return;
        }
        if (!events->isEmpty()) {
            QJsonArray list;
            for (const Event &e : *events)
                list.append(eventJson(e));
            const qint64 last = events->last().storageId;
            const bool sent = send(session,
                                   QJsonObject { { QStringLiteral("type"), QStringLiteral("events") },
                                                 { QStringLiteral("id"), sub->id },
                                                 { QStringLiteral("runId"), sub->runId },
                                                 { QStringLiteral("events"), list },
                                                 { QStringLiteral("cursor"), last } });
            if (!sent) {
                std::lock_guard lock(sub->mutex);
                sub->active = false;
                sub->fetching = false;
                return;
            }
            m_eventsDelivered.fetch_add(quint64(events->size()));
            std::lock_guard lock(sub->mutex);
            sub->cursor = last;
        }
        std::lock_guard lock(sub->mutex);
        if (events->size() < m_options.eventsPerMessage && !sub->dirty) {
            sub->fetching = false;
            return;
        }
    }
}

void LiveHub::onStatusNotified(const QString &runId)
{
    if (!m_running.load())
        return;
    std::weak_ptr<LiveHub> weak = weak_from_this();
    m_statusPool.start([weak, runId] {
        if (auto hub = weak.lock())
            hub->publishRun(runId);
    });
}

void LiveHub::publishRun(const QString &runId)
{
    const auto run = m_instance->storage().runs().run(runId);
    if (!run) {
        qCWarning(lcWebserver, "run status of %s: %s", qPrintable(runId), qPrintable(run.error().message));
        return;
    }
    QList<std::pair<std::shared_ptr<Session>, QString>> targets;
    {
        std::lock_guard lock(m_mutex);
        if (run->has_value()) {
            const storage::RunRecord &r = **run;
            if (r.startedAt.isValid() && r.createdAt.isValid() && !m_latencyObserved.contains(runId)) {
                if (m_latencyObserved.size() > 20000)
                    m_latencyObserved.clear();
                m_latencyObserved.insert(runId);
                m_launchLatency.observe(double(r.createdAt.msecsTo(r.startedAt)) / 1000.0);
            }
        }
        for (const auto &session : std::as_const(m_sessions)) {
            for (auto it = session->runSubs.cbegin(); it != session->runSubs.cend(); ++it) {
                if (it->isEmpty() || it->contains(runId))
                    targets.append({ session, it.key() });
            }
        }
    }
    for (const auto &[session, subId] : targets) {
        if (run->has_value())
            send(session,
                 QJsonObject { { QStringLiteral("type"), QStringLiteral("run") },
                               { QStringLiteral("id"), subId },
                               { QStringLiteral("run"), runJson(**run, false) } });
        else
            send(session,
                 QJsonObject { { QStringLiteral("type"), QStringLiteral("run_deleted") },
                               { QStringLiteral("id"), subId },
                               { QStringLiteral("runId"), runId } });
    }
}

void LiveHub::reconcile()
{
    QList<std::shared_ptr<EventSubscription>> subs;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &list : std::as_const(m_eventSubs))
            subs += list;
    }
    for (const auto &sub : std::as_const(subs))
        kick(sub);
}

void LiveHub::expireUnauthenticated()
{
    QList<std::shared_ptr<Session>> expired;
    {
        std::lock_guard lock(m_mutex);
        const auto now = Clock::now();
        for (const auto &s : std::as_const(m_sessions)) {
            if (!s->principal && now - s->openedAt > m_options.authTimeout)
                expired.append(s);
        }
    }
    for (const auto &s : std::as_const(expired)) {
        sendError(s, {}, QStringLiteral("unauthorized"),
                  QStringLiteral("no authentication within the time allowed"));
        s->socket->close(1008, QStringLiteral("unauthorized"));
    }
}

} // namespace lifdag::webserver::detail
