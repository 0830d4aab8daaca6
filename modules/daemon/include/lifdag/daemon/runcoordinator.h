// The QueuedRunCoordinator's dequeue pass: claim the runs that fit the limits, launch them.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

#include <memory>

namespace lifdag::daemon {

// dagster.yaml's run_coordinator limits as a storage claim policy.
storage::ClaimPolicy claimPolicy(const config::RunCoordinatorConfig &coordinator);

class QueuedRunCoordinator
{
public:
    // `launchThreads`: how many claimed runs are launched at once (a launch waits on the code
    // location or the container engine; several overlap when a pass claims several runs).
    explicit QueuedRunCoordinator(std::shared_ptr<instance::Instance> instance, int launchThreads = 4);
    ~QueuedRunCoordinator();

    // One pass: claims QUEUED runs (atomically, safe with several daemons) and launches each,
    // returning when every launch of the pass has ended. Returns how many were launched; a run
    // whose launch fails ends FAILURE and is counted out.
    Result<int> tick();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::daemon
