// The DagsterDaemonScheduler: schedules declared by code locations, their state in storage, and
// the daemon pass that turns due times into ticks and runs - safe with several daemons at once.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/schedule.h>
#include <lifdag/instance/instance.h>
#include <lifdag/storage/storage.h>

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <chrono>
#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcScheduler)

namespace lifdag::scheduler {

// The heartbeat type of the daemon loop, as in Dagster.
inline constexpr QLatin1StringView kSchedulerDaemonType("SCHEDULER");
// Notified when a schedule is started or stopped: wakes the daemons' schedulers at once.
inline constexpr QLatin1StringView kSchedulesChangedChannel("lifdag_schedules_changed");

// Tags on every scheduled run (Dagster's names).
inline constexpr QLatin1StringView kScheduleNameTag("dagster/schedule_name");
inline constexpr QLatin1StringView kTickTag("dagster/tick"); // the tick's storage id
inline constexpr QLatin1StringView kRunKeyTag("dagster/run_key"); // "<schedule>:<due time, UTC ISO>"
inline constexpr QLatin1StringView kScheduledExecutionTimeTag("dagster/scheduled_execution_time");

// Stored instigator statuses. DECLARED_IN_CODE: nobody started or stopped the schedule; its
// definition's default status applies (the row only remembers since when the daemon saw it).
inline constexpr QLatin1StringView kStatusRunning("RUNNING");
inline constexpr QLatin1StringView kStatusStopped("STOPPED");
inline constexpr QLatin1StringView kStatusDeclaredInCode("DECLARED_IN_CODE");

// Tick statuses.
inline constexpr QLatin1StringView kTickStarted("STARTED");
inline constexpr QLatin1StringView kTickSuccess("SUCCESS");
inline constexpr QLatin1StringView kTickSkipped("SKIPPED");
inline constexpr QLatin1StringView kTickFailure("FAILURE");

// The run id of a schedule's run for one due time: a UUID (v5) of location, schedule and due
// time, so every daemon that evaluates that due time derives the same id and storage refuses a
// second run.
QString scheduledRunId(const QString &locationName, const QString &scheduleName, const QDateTime &dueTime);
QString scheduledRunKey(const QString &scheduleName, const QDateTime &dueTime);

// A schedule as operators see it: its definition joined to its stored state.
struct ScheduleState
{
    QString locationName;
    execution::ScheduleDefinition definition;
    QString status; // effective: RUNNING | STOPPED
    bool statusIsDefault = true; // nobody started/stopped it: the definition's default applies
    std::optional<storage::InstigatorState> stored;
    std::optional<storage::Tick> lastTick;
    QDateTime nextFireTime; // RUNNING schedules with a valid cron only, in the schedule's zone
    QString error; // invalid cron or time zone, or "not declared by the code location any more"
    bool inCode = true; // false: only a stored state is left of it
};

struct ScheduleListing
{
    QList<ScheduleState> schedules; // by location, then name
    QStringList errors; // locations that could not be asked (one line each)
};

// Every schedule of the workspace's locations (or of `locationName`), with its state at `now`.
ScheduleListing listSchedules(instance::Instance &instance, const QString &locationName = {},
                              const QDateTime &now = QDateTime::currentDateTimeUtc());

// Starts/stops a schedule through storage (and wakes the daemons). `locationName` may be empty
// when the name is unique in the workspace. Starting needs the schedule's location to answer;
// stopping works from the stored state alone. Starting a running schedule changes nothing.
// `now` is when it happens: a started schedule's due times count from then.
Result<ScheduleState> startSchedule(instance::Instance &instance, const QString &name,
                                    const QString &locationName = {},
                                    const QDateTime &now = QDateTime::currentDateTimeUtc());
Result<ScheduleState> stopSchedule(instance::Instance &instance, const QString &name,
                                   const QString &locationName = {},
                                   const QDateTime &now = QDateTime::currentDateTimeUtc());
// A schedule's ticks, newest due time first.
Result<QList<storage::Tick>> scheduleTicks(instance::Instance &instance, const QString &name,
                                           const QString &locationName = {}, int limit = 20);

struct SchedulerOptions
{
    // Catch-up schedules (ScheduleDefinition::catchUp) run at most this many missed ticks after
    // downtime, oldest first; the others run the latest only. 0 behaves like 1.
    int maxCatchupRuns = 5;
    // A FAILURE tick is evaluated again on later passes up to this many times.
    int maxTickRetries = 0;
    // Missed due times beyond the catch-up limit are recorded as SKIPPED ticks, at most this many
    // per schedule and pass (the older ones only appear in the log).
    int maxSkippedTicksRecorded = 100;
    // The longest sleep between passes: the daemon wakes at the next due time, but at least this
    // often (to see schedules started elsewhere, and to beat its heartbeat).
    std::chrono::milliseconds maxSleep = std::chrono::seconds(30);
    // After a pass with errors (e.g. a location down), the next pass comes within this long.
    std::chrono::milliseconds errorRetry = std::chrono::seconds(5);
    // gRPC deadline for asking a location for its schedules.
    std::chrono::milliseconds locationDeadline = std::chrono::seconds(5);

    static SchedulerOptions fromConfig(const config::SchedulerConfig &config);
};

struct PassReport
{
    QList<storage::Tick> ticks; // ticks this pass claimed or finished, in order
    QStringList errors; // one line per location or schedule that could not be evaluated
    QDateTime nextDue; // earliest fire time after the pass among RUNNING schedules; invalid: none
};

// DagsterDaemonScheduler. Each pass asks every workspace location for its schedules, reads their
// state from storage and, for each RUNNING one, evaluates the due times since its last tick:
// - a due time becomes a tick only through ScheduleStorage::claimTick, so of several daemons
//   evaluating the same due time exactly one proceeds;
// - the run is submitted through launcher::submitRun with a run id derived from location,
//   schedule and due time (scheduledRunId): should a tick be evaluated twice (a daemon died
//   between claiming it and finishing it, and another resumes it), storage refuses the second run
//   and the tick records the existing one;
// - after downtime, only the latest missed due time runs (catch-up schedules: the latest
//   max_catchup_runs), the missed ones before it are recorded as SKIPPED;
// - a tick ends SUCCESS (with its run id), SKIPPED (with the reason) or FAILURE (with the error).
class DaemonScheduler
{
public:
    DaemonScheduler(std::shared_ptr<instance::Instance> instance, SchedulerOptions options = {});

    // One pass as if the time were `now` (tests pass their own clock).
    PassReport runPass(const QDateTime &now);
    // One pass now, for the daemon loop: errors come back as one Error (for the heartbeat).
    Status tick();
    // How long the daemon may sleep after the last pass: until the next due time, capped.
    std::chrono::milliseconds untilNextPass(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    const SchedulerOptions &options() const { return m_options; }

private:
    std::shared_ptr<instance::Instance> m_instance;
    SchedulerOptions m_options;
    QDateTime m_nextDue;
    bool m_lastPassFailed = false;
    QHash<qint64, QDateTime> m_startedSeen; // STARTED ticks of others: since when we have seen them
};

} // namespace lifdag::scheduler
