// What an op sees while it runs: logger, run id and config, its own config, resources, inputs,
// retry number, the cancellation flag - and where it yields its outputs.
#pragma once

#include <lifdag/core/result.h>

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <any>
#include <chrono>
#include <memory>
#include <source_location>

namespace lifdag::execution {

namespace detail {
struct StepAttempt;
}

// The run's resources, built once per run and shared read-only by all steps (so a resource object
// must be safe to read from several threads).
class Resources
{
public:
    bool contains(const QString &name) const { return m_entries.contains(name); }
    QJsonValue config(const QString &name) const; // resolved resources.<name>.config; undefined if absent
    const std::any *value(const QString &name) const; // what the resource's factory built
    template<typename T> const T *get(const QString &name) const
    {
        const std::any *v = value(name);
        return v ? std::any_cast<T>(v) : nullptr;
    }
    QStringList names() const { return m_entries.keys(); }

    void insert(const QString &name, const QJsonValue &config, std::any value);

private:
    struct Entry
    {
        QJsonValue config;
        std::shared_ptr<const std::any> value;
    };
    QHash<QString, Entry> m_entries;
};

class OpContext;

// context.log().info(…): each line becomes a LOG_MESSAGE event of the step, with its level.
class OpLogger
{
public:
    void debug(const QString &message) const;
    void info(const QString &message) const;
    void warning(const QString &message) const;
    void error(const QString &message) const;
    void critical(const QString &message) const;

private:
    friend class OpContext;
    explicit OpLogger(detail::StepAttempt &attempt)
        : m_attempt(attempt)
    { }
    void emitLine(const char *level, const QString &message) const;
    detail::StepAttempt &m_attempt;
};

class OpContext
{
public:
    explicit OpContext(detail::StepAttempt &attempt); // made by the executor, one per attempt
    OpContext(const OpContext &) = delete;
    OpContext &operator=(const OpContext &) = delete;

    const OpLogger &log() const { return m_log; }

    const QString &runId() const;
    const QString &jobName() const;
    const QString &opName() const;
    const QString &stepKey() const; // "op" or "op[mapping_key]"
    const QString &mappingKey() const; // empty unless the op is mapped over a dynamic output
    int retryNumber() const; // 0 on the first attempt
    const QJsonObject &runConfig() const; // the whole resolved run config
    const QJsonValue &opConfig() const; // ops.<op>.config with defaults applied
    const Resources &resources() const;

    bool hasInput(const QString &name) const;
    QJsonValue input(const QString &name) const; // a Collect input is a QJsonArray

    // Yield a value for an output ("result" unless named). Each output at most once; misuse (unknown
    // output, twice, a mapping key on a regular output) fails the step after the op returns.
    void output(const QJsonValue &value);
    void output(const QString &name, const QJsonValue &value);
    // Yield one value of a dynamic output; mapping keys are unique per output and match [A-Za-z0-9_]+.
    void dynamicOutput(const QString &mappingKey, const QJsonValue &value);
    void dynamicOutput(const QString &name, const QString &mappingKey, const QJsonValue &value);

    // Cooperative cancellation: poll it, or sleep with sleepFor(), which wakes up on cancel.
    bool isCancelRequested() const;
    void throwIfCancelRequested() const; // throws OpInterrupted
    bool sleepFor(std::chrono::milliseconds duration) const; // false if the run was canceled meanwhile

    // An Error to return from the op, remembering where it was made for the STEP_FAILURE event.
    Error failure(const QString &message, const QString &code = QStringLiteral("op.failure"),
                  std::source_location where = std::source_location::current());

private:
    detail::StepAttempt &m_attempt;
    OpLogger m_log;
};

} // namespace lifdag::execution
