// Run, event log, schedule and daemon-heartbeat storage on PostgreSQL or SQLite (QtSql).
// One Storage object per process is enough: it is thread-safe and opens one connection per thread.
#pragma once

#include <lifdag/core/event.h>
#include <lifdag/core/result.h>
#include <lifdag/core/runstatus.h>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QMap>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace lifdag::storage {

struct Settings
{
    enum class Backend { Postgres, Sqlite };
    Backend backend = Backend::Sqlite;
    QString host;
    int port = 5432;
    QString user;
    QString password; // registered with the redactor; never logged
    QString database;
    QString params; // extra libpq options, "key=value;key2=value2"
    QString sqliteDirectory; // the SQLite file is <dir>/lifdag.db
    int maxConnections = 32; // connections per process (one per thread that uses storage)

    QString describe() const; // "PostgreSQL host:port/db" or "SQLite <file>" - never the password
};

struct RunRecord
{
    QString runId;
    QString jobName;
    QString locationName;
    QString repositoryName;
    RunStatus status = RunStatus::NotStarted;
    QJsonObject runConfig;
    QMap<QString, QString> tags;
    int priority = 0; // from tag dagster/priority; higher dequeues first
    QString parentRunId;
    QString rootRunId;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime startedAt;
    QDateTime endedAt;
    qint64 workerPid = 0;
    QString workerHost;
    QString containerId;
    QJsonObject result; // what the job returned (LIF's results), empty when none
};

struct RunFilter
{
    QList<RunStatus> statuses; // any of
    QString jobName;
    QMap<QString, QString> tags; // all must match
    QDateTime createdAfter;
    QDateTime createdBefore;
    QStringList runIds;
};

struct RunPage
{
    QList<RunRecord> runs; // newest first
    QString nextCursor; // pass as `cursor` for the next page; empty when this was the last
};

// QueuedRunCoordinator limits, as dagster.yaml states them.
struct TagLimit
{
    QString key;
    std::optional<QString> value; // exact value; unset: any value (or each value, see below)
    bool perUniqueValue = false; // applyLimitPerUniqueValue: the limit holds for each value separately
    int limit = 0;
};

struct ClaimPolicy
{
    int maxConcurrentRuns = -1; // -1: no limit
    QList<TagLimit> tagLimits;
    int maxClaims = 100; // at most this many runs per call
};

struct WorkerInfo
{
    qint64 pid = 0;
    QString host;
    QString containerId;
};

class RunStorage
{
public:
    virtual ~RunStorage() = default;
    // Stores a new run with its tags; createdAt/updatedAt default to now. An existing id is an error
    // with code "storage.duplicate" (a fixed run id makes a submission idempotent).
    virtual Status addRun(const RunRecord &run) = 0;
    virtual Result<std::optional<RunRecord>> run(const QString &runId) = 0;
    // Compare-and-set: moves the run to `to` when it is in one of `from` (any live state when
    // empty) and the move is allowed; returns false when the run was not in such a state.
    // Terminal states set endedAt, STARTED sets startedAt. A move notifies kRunStatusChannel, a
    // move to a terminal state kRunsEndedChannel too (a slot is free: queued runs may start).
    virtual Result<bool> transition(const QString &runId, RunStatus to,
                                    const QList<RunStatus> &from = {}) = 0;
    virtual Status setWorkerInfo(const QString &runId, const WorkerInfo &info) = 0;
    virtual Status setResult(const QString &runId, const QJsonObject &result) = 0;
    // The outputs of a run's successful steps ({step key: {output: value | [{mapping_key, value}]}}),
    // kept for failed runs so that a re-execution from failure can reuse them; none: nullopt.
    virtual Status setStepOutputs(const QString &runId, const QJsonObject &outputs) = 0;
    virtual Result<std::optional<QJsonObject>> stepOutputs(const QString &runId) = 0;
    virtual Status addTags(const QString &runId, const QMap<QString, QString> &tags) = 0;
    // Newest first; `cursor` is the last run id of the previous page.
    virtual Result<RunPage> runs(const RunFilter &filter, int limit, const QString &cursor = {}) = 0;
    virtual Result<QMap<RunStatus, qint64>> countByStatus(const RunFilter &filter = {}) = 0;
    // Dequeues atomically: under a lock shared by every process (pg_advisory_xact_lock / BEGIN
    // IMMEDIATE), picks QUEUED runs by priority (higher first) then age that fit the policy given
    // the live runs, moves them to STARTING and records RUN_DEQUEUED. A run blocked by a limit does
    // not block the runs behind it. Several daemons may call this at once.
    virtual Result<QList<RunRecord>> claimQueuedRuns(const ClaimPolicy &policy) = 0;
    // Deletes the run, its tags and its events.
    virtual Result<bool> deleteRun(const QString &runId) = 0;
};

class EventLogStorage
{
public:
    virtual ~EventLogStorage() = default;
    // Appends in one statement per chunk; returns the storage ids in order.
    virtual Result<QList<qint64>> append(const QList<Event> &events) = 0;
    // A run's events with storage id > afterId, oldest first, at most `limit`.
    virtual Result<QList<Event>> events(const QString &runId, qint64 afterId = 0, int limit = 10000) = 0;
    virtual Result<qint64> latestId() = 0;
};

struct InstigatorState
{
    QString name;
    QString locationName;
    QString cron;
    QString timezone = QStringLiteral("UTC");
    QString status = QStringLiteral("STOPPED"); // RUNNING | STOPPED (| DECLARED_IN_CODE, see scheduler.h)
    QDateTime updatedAt; // when the status was set; upsertInstigator stores now when invalid
};

struct Tick
{
    qint64 id = 0;
    QString instigatorName;
    QString locationName;
    QDateTime timestamp;
    QString status; // STARTED | SUCCESS | SKIPPED | FAILURE
    QStringList runIds;
    QString error;
    QString skipReason;
    int failureCount = 0; // FAILURE evaluations of this due time so far (scheduler max_tick_retries)
};

class ScheduleStorage
{
public:
    virtual ~ScheduleStorage() = default;
    virtual Status upsertInstigator(const InstigatorState &state) = 0;
    virtual Result<QList<InstigatorState>> instigators(const QString &locationName = {}) = 0;
    virtual Result<qint64> addTick(const Tick &tick) = 0;
    // Adds `tick` unless its instigator already has a tick at tick.timestamp (the due time),
    // atomically across processes: the new id, or nullopt when another scheduler (or an earlier
    // pass) claimed that due time first.
    virtual Result<std::optional<qint64>> claimTick(const Tick &tick) = 0;
    virtual Status updateTick(const Tick &tick) = 0;
    // Newest due time first.
    virtual Result<QList<Tick>> ticks(const QString &locationName, const QString &instigatorName,
                                      int limit) = 0;
};

struct Heartbeat
{
    QString daemonType;
    QString daemonId;
    QDateTime timestamp;
    QStringList errors;
};

class HeartbeatStorage
{
public:
    virtual ~HeartbeatStorage() = default;
    virtual Status beat(const Heartbeat &heartbeat) = 0;
    virtual Result<QList<Heartbeat>> all() = 0;
};

// API tokens of the webserver (hashed at rest: only a salt and SHA-256(salt + secret) are kept)
// and the administrators' audit log. Added for the webserver (schema version 2).
struct ApiToken
{
    QString id; // public part of the token, the lookup key
    QString name;
    QString role; // viewer | launcher | admin
    QByteArray salt;
    QByteArray hash;
    QDateTime createdAt;
    QString createdBy;
    QDateTime revokedAt; // invalid while the token is valid
};

struct AuditEntry
{
    qint64 id = 0;
    QDateTime timestamp;
    QString actor; // who (token name and id, or "anonymous" when authentication is off)
    QString action; // e.g. "launcher_config.update"
    QString target;
    QJsonObject before;
    QJsonObject after;
};

class AdminStorage
{
public:
    virtual ~AdminStorage() = default;
    virtual Status addToken(const ApiToken &token) = 0; // an existing id is an error
    virtual Result<QList<ApiToken>> tokens() = 0; // revoked ones included, oldest first
    virtual Result<bool> revokeToken(const QString &id) = 0; // false: unknown or already revoked
    virtual Result<qint64> addAudit(const AuditEntry &entry) = 0; // timestamp defaults to now
    // Newest first; `beforeId` > 0 pages on (entries with a smaller id).
    virtual Result<QList<AuditEntry>> audit(int limit, qint64 beforeId = 0) = 0;
};

struct MigrationReport
{
    int fromVersion = 0;
    int toVersion = 0;
};

class Storage
{
public:
    virtual ~Storage() = default;
    virtual RunStorage &runs() = 0;
    virtual EventLogStorage &events() = 0;
    virtual ScheduleStorage &schedules() = 0;
    virtual HeartbeatStorage &heartbeats() = 0;
    virtual AdminStorage &admin() = 0;
    virtual const Settings &settings() const = 0;
    // Creates or upgrades the schema under a lock (pg_advisory_lock / BEGIN IMMEDIATE).
    virtual Result<MigrationReport> migrate() = 0;
    virtual Result<int> schemaVersion() = 0;

    // Wake-ups across processes: PostgreSQL NOTIFY/LISTEN; with SQLite, Unix datagram sockets
    // between the processes on the same database file (same machine). `channel` is a plain identifier; `payload` is
    // short text (PostgreSQL allows < 8000 bytes).
    virtual Status notify(const QString &channel, const QString &payload = {}) = 0;
    // Calls `callback` (on a private thread) for every notification on `channel` until the
    // returned handle is destroyed.
    virtual Result<std::shared_ptr<void>> subscribe(const QString &channel,
                                                    std::function<void()> callback) = 0;
    // The same, with each notification's payload.
    virtual Result<std::shared_ptr<void>>
    subscribeWithPayload(const QString &channel, std::function<void(const QString &payload)> callback) = 0;
};

// Channels the services use.
inline constexpr QLatin1StringView kRunsQueuedChannel("lifdag_runs_queued");
inline constexpr QLatin1StringView kRunsEndedChannel("lifdag_runs_ended");
// Issued by the storage itself (added for the webserver's live events): payload = the run id.
// kEventsChannel after events of that run were appended (on PostgreSQL in the same statement,
// delivered at commit); kRunStatusChannel after the run was added, moved, dequeued or deleted.
inline constexpr QLatin1StringView kEventsChannel("lifdag_events");
inline constexpr QLatin1StringView kRunStatusChannel("lifdag_run_status");

// The schema version this build writes.
int currentSchemaVersion();

// Opens the storage, and migrates it unless `migrate` is false (a schema newer than this
// binary is always an error).
Result<std::shared_ptr<Storage>> open(const Settings &settings, bool migrate = true);

} // namespace lifdag::storage
