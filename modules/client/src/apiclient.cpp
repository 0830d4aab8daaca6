#include "lifdag/client/apiclient.h"

#include "client_log_p.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcClient, "lifdag.client", QtInfoMsg)

namespace lifdag::client {

namespace {

constexpr int kTransferTimeoutMs = 30000;
constexpr int kLiveConnectTimeoutMs = 10000;
constexpr int kPingIntervalMs = 15000;
constexpr int kLiveSilenceMs = 40000; // no message (not even a pong) for this long: the socket is dead
constexpr int kMaxBackoffMs = 10000;

ApiError errorFrom(int status, const QByteArray &body, const QString &fallback)
{
    ApiError e;
    e.status = status;
    const QJsonObject error =
        QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    e.code = error.value(QStringLiteral("code")).toString();
    e.message = error.value(QStringLiteral("message")).toString();
    e.details = error;
    e.details.remove(QStringLiteral("code"));
    e.details.remove(QStringLiteral("message"));
    if (e.code.isEmpty())
        e.code = QStringLiteral("http_%1").arg(status);
    if (e.message.isEmpty())
        e.message = fallback;
    return e;
}

} // namespace

QJsonObject ApiReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_reconnectTimer(new QTimer(this))
    , m_pingTimer(new QTimer(this))
    , m_countdown(new QTimer(this))
{
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, [this] {
        m_countdown->stop();
        fetchIdentity(false);
        Q_EMIT reconnectChanged();
    });
    m_countdown->setInterval(1000);
    connect(m_countdown, &QTimer::timeout, this, &ApiClient::reconnectChanged);
    m_pingTimer->setInterval(kPingIntervalMs);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        if (!m_liveOpen)
            return;
        if (QDateTime::currentMSecsSinceEpoch() - m_lastLiveMessageMs > kLiveSilenceMs) {
            qCInfo(lcClient, "live connection silent for %d s: reconnecting", kLiveSilenceMs / 1000);
            dropLiveConnection();
            return;
        }
        sendLive(QJsonObject { { QStringLiteral("type"), QStringLiteral("ping") } });
    });
}

ApiClient::~ApiClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ApiClient::setBaseUrl(const QUrl &url)
{
    QUrl normalized = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (normalized == m_baseUrl)
        return;
    if (m_state != State::Disconnected)
        disconnectFromServer();
    m_baseUrl = normalized;
    Q_EMIT baseUrlChanged();
}

void ApiClient::setToken(const QString &token)
{
    const QByteArray t = token.trimmed().toUtf8();
    if (t == m_token)
        return;
    m_token = t;
    Q_EMIT tokenChanged();
}

int ApiClient::secondsUntilReconnect() const
{
    if (!m_reconnectTimer->isActive())
        return 0;
    return (m_reconnectTimer->remainingTime() + 999) / 1000;
}

void ApiClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged();
}

void ApiClient::setError(const QString &message)
{
    if (m_errorString == message)
        return;
    m_errorString = message;
    Q_EMIT errorStringChanged();
}

void ApiClient::connectToServer()
{
    ++m_generation;
    m_reconnectTimer->stop();
    m_countdown->stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_liveOpen = m_liveAuthenticated = false;
    m_wasOffline = false;
    m_attempt = 0;
    setError({});
    if (!m_baseUrl.isValid() || m_baseUrl.scheme().isEmpty() || m_baseUrl.host().isEmpty()) {
        setError(tr("\"%1\" is not a server address like http://localhost:3000").arg(m_baseUrl.toString()));
        setState(State::Disconnected);
        return;
    }
    setState(State::Connecting);
    fetchIdentity(true);
}

void ApiClient::disconnectFromServer()
{
    ++m_generation;
    closeLive();
    m_attempt = 0;
    setState(State::Disconnected);
    Q_EMIT reconnectChanged();
}

void ApiClient::reconnectNow()
{
    if (m_state == State::Disconnected || m_state == State::AuthFailed) {
        connectToServer();
        return;
    }
    m_reconnectTimer->stop();
    m_countdown->stop();
    fetchIdentity(false);
    Q_EMIT reconnectChanged();
}

QNetworkReply *ApiClient::start(const QByteArray &method, const QString &path, const QUrlQuery &query,
                                const QByteArray *body)
{
    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path() + path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(kTransferTimeoutMs);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    if (body)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return body ? m_nam->sendCustomRequest(request, method, *body)
                : m_nam->sendCustomRequest(request, method);
}

void ApiClient::get(const QString &path, const QUrlQuery &query, QObject *context, ReplyHandler handler)
{
    QNetworkReply *reply = start("GET", path, query, nullptr);
    QPointer<QObject> ctx(context);
    const bool hadContext = context != nullptr;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, ctx, hadContext, handler = std::move(handler)] {
                finish(reply, ctx, handler, hadContext);
            });
}

void ApiClient::send(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
                     ReplyHandler handler)
{
    QByteArray bytes;
    if (body.isObject())
        bytes = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    else if (body.isArray())
        bytes = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = start(method, path, {}, body.isUndefined() || body.isNull() ? nullptr : &bytes);
    QPointer<QObject> ctx(context);
    const bool hadContext = context != nullptr;
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, ctx, hadContext, handler = std::move(handler)] {
                finish(reply, ctx, handler, hadContext);
            });
}

void ApiClient::finish(QNetworkReply *reply, QPointer<QObject> context, const ReplyHandler &handler,
                       bool hadContext)
{
    reply->deleteLater();
    ApiReply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    if (r.status == 0) {
        r.error.code = QStringLiteral("network");
        r.error.message = tr("%1 cannot be reached: %2").arg(m_baseUrl.toString(), reply->errorString());
        if (reply->error() != QNetworkReply::OperationCanceledError)
            goOffline(r.error.message);
    } else if (!r.ok()) {
        r.error = errorFrom(r.status, r.body, tr("the server answered HTTP %1").arg(r.status));
        if (r.status == 401)
            failAuthentication(r.error.message);
    }
    if (handler && (!hadContext || context))
        handler(r);
}

void ApiClient::fetchIdentity(bool firstContact)
{
    const quint64 generation = m_generation;
    get(QStringLiteral("/api/v1/auth/whoami"), {}, this, [this, generation, firstContact](const ApiReply &r) {
        if (generation != m_generation)
            return;
        if (r.networkFailure()) {
            // goOffline (from finish) scheduled the next attempt.
            if (firstContact && m_state == State::Connecting) {
                m_wasOffline = true;
                setState(State::Offline);
                scheduleReconnect();
            }
            return;
        }
        if (!r.ok()) {
            if (r.status != 401) {
                setError(
                    tr("%1 answered %2: %3").arg(m_baseUrl.toString()).arg(r.status).arg(r.error.message));
                if (r.status == 429 || r.status >= 500) {
                    m_wasOffline = true;
                    setState(State::Offline);
                    scheduleReconnect();
                } else {
                    setState(State::AuthFailed);
                }
            }
            return;
        }
        const QJsonObject who = r.json();
        m_role = who.value(QStringLiteral("role")).toString();
        m_principalName = who.value(QStringLiteral("name")).toString();
        m_authEnabled = who.value(QStringLiteral("authEnabled")).toBool();
        get(QStringLiteral("/health"), {}, this, [this, generation](const ApiReply &health) {
            if (generation != m_generation || !health.ok())
                return;
            m_serverVersion = health.json().value(QStringLiteral("version")).toString();
            Q_EMIT identityChanged();
        });
        Q_EMIT identityChanged();
        if (m_liveAuthenticated) {
            setState(State::Online);
            return;
        }
        openLive();
    });
}

QUrl ApiClient::liveUrl() const
{
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == QLatin1StringView("https") ? QStringLiteral("wss")
                                                                   : QStringLiteral("ws"));
    url.setPath(m_baseUrl.path() + QStringLiteral("/api/v1/ws"));
    return url;
}

void ApiClient::openLive()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_liveOpen = m_liveAuthenticated = false;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    QWebSocket *socket = m_socket;
    connect(socket, &QWebSocket::connected, this, &ApiClient::onLiveConnected);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (socket == m_socket)
            onLiveDisconnected();
    });
    connect(socket, &QWebSocket::textMessageReceived, this, &ApiClient::onLiveMessage);
    // The token goes in the first message, not in a header: a refusal is then an API error with a
    // message instead of a failed handshake.
    socket->open(QNetworkRequest(liveUrl()));
    QPointer<QWebSocket> guard(socket);
    QTimer::singleShot(kLiveConnectTimeoutMs, this, [this, guard] {
        if (guard && guard == m_socket && !m_liveAuthenticated) {
            qCInfo(lcClient, "live connection not established within %d s", kLiveConnectTimeoutMs / 1000);
            guard->abort();
            if (guard == m_socket && m_liveOpen)
                onLiveDisconnected();
        }
    });
}

void ApiClient::onLiveConnected()
{
    m_liveOpen = true;
    m_lastLiveMessageMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_token.isEmpty()) {
        sendLive(QJsonObject { { QStringLiteral("type"), QStringLiteral("auth") },
                               { QStringLiteral("token"), QString::fromUtf8(m_token) } });
        return;
    }
    // Without a token the server either accepts us (authentication off) or refuses the first request.
    onLiveAuthenticated();
}

void ApiClient::onLiveDisconnected()
{
    const bool wasLive = m_liveAuthenticated;
    m_liveOpen = m_liveAuthenticated = false;
    m_pingTimer->stop();
    if (wasLive)
        Q_EMIT liveConnectedChanged();
    const QString reason = m_socket ? m_socket->closeReason() : QString();
    if (m_socket) {
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    if (m_state == State::AuthFailed || m_state == State::Disconnected)
        return;
    goOffline(reason.isEmpty()
                  ? tr("the live connection to %1 was lost").arg(m_baseUrl.toString())
                  : tr("the live connection to %1 was closed: %2").arg(m_baseUrl.toString(), reason));
}

void ApiClient::sendLive(const QJsonObject &message)
{
    if (m_socket && m_liveOpen)
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void ApiClient::sendSubscribe(const Subscription &sub)
{
    QJsonObject m { { QStringLiteral("type"), QStringLiteral("subscribe") },
                    { QStringLiteral("id"), sub.id },
                    { QStringLiteral("channel"), sub.channel } };
    if (sub.channel == QLatin1StringView("events")) {
        m.insert(QStringLiteral("runId"), sub.runId);
        m.insert(QStringLiteral("after"), double(sub.cursor));
    } else if (!sub.runIds.isEmpty()) {
        m.insert(QStringLiteral("runIds"), QJsonArray::fromStringList(sub.runIds));
    }
    sendLive(m);
}

void ApiClient::onLiveAuthenticated()
{
    m_liveAuthenticated = true;
    ++m_liveConnects;
    m_pingTimer->start();
    Q_EMIT liveConnectedChanged();
    // Resubscribe everything: events continue after the cursor each subscription reached.
    const QList<QString> ids = m_subs.keys();
    for (const QString &subId : ids) {
        auto it = m_subs.find(subId);
        if (it == m_subs.end())
            continue;
        if (!it->context) {
            m_subs.erase(it);
            continue;
        }
        sendSubscribe(*it);
    }
    if (m_state == State::AuthFailed || m_state == State::Disconnected)
        return;
    m_attempt = 0;
    setError({});
    setState(State::Online);
    Q_EMIT reconnectChanged();
    if (m_wasOffline) {
        m_wasOffline = false;
        qCInfo(lcClient, "reconnected to %s", qPrintable(m_baseUrl.toString()));
        Q_EMIT reconnected();
    }
}

void ApiClient::onLiveMessage(const QString &text)
{
    m_lastLiveMessageMs = QDateTime::currentMSecsSinceEpoch();
    const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = m.value(QStringLiteral("type")).toString();
    const QString id = m.value(QStringLiteral("id")).toString();
    if (type == QLatin1StringView("authenticated")) {
        onLiveAuthenticated();
        return;
    }
    if (type == QLatin1StringView("events")) {
        auto it = m_subs.find(id);
        if (it == m_subs.end())
            return;
        const qint64 cursor = qint64(m.value(QStringLiteral("cursor")).toDouble());
        if (cursor <= it->cursor)
            return; // already delivered (a subscription answered twice around a reconnect)
        it->cursor = cursor;
        if (it->context && it->onEvents) {
            const EventsHandler handler = it->onEvents; // the handler may unsubscribe
            handler(m.value(QStringLiteral("events")).toArray(), cursor);
        }
        return;
    }
    if (type == QLatin1StringView("run") || type == QLatin1StringView("run_deleted")) {
        const auto it = m_subs.constFind(id);
        if (it == m_subs.constEnd() || !it->context)
            return;
        if (type == QLatin1StringView("run")) {
            if (const RunHandler handler = it->onRun)
                handler(m.value(QStringLiteral("run")).toObject());
        } else if (const DeletedHandler handler = it->onDeleted) {
            handler(m.value(QStringLiteral("runId")).toString());
        }
        return;
    }
    if (type == QLatin1StringView("error")) {
        const QJsonObject error = m.value(QStringLiteral("error")).toObject();
        ApiError e;
        e.code = error.value(QStringLiteral("code")).toString();
        e.message = error.value(QStringLiteral("message")).toString();
        if (e.code == QLatin1StringView("unauthorized") || e.code == QLatin1StringView("invalid_token")
            || e.code == QLatin1StringView("rate_limited") || (!m_liveAuthenticated && id.isEmpty())) {
            failAuthentication(e.message);
            return;
        }
        const auto it = m_subs.constFind(id);
        if (it != m_subs.constEnd() && it->context && it->onError) {
            const ErrorHandler handler = it->onError;
            handler(e);
        } else {
            qCWarning(lcClient, "live connection: %s (%s)", qPrintable(e.message), qPrintable(e.code));
        }
    }
}

void ApiClient::goOffline(const QString &why)
{
    if (m_state == State::AuthFailed || m_state == State::Disconnected)
        return;
    setError(why);
    if (m_state != State::Offline)
        qCInfo(lcClient, "offline: %s", qPrintable(why));
    m_wasOffline = true;
    if (m_socket && m_liveOpen) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
        m_liveOpen = false;
        if (m_liveAuthenticated) {
            m_liveAuthenticated = false;
            Q_EMIT liveConnectedChanged();
        }
    }
    m_pingTimer->stop();
    setState(State::Offline);
    scheduleReconnect();
}

void ApiClient::scheduleReconnect()
{
    if (m_reconnectTimer->isActive() || m_state == State::AuthFailed || m_state == State::Disconnected)
        return;
    const int delay = std::min(kMaxBackoffMs, 500 * (1 << std::min(m_attempt, 5)));
    ++m_attempt;
    m_reconnectTimer->start(delay);
    m_countdown->start();
    Q_EMIT reconnectChanged();
}

void ApiClient::failAuthentication(const QString &message)
{
    if (m_state == State::Disconnected)
        return;
    const QString text = message.isEmpty() ? tr("the server refused the token") : message;
    qCInfo(lcClient, "authentication failed at %s: %s", qPrintable(m_baseUrl.toString()), qPrintable(text));
    closeLive();
    setError(text);
    const bool changed = m_state != State::AuthFailed;
    setState(State::AuthFailed);
    if (changed)
        Q_EMIT authenticationFailed(text);
}

QString ApiClient::subscribeEvents(const QString &runId, qint64 after, QObject *context,
                                   EventsHandler onEvents, ErrorHandler onError)
{
    Subscription sub;
    sub.id = QStringLiteral("e%1").arg(m_nextSubscription++);
    sub.channel = QStringLiteral("events");
    sub.runId = runId;
    sub.cursor = after;
    sub.context = context;
    sub.onEvents = std::move(onEvents);
    sub.onError = std::move(onError);
    if (m_liveAuthenticated)
        sendSubscribe(sub);
    const QString id = sub.id;
    m_subs.insert(id, std::move(sub));
    return id;
}

QString ApiClient::subscribeRuns(const QStringList &runIds, QObject *context, RunHandler onRun,
                                 DeletedHandler onDeleted)
{
    Subscription sub;
    sub.id = QStringLiteral("r%1").arg(m_nextSubscription++);
    sub.channel = QStringLiteral("runs");
    sub.runIds = runIds;
    sub.context = context;
    sub.onRun = std::move(onRun);
    sub.onDeleted = std::move(onDeleted);
    if (m_liveAuthenticated)
        sendSubscribe(sub);
    const QString id = sub.id;
    m_subs.insert(id, std::move(sub));
    return id;
}

void ApiClient::closeLive()
{
    m_reconnectTimer->stop();
    m_countdown->stop();
    m_pingTimer->stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    const bool wasLive = m_liveAuthenticated;
    m_liveOpen = m_liveAuthenticated = false;
    if (wasLive)
        Q_EMIT liveConnectedChanged();
}

void ApiClient::release(ApiClient *client, QObject *user, QString &subscription)
{
    if (client) {
        if (!subscription.isEmpty())
            client->unsubscribe(subscription);
        client->disconnect(user);
    }
    subscription.clear();
}

void ApiClient::unsubscribe(const QString &subscriptionId)
{
    if (m_subs.remove(subscriptionId) && m_liveAuthenticated)
        sendLive(QJsonObject { { QStringLiteral("type"), QStringLiteral("unsubscribe") },
                               { QStringLiteral("id"), subscriptionId } });
}

qint64 ApiClient::subscriptionCursor(const QString &subscriptionId) const
{
    const auto it = m_subs.constFind(subscriptionId);
    return it == m_subs.constEnd() ? -1 : it->cursor;
}

void ApiClient::dropLiveConnection()
{
    if (!m_socket)
        return;
    qCInfo(lcClient, "dropping the live connection");
    if (m_liveOpen)
        goOffline(tr("the live connection to %1 was dropped").arg(m_baseUrl.toString()));
    else
        m_socket->abort();
}

} // namespace lifdag::client
