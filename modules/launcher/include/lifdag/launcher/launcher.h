// Submitting runs (run coordinator semantics) and launching them on a code location.
#pragma once

#include <lifdag/codelocation/client.h>
#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

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

// DefaultRunLauncher: NOT_STARTED/QUEUED → STARTING, then startOnLocation().
Status launchRun(instance::Instance &instance, const storage::RunRecord &run);

// For a run already STARTING (e.g. dequeued by the daemon): RUN_STARTING, then the location's
// StartRun. A launch that fails ends the run FAILURE with a RUN_FAILURE event saying why.
Status startOnLocation(instance::Instance &instance, const storage::RunRecord &run);

} // namespace lifdag::launcher
