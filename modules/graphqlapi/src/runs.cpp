// Runs: Run objects over stored run records, their stats and step stats from the event log, run
// queries and Dagster's termination.
#include "api_p.h"

#include <lifdag/launcher/runlauncher.h>

#include <QCryptographicHash>
#include <QTimeZone>

namespace lifdag::graphqlapi::detail {

double epochSeconds(const QDateTime &t)
{
    return double(t.toMSecsSinceEpoch()) / 1000.0;
}

namespace {

QJsonValue optionalTime(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(epochSeconds(t)) : QJsonValue();
}

QJsonValue optionalString(const QString &s)
{
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}

const storage::RunRecord &rec(const Value &v)
{
    return v.as<RunSource>()->record;
}

bool canTerminate(RunStatus s)
{
    return !isTerminal(s) && s != RunStatus::Canceling;
}

QJsonObject statsJson(const storage::RunRecord &run, const QList<Event> &events)
{
    int succeeded = 0;
    int failed = 0;
    QDateTime enqueued;
    QDateTime launched;
    QDateTime started;
    for (const Event &e : events) {
        if (e.eventType == QLatin1StringView(EventType::StepSuccess))
            ++succeeded;
        else if (e.eventType == QLatin1StringView(EventType::StepFailure))
            ++failed;
        else if (e.eventType == QLatin1StringView(EventType::RunEnqueued) && !enqueued.isValid())
            enqueued = e.timestamp;
        else if (e.eventType == QLatin1StringView(EventType::RunStarting) && !launched.isValid())
            launched = e.timestamp;
        else if (e.eventType == QLatin1StringView(EventType::RunStart) && !started.isValid())
            started = e.timestamp;
    }
    return typed("RunStatsSnapshot",
                 { { QStringLiteral("id"), QString(QStringLiteral("stats-") + run.runId) },
                   { QStringLiteral("runId"), run.runId },
                   { QStringLiteral("stepsSucceeded"), succeeded },
                   { QStringLiteral("stepsFailed"), failed },
                   { QStringLiteral("materializations"), 0 },
                   { QStringLiteral("expectations"), 0 },
                   { QStringLiteral("enqueuedTime"), optionalTime(enqueued) },
                   { QStringLiteral("launchTime"), optionalTime(launched) },
                   { QStringLiteral("startTime"), optionalTime(started.isValid() ? started : run.startedAt) },
                   { QStringLiteral("endTime"), optionalTime(run.endedAt) } });
}

QJsonArray stepStatsJson(const storage::RunRecord &run, const QList<Event> &events)
{
    struct Step
    {
        QString status = QStringLiteral("IN_PROGRESS");
        QDateTime start;
        QDateTime end;
        QJsonArray attempts;
        QDateTime attemptStart;
    };
    QStringList order;
    QHash<QString, Step> steps;
    auto closeAttempt = [](Step &s, const QDateTime &at) {
        if (s.attemptStart.isValid()) {
            s.attempts.append(QJsonObject { { QStringLiteral("startTime"), epochSeconds(s.attemptStart) },
                                            { QStringLiteral("endTime"), optionalTime(at) } });
            s.attemptStart = QDateTime();
        }
    };
    for (const Event &e : events) {
        if (e.stepKey.isEmpty())
            continue;
        if (!steps.contains(e.stepKey))
            order.append(e.stepKey);
        Step &s = steps[e.stepKey];
        const QString &t = e.eventType;
        if (t == QLatin1StringView(EventType::StepStart)
            || t == QLatin1StringView(EventType::StepRestarted)) {
            if (!s.start.isValid())
                s.start = e.timestamp;
            closeAttempt(s, e.timestamp);
            s.attemptStart = e.timestamp;
            s.status = QStringLiteral("IN_PROGRESS");
        } else if (t == QLatin1StringView(EventType::StepSuccess)) {
            s.status = QStringLiteral("SUCCESS");
            s.end = e.timestamp;
            closeAttempt(s, e.timestamp);
        } else if (t == QLatin1StringView(EventType::StepFailure)) {
            s.status = QStringLiteral("FAILURE");
            s.end = e.timestamp;
            closeAttempt(s, e.timestamp);
        } else if (t == QLatin1StringView(EventType::StepSkipped)) {
            s.status = QStringLiteral("SKIPPED");
            s.end = e.timestamp;
        } else if (t == QLatin1StringView(EventType::StepUpForRetry)) {
            closeAttempt(s, e.timestamp);
        }
    }
    QJsonArray out;
    for (const QString &key : order) {
        Step &s = steps[key];
        if (isTerminal(run.status) && s.status == QLatin1StringView("IN_PROGRESS"))
            closeAttempt(s, run.endedAt);
        else if (s.attemptStart.isValid())
            closeAttempt(s, QDateTime());
        out.append(QJsonObject { { QStringLiteral("runId"), run.runId },
                                 { QStringLiteral("stepKey"), key },
                                 { QStringLiteral("status"), s.status },
                                 { QStringLiteral("startTime"), optionalTime(s.start) },
                                 { QStringLiteral("endTime"), optionalTime(s.end) },
                                 { QStringLiteral("attempts"), s.attempts },
                                 { QStringLiteral("markers"), QJsonArray() } });
    }
    return out;
}

Result<QJsonObject> eventConnection(RequestState &s, const storage::RunRecord &run,
                                    const QJsonValue &afterCursor, const QJsonValue &limitArg)
{
    qint64 after = 0;
    const QString cursor = afterCursor.toString();
    if (!cursor.isEmpty()) {
        bool ok = false;
        after = cursor.toLongLong(&ok);
        if (!ok || after < 0)
            return Error { QStringLiteral("graphqlapi.cursor"),
                           QStringLiteral(
                               "Invalid cursor \"%1\": pass the cursor of a previous EventConnection.")
                               .arg(cursor.left(100)) };
    }
    const int limit = limitArg.isDouble() ? qBound(1, limitArg.toInt(), 100000) : 100000;
    auto events = s.instance->storage().events().events(run.runId, after, limit + 1);
    if (!events.ok())
        return events.error();
    const bool hasMore = events->size() > limit;
    if (hasMore)
        events->resize(limit);
    QJsonArray out;
    for (const Event &e : *events)
        out.append(eventJson(e, run.jobName));
    return typed("EventConnection",
                 { { QStringLiteral("events"), out },
                   { QStringLiteral("cursor"),
                     events->isEmpty() ? cursor : QString::number(events->last().storageId) },
                   { QStringLiteral("hasMore"), hasMore } });
}

QJsonObject originJson(const storage::RunRecord &r)
{
    const QString id = QString::fromLatin1(
        QCryptographicHash::hash((r.locationName + QLatin1Char('|') + r.repositoryName).toUtf8(),
                                 QCryptographicHash::Sha1)
            .toHex());
    return QJsonObject { { QStringLiteral("id"), id },
                         { QStringLiteral("repositoryLocationName"), r.locationName },
                         { QStringLiteral("repositoryName"),
                           r.repositoryName.isEmpty() ? QStringLiteral("__repository__") : r.repositoryName },
                         { QStringLiteral("repositoryLocationMetadata"), QJsonArray() } };
}

// RunsFilter → storage filter; `post` keeps filters storage cannot apply. Error: filter invalid.
struct RunsQuery
{
    storage::RunFilter filter;
    QDateTime updatedAfter;
    QDateTime updatedBefore;
    bool matchesNothing = false;
};

Result<RunsQuery> runsQuery(const QJsonObject &f)
{
    RunsQuery q;
    for (const QJsonValue &id : f.value(QLatin1StringView("runIds")).toArray())
        if (id.isString())
            q.filter.runIds.append(id.toString());
    if (f.value(QLatin1StringView("runIds")).isArray() && q.filter.runIds.isEmpty())
        q.matchesNothing = true; // runIds: [] selects no run
    q.filter.jobName = f.value(QLatin1StringView("pipelineName")).toString();
    for (const QJsonValue &t : f.value(QLatin1StringView("tags")).toArray())
        q.filter.tags.insert(t.toObject().value(QLatin1StringView("key")).toString(),
                             t.toObject().value(QLatin1StringView("value")).toString());
    for (const QJsonValue &st : f.value(QLatin1StringView("statuses")).toArray()) {
        const auto status = runStatusFromName(st.toString());
        if (!status) {
            if (st.toString() == QLatin1StringView("MANAGED"))
                continue; // lifdag has no externally managed runs
            return Error { QStringLiteral("graphqlapi.filter"),
                           QStringLiteral("Unknown run status %1.").arg(st.toString()) };
        }
        q.filter.statuses.append(*status);
    }
    if (f.value(QLatin1StringView("statuses")).isArray()
        && !f.value(QLatin1StringView("statuses")).toArray().isEmpty() && q.filter.statuses.isEmpty())
        q.matchesNothing = true;
    auto time = [&](const char *key) {
        const QJsonValue v = f.value(QLatin1StringView(key));
        return v.isDouble() ? QDateTime::fromMSecsSinceEpoch(qint64(v.toDouble() * 1000.0), QTimeZone::utc())
                            : QDateTime();
    };
    q.filter.createdAfter = time("createdAfter");
    q.filter.createdBefore = time("createdBefore");
    q.updatedAfter = time("updatedAfter");
    q.updatedBefore = time("updatedBefore");
    if (f.value(QLatin1StringView("snapshotId")).isString())
        q.matchesNothing = true; // lifdag keeps no job snapshots
    const QJsonValue mode = f.value(QLatin1StringView("mode"));
    if (mode.isString() && mode.toString() != QLatin1StringView("default"))
        q.matchesNothing = true;
    return q;
}

bool keeps(const RunsQuery &q, const storage::RunRecord &r)
{
    if (q.updatedAfter.isValid() && !(r.updatedAt > q.updatedAfter))
        return false;
    if (q.updatedBefore.isValid() && !(r.updatedAt < q.updatedBefore))
        return false;
    return true;
}

// A page of runs (all of them, up to the configured cap, without `limit`).
Result<QList<storage::RunRecord>> fetchRuns(RequestState &s, const RunsQuery &q, const QJsonValue &cursor,
                                            const QJsonValue &limitArg)
{
    QList<storage::RunRecord> out;
    if (q.matchesNothing)
        return out;
    const bool limited = limitArg.isDouble();
    const qint64 wanted =
        limited ? qMax<qint64>(0, limitArg.toInteger()) : s.options->maxRunsWithoutLimit + 1;
    QString next = cursor.toString();
    storage::RunStorage &runs = s.instance->storage().runs();
    while (out.size() < wanted) {
        const int pageSize = int(qMin<qint64>(wanted - out.size(), 1000));
        const auto page = runs.runs(q.filter, pageSize, next);
        if (!page.ok())
            return page.error();
        for (const storage::RunRecord &r : page->runs)
            if (keeps(q, r))
                out.append(r);
        next = page->nextCursor;
        if (next.isEmpty())
            break;
    }
    if (!limited && out.size() > s.options->maxRunsWithoutLimit)
        return Error { QStringLiteral("graphqlapi.too_many_runs"),
                       QStringLiteral("More than %1 runs match; pass a limit (and page with cursor).")
                           .arg(s.options->maxRunsWithoutLimit) };
    return out;
}

Value runOrError(RequestState &s, const QString &runId)
{
    const auto run = s.instance->storage().runs().run(runId);
    if (!run.ok())
        return Value(pythonError(run.error().message, QStringLiteral("lifdag::storage::Error")));
    if (!run->has_value())
        return Value(runNotFound(runId));
    return runValue(**run);
}

Result<storage::RunRecord> freshRun(RequestState &s, const QString &runId)
{
    const auto run = s.instance->storage().runs().run(runId);
    if (!run.ok())
        return run.error();
    if (!run->has_value())
        return Error { QStringLiteral("storage.not_found"),
                       QStringLiteral("Run %1 could not be found.").arg(runId) };
    return **run;
}

void record(RequestState &s, const Event &e)
{
    if (const auto ids = s.instance->storage().events().append({ e }); !ids.ok())
        qCWarning(lcGraphqlApi, "could not record %s for run %s: %s", qPrintable(e.eventType),
                  qPrintable(e.runId), qPrintable(ids.error().message));
}

QString requester(const RequestContext &c)
{
    return c.principal.isEmpty() ? QStringLiteral("GraphQL request") : c.principal;
}

} // namespace

Value runValue(const storage::RunRecord &record)
{
    return Value::source(RunSource { record }, QStringLiteral("Run"));
}

Value terminateRunValue(RequestState &s, const QString &runId, bool markCanceledImmediately)
{
    auto current = freshRun(s, runId);
    if (!current.ok())
        return current.error().code == QLatin1StringView("storage.not_found")
            ? Value(runNotFound(runId))
            : Value(pythonError(current.error().message, QStringLiteral("lifdag::storage::Error")));
    storage::RunRecord run = current.value();
    storage::RunStorage &runs = s.instance->storage().runs();
    auto failure = [&](const QString &message) {
        auto fresh = freshRun(s, runId);
        return Value::source(std::make_pair(runValue(fresh.ok() ? fresh.value() : run), message),
                             QStringLiteral("TerminateRunFailure"));
    };
    auto success = [&]() {
        auto fresh = freshRun(s, runId);
        return Value::source(runValue(fresh.ok() ? fresh.value() : run),
                             QStringLiteral("TerminateRunSuccess"));
    };
    if (isTerminal(run.status))
        return failure(QStringLiteral("Run %1 could not be terminated due to having status %2.")
                           .arg(runId, runStatusName(run.status)));
    const QString who = requester(s.context);
    if (run.status == RunStatus::Queued || run.status == RunStatus::NotStarted) {
        const auto moved =
            runs.transition(runId, RunStatus::Canceled, { RunStatus::Queued, RunStatus::NotStarted });
        if (!moved.ok())
            return Value(pythonError(moved.error().message, QStringLiteral("lifdag::storage::Error")));
        if (*moved) {
            record(s,
                   runEvent(runId, EventType::RunCanceled,
                            QStringLiteral("Run canceled before it started (requested by %1).").arg(who)));
            return success();
        }
        auto again = freshRun(s, runId); // dequeued meanwhile: stop it as a live run
        if (!again.ok())
            return Value(pythonError(again.error().message, QStringLiteral("lifdag::storage::Error")));
        run = again.value();
        if (isTerminal(run.status))
            return success();
    }
    if (run.status != RunStatus::Canceling) {
        const auto moved =
            runs.transition(runId, RunStatus::Canceling, { RunStatus::Starting, RunStatus::Started });
        if (!moved.ok())
            return Value(pythonError(moved.error().message, QStringLiteral("lifdag::storage::Error")));
        if (*moved)
            record(s,
                   runEvent(runId, EventType::RunCanceling,
                            QStringLiteral("Sending run termination request (requested by %1).").arg(who)));
    }
    const auto launcher = launcher::makeRunLauncher(s.instance->config().runLauncher, *s.instance);
    const auto signalled = launcher->terminate(run);
    const bool noWorker = signalled.ok() && !*signalled;
    if (markCanceledImmediately || noWorker) {
        const auto moved = runs.transition(runId, RunStatus::Canceled, {});
        if (moved.ok() && *moved)
            record(
                s,
                runEvent(runId, EventType::RunCanceled,
                         markCanceledImmediately
                             ? QStringLiteral("This run was forcibly marked as canceled (requested by %1).")
                                   .arg(who)
                             : QStringLiteral("Run canceled: its worker was no longer running."),
                         QStringLiteral("WARNING")));
        return success();
    }
    if (!signalled.ok())
        return failure(
            QStringLiteral("Unable to terminate run %1: %2").arg(runId, signalled.error().message));
    return success();
}

void addRunResolvers(SchemaBuilder &b)
{
    using Args = const QJsonObject &;
    using Getter = std::function<QJsonValue(const storage::RunRecord &, RequestState &)>;
    auto field = [&b](const char *name, Getter get) {
        b.resolve(QStringLiteral("Run"), QString::fromLatin1(name),
                  [get](const Value &p, Args, const Context &ctx) -> FieldResult {
                      return Value(get(rec(p), state(ctx)));
                  });
    };
    field("id", [](const storage::RunRecord &r, RequestState &) { return QJsonValue(r.runId); });
    field("runId", [](const storage::RunRecord &r, RequestState &) { return QJsonValue(r.runId); });
    field("pipelineSnapshotId", [](const storage::RunRecord &, RequestState &) { return QJsonValue(); });
    field("parentPipelineSnapshotId",
          [](const storage::RunRecord &, RequestState &) { return QJsonValue(); });
    field("repositoryOrigin", [](const storage::RunRecord &r, RequestState &) {
        return r.locationName.isEmpty() ? QJsonValue() : QJsonValue(originJson(r));
    });
    field("status",
          [](const storage::RunRecord &r, RequestState &) { return QJsonValue(runStatusName(r.status)); });
    field("pipeline", [](const storage::RunRecord &r, RequestState &) {
        return QJsonValue(typed(
            "UnknownPipeline",
            { { QStringLiteral("name"), r.jobName }, { QStringLiteral("solidSelection"), QJsonValue() } }));
    });
    field("pipelineName", [](const storage::RunRecord &r, RequestState &) { return QJsonValue(r.jobName); });
    field("jobName", [](const storage::RunRecord &r, RequestState &) { return QJsonValue(r.jobName); });
    for (const char *name :
         { "solidSelection", "resolvedOpSelection", "stepKeysToExecute", "rootConcurrencyKeys" })
        field(name, [](const storage::RunRecord &, RequestState &) { return QJsonValue(); });
    field("runConfigYaml",
          [](const storage::RunRecord &r, RequestState &) { return QJsonValue(toYaml(r.runConfig)); });
    field("runConfig", [](const storage::RunRecord &r, RequestState &) { return QJsonValue(r.runConfig); });
    field("mode",
          [](const storage::RunRecord &, RequestState &) { return QJsonValue(QStringLiteral("default")); });
    field("tags", [](const storage::RunRecord &r, RequestState &) {
        QJsonArray tags;
        for (auto it = r.tags.begin(); it != r.tags.end(); ++it)
            tags.append(
                QJsonObject { { QStringLiteral("key"), it.key() }, { QStringLiteral("value"), it.value() } });
        return QJsonValue(tags);
    });
    field("rootRunId",
          [](const storage::RunRecord &r, RequestState &) { return optionalString(r.rootRunId); });
    field("parentRunId",
          [](const storage::RunRecord &r, RequestState &) { return optionalString(r.parentRunId); });
    field("canTerminate",
          [](const storage::RunRecord &r, RequestState &) { return QJsonValue(canTerminate(r.status)); });
    field("creationTime",
          [](const storage::RunRecord &r, RequestState &) { return QJsonValue(epochSeconds(r.createdAt)); });
    field("startTime", [](const storage::RunRecord &r, RequestState &) { return optionalTime(r.startedAt); });
    field("endTime", [](const storage::RunRecord &r, RequestState &) { return optionalTime(r.endedAt); });
    field("updateTime",
          [](const storage::RunRecord &r, RequestState &) { return optionalTime(r.updatedAt); });
    field("hasReExecutePermission", [](const storage::RunRecord &, RequestState &s) {
        return QJsonValue(allowed(s.context, Role::Launcher));
    });
    field("hasTerminatePermission", [](const storage::RunRecord &, RequestState &s) {
        return QJsonValue(allowed(s.context, Role::Launcher));
    });
    field("hasDeletePermission", [](const storage::RunRecord &, RequestState &s) {
        return QJsonValue(allowed(s.context, Role::Admin));
    });
    field("hasConcurrencyKeySlots",
          [](const storage::RunRecord &, RequestState &) { return QJsonValue(false); });
    field("hasUnconstrainedRootNodes",
          [](const storage::RunRecord &, RequestState &) { return QJsonValue(true); });

    b.resolve(QStringLiteral("Run"), QStringLiteral("stats"),
              [](const Value &p, Args, const Context &ctx) -> FieldResult {
                  const auto events = state(ctx).events(rec(p).runId);
                  if (!events.ok())
                      return Value(
                          pythonError(events.error().message, QStringLiteral("lifdag::storage::Error")));
                  return Value(statsJson(rec(p), **events));
              });
    b.resolve(QStringLiteral("Run"), QStringLiteral("stepStats"),
              [](const Value &p, Args, const Context &ctx) -> FieldResult {
                  const auto events = state(ctx).events(rec(p).runId);
                  if (!events.ok())
                      return events.error();
                  return Value(stepStatsJson(rec(p), **events));
              });
    b.resolve(QStringLiteral("Run"), QStringLiteral("eventConnection"),
              [](const Value &p, Args args, const Context &ctx) -> FieldResult {
                  auto conn =
                      eventConnection(state(ctx), rec(p), args.value(QLatin1StringView("afterCursor")),
                                      args.value(QLatin1StringView("limit")));
                  if (!conn.ok())
                      return conn.error();
                  return Value(conn.value());
              });

    // Results carrying a run.
    b.resolve(QStringLiteral("TerminateRunSuccess"), QStringLiteral("run"),
              [](const Value &p, Args, const Context &) -> FieldResult { return *p.as<Value>(); });
    b.resolve(QStringLiteral("TerminateRunFailure"), QStringLiteral("run"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return p.as<std::pair<Value, QString>>()->first;
              });
    b.resolve(QStringLiteral("TerminateRunFailure"), QStringLiteral("message"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value(p.as<std::pair<Value, QString>>()->second);
              });

    for (const char *name : { "runOrError", "pipelineRunOrError" })
        b.resolve(QStringLiteral("Query"), QString::fromLatin1(name),
                  [](const Value &, Args args, const Context &ctx) -> FieldResult {
                      return runOrError(state(ctx), args.value(QLatin1StringView("runId")).toString());
                  });

    for (const char *name : { "runsOrError", "pipelineRunsOrError" })
        b.resolve(QStringLiteral("Query"), QString::fromLatin1(name),
                  [](const Value &, Args args, const Context &ctx) -> FieldResult {
                      RequestState &s = state(ctx);
                      const auto q = runsQuery(args.value(QLatin1StringView("filter")).toObject());
                      if (!q.ok())
                          return Value(typed("InvalidPipelineRunsFilterError",
                                             { { QStringLiteral("message"), q.error().message } }));
                      const auto runs = fetchRuns(s, *q, args.value(QLatin1StringView("cursor")),
                                                  args.value(QLatin1StringView("limit")));
                      if (!runs.ok())
                          return Value(runs.error().code == QLatin1StringView("graphqlapi.too_many_runs")
                                           ? typed("InvalidPipelineRunsFilterError",
                                                   { { QStringLiteral("message"), runs.error().message } })
                                           : pythonError(runs.error().message,
                                                         QStringLiteral("lifdag::storage::Error")));
                      QList<Value> results;
                      for (const storage::RunRecord &r : *runs)
                          results.append(runValue(r));
                      return Value::source(std::make_pair(*q, results), QStringLiteral("Runs"));
                  });
    b.resolve(QStringLiteral("Runs"), QStringLiteral("results"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value::list(p.as<std::pair<RunsQuery, QList<Value>>>()->second);
              });
    b.resolve(QStringLiteral("Runs"), QStringLiteral("count"),
              [](const Value &p, Args, const Context &ctx) -> FieldResult {
                  const RunsQuery &q = p.as<std::pair<RunsQuery, QList<Value>>>()->first;
                  if (q.matchesNothing)
                      return Value(0);
                  if (q.updatedAfter.isValid() || q.updatedBefore.isValid())
                      return Value(); // storage counts cannot apply update-time filters
                  const auto counts = state(ctx).instance->storage().runs().countByStatus(q.filter);
                  if (!counts.ok())
                      return counts.error();
                  qint64 total = 0;
                  for (const qint64 n : *counts)
                      total += n;
                  return Value(total);
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("runIdsOrError"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const auto q = runsQuery(args.value(QLatin1StringView("filter")).toObject());
                  if (!q.ok())
                      return Value(typed("InvalidPipelineRunsFilterError",
                                         { { QStringLiteral("message"), q.error().message } }));
                  const auto runs = fetchRuns(s, *q, args.value(QLatin1StringView("cursor")),
                                              args.value(QLatin1StringView("limit")));
                  if (!runs.ok())
                      return Value(
                          pythonError(runs.error().message, QStringLiteral("lifdag::storage::Error")));
                  QJsonArray ids;
                  for (const storage::RunRecord &r : *runs)
                      ids.append(r.runId);
                  return Value(typed("RunIds", { { QStringLiteral("results"), ids } }));
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("logsForRun"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QString runId = args.value(QLatin1StringView("runId")).toString();
                  auto run = freshRun(s, runId);
                  if (!run.ok())
                      return Value(
                          run.error().code == QLatin1StringView("storage.not_found")
                              ? runNotFound(runId)
                              : pythonError(run.error().message, QStringLiteral("lifdag::storage::Error")));
                  auto conn = eventConnection(s, run.value(), args.value(QLatin1StringView("afterCursor")),
                                              args.value(QLatin1StringView("limit")));
                  if (!conn.ok())
                      return Value(pythonError(conn.error().message, QStringLiteral("lifdag::Error")));
                  return Value(conn.value());
              });
}

} // namespace lifdag::graphqlapi::detail
