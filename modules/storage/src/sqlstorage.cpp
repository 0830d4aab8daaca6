// The storage interfaces on QtSql: one implementation, two SQL dialects (PostgreSQL, SQLite).
#include "connectionpool_p.h"
#include "notifications_p.h"

#include <lifdag/core/redaction.h>
#include <lifdag/storage/storage.h>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>
#include <algorithm>
#include <limits>
#include <optional>

Q_LOGGING_CATEGORY(lcStorage, "lifdag.storage")

namespace lifdag::storage {

using detail::ConnectionPool;

namespace {

constexpr qint64 kMigrationLockId = 7215532001;

struct Migration
{
    int version;
    QStringList postgres;
    QStringList sqlite;
};

// Versioned schema changes, applied in order. Never edit a released step: add a new one.
const QList<Migration> &migrations()
{
    static const QList<Migration> steps {
        { 1,
          {
              QStringLiteral(
                  "CREATE TABLE runs (id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, job_name TEXT "
                  "NOT NULL, "
                  "location_name TEXT NOT NULL DEFAULT '', repository_name TEXT NOT NULL DEFAULT '', status "
                  "TEXT NOT NULL, "
                  "run_config TEXT NOT NULL DEFAULT '{}', priority INTEGER NOT NULL DEFAULT 0, parent_run_id "
                  "TEXT, "
                  "root_run_id TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, started_at "
                  "BIGINT, "
                  "ended_at BIGINT, worker_pid BIGINT, worker_host TEXT, container_id TEXT, result TEXT)"),
              QStringLiteral("CREATE INDEX runs_status_id ON runs (status, id)"),
              QStringLiteral("CREATE INDEX runs_job_id ON runs (job_name, id)"),
              QStringLiteral("CREATE INDEX runs_created_at ON runs (created_at)"),
              QStringLiteral(
                  "CREATE TABLE run_tags (run_seq BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, "
                  "key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_seq, key))"),
              QStringLiteral("CREATE INDEX run_tags_key_value ON run_tags (key, value, run_seq DESC)"),
              QStringLiteral("CREATE TABLE event_logs (id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, ts "
                             "BIGINT NOT NULL, "
                             "event_type TEXT NOT NULL, step_key TEXT, level TEXT NOT NULL, message TEXT NOT "
                             "NULL, payload TEXT)"),
              QStringLiteral("CREATE INDEX event_logs_run_id ON event_logs (run_id, id)"),
              QStringLiteral("CREATE TABLE instigators (location_name TEXT NOT NULL, name TEXT NOT NULL, "
                             "cron TEXT NOT NULL, "
                             "timezone TEXT NOT NULL, status TEXT NOT NULL, updated_at BIGINT NOT NULL, "
                             "PRIMARY KEY (location_name, name))"),
              QStringLiteral("CREATE TABLE ticks (id BIGSERIAL PRIMARY KEY, location_name TEXT NOT NULL, "
                             "instigator_name TEXT NOT NULL, "
                             "ts BIGINT NOT NULL, status TEXT NOT NULL, run_ids TEXT NOT NULL, error TEXT, "
                             "skip_reason TEXT)"),
              QStringLiteral("CREATE INDEX ticks_instigator ON ticks (location_name, instigator_name, id)"),
              QStringLiteral("CREATE TABLE daemon_heartbeats (daemon_type TEXT NOT NULL, daemon_id TEXT NOT "
                             "NULL, ts BIGINT NOT NULL, "
                             "errors TEXT NOT NULL, PRIMARY KEY (daemon_type, daemon_id))"),
          },
          {} },
        // The webserver's API tokens (salted hashes only) and the administrators' audit log.
        { 2,
          {
              QStringLiteral(
                  "CREATE TABLE api_tokens (token_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT "
                  "NOT NULL, salt TEXT NOT NULL, hash TEXT NOT NULL, created_at BIGINT NOT NULL, "
                  "created_by TEXT NOT NULL, revoked_at BIGINT)"),
              QStringLiteral(
                  "CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL, actor TEXT NOT "
                  "NULL, action TEXT NOT NULL, target TEXT NOT NULL, before_value TEXT, "
                  "after_value TEXT)"),
          },
          {} },
        // The scheduler: failed-tick retries (scheduler max_tick_retries) and due-time lookups.
        { 3,
          {
              QStringLiteral("ALTER TABLE ticks ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0"),
              QStringLiteral(
                  "CREATE INDEX ticks_instigator_ts ON ticks (location_name, instigator_name, ts)"),
          },
          {} },
        // Run re-execution from failure: the outputs of a failed run's successful steps.
        { 4, { QStringLiteral("ALTER TABLE runs ADD COLUMN step_outputs TEXT") }, {} },
        // The run coordinator reads the queue in dequeue order, a page at a time.
        { 5,
          { QStringLiteral("CREATE INDEX runs_status_priority_id ON runs (status, priority DESC, id)") },
          {} },
    };
    return steps;
}

// A QSqlQuery whose prepared statements cost PostgreSQL one statement, not three. Qt's QPSQL runs
// a prepared query as PREPARE, then EXECUTE with the values formatted into its text by the driver,
// then DEALLOCATE: three round trips and three statements for the server each time. Here the
// values are formatted by that same driver function (QSqlDriver::formatValue, which quotes and
// escapes them) into the statement, which the server runs once. SQLite keeps its real prepared
// statements (in process, and reused by the loops that bind again).
class Query : public QSqlQuery
{
public:
    explicit Query(const QSqlDatabase &db)
        : QSqlQuery(db)
        , m_inline(db.driverName() == QLatin1StringView("QPSQL"))
    { }
    using QSqlQuery::exec;

    bool prepare(const QString &sql)
    {
        if (!m_inline)
            return QSqlQuery::prepare(sql);
        m_sql = sql;
        m_values.clear();
        return true;
    }
    void addBindValue(const QVariant &value)
    {
        if (!m_inline)
            return QSqlQuery::addBindValue(value);
        m_values.append(value);
    }
    bool exec()
    {
        if (!m_inline)
            return QSqlQuery::exec();
        const QString sql = bound();
        m_values.clear();
        return QSqlQuery::exec(sql);
    }

private:
    static bool isNull(const QVariant &v)
    {
        if (!v.isValid() || v.isNull())
            return true;
        if (v.typeId() == QMetaType::QString)
            return v.toString().isNull();
        if (v.typeId() == QMetaType::QByteArray)
            return v.toByteArray().isNull();
        return false;
    }

    // The statement with each `?` outside a quoted literal replaced by the next value.
    QString bound() const
    {
        QString out;
        out.reserve(m_sql.size() + 32 * m_values.size());
        qsizetype next = 0;
        bool quoted = false;
        for (const QChar c : m_sql) {
            if (c == QLatin1Char('\'') || c == QLatin1Char('"'))
                quoted = !quoted;
            if (c != QLatin1Char('?') || quoted || next >= m_values.size()) {
                out.append(c);
                continue;
            }
            const QVariant &v = m_values.at(next++);
            QSqlField field(QString(), v.metaType());
            if (isNull(v))
                field.clear();
            else
                field.setValue(v);
            out.append(driver()->formatValue(field));
        }
        return out;
    }

    const bool m_inline;
    QString m_sql;
    QVariantList m_values;
};

// SQLite spells auto-increment keys differently; everything else in the schema is shared.
QString toSqlite(QString sql)
{
    sql.replace(QStringLiteral("id BIGSERIAL PRIMARY KEY"),
                QStringLiteral("id INTEGER PRIMARY KEY AUTOINCREMENT"));
    return sql;
}

qint64 ms(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QVariant msOrNull(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime fromMs(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

QString toJsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject fromJsonText(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

QString nullable(const QString &s)
{
    return s.isEmpty() ? QString() : s;
}

// For NOT NULL text columns: a null QString would bind as SQL NULL.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

class SqlStorage final : public Storage,
                         public RunStorage,
                         public EventLogStorage,
                         public ScheduleStorage,
                         public HeartbeatStorage,
                         public AdminStorage
{
public:
    explicit SqlStorage(const Settings &settings)
        : m_pool(settings)
        , m_pg(settings.backend == Settings::Backend::Postgres)
    { }

    RunStorage &runs() override { return *this; }
    EventLogStorage &events() override { return *this; }
    ScheduleStorage &schedules() override { return *this; }
    HeartbeatStorage &heartbeats() override { return *this; }
    AdminStorage &admin() override { return *this; }
    const Settings &settings() const override { return m_pool.settings(); }

    // Runs `fn` on this thread's connection; a lost connection is re-opened and `fn` retried once.
    template<typename Fn> auto withDb(Fn fn) -> decltype(fn(std::declval<QSqlDatabase &>()))
    {
        auto db = m_pool.database();
        if (!db)
            return db.error();
        auto r = fn(*db);
        if (!r.ok() && r.error().code == QLatin1StringView("storage.connection")) {
            qCWarning(lcStorage, "connection to %s lost (%s); reconnecting", qPrintable(m_pool.where()),
                      qPrintable(r.error().message));
            auto again = m_pool.reconnect();
            if (!again)
                return again.error();
            r = fn(*again);
        }
        return r;
    }

    Error sqlError(const QSqlError &e, const QString &what) const
    {
        const bool lost = detail::isConnectionError(e);
        return Error { lost ? QStringLiteral("storage.connection") : QStringLiteral("storage.sql"),
                       QStringLiteral("%1 on %2 failed: %3")
                           .arg(what, m_pool.where(), redaction::redact(e.text().trimmed())) };
    }

    // A UNIQUE or PRIMARY KEY constraint refused the row (PostgreSQL SQLSTATE 23505).
    bool isUniqueViolation(const QSqlError &e) const
    {
        if (m_pg)
            return e.nativeErrorCode() == QLatin1StringView("23505");
        return e.text().contains(QLatin1StringView("UNIQUE constraint failed"))
            || e.nativeErrorCode() == QLatin1StringView("2067")
            || e.nativeErrorCode() == QLatin1StringView("1555");
    }

    // ---- schema -------------------------------------------------------------------------------

    Result<int> readVersion(QSqlDatabase &db)
    {
        Query q(db);
        if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS lifdag_schema (version INTEGER NOT NULL)")))
            return sqlError(q.lastError(), QStringLiteral("creating the schema table"));
        if (!q.exec(QStringLiteral("SELECT MAX(version) FROM lifdag_schema")))
            return sqlError(q.lastError(), QStringLiteral("reading the schema version"));
        return q.next() && !q.value(0).isNull() ? q.value(0).toInt() : 0;
    }

    // The recorded version, or -1 when it cannot be read (no schema table yet, or an error).
    int currentVersionWithoutLock()
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<int> {
            Query q(db);
            if (!q.exec(QStringLiteral("SELECT MAX(version) FROM lifdag_schema")) || !q.next()
                || q.value(0).isNull())
                return -1;
            return q.value(0).toInt();
        });
        return r ? *r : -1;
    }

    Status notify(const QString &channel, const QString &payload) override
    {
        if (!m_pg) {
            detail::notifyLocal(settings().describe() + QLatin1Char('#') + channel, payload);
            return {};
        }
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral("SELECT pg_notify(?, ?)"));
            q.addBindValue(channel);
            q.addBindValue(text(payload));
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("NOTIFY %1").arg(channel));
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Result<std::shared_ptr<void>> subscribe(const QString &channel, std::function<void()> callback) override
    {
        return subscribeWithPayload(channel,
                                    [callback = std::move(callback)](const QString &) { callback(); });
    }

    Result<std::shared_ptr<void>> subscribeWithPayload(const QString &channel,
                                                       std::function<void(const QString &)> callback) override
    {
        if (!m_pg)
            return detail::subscribeLocal(settings().describe() + QLatin1Char('#') + channel,
                                          std::move(callback));
        return detail::subscribePostgres(settings(), channel, std::move(callback));
    }

    // Notifies `channel` once per distinct run id; a failed NOTIFY is logged, never an error of
    // the operation that already happened.
    void announce(QLatin1StringView channel, const QStringList &runIds)
    {
        QStringList seen;
        for (const QString &id : runIds) {
            if (seen.contains(id))
                continue;
            seen << id;
            if (const Status s = notify(channel, id); !s)
                qCWarning(lcStorage, "%s", qPrintable(s.error().message));
        }
    }

    Result<int> schemaVersion() override
    {
        return withDb([&](QSqlDatabase &db) { return readVersion(db); });
    }

    Result<MigrationReport> migrate() override
    {
        return withDb([&](QSqlDatabase &db) -> Result<MigrationReport> {
            Query q(db);
            if (m_pg) {
                if (!q.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kMigrationLockId)))
                    return sqlError(q.lastError(), QStringLiteral("taking the migration lock"));
            } else if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                return sqlError(q.lastError(), QStringLiteral("locking the database for migration"));
            }
            auto result = migrateLocked(db);
            if (m_pg) {
                q.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kMigrationLockId));
            } else {
                q.exec(result.ok() ? QStringLiteral("COMMIT") : QStringLiteral("ROLLBACK"));
            }
            return result;
        });
    }

    Result<MigrationReport> migrateLocked(QSqlDatabase &db)
    {
        auto version = readVersion(db);
        if (!version)
            return version.error();
        MigrationReport report { *version, *version };
        if (*version > currentSchemaVersion())
            return Error { QStringLiteral("storage.schema_too_new"),
                           QStringLiteral(
                               "%1 has schema version %2, newer than this lifdag (%3): upgrade lifdag")
                               .arg(m_pool.where())
                               .arg(*version)
                               .arg(currentSchemaVersion()) };
        Query q(db);
        for (const Migration &m : migrations()) {
            if (m.version <= *version)
                continue;
            if (m_pg && !db.transaction())
                return sqlError(db.lastError(), QStringLiteral("starting migration %1").arg(m.version));
            const QStringList &statements = m_pg || m.sqlite.isEmpty() ? m.postgres : m.sqlite;
            for (const QString &sql : statements) {
                if (!q.exec(m_pg ? sql : toSqlite(sql))) {
                    const Error e = sqlError(q.lastError(), QStringLiteral("migration %1").arg(m.version));
                    if (m_pg)
                        db.rollback();
                    return e;
                }
            }
            if (!q.exec(QStringLiteral("INSERT INTO lifdag_schema (version) VALUES (%1)").arg(m.version))) {
                const Error e =
                    sqlError(q.lastError(), QStringLiteral("recording migration %1").arg(m.version));
                if (m_pg)
                    db.rollback();
                return e;
            }
            if (m_pg && !db.commit())
                return sqlError(db.lastError(), QStringLiteral("committing migration %1").arg(m.version));
            report.toVersion = m.version;
            qCInfo(lcStorage, "%s: migrated schema to version %d", qPrintable(m_pool.where()), m.version);
        }
        return report;
    }

    // ---- runs ---------------------------------------------------------------------------------

    Status addRun(const RunRecord &run) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            if (!db.transaction())
                return sqlError(db.lastError(), QStringLiteral("starting a transaction"));
            Query q(db);
            q.prepare(QStringLiteral("INSERT INTO runs (run_id, job_name, location_name, repository_name, "
                                     "status, run_config, priority, "
                                     "parent_run_id, root_run_id, created_at, updated_at, started_at, "
                                     "ended_at, worker_pid, worker_host, container_id) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
            const QDateTime now = QDateTime::currentDateTimeUtc();
            const QDateTime created = run.createdAt.isValid() ? run.createdAt : now;
            q.addBindValue(run.runId);
            q.addBindValue(text(run.jobName));
            q.addBindValue(text(run.locationName));
            q.addBindValue(text(run.repositoryName));
            q.addBindValue(runStatusName(run.status));
            q.addBindValue(toJsonText(run.runConfig));
            q.addBindValue(run.priority);
            q.addBindValue(nullable(run.parentRunId));
            q.addBindValue(nullable(run.rootRunId));
            q.addBindValue(ms(created));
            q.addBindValue(ms(run.updatedAt.isValid() ? run.updatedAt : created));
            q.addBindValue(msOrNull(run.startedAt));
            q.addBindValue(msOrNull(run.endedAt));
            q.addBindValue(run.workerPid ? QVariant(run.workerPid)
                                         : QVariant(QMetaType(QMetaType::LongLong)));
            q.addBindValue(nullable(run.workerHost));
            q.addBindValue(nullable(run.containerId));
            if (!q.exec() || !q.next()) {
                const Error e = isUniqueViolation(q.lastError())
                    ? Error { QStringLiteral("storage.duplicate"),
                              QStringLiteral("run %1 already exists").arg(run.runId) }
                    : sqlError(q.lastError(), QStringLiteral("adding run %1").arg(run.runId));
                db.rollback();
                return e;
            }
            const qint64 seq = q.value(0).toLongLong();
            q.finish(); // SQLite cannot commit while a RETURNING statement is open
            if (const Status s = insertTags(db, seq, run.tags); !s) {
                db.rollback();
                return s.error();
            }
            if (!db.commit())
                return sqlError(db.lastError(), QStringLiteral("committing run %1").arg(run.runId));
            return true;
        });
        if (!r)
            return r.error();
        announce(kRunStatusChannel, { run.runId });
        return {};
    }

    Status insertTags(QSqlDatabase &db, qint64 seq, const QMap<QString, QString> &tags)
    {
        if (tags.isEmpty())
            return {};
        QString sql = m_pg ? QStringLiteral("INSERT INTO run_tags (run_seq, key, value) VALUES ")
                           : QStringLiteral("INSERT OR REPLACE INTO run_tags (run_seq, key, value) VALUES ");
        for (qsizetype i = 0; i < tags.size(); ++i)
            sql += i ? QStringLiteral(", (?, ?, ?)") : QStringLiteral("(?, ?, ?)");
        if (m_pg)
            sql += QStringLiteral(" ON CONFLICT (run_seq, key) DO UPDATE SET value = EXCLUDED.value");
        Query q(db);
        q.prepare(sql);
        for (auto it = tags.cbegin(); it != tags.cend(); ++it) {
            q.addBindValue(seq);
            q.addBindValue(it.key());
            q.addBindValue(it.value().isNull() ? QStringLiteral("") : it.value()); // a null value is empty
        }
        if (!q.exec())
            return sqlError(q.lastError(), QStringLiteral("storing tags"));
        return {};
    }

    // A claim reads at most this many queued runs (when tag limits hold back the runs ahead).
    static constexpr qint64 kMaxQueuedScan = 20000;
    static constexpr const char *kRunColumns =
        "r.id, r.run_id, r.job_name, r.location_name, r.repository_name, r.status, r.run_config, r.priority, "
        "r.parent_run_id, r.root_run_id, r.created_at, r.updated_at, r.started_at, r.ended_at, r.worker_pid, "
        "r.worker_host, r.container_id, r.result";

    static RunRecord readRun(const QSqlQuery &q)
    {
        RunRecord r;
        r.runId = q.value(1).toString();
        r.jobName = q.value(2).toString();
        r.locationName = q.value(3).toString();
        r.repositoryName = q.value(4).toString();
        r.status = runStatusFromName(q.value(5).toString()).value_or(RunStatus::NotStarted);
        r.runConfig = fromJsonText(q.value(6));
        r.priority = q.value(7).toInt();
        r.parentRunId = q.value(8).toString();
        r.rootRunId = q.value(9).toString();
        r.createdAt = fromMs(q.value(10));
        r.updatedAt = fromMs(q.value(11));
        r.startedAt = fromMs(q.value(12));
        r.endedAt = fromMs(q.value(13));
        r.workerPid = q.value(14).toLongLong();
        r.workerHost = q.value(15).toString();
        r.containerId = q.value(16).toString();
        r.result = fromJsonText(q.value(17));
        return r;
    }

    // Reads the runs a query selects, with their tags (one more query for the whole page).
    // `seqsOut`, when given, receives the rows' ids (runs.id) in order.
    Result<QList<RunRecord>> readRuns(QSqlDatabase &db, QSqlQuery &q, QList<qint64> *seqsOut = nullptr)
    {
        QList<RunRecord> out;
        QList<qint64> seqs;
        while (q.next()) {
            seqs.append(q.value(0).toLongLong());
            out.append(readRun(q));
        }
        if (seqsOut)
            *seqsOut = seqs;
        if (seqs.isEmpty())
            return out;
        QString sql = QStringLiteral("SELECT run_seq, key, value FROM run_tags WHERE run_seq IN (");
        for (qsizetype i = 0; i < seqs.size(); ++i)
            sql += (i ? QStringLiteral(",") : QString()) + QString::number(seqs[i]);
        sql += QLatin1Char(')');
        Query t(db);
        if (!t.exec(sql))
            return sqlError(t.lastError(), QStringLiteral("reading tags"));
        QHash<qint64, qsizetype> index;
        for (qsizetype i = 0; i < seqs.size(); ++i)
            index.insert(seqs[i], i);
        while (t.next())
            out[index.value(t.value(0).toLongLong())].tags.insert(t.value(1).toString(),
                                                                  t.value(2).toString());
        return out;
    }

    Result<std::optional<RunRecord>> run(const QString &runId) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<std::optional<RunRecord>> {
            Query q(db);
            q.prepare(QStringLiteral("SELECT %1 FROM runs r WHERE r.run_id = ?")
                          .arg(QLatin1StringView(kRunColumns)));
            q.addBindValue(runId);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("reading run %1").arg(runId));
            auto runs = readRuns(db, q);
            if (!runs)
                return runs.error();
            if (runs->isEmpty())
                return std::optional<RunRecord>();
            return std::optional<RunRecord>(runs->first());
        });
    }

    Result<bool> transition(const QString &runId, RunStatus to, const QList<RunStatus> &from) override
    {
        QStringList allowed;
        for (RunStatus s : from.isEmpty() ? allRunStatuses() : from) {
            if (isAllowedTransition(s, to))
                allowed << QLatin1Char('\'') + runStatusName(s) + QLatin1Char('\'');
        }
        if (allowed.isEmpty())
            return false;
        auto moved = withDb([&](QSqlDatabase &db) -> Result<bool> {
            QString sets = QStringLiteral("status = ?, updated_at = ?");
            if (to == RunStatus::Started)
                sets += QStringLiteral(", started_at = COALESCE(started_at, ?)");
            if (isTerminal(to))
                sets += QStringLiteral(", ended_at = ?");
            Query q(db);
            // PostgreSQL notifies in the statement itself (one round trip, delivered at commit).
            q.prepare(QStringLiteral("UPDATE runs SET %1 WHERE run_id = ? AND status IN (%2)%3")
                          .arg(sets, allowed.join(QLatin1Char(',')),
                               m_pg
                                   ? QStringLiteral(" RETURNING pg_notify('%1', run_id) IS NULL%2")
                                         .arg(QLatin1StringView(kRunStatusChannel),
                                              isTerminal(to) ? QStringLiteral(", pg_notify('%1', '') IS NULL")
                                                                   .arg(QLatin1StringView(kRunsEndedChannel))
                                                             : QString())
                                   : QString()));
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            q.addBindValue(runStatusName(to));
            q.addBindValue(now);
            if (to == RunStatus::Started || isTerminal(to))
                q.addBindValue(now);
            q.addBindValue(runId);
            if (!q.exec())
                return sqlError(q.lastError(),
                                QStringLiteral("moving run %1 to %2").arg(runId, runStatusName(to)));
            return m_pg ? q.next() : q.numRowsAffected() == 1;
        });
        if (moved.ok() && *moved && !m_pg) {
            announce(kRunStatusChannel, { runId });
            if (isTerminal(to))
                (void)notify(QString(kRunsEndedChannel), {});
        }
        return moved;
    }

    Status updateRunColumns(const QString &runId, const QString &sets, const QVariantList &values,
                            const QString &what)
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral("UPDATE runs SET %1, updated_at = ? WHERE run_id = ?").arg(sets));
            for (const QVariant &v : values)
                q.addBindValue(v);
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
            q.addBindValue(runId);
            if (!q.exec())
                return sqlError(q.lastError(), what);
            if (q.numRowsAffected() != 1)
                return Error { QStringLiteral("storage.not_found"),
                               QStringLiteral("run %1 not found").arg(runId) };
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Status setWorkerInfo(const QString &runId, const WorkerInfo &info) override
    {
        return updateRunColumns(runId, QStringLiteral("worker_pid = ?, worker_host = ?, container_id = ?"),
                                { info.pid ? QVariant(info.pid) : QVariant(QMetaType(QMetaType::LongLong)),
                                  nullable(info.host), nullable(info.containerId) },
                                QStringLiteral("recording the worker of run %1").arg(runId));
    }

    Status setResult(const QString &runId, const QJsonObject &result) override
    {
        return updateRunColumns(runId, QStringLiteral("result = ?"), { toJsonText(result) },
                                QStringLiteral("storing the result of run %1").arg(runId));
    }

    Status setStepOutputs(const QString &runId, const QJsonObject &outputs) override
    {
        return updateRunColumns(runId, QStringLiteral("step_outputs = ?"), { toJsonText(outputs) },
                                QStringLiteral("storing the step outputs of run %1").arg(runId));
    }

    Result<std::optional<QJsonObject>> stepOutputs(const QString &runId) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<std::optional<QJsonObject>> {
            Query q(db);
            q.prepare(QStringLiteral("SELECT step_outputs FROM runs WHERE run_id = ?"));
            q.addBindValue(runId);
            if (!q.exec())
                return sqlError(q.lastError(),
                                QStringLiteral("reading the step outputs of run %1").arg(runId));
            if (!q.next())
                return Error { QStringLiteral("storage.not_found"),
                               QStringLiteral("run %1 not found").arg(runId) };
            if (q.value(0).isNull())
                return std::optional<QJsonObject>();
            return std::optional<QJsonObject>(
                QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
        });
    }

    Status addTags(const QString &runId, const QMap<QString, QString> &tags) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral("SELECT id FROM runs WHERE run_id = ?"));
            q.addBindValue(runId);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("reading run %1").arg(runId));
            if (!q.next())
                return Error { QStringLiteral("storage.not_found"),
                               QStringLiteral("run %1 not found").arg(runId) };
            const Status s = insertTags(db, q.value(0).toLongLong(), tags);
            return s ? Result<bool>(true) : Result<bool>(s.error());
        });
        return r ? Status {} : Status(r.error());
    }

    // FROM/WHERE for a filter; tags become joins on the (key, value, run_seq) index.
    struct Where
    {
        QString from;
        QStringList conditions;
        QVariantList values;
        QString order = QStringLiteral("r.id");
    };

    static Where buildWhere(const RunFilter &f)
    {
        Where w;
        w.from = QStringLiteral("runs r");
        int i = 0;
        for (auto it = f.tags.cbegin(); it != f.tags.cend(); ++it, ++i) {
            const QString t = QStringLiteral("t%1").arg(i);
            w.from += QStringLiteral(" JOIN run_tags %1 ON %1.run_seq = r.id AND %1.key = ? AND %1.value = ?")
                          .arg(t);
            w.values << it.key() << it.value();
            if (i == 0)
                w.order = t + QStringLiteral(".run_seq");
        }
        if (!f.statuses.isEmpty()) {
            QStringList names;
            for (RunStatus s : f.statuses)
                names << QLatin1Char('\'') + runStatusName(s) + QLatin1Char('\'');
            w.conditions << QStringLiteral("r.status IN (%1)").arg(names.join(QLatin1Char(',')));
        }
        if (!f.jobName.isEmpty()) {
            w.conditions << QStringLiteral("r.job_name = ?");
            w.values << f.jobName;
        }
        if (f.createdAfter.isValid()) {
            w.conditions << QStringLiteral("r.created_at > ?");
            w.values << f.createdAfter.toMSecsSinceEpoch();
        }
        if (f.createdBefore.isValid()) {
            w.conditions << QStringLiteral("r.created_at < ?");
            w.values << f.createdBefore.toMSecsSinceEpoch();
        }
        if (!f.runIds.isEmpty()) {
            QStringList marks;
            for (const QString &id : f.runIds) {
                marks << QStringLiteral("?");
                w.values << id;
            }
            w.conditions << QStringLiteral("r.run_id IN (%1)").arg(marks.join(QLatin1Char(',')));
        }
        return w;
    }

    Result<RunPage> runs(const RunFilter &filter, int limit, const QString &cursor) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<RunPage> {
            Where w = buildWhere(filter);
            if (!cursor.isEmpty()) {
                w.conditions << QStringLiteral("%1 < (SELECT id FROM runs WHERE run_id = ?)").arg(w.order);
                w.values << cursor;
            }
            QString sql = QStringLiteral("SELECT %1 FROM %2").arg(QLatin1StringView(kRunColumns), w.from);
            if (!w.conditions.isEmpty())
                sql += QStringLiteral(" WHERE ") + w.conditions.join(QStringLiteral(" AND "));
            sql += QStringLiteral(" ORDER BY %1 DESC LIMIT %2").arg(w.order).arg(qMax(1, limit) + 1);
            Query q(db);
            q.setForwardOnly(true);
            q.prepare(sql);
            for (const QVariant &v : std::as_const(w.values))
                q.addBindValue(v);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("listing runs"));
            auto list = readRuns(db, q);
            if (!list)
                return list.error();
            RunPage page;
            page.runs = std::move(list).value();
            if (page.runs.size() > qMax(1, limit)) {
                page.runs.removeLast();
                page.nextCursor = page.runs.last().runId;
            }
            return page;
        });
    }

    Result<QMap<RunStatus, qint64>> countByStatus(const RunFilter &filter) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QMap<RunStatus, qint64>> {
            const Where w = buildWhere(filter);
            QString sql = QStringLiteral("SELECT r.status, COUNT(*) FROM %1").arg(w.from);
            if (!w.conditions.isEmpty())
                sql += QStringLiteral(" WHERE ") + w.conditions.join(QStringLiteral(" AND "));
            sql += QStringLiteral(" GROUP BY r.status");
            Query q(db);
            q.prepare(sql);
            for (const QVariant &v : w.values)
                q.addBindValue(v);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("counting runs"));
            QMap<RunStatus, qint64> counts;
            while (q.next()) {
                if (auto s = runStatusFromName(q.value(0).toString()))
                    counts.insert(*s, q.value(1).toLongLong());
            }
            return counts;
        });
    }

    Result<bool> deleteRun(const QString &runId) override
    {
        auto deleted = withDb([&](QSqlDatabase &db) -> Result<bool> {
            if (!db.transaction())
                return sqlError(db.lastError(), QStringLiteral("starting a transaction"));
            Query q(db);
            const QStringList statements {
                QStringLiteral(
                    "DELETE FROM run_tags WHERE run_seq IN (SELECT id FROM runs WHERE run_id = ?)"),
                QStringLiteral("DELETE FROM event_logs WHERE run_id = ?"),
                QStringLiteral("DELETE FROM runs WHERE run_id = ?"),
            };
            bool deleted = false;
            for (const QString &sql : statements) {
                q.prepare(sql);
                q.addBindValue(runId);
                if (!q.exec()) {
                    const Error e = sqlError(q.lastError(), QStringLiteral("deleting run %1").arg(runId));
                    db.rollback();
                    return e;
                }
                deleted = q.numRowsAffected() > 0;
            }
            if (!db.commit())
                return sqlError(db.lastError(),
                                QStringLiteral("committing the deletion of run %1").arg(runId));
            return deleted;
        });
        if (deleted.ok() && *deleted)
            announce(kRunStatusChannel, { runId });
        return deleted;
    }

    static QString liveStatusList()
    {
        QStringList names;
        for (RunStatus st : liveRunStatuses())
            names << QLatin1Char('\'') + runStatusName(st) + QLatin1Char('\'');
        return names.join(QLatin1Char(','));
    }

    Result<QList<RunRecord>> claimQueuedRuns(const ClaimPolicy &policy) override
    {
        auto claimed = withDb([&](QSqlDatabase &db) -> Result<QList<RunRecord>> {
            Query q(db);
            if (m_pg) {
                if (!db.transaction())
                    return sqlError(db.lastError(), QStringLiteral("starting a transaction"));
                if (!q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLockId + 1))) {
                    const Error e = sqlError(q.lastError(), QStringLiteral("taking the dequeue lock"));
                    db.rollback();
                    return e;
                }
            } else if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                return sqlError(q.lastError(), QStringLiteral("taking the dequeue lock"));
            }
            auto rollback = [&] {
                m_pg ? (void)db.rollback() : (void)QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            };
            auto claimed = claimLocked(db, policy);
            if (!claimed) {
                rollback();
                return claimed.error();
            }
            const bool committed = m_pg ? db.commit() : QSqlQuery(db).exec(QStringLiteral("COMMIT"));
            if (!committed) {
                const Error e = sqlError(db.lastError(), QStringLiteral("committing dequeued runs"));
                rollback();
                return e;
            }
            return claimed;
        });
        if (claimed.ok() && !claimed->isEmpty()) {
            QStringList ids;
            for (const RunRecord &run : *claimed)
                ids << run.runId;
            if (!m_pg) { // PostgreSQL: notified by the UPDATE and the INSERT themselves
                announce(kEventsChannel, ids);
                announce(kRunStatusChannel, ids);
            }
        }
        return claimed;
    }

    Result<QList<RunRecord>> claimLocked(QSqlDatabase &db, const ClaimPolicy &policy)
    {
        // What is running now: a count, and counts per tag key and per key=value.
        Query q(db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM runs WHERE status IN (%1)").arg(liveStatusList()))
            || !q.next())
            return sqlError(q.lastError(), QStringLiteral("counting live runs"));
        const qint64 live = q.value(0).toLongLong();
        // Only as many queued runs are read as can start: all the free slots when no tag limit can
        // turn a run away, else pages of growing size in dequeue order until the slots are filled
        // (a run a tag limit holds back does not hold back the runs behind it).
        const qint64 freeSlots = policy.maxConcurrentRuns >= 0 ? policy.maxConcurrentRuns - live
                                                               : std::numeric_limits<qint64>::max();
        const int wanted = int(std::min<qint64>(policy.maxClaims, freeSlots));
        QList<RunRecord> chosen;
        if (wanted <= 0)
            return chosen;
        QHash<QString, int> perKey;
        QHash<QString, int> perKeyValue; // "key\x1fvalue"
        auto kv = [](const QString &k, const QString &v) -> QString {
            return k + QChar(0x1f) + v;
        };
        if (!policy.tagLimits.isEmpty()) {
            if (!q.exec(QStringLiteral("SELECT t.key, t.value FROM run_tags t JOIN runs r ON r.id = "
                                       "t.run_seq WHERE r.status IN (%1)")
                            .arg(liveStatusList())))
                return sqlError(q.lastError(), QStringLiteral("reading live run tags"));
            while (q.next()) {
                ++perKey[q.value(0).toString()];
                ++perKeyValue[kv(q.value(0).toString(), q.value(1).toString())];
            }
        }
        int pageSize = policy.tagLimits.isEmpty() ? wanted : std::max(wanted * 4, 64);
        std::optional<std::pair<int, qint64>> after; // (priority, id) of the last run read
        qint64 scanned = 0;
        while (chosen.size() < wanted && scanned < kMaxQueuedScan) {
            Query queued(db);
            queued.setForwardOnly(true);
            QString sql = QStringLiteral("SELECT %1 FROM runs r WHERE r.status = 'QUEUED'")
                              .arg(QLatin1StringView(kRunColumns));
            if (after)
                sql += QStringLiteral(" AND (r.priority < %1 OR (r.priority = %1 AND r.id > %2))")
                           .arg(after->first)
                           .arg(after->second);
            sql += QStringLiteral(" ORDER BY r.status, r.priority DESC, r.id ASC LIMIT %1").arg(pageSize);
            if (!queued.exec(sql))
                return sqlError(queued.lastError(), QStringLiteral("reading queued runs"));
            QList<qint64> seqs;
            auto candidates = readRuns(db, queued, &seqs);
            if (!candidates)
                return candidates.error();
            scanned += candidates->size();
            for (qsizetype i = 0; i < candidates->size() && chosen.size() < wanted; ++i) {
                const RunRecord &run = candidates->at(i);
                bool fits = true;
                for (const TagLimit &limit : policy.tagLimits) {
                    if (!run.tags.contains(limit.key))
                        continue;
                    const QString value = run.tags.value(limit.key);
                    if (limit.value) {
                        if (value == *limit.value && perKeyValue.value(kv(limit.key, value)) >= limit.limit)
                            fits = false;
                    } else if (limit.perUniqueValue) {
                        if (perKeyValue.value(kv(limit.key, value)) >= limit.limit)
                            fits = false;
                    } else if (perKey.value(limit.key) >= limit.limit) {
                        fits = false;
                    }
                }
                if (!fits)
                    continue;
                for (auto it = run.tags.cbegin(); it != run.tags.cend(); ++it) {
                    ++perKey[it.key()];
                    ++perKeyValue[kv(it.key(), it.value())];
                }
                chosen.append(run);
            }
            if (candidates->size() < pageSize)
                break; // the queue is exhausted
            after = std::make_pair(candidates->last().priority, seqs.last());
            pageSize = std::min(pageSize * 4, 1000);
        }
        if (chosen.isEmpty())
            return chosen;
        Query u(db);
        u.prepare(
            QStringLiteral(
                "UPDATE runs SET status = 'STARTING', updated_at = ? WHERE run_id = ? AND status = 'QUEUED'")
            + (m_pg ? QStringLiteral(" RETURNING pg_notify('%1', run_id) IS NULL")
                          .arg(QLatin1StringView(kRunStatusChannel))
                    : QString()));
        QList<Event> events;
        for (RunRecord &run : chosen) {
            u.addBindValue(QDateTime::currentMSecsSinceEpoch());
            u.addBindValue(run.runId);
            if (!u.exec())
                return sqlError(u.lastError(), QStringLiteral("dequeuing run %1").arg(run.runId));
            run.status = RunStatus::Starting;
            events.append(runEvent(run.runId, EventType::RunDequeued, QStringLiteral("Dequeued run.")));
        }
        if (auto ids = appendOn(db, events); !ids)
            return ids.error();
        return chosen;
    }

    // ---- events -------------------------------------------------------------------------------

    Result<QList<qint64>> append(const QList<Event> &events) override
    {
        if (events.isEmpty())
            return QList<qint64>();
        auto appended = withDb([&](QSqlDatabase &db) -> Result<QList<qint64>> {
            const bool wrap = events.size() > chunkRows();
            if (wrap && !db.transaction())
                return sqlError(db.lastError(), QStringLiteral("starting a transaction"));
            auto ids = appendOn(db, events);
            if (!ids) {
                if (wrap)
                    db.rollback();
                return ids;
            }
            if (wrap && !db.commit())
                return sqlError(db.lastError(), QStringLiteral("committing events"));
            return ids;
        });
        if (appended.ok() && !m_pg) { // PostgreSQL notifies in the INSERT itself (appendOn)
            QStringList runIds;
            for (const Event &e : events)
                runIds << e.runId;
            announce(kEventsChannel, runIds);
        }
        return appended;
    }

    // Rows per statement: larger statements bind slower in Qt's drivers than they save in round
    // trips (measured with bench/storage_bench).
    qsizetype chunkRows() const { return m_pg ? 250 : 100; }

    // Appends on `db` within the caller's transaction, if any.
    Result<QList<qint64>> appendOn(QSqlDatabase &db, const QList<Event> &events)
    {
        const qsizetype kChunk = chunkRows();
        QList<qint64> ids;
        ids.reserve(events.size());
        for (qsizetype start = 0; start < events.size(); start += kChunk) {
            const qsizetype n = qMin(kChunk, events.size() - start);
            QString sql = QStringLiteral("INSERT INTO event_logs (run_id, ts, event_type, step_key, "
                                         "level, message, payload) VALUES ");
            sql.reserve(sql.size() + n * 24);
            for (qsizetype i = 0; i < n; ++i)
                sql += i ? QStringLiteral(",(?,?,?,?,?,?,?)") : QStringLiteral("(?,?,?,?,?,?,?)");
            // PostgreSQL: listeners of kEventsChannel learn the run at commit, without another round
            // trip (identical notifications of one transaction are delivered once).
            sql += m_pg ? QStringLiteral(" RETURNING id, pg_notify('lifdag_events', run_id) IS NULL")
                        : QStringLiteral(" RETURNING id");
            Query q(db);
            q.setForwardOnly(true);
            q.prepare(sql);
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (qsizetype i = 0; i < n; ++i) {
                const Event &e = events[start + i];
                q.addBindValue(e.runId);
                q.addBindValue(e.timestamp.isValid() ? e.timestamp.toMSecsSinceEpoch() : now);
                q.addBindValue(text(e.eventType));
                q.addBindValue(nullable(e.stepKey));
                q.addBindValue(text(e.level));
                q.addBindValue(text(redaction::redact(e.message)));
                q.addBindValue(e.payload.isEmpty() ? QString() : redaction::redact(toJsonText(e.payload)));
            }
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("appending %1 event(s)").arg(n));
            while (q.next())
                ids.append(q.value(0).toLongLong());
            q.finish();
        }
        std::sort(ids.begin(), ids.end()); // RETURNING order is not guaranteed; ids follow insertion
        return ids;
    }

    Result<QList<Event>> events(const QString &runId, qint64 afterId, int limit) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<Event>> {
            Query q(db);
            q.setForwardOnly(true);
            q.prepare(
                QStringLiteral(
                    "SELECT id, run_id, ts, event_type, step_key, level, message, payload FROM event_logs "
                    "WHERE run_id = ? AND id > ? ORDER BY id LIMIT %1")
                    .arg(qMax(1, limit)));
            q.addBindValue(runId);
            q.addBindValue(afterId);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("reading the events of run %1").arg(runId));
            QList<Event> out;
            while (q.next()) {
                Event e;
                e.storageId = q.value(0).toLongLong();
                e.runId = q.value(1).toString();
                e.timestamp = fromMs(q.value(2));
                e.eventType = q.value(3).toString();
                e.stepKey = q.value(4).toString();
                e.level = q.value(5).toString();
                e.message = q.value(6).toString();
                e.payload = fromJsonText(q.value(7));
                out.append(std::move(e));
            }
            return out;
        });
    }

    Result<qint64> latestId() override
    {
        return withDb([&](QSqlDatabase &db) -> Result<qint64> {
            Query q(db);
            if (!q.exec(QStringLiteral("SELECT MAX(id) FROM event_logs")))
                return sqlError(q.lastError(), QStringLiteral("reading the latest event id"));
            return q.next() ? q.value(0).toLongLong() : 0;
        });
    }

    // ---- schedules ------------------------------------------------------------------------------

    Status upsertInstigator(const InstigatorState &st) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral(
                "INSERT INTO instigators (location_name, name, cron, timezone, status, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (location_name, name) DO UPDATE SET "
                "cron = excluded.cron, timezone = excluded.timezone, status = excluded.status, "
                "updated_at = excluded.updated_at"));
            q.addBindValue(text(st.locationName));
            q.addBindValue(text(st.name));
            q.addBindValue(text(st.cron));
            q.addBindValue(text(st.timezone));
            q.addBindValue(text(st.status));
            q.addBindValue(st.updatedAt.isValid() ? st.updatedAt.toMSecsSinceEpoch()
                                                  : QDateTime::currentMSecsSinceEpoch());
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("storing schedule %1").arg(st.name));
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Result<QList<InstigatorState>> instigators(const QString &locationName) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<InstigatorState>> {
            Query q(db);
            QString sql = QStringLiteral(
                "SELECT location_name, name, cron, timezone, status, updated_at FROM instigators");
            if (!locationName.isEmpty())
                sql += QStringLiteral(" WHERE location_name = ?");
            q.prepare(sql + QStringLiteral(" ORDER BY location_name, name"));
            if (!locationName.isEmpty())
                q.addBindValue(locationName);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("listing schedules"));
            QList<InstigatorState> out;
            while (q.next())
                out.append({ q.value(1).toString(), q.value(0).toString(), q.value(2).toString(),
                             q.value(3).toString(), q.value(4).toString(), fromMs(q.value(5)) });
            return out;
        });
    }

    static QString runIdsText(const QStringList &ids)
    {
        return QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact));
    }

    Result<qint64> addTick(const Tick &t) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<qint64> {
            Query q(db);
            q.prepare(QStringLiteral(
                "INSERT INTO ticks (location_name, instigator_name, ts, status, run_ids, error, skip_reason, "
                "failure_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
            q.addBindValue(text(t.locationName));
            q.addBindValue(text(t.instigatorName));
            q.addBindValue(ms(t.timestamp.isValid() ? t.timestamp : QDateTime::currentDateTimeUtc()));
            q.addBindValue(text(t.status));
            q.addBindValue(runIdsText(t.runIds));
            q.addBindValue(nullable(t.error));
            q.addBindValue(nullable(t.skipReason));
            q.addBindValue(t.failureCount);
            if (!q.exec() || !q.next())
                return sqlError(q.lastError(), QStringLiteral("adding a tick of %1").arg(t.instigatorName));
            return q.value(0).toLongLong();
        });
    }

    Result<std::optional<qint64>> claimTick(const Tick &t) override
    {
        if (!t.timestamp.isValid())
            return Error { QStringLiteral("storage.invalid"),
                           QStringLiteral("claiming a tick of %1 needs its due time").arg(t.instigatorName) };
        return withDb([&](QSqlDatabase &db) -> Result<std::optional<qint64>> {
            // One lock for all claims (pg_advisory_xact_lock / BEGIN IMMEDIATE): the check and the
            // insert are atomic across processes. Claims are rare (one per due time).
            Query q(db);
            if (m_pg) {
                if (!db.transaction())
                    return sqlError(db.lastError(), QStringLiteral("starting a transaction"));
                if (!q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLockId + 2))) {
                    const Error e = sqlError(q.lastError(), QStringLiteral("taking the tick lock"));
                    db.rollback();
                    return e;
                }
            } else if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                return sqlError(q.lastError(), QStringLiteral("taking the tick lock"));
            }
            const auto rollback = [&] {
                m_pg ? (void)db.rollback() : (void)QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            };
            const auto commit = [&]() -> bool {
                return m_pg ? db.commit() : QSqlQuery(db).exec(QStringLiteral("COMMIT"));
            };
            q.prepare(QStringLiteral(
                "SELECT id FROM ticks WHERE location_name = ? AND instigator_name = ? AND ts = ?"));
            q.addBindValue(t.locationName);
            q.addBindValue(t.instigatorName);
            q.addBindValue(ms(t.timestamp));
            if (!q.exec()) {
                const Error e =
                    sqlError(q.lastError(), QStringLiteral("looking up a tick of %1").arg(t.instigatorName));
                rollback();
                return e;
            }
            if (q.next()) {
                q.finish();
                rollback();
                return std::optional<qint64>();
            }
            q.prepare(QStringLiteral(
                "INSERT INTO ticks (location_name, instigator_name, ts, status, run_ids, error, skip_reason, "
                "failure_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
            q.addBindValue(text(t.locationName));
            q.addBindValue(text(t.instigatorName));
            q.addBindValue(ms(t.timestamp));
            q.addBindValue(text(t.status));
            q.addBindValue(runIdsText(t.runIds));
            q.addBindValue(nullable(t.error));
            q.addBindValue(nullable(t.skipReason));
            q.addBindValue(t.failureCount);
            if (!q.exec() || !q.next()) {
                const Error e =
                    sqlError(q.lastError(), QStringLiteral("claiming a tick of %1").arg(t.instigatorName));
                rollback();
                return e;
            }
            const qint64 id = q.value(0).toLongLong();
            q.finish(); // SQLite cannot commit while a RETURNING statement is open
            if (!commit()) {
                const Error e =
                    sqlError(db.lastError(), QStringLiteral("committing a tick of %1").arg(t.instigatorName));
                rollback();
                return e;
            }
            return std::optional<qint64>(id);
        });
    }

    Status updateTick(const Tick &t) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral(
                "UPDATE ticks SET status = ?, run_ids = ?, error = ?, skip_reason = ?, failure_count = ? "
                "WHERE id = ?"));
            q.addBindValue(text(t.status));
            q.addBindValue(runIdsText(t.runIds));
            q.addBindValue(nullable(t.error));
            q.addBindValue(nullable(t.skipReason));
            q.addBindValue(t.failureCount);
            q.addBindValue(t.id);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("updating tick %1").arg(t.id));
            if (q.numRowsAffected() != 1)
                return Error { QStringLiteral("storage.not_found"),
                               QStringLiteral("tick %1 not found").arg(t.id) };
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Result<QList<Tick>> ticks(const QString &locationName, const QString &instigatorName, int limit) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<Tick>> {
            Query q(db);
            q.prepare(
                QStringLiteral(
                    "SELECT id, location_name, instigator_name, ts, status, run_ids, error, "
                    "skip_reason, failure_count FROM ticks "
                    "WHERE location_name = ? AND instigator_name = ? ORDER BY ts DESC, id DESC LIMIT %1")
                    .arg(qMax(1, limit)));
            q.addBindValue(locationName);
            q.addBindValue(instigatorName);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("listing ticks of %1").arg(instigatorName));
            QList<Tick> out;
            while (q.next()) {
                Tick t;
                t.id = q.value(0).toLongLong();
                t.locationName = q.value(1).toString();
                t.instigatorName = q.value(2).toString();
                t.timestamp = fromMs(q.value(3));
                t.status = q.value(4).toString();
                for (const QJsonValue &v : QJsonDocument::fromJson(q.value(5).toString().toUtf8()).array())
                    t.runIds.append(v.toString());
                t.error = q.value(6).toString();
                t.skipReason = q.value(7).toString();
                t.failureCount = q.value(8).toInt();
                out.append(t);
            }
            return out;
        });
    }

    // ---- heartbeats ---------------------------------------------------------------------------

    Status beat(const Heartbeat &h) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral(
                "INSERT INTO daemon_heartbeats (daemon_type, daemon_id, ts, errors) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (daemon_type, daemon_id) DO UPDATE SET ts = excluded.ts, errors = "
                "excluded.errors"));
            q.addBindValue(text(h.daemonType));
            q.addBindValue(text(h.daemonId));
            q.addBindValue(ms(h.timestamp.isValid() ? h.timestamp : QDateTime::currentDateTimeUtc()));
            q.addBindValue(runIdsText(h.errors));
            if (!q.exec())
                return sqlError(q.lastError(),
                                QStringLiteral("storing the heartbeat of %1").arg(h.daemonType));
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Result<QList<Heartbeat>> all() override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<Heartbeat>> {
            Query q(db);
            if (!q.exec(QStringLiteral("SELECT daemon_type, daemon_id, ts, errors FROM daemon_heartbeats "
                                       "ORDER BY daemon_type, daemon_id")))
                return sqlError(q.lastError(), QStringLiteral("listing heartbeats"));
            QList<Heartbeat> out;
            while (q.next()) {
                Heartbeat h { q.value(0).toString(), q.value(1).toString(), fromMs(q.value(2)), {} };
                for (const QJsonValue &v : QJsonDocument::fromJson(q.value(3).toString().toUtf8()).array())
                    h.errors.append(v.toString());
                out.append(h);
            }
            return out;
        });
    }

    // ---- API tokens and audit log --------------------------------------------------------------

    Status addToken(const ApiToken &t) override
    {
        auto r = withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral("INSERT INTO api_tokens (token_id, name, role, salt, hash, created_at, "
                                     "created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"));
            q.addBindValue(t.id);
            q.addBindValue(text(t.name));
            q.addBindValue(text(t.role));
            q.addBindValue(QString::fromLatin1(t.salt.toHex()));
            q.addBindValue(QString::fromLatin1(t.hash.toHex()));
            q.addBindValue(ms(t.createdAt.isValid() ? t.createdAt : QDateTime::currentDateTimeUtc()));
            q.addBindValue(text(t.createdBy));
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("storing API token %1").arg(t.id));
            return true;
        });
        return r ? Status {} : Status(r.error());
    }

    Result<QList<ApiToken>> tokens() override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<ApiToken>> {
            Query q(db);
            q.setForwardOnly(true);
            if (!q.exec(QStringLiteral("SELECT token_id, name, role, salt, hash, created_at, created_by, "
                                       "revoked_at FROM api_tokens ORDER BY created_at, token_id")))
                return sqlError(q.lastError(), QStringLiteral("listing API tokens"));
            QList<ApiToken> out;
            while (q.next()) {
                ApiToken t;
                t.id = q.value(0).toString();
                t.name = q.value(1).toString();
                t.role = q.value(2).toString();
                t.salt = QByteArray::fromHex(q.value(3).toString().toLatin1());
                t.hash = QByteArray::fromHex(q.value(4).toString().toLatin1());
                t.createdAt = fromMs(q.value(5));
                t.createdBy = q.value(6).toString();
                t.revokedAt = fromMs(q.value(7));
                out.append(t);
            }
            return out;
        });
    }

    Result<bool> revokeToken(const QString &id) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<bool> {
            Query q(db);
            q.prepare(QStringLiteral(
                "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL"));
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
            q.addBindValue(id);
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("revoking API token %1").arg(id));
            return q.numRowsAffected() == 1;
        });
    }

    Result<qint64> addAudit(const AuditEntry &e) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<qint64> {
            Query q(db);
            q.prepare(QStringLiteral("INSERT INTO audit_log (ts, actor, action, target, before_value, "
                                     "after_value) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
            q.addBindValue(ms(e.timestamp.isValid() ? e.timestamp : QDateTime::currentDateTimeUtc()));
            q.addBindValue(text(e.actor));
            q.addBindValue(text(e.action));
            q.addBindValue(text(e.target));
            q.addBindValue(redaction::redact(toJsonText(e.before)));
            q.addBindValue(redaction::redact(toJsonText(e.after)));
            if (!q.exec() || !q.next())
                return sqlError(q.lastError(), QStringLiteral("recording an audit entry (%1)").arg(e.action));
            const qint64 id = q.value(0).toLongLong();
            q.finish();
            return id;
        });
    }

    Result<QList<AuditEntry>> audit(int limit, qint64 beforeId) override
    {
        return withDb([&](QSqlDatabase &db) -> Result<QList<AuditEntry>> {
            Query q(db);
            q.setForwardOnly(true);
            q.prepare(QStringLiteral("SELECT id, ts, actor, action, target, before_value, after_value FROM "
                                     "audit_log WHERE id < ? ORDER BY id DESC LIMIT %1")
                          .arg(qMax(1, limit)));
            q.addBindValue(beforeId > 0 ? beforeId : std::numeric_limits<qint64>::max());
            if (!q.exec())
                return sqlError(q.lastError(), QStringLiteral("reading the audit log"));
            QList<AuditEntry> out;
            while (q.next()) {
                out.append({ q.value(0).toLongLong(), fromMs(q.value(1)), q.value(2).toString(),
                             q.value(3).toString(), q.value(4).toString(), fromJsonText(q.value(5)),
                             fromJsonText(q.value(6)) });
            }
            return out;
        });
    }

private:
    ConnectionPool m_pool;
    const bool m_pg;
};

} // namespace

QString Settings::describe() const
{
    if (backend == Backend::Sqlite)
        return QStringLiteral("SQLite %1").arg(QDir(sqliteDirectory).filePath(QStringLiteral("lifdag.db")));
    return QStringLiteral("PostgreSQL %1:%2/%3").arg(host).arg(port).arg(database);
}

int currentSchemaVersion()
{
    return migrations().last().version;
}

Result<std::shared_ptr<Storage>> open(const Settings &settings, bool migrate)
{
    auto storage = std::make_shared<SqlStorage>(settings);
    // The common case - a current schema - costs one SELECT; the lock is taken only to migrate.
    if (migrate && storage->currentVersionWithoutLock() == currentSchemaVersion())
        return std::shared_ptr<Storage>(std::move(storage));
    if (migrate) {
        auto report = storage->migrate();
        if (!report)
            return report.error();
    } else {
        auto version = storage->schemaVersion();
        if (!version)
            return version.error();
        if (*version > currentSchemaVersion())
            return Error { QStringLiteral("storage.schema_too_new"),
                           QStringLiteral(
                               "%1 has schema version %2, newer than this lifdag (%3): upgrade lifdag")
                               .arg(settings.describe())
                               .arg(*version)
                               .arg(currentSchemaVersion()) };
    }
    return std::shared_ptr<Storage>(std::move(storage));
}

} // namespace lifdag::storage
