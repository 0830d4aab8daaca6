// Mutations: launching and re-executing runs, terminating and deleting them, reloading and shutting
// down code locations - each answering with Dagster's result unions, UnauthorizedError included.
#include "api_p.h"

#include <lifdag/execution/executor.h>
#include <lifdag/launcher/launcher.h>

namespace lifdag::graphqlapi::detail {

namespace {

using Args = const QJsonObject &;

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

Value launched(const storage::RunRecord &run)
{
    return Value::source(runValue(run), QStringLiteral("LaunchRunSuccess"));
}

Value conflicting(const QString &message)
{
    return Value(typed("ConflictingExecutionParamsError", { { QStringLiteral("message"), message } }));
}

// The launch both launchPipelineExecution and launchRun perform (and re-execution after it).
Value launch(RequestState &s, const QJsonObject &params, const QString &parentRunId = {},
             const QString &rootRunId = {}, const QMap<QString, QString> &inheritedTags = {})
{
    if (!allowed(s.context, Role::Launcher))
        return Value(unauthorized(s.context, QStringLiteral("launch runs")));
    const QJsonObject selector = params.value(QLatin1StringView("selector")).toObject();
    const QString locationName = selector.value(QLatin1StringView("repositoryLocationName")).toString();
    const QString repo = selector.value(QLatin1StringView("repositoryName")).toString();
    const QString pipelineName = selector.value(QLatin1StringView("pipelineName")).toString();
    const QString jobName = selector.value(QLatin1StringView("jobName")).toString();
    if (pipelineName.isEmpty() && jobName.isEmpty())
        return conflicting(QStringLiteral("The selector names no job: set jobName (or pipelineName)."));
    if (!pipelineName.isEmpty() && !jobName.isEmpty() && pipelineName != jobName)
        return conflicting(
            QStringLiteral("The selector names two jobs: pipelineName \"%1\" and jobName \"%2\".")
                .arg(pipelineName, jobName));
    const QString job = jobName.isEmpty() ? pipelineName : jobName;

    const auto location = s.location(locationName);
    if (!location)
        return Value(pipelineNotFound(locationName, repo, job));
    if (!location->error.isEmpty())
        return Value(pythonError(QStringLiteral("Code location \"%1\" (%2) is unavailable: %3")
                                     .arg(locationName, location->config.address(), location->error),
                                 QStringLiteral("lifdag::codelocation::Unavailable")));
    const codelocation::JobInfo *info = location->job(job);
    if (location->repositoryName() != repo || !info)
        return Value(pipelineNotFound(locationName, repo, job));

    const QStringList selection = stringList(selector.value(QLatin1StringView("solidSelection")));
    if (!selection.isEmpty() || !selector.value(QLatin1StringView("assetSelection")).toArray().isEmpty()
        || !selector.value(QLatin1StringView("assetCheckSelection")).toArray().isEmpty()) {
        QJsonObject e = typed(
            "InvalidSubsetError",
            { { QStringLiteral("message"),
                QStringLiteral("lifdag runs whole jobs: the selection %1 of job \"%2\" is not supported.")
                    .arg(selection.join(QStringLiteral(", ")), job) },
              { QStringLiteral("__location"), locationName },
              { QStringLiteral("__job"), job } });
        return Value(e);
    }
    if (!stringList(params.value(QLatin1StringView("stepKeys"))).isEmpty())
        return Value(typed("InvalidStepError",
                           { { QStringLiteral("invalidStepKey"),
                               stringList(params.value(QLatin1StringView("stepKeys"))).first() } }));
    const QJsonValue preset = params.value(QLatin1StringView("preset"));
    if (preset.isString() && !preset.toString().isEmpty()) {
        if (params.value(QLatin1StringView("runConfigData")).isObject())
            return conflicting(QStringLiteral("Set either a preset or runConfigData, not both."));
        return Value(
            typed("PresetNotFoundError",
                  { { QStringLiteral("message"),
                      QStringLiteral("Preset %1 not found in pipeline %2.").arg(preset.toString(), job) },
                    { QStringLiteral("preset"), preset } }));
    }
    const QJsonValue mode = params.value(QLatin1StringView("mode"));
    if (mode.isString() && !mode.toString().isEmpty() && mode.toString() != QLatin1StringView("default"))
        return Value(pythonError(
            QStringLiteral("Mode %1 not found in job %2: lifdag jobs have the mode \"default\" only.")
                .arg(mode.toString(), job),
            QStringLiteral("lifdag::ModeNotFound")));

    launcher::SubmitRequest request;
    request.jobName = job;
    request.locationName = locationName;
    request.runConfig = params.value(QLatin1StringView("runConfigData")).toObject();
    request.tags = inheritedTags;
    const QJsonObject metadata = params.value(QLatin1StringView("executionMetadata")).toObject();
    for (const QJsonValue &t : metadata.value(QLatin1StringView("tags")).toArray())
        request.tags.insert(t.toObject().value(QLatin1StringView("key")).toString(),
                            t.toObject().value(QLatin1StringView("value")).toString());
    request.parentRunId =
        parentRunId.isEmpty() ? metadata.value(QLatin1StringView("parentRunId")).toString() : parentRunId;
    request.rootRunId =
        rootRunId.isEmpty() ? metadata.value(QLatin1StringView("rootRunId")).toString() : rootRunId;
    if (!request.parentRunId.isEmpty()) {
        request.tags.insert(QStringLiteral("dagster/parent_run_id"), request.parentRunId);
        request.tags.insert(QStringLiteral("dagster/root_run_id"),
                            request.rootRunId.isEmpty() ? request.parentRunId : request.rootRunId);
    }

    const auto outcome = launcher::submitRun(*s.instance, request);
    if (!outcome.ok()) {
        const Error &e = outcome.error();
        if (e.code == QLatin1StringView("codelocation.not_found"))
            return Value(pipelineNotFound(locationName, repo, job));
        if (e.code == QLatin1StringView("storage.duplicate"))
            return Value(typed("RunConflict", { { QStringLiteral("message"), e.message } }));
        qCWarning(lcGraphqlApi, "launching %s failed: %s", qPrintable(job), qPrintable(e.message));
        return Value(
            pythonError(e.message, QStringLiteral("lifdag::") + e.code.section(QLatin1Char('.'), 0, 0)));
    }
    if (!outcome->violations.isEmpty())
        return configValidationInvalid(job, outcome->violations, request.runConfig, info->configSchema);
    qCInfo(lcGraphqlApi, "launched run %s of %s (%s)", qPrintable(outcome->run->runId), qPrintable(job),
           qPrintable(runStatusName(outcome->run->status)));
    return launched(*outcome->run);
}

Value reexecute(RequestState &s, Args args)
{
    if (!allowed(s.context, Role::Launcher))
        return Value(unauthorized(s.context, QStringLiteral("re-execute runs")));
    const QJsonObject reexecution = args.value(QLatin1StringView("reexecutionParams")).toObject();
    const QJsonObject execution = args.value(QLatin1StringView("executionParams")).toObject();
    if (!reexecution.isEmpty()) {
        const QString parentId = reexecution.value(QLatin1StringView("parentRunId")).toString();
        const auto parent = s.instance->storage().runs().run(parentId);
        if (!parent.ok())
            return Value(pythonError(parent.error().message, QStringLiteral("lifdag::storage::Error")));
        if (!parent->has_value())
            return Value(pythonError(QStringLiteral("Run %1 could not be found.").arg(parentId),
                                     QStringLiteral("lifdag::RunNotFound")));
        const storage::RunRecord &p = **parent;
        if (reexecution.value(QLatin1StringView("strategy")).toString()
            == QLatin1StringView("FROM_FAILURE")) {
            if (p.status != RunStatus::Failure)
                return Value(pythonError(
                    QStringLiteral("Run %1 did not fail (its status is %2): re-execute it with ALL_STEPS.")
                        .arg(parentId, runStatusName(p.status)),
                    QStringLiteral("lifdag::InvalidReexecution")));
        }
        // Dagster's tags of the parent carry over; FROM_FAILURE makes the run worker reuse the
        // parent's successful step outputs, ALL_STEPS runs everything again.
        QMap<QString, QString> tags;
        for (auto it = p.tags.begin(); it != p.tags.end(); ++it)
            if ((!it.key().startsWith(QLatin1StringView("dagster/"))
                 || it.key() == QLatin1StringView("dagster/priority"))
                && it.key() != execution::kReexecuteFromFailureTag)
                tags.insert(it.key(), it.value());
        const QString strategy = reexecution.value(QLatin1StringView("strategy")).toString();
        if (strategy == QLatin1StringView("FROM_FAILURE"))
            tags.insert(QString(execution::kReexecuteFromFailureTag), p.runId);
        QJsonObject params { { QStringLiteral("selector"),
                               QJsonObject { { QStringLiteral("repositoryLocationName"), p.locationName },
                                             { QStringLiteral("repositoryName"),
                                               s.location(p.locationName)
                                                   ? s.location(p.locationName)->repositoryName()
                                                   : p.repositoryName },
                                             { QStringLiteral("jobName"), p.jobName } } },
                             { QStringLiteral("runConfigData"), p.runConfig } };
        return launch(s, params, p.runId, p.rootRunId.isEmpty() ? p.runId : p.rootRunId, tags);
    }
    if (execution.isEmpty())
        return conflicting(QStringLiteral(
            "Pass reexecutionParams (or executionParams with executionMetadata.parentRunId)."));
    const QJsonObject metadata = execution.value(QLatin1StringView("executionMetadata")).toObject();
    if (metadata.value(QLatin1StringView("parentRunId")).toString().isEmpty())
        return conflicting(
            QStringLiteral("executionParams for a re-execution need executionMetadata.parentRunId."));
    return launch(s, execution);
}

Value locationNotFound(const QString &name)
{
    return Value(
        typed("RepositoryLocationNotFound",
              { { QStringLiteral("message"), QStringLiteral("Location %1 does not exist.").arg(name) } }));
}

} // namespace

void addMutationResolvers(SchemaBuilder &b)
{
    for (const char *name : { "launchPipelineExecution", "launchRun" })
        b.resolve(QStringLiteral("Mutation"), QString::fromLatin1(name),
                  [](const Value &, Args args, const Context &ctx) -> FieldResult {
                      return launch(state(ctx), args.value(QLatin1StringView("executionParams")).toObject());
                  });
    for (const char *name : { "launchPipelineReexecution", "launchRunReexecution" })
        b.resolve(QStringLiteral("Mutation"), QString::fromLatin1(name),
                  [](const Value &, Args args, const Context &ctx) -> FieldResult {
                      return reexecute(state(ctx), args);
                  });
    b.resolve(QStringLiteral("LaunchRunSuccess"), QStringLiteral("run"),
              [](const Value &p, Args, const Context &) -> FieldResult { return *p.as<Value>(); });

    for (const char *name : { "terminatePipelineExecution", "terminateRun" })
        b.resolve(QStringLiteral("Mutation"), QString::fromLatin1(name),
                  [](const Value &, Args args, const Context &ctx) -> FieldResult {
                      RequestState &s = state(ctx);
                      if (!allowed(s.context, Role::Launcher))
                          return Value(unauthorized(s.context, QStringLiteral("terminate runs")));
                      return terminateRunValue(s, args.value(QLatin1StringView("runId")).toString(),
                                               args.value(QLatin1StringView("terminatePolicy")).toString()
                                                   == QLatin1StringView("MARK_AS_CANCELED_IMMEDIATELY"));
                  });
    b.resolve(QStringLiteral("Mutation"), QStringLiteral("terminateRuns"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const bool force = args.value(QLatin1StringView("terminatePolicy")).toString()
                      == QLatin1StringView("MARK_AS_CANCELED_IMMEDIATELY");
                  QList<Value> results;
                  for (const QJsonValue &id : args.value(QLatin1StringView("runIds")).toArray())
                      results.append(allowed(s.context, Role::Launcher)
                                         ? terminateRunValue(s, id.toString(), force)
                                         : Value(unauthorized(s.context, QStringLiteral("terminate runs"))));
                  return Value::source(results, QStringLiteral("TerminateRunsResult"));
              });
    b.resolve(QStringLiteral("TerminateRunsResult"), QStringLiteral("terminateRunResults"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value::list(*p.as<QList<Value>>());
              });

    for (const char *name : { "deletePipelineRun", "deleteRun" })
        b.resolve(
            QStringLiteral("Mutation"), QString::fromLatin1(name),
            [](const Value &, Args args, const Context &ctx) -> FieldResult {
                RequestState &s = state(ctx);
                if (!allowed(s.context, Role::Admin))
                    return Value(unauthorized(s.context, QStringLiteral("delete runs")));
                const QString runId = args.value(QLatin1StringView("runId")).toString();
                const auto run = s.instance->storage().runs().run(runId);
                if (!run.ok())
                    return Value(pythonError(run.error().message, QStringLiteral("lifdag::storage::Error")));
                if (!run->has_value())
                    return Value(runNotFound(runId));
                if (!isTerminal((*run)->status))
                    return Value(pythonError(QStringLiteral("Run %1 is %2: terminate it before deleting it.")
                                                 .arg(runId, runStatusName((*run)->status)),
                                             QStringLiteral("lifdag::RunStillLive")));
                const auto deleted = s.instance->storage().runs().deleteRun(runId);
                if (!deleted.ok())
                    return Value(
                        pythonError(deleted.error().message, QStringLiteral("lifdag::storage::Error")));
                if (!*deleted)
                    return Value(runNotFound(runId));
                qCInfo(lcGraphqlApi, "run %s deleted by %s", qPrintable(runId),
                       qPrintable(s.context.principal.isEmpty() ? roleName(s.context.role)
                                                                : s.context.principal));
                return Value(typed("DeletePipelineRunSuccess", { { QStringLiteral("runId"), runId } }));
            });

    b.resolve(QStringLiteral("Mutation"), QStringLiteral("reloadRepositoryLocation"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  if (!allowed(s.context, Role::Admin))
                      return Value(unauthorized(s.context, QStringLiteral("reload code locations")));
                  const QString name = args.value(QLatin1StringView("repositoryLocationName")).toString();
                  for (const config::CodeLocationConfig &c : s.configuredLocations()) {
                      if (c.locationName != name)
                          continue;
                      const auto reloaded = s.client(c)->reload();
                      s.forgetLocation(name);
                      if (!reloaded.ok())
                          qCWarning(lcGraphqlApi, "reloading code location %s failed: %s", qPrintable(name),
                                    qPrintable(reloaded.error().message));
                      // The entry shows the outcome: the location or its load error.
                      return Value(workspaceLocationEntry(s, c));
                  }
                  return locationNotFound(name);
              });
    b.resolve(QStringLiteral("Mutation"), QStringLiteral("reloadWorkspace"),
              [](const Value &, Args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  if (!allowed(s.context, Role::Admin))
                      return Value(unauthorized(s.context, QStringLiteral("reload the workspace")));
                  QJsonArray entries;
                  for (const config::CodeLocationConfig &c : s.configuredLocations()) {
                      const auto reloaded = s.client(c)->reload();
                      if (!reloaded.ok())
                          qCWarning(lcGraphqlApi, "reloading code location %s failed: %s",
                                    qPrintable(c.locationName), qPrintable(reloaded.error().message));
                      s.forgetLocation(c.locationName);
                      entries.append(workspaceLocationEntry(s, c));
                  }
                  return Value(typed("Workspace",
                                     { { QStringLiteral("id"), QStringLiteral("Workspace") },
                                       { QStringLiteral("locationEntries"), entries } }));
              });
    b.resolve(QStringLiteral("Mutation"), QStringLiteral("shutdownRepositoryLocation"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  if (!allowed(s.context, Role::Admin))
                      return Value(unauthorized(s.context, QStringLiteral("shut down code locations")));
                  const QString name = args.value(QLatin1StringView("repositoryLocationName")).toString();
                  for (const config::CodeLocationConfig &c : s.configuredLocations()) {
                      if (c.locationName != name)
                          continue;
                      const Status down = s.client(c)->shutdown();
                      s.forgetLocation(name);
                      if (!down.ok())
                          return Value(
                              pythonError(QStringLiteral("Shutting down code location \"%1\" failed: %2")
                                              .arg(name, down.error().message),
                                          QStringLiteral("lifdag::codelocation::Error")));
                      qCInfo(lcGraphqlApi, "code location %s shut down on request", qPrintable(name));
                      return Value(typed("ShutdownRepositoryLocationSuccess",
                                         { { QStringLiteral("repositoryLocationName"), name } }));
                  }
                  return locationNotFound(name);
              });
}

} // namespace lifdag::graphqlapi::detail
