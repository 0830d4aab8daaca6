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

struct ExecutorOptions
{
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
