// Private: what the Dagster API's resolvers share - the per-request state, result builders in
// Dagster's shapes, and the pieces (config types, YAML, runs, events) each source file provides.
#pragma once

#include <lifdag/codelocation/client.h>
#include <lifdag/graphqlapi/dagstergraphql.h>
#include <lifdag/storage/storage.h>

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>

#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcGraphqlApi)

namespace lifdag::graphqlapi::detail {

using graphql::Context;
using graphql::FieldResult;
using graphql::SchemaBuilder;
using graphql::Value;

// A code location as one request sees it (asked once per request).
struct LocationSnapshot
{
    config::CodeLocationConfig config;
    QString error; // set when the location could not be reached
    codelocation::ServerInfo info;
    QList<codelocation::JobInfo> jobs;

    QString repositoryName() const;
    const codelocation::JobInfo *job(const QString &name) const;
};

struct RequestState
{
    std::shared_ptr<instance::Instance> instance;
    RequestContext context;
    const Options *options = nullptr;
    QHash<QString, std::shared_ptr<LocationSnapshot>> locations; // by name
    QHash<QString, std::shared_ptr<const QList<Event>>> runEvents; // by run id

    QList<config::CodeLocationConfig> configuredLocations() const;
    // The location's snapshot; nullptr when the workspace has no such location.
    std::shared_ptr<LocationSnapshot> location(const QString &name);
    std::unique_ptr<codelocation::Client> client(const config::CodeLocationConfig &location) const;
    // Every event of a run (for stats), loaded once per request.
    Result<std::shared_ptr<const QList<Event>>> events(const QString &runId);
    void forgetLocation(const QString &name) { locations.remove(name); }
};

RequestState &state(const Context &context);

// Result objects in Dagster's shapes ("__typename" names the union member).
QJsonObject typed(const char *typeName, QJsonObject fields = {});
QJsonObject pythonError(const QString &message, const QString &className = QStringLiteral("lifdag::Error"));
QJsonObject pythonErrorFromErrorInfo(const QJsonObject &errorInfo); // execution::ErrorInfo::toJson()
QJsonObject unauthorized(const RequestContext &context, const QString &what);
QJsonObject runNotFound(const QString &runId);
QJsonObject pipelineNotFound(const QString &location, const QString &repository, const QString &job);
bool allowed(const RequestContext &context, Role needed);

// Runs (runs.cpp).
struct RunSource
{
    storage::RunRecord record;
};
Value runValue(const storage::RunRecord &record);
void addRunResolvers(SchemaBuilder &b);
// Dagster's termination (runs.cpp): TerminateRunSuccess | TerminateRunFailure | RunNotFoundError |
// PythonError.
Value terminateRunValue(RequestState &s, const QString &runId, bool markCanceledImmediately);
double epochSeconds(const QDateTime &t);

// Events (events.cpp): one stored event as a DagsterRunEvent member.
QJsonObject eventJson(const Event &event, const QString &jobName);
void addEventResolvers(SchemaBuilder &b);

// Workspace, repositories, jobs, config schemas (workspace.cpp).
void addWorkspaceResolvers(SchemaBuilder &b);
QJsonObject workspaceLocationEntry(RequestState &s, const config::CodeLocationConfig &config);
Value pipelineValue(RequestState &s, const std::shared_ptr<LocationSnapshot> &location,
                    const QString &jobName, const char *typeName);

// Config types (configtypes.cpp): Dagster's ConfigType objects from a job's JSON Schema.
struct ConfigRegistry;
std::shared_ptr<const ConfigRegistry> configRegistry(const QJsonObject &jsonSchema);
Value configTypeValue(const std::shared_ptr<const ConfigRegistry> &registry, const QString &key);
QString rootConfigTypeKey(const ConfigRegistry &registry);
QStringList allConfigTypeKeys(const ConfigRegistry &registry);
// The ConfigTypeField of `fieldName` inside the object at `path` (config path segments).
Value configFieldValue(const std::shared_ptr<const ConfigRegistry> &registry, const QStringList &path,
                       const QString &fieldName);
// A field of the root type by name (resources, …) as ConfigTypeField, or null.
Value rootFieldValue(const std::shared_ptr<const ConfigRegistry> &registry, const QString &name);
void addConfigTypeResolvers(SchemaBuilder &b);
// RunConfigValidationInvalid for violations reported by a code location.
Value configValidationInvalid(const QString &jobName, const QList<codelocation::Violation> &violations,
                              const QJsonObject &runConfig, const QJsonObject &jsonSchema);

// YAML (yaml.cpp): run config as Dagster shows and accepts it.
QString toYaml(const QJsonValue &value);
Result<QJsonValue> fromYaml(const QString &text);

// Mutations (mutations.cpp) and the instance (instance.cpp).
void addMutationResolvers(SchemaBuilder &b);
void addInstanceResolvers(SchemaBuilder &b);

} // namespace lifdag::graphqlapi::detail
