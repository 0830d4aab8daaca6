#include "lifdag/daemon/runcoordinator.h"

#include "lifdag/daemon/daemon.h"

#include <lifdag/launcher/launcher.h>

#include <QSemaphore>
#include <QThreadPool>

#include <atomic>

namespace lifdag::daemon {

storage::ClaimPolicy claimPolicy(const config::RunCoordinatorConfig &coordinator)
{
    storage::ClaimPolicy policy;
    policy.maxConcurrentRuns = coordinator.maxConcurrentRuns;
    for (const config::TagConcurrencyLimit &l : coordinator.tagConcurrencyLimits)
        policy.tagLimits.append({ l.key, l.value, l.applyLimitPerUniqueValue, l.limit });
    return policy;
}

struct QueuedRunCoordinator::Private
{
    std::shared_ptr<instance::Instance> instance;
    // Threads that stay (each keeps its storage connection between passes).
    QThreadPool launchPool;
};

QueuedRunCoordinator::QueuedRunCoordinator(std::shared_ptr<instance::Instance> instance, int launchThreads)
    : d(std::make_unique<Private>())
{
    d->instance = std::move(instance);
    d->launchPool.setMaxThreadCount(std::max(1, launchThreads - 1)); // the pass's own thread launches too
    d->launchPool.setExpiryTimeout(-1);
}

QueuedRunCoordinator::~QueuedRunCoordinator()
{
    d->launchPool.waitForDone();
}

Result<int> QueuedRunCoordinator::tick()
{
    const instance::Instance::LaunchConfig settings = d->instance->launchConfig();
    if (settings.runCoordinator.kind != config::RunCoordinatorConfig::Kind::Queued)
        return 0; // DefaultRunCoordinator: runs are launched at submission
    const auto claimed = d->instance->storage().runs().claimQueuedRuns(claimPolicy(settings.runCoordinator));
    if (!claimed)
        return claimed.error();
    const QList<storage::RunRecord> runs = *claimed;
    std::atomic<int> launched { 0 };
    auto launch = [&](const storage::RunRecord &run) {
        const auto runLauncher = launcher::makeRunLauncher(settings.runLauncher, *d->instance);
        if (const Status s = runLauncher->launch(run); !s) {
            qCWarning(lcDaemon, "run %s could not be launched: %s", qPrintable(run.runId),
                      qPrintable(s.error().message));
            return;
        }
        ++launched;
    };
    // All but the first on the pool's threads, the first on this one; then wait for the others.
    QSemaphore done;
    for (qsizetype i = 1; i < runs.size(); ++i) {
        d->launchPool.start([&, i] {
            launch(runs.at(i));
            done.release();
        });
    }
    if (!runs.isEmpty())
        launch(runs.first());
    done.acquire(int(std::max<qsizetype>(0, runs.size() - 1)));
    return launched.load();
}

} // namespace lifdag::daemon
