#include "lifdag/webserver/auth.h"

#include "webserver_log_p.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace lifdag::webserver {

namespace {

using Clock = std::chrono::steady_clock;

constexpr qsizetype kIdHexChars = 12;
constexpr qsizetype kSecretHexChars = 64;

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    QRandomGenerator *rng = QRandomGenerator::system();
    for (int i = 0; i < n; ++i)
        out[i] = char(rng->bounded(256));
    return out;
}

QByteArray saltedHash(const QByteArray &salt, const QByteArray &secret)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(salt);
    h.addData(secret);
    return h.result();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool isHex(QByteArrayView s)
{
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

// "lifdag_<12 hex>_<64 hex>" → id, secret; false for anything else.
bool splitToken(const QByteArray &token, QString *id, QByteArray *secret)
{
    if (token.size() != 7 + kIdHexChars + 1 + kSecretHexChars || !token.startsWith("lifdag_")
        || token[7 + kIdHexChars] != '_')
        return false;
    const QByteArray idPart = token.mid(7, kIdHexChars);
    const QByteArray secretPart = token.mid(7 + kIdHexChars + 1);
    if (!isHex(idPart) || !isHex(secretPart))
        return false;
    *id = QString::fromLatin1(idPart);
    *secret = secretPart;
    return true;
}

} // namespace

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Launcher:
        return QStringLiteral("launcher");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return QStringLiteral("viewer");
}

std::optional<Role> roleFromName(QStringView name)
{
    if (name == u"viewer")
        return Role::Viewer;
    if (name == u"launcher")
        return Role::Launcher;
    if (name == u"admin")
        return Role::Admin;
    return std::nullopt;
}

QString Principal::describe() const
{
    if (anonymous)
        return QStringLiteral("anonymous");
    return QStringLiteral("%1:%2(%3)").arg(roleName(role), name, tokenId);
}

Result<CreatedToken> createToken(storage::Storage &storage, Role role, const QString &name,
                                 const QString &createdBy)
{
    if (name.trimmed().isEmpty() || name.size() > 100)
        return Error { QStringLiteral("auth.invalid_name"),
                       QStringLiteral("a token needs a name of 1 to 100 characters (what it is for)") };
    CreatedToken out;
    const QByteArray id = randomBytes(kIdHexChars / 2).toHex();
    const QByteArray secret = randomBytes(kSecretHexChars / 2).toHex();
    out.record.id = QString::fromLatin1(id);
    out.record.name = name.trimmed();
    out.record.role = roleName(role);
    out.record.salt = randomBytes(16);
    out.record.hash = saltedHash(out.record.salt, secret);
    out.record.createdAt = QDateTime::currentDateTimeUtc();
    out.record.createdBy = createdBy;
    if (const Status s = storage.admin().addToken(out.record); !s)
        return s.error();
    if (const Status s = storage.notify(kTokensChangedChannel); !s)
        qCWarning(lcWebserver, "%s", qPrintable(s.error().message));
    out.token = QStringLiteral("lifdag_%1_%2").arg(QString::fromLatin1(id), QString::fromLatin1(secret));
    return out;
}

Result<bool> revokeToken(storage::Storage &storage, const QString &id)
{
    const auto revoked = storage.admin().revokeToken(id);
    if (revoked.ok() && *revoked) {
        if (const Status s = storage.notify(kTokensChangedChannel); !s)
            qCWarning(lcWebserver, "%s", qPrintable(s.error().message));
    }
    return revoked;
}

bool tokenMatches(const storage::ApiToken &record, const QByteArray &presentedSecret)
{
    return constantTimeEquals(saltedHash(record.salt, presentedSecret), record.hash);
}

Authenticator::Authenticator(std::shared_ptr<storage::Storage> storage, Options options)
    : m_storage(std::move(storage))
    , m_options(options)
{
    if (!m_options.enabled)
        return;
    // New and revoked tokens (from the API, `lifdag token`, another webserver) count at once.
    std::weak_ptr<std::atomic<bool>> stale = m_stale;
    auto sub = m_storage->subscribe(kTokensChangedChannel, [stale] {
        if (auto s = stale.lock())
            s->store(true);
    });
    if (sub)
        m_subscription = *sub;
    else
        qCWarning(lcWebserver, "token changes reach this webserver within %lld s only: %s",
                  static_cast<long long>(m_options.refreshInterval.count()), qPrintable(sub.error().message));
}

Authenticator::~Authenticator() = default;

Status Authenticator::refresh(bool force)
{
    // m_mutex held
    const auto now = Clock::now();
    if (!m_stale->exchange(false)) { // nothing announced: the throttles apply
        if (!force && now - m_refreshedAt < m_options.refreshInterval)
            return {};
        // A miss forces a read (a token made where no notification reaches), at most once a second.
        if (force && now - m_refreshedAt < std::chrono::seconds(1))
            return {};
    }
    const auto tokens = m_storage->admin().tokens();
    if (!tokens) {
        m_stale->store(true);
        return tokens.error();
    }
    m_tokens.clear();
    for (const storage::ApiToken &t : *tokens)
        m_tokens.insert(t.id, t);
    m_refreshedAt = now;
    return {};
}

bool Authenticator::rateLimited(const QHostAddress &peer)
{
    // m_mutex held
    auto it = m_failures.find(peer.toString());
    if (it == m_failures.end())
        return false;
    if (Clock::now() - it->windowStart > m_options.failureWindow) {
        m_failures.erase(it);
        return false;
    }
    return it->count >= m_options.maxFailuresPerWindow;
}

Authenticator::Outcome Authenticator::fail(const QHostAddress &peer, const QString &reason,
                                           const QString &tokenId)
{
    // m_mutex held
    Failures &f = m_failures[peer.toString()];
    const auto now = Clock::now();
    if (f.count == 0 || now - f.windowStart > m_options.failureWindow) {
        f = Failures { now, 0, false };
    }
    ++f.count;
    if (f.count <= m_options.maxFailuresPerWindow) {
        // The presented token never reaches the log: only its public id, when it had one.
        qCWarning(lcWebserver, "authentication failed from %s: %s%s", qPrintable(peer.toString()),
                  qPrintable(reason),
                  tokenId.isEmpty() ? "" : qPrintable(QStringLiteral(" (token id %1)").arg(tokenId)));
    } else if (!f.suppressedLogged) {
        f.suppressedLogged = true;
        qCWarning(lcWebserver,
                  "authentication failed %d times from %s within %lld s: refusing it until the window "
                  "ends; further failures are not logged",
                  f.count, qPrintable(peer.toString()),
                  static_cast<long long>(m_options.failureWindow.count()));
    }
    if (m_failures.size() > 10000) { // a spray of addresses must not grow this without bound
        for (auto it = m_failures.begin(); it != m_failures.end();) {
            if (now - it->windowStart > m_options.failureWindow)
                it = m_failures.erase(it);
            else
                ++it;
        }
    }
    Outcome o;
    o.status = 401;
    o.code = QStringLiteral("unauthorized");
    o.message = QStringLiteral("a valid API token is required (Authorization: Bearer <token>)");
    return o;
}

Authenticator::Outcome Authenticator::authenticateHeader(const QByteArray &authorization,
                                                         const QHostAddress &peer)
{
    if (!m_options.enabled)
        return authenticateToken({}, peer);
    const QByteArray value = authorization.trimmed();
    if (value.isEmpty()) {
        QMutexLocker lock(&m_mutex);
        if (rateLimited(peer))
            return { std::nullopt, 429, QStringLiteral("rate_limited"),
                     QStringLiteral("too many failed authentication attempts; retry later") };
        // A missing token is a plain 401 (a client that has not logged in yet), not a failed attempt.
        return { std::nullopt, 401, QStringLiteral("unauthorized"),
                 QStringLiteral("this endpoint needs an API token: send Authorization: Bearer <token>") };
    }
    if (value.size() < 7 || value.left(7).toLower() != "bearer ") {
        QMutexLocker lock(&m_mutex);
        if (rateLimited(peer))
            return { std::nullopt, 429, QStringLiteral("rate_limited"),
                     QStringLiteral("too many failed authentication attempts; retry later") };
        return fail(peer, QStringLiteral("the Authorization header is not a Bearer token"));
    }
    return authenticateToken(value.mid(7).trimmed(), peer);
}

Authenticator::Outcome Authenticator::authenticateToken(const QByteArray &token, const QHostAddress &peer)
{
    if (!m_options.enabled) {
        Outcome o;
        o.principal = Principal { Role::Admin, QStringLiteral("anonymous"), {}, true };
        o.status = 200;
        return o;
    }
    QMutexLocker lock(&m_mutex);
    if (rateLimited(peer))
        return { std::nullopt, 429, QStringLiteral("rate_limited"),
                 QStringLiteral("too many failed authentication attempts; retry later") };
    QString id;
    QByteArray secret;
    if (!splitToken(token, &id, &secret))
        return fail(peer, QStringLiteral("malformed token"));
    if (const Status s = refresh(false); !s) {
        qCWarning(lcWebserver, "cannot read API tokens: %s", qPrintable(s.error().message));
        if (m_tokens.isEmpty())
            return { std::nullopt, 503, QStringLiteral("auth_unavailable"),
                     QStringLiteral("tokens cannot be checked right now (storage unavailable)") };
    }
    auto it = m_tokens.constFind(id);
    if (it == m_tokens.constEnd()) {
        (void)refresh(true);
        it = m_tokens.constFind(id);
    }
    if (it == m_tokens.constEnd()) {
        // Same work as a known id, so response times do not tell ids apart.
        static const storage::ApiToken dummy { {}, {}, {}, QByteArray(16, '\0'), QByteArray(32, '\0'),
                                               {}, {}, {} };
        (void)tokenMatches(dummy, secret);
        return fail(peer, QStringLiteral("unknown token"), id);
    }
    const storage::ApiToken record = *it;
    if (!tokenMatches(record, secret))
        return fail(peer, QStringLiteral("wrong secret"), id);
    if (record.revokedAt.isValid())
        return fail(peer, QStringLiteral("revoked token"), id);
    const auto role = roleFromName(record.role);
    if (!role)
        return fail(peer, QStringLiteral("token with an unknown role \"%1\"").arg(record.role), id);
    Outcome o;
    o.principal = Principal { *role, record.name, record.id, false };
    o.status = 200;
    return o;
}

} // namespace lifdag::webserver
