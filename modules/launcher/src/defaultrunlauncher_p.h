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
    // One channel per code location for the launcher's lifetime (a monitor pass checks many runs).
    Result<std::shared_ptr<codelocation::Client>> client(const QString &locationName);

    LauncherContext m_context;
    QHash<QString, std::shared_ptr<codelocation::Client>> m_clients;
};

} // namespace lifdag::launcher::detail
