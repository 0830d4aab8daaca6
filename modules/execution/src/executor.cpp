#include "lifdag/execution/executor.h"

#include "executor_p.h"
#include "job_p.h"

#include <lifdag/core/redaction.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QThread>
#include <chrono>
#include <deque>
#include <queue>
#include <thread>

// Debug (every event mirrored to the process log) is off unless enabled, e.g. with --log-level debug.
Q_LOGGING_CATEGORY(lcExecution, "lifdag.execution", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace lifdag::execution {

QString stepStateName(StepState state)
{
    switch (state) {
    case StepState::Pending:
        return u"PENDING"_s;
    case StepState::Succeeded:
        return u"SUCCEEDED"_s;
    case StepState::Failed:
        return u"FAILED"_s;
    case StepState::Skipped:
        return u"SKIPPED"_s;
    case StepState::NotExecuted:
        return u"NOT_EXECUTED"_s;
    }
    return {};
}

const StepOutcome *RunResult::step(const QString &stepKey) const
{
    for (const StepOutcome &s : steps) {
        if (s.stepKey == stepKey)
            return &s;
    }
    return nullptr;
}

QJsonValue RunResult::output(const QString &stepKey, const QString &outputName) const
{
    const auto it = outputs.constFind(stepKey);
    if (it == outputs.constEnd())
        return QJsonValue(QJsonValue::Undefined);
    return it->value(outputName, QJsonValue(QJsonValue::Undefined));
}

QStringList RunResult::stepKeys(StepState state) const
{
    QStringList out;
    for (const StepOutcome &s : steps) {
        if (s.state == state)
            out.append(s.stepKey);
    }
    return out;
}

namespace detail {

void RunShared::emitEvent(const char *type, const QString &stepKey, const QString &message,
                          QJsonObject payload, const char *level) const
{
    Event e;
    e.runId = runId;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.eventType = QString::fromLatin1(type);
    e.stepKey = stepKey;
    e.level = QString::fromLatin1(level);
    // Ops log and fail with whatever text they have: keep registered secrets out of the event log.
    e.message = redaction::redact(message);
    e.payload = std::move(payload);
    if (lcExecution().isDebugEnabled())
        qCDebug(lcExecution).noquote() << runId << type << stepKey << e.message;
    try {
        sink->append(std::move(e));
    } catch (const std::exception &error) {
        // A sink must not throw; if one does, the run goes on rather than terminating the process.
        qCCritical(lcExecution, "run %s: the event sink rejected a %s event: %s", qUtf8Printable(runId), type,
                   error.what());
    } catch (...) {
        qCCritical(lcExecution, "run %s: the event sink rejected a %s event", qUtf8Printable(runId), type);
    }
}

} // namespace detail

namespace {

using Clock = std::chrono::steady_clock;

struct Step
{
    int node = -1;
    int keyIndex = -1; // position of the mapping key in its scope; -1 for steps that run once
    QString mappingKey;
    QString stepKey;
    StepState state = StepState::Pending;
    bool placeholder = false; // "op[?]": a mapped op whose dynamic output produced no keys
    int pendingDeps = 0;
    bool reused = false; // outputs taken from the parent run (re-execution from failure)
    QList<int> dependents;
    int attempts = 0;
    std::optional<ErrorInfo> error;
    QHash<QString, QJsonValue> inputs; // gathered when ready
    QHash<QString, QJsonValue> outputs;
    QHash<QString, QList<DynamicValue>> dynamicOutputs;
};

struct ScopeState
{
    bool resolved = false;
    // Collect steps waiting for the mapped steps of `mappedNode` once the scope's keys are known.
    QList<std::pair<int, int>> collectors; // (collector step, mapped node)
};

struct Completion
{
    std::shared_ptr<detail::StepAttempt> attempt;
};

// The threads steps run on: at most `size` of them, started when work arrives, joined on destruction.
// (Plain std::thread rather than QThreadPool so the hand-off is visible to ThreadSanitizer.)
class WorkerPool
{
public:
    ~WorkerPool()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        for (std::thread &t : m_threads)
            t.join();
    }

    void setSize(int size) { m_size = size; }

    void post(std::function<void()> task)
    {
        std::unique_lock lock(m_mutex);
        m_tasks.push_back(std::move(task));
        // Idle threads count until they wake and take a task, so compare with the queue length.
        if (m_tasks.size() > size_t(m_idle) && int(m_threads.size()) < m_size)
            m_threads.emplace_back([this] { loop(); });
        lock.unlock();
        m_wake.notify_one();
    }

private:
    void loop()
    {
        std::unique_lock lock(m_mutex);
        while (true) {
            ++m_idle;
            m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
            --m_idle;
            if (m_tasks.empty())
                return; // stopping, nothing left
            std::function<void()> task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::vector<std::thread> m_threads;
    int m_size = 1;
    int m_idle = 0;
    bool m_stopping = false;
};

QString describeKeys(const QStringList &keys)
{
    return u'[' + keys.join(u", "_s) + u']';
}

} // namespace

struct Executor::Private
{
    JobPtr job;
    const JobDefinition::Private *jd = nullptr;
    ExecutorOptions options;
    detail::RunShared shared;
    std::unique_ptr<RandomSource> random;
    int maxConcurrent = 1;
    std::thread coordinator;
    QElapsedTimer clock;

    // Coordinator-only state.
    std::deque<Step> steps;
    QList<QList<int>> nodeSteps; // node → its steps (mapped: in mapping-key order)
    QList<ScopeState> scopes;
    std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>, std::greater<>>
        ready; // (node, step)
    std::priority_queue<std::pair<Clock::time_point, int>, std::vector<std::pair<Clock::time_point, int>>,
                        std::greater<>>
        retries;
    int inFlight = 0;
    bool cancelHandled = false;
    std::optional<ErrorInfo> runError;

    // Shared with workers and callers.
    std::mutex mutex;
    std::condition_variable wakeCoordinator;
    std::deque<Completion> completions;
    std::condition_variable finishedChanged;
    bool started = false;
    bool finished = false;
    RunResult result;

    // Declared last so it is destroyed (its threads joined) first, before the state tasks touch.
    WorkerPool pool;

    // --- graph state -------------------------------------------------------------------------
    int addStep(int node, int keyIndex, const QString &mappingKey)
    {
        Step s;
        s.node = node;
        s.keyIndex = keyIndex;
        s.mappingKey = mappingKey;
        const QString &name = jd->nodes[node].op.name;
        s.stepKey = mappingKey.isEmpty() ? name : name + u'[' + mappingKey + u']';
        steps.push_back(std::move(s));
        const int id = int(steps.size() - 1);
        nodeSteps[node].append(id);
        return id;
    }

    void addDependency(int step, int on)
    {
        Step &source = steps[on];
        if (source.state != StepState::Pending)
            return;
        if (source.dependents.contains(step))
            return;
        source.dependents.append(step);
        ++steps[step].pendingDeps;
    }

    // The step that feeds input `b` of a step with mapping-key position `keyIndex`.
    int sourceStep(const BoundInput &b, int keyIndex) const
    {
        const QList<int> &candidates = nodeSteps[b.sourceNode];
        if (b.sourceIsMapped)
            return keyIndex >= 0 && keyIndex < candidates.size() ? candidates[keyIndex] : -1;
        return candidates.isEmpty() ? -1 : candidates.first();
    }

    void wireStep(int id, QList<int> &worklist)
    {
        const Step &s = steps[id];
        const CompiledNode &c = jd->compiled[s.node];
        for (const BoundInput &b : c.inputs) {
            if (b.sourceNode < 0)
                continue;
            if (b.kind == InputSource::Kind::Collect && b.sourceIsMapped) {
                // Waits for the scope's producer now, for the mapped steps once their keys are known.
                const int scope = jd->compiled[b.sourceNode].scope;
                const int producer = nodeSteps[jd->scopes[scope].producer].first();
                scopes[scope].collectors.append({ id, b.sourceNode });
                addDependency(id, producer);
                continue;
            }
            const int src = sourceStep(b, steps[id].keyIndex);
            if (src >= 0)
                addDependency(id, src);
        }
        if (steps[id].pendingDeps == 0)
            worklist.append(id);
    }

    void createInitialSteps()
    {
        nodeSteps.resize(jd->nodes.size());
        scopes.resize(jd->scopes.size());
        QList<int> worklist;
        for (qsizetype n = 0; n < jd->nodes.size(); ++n) {
            if (jd->compiled[n].scope >= 0)
                continue;
            wireStep(addStep(int(n), -1, {}), worklist);
        }
        evaluateAll(worklist);
    }

    // A dynamic output's producer has finished: create the mapped steps, one per mapping key.
    void resolveScope(int scopeIndex, QList<int> &worklist)
    {
        const DynamicScope &scope = jd->scopes[scopeIndex];
        ScopeState &state = scopes[scopeIndex];
        state.resolved = true;
        const Step &producer = steps[nodeSteps[scope.producer].first()];
        const QString outputName = jd->nodes[scope.producer].op.outputs[scope.output].name;
        const QList<DynamicValue> values = producer.state == StepState::Succeeded
            ? producer.dynamicOutputs.value(outputName)
            : QList<DynamicValue>();
        if (values.isEmpty()) {
            const bool failed = producer.state == StepState::Failed;
            for (int member : scope.members) {
                const int id = addStep(member, -1, u"?"_s);
                steps[id].placeholder = true;
                const QString message = failed
                    ? QString(u"Dependencies for step \""_s + steps[id].stepKey + u"\" failed: "_s
                              + describeKeys({ producer.stepKey }) + u". Not executing."_s)
                    : QString(u"Skipping step \""_s + steps[id].stepKey + u"\" since \""_s + producer.stepKey
                              + u"\" yielded no values for dynamic output \""_s + outputName + u"\"."_s);
                skip(id, failed ? u"UPSTREAM_FAILED"_s : u"UPSTREAM_SKIPPED"_s, message,
                     QStringList { producer.stepKey }, worklist);
            }
            return;
        }
        for (int member : scope.members) {
            for (qsizetype k = 0; k < values.size(); ++k)
                wireStep(addStep(member, int(k), values[k].mappingKey), worklist);
        }
        for (const auto &[collector, mappedNode] : std::as_const(state.collectors)) {
            for (int id : std::as_const(nodeSteps[mappedNode]))
                addDependency(collector, id);
        }
    }

    void stepFinished(int id, QList<int> &worklist)
    {
        if (shared.cancel.requested.load())
            return; // nothing new is scheduled or skipped once canceling
        const Step &s = steps[id];
        if (!s.placeholder) {
            const CompiledNode &c = jd->compiled[s.node];
            for (int scope : c.dynamicOutputScopes) {
                if (scope >= 0 && !scopes[scope].resolved)
                    resolveScope(scope, worklist);
            }
        }
        for (int d : steps[id].dependents) {
            if (--steps[d].pendingDeps == 0)
                worklist.append(d);
        }
    }

    void evaluateAll(QList<int> &worklist)
    {
        while (!worklist.isEmpty()) {
            const int id = worklist.takeFirst();
            evaluate(id, worklist);
        }
    }

    // Every dependency of step `id` is done: gather its inputs, then queue it or skip it.
    void evaluate(int id, QList<int> &worklist)
    {
        Step &s = steps[id];
        if (s.state != StepState::Pending)
            return;
        const CompiledNode &c = jd->compiled[s.node];
        QStringList failed;
        QStringList missing;
        QHash<QString, QJsonValue> inputs;
        bool upstreamReused = true; // every upstream step took its outputs from the parent run
        for (const BoundInput &b : c.inputs) {
            if (b.sourceNode < 0) {
                inputs.insert(b.name, b.defaultValue);
                continue;
            }
            const QString outputName = jd->nodes[b.sourceNode].op.outputs[b.sourceOutput].name;
            if (b.kind == InputSource::Kind::Output) {
                const Step &src = steps[sourceStep(b, s.keyIndex)];
                upstreamReused = upstreamReused && src.reused;
                if (src.state == StepState::Failed) {
                    failed.append(src.stepKey);
                } else if (src.state != StepState::Succeeded) {
                    missing.append(src.stepKey);
                } else if (b.sourceIsDynamicOutput) {
                    const QList<DynamicValue> &values = src.dynamicOutputs[outputName];
                    inputs.insert(b.name, values.value(s.keyIndex).value);
                } else if (const auto out = src.outputs.constFind(outputName);
                           out != src.outputs.constEnd()) {
                    inputs.insert(b.name, *out);
                } else {
                    missing.append(src.stepKey);
                }
                continue;
            }
            // Collect: whatever arrived, in mapping-key order; failed and skipped branches are absent.
            QJsonArray values;
            QStringList failedBranches;
            if (b.sourceIsDynamicOutput) {
                const Step &src = steps[nodeSteps[b.sourceNode].first()];
                upstreamReused = upstreamReused && src.reused;
                if (src.state == StepState::Failed)
                    failedBranches.append(src.stepKey);
                for (const DynamicValue &v : src.dynamicOutputs.value(outputName))
                    values.append(v.value);
            } else {
                const DynamicScope &scope = jd->scopes[jd->compiled[b.sourceNode].scope];
                const Step &producer = steps[nodeSteps[scope.producer].first()];
                upstreamReused = upstreamReused && producer.reused;
                if (producer.state == StepState::Failed)
                    failedBranches.append(producer.stepKey);
                for (int branch : std::as_const(nodeSteps[b.sourceNode])) {
                    const Step &src = steps[branch];
                    upstreamReused = upstreamReused && src.reused;
                    if (src.state == StepState::Failed)
                        failedBranches.append(src.stepKey);
                    const auto out = src.outputs.constFind(outputName);
                    if (src.state == StepState::Succeeded && out != src.outputs.constEnd())
                        values.append(*out);
                }
            }
            if (values.isEmpty()) {
                if (!failedBranches.isEmpty())
                    failed.append(failedBranches);
                else
                    missing.append(jd->nodes[b.sourceNode].op.name + u'.' + outputName);
                continue;
            }
            inputs.insert(b.name, values);
        }
        if (!failed.isEmpty()) {
            skip(id, u"UPSTREAM_FAILED"_s,
                 u"Dependencies for step \""_s + s.stepKey + u"\" failed: "_s + describeKeys(failed)
                     + u". Not executing."_s,
                 failed, worklist);
            return;
        }
        if (!missing.isEmpty()) {
            skip(id, u"UPSTREAM_SKIPPED"_s,
                 u"Skipping step \""_s + s.stepKey + u"\" since no upstream output was yielded by "_s
                     + describeKeys(missing) + u'.',
                 missing, worklist);
            return;
        }
        if (options.reuse && upstreamReused && options.reuse->contains(s.stepKey)) {
            s.state = StepState::Succeeded;
            s.reused = true;
            s.outputs = options.reuse->outputs.value(s.stepKey);
            s.dynamicOutputs = options.reuse->dynamicOutputs.value(s.stepKey);
            shared.emitEvent(EventType::EngineEvent, s.stepKey,
                             u"Step \""_s + s.stepKey + u"\" succeeded in run "_s + options.reuse->parentRunId
                                 + u": its outputs are reused (re-execution from failure)."_s,
                             QJsonObject { { u"reused_from_run"_s, options.reuse->parentRunId } });
            stepFinished(id, worklist);
            return;
        }
        s.inputs = std::move(inputs);
        ready.push({ s.node, id });
    }

    void skip(int id, const QString &reason, const QString &message, const QStringList &upstream,
              QList<int> &worklist)
    {
        Step &s = steps[id];
        s.state = StepState::Skipped;
        shared.emitEvent(
            EventType::StepSkipped, s.stepKey, message,
            QJsonObject { { u"reason"_s, reason }, { u"upstream"_s, QJsonArray::fromStringList(upstream) } });
        stepFinished(id, worklist);
    }

    // --- running steps -----------------------------------------------------------------------
    QJsonValue opConfigFor(const JobNode &node) const
    {
        return shared.runConfig.value(u"ops"_s).toObject().value(node.op.name).toObject().value(u"config"_s);
    }

    void dispatch(int id)
    {
        Step &s = steps[id];
        auto attempt = std::make_shared<detail::StepAttempt>();
        attempt->run = &shared;
        attempt->node = &jd->nodes[s.node];
        attempt->stepId = id;
        attempt->stepKey = s.stepKey;
        attempt->mappingKey = s.mappingKey;
        attempt->retryNumber = s.attempts;
        attempt->opConfig = opConfigFor(*attempt->node);
        attempt->inputs = s.inputs;
        ++s.attempts;
        ++inFlight;
        pool.post([this, attempt] {
            runAttempt(*attempt);
            {
                std::lock_guard lock(mutex);
                completions.push_back(Completion { attempt });
            }
            wakeCoordinator.notify_one();
        });
    }

    // On a pool thread: one attempt of one step. Never lets an exception out.
    static void runAttempt(detail::StepAttempt &a)
    {
        const detail::RunShared &run = *a.run;
        const QString &op = a.node->op.name;
        if (a.retryNumber == 0) {
            run.emitEvent(EventType::StepStart, a.stepKey,
                          u"Started execution of step \""_s + a.stepKey + u"\"."_s);
        } else {
            run.emitEvent(EventType::StepRestarted, a.stepKey,
                          u"Started re-execution (attempt # "_s + QString::number(a.retryNumber + 1)
                              + u") of step \""_s + a.stepKey + u"\"."_s,
                          QJsonObject { { u"retry_number"_s, a.retryNumber } });
        }
        QElapsedTimer timer;
        timer.start();
        try {
            OpContext context(a);
            const Status status = a.node->op.compute(context);
            if (!status.ok()) {
                a.error = ErrorInfo { .message = status.error().message,
                                      .className = u"lifdag::Error"_s,
                                      .code = status.error().code,
                                      .location = a.failureLocation };
                if (!a.failureLocation.isEmpty())
                    a.error->stack.append(a.failureLocation);
            }
        } catch (const OpFailure &failure) {
            a.error = ErrorInfo::fromCurrentException();
            a.allowRetries = failure.allowRetries();
        } catch (...) {
            a.error = ErrorInfo::fromCurrentException();
        }
        if (!a.error && !a.outputErrors.isEmpty()) {
            a.error = ErrorInfo { .message = a.outputErrors.join(u"; "_s),
                                  .className = u"lifdag::execution::StepOutputError"_s };
            a.allowRetries = false;
        }
        if (!a.error) {
            for (const OutputDefinition &o : a.node->op.outputs) {
                if (o.isRequired && !o.isDynamic && !a.outputs.contains(o.name)) {
                    a.error = ErrorInfo { .message = u"Core compute for op \""_s + op
                                              + u"\" did not return an output for non-optional output \""_s
                                              + o.name + u"\"."_s,
                                          .className = u"lifdag::execution::StepOutputNotFound"_s };
                    break;
                }
            }
        }
        const qint64 elapsedUs = timer.nsecsElapsed() / 1000;
        if (a.error) {
            a.error->stack.append(u"in step \""_s + a.stepKey + u"\" of op \""_s + op + u"\", attempt "_s
                                  + QString::number(a.retryNumber + 1));
            return;
        }
        a.succeeded = true;
        run.emitEvent(EventType::StepSuccess, a.stepKey,
                      u"Finished execution of step \""_s + a.stepKey + u"\" in "_s + formatDuration(elapsedUs)
                          + u'.',
                      QJsonObject { { u"duration_ms"_s, double(elapsedUs) / 1000.0 } });
    }

    static QString formatDuration(qint64 us)
    {
        if (us < 1000)
            return QString::number(us) + u"µs"_s;
        if (us < 1000000)
            return QString::number(double(us) / 1000.0, 'f', 1) + u"ms"_s;
        return QString::number(double(us) / 1e6, 'f', 2) + u's';
    }

    void completed(const detail::StepAttempt &a, QList<int> &worklist)
    {
        --inFlight;
        Step &s = steps[a.stepId];
        if (a.succeeded) {
            s.state = StepState::Succeeded;
            s.outputs = a.outputs;
            s.dynamicOutputs = a.dynamicOutputs;
            s.error.reset();
            stepFinished(a.stepId, worklist);
            return;
        }
        s.error = a.error;
        const JobNode &node = jd->nodes[s.node];
        const auto policy = job->retryPolicyFor(node);
        const bool canceling = shared.cancel.requested.load();
        if (policy && a.allowRetries && !canceling && a.retryNumber < policy->maxRetries) {
            const double draw = policy->jitter == Jitter::None ? 0.0 : random->next();
            const double seconds = policy->calculateDelay(a.retryNumber + 1, draw);
            QString message =
                u"Execution of step \""_s + s.stepKey + u"\" failed and has requested a retry"_s;
            message +=
                policy->delaySeconds ? u" in "_s + QString::number(seconds, 'f', 3) + u" seconds."_s : u"."_s;
            shared.emitEvent(EventType::StepUpForRetry, s.stepKey, message,
                             QJsonObject { { u"error"_s, a.error->toJson() },
                                           { u"seconds_to_wait"_s, seconds },
                                           { u"retry_number"_s, a.retryNumber + 1 },
                                           { u"max_retries"_s, policy->maxRetries } },
                             "WARNING");
            retries.push({ Clock::now() + std::chrono::microseconds(qint64(seconds * 1e6)), a.stepId });
            return;
        }
        s.state = StepState::Failed;
        shared.emitEvent(EventType::StepFailure, s.stepKey,
                         u"Execution of step \""_s + s.stepKey + u"\" failed."_s,
                         QJsonObject { { u"error"_s, a.error->toJson() },
                                       { u"error_source"_s, u"USER_CODE_ERROR"_s },
                                       { u"retry_number"_s, a.retryNumber } },
                         "ERROR");
        stepFinished(a.stepId, worklist);
    }

    // --- the run -----------------------------------------------------------------------------
    bool initResources()
    {
        const QJsonObject configured = shared.runConfig.value(u"resources"_s).toObject();
        for (const ResourceDefinition &r : jd->resources) {
            const QJsonValue config = configured.value(r.name).toObject().value(u"config"_s);
            std::any value = config;
            std::optional<ErrorInfo> error;
            if (r.factory) {
                try {
                    Result<std::any> built = r.factory(config);
                    if (built.ok())
                        value = std::move(built.value());
                    else
                        error = ErrorInfo { .message = built.error().message,
                                            .className = u"lifdag::Error"_s,
                                            .code = built.error().code };
                } catch (...) {
                    error = ErrorInfo::fromCurrentException();
                }
            }
            if (error) {
                error->stack.append(u"initialising resource \""_s + r.name + u'"');
                shared.emitEvent(
                    EventType::EngineEvent, {},
                    u"Initialization of resource \""_s + r.name + u"\" failed: "_s + error->message,
                    QJsonObject { { u"error"_s, error->toJson() }, { u"resource"_s, r.name } }, "ERROR");
                runError = error;
                return false;
            }
            shared.resources.insert(r.name, config, std::move(value));
        }
        return true;
    }

    // Stop scheduling: pending steps stay unexecuted, pending retries are dropped.
    void handleCancel()
    {
        cancelHandled = true;
        int pending = 0;
        for (const Step &s : steps)
            pending += s.state == StepState::Pending ? 1 : 0;
        ready = {};
        retries = {};
        shared.emitEvent(EventType::EngineEvent, {},
                         u"Cancellation requested: no further steps start; waiting for "_s
                             + QString::number(inFlight) + u" running step(s) to return."_s,
                         QJsonObject { { u"running"_s, inFlight }, { u"not_started"_s, pending - inFlight } },
                         "WARNING");
    }

    void coordinate()
    {
        const QString jobName = jd->name;
        shared.emitEvent(EventType::RunStart, {}, u"Started execution of run for \""_s + jobName + u"\"."_s,
                         QJsonObject { { u"job_name"_s, jobName },
                                       { u"max_concurrent"_s, maxConcurrent },
                                       { u"seed"_s, QString::number(random->seed()) } });
        bool resourcesOk = initResources();
        if (resourcesOk)
            createInitialSteps();

        std::unique_lock lock(mutex);
        while (resourcesOk) {
            std::deque<Completion> batch;
            batch.swap(completions);
            lock.unlock();
            QList<int> worklist;
            for (const Completion &c : batch)
                completed(*c.attempt, worklist);
            evaluateAll(worklist);
            if (shared.cancel.requested.load() && !cancelHandled)
                handleCancel();
            const auto now = Clock::now();
            while (!retries.empty() && retries.top().first <= now) {
                const int id = retries.top().second;
                retries.pop();
                ready.push({ steps[id].node, id });
            }
            while (!cancelHandled && inFlight < maxConcurrent && !ready.empty()) {
                const int id = ready.top().second;
                ready.pop();
                dispatch(id);
            }
            lock.lock();
            const bool cancelPending = shared.cancel.requested.load() && !cancelHandled;
            if (!completions.empty() || cancelPending)
                continue;
            if (inFlight == 0 && ready.empty() && retries.empty())
                break;
            if (!retries.empty() && inFlight < maxConcurrent)
                wakeCoordinator.wait_until(lock, retries.top().first);
            else
                wakeCoordinator.wait(lock);
        }
        lock.unlock();
        finish(resourcesOk);
    }

    void finish(bool resourcesOk)
    {
        const QString jobName = jd->name;
        RunResult r;
        r.error = runError;
        QStringList failed;
        for (Step &s : steps) {
            if (s.state == StepState::Pending)
                s.state = StepState::NotExecuted;
            if (s.state == StepState::Failed)
                failed.append(s.stepKey);
            r.steps.append(StepOutcome { .stepKey = s.stepKey,
                                         .opName = jd->nodes[s.node].op.name,
                                         .mappingKey = s.placeholder ? QString() : s.mappingKey,
                                         .state = s.state,
                                         .attempts = s.attempts,
                                         .error = s.error });
            if (!s.outputs.isEmpty())
                r.outputs.insert(s.stepKey, s.outputs);
            if (!s.dynamicOutputs.isEmpty())
                r.dynamicOutputs.insert(s.stepKey, s.dynamicOutputs);
        }
        if (shared.cancel.requested.load()) {
            r.status = RunStatus::Canceled;
            shared.emitEvent(
                EventType::RunCanceled, {}, u"Execution of run for \""_s + jobName + u"\" canceled."_s,
                QJsonObject {
                    { u"not_executed"_s, QJsonArray::fromStringList(r.stepKeys(StepState::NotExecuted)) } },
                "ERROR");
        } else if (!resourcesOk || !failed.isEmpty()) {
            r.status = RunStatus::Failure;
            const QString why = resourcesOk ? u"Steps failed: "_s + describeKeys(failed) + u'.'
                                            : u"A resource failed to initialise."_s;
            shared.emitEvent(
                EventType::RunFailure, {}, u"Execution of run for \""_s + jobName + u"\" failed. "_s + why,
                QJsonObject { { u"failed_steps"_s, QJsonArray::fromStringList(failed) } }, "ERROR");
        } else {
            r.status = RunStatus::Success;
            shared.emitEvent(EventType::RunSuccess, {},
                             u"Finished execution of run for \""_s + jobName + u"\"."_s);
        }
        r.durationMs = clock.elapsed();
        shared.sink->flush();
        complete(std::move(r));
    }

    void complete(RunResult r)
    {
        {
            std::lock_guard lock(mutex);
            result = std::move(r);
            finished = true;
        }
        finishedChanged.notify_all();
        if (options.onFinished)
            options.onFinished(result);
    }
};

QJsonObject ReusedOutputs::toJson(const RunResult &result)
{
    QJsonObject out;
    for (const StepOutcome &step : result.steps) {
        if (step.state != StepState::Succeeded)
            continue;
        QJsonObject entry;
        QJsonObject outputs;
        const auto plain = result.outputs.value(step.stepKey);
        for (auto it = plain.cbegin(); it != plain.cend(); ++it)
            outputs.insert(it.key(), it.value());
        QJsonObject dynamic;
        const auto dyn = result.dynamicOutputs.value(step.stepKey);
        for (auto it = dyn.cbegin(); it != dyn.cend(); ++it) {
            QJsonArray values;
            for (const DynamicValue &v : it.value())
                values.append(QJsonObject { { u"mapping_key"_s, v.mappingKey }, { u"value"_s, v.value } });
            dynamic.insert(it.key(), values);
        }
        entry.insert(u"outputs"_s, outputs);
        if (!dynamic.isEmpty())
            entry.insert(u"dynamic"_s, dynamic);
        out.insert(step.stepKey, entry);
    }
    return out;
}

ReusedOutputs ReusedOutputs::fromJson(const QString &parentRunId, const QJsonObject &json)
{
    ReusedOutputs r;
    r.parentRunId = parentRunId;
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        const QJsonObject entry = it.value().toObject();
        QHash<QString, QJsonValue> outputs;
        const QJsonObject plain = entry.value(u"outputs"_s).toObject();
        for (auto o = plain.constBegin(); o != plain.constEnd(); ++o)
            outputs.insert(o.key(), o.value());
        r.outputs.insert(it.key(), outputs);
        const QJsonObject dynamic = entry.value(u"dynamic"_s).toObject();
        if (dynamic.isEmpty())
            continue;
        QHash<QString, QList<DynamicValue>> values;
        for (auto d = dynamic.constBegin(); d != dynamic.constEnd(); ++d) {
            QList<DynamicValue> list;
            for (const QJsonValue &v : d.value().toArray())
                list.append({ v[u"mapping_key"_s].toString(), v[u"value"_s] });
            values.insert(d.key(), list);
        }
        r.dynamicOutputs.insert(it.key(), values);
    }
    return r;
}

Executor::Executor(JobPtr job, QString runId, QJsonObject runConfig, EventSink &sink, ExecutorOptions options)
    : d(std::make_unique<Private>())
{
    d->job = std::move(job);
    d->jd = &d->job->d();
    d->options = std::move(options);
    d->shared.job = d->job.get();
    d->shared.runId = std::move(runId);
    d->shared.runConfig = std::move(runConfig);
    d->shared.sink = &sink;
}

Executor::~Executor()
{
    if (d->started) {
        cancel();
        wait();
    }
    if (d->coordinator.joinable())
        d->coordinator.join();
}

Status Executor::start()
{
    if (d->started)
        return Error { u"execution.already_started"_s,
                       u"run "_s + d->shared.runId + u" was already started"_s };
    d->started = true;
    d->clock.start();
    const ConfigValidation validation = d->job->validateRunConfig(d->shared.runConfig);
    if (!validation.ok()) {
        QJsonArray errors = validation.errorsToJson();
        const QString message = u"Run config for job \""_s + d->jd->name + u"\" is invalid ("_s
            + QString::number(validation.errors.size()) + u" violation(s)):\n"_s + validation.summary();
        d->shared.emitEvent(EventType::RunFailure, {}, message,
                            QJsonObject { { u"config_errors"_s, errors } }, "ERROR");
        d->shared.sink->flush();
        RunResult r;
        r.status = RunStatus::Failure;
        r.configErrors = validation.errors;
        r.durationMs = d->clock.elapsed();
        d->complete(std::move(r));
        return Error { u"execution.invalid_run_config"_s, message };
    }
    d->shared.runConfig = validation.value.toObject();

    int maxConcurrent = d->options.maxConcurrent;
    if (maxConcurrent <= 0) {
        const QJsonObject selector =
            d->shared.runConfig.value(u"execution"_s).toObject().value(u"config"_s).toObject();
        if (!selector.isEmpty())
            maxConcurrent = selector.begin()->toObject().value(u"max_concurrent"_s).toInt(0);
    }
    if (maxConcurrent <= 0)
        maxConcurrent = std::max(1, QThread::idealThreadCount());
    d->maxConcurrent = maxConcurrent;
    d->pool.setSize(maxConcurrent);
    // One draw from the system source: QRandomGenerator::global() would first seed its whole
    // generator state from it, which a short-lived run worker pays for in full (hundreds of µs).
    d->random = std::make_unique<RandomSource>(d->options.seed ? *d->options.seed
                                                               : QRandomGenerator::system()->generate64());
    d->coordinator = std::thread([this] { d->coordinate(); });
    return Status::success();
}

void Executor::cancel()
{
    {
        std::lock_guard lock(d->shared.cancel.mutex);
        d->shared.cancel.requested.store(true);
    }
    d->shared.cancel.changed.notify_all();
    {
        std::lock_guard lock(d->mutex); // so the coordinator cannot miss the wake-up between check and wait
    }
    d->wakeCoordinator.notify_all();
}

bool Executor::isCancelRequested() const
{
    return d->shared.cancel.requested.load();
}

bool Executor::isFinished() const
{
    std::lock_guard lock(d->mutex);
    return d->finished;
}

bool Executor::wait(QDeadlineTimer deadline)
{
    std::unique_lock lock(d->mutex);
    while (!d->finished) {
        if (deadline.isForever()) {
            d->finishedChanged.wait(lock);
            continue;
        }
        if (deadline.hasExpired())
            return false;
        d->finishedChanged.wait_for(lock, std::chrono::milliseconds(deadline.remainingTime()));
    }
    return true;
}

RunResult Executor::result() const
{
    std::lock_guard lock(d->mutex);
    return d->result;
}

RunResult Executor::run()
{
    (void)start();
    wait();
    return result();
}

const JobDefinition &Executor::job() const
{
    return *d->job;
}

const QString &Executor::runId() const
{
    return d->shared.runId;
}

int Executor::maxConcurrent() const
{
    return d->maxConcurrent;
}

} // namespace lifdag::execution
