// Run monitoring (dagster.yaml `run_monitoring`): no run stays live forever.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

#include <QDateTime>
#include <functional>
#include <memory>

namespace lifdag::daemon {

// One pass over the live runs, with the launcher dagster.yaml names at that moment:
// - STARTING longer than start_timeout_seconds, or whose worker already exited → FAILURE;
// - STARTED whose worker is gone (process exited, container gone, code location reports it exited)
//   → FAILURE "run worker exited unexpectedly (…)";
// - STARTED longer than max_runtime_seconds (or tag dagster/max_runtime) → terminated;
// - CANCELING longer than cancel_timeout_seconds, or whose worker is gone → worker force-stopped,
//   CANCELED.
// Every change is a compare-and-set on the run's status with an event saying why, so several
// daemons may monitor the same runs and a worker that ends its run at the same moment wins.
class RunMonitor
{
public:
    explicit RunMonitor(std::shared_ptr<instance::Instance> instance);

    // For tests: the clock the timeouts are measured with.
    void setClock(std::function<QDateTime()> now) { m_now = std::move(now); }

    // Returns how many runs it changed.
    Result<int> tick();

private:
    std::shared_ptr<instance::Instance> m_instance;
    std::function<QDateTime()> m_now;
};

} // namespace lifdag::daemon
