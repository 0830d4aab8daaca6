#include "lifdag/codelocation/runworker.h"

#include "codelocation_log_p.h"

#include <lifdag/codelocation/batchingeventsink.h>
#include <lifdag/execution/executor.h>

#include <QCoreApplication>
#include <QHostInfo>
#include <QSet>

namespace lifdag::codelocation {

namespace {

// What a run "returns": the `result` output of the job's last steps (those nothing depends on).
QJsonObject jobResult(const execution::JobDefinition &job, const execution::RunResult &result)
{
    QSet<QString> upstream;
    for (const execution::JobNode &node : job.nodes()) {
        for (const execution::InputSource &src : node.inputs)
            upstream.insert(src.node);
    }
    QJsonObject out;
    for (const execution::JobNode &node : job.nodes()) {
        if (upstream.contains(node.op.name) || node.isMapped())
            continue;
        const QJsonValue v = result.output(node.op.name);
        if (!v.isUndefined())
            out.insert(node.op.name, v);
    }
    // A single terminal object (LIF's results document) is stored as it is.
    if (out.size() == 1 && out.begin().value().isObject())
        return out.begin().value().toObject();
    return out;
}

} // namespace

RunWorker::RunWorker(std::shared_ptr<RunStore> store, std::shared_ptr<const execution::JobRegistry> registry)
    : m_store(std::move(store))
    , m_registry(std::move(registry))
{ }

RunWorker::~RunWorker() = default;

void RunWorker::cancel()
{
    m_cancelRequested = true;
    std::lock_guard lock(m_mutex);
    if (m_executor) {
        if (const auto moved = m_store->transition(m_runId, RunStatus::Canceling, { RunStatus::Started });
            moved.ok() && *moved) {
            m_sink->append(runEvent(m_runId, EventType::RunCanceling,
                                    QStringLiteral("Run is being canceled (SIGTERM).")));
        }
        m_executor->cancel();
    }
}

int RunWorker::execute(const QString &runId)
{
    RunStore &store = *m_store;
    // This thread writes the events while the executor's threads run the steps: a worker has one
    // storage connection or socket (on PostgreSQL a connection is a server process and an
    // authentication).
    BatchingEventSink sink([&store](const QList<Event> &batch) { return store.appendEvents(batch); },
                           std::chrono::milliseconds(50), {}, BatchingEventSink::Writer::Owner);

    const auto loaded = store.run(runId);
    if (!loaded) {
        qCCritical(lcCodeLocation, "%s", qPrintable(loaded.error().message));
        return 2;
    }
    if (!loaded->has_value()) {
        qCCritical(lcCodeLocation, "run %s not found in %s", qPrintable(runId), qPrintable(store.describe()));
        return 2;
    }
    const storage::RunRecord run = **loaded;
    const execution::JobPtr job = m_registry->job(run.jobName);

    const auto started =
        store.transition(runId, RunStatus::Started, { RunStatus::Starting, RunStatus::NotStarted });
    if (!started) {
        qCCritical(lcCodeLocation, "%s", qPrintable(started.error().message));
        return 2;
    }
    if (!*started) {
        qCCritical(lcCodeLocation, "run %s is %s, not STARTING: nothing to execute", qPrintable(runId),
                   qPrintable(runStatusName(run.status)));
        return 2;
    }
    const Status recorded = store.setWorkerInfo(
        runId,
        { QCoreApplication::applicationPid(), QHostInfo::localHostName(), qEnvironmentVariable("HOSTNAME") });
    if (!recorded)
        qCWarning(lcCodeLocation, "%s", qPrintable(recorded.error().message));

    if (!job) {
        sink.append(runEvent(runId, EventType::RunFailure,
                             QStringLiteral("Job \"%1\" is not in this code location (%2).")
                                 .arg(run.jobName, m_registry->repositoryName()),
                             QStringLiteral("ERROR")));
        sink.flush();
        (void)store.transition(runId, RunStatus::Failure);
        qCCritical(lcCodeLocation, "run %s: unknown job %s", qPrintable(runId), qPrintable(run.jobName));
        return 2;
    }

    execution::ExecutorOptions options;
    if (const QString parent = run.tags.value(QString(execution::kReexecuteFromFailureTag));
        !parent.isEmpty()) {
        // Re-execution from failure: the parent's successful steps are not run again.
        const auto stored = store.stepOutputs(parent);
        if (stored && stored->has_value()) {
            options.reuse = std::make_shared<execution::ReusedOutputs>(
                execution::ReusedOutputs::fromJson(parent, **stored));
        } else {
            sink.append(
                runEvent(runId, EventType::EngineEvent,
                         QStringLiteral("Run %1 kept no step outputs: every step runs again.").arg(parent),
                         QStringLiteral("WARNING")));
        }
    }
    options.onFinished = [&sink](const execution::RunResult &) {
        sink.wake();
    };
    execution::Executor executor(job, runId, run.runConfig, sink, options);
    {
        std::lock_guard lock(m_mutex);
        m_runId = runId;
        m_executor = &executor;
        m_sink = &sink;
    }
    if (m_cancelRequested)
        cancel();
    (void)executor.start(); // an invalid config finishes the run with RUN_FAILURE and config_errors
    sink.serveUntil([&executor] { return executor.isFinished(); });
    executor.wait();
    {
        std::lock_guard lock(m_mutex);
        m_executor = nullptr;
        m_sink = nullptr;
    }
    const execution::RunResult result = executor.result();
    sink.flush(); // every event is stored before the status says the run ended

    if (const QString step = job->tags().value(QString(execution::kResultStepTag)); !step.isEmpty()) {
        // The job names its result step: keep that output even when a later step failed.
        if (const QJsonValue output = result.output(step); output.isObject()) {
            if (const Status s = store.setResult(runId, output.toObject()); !s)
                qCWarning(lcCodeLocation, "%s", qPrintable(s.error().message));
        }
    } else if (result.status == RunStatus::Success) {
        const QJsonObject output = jobResult(*job, result);
        if (!output.isEmpty()) {
            if (const Status s = store.setResult(runId, output); !s)
                qCWarning(lcCodeLocation, "%s", qPrintable(s.error().message));
        }
    }
    RunStatus final = result.status;
    if (!isTerminal(final))
        final = RunStatus::Failure;
    if (final == RunStatus::Failure) {
        // Kept before the status says FAILURE, so a retry (or a re-execution) can reuse them.
        if (const Status s = store.setStepOutputs(runId, execution::ReusedOutputs::toJson(result)); !s)
            qCWarning(lcCodeLocation, "%s", qPrintable(s.error().message));
    }
    const auto ended = store.transition(runId, final); // notifies the daemons: a slot is free
    if (!ended)
        qCCritical(lcCodeLocation, "%s", qPrintable(ended.error().message));
    qCInfo(lcCodeLocation, "run %s (%s) ended %s in %lld ms", qPrintable(runId), qPrintable(run.jobName),
           qPrintable(runStatusName(final)), static_cast<long long>(result.durationMs));
    return final == RunStatus::Success ? 0 : 1;
}

} // namespace lifdag::codelocation
