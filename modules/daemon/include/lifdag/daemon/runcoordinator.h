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
    explicit QueuedRunCoordinator(std::shared_ptr<instance::Instance> instance);

    // One pass: claims QUEUED runs (atomically, safe with several daemons) and launches each.
    // Returns how many were launched; a run whose launch fails ends FAILURE and is counted out.
    Result<int> tick();

private:
    std::shared_ptr<instance::Instance> m_instance;
};

} // namespace lifdag::daemon
