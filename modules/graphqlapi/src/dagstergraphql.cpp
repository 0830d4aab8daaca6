// The entry point: builds the schema once (SDL + resolvers), turns HTTP-level requests into
// GraphQL requests with a per-request state, and holds the shared helpers of the resolvers.
#include "api_p.h"

#include <lifdag/core/version.h>

#include <QFile>
#include <QJsonDocument>
#include <QMutex>

Q_LOGGING_CATEGORY(lcGraphqlApi, "lifdag.graphqlapi")

namespace lifdag::graphqlapi {

using namespace detail;

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer:
        return QStringLiteral("viewer");
    case Role::Launcher:
        return QStringLiteral("launcher");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

namespace detail {

QString LocationSnapshot::repositoryName() const
{
    return info.repositoryName.isEmpty() ? QStringLiteral("__repository__") : info.repositoryName;
}

const codelocation::JobInfo *LocationSnapshot::job(const QString &name) const
{
    for (const codelocation::JobInfo &j : jobs)
        if (j.name == name)
            return &j;
    return nullptr;
}

QList<config::CodeLocationConfig> RequestState::configuredLocations() const
{
    return instance->workspace() ? instance->workspace()->locations : QList<config::CodeLocationConfig> {};
}

std::unique_ptr<codelocation::Client> RequestState::client(const config::CodeLocationConfig &location) const
{
    return std::make_unique<codelocation::Client>(location.address(), options->locationDeadline);
}

std::shared_ptr<LocationSnapshot> RequestState::location(const QString &name)
{
    if (auto it = locations.constFind(name); it != locations.cend())
        return *it;
    const QList<config::CodeLocationConfig> all = configuredLocations();
    const auto found = std::find_if(
        all.begin(), all.end(), [&](const config::CodeLocationConfig &c) { return c.locationName == name; });
    if (found == all.end())
        return nullptr;
    auto snapshot = std::make_shared<LocationSnapshot>();
    snapshot->config = *found;
    const auto c = client(*found);
    const auto info = c->serverInfo();
    if (!info.ok()) {
        snapshot->error = info.error().message;
    } else {
        snapshot->info = info.value();
        const auto jobs = c->listJobs();
        if (jobs.ok())
            snapshot->jobs = jobs.value();
        else
            snapshot->error = jobs.error().message;
    }
    locations.insert(name, snapshot);
    return snapshot;
}

Result<std::shared_ptr<const QList<Event>>> RequestState::events(const QString &runId)
{
    if (auto it = runEvents.constFind(runId); it != runEvents.cend())
        return *it;
    auto loaded = instance->storage().events().events(runId, 0, 1000000);
    if (!loaded.ok())
        return loaded.error();
    auto shared = std::make_shared<const QList<Event>>(std::move(loaded.value()));
    runEvents.insert(runId, shared);
    return shared;
}

RequestState &state(const Context &context)
{
    return **context.get<std::shared_ptr<RequestState>>();
}

QJsonObject typed(const char *typeName, QJsonObject fields)
{
    fields.insert(QStringLiteral("__typename"), QString::fromLatin1(typeName));
    return fields;
}

QJsonObject pythonError(const QString &message, const QString &className)
{
    return typed("PythonError",
                 { { QStringLiteral("message"), message },
                   { QStringLiteral("className"), className },
                   { QStringLiteral("stack"), QJsonArray() },
                   { QStringLiteral("cause"), QJsonValue() },
                   { QStringLiteral("causes"), QJsonArray() },
                   { QStringLiteral("errorChain"), QJsonArray() } });
}

QJsonObject pythonErrorFromErrorInfo(const QJsonObject &info)
{
    QJsonObject e = pythonError(info.value(QLatin1StringView("message")).toString(),
                                info.value(QLatin1StringView("cls_name")).toString());
    QJsonArray stack;
    for (const QJsonValue &line : info.value(QLatin1StringView("stack")).toArray())
        stack.append(line.toString());
    e.insert(QStringLiteral("stack"), stack);
    const QJsonObject cause = info.value(QLatin1StringView("cause")).toObject();
    if (!cause.isEmpty()) {
        const QJsonObject c = pythonErrorFromErrorInfo(cause);
        e.insert(QStringLiteral("cause"), c);
        QJsonArray causes { c };
        for (const QJsonValue &more : c.value(QLatin1StringView("causes")).toArray())
            causes.append(more);
        e.insert(QStringLiteral("causes"), causes);
        e.insert(QStringLiteral("errorChain"),
                 QJsonArray { typed("ErrorChainLink",
                                    { { QStringLiteral("message"), c.value(QLatin1StringView("message")) },
                                      { QStringLiteral("error"), c },
                                      { QStringLiteral("isExplicitLink"), true } }) });
    }
    return e;
}

bool allowed(const RequestContext &context, Role needed)
{
    return int(context.role) >= int(needed);
}

QJsonObject unauthorized(const RequestContext &context, const QString &what)
{
    return typed("UnauthorizedError",
                 { { QStringLiteral("message"),
                     QStringLiteral("Authorization failed: the %1 role may not %2.")
                         .arg(roleName(context.role), what) } });
}

QJsonObject runNotFound(const QString &runId)
{
    return typed("RunNotFoundError",
                 { { QStringLiteral("runId"), runId },
                   { QStringLiteral("message"), QStringLiteral("Run %1 could not be found.").arg(runId) } });
}

QJsonObject pipelineNotFound(const QString &location, const QString &repository, const QString &job)
{
    return typed("PipelineNotFoundError",
                 { { QStringLiteral("message"),
                     QStringLiteral("Could not find Pipeline %1.%2.%3").arg(location, repository, job) },
                   { QStringLiteral("pipelineName"), job },
                   { QStringLiteral("repositoryName"), repository },
                   { QStringLiteral("repositoryLocationName"), location } });
}

} // namespace detail

struct DagsterGraphQL::Private
{
    InstanceProvider provider;
    Options options;
    graphql::Schema schema;
    std::unique_ptr<graphql::Engine> engine;
};

namespace {

graphql::ScalarCodec runConfigDataCodec()
{
    graphql::ScalarCodec codec;
    // Dagster's RunConfigData is any JSON; a string is read as YAML (Dagster's run config files).
    codec.parse = [](const QJsonValue &input) -> Result<QJsonValue> {
        if (input.isString()) {
            auto parsed = fromYaml(input.toString());
            if (!parsed.ok())
                return parsed.error();
            if (!parsed->isObject() && !parsed->isNull())
                return Error {
                    QStringLiteral("graphqlapi.run_config"),
                    QStringLiteral("runConfigData must be a mapping (a JSON object or YAML mapping), "
                                   "found YAML %1.")
                        .arg(parsed->isArray() ? QStringLiteral("list") : QStringLiteral("scalar"))
                };
            return parsed->isNull() ? QJsonValue(QJsonObject()) : parsed.value();
        }
        if (!input.isObject() && !input.isNull())
            return Error { QStringLiteral("graphqlapi.run_config"),
                           QStringLiteral("runConfigData must be a JSON object or a YAML string.") };
        return input;
    };
    return codec;
}

graphql::Schema buildSchema()
{
    SchemaBuilder b;
    const Status sdlStatus = b.addSdl(DagsterGraphQL::sdl());
    if (!sdlStatus.ok())
        qFatal("graphqlapi: Dagster SDL: %s", qPrintable(sdlStatus.error().message));
    b.scalarCodec(QStringLiteral("RunConfigData"), runConfigDataCodec());
    b.resolve(QStringLiteral("Query"), QStringLiteral("version"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(lifdag::version());
              });
    addWorkspaceResolvers(b);
    addConfigTypeResolvers(b);
    addRunResolvers(b);
    addEventResolvers(b);
    addMutationResolvers(b);
    addInstanceResolvers(b);
    auto schema = b.build();
    if (!schema.ok())
        qFatal("graphqlapi: schema: %s", qPrintable(schema.error().message));
    return schema.value();
}

const graphql::Schema &sharedSchema()
{
    static const graphql::Schema schema = buildSchema();
    return schema;
}

} // namespace

QString DagsterGraphQL::sdl()
{
    QFile f(QStringLiteral(":/lifdag/graphqlapi/dagster.graphql"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("graphqlapi: the Dagster SDL resource is missing");
    return QString::fromUtf8(f.readAll());
}

DagsterGraphQL::DagsterGraphQL(std::shared_ptr<instance::Instance> instance, Options options)
    : DagsterGraphQL(InstanceProvider([instance] { return instance; }), std::move(options))
{ }

DagsterGraphQL::DagsterGraphQL(InstanceProvider provider, Options options)
    : d(std::make_unique<Private>())
{
    d->provider = std::move(provider);
    d->options = std::move(options);
    d->schema = sharedSchema();
    d->engine = std::make_unique<graphql::Engine>(d->schema, d->options.limits);
}

DagsterGraphQL::~DagsterGraphQL() = default;

const graphql::Schema &DagsterGraphQL::schema() const
{
    return d->schema;
}

graphql::ExecutionResult DagsterGraphQL::run(const QJsonObject &request, const RequestContext &context) const
{
    auto requestError = [](const QString &message) {
        graphql::ExecutionResult r;
        r.requestError = true;
        r.errors.append(graphql::GraphQLError { message, {}, {}, {} });
        return r;
    };
    const QJsonValue query = request.value(QLatin1StringView("query"));
    if (!query.isString() || query.toString().isEmpty())
        return requestError(QStringLiteral("Must provide query string."));
    graphql::Request req;
    req.query = query.toString();
    const QJsonValue variables = request.value(QLatin1StringView("variables"));
    if (variables.isString() && !variables.toString().isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(variables.toString().toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return requestError(QStringLiteral("Variables are invalid JSON."));
        req.variables = doc.object();
    } else if (variables.isObject()) {
        req.variables = variables.toObject();
    } else if (!variables.isNull() && !variables.isUndefined() && !variables.isString()) {
        return requestError(QStringLiteral("Variables must be an object."));
    }
    const QJsonValue operationName = request.value(QLatin1StringView("operationName"));
    if (operationName.isString())
        req.operationName = operationName.toString();
    else if (!operationName.isNull() && !operationName.isUndefined())
        return requestError(QStringLiteral("operationName must be a string."));
    req.allowMutations = context.allowMutations;

    auto s = std::make_shared<RequestState>();
    s->instance = d->provider();
    if (!s->instance)
        return requestError(QStringLiteral("The lifdag instance is not available."));
    s->context = context;
    s->options = &d->options;
    req.context = s;
    return d->engine->run(req);
}

QJsonObject DagsterGraphQL::execute(const QJsonObject &request, const RequestContext &context) const
{
    return run(request, context).toJson();
}

} // namespace lifdag::graphqlapi
