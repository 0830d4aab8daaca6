// Jobs: graphs of ops with named inputs and outputs, resources, a run config schema - the
// definitions a code location exposes and the executor runs.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/configtypes.h>
#include <lifdag/execution/retrypolicy.h>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <any>
#include <functional>
#include <memory>
#include <optional>

namespace lifdag::execution {

class OpContext;

// A job tag naming the step whose `result` output is the run's result: the run worker stores that
// output whatever the run's end (e.g. LIF's results document when sending it failed). Without the
// tag, a successful run's result is the terminal steps' outputs.
inline constexpr QLatin1StringView kResultStepTag("lifdag/result_step");

// An op's body. It reads inputs and config from the context and yields outputs through it.
// It signals failure either by returning an Error (code and message; retried under a retry
// policy) or by throwing any std::exception (OpFailure carries its source location and can
// forbid retries). Nothing it throws ever leaves the executor. The same function runs on several
// threads at once (mapped steps, concurrent ops), so whatever it captures must be thread-safe.
using OpFunction = std::function<Status(OpContext &context)>;

struct InputDefinition
{
    QString name;
    QString description;
    std::optional<QJsonValue> defaultValue; // used when the input is not wired to an upstream output
};

struct OutputDefinition
{
    QString name = QStringLiteral("result");
    QString description;
    bool isRequired = true; // false: yielding nothing skips the steps downstream (STEP_SKIPPED)
    bool isDynamic = false; // yields any number of values, each with a mapping key (fan-out)
};

struct OpDefinition
{
    QString name; // also the node name in the job: unique per job
    QString description;
    QList<InputDefinition> inputs;
    QList<OutputDefinition> outputs { OutputDefinition {} }; // one required output "result" by default
    std::optional<ConfigField> config; // run config ops.<name>.config; unset: accepts any, optional
    std::optional<RetryPolicy> retryPolicy; // unset: the job's op retry policy, if any
    QStringList requiredResources;
    QMap<QString, QString> tags;
    OpFunction compute;

    const OutputDefinition *output(QStringView name) const;
    const InputDefinition *input(QStringView name) const;
};

// Where an input's value comes from.
struct InputSource
{
    enum class Kind {
        Output, // the upstream output's value; downstream of a dynamic output (or of a mapped op) this
                // op runs once per mapping key - Dagster's .map
        Collect, // the list of all values of a dynamic output or a mapped op, in the order the
                 // mapping keys were yielded; failed and skipped branches are absent - Dagster's .collect()
    };
    QString node;
    QString output = QStringLiteral("result");
    Kind kind = Kind::Output;
};
InputSource from(const QString &node, const QString &output = QStringLiteral("result"));
InputSource collect(const QString &node, const QString &output = QStringLiteral("result"));

// A resource: configured from run config resources.<name>.config, built once per run by `factory`
// (default: the resolved config itself) and shared read-only by every step.
struct ResourceDefinition
{
    QString name;
    QString description;
    std::optional<ConfigField> config; // unset: accepts any, optional
    std::function<Result<std::any>(const QJsonValue &config)> factory;
};

// One op placed in a job, with its inputs wired.
struct JobNode
{
    OpDefinition op;
    QHash<QString, InputSource> inputs;
    // "producer.output" of the dynamic output this node is mapped over; empty when it runs once.
    QString dynamicScope;
    bool isMapped() const { return !dynamicScope.isEmpty(); }
};

class JobDefinition;
using JobPtr = std::shared_ptr<const JobDefinition>;

class JobBuilder
{
public:
    explicit JobBuilder(QString name);

    JobBuilder &description(const QString &text);
    JobBuilder &tag(const QString &key, const QString &value);
    JobBuilder &resource(ResourceDefinition resource);
    JobBuilder &
    opRetryPolicy(const RetryPolicy &policy); // for ops without their own (Dagster's op_retry_policy)
    JobBuilder &defaultRunConfig(const QJsonObject &config); // layered under every run's config
    JobBuilder &add(OpDefinition op, QHash<QString, InputSource> inputs = {});

    // Checks the graph: unique names, wired inputs exist, no cycles, dynamic wiring Dagster accepts
    // (one dynamic scope per op, no dynamic output inside a mapped op, mapped values leave a scope only
    // through collect), resources present. Every problem is listed in the error message.
    Result<JobPtr> build() const;

private:
    QString m_name;
    QString m_description;
    QMap<QString, QString> m_tags;
    QList<ResourceDefinition> m_resources;
    std::optional<RetryPolicy> m_opRetryPolicy;
    QJsonObject m_defaultRunConfig;
    QList<JobNode> m_nodes;
};

class JobDefinition
{
public:
    struct Private;
    explicit JobDefinition(std::unique_ptr<Private> d);
    ~JobDefinition();

    const QString &name() const;
    const QString &description() const;
    const QMap<QString, QString> &tags() const;
    const QList<JobNode> &nodes() const; // in topological order (ties: the order added)
    const JobNode *node(QStringView name) const;
    const QList<ResourceDefinition> &resources() const;
    std::optional<RetryPolicy> retryPolicyFor(const JobNode &node) const;
    const QJsonObject &defaultRunConfig() const;

    // {ops: {<op>: {config}}, resources: {<name>: {config}}, execution: {config: {multiprocess |
    // in_process: {max_concurrent, …}}}, loggers: {console: {config: {log_level, name}}}}
    const ConfigField &runConfigField() const;
    // Validates run config (layered over the default run config) and fills in defaults.
    ConfigValidation validateRunConfig(const QJsonObject &runConfig) const;
    QJsonObject runConfigJsonSchema() const;
    QJsonObject runConfigSkeleton() const; // every field, defaults where defined

    // {ops: [{name, description, tags, inputs: [{name, description, dependsOn?}], outputs: [{name,
    // description, isRequired, isDynamic}], isMapped, dynamicScope?, retryPolicy?, requiredResources}],
    // dependencies: [{from: {op, output}, to: {op, input}, kind: "output"|"collect"}]}
    QJsonObject graphJson() const;
    // {name, description, tags, graph, runConfigSchema, resources}
    QJsonObject toJson() const;

    const Private &d() const { return *m_d; }

private:
    std::unique_ptr<Private> m_d;
};

} // namespace lifdag::execution
