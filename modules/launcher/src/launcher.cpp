#include "lifdag/launcher/launcher.h"

#include "launcher_p.h"

#include <QUuid>

Q_LOGGING_CATEGORY(lcLauncher, "lifdag.launcher")

namespace lifdag::launcher {

Result<SubmitOutcome> submitRun(instance::Instance &instance, const SubmitRequest &request)
{
    const auto location = instance.codeLocation(request.locationName);
    if (!location)
        return location.error();
    const auto client = codelocation::Client::shared(location->address());
    auto violations = client->validateRunConfig(request.jobName, request.runConfig);
    if (!violations)
        return violations.error();
    SubmitOutcome outcome;
    if (!violations->isEmpty()) {
        outcome.violations = std::move(violations).value();
        return outcome;
    }

    const bool queued =
        instance.launchConfig().runCoordinator.kind == config::RunCoordinatorConfig::Kind::Queued;
    storage::RunRecord run;
    run.runId = request.runId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : request.runId;
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
        if (const Status s = detail::appendEvent(
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
    return makeRunLauncher(instance.launchConfig().runLauncher, instance)->launch(run);
}

} // namespace lifdag::launcher
