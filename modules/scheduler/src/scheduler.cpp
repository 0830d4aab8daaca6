#include "lifdag/scheduler/scheduler.h"

#include "lifdag/scheduler/cron.h"

#include <lifdag/codelocation/client.h>
#include <lifdag/launcher/launcher.h>

#include <QHash>
#include <QUuid>
#include <algorithm>

Q_LOGGING_CATEGORY(lcScheduler, "lifdag.scheduler")

namespace lifdag::scheduler {

namespace {

// The namespace of scheduledRunId's v5 UUIDs (a constant of lifdag; never change it, or runs
// created before and after the change would not be recognised as the same).
const QUuid kRunIdNamespace(QStringLiteral("{8f3c1e52-6a0d-4b7e-9c41-2d5e7f1a9b63}"));

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

struct Effective
{
    QString status;
    bool isDefault = true;
};

Effective effectiveStatus(const execution::ScheduleDefinition &def,
                          const std::optional<storage::InstigatorState> &stored)
{
    if (stored && (stored->status == kStatusRunning || stored->status == kStatusStopped))
        return { stored->status, false };
    return { execution::defaultStatusName(def.defaultStatus), true };
}

// Where to look for schedules: every workspace location, or the one named.
Result<QList<config::CodeLocationConfig>> locationsOf(const instance::Instance &instance, const QString &name)
{
    if (!instance.workspace() || instance.workspace()->locations.isEmpty())
        return Error {
            QStringLiteral("scheduler.no_workspace"),
            QStringLiteral("no code locations: %1 has no workspace.yaml listing any").arg(instance.home())
        };
    if (name.isEmpty())
        return instance.workspace()->locations;
    if (const config::CodeLocationConfig *l = instance.workspace()->location(name))
        return QList<config::CodeLocationConfig> { *l };
    QStringList names;
    for (const config::CodeLocationConfig &l : instance.workspace()->locations)
        names << l.locationName;
    return Error { QStringLiteral("scheduler.not_found"),
                   QStringLiteral("no code location \"%1\" in %2 (locations: %3)")
                       .arg(name, instance.workspace()->path, names.join(QStringLiteral(", "))) };
}

std::optional<storage::Tick> latestTick(storage::Storage &storage, const QString &location,
                                        const QString &name, QString *error)
{
    const auto ticks = storage.schedules().ticks(location, name, 1);
    if (!ticks) {
        *error = ticks.error().message;
        return std::nullopt;
    }
    if (ticks->isEmpty())
        return std::nullopt;
    return ticks->first();
}

ScheduleState stateOf(storage::Storage &storage, const QString &location,
                      const execution::ScheduleDefinition &def,
                      const std::optional<storage::InstigatorState> &stored, const QDateTime &now)
{
    ScheduleState st;
    st.locationName = location;
    st.definition = def;
    st.stored = stored;
    const Effective eff = effectiveStatus(def, stored);
    st.status = eff.status;
    st.statusIsDefault = eff.isDefault;
    QString error;
    st.lastTick = latestTick(storage, location, def.name, &error);
    const auto cron = CronSchedule::create(def.cronSchedule, def.executionTimezone);
    if (!cron)
        st.error = cron.error().message;
    else if (st.status == kStatusRunning)
        st.nextFireTime = cron->next(now);
    if (!error.isEmpty())
        st.error = error;
    return st;
}

// The stored state a location no longer declares (or that we cannot ask about).
ScheduleState orphanState(storage::Storage &storage, const storage::InstigatorState &stored,
                          const QString &why)
{
    ScheduleState st;
    st.locationName = stored.locationName;
    st.definition.name = stored.name;
    st.definition.cronSchedule = stored.cron;
    st.definition.executionTimezone = stored.timezone;
    st.stored = stored;
    st.status = stored.status == kStatusRunning ? QString(kStatusRunning) : QString(kStatusStopped);
    st.statusIsDefault = stored.status == kStatusDeclaredInCode;
    st.inCode = false;
    st.error = why;
    QString error;
    st.lastTick = latestTick(storage, stored.locationName, stored.name, &error);
    return st;
}

} // namespace

QString scheduledRunId(const QString &locationName, const QString &scheduleName, const QDateTime &dueTime)
{
    const QByteArray name = locationName.toUtf8() + '\n' + scheduleName.toUtf8() + '\n'
        + QByteArray::number(dueTime.toMSecsSinceEpoch());
    return QUuid::createUuidV5(kRunIdNamespace, name).toString(QUuid::WithoutBraces);
}

QString scheduledRunKey(const QString &scheduleName, const QDateTime &dueTime)
{
    return scheduleName + QLatin1Char(':') + isoUtc(dueTime);
}

// ---- operators' view ----------------------------------------------------------------------------

ScheduleListing listSchedules(instance::Instance &instance, const QString &locationName, const QDateTime &now)
{
    ScheduleListing listing;
    const auto locations = locationsOf(instance, locationName);
    if (!locations) {
        listing.errors << locations.error().message;
        return listing;
    }
    storage::Storage &storage = instance.storage();
    for (const config::CodeLocationConfig &location : *locations) {
        const codelocation::Client client(location.address(), std::chrono::seconds(5));
        const auto defs = client.listSchedules();
        const auto stored = storage.schedules().instigators(location.locationName);
        if (!stored) {
            listing.errors << stored.error().message;
            continue;
        }
        QHash<QString, storage::InstigatorState> byName;
        for (const storage::InstigatorState &s : *stored)
            byName.insert(s.name, s);
        if (!defs) {
            listing.errors
                << QStringLiteral("location %1: %2").arg(location.locationName, defs.error().message);
            for (const storage::InstigatorState &s : *stored)
                listing.schedules << orphanState(
                    storage, s, QStringLiteral("location %1 did not answer").arg(location.locationName));
            continue;
        }
        for (const execution::ScheduleDefinition &def : *defs) {
            const auto it = byName.constFind(def.name);
            listing.schedules << stateOf(storage, location.locationName, def,
                                         it == byName.cend() ? std::nullopt : std::make_optional(*it), now);
            byName.remove(def.name);
        }
        for (const storage::InstigatorState &s : std::as_const(byName))
            listing.schedules << orphanState(
                storage, s, QStringLiteral("no longer declared by location %1").arg(location.locationName));
    }
    std::stable_sort(listing.schedules.begin(), listing.schedules.end(),
                     [](const ScheduleState &a, const ScheduleState &b) {
                         return a.locationName != b.locationName ? a.locationName < b.locationName
                                                                 : a.definition.name < b.definition.name;
                     });
    return listing;
}

namespace {

// The one schedule called `name` (declared in code unless `allowOrphans`).
Result<ScheduleState> findSchedule(instance::Instance &instance, const QString &name,
                                   const QString &locationName, bool allowOrphans, const QDateTime &now)
{
    const ScheduleListing listing = listSchedules(instance, locationName, now);
    QList<ScheduleState> found;
    for (const ScheduleState &s : listing.schedules) {
        if (s.definition.name == name && (s.inCode || allowOrphans))
            found << s;
    }
    if (found.size() == 1)
        return found.first();
    if (found.size() > 1) {
        QStringList where;
        for (const ScheduleState &s : found)
            where << s.locationName;
        return Error { QStringLiteral("scheduler.ambiguous"),
                       QStringLiteral("schedule \"%1\" is declared by several locations (%2): name one with "
                                      "--location")
                           .arg(name, where.join(QStringLiteral(", "))) };
    }
    if (!listing.errors.isEmpty())
        return Error { QStringLiteral("scheduler.unavailable"),
                       QStringLiteral("schedule \"%1\" not found: %2")
                           .arg(name, listing.errors.join(QStringLiteral("; "))) };
    QStringList known;
    for (const ScheduleState &s : listing.schedules)
        known << s.definition.name;
    return Error { QStringLiteral("scheduler.not_found"),
                   QStringLiteral("no schedule named \"%1\"%2 (schedules: %3)")
                       .arg(name,
                            locationName.isEmpty() ? QString()
                                                   : QStringLiteral(" in location %1").arg(locationName),
                            known.isEmpty() ? QStringLiteral("none") : known.join(QStringLiteral(", "))) };
}

Result<ScheduleState> setStatus(instance::Instance &instance, const QString &name,
                                const QString &locationName, QLatin1StringView status, const QDateTime &now)
{
    const bool starting = status == kStatusRunning;
    auto found = findSchedule(instance, name, locationName, !starting, now);
    if (!found)
        return found.error();
    ScheduleState st = std::move(found).value();
    if (starting) {
        const auto cron = CronSchedule::create(st.definition.cronSchedule, st.definition.executionTimezone);
        if (!cron)
            return Error {
                cron.error().code,
                QStringLiteral("cannot start schedule \"%1\": %2").arg(name, cron.error().message)
            };
    }
    if (!st.statusIsDefault && st.status == status)
        return st; // already so, by an explicit start/stop
    storage::InstigatorState stored;
    stored.name = st.definition.name;
    stored.locationName = st.locationName;
    stored.cron = st.definition.cronSchedule;
    stored.timezone = st.definition.executionTimezone;
    stored.status = status;
    stored.updatedAt = now.toUTC();
    if (const Status s = instance.storage().schedules().upsertInstigator(stored); !s)
        return s.error();
    if (const Status s = instance.storage().notify(kSchedulesChangedChannel); !s)
        qCWarning(lcScheduler, "%s", qPrintable(s.error().message));
    qCInfo(lcScheduler, "schedule %s (%s) %s", qPrintable(name), qPrintable(st.locationName),
           starting ? "started" : "stopped");
    auto refreshed = findSchedule(instance, name, st.locationName, true, now);
    return refreshed ? refreshed : Result<ScheduleState>(st);
}

} // namespace

Result<ScheduleState> startSchedule(instance::Instance &instance, const QString &name,
                                    const QString &locationName, const QDateTime &now)
{
    return setStatus(instance, name, locationName, kStatusRunning, now);
}

Result<ScheduleState> stopSchedule(instance::Instance &instance, const QString &name,
                                   const QString &locationName, const QDateTime &now)
{
    return setStatus(instance, name, locationName, kStatusStopped, now);
}

Result<QList<storage::Tick>> scheduleTicks(instance::Instance &instance, const QString &name,
                                           const QString &locationName, int limit)
{
    storage::Storage &storage = instance.storage();
    QStringList locations;
    if (!locationName.isEmpty()) {
        locations << locationName;
    } else {
        const auto stored = storage.schedules().instigators();
        if (!stored)
            return stored.error();
        for (const storage::InstigatorState &s : *stored) {
            if (s.name == name)
                locations << s.locationName;
        }
        if (instance.workspace()) {
            for (const config::CodeLocationConfig &l : instance.workspace()->locations)
                locations << l.locationName;
        }
        locations.removeDuplicates();
    }
    QList<storage::Tick> all;
    for (const QString &location : std::as_const(locations)) {
        const auto ticks = storage.schedules().ticks(location, name, limit);
        if (!ticks)
            return ticks.error();
        all << *ticks;
    }
    std::stable_sort(all.begin(), all.end(), [](const storage::Tick &a, const storage::Tick &b) {
        return a.timestamp > b.timestamp;
    });
    return all.mid(0, limit);
}

// ---- the daemon's pass --------------------------------------------------------------------------

SchedulerOptions SchedulerOptions::fromConfig(const config::SchedulerConfig &config)
{
    SchedulerOptions o;
    o.maxCatchupRuns = config.maxCatchupRuns;
    o.maxTickRetries = config.maxTickRetries;
    return o;
}

DaemonScheduler::DaemonScheduler(std::shared_ptr<instance::Instance> instance, SchedulerOptions options)
    : m_instance(std::move(instance))
    , m_options(std::move(options))
{ }

namespace {

struct Pass
{
    instance::Instance &instance;
    const SchedulerOptions &options;
    QHash<qint64, QDateTime> &startedSeen;
    const QDateTime now;
    PassReport report;

    storage::Storage &storage() { return instance.storage(); }

    // Reported by the daemon loop (log and heartbeat) through tick().
    void error(const QString &line) { report.errors << line; }

    Status update(storage::Tick &tick)
    {
        const Status s = storage().schedules().updateTick(tick);
        if (s)
            report.ticks << tick;
        return s;
    }

    // Submits the tick's run and records the outcome. Safe to repeat for one due time: the run id
    // is derived from it, so a second evaluation finds the run instead of creating another.
    void evaluate(const QString &location, const execution::ScheduleDefinition &def, const CronSchedule &cron,
                  storage::Tick tick)
    {
        const QString runId = scheduledRunId(location, def.name, tick.timestamp);
        const auto existing = storage().runs().run(runId);
        if (existing && existing->has_value()) {
            tick.status = kTickSuccess;
            tick.runIds = QStringList { runId };
            tick.error.clear();
            if (const Status s = update(tick); !s)
                error(s.error().message);
            return;
        }
        launcher::SubmitRequest request;
        request.jobName = def.jobName;
        request.locationName = location;
        request.runConfig = def.runConfig;
        request.tags = def.tags;
        request.tags.insert(kScheduleNameTag, def.name);
        request.tags.insert(kTickTag, QString::number(tick.id));
        request.tags.insert(kRunKeyTag, scheduledRunKey(def.name, tick.timestamp));
        request.tags.insert(kScheduledExecutionTimeTag,
                            tick.timestamp.toTimeZone(cron.timeZone()).toString(Qt::ISODate));
        request.runId = runId;
        const auto outcome = launcher::submitRun(instance, request);
        if (!outcome && outcome.error().code == QLatin1StringView("storage.duplicate")) {
            tick.status = kTickSuccess; // another daemon created it a moment ago
            tick.runIds = QStringList { runId };
            tick.error.clear();
        } else if (!outcome) {
            tick.status = kTickFailure;
            tick.error = outcome.error().message;
            ++tick.failureCount;
            // A run that was stored but could not be launched still belongs to this tick.
            if (const auto stored = storage().runs().run(runId); stored && stored->has_value())
                tick.runIds = QStringList { runId };
        } else if (!outcome->violations.isEmpty()) {
            QStringList problems;
            for (const codelocation::Violation &v : outcome->violations)
                problems << (v.path.isEmpty() ? v.message : v.path + QStringLiteral(": ") + v.message);
            tick.status = kTickFailure;
            tick.error = QStringLiteral("the run config of schedule \"%1\" is not valid for job \"%2\": %3")
                             .arg(def.name, def.jobName, problems.join(QStringLiteral("; ")));
            ++tick.failureCount;
        } else {
            tick.status = kTickSuccess;
            tick.runIds = QStringList { outcome->run->runId };
            tick.error.clear();
        }
        if (tick.status == kTickFailure)
            qCWarning(lcScheduler, "schedule %s (%s): tick %s FAILURE: %s", qPrintable(def.name),
                      qPrintable(location), qPrintable(isoUtc(tick.timestamp)), qPrintable(tick.error));
        else
            qCInfo(lcScheduler, "schedule %s (%s): tick %s %s, run %s", qPrintable(def.name),
                   qPrintable(location), qPrintable(isoUtc(tick.timestamp)), qPrintable(tick.status),
                   qPrintable(tick.runIds.join(u',')));
        if (const Status s = update(tick); !s)
            error(s.error().message);
    }

    // Claims a due time; nullopt when another daemon (or an earlier pass) has it.
    std::optional<storage::Tick> claim(const QString &location, const QString &name, const QDateTime &due,
                                       QLatin1StringView status, const QString &skipReason = {})
    {
        storage::Tick tick;
        tick.instigatorName = name;
        tick.locationName = location;
        tick.timestamp = due.toUTC();
        tick.status = status;
        tick.skipReason = skipReason;
        const auto id = storage().schedules().claimTick(tick);
        if (!id) {
            error(QStringLiteral("schedule %1 (%2): %3").arg(name, location, id.error().message));
            return std::nullopt;
        }
        if (!id->has_value())
            return std::nullopt;
        tick.id = **id;
        return tick;
    }

    void schedule(const QString &location, const execution::ScheduleDefinition &def,
                  const std::optional<storage::InstigatorState> &stored)
    {
        if (effectiveStatus(def, stored).status != kStatusRunning)
            return;
        const auto cron = CronSchedule::create(def.cronSchedule, def.executionTimezone);
        if (!cron) {
            error(QStringLiteral("schedule %1 (%2): %3").arg(def.name, location, cron.error().message));
            return;
        }
        QDateTime from;
        if (stored) {
            from = stored->updatedAt; // since it was started (or first seen running by default)
        } else {
            // RUNNING by default and seen for the first time: due times count from now on.
            storage::InstigatorState first {
                def.name, location, def.cronSchedule, def.executionTimezone, QString(kStatusDeclaredInCode),
                now
            };
            if (const Status s = storage().schedules().upsertInstigator(first); !s) {
                error(s.error().message);
                return;
            }
            from = now;
        }

        QString tickError;
        const auto last = latestTick(storage(), location, def.name, &tickError);
        if (!tickError.isEmpty()) {
            error(QStringLiteral("schedule %1 (%2): %3").arg(def.name, location, tickError));
            return;
        }
        if (last) {
            from = std::max(from, last->timestamp);
            if (last->status == kTickStarted) {
                // Left STARTED by a daemon that died before finishing it, or in flight in another
                // daemon right now: resume it once it has been STARTED for a while.
                const QDateTime seen = startedSeen.value(last->id, now);
                startedSeen.insert(last->id, seen);
                if (seen.msecsTo(now) >= 2 * options.maxSleep.count()) {
                    qCInfo(lcScheduler, "schedule %s (%s): resuming tick %s left STARTED",
                           qPrintable(def.name), qPrintable(location), qPrintable(isoUtc(last->timestamp)));
                    startedSeen.remove(last->id);
                    evaluate(location, def, *cron, *last);
                }
            } else if (last->status == kTickFailure && last->failureCount <= options.maxTickRetries) {
                qCInfo(lcScheduler, "schedule %s (%s): retrying tick %s (failure %d of at most %d retries)",
                       qPrintable(def.name), qPrintable(location), qPrintable(isoUtc(last->timestamp)),
                       last->failureCount, options.maxTickRetries);
                evaluate(location, def, *cron, *last);
            }
        }

        const int runnable = def.catchUp ? std::max(1, options.maxCatchupRuns) : 1;
        const QList<QDateTime> due =
            cron->latestFireTimes(from, now, runnable + std::max(0, options.maxSkippedTicksRecorded));
        const qsizetype skipped = std::max<qsizetype>(0, due.size() - runnable);
        if (skipped > 0) {
            qCInfo(lcScheduler,
                   "schedule %s (%s): %lld due time(s) since %s were missed; running the latest %d",
                   qPrintable(def.name), qPrintable(location), static_cast<long long>(skipped),
                   qPrintable(isoUtc(due.first())), runnable);
        }
        const QString reason = def.catchUp
            ? QStringLiteral("missed while no scheduler was running; only the latest %1 missed due times run "
                             "(scheduler max_catchup_runs)")
                  .arg(runnable)
            : QStringLiteral("missed while no scheduler was running; only the latest missed due time runs");
        for (qsizetype i = 0; i < due.size(); ++i) {
            if (i < skipped) {
                if (auto tick = claim(location, def.name, due[i], kTickSkipped, reason))
                    report.ticks << *tick;
                continue;
            }
            if (auto tick = claim(location, def.name, due[i], kTickStarted))
                evaluate(location, def, *cron, *tick);
        }

        const QDateTime next = cron->next(now);
        if (next.isValid() && (!report.nextDue.isValid() || next < report.nextDue))
            report.nextDue = next;
    }
};

} // namespace

PassReport DaemonScheduler::runPass(const QDateTime &now)
{
    Pass pass { *m_instance, m_options, m_startedSeen, now.toUTC(), {} };
    const auto &workspace = m_instance->workspace();
    if (workspace) {
        for (const config::CodeLocationConfig &location : workspace->locations) {
            const codelocation::Client client(location.address(), m_options.locationDeadline);
            const auto defs = client.listSchedules();
            if (!defs) {
                pass.error(
                    QStringLiteral("location %1: %2").arg(location.locationName, defs.error().message));
                continue;
            }
            if (defs->isEmpty())
                continue;
            const auto stored = m_instance->storage().schedules().instigators(location.locationName);
            if (!stored) {
                pass.error(stored.error().message);
                continue;
            }
            QHash<QString, storage::InstigatorState> byName;
            for (const storage::InstigatorState &s : *stored)
                byName.insert(s.name, s);
            for (const execution::ScheduleDefinition &def : *defs) {
                const auto it = byName.constFind(def.name);
                pass.schedule(location.locationName, def,
                              it == byName.cend() ? std::nullopt : std::make_optional(*it));
            }
        }
    }
    m_nextDue = pass.report.nextDue;
    m_lastPassFailed = !pass.report.errors.isEmpty();
    return pass.report;
}

Status DaemonScheduler::tick()
{
    const PassReport report = runPass(QDateTime::currentDateTimeUtc());
    if (!report.errors.isEmpty())
        return Error { QStringLiteral("scheduler.pass"), report.errors.join(QStringLiteral("; ")) };
    return {};
}

std::chrono::milliseconds DaemonScheduler::untilNextPass(const QDateTime &now) const
{
    const std::chrono::milliseconds cap =
        m_lastPassFailed ? std::min(m_options.errorRetry, m_options.maxSleep) : m_options.maxSleep;
    if (!m_nextDue.isValid())
        return cap;
    // One millisecond past the due time, so the pass that wakes finds it due.
    const qint64 wait = std::max<qint64>(0, now.msecsTo(m_nextDue) + 1);
    return std::min(cap, std::chrono::milliseconds(wait));
}

} // namespace lifdag::scheduler
