// The compiled form of a job that the executor schedules from (private to the module).
#pragma once

#include "lifdag/execution/job.h"

namespace lifdag::execution {

struct BoundInput
{
    QString name;
    InputSource::Kind kind = InputSource::Kind::Output;
    int sourceNode = -1; // -1: not wired, use defaultValue
    int sourceOutput = -1; // index into the source op's outputs
    bool sourceIsDynamicOutput = false;
    bool sourceIsMapped = false; // the source node is itself mapped (values per mapping key)
    QJsonValue defaultValue;
};

// A dynamic output and the nodes mapped over it (in topological order).
struct DynamicScope
{
    int producer = -1;
    int output = -1;
    QList<int> members;
};

struct CompiledNode
{
    QList<BoundInput> inputs; // in the op's declared input order
    int scope = -1; // index into scopes; -1: runs once
    QList<int> dynamicOutputScopes; // for each output: the scope it opens, or -1
};

struct JobDefinition::Private
{
    QString name;
    QString description;
    QMap<QString, QString> tags;
    QList<ResourceDefinition> resources;
    std::optional<RetryPolicy> opRetryPolicy;
    QJsonObject defaultRunConfig;
    QList<JobNode> nodes; // topological order
    QHash<QString, int> nodeIndex;
    QList<CompiledNode> compiled; // parallel to nodes
    QList<DynamicScope> scopes;
    ConfigField runConfig;
};

} // namespace lifdag::execution
