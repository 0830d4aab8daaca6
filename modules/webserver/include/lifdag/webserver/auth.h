// API tokens and roles for the webserver (Dagster OSS has none): tokens are random, stored only as
// a salted SHA-256, compared in constant time; failed attempts are rate-limited per client and
// logged without the token.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QString>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace lifdag::webserver {

// Ordered: each role may do everything the ones before it may.
enum class Role {
    Viewer = 1, // read runs, events, jobs, schedules, health, metrics
    Launcher = 2, // + launch, terminate, re-execute runs; start/stop schedules
    Admin = 3, // + instance configuration, launcher administration, delete runs, tokens, reloads
};

QString roleName(Role role); // "viewer" | "launcher" | "admin"
std::optional<Role> roleFromName(QStringView name);

struct Principal
{
    Role role = Role::Viewer;
    QString name; // the token's name; "anonymous" when authentication is off
    QString tokenId; // empty when authentication is off
    bool anonymous = false;

    // "admin:ci-bot(3f9a1c2b7d4e)" or "anonymous" - for logs and the audit log, never a secret.
    QString describe() const;
};

// A token as created: the record that is stored, and the token itself, shown once.
struct CreatedToken
{
    storage::ApiToken record;
    QString token; // "lifdag_<id>_<secret>"
};

// Notified (by createToken and revokeToken) when tokens change, so every webserver sees it at once.
inline constexpr QLatin1StringView kTokensChangedChannel("lifdag_tokens_changed");

// Creates a token with `role` and stores its salted hash. `name` says what it is for.
Result<CreatedToken> createToken(storage::Storage &storage, Role role, const QString &name,
                                 const QString &createdBy);
// Revokes a token; false when no valid token has that id.
Result<bool> revokeToken(storage::Storage &storage, const QString &id);

// Checks a presented token against a stored record, in constant time for a token of the right shape.
bool tokenMatches(const storage::ApiToken &record, const QByteArray &presentedSecret);

class Authenticator
{
public:
    struct Options
    {
        bool enabled = false;
        int maxFailuresPerWindow = 20; // per client address; then 429 until the window ends
        std::chrono::seconds failureWindow { 60 };
        std::chrono::seconds refreshInterval { 10 }; // revocations reach this process within this long
    };

    Authenticator(std::shared_ptr<storage::Storage> storage, Options options);
    ~Authenticator();

    bool enabled() const { return m_options.enabled; }

    struct Outcome
    {
        std::optional<Principal> principal; // set when authenticated
        int status = 401; // otherwise: 401, or 429 when the client failed too often
        QString code; // "unauthorized" | "rate_limited" | "auth_unavailable"
        QString message;
    };
    // From an `Authorization: Bearer …` header value. With authentication off: an anonymous admin.
    Outcome authenticateHeader(const QByteArray &authorization, const QHostAddress &peer);
    // A bare token (e.g. the first WebSocket message).
    Outcome authenticateToken(const QByteArray &token, const QHostAddress &peer);

private:
    Outcome fail(const QHostAddress &peer, const QString &reason, const QString &tokenId = {});
    bool rateLimited(const QHostAddress &peer);
    Status refresh(bool force);

    std::shared_ptr<storage::Storage> m_storage;
    Options m_options;
    QMutex m_mutex;
    QHash<QString, storage::ApiToken> m_tokens; // by id
    std::chrono::steady_clock::time_point m_refreshedAt;
    struct Failures
    {
        std::chrono::steady_clock::time_point windowStart;
        int count = 0;
        bool suppressedLogged = false;
    };
    QHash<QString, Failures> m_failures; // by client address
    std::shared_ptr<std::atomic<bool>> m_stale = std::make_shared<std::atomic<bool>>(true);
    std::shared_ptr<void> m_subscription;
};

} // namespace lifdag::webserver
