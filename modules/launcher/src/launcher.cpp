#include "lifdag/launcher/launcher.h"

#include <QUuid>

Q_LOGGING_CATEGORY(lcLauncher, "lifdag.launcher")

namespace lifdag::launcher {

namespace {

Status appendEvent(instance::Instance &instance, Event event)
{
    const auto ids = instance.storage().events().append({ std::move(event) });
    return ids ? Status {} : Status(ids.error());
}

Status failRun(instance::Instance &instance, const QString &runId, const QString &message)
{
    (void)appendEvent(instance, runEvent(runId, EventType::RunFailure, message, QStringLiteral("ERROR")));
    const auto moved = instance.storage().runs().transition(runId, RunStatus::Failure);
    return moved ? Status {} : Status(moved.error());
}

} // namespace

Result<SubmitOutcome> submitRun(instance::Instance &instance, const SubmitRequest &request)
{
    const auto location = instance.codeLocation(request.locationName);
    if (!location)
        return location.error();
    const codelocation::Client client(location->address());
    auto violations = client.validateRunConfig(request.jobName, request.runConfig);
    if (!violations)
        return violations.error();
    SubmitOutcome outcome;
    if (!violations->isEmpty()) {
        outcome.violations = std::move(violations).value();
        return outcome;
    }

    const bool queued = instance.config().runCoordinator.kind == config::RunCoordinatorConfig::Kind::Queued;
    storage::RunRecord run;
    run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    run.jobName = request.jobName;
    run.locationName = location->locationName;
    run.repositoryName = QStringLiteral("__repository__");
    run.status = queued ? RunStatus::Queued : RunStatus::NotStarted;
    run.runConfig = request.runConfig;
    run.tags = request.tags;
    run.priority = request.tags.value(QStringLiteral("dagster/priority")).toInt();
    run.parentRunId = request.parentRunId;
    run.rootRunId = request.rootRunId;
    if (const Status s = instance.storage().runs().addRun(run); !s)
        return s.error();
    if (queued) {
        if (const Status s = appendEvent(
                instance, runEvent(run.runId, EventType::RunEnqueued, QStringLiteral("Enqueued run.")));
            !s)
            return s.error();
        // Wakes the daemons' run coordinators at once (their interval is only the fallback).
        if (const Status s = instance.storage().notify(storage::kRunsQueuedChannel); !s)
            qCWarning(lcLauncher, "%s", qPrintable(s.error().message));
    } else if (const Status s = launchRun(instance, run); !s) {
        return s.error();
    }
    auto stored = instance.storage().runs().run(run.runId);
    if (!stored)
        return stored.error();
    outcome.run = stored->value_or(run);
    return outcome;
}

Status launchRun(instance::Instance &instance, const storage::RunRecord &run)
{
    const auto moved = instance.storage().runs().transition(run.runId, RunStatus::Starting,
                                                            { RunStatus::NotStarted, RunStatus::Queued });
    if (!moved)
        return moved.error();
    if (!*moved)
        return Error { QStringLiteral("launcher.not_launchable"),
                       QStringLiteral("run %1 is no longer waiting to start").arg(run.runId) };
    return startOnLocation(instance, run);
}

Status startOnLocation(instance::Instance &instance, const storage::RunRecord &run)
{
    if (const Status s = appendEvent(
            instance,
            runEvent(run.runId, EventType::RunStarting, QStringLiteral("Launching run in a new process.")));
        !s)
        return s;
    const auto location = instance.codeLocation(run.locationName);
    if (!location) {
        (void)failRun(instance, run.runId, location.error().message);
        return location.error();
    }
    const codelocation::Client client(location->address());
    const auto pid = client.startRun(run.runId);
    if (!pid) {
        (void)failRun(instance, run.runId,
                      QStringLiteral("Launching the run failed: %1").arg(pid.error().message));
        return pid.error();
    }
    qCInfo(lcLauncher, "run %s (%s) launched on %s, worker pid %lld", qPrintable(run.runId),
           qPrintable(run.jobName), qPrintable(location->locationName), *pid);
    return {};
}

} // namespace lifdag::launcher
