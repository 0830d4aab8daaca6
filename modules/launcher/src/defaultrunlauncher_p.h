// DefaultRunLauncher: the run's code location spawns `lifdag execute-run RUN_ID` (gRPC StartRun).
#pragma once

#include <lifdag/codelocation/client.h>
#include <lifdag/launcher/runlauncher.h>

#include <QHash>

namespace lifdag::launcher::detail {

class DefaultRunLauncher final : public RunLauncher
{
public:
    DefaultRunLauncher(instance::Instance &instance, const LauncherContext &context);

    QString className() const override { return QStringLiteral("DefaultRunLauncher"); }
    Result<bool> terminate(const storage::RunRecord &run) override;
    WorkerState checkWorker(const storage::RunRecord &run) override;

protected:
    Result<storage::WorkerInfo> startWorker(const storage::RunRecord &run) override;
    QString startingMessage(const storage::RunRecord &run) const override;

private:
    // The process-wide client of the run's code location (codelocation::Client::shared).
    Result<std::shared_ptr<codelocation::Client>> client(const QString &locationName);

    LauncherContext m_context;
};

} // namespace lifdag::launcher::detail
