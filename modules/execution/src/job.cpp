#include "lifdag/execution/job.h"

#include "job_p.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace lifdag::execution {

const OutputDefinition *OpDefinition::output(QStringView name) const
{
    for (const OutputDefinition &o : outputs) {
        if (o.name == name)
            return &o;
    }
    return nullptr;
}

const InputDefinition *OpDefinition::input(QStringView name) const
{
    for (const InputDefinition &i : inputs) {
        if (i.name == name)
            return &i;
    }
    return nullptr;
}

InputSource from(const QString &node, const QString &output)
{
    return InputSource { .node = node, .output = output, .kind = InputSource::Kind::Output };
}

InputSource collect(const QString &node, const QString &output)
{
    return InputSource { .node = node, .output = output, .kind = InputSource::Kind::Collect };
}

JobBuilder::JobBuilder(QString name)
    : m_name(std::move(name))
{ }

JobBuilder &JobBuilder::description(const QString &text)
{
    m_description = text;
    return *this;
}

JobBuilder &JobBuilder::tag(const QString &key, const QString &value)
{
    m_tags.insert(key, value);
    return *this;
}

JobBuilder &JobBuilder::resource(ResourceDefinition resource)
{
    m_resources.append(std::move(resource));
    return *this;
}

JobBuilder &JobBuilder::opRetryPolicy(const RetryPolicy &policy)
{
    m_opRetryPolicy = policy;
    return *this;
}

JobBuilder &JobBuilder::defaultRunConfig(const QJsonObject &config)
{
    m_defaultRunConfig = config;
    return *this;
}

JobBuilder &JobBuilder::add(OpDefinition op, QHash<QString, InputSource> inputs)
{
    m_nodes.append(JobNode { .op = std::move(op), .inputs = std::move(inputs), .dynamicScope = {} });
    return *this;
}

namespace {

ConfigField anyOptional()
{
    return cfg::optionalField(cfg::Any());
}

ConfigField executionField()
{
    const ConfigField maxConcurrent =
        cfg::defaulted(cfg::Noneable(cfg::Int()), QJsonValue(QJsonValue::Null),
                       u"How many steps may run at once; null or 0: the number of CPU cores."_s);
    const ConfigTypePtr multiprocess = cfg::Shape({
        { u"max_concurrent"_s, maxConcurrent },
        { u"retries"_s, anyOptional() },
        { u"tag_concurrency_limits"_s, anyOptional() },
        { u"start_method"_s, anyOptional() },
    });
    const ConfigTypePtr inProcess = cfg::Shape({
        { u"max_concurrent"_s, maxConcurrent },
        { u"retries"_s, anyOptional() },
        { u"marker_to_close"_s, anyOptional() },
    });
    const ConfigTypePtr selector = cfg::Selector({
        { u"multiprocess"_s, cfg::field(multiprocess, u"Steps run concurrently on a thread pool."_s) },
        { u"in_process"_s,
          cfg::field(inProcess, u"Steps run concurrently on a thread pool (same as multiprocess)."_s) },
    });
    return cfg::field(cfg::Shape({
        { u"config"_s, cfg::defaulted(selector, QJsonObject { { u"multiprocess"_s, QJsonObject() } }) },
    }));
}

ConfigField loggersField()
{
    const ConfigTypePtr console = cfg::Shape({
        { u"config"_s,
          cfg::field(cfg::Shape({
              { u"log_level"_s, cfg::defaulted(cfg::String(), u"DEBUG"_s) },
              { u"name"_s, cfg::defaulted(cfg::String(), u"dagster"_s) },
          })) },
    });
    return cfg::field(cfg::Shape({ { u"console"_s, cfg::field(console) } }));
}

ConfigField runConfigFieldFor(const QList<JobNode> &nodes, const QList<ResourceDefinition> &resources)
{
    ConfigFields ops;
    for (const JobNode &node : nodes) {
        const ConfigField config = node.op.config.value_or(anyOptional());
        ops.append(
            { node.op.name, cfg::field(cfg::Shape({ { u"config"_s, config } }), node.op.description) });
    }
    ConfigFields res;
    for (const ResourceDefinition &r : resources) {
        const ConfigField config = r.config.value_or(anyOptional());
        res.append({ r.name, cfg::field(cfg::Shape({ { u"config"_s, config } }), r.description) });
    }
    return cfg::field(cfg::Shape({
        { u"ops"_s, cfg::field(cfg::Shape(ops)) },
        { u"resources"_s, cfg::field(cfg::Shape(res)) },
        { u"execution"_s, executionField() },
        { u"loggers"_s, loggersField() },
    }));
}

// Dagster's name rule ([A-Za-z0-9_]+). Op names may also contain dots, so a job can keep the step
// keys of a flattened Dagster graph ("process_pipeline_subgraph.run_lif_adapter[key]").
bool validName(const QString &name, bool allowDots)
{
    if (name.isEmpty() || name.startsWith(u'.') || name.endsWith(u'.'))
        return false;
    for (const QChar c : name) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'_' || (allowDots && c == u'.');
        if (!ok)
            return false;
    }
    return true;
}

int outputIndex(const OpDefinition &op, const QString &name)
{
    for (qsizetype i = 0; i < op.outputs.size(); ++i) {
        if (op.outputs[i].name == name)
            return int(i);
    }
    return -1;
}

} // namespace

Result<JobPtr> JobBuilder::build() const
{
    QStringList problems;
    const QString where = u"job \""_s + m_name + u"\": "_s;
    if (m_name.isEmpty())
        problems.append(u"the job has no name"_s);

    QHash<QString, int> byName; // index into m_nodes
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        const OpDefinition &op = m_nodes[i].op;
        if (op.name.isEmpty()) {
            problems.append(where + u"op #"_s + QString::number(i + 1) + u" has no name"_s);
            continue;
        }
        if (!validName(op.name, true))
            problems.append(where + u"op name \""_s + op.name
                            + u"\" is not valid: use letters, digits, _ (and . between graph names)"_s);
        if (byName.contains(op.name))
            problems.append(where + u"op name \""_s + op.name + u"\" is used twice"_s);
        byName.insert(op.name, int(i));
        if (!op.compute)
            problems.append(where + u"op \""_s + op.name + u"\" has no compute function"_s);
        QSet<QString> names;
        for (const OutputDefinition &o : op.outputs) {
            if (!validName(o.name, false))
                problems.append(where + u"op \""_s + op.name + u"\" has an invalid output name \""_s + o.name
                                + u"\": use letters, digits and _"_s);
            if (names.contains(o.name))
                problems.append(where + u"op \""_s + op.name + u"\" declares output \""_s + o.name
                                + u"\" twice"_s);
            names.insert(o.name);
        }
        names.clear();
        for (const InputDefinition &in : op.inputs) {
            if (!validName(in.name, false))
                problems.append(where + u"op \""_s + op.name + u"\" has an invalid input name \""_s + in.name
                                + u"\": use letters, digits and _"_s);
            if (names.contains(in.name))
                problems.append(where + u"op \""_s + op.name + u"\" declares input \""_s + in.name
                                + u"\" twice"_s);
            names.insert(in.name);
        }
        for (const QString &r : op.requiredResources) {
            const bool present = std::any_of(m_resources.begin(), m_resources.end(),
                                             [&](const ResourceDefinition &d) { return d.name == r; });
            if (!present)
                problems.append(where + u"op \""_s + op.name + u"\" requires resource \""_s + r
                                + u"\", which the job does not define"_s);
        }
    }
    QSet<QString> resourceNames;
    for (const ResourceDefinition &r : m_resources) {
        if (!validName(r.name, false) || resourceNames.contains(r.name))
            problems.append(where + u"resource name \""_s + r.name
                            + u"\" is used twice or not valid (use letters, digits and _)"_s);
        resourceNames.insert(r.name);
    }

    // Wiring: every input wired to an existing output, or defaulted.
    QList<QList<int>> upstream(m_nodes.size());
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        const JobNode &node = m_nodes[i];
        for (auto it = node.inputs.begin(); it != node.inputs.end(); ++it) {
            if (!node.op.input(it.key())) {
                problems.append(where + u"op \""_s + node.op.name + u"\" has no input \""_s + it.key()
                                + u"\" to wire"_s);
                continue;
            }
            const auto src = byName.constFind(it->node);
            if (src == byName.constEnd()) {
                problems.append(where + u"input \""_s + node.op.name + u'.' + it.key()
                                + u"\" depends on unknown op \""_s + it->node + u'"');
                continue;
            }
            if (outputIndex(m_nodes[*src].op, it->output) < 0) {
                problems.append(where + u"input \""_s + node.op.name + u'.' + it.key() + u"\" depends on \""_s
                                + it->node + u'.' + it->output + u"\", which op \""_s + it->node
                                + u"\" does not declare"_s);
                continue;
            }
            if (*src == int(i)) {
                problems.append(where + u"op \""_s + node.op.name + u"\" depends on itself"_s);
                continue;
            }
            upstream[i].append(*src);
        }
        for (const InputDefinition &in : node.op.inputs) {
            if (!node.inputs.contains(in.name) && !in.defaultValue)
                problems.append(where + u"input \""_s + node.op.name + u'.' + in.name
                                + u"\" is neither wired to an upstream output nor has a default value"_s);
        }
    }
    if (!problems.isEmpty())
        return Error { u"execution.invalid_job"_s, problems.join(u"; "_s) };

    // Topological order (Kahn), ties broken by the order ops were added.
    QList<int> indegree(m_nodes.size(), 0);
    QList<QList<int>> downstream(m_nodes.size());
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        QSet<int> seen;
        for (int u : upstream[i]) {
            if (seen.contains(u))
                continue;
            seen.insert(u);
            ++indegree[i];
            downstream[u].append(int(i));
        }
    }
    QList<int> order;
    QList<bool> done(m_nodes.size(), false);
    while (order.size() < m_nodes.size()) {
        int next = -1;
        for (qsizetype i = 0; i < m_nodes.size(); ++i) {
            if (!done[i] && indegree[i] == 0) {
                next = int(i);
                break;
            }
        }
        if (next < 0) {
            QStringList cyclic;
            for (qsizetype i = 0; i < m_nodes.size(); ++i) {
                if (!done[i])
                    cyclic.append(m_nodes[i].op.name);
            }
            return Error { u"execution.invalid_job"_s,
                           where + u"the ops "_s + cyclic.join(u", "_s) + u" form a cycle"_s };
        }
        done[next] = true;
        order.append(next);
        for (int d : downstream[next])
            --indegree[d];
    }

    auto d = std::make_unique<JobDefinition::Private>();
    d->name = m_name;
    d->description = m_description;
    d->tags = m_tags;
    d->resources = m_resources;
    d->opRetryPolicy = m_opRetryPolicy;
    d->defaultRunConfig = m_defaultRunConfig;
    for (int i : order) {
        d->nodeIndex.insert(m_nodes[i].op.name, int(d->nodes.size()));
        d->nodes.append(m_nodes[i]);
    }

    // Dynamic scopes, in topological order so a node's sources are resolved before it.
    d->compiled.resize(d->nodes.size());
    for (qsizetype n = 0; n < d->nodes.size(); ++n) {
        JobNode &node = d->nodes[n];
        CompiledNode &c = d->compiled[n];
        const QString self = u"op \""_s + node.op.name + u'"';
        QSet<int> scopes;
        for (const InputDefinition &in : node.op.inputs) {
            BoundInput b;
            b.name = in.name;
            const auto wired = node.inputs.constFind(in.name);
            if (wired == node.inputs.constEnd()) {
                b.defaultValue = *in.defaultValue;
                c.inputs.append(b);
                continue;
            }
            b.kind = wired->kind;
            b.sourceNode = d->nodeIndex.value(wired->node);
            b.sourceOutput = outputIndex(d->nodes[b.sourceNode].op, wired->output);
            b.sourceIsDynamicOutput = d->nodes[b.sourceNode].op.outputs[b.sourceOutput].isDynamic;
            b.sourceIsMapped = d->compiled[b.sourceNode].scope >= 0;
            const QString source = u'"' + wired->node + u'.' + wired->output + u'"';
            if (b.kind == InputSource::Kind::Output) {
                if (b.sourceIsDynamicOutput)
                    scopes.insert(d->compiled[b.sourceNode].dynamicOutputScopes[b.sourceOutput]);
                else if (b.sourceIsMapped)
                    scopes.insert(d->compiled[b.sourceNode].scope);
            } else if (!b.sourceIsDynamicOutput && !b.sourceIsMapped) {
                problems.append(where + self + u" collects "_s + source
                                + u", which is neither a dynamic output nor the output of a mapped op"_s);
            } else if (b.sourceIsMapped && d->nodes[b.sourceNode].op.outputs[b.sourceOutput].isDynamic) {
                problems.append(where + self + u" collects "_s + source + u", a nested dynamic output"_s);
            }
            c.inputs.append(b);
        }
        if (scopes.size() > 1) {
            problems.append(where + self
                            + u" is downstream of more than one dynamic output; collect all but one first"_s);
            continue;
        }
        if (scopes.size() == 1) {
            c.scope = *scopes.begin();
            d->scopes[c.scope].members.append(int(n));
            node.dynamicScope = d->nodes[d->scopes[c.scope].producer].op.name + u'.'
                + d->nodes[d->scopes[c.scope].producer].op.outputs[d->scopes[c.scope].output].name;
            for (const BoundInput &b : std::as_const(c.inputs)) {
                if (b.kind == InputSource::Kind::Collect)
                    problems.append(where + self + u" both collects and is mapped over "_s + node.dynamicScope
                                    + u"; a collect must happen outside the mapped section"_s);
            }
        }
        for (qsizetype o = 0; o < node.op.outputs.size(); ++o) {
            int opened = -1;
            if (node.op.outputs[o].isDynamic) {
                if (c.scope >= 0) {
                    problems.append(where + self + u" is mapped over "_s + node.dynamicScope
                                    + u" and declares dynamic output \""_s + node.op.outputs[o].name
                                    + u"\": nested dynamic outputs are not supported"_s);
                } else {
                    opened = int(d->scopes.size());
                    d->scopes.append(DynamicScope { .producer = int(n), .output = int(o), .members = {} });
                }
            }
            c.dynamicOutputScopes.append(opened);
        }
    }
    if (!problems.isEmpty())
        return Error { u"execution.invalid_job"_s, problems.join(u"; "_s) };

    d->runConfig = runConfigFieldFor(d->nodes, d->resources);
    return JobPtr(std::make_shared<const JobDefinition>(std::move(d)));
}

JobDefinition::JobDefinition(std::unique_ptr<Private> d)
    : m_d(std::move(d))
{ }

JobDefinition::~JobDefinition() = default;

const QString &JobDefinition::name() const
{
    return m_d->name;
}
const QString &JobDefinition::description() const
{
    return m_d->description;
}
const QMap<QString, QString> &JobDefinition::tags() const
{
    return m_d->tags;
}
const QList<JobNode> &JobDefinition::nodes() const
{
    return m_d->nodes;
}
const JobNode *JobDefinition::node(QStringView name) const
{
    const auto it = m_d->nodeIndex.constFind(name.toString());
    return it == m_d->nodeIndex.constEnd() ? nullptr : &m_d->nodes[*it];
}
const QList<ResourceDefinition> &JobDefinition::resources() const
{
    return m_d->resources;
}
std::optional<RetryPolicy> JobDefinition::retryPolicyFor(const JobNode &node) const
{
    return node.op.retryPolicy ? node.op.retryPolicy : m_d->opRetryPolicy;
}
const QJsonObject &JobDefinition::defaultRunConfig() const
{
    return m_d->defaultRunConfig;
}
const ConfigField &JobDefinition::runConfigField() const
{
    return m_d->runConfig;
}

ConfigValidation JobDefinition::validateRunConfig(const QJsonObject &runConfig) const
{
    return validateConfig(m_d->runConfig, mergeConfig(m_d->defaultRunConfig, runConfig));
}

QJsonObject JobDefinition::runConfigJsonSchema() const
{
    QJsonObject schema = toJsonSchema(m_d->runConfig);
    schema.insert(u"title"_s, QString(m_d->name + u" run config"_s));
    return schema;
}

QJsonObject JobDefinition::runConfigSkeleton() const
{
    return mergeConfig(configSkeleton(m_d->runConfig), m_d->defaultRunConfig).toObject();
}

namespace {
QJsonObject tagsJson(const QMap<QString, QString> &tags)
{
    QJsonObject o;
    for (auto it = tags.begin(); it != tags.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}
} // namespace

QJsonObject JobDefinition::graphJson() const
{
    QJsonArray ops;
    QJsonArray dependencies;
    for (qsizetype n = 0; n < m_d->nodes.size(); ++n) {
        const JobNode &node = m_d->nodes[n];
        const CompiledNode &c = m_d->compiled[n];
        QJsonArray inputs;
        for (const BoundInput &b : c.inputs) {
            QJsonObject in { { u"name"_s, b.name },
                             { u"description"_s, node.op.input(b.name)->description } };
            if (b.sourceNode >= 0) {
                const QJsonObject src { { u"op"_s, m_d->nodes[b.sourceNode].op.name },
                                        { u"output"_s,
                                          m_d->nodes[b.sourceNode].op.outputs[b.sourceOutput].name } };
                const QString kind = b.kind == InputSource::Kind::Collect ? u"collect"_s : u"output"_s;
                in.insert(u"dependsOn"_s,
                          QJsonObject { { u"op"_s, src[u"op"_s] },
                                        { u"output"_s, src[u"output"_s] },
                                        { u"kind"_s, kind } });
                dependencies.append(QJsonObject {
                    { u"from"_s, src },
                    { u"to"_s, QJsonObject { { u"op"_s, node.op.name }, { u"input"_s, b.name } } },
                    { u"kind"_s, kind } });
            } else {
                in.insert(u"defaultValue"_s, b.defaultValue);
            }
            inputs.append(in);
        }
        QJsonArray outputs;
        for (const OutputDefinition &o : node.op.outputs) {
            outputs.append(QJsonObject { { u"name"_s, o.name },
                                         { u"description"_s, o.description },
                                         { u"isRequired"_s, o.isRequired },
                                         { u"isDynamic"_s, o.isDynamic } });
        }
        QJsonObject op { { u"name"_s, node.op.name },
                         { u"description"_s, node.op.description },
                         { u"tags"_s, tagsJson(node.op.tags) },
                         { u"inputs"_s, inputs },
                         { u"outputs"_s, outputs },
                         { u"isMapped"_s, node.isMapped() },
                         { u"requiredResources"_s, QJsonArray::fromStringList(node.op.requiredResources) } };
        if (node.isMapped())
            op.insert(u"dynamicScope"_s, node.dynamicScope);
        if (const auto policy = retryPolicyFor(node))
            op.insert(u"retryPolicy"_s, policy->toJson());
        ops.append(op);
    }
    return QJsonObject { { u"ops"_s, ops }, { u"dependencies"_s, dependencies } };
}

QJsonObject JobDefinition::toJson() const
{
    QJsonArray resources;
    for (const ResourceDefinition &r : m_d->resources)
        resources.append(QJsonObject { { u"name"_s, r.name }, { u"description"_s, r.description } });
    return QJsonObject { { u"name"_s, m_d->name },
                         { u"description"_s, m_d->description },
                         { u"tags"_s, tagsJson(m_d->tags) },
                         { u"graph"_s, graphJson() },
                         { u"resources"_s, resources },
                         { u"runConfigSchema"_s, runConfigJsonSchema() },
                         { u"runConfigSkeleton"_s, runConfigSkeleton() } };
}

} // namespace lifdag::execution
