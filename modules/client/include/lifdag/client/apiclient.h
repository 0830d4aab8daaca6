// The desktop's connection to one lifdag webserver: REST calls on /api/v1 and the live WebSocket
// (/api/v1/ws) with automatic reconnection that resumes every subscription from its cursor.
#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>
#include <QtQml/qqmlregistration.h>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;
class QWebSocket;

namespace lifdag::client {

// What went wrong with a call: the API's {"error":{code,message,…}} or a transport failure.
struct ApiError
{
    int status = 0; // HTTP status; 0 when the server was not reached
    QString code; // the API's code ("run_not_found", "invalid_run_config"…) or "network"
    QString message;
    QJsonObject details; // the rest of the API's error object (e.g. "violations")
};

struct ApiReply
{
    int status = 0;
    QByteArray body;
    ApiError error; // when !ok()
    bool ok() const { return status >= 200 && status < 300; }
    bool networkFailure() const { return status == 0; }
    QJsonObject json() const;
};

using ReplyHandler = std::function<void(const ApiReply &)>;

class ApiClient : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QUrl baseUrl READ baseUrl WRITE setBaseUrl NOTIFY baseUrlChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool online READ isOnline NOTIFY stateChanged)
    Q_PROPERTY(bool liveConnected READ liveConnected NOTIFY liveConnectedChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(QString role READ role NOTIFY identityChanged)
    Q_PROPERTY(QString principalName READ principalName NOTIFY identityChanged)
    Q_PROPERTY(bool authEnabled READ authEnabled NOTIFY identityChanged)
    Q_PROPERTY(bool canLaunch READ canLaunch NOTIFY identityChanged)
    Q_PROPERTY(bool isAdmin READ isAdmin NOTIFY identityChanged)
    Q_PROPERTY(QString serverVersion READ serverVersion NOTIFY identityChanged)
    Q_PROPERTY(int reconnectAttempt READ reconnectAttempt NOTIFY reconnectChanged)
    Q_PROPERTY(int secondsUntilReconnect READ secondsUntilReconnect NOTIFY reconnectChanged)
    Q_PROPERTY(bool hasToken READ hasToken NOTIFY tokenChanged)

public:
    enum class State {
        Disconnected, // not asked to connect
        Connecting, // first contact
        Online, // REST answered and the live socket is up
        Offline, // the server went away; reconnecting with back-off
        AuthFailed, // the server refused the token: no automatic retries until it changes
    };
    Q_ENUM(State)

    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url);
    // The API token (empty: none). Kept in memory only; sent as a Bearer header and as the socket's
    // first message, never logged.
    Q_INVOKABLE void setToken(const QString &token);
    bool hasToken() const { return !m_token.isEmpty(); }

    State state() const { return m_state; }
    bool isOnline() const { return m_state == State::Online; }
    bool liveConnected() const { return m_liveAuthenticated; }
    QString errorString() const { return m_errorString; }
    QString role() const { return m_role; }
    QString principalName() const { return m_principalName; }
    bool authEnabled() const { return m_authEnabled; }
    bool canLaunch() const { return m_role == QLatin1StringView("launcher") || isAdmin(); }
    bool isAdmin() const { return m_role == QLatin1StringView("admin"); }
    QString serverVersion() const { return m_serverVersion; }
    int reconnectAttempt() const { return m_attempt; }
    int secondsUntilReconnect() const;

    Q_INVOKABLE void connectToServer();
    Q_INVOKABLE void disconnectFromServer();
    Q_INVOKABLE void reconnectNow();

    // REST. `handler` runs on this thread unless `context` was destroyed meanwhile. `path` starts
    // with "/api/v1/…"; a network failure also moves the client Offline (and reconnecting).
    void get(const QString &path, const QUrlQuery &query, QObject *context, ReplyHandler handler);
    void send(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
              ReplyHandler handler);

    // Live subscriptions; they survive reconnects (events resume after the last cursor delivered).
    using EventsHandler = std::function<void(const QJsonArray &events, qint64 cursor)>;
    using RunHandler = std::function<void(const QJsonObject &run)>;
    using DeletedHandler = std::function<void(const QString &runId)>;
    using ErrorHandler = std::function<void(const ApiError &error)>;
    QString subscribeEvents(const QString &runId, qint64 after, QObject *context, EventsHandler onEvents,
                            ErrorHandler onError = {});
    // Status changes of `runIds` (every run when empty).
    QString subscribeRuns(const QStringList &runIds, QObject *context, RunHandler onRun,
                          DeletedHandler onDeleted = {});
    void unsubscribe(const QString &subscriptionId);
    // What a model does when it leaves `client` (which may be null): ends its live subscription,
    // drops the connections `client` has to `user`, clears `subscription`.
    static void release(ApiClient *client, QObject *user, QString &subscription);
    qint64 subscriptionCursor(const QString &subscriptionId) const;

    // Closes the live socket as a network failure would (tests, and "Reconnect" in the UI).
    Q_INVOKABLE void dropLiveConnection();

    // Counters for tests and the status bar.
    int liveConnectCount() const { return m_liveConnects; }

Q_SIGNALS:
    void baseUrlChanged();
    void stateChanged();
    void liveConnectedChanged();
    void errorStringChanged();
    void identityChanged();
    void reconnectChanged();
    void tokenChanged();
    // Online after Offline: models refresh what they show (events resume by themselves).
    void reconnected();
    void authenticationFailed(const QString &message);

private:
    struct Subscription
    {
        QString id;
        QString channel; // "events" | "runs"
        QString runId;
        QStringList runIds;
        qint64 cursor = 0;
        QPointer<QObject> context;
        EventsHandler onEvents;
        RunHandler onRun;
        DeletedHandler onDeleted;
        ErrorHandler onError;
    };

    QNetworkReply *start(const QByteArray &method, const QString &path, const QUrlQuery &query,
                         const QByteArray *body);
    void finish(QNetworkReply *reply, QPointer<QObject> context, const ReplyHandler &handler,
                bool hadContext);
    void setState(State state);
    void setError(const QString &message);
    void fetchIdentity(bool firstContact);
    void openLive();
    void onLiveConnected();
    void onLiveDisconnected();
    void onLiveMessage(const QString &text);
    void onLiveAuthenticated();
    void sendLive(const QJsonObject &message);
    void sendSubscribe(const Subscription &sub);
    void goOffline(const QString &why);
    void scheduleReconnect();
    void failAuthentication(const QString &message);
    void closeLive(); // stops the timers, closes the live socket, says so if it was live
    QUrl liveUrl() const;

    QNetworkAccessManager *m_nam = nullptr;
    QWebSocket *m_socket = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_pingTimer = nullptr;
    QTimer *m_countdown = nullptr;
    QUrl m_baseUrl;
    QByteArray m_token;
    State m_state = State::Disconnected;
    QString m_errorString;
    QString m_role;
    QString m_principalName;
    QString m_serverVersion;
    bool m_authEnabled = false;
    bool m_liveOpen = false;
    bool m_liveAuthenticated = false;
    bool m_wasOffline = false;
    int m_attempt = 0;
    int m_liveConnects = 0;
    qint64 m_lastLiveMessageMs = 0;
    qint64 m_nextSubscription = 1;
    QHash<QString, Subscription> m_subs;
    quint64 m_generation = 0; // bumped by disconnectFromServer: stale replies are ignored
};

} // namespace lifdag::client
