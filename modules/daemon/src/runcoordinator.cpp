#include "lifdag/daemon/runcoordinator.h"

#include "lifdag/daemon/daemon.h"

#include <lifdag/launcher/launcher.h>

namespace lifdag::daemon {

storage::ClaimPolicy claimPolicy(const config::RunCoordinatorConfig &coordinator)
{
    storage::ClaimPolicy policy;
    policy.maxConcurrentRuns = coordinator.maxConcurrentRuns;
    for (const config::TagConcurrencyLimit &l : coordinator.tagConcurrencyLimits)
        policy.tagLimits.append({ l.key, l.value, l.applyLimitPerUniqueValue, l.limit });
    return policy;
}

QueuedRunCoordinator::QueuedRunCoordinator(std::shared_ptr<instance::Instance> instance)
    : m_instance(std::move(instance))
{ }

Result<int> QueuedRunCoordinator::tick()
{
    const instance::Instance::LaunchConfig settings = m_instance->launchConfig();
    if (settings.runCoordinator.kind != config::RunCoordinatorConfig::Kind::Queued)
        return 0; // DefaultRunCoordinator: runs are launched at submission
    const auto claimed = m_instance->storage().runs().claimQueuedRuns(claimPolicy(settings.runCoordinator));
    if (!claimed)
        return claimed.error();
    int launched = 0;
    if (claimed->isEmpty())
        return launched;
    const auto runLauncher = launcher::makeRunLauncher(settings.runLauncher, *m_instance);
    for (const storage::RunRecord &run : *claimed) {
        if (const Status s = runLauncher->launch(run); !s) {
            qCWarning(lcDaemon, "run %s could not be launched: %s", qPrintable(run.runId),
                      qPrintable(s.error().message));
            continue;
        }
        ++launched;
    }
    return launched;
}

} // namespace lifdag::daemon
