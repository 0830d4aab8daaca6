// Runs one job: validates its run config, schedules its steps on a thread pool in topological
// order, expands dynamic outputs, retries, propagates failures and skips, honours cancellation,
// and reports everything as lifdag::Event to an EventSink. Event messages and error payloads pass
// through lifdag::redaction, so registered secrets never reach the event log.
#pragma once

#include <lifdag/core/runstatus.h>
#include <lifdag/execution/errorinfo.h>
#include <lifdag/execution/eventsink.h>
#include <lifdag/execution/job.h>

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>
#include <QLoggingCategory>
#include <functional>
#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcExecution)

namespace lifdag::execution {

enum class StepState { Pending, Succeeded, Failed, Skipped, NotExecuted };
QString stepStateName(StepState state); // "PENDING", "SUCCEEDED", "FAILED", "SKIPPED", "NOT_EXECUTED"

struct StepOutcome
{
    QString stepKey;
    QString opName;
    QString mappingKey;
    StepState state = StepState::Pending;
    int attempts = 0; // how often the op ran (1 + retries)
    std::optional<ErrorInfo> error; // of the last attempt, for Failed
};

struct DynamicValue
{
    QString mappingKey;
    QJsonValue value;
};

struct RunResult
{
    RunStatus status = RunStatus::NotStarted;
    QList<StepOutcome> steps; // in the order steps became known
    QList<ConfigError> configErrors; // why the run did not start
    std::optional<ErrorInfo> error; // a run-level failure (resource initialisation)
    qint64 durationMs = 0;
    QHash<QString, QHash<QString, QJsonValue>> outputs; // step key → output name → value
    QHash<QString, QHash<QString, QList<DynamicValue>>> dynamicOutputs; // step key → output → values

    const StepOutcome *step(const QString &stepKey) const;
    QJsonValue output(const QString &stepKey, const QString &outputName = QStringLiteral("result")) const;
    QStringList stepKeys(StepState state) const;
};

// The outputs of an earlier run's successful steps, for a re-execution from failure (Dagster's
// FROM_FAILURE): a step found here whose upstream steps were all reused as well is not executed
// again - its outputs come from here and an ENGINE_EVENT says so - while failed, skipped and
// not-executed steps and everything downstream of them run. Mapped steps are matched by step key
// ("op[mapping_key]"), so a fan-out reuses each branch that succeeded.
// Tag of a run that re-executes run <value> from failure (set by run retries and by the API's
// re-execute FROM_FAILURE); the run worker then reuses that run's stored step outputs.
inline constexpr QLatin1StringView kReexecuteFromFailureTag("lifdag/reexecute_from_failure");

struct ReusedOutputs
{
    QString parentRunId;
    QHash<QString, QHash<QString, QJsonValue>> outputs; // step key → output name → value
    QHash<QString, QHash<QString, QList<DynamicValue>>> dynamicOutputs; // step key → output → values

    bool contains(const QString &stepKey) const
    {
        return outputs.contains(stepKey) || dynamicOutputs.contains(stepKey);
    }
    // The storage form: {step key: {"outputs": {name: value}, "dynamic": {name: [{mapping_key, value}]}}}
    // of the steps that succeeded in `result`.
    static QJsonObject toJson(const RunResult &result);
    static ReusedOutputs fromJson(const QString &parentRunId, const QJsonObject &json);
};

struct ExecutorOptions
{
    std::shared_ptr<const ReusedOutputs> reuse; // re-execution from failure; null: run every step
    int maxConcurrent = 0; // > 0 overrides the run config's execution.config.*.max_concurrent
    std::optional<quint64> seed; // jitter draws; unset: a random seed (logged in RUN_START)
    // Called once on the executor's coordinator thread after the terminal event and flush(); it
    // must not destroy the Executor.
    std::function<void(const RunResult &)> onFinished;
};

class Executor
{
public:
    Executor(JobPtr job, QString runId, QJsonObject runConfig, EventSink &sink, ExecutorOptions options = {});
    ~Executor(); // cancels a run still going and waits for it
    Executor(const Executor &) = delete;
    Executor &operator=(const Executor &) = delete;

    // Validates the run config and starts the run on a coordinator thread; returns at once. An
    // invalid config emits RUN_FAILURE (payload: config_errors), finishes the run and returns the
    // error (code "execution.invalid_run_config"); the violations are in result().configErrors.
    Status start();
    // Thread-safe: stop scheduling steps, raise the flag ops poll, drop pending retries; the run
    // ends CANCELED once running steps have returned.
    void cancel();
    bool isCancelRequested() const;
    bool isFinished() const;
    bool wait(QDeadlineTimer deadline = QDeadlineTimer(QDeadlineTimer::Forever)); // false on timeout
    RunResult result() const; // complete once finished

    // start() + wait().
    RunResult run();

    const JobDefinition &job() const;
    const QString &runId() const;
    int maxConcurrent() const; // effective value, known after start()

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace lifdag::execution
