// Workspace, code locations, repositories, jobs and their config schemas.
#include "api_p.h"

#include <lifdag/core/version.h>

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>

namespace lifdag::graphqlapi::detail {

namespace {

QString hashId(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha1).toHex());
}

QString str(const Value &parent, QLatin1StringView key)
{
    return parent.json().toObject().value(key).toString();
}

QJsonObject repositoryJson(const LocationSnapshot &loc)
{
    const QString location = loc.config.locationName;
    const QString repo = loc.repositoryName();
    return typed("Repository",
                 { { QStringLiteral("id"), hashId(location + QLatin1Char('|') + repo) },
                   { QStringLiteral("name"), repo },
                   { QStringLiteral("__location"), location } });
}

QJsonObject originJson(const QString &location, const QString &repo)
{
    return QJsonObject { { QStringLiteral("id"), hashId(location + QLatin1Char('|') + repo) },
                         { QStringLiteral("repositoryLocationName"), location },
                         { QStringLiteral("repositoryName"), repo },
                         { QStringLiteral("repositoryLocationMetadata"), QJsonArray() } };
}

QJsonArray locationMetadata(const config::CodeLocationConfig &c)
{
    QJsonArray out;
    auto add = [&](const char *key, const QString &value) {
        if (!value.isEmpty())
            out.append(QJsonObject { { QStringLiteral("key"), QString::fromLatin1(key) },
                                     { QStringLiteral("value"), value } });
    };
    if (c.socket.isEmpty()) {
        add("host", c.host);
        add("port", QString::number(c.port));
    } else {
        add("socket", c.socket);
    }
    return out;
}

QJsonObject locationJson(const LocationSnapshot &loc)
{
    return typed("RepositoryLocation",
                 { { QStringLiteral("id"), loc.config.locationName },
                   { QStringLiteral("name"), loc.config.locationName },
                   { QStringLiteral("isReloadSupported"), true },
                   { QStringLiteral("environmentPath"), QJsonValue() },
                   { QStringLiteral("serverId"), loc.config.address() },
                   { QStringLiteral("dagsterLibraryVersions"),
                     QJsonArray { QJsonObject {
                         { QStringLiteral("name"), QStringLiteral("lifdag") },
                         { QStringLiteral("version"),
                           loc.info.version.isEmpty() ? lifdag::version() : loc.info.version } } } },
                   { QStringLiteral("__location"), loc.config.locationName } });
}

QJsonObject unreachable(const LocationSnapshot &loc)
{
    return pythonError(QStringLiteral("Code location \"%1\" (%2) could not be loaded: %3")
                           .arg(loc.config.locationName, loc.config.address(), loc.error),
                       QStringLiteral("lifdag::codelocation::Unavailable"));
}

QJsonObject repositoryNotFound(const QString &location, const QString &repo)
{
    return typed("RepositoryNotFoundError",
                 { { QStringLiteral("message"),
                     QStringLiteral("Could not find Repository %1.%2").arg(location, repo) },
                   { QStringLiteral("repositoryName"), repo },
                   { QStringLiteral("repositoryLocationName"), location } });
}

// A job by selector, or the Dagster error value explaining why there is none.
struct JobLookup
{
    std::shared_ptr<LocationSnapshot> location;
    const codelocation::JobInfo *job = nullptr;
    QJsonObject error;
};

JobLookup lookupJob(RequestState &s, const QJsonObject &selector)
{
    JobLookup out;
    const QString locationName = selector.value(QLatin1StringView("repositoryLocationName")).toString();
    const QString repo = selector.value(QLatin1StringView("repositoryName")).toString();
    const QString job = selector.value(QLatin1StringView("pipelineName")).toString();
    out.location = s.location(locationName);
    if (!out.location) {
        out.error = pipelineNotFound(locationName, repo, job);
        return out;
    }
    if (!out.location->error.isEmpty()) {
        out.error = unreachable(*out.location);
        return out;
    }
    if (out.location->repositoryName() != repo || !(out.job = out.location->job(job)))
        out.error = pipelineNotFound(locationName, repo, job);
    return out;
}

QJsonObject invalidSubset(RequestState &s, const JobLookup &found, const QStringList &selection)
{
    QJsonObject e = typed(
        "InvalidSubsetError",
        { { QStringLiteral("message"),
            QStringLiteral("lifdag runs whole jobs: the op selection %1 of job \"%2\" is not supported.")
                .arg(selection.join(QStringLiteral(", ")), found.job->name) } });
    Q_UNUSED(s);
    e.insert(QStringLiteral("__location"), found.location->config.locationName);
    e.insert(QStringLiteral("__job"), found.job->name);
    return e;
}

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

Value validate(RequestState &s, const JobLookup &found, const QJsonObject &runConfig)
{
    const auto client = s.client(found.location->config);
    const auto violations = client->validateRunConfig(found.job->name, runConfig);
    if (!violations.ok()) {
        if (violations.error().code == QLatin1StringView("codelocation.not_found"))
            return Value(pipelineNotFound(found.location->config.locationName,
                                          found.location->repositoryName(), found.job->name));
        return Value(pythonError(violations.error().message, QStringLiteral("lifdag::codelocation::Error")));
    }
    if (violations->isEmpty())
        return Value(
            typed("PipelineConfigValidationValid", { { QStringLiteral("pipelineName"), found.job->name } }));
    return configValidationInvalid(found.job->name, *violations, runConfig, found.job->configSchema);
}

} // namespace

QJsonObject workspaceLocationEntry(RequestState &s, const config::CodeLocationConfig &config)
{
    Q_UNUSED(s);
    return typed(
        "WorkspaceLocationEntry",
        { { QStringLiteral("id"), config.locationName },
          { QStringLiteral("name"), config.locationName },
          { QStringLiteral("loadStatus"), QStringLiteral("LOADED") },
          { QStringLiteral("displayMetadata"), locationMetadata(config) },
          { QStringLiteral("updatedTimestamp"), double(QDateTime::currentMSecsSinceEpoch()) / 1000.0 },
          { QStringLiteral("permissions"), QJsonArray() },
          { QStringLiteral("featureFlags"), QJsonArray() } });
}

Value pipelineValue(RequestState &s, const std::shared_ptr<LocationSnapshot> &location,
                    const QString &jobName, const char *typeName)
{
    Q_UNUSED(s);
    const codelocation::JobInfo *job = location->job(jobName);
    if (!job)
        return Value();
    QJsonArray tags;
    for (auto it = job->tags.begin(); it != job->tags.end(); ++it)
        tags.append(
            QJsonObject { { QStringLiteral("key"), it.key() }, { QStringLiteral("value"), it.value() } });
    const QString snapshotId =
        hashId(QString::fromUtf8(QJsonDocument(job->graph).toJson(QJsonDocument::Compact))
               + QString::fromUtf8(QJsonDocument(job->configSchema).toJson(QJsonDocument::Compact)));
    return Value(typed(typeName,
                       { { QStringLiteral("id"),
                           hashId(location->config.locationName + QLatin1Char('|')
                                  + location->repositoryName() + QLatin1Char('|') + job->name) },
                         { QStringLiteral("name"), job->name },
                         { QStringLiteral("description"),
                           job->description.isEmpty() ? QJsonValue() : QJsonValue(job->description) },
                         { QStringLiteral("pipelineSnapshotId"), snapshotId },
                         { QStringLiteral("tags"), tags },
                         { QStringLiteral("parentSnapshotId"), QJsonValue() },
                         { QStringLiteral("graphName"), job->name },
                         { QStringLiteral("presets"), QJsonArray() },
                         { QStringLiteral("isJob"), true },
                         { QStringLiteral("isAssetJob"), false },
                         { QStringLiteral("__location"), location->config.locationName } }));
}

void addWorkspaceResolvers(SchemaBuilder &b)
{
    using Args = const QJsonObject &;

    b.resolve(QStringLiteral("Query"), QStringLiteral("repositoriesOrError"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QJsonObject selector = args.value(QLatin1StringView("repositorySelector")).toObject();
                  QJsonArray nodes;
                  for (const config::CodeLocationConfig &c : s.configuredLocations()) {
                      if (!selector.isEmpty()
                          && c.locationName
                              != selector.value(QLatin1StringView("repositoryLocationName")).toString())
                          continue;
                      const auto loc = s.location(c.locationName);
                      if (!loc->error.isEmpty()) {
                          qCWarning(lcGraphqlApi, "code location %s is unavailable: %s",
                                    qPrintable(c.locationName), qPrintable(loc->error));
                          continue; // Dagster lists loaded repositories only; the workspace shows the error
                      }
                      if (!selector.isEmpty()
                          && loc->repositoryName()
                              != selector.value(QLatin1StringView("repositoryName")).toString())
                          continue;
                      nodes.append(repositoryJson(*loc));
                  }
                  if (!selector.isEmpty() && nodes.isEmpty())
                      return Value(repositoryNotFound(
                          selector.value(QLatin1StringView("repositoryLocationName")).toString(),
                          selector.value(QLatin1StringView("repositoryName")).toString()));
                  return Value(typed("RepositoryConnection", { { QStringLiteral("nodes"), nodes } }));
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("repositoryOrError"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QJsonObject selector = args.value(QLatin1StringView("repositorySelector")).toObject();
                  const QString locationName =
                      selector.value(QLatin1StringView("repositoryLocationName")).toString();
                  const QString repo = selector.value(QLatin1StringView("repositoryName")).toString();
                  const auto loc = s.location(locationName);
                  if (!loc)
                      return Value(repositoryNotFound(locationName, repo));
                  if (!loc->error.isEmpty())
                      return Value(unreachable(*loc));
                  if (loc->repositoryName() != repo)
                      return Value(repositoryNotFound(locationName, repo));
                  return Value(repositoryJson(*loc));
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("workspaceOrError"),
              [](const Value &, Args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  QJsonArray entries;
                  for (const config::CodeLocationConfig &c : s.configuredLocations())
                      entries.append(workspaceLocationEntry(s, c));
                  return Value(typed("Workspace",
                                     { { QStringLiteral("id"), QStringLiteral("Workspace") },
                                       { QStringLiteral("locationEntries"), entries } }));
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("workspaceLocationEntryOrError"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QString name = args.value(QLatin1StringView("name")).toString();
                  for (const config::CodeLocationConfig &c : s.configuredLocations())
                      if (c.locationName == name)
                          return Value(workspaceLocationEntry(s, c));
                  return Value(); // Dagster answers null for an unknown name
              });

    b.resolve(QStringLiteral("WorkspaceLocationEntry"), QStringLiteral("locationOrLoadError"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const auto loc = s.location(str(parent, QLatin1StringView("name")));
                  if (!loc)
                      return Value();
                  return Value(loc->error.isEmpty() ? locationJson(*loc) : unreachable(*loc));
              });

    b.resolve(QStringLiteral("RepositoryLocation"), QStringLiteral("repositories"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
                  return Value(loc && loc->error.isEmpty() ? QJsonArray { repositoryJson(*loc) }
                                                           : QJsonArray());
              });

    b.resolve(QStringLiteral("Repository"), QStringLiteral("location"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
                  if (!loc)
                      return Error { QStringLiteral("graphqlapi.location"),
                                     QStringLiteral("The code location is gone.") };
                  return Value(locationJson(*loc));
              });
    b.resolve(QStringLiteral("Repository"), QStringLiteral("origin"),
              [](const Value &parent, Args, const Context &) -> FieldResult {
                  return Value(originJson(str(parent, QLatin1StringView("__location")),
                                          str(parent, QLatin1StringView("name"))));
              });
    b.resolve(QStringLiteral("Repository"), QStringLiteral("displayMetadata"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
                  return Value(loc ? locationMetadata(loc->config) : QJsonArray());
              });
    for (const char *field : { "pipelines", "jobs" }) {
        const char *typeName = QByteArray(field) == "jobs" ? "Job" : "Pipeline";
        b.resolve(QStringLiteral("Repository"), QString::fromLatin1(field),
                  [typeName](const Value &parent, Args, const Context &ctx) -> FieldResult {
                      RequestState &s = state(ctx);
                      const auto loc = s.location(str(parent, QLatin1StringView("__location")));
                      QList<Value> out;
                      if (loc)
                          for (const codelocation::JobInfo &j : loc->jobs)
                              out.append(pipelineValue(s, loc, j.name, typeName));
                      return Value::list(out);
                  });
    }

    // Pipeline and Job share Dagster's shape.
    for (const char *typeName : { "Pipeline", "Job" }) {
        const QString type = QString::fromLatin1(typeName);
        b.resolve(type, QStringLiteral("repository"),
                  [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                      const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
                      if (!loc)
                          return Error { QStringLiteral("graphqlapi.location"),
                                         QStringLiteral("The code location is gone.") };
                      return Value(repositoryJson(*loc));
                  });
        b.resolve(type, QStringLiteral("modes"),
                  [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                      const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
                      const codelocation::JobInfo *job =
                          loc ? loc->job(str(parent, QLatin1StringView("name"))) : nullptr;
                      QJsonObject mode {
                          { QStringLiteral("id"),
                            QString(str(parent, QLatin1StringView("id")) + QStringLiteral("-default")) },
                          { QStringLiteral("name"), QStringLiteral("default") },
                          { QStringLiteral("description"), QJsonValue() },
                          { QStringLiteral("loggers"), QJsonArray() },
                          { QStringLiteral("__location"), str(parent, QLatin1StringView("__location")) },
                          { QStringLiteral("__job"), job ? job->name : QString() }
                      };
                      return Value(QJsonArray { mode });
                  });
        b.resolve(type, QStringLiteral("runs"),
                  [](const Value &parent, Args args, const Context &ctx) -> FieldResult {
                      storage::RunFilter filter;
                      filter.jobName = str(parent, QLatin1StringView("name"));
                      const int limit = args.value(QLatin1StringView("limit")).isDouble()
                          ? args.value(QLatin1StringView("limit")).toInt()
                          : 100;
                      const auto page = state(ctx).instance->storage().runs().runs(
                          filter, qBound(1, limit, 1000), args.value(QLatin1StringView("cursor")).toString());
                      if (!page.ok())
                          return page.error();
                      QList<Value> out;
                      for (const storage::RunRecord &r : page->runs)
                          if (r.locationName.isEmpty()
                              || r.locationName == str(parent, QLatin1StringView("__location")))
                              out.append(runValue(r));
                      return Value::list(out);
                  });
    }

    b.resolve(
        QStringLiteral("Mode"), QStringLiteral("resources"),
        [](const Value &parent, Args, const Context &ctx) -> FieldResult {
            const auto loc = state(ctx).location(str(parent, QLatin1StringView("__location")));
            const codelocation::JobInfo *job =
                loc ? loc->job(str(parent, QLatin1StringView("__job"))) : nullptr;
            QList<Value> out;
            if (!job)
                return Value::list(out);
            const auto registry = configRegistry(job->configSchema);
            const QJsonObject resources = job->configSchema.value(QLatin1StringView("properties"))
                                              .toObject()
                                              .value(QLatin1StringView("resources"))
                                              .toObject()
                                              .value(QLatin1StringView("properties"))
                                              .toObject();
            for (auto it = resources.begin(); it != resources.end(); ++it) {
                const QJsonObject r = it.value().toObject();
                const bool hasConfig =
                    r.value(QLatin1StringView("properties")).toObject().contains(QLatin1StringView("config"));
                out.append(Value(QJsonObject {
                    { QStringLiteral("name"), it.key() },
                    { QStringLiteral("description"),
                      r.value(QLatin1StringView("description")).toString().isEmpty()
                          ? QJsonValue()
                          : r.value(QLatin1StringView("description")) },
                    { QStringLiteral("__location"), str(parent, QLatin1StringView("__location")) },
                    { QStringLiteral("__job"), job->name },
                    { QStringLiteral("__hasConfig"), hasConfig } }));
            }
            return Value::list(out);
        });
    b.resolve(QStringLiteral("Resource"), QStringLiteral("configField"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const QJsonObject p = parent.json().toObject();
                  if (!p.value(QLatin1StringView("__hasConfig")).toBool())
                      return Value();
                  const auto loc = state(ctx).location(p.value(QLatin1StringView("__location")).toString());
                  const codelocation::JobInfo *job =
                      loc ? loc->job(p.value(QLatin1StringView("__job")).toString()) : nullptr;
                  if (!job)
                      return Value();
                  return configFieldValue(
                      configRegistry(job->configSchema),
                      { QStringLiteral("resources"), p.value(QLatin1StringView("name")).toString() },
                      QStringLiteral("config"));
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("pipelineOrError"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QJsonObject params = args.value(QLatin1StringView("params")).toObject();
                  const JobLookup found = lookupJob(s, params);
                  if (!found.job)
                      return Value(found.error);
                  const QStringList selection = stringList(params.value(QLatin1StringView("solidSelection")));
                  if (!selection.isEmpty())
                      return Value(invalidSubset(s, found, selection));
                  return pipelineValue(s, found.location, found.job->name, "Pipeline");
              });
    b.resolve(QStringLiteral("InvalidSubsetError"), QStringLiteral("pipeline"),
              [](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const auto loc = s.location(str(parent, QLatin1StringView("__location")));
                  if (!loc)
                      return Error { QStringLiteral("graphqlapi.location"),
                                     QStringLiteral("The code location is gone.") };
                  return pipelineValue(s, loc, str(parent, QLatin1StringView("__job")), "Pipeline");
              });

    b.resolve(QStringLiteral("Query"), QStringLiteral("isPipelineConfigValid"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const QJsonObject selector = args.value(QLatin1StringView("pipeline")).toObject();
                  const JobLookup found = lookupJob(s, selector);
                  if (!found.job)
                      return Value(found.error);
                  const QStringList selection =
                      stringList(selector.value(QLatin1StringView("solidSelection")));
                  if (!selection.isEmpty())
                      return Value(invalidSubset(s, found, selection));
                  return validate(s, found, args.value(QLatin1StringView("runConfigData")).toObject());
              });

    b.resolve(
        QStringLiteral("Query"), QStringLiteral("runConfigSchemaOrError"),
        [](const Value &, Args args, const Context &ctx) -> FieldResult {
            RequestState &s = state(ctx);
            const QJsonObject selector = args.value(QLatin1StringView("selector")).toObject();
            const JobLookup found = lookupJob(s, selector);
            if (!found.job)
                return Value(found.error);
            const QStringList selection = stringList(selector.value(QLatin1StringView("solidSelection")));
            if (!selection.isEmpty())
                return Value(invalidSubset(s, found, selection));
            const QJsonValue mode = args.value(QLatin1StringView("mode"));
            if (mode.isString() && mode.toString() != QLatin1StringView("default"))
                return Value(typed("ModeNotFoundError",
                                   { { QStringLiteral("message"),
                                       QStringLiteral("Mode %1 not found in pipeline %2.")
                                           .arg(mode.toString(), found.job->name) },
                                     { QStringLiteral("mode"), mode } }));
            return Value(typed("RunConfigSchema",
                               { { QStringLiteral("rootDefaultYaml"), toYaml(found.job->configSkeleton) },
                                 { QStringLiteral("__location"), found.location->config.locationName },
                                 { QStringLiteral("__repository"), found.location->repositoryName() },
                                 { QStringLiteral("__job"), found.job->name } }));
        });
    auto schemaJob = [](const Value &parent, RequestState &s) -> JobLookup {
        const QJsonObject p = parent.json().toObject();
        return lookupJob(
            s,
            QJsonObject {
                { QStringLiteral("repositoryLocationName"), p.value(QLatin1StringView("__location")) },
                { QStringLiteral("repositoryName"), p.value(QLatin1StringView("__repository")) },
                { QStringLiteral("pipelineName"), p.value(QLatin1StringView("__job")) } });
    };
    b.resolve(QStringLiteral("RunConfigSchema"), QStringLiteral("rootConfigType"),
              [schemaJob](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const JobLookup found = schemaJob(parent, state(ctx));
                  if (!found.job)
                      return Error { QStringLiteral("graphqlapi.job"),
                                     found.error.value(QLatin1StringView("message")).toString() };
                  const auto registry = configRegistry(found.job->configSchema);
                  return configTypeValue(registry, rootConfigTypeKey(*registry));
              });
    b.resolve(QStringLiteral("RunConfigSchema"), QStringLiteral("allConfigTypes"),
              [schemaJob](const Value &parent, Args, const Context &ctx) -> FieldResult {
                  const JobLookup found = schemaJob(parent, state(ctx));
                  if (!found.job)
                      return Error { QStringLiteral("graphqlapi.job"),
                                     found.error.value(QLatin1StringView("message")).toString() };
                  const auto registry = configRegistry(found.job->configSchema);
                  QList<Value> out;
                  for (const QString &key : allConfigTypeKeys(*registry))
                      out.append(configTypeValue(registry, key));
                  return Value::list(out);
              });
    b.resolve(QStringLiteral("RunConfigSchema"), QStringLiteral("isRunConfigValid"),
              [schemaJob](const Value &parent, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const JobLookup found = schemaJob(parent, s);
                  if (!found.job)
                      return Value(found.error);
                  return validate(s, found, args.value(QLatin1StringView("runConfigData")).toObject());
              });
}

} // namespace lifdag::graphqlapi::detail
