// Private: one QSqlDatabase connection per thread and storage, bounded, reopened after the server
// restarts (retry with backoff, then an error naming host:port - never the password).
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <QSqlDatabase>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace lifdag::storage::detail {

struct PoolState
{
    Settings settings;
    QString prefix; // unique per pool
    std::mutex mutex;
    std::condition_variable released;
    int open = 0;
};

class ConnectionPool
{
public:
    explicit ConnectionPool(const Settings &settings);
    ~ConnectionPool(); // closes this thread's connection; other threads close theirs when they end

    // This thread's open connection, opening (or re-opening) it as needed.
    Result<QSqlDatabase> database();
    // Closes and re-opens this thread's connection (after a connection error), with backoff.
    Result<QSqlDatabase> reconnect();
    const Settings &settings() const { return m_state->settings; }
    QString where() const; // "PostgreSQL at host:port/db" / "SQLite file"

private:
    Result<QSqlDatabase> openConnection(const QString &name, bool fresh);
    std::shared_ptr<PoolState> m_state;
};

bool isConnectionError(const class QSqlError &error);

} // namespace lifdag::storage::detail
