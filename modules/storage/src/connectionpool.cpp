#include "connectionpool_p.h"

#include <lifdag/core/redaction.h>

#include <QDir>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <atomic>
#include <chrono>
#include <sqlite3.h>
#include <thread>
#include <vector>

namespace lifdag::storage::detail {

using namespace std::chrono_literals;

namespace {
std::atomic<quint64> g_poolCounter { 0 };

// Removes this thread's connections when the thread ends.
struct ThreadConnections
{
    std::vector<std::pair<std::weak_ptr<PoolState>, QString>> items;
    ~ThreadConnections()
    {
        for (auto &[weak, name] : items) {
            QSqlDatabase::removeDatabase(name);
            if (auto state = weak.lock()) {
                std::lock_guard lock(state->mutex);
                --state->open;
                state->released.notify_one();
            }
        }
    }
};
thread_local ThreadConnections t_connections;

QString connectionName(const PoolState &state)
{
    return state.prefix + QLatin1Char('-') + QString::number(quintptr(QThread::currentThreadId()), 16);
}

// SQLite has one writer at a time. Its own busy handler sleeps 1, 2, 5, 10… ms between tries, far
// longer than lifdag's write transactions last (tens of microseconds), so processes writing at once
// (run workers, the daemon) would mostly wait on timers. This one tries again within 50-100 µs
// at first and backs off to 1 ms; it gives up after about 30 s, as the timeout it replaces did.
int busyWait(void *, int attempt)
{
    if (attempt >= 30000 + 100)
        return 0;
    std::this_thread::sleep_for(attempt < 20 ? 50us : attempt < 100 ? 100us : 1ms);
    return 1;
}

void installBusyHandler(const QSqlDatabase &db)
{
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return;
    if (sqlite3 *h = *static_cast<sqlite3 *const *>(handle.data()))
        sqlite3_busy_handler(h, &busyWait, nullptr);
}
} // namespace

bool isConnectionError(const QSqlError &error)
{
    if (error.type() == QSqlError::ConnectionError)
        return true;
    const QString text = error.text().toLower();
    return text.contains(QLatin1StringView("server closed the connection"))
        || text.contains(QLatin1StringView("connection to server"))
        || text.contains(QLatin1StringView("terminating connection"))
        || text.contains(QLatin1StringView("no connection to the server"))
        || text.contains(QLatin1StringView("connection not open"));
}

ConnectionPool::ConnectionPool(const Settings &settings)
    : m_state(std::make_shared<PoolState>())
{
    m_state->settings = settings;
    m_state->prefix = QStringLiteral("lifdag-storage-%1").arg(g_poolCounter.fetch_add(1));
    redaction::addSecret(settings.password);
}

ConnectionPool::~ConnectionPool()
{
    const QString name = connectionName(*m_state);
    auto &items = t_connections.items;
    for (auto it = items.begin(); it != items.end(); ++it) {
        if (it->second == name) {
            QSqlDatabase::removeDatabase(name);
            items.erase(it);
            break;
        }
    }
}

QString ConnectionPool::where() const
{
    return m_state->settings.describe();
}

Result<QSqlDatabase> ConnectionPool::openConnection(const QString &name, bool fresh)
{
    const Settings &s = m_state->settings;
    QSqlDatabase db;
    if (fresh) {
        if (s.backend == Settings::Backend::Postgres) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(s.host);
            db.setPort(s.port);
            db.setUserName(s.user);
            db.setPassword(s.password);
            db.setDatabaseName(s.database);
            QString options = QStringLiteral("connect_timeout=5");
            if (!s.params.isEmpty())
                options += QLatin1Char(';') + s.params;
            db.setConnectOptions(options);
        } else {
            if (!QDir().mkpath(s.sqliteDirectory))
                return Error { QStringLiteral("storage.io"),
                               QStringLiteral("cannot create %1").arg(s.sqliteDirectory) };
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(QDir(s.sqliteDirectory).filePath(QStringLiteral("lifdag.db")));
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
        }
        if (!db.isValid())
            return Error { QStringLiteral("storage.driver"),
                           QStringLiteral("the Qt SQL driver for %1 is not installed").arg(where()) };
    } else {
        db = QSqlDatabase::database(name, false);
        db.close();
    }
    auto delay = 100ms;
    QString lastError;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (db.open()) {
            if (s.backend == Settings::Backend::Sqlite) {
                installBusyHandler(db);
                QSqlQuery q(db);
                q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
                q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
                q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
                // 512 KiB of page cache per connection (SQLite's default is 2 MiB): a server has a
                // connection per worker thread, and the OS page cache holds the file anyway.
                q.exec(QStringLiteral("PRAGMA cache_size=-512"));
            }
            return db;
        }
        lastError = redaction::redact(db.lastError().text().trimmed());
        if (s.backend == Settings::Backend::Sqlite)
            break;
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
    return Error { QStringLiteral("storage.unavailable"),
                   QStringLiteral("cannot connect to %1: %2").arg(where(), lastError) };
}

Result<QSqlDatabase> ConnectionPool::database()
{
    const QString name = connectionName(*m_state);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
        return openConnection(name, false);
    }
    {
        std::unique_lock lock(m_state->mutex);
        if (!m_state->released.wait_for(lock, 30s,
                                        [&] { return m_state->open < m_state->settings.maxConnections; }))
            return Error { QStringLiteral("storage.pool"),
                           QStringLiteral("all %1 connections to %2 are in use")
                               .arg(m_state->settings.maxConnections)
                               .arg(where()) };
        ++m_state->open;
    }
    t_connections.items.emplace_back(m_state, name);
    return openConnection(name, true);
}

Result<QSqlDatabase> ConnectionPool::reconnect()
{
    const QString name = connectionName(*m_state);
    if (!QSqlDatabase::contains(name))
        return database();
    return openConnection(name, false);
}

} // namespace lifdag::storage::detail
