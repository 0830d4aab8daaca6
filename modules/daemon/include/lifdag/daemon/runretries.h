// Run retries (dagster.yaml `run_retries`, tags dagster/max_retries and dagster/retry_strategy).
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

#include <QString>
#include <memory>

namespace lifdag::daemon {

// The id of the run that retries `failedRunId`: derived from it (a name-based UUID), so every
// failed run has at most one retry however many daemons see it fail.
QString retryRunId(const QString &failedRunId);

// One pass over the recently failed runs: each one with retries left (tag dagster/max_retries,
// else run_retries.max_retries; tag dagster/retry_number counts them) is submitted again as a
// new run with the same job and config, parent/root run ids, tags dagster/parent_run_id,
// dagster/root_run_id and dagster/retry_number. Strategy FROM_FAILURE (dagster/retry_strategy,
// the default) re-executes only the failed steps and what is downstream of them, reusing the
// parent's stored step outputs; ALL_STEPS runs everything again. With
// run_retries.retry_on_asset_or_op_failure false, runs whose steps failed are not retried (only
// runs that failed otherwise, e.g. a worker that died).
class RunRetries
{
public:
    explicit RunRetries(std::shared_ptr<instance::Instance> instance);

    // How many runs it submitted.
    Result<int> tick();

private:
    std::shared_ptr<instance::Instance> m_instance;
};

} // namespace lifdag::daemon
