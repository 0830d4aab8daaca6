// `lifdag execute-run RUN_ID`: executes one stored run in this process and records everything.
#pragma once

#include <lifdag/codelocation/runstore.h>
#include <lifdag/core/result.h>
#include <lifdag/execution/jobregistry.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace lifdag::execution {
class Executor;
class EventSink;
} // namespace lifdag::execution

namespace lifdag::codelocation {

class RunWorker
{
public:
    // `store`: the worker's storage (its own connection, or its code server's; see runstore.h).
    RunWorker(std::shared_ptr<RunStore> store, std::shared_ptr<const execution::JobRegistry> registry);
    ~RunWorker();

    // Moves the run STARTING → STARTED (compare-and-set; a run in any other state is left alone),
    // records pid and host, executes the job with events batched into storage, and ends the run
    // SUCCESS, FAILURE or CANCELED. Returns the process exit status: 0 SUCCESS, 1 FAILURE or
    // CANCELED, 2 when the run could not be executed at all (unknown run, wrong state, storage).
    int execute(const QString &runId);

    // Thread-safe, e.g. from a SIGTERM handler: RUN_CANCELING, no new steps, cooperative stop.
    void cancel();

private:
    std::shared_ptr<RunStore> m_store;
    std::shared_ptr<const execution::JobRegistry> m_registry;
    std::mutex m_mutex;
    execution::Executor *m_executor = nullptr;
    execution::EventSink *m_sink = nullptr;
    QString m_runId;
    std::atomic<bool> m_cancelRequested { false };
};

} // namespace lifdag::codelocation
