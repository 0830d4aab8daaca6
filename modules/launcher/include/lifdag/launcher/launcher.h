// Submitting runs (run coordinator semantics) and launching them with the configured run launcher.
#pragma once

#include <lifdag/codelocation/client.h>
#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/runlauncher.h>

#include <QJsonObject>
#include <QLoggingCategory>
#include <QMap>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcLauncher)

namespace lifdag::launcher {

struct SubmitRequest
{
    QString jobName;
    QString locationName; // empty: the workspace's only location
    QJsonObject runConfig;
    QMap<QString, QString> tags;
    QString parentRunId;
    QString rootRunId;
    // Empty: a new UUID. A fixed id makes the submission idempotent: a second submission with the
    // same id fails with code "storage.duplicate" (the scheduler derives it from the tick).
    QString runId;
};

struct SubmitOutcome
{
    std::optional<storage::RunRecord> run; // set when the run was created
    QList<codelocation::Violation> violations; // set when the config was invalid (no run created)
};

// Validates the run config on the code location, stores the run and, under the
// DefaultRunCoordinator, launches it at once; under the QueuedRunCoordinator it stays QUEUED
// (RUN_ENQUEUED) for the daemon. Unknown jobs and unreachable locations are errors.
Result<SubmitOutcome> submitRun(instance::Instance &instance, const SubmitRequest &request);

// NOT_STARTED/QUEUED → STARTING, then the instance's run launcher (dagster.yaml `run_launcher`)
// launches it; see RunLauncher::launch.
Status launchRun(instance::Instance &instance, const storage::RunRecord &run);

} // namespace lifdag::launcher
