#include "openapi_p.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace lifdag::webserver::detail {

namespace {

QJsonObject ref(const QString &component)
{
    return QJsonObject { { QStringLiteral("$ref"),
                           QString(QStringLiteral("#/components/schemas/") + component) } };
}

QJsonObject str(const QString &description = {})
{
    QJsonObject o { { QStringLiteral("type"), QStringLiteral("string") } };
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    return o;
}

QJsonObject nullableStr(const QString &description = {})
{
    QJsonObject o = str(description);
    o.insert(QStringLiteral("nullable"), true);
    return o;
}

QJsonObject typed(const QString &type, const QString &description = {})
{
    QJsonObject o { { QStringLiteral("type"), type } };
    if (!description.isEmpty())
        o.insert(QStringLiteral("description"), description);
    return o;
}

QJsonObject arrayOf(const QJsonObject &items)
{
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("array") },
                         { QStringLiteral("items"), items } };
}

QJsonObject stringMap(const QString &description)
{
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                         { QStringLiteral("additionalProperties"), str() },
                         { QStringLiteral("description"), description } };
}

QJsonObject anyObject(const QString &description)
{
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                         { QStringLiteral("additionalProperties"), true },
                         { QStringLiteral("description"), description } };
}

QJsonObject object(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject o { { QStringLiteral("type"), QStringLiteral("object") },
                    { QStringLiteral("properties"), properties } };
    if (!required.isEmpty())
        o.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return o;
}

QJsonObject statusEnum()
{
    QJsonArray values;
    for (RunStatus s : allRunStatuses())
        values.append(runStatusName(s));
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("string") },
                         { QStringLiteral("enum"), values } };
}

QJsonObject schemas()
{
    QJsonObject s;
    s.insert(
        QStringLiteral("Error"),
        object(
            { { QStringLiteral("error"),
                object({ { QStringLiteral("code"), str(QStringLiteral("Stable, machine-readable")) },
                         { QStringLiteral("message"), str(QStringLiteral("What went wrong, for people")) } },
                       { QStringLiteral("code"), QStringLiteral("message") }) } },
            { QStringLiteral("error") }));
    s.insert(QStringLiteral("Run"),
             object({ { QStringLiteral("runId"), str() },
                      { QStringLiteral("jobName"), str() },
                      { QStringLiteral("locationName"), str() },
                      { QStringLiteral("repositoryName"), str() },
                      { QStringLiteral("status"), statusEnum() },
                      { QStringLiteral("tags"), stringMap(QStringLiteral("Run tags")) },
                      { QStringLiteral("priority"), typed(QStringLiteral("integer")) },
                      { QStringLiteral("parentRunId"), nullableStr() },
                      { QStringLiteral("rootRunId"), nullableStr() },
                      { QStringLiteral("createdAt"), nullableStr(QStringLiteral("ISO 8601, UTC")) },
                      { QStringLiteral("updatedAt"), nullableStr() },
                      { QStringLiteral("startedAt"), nullableStr() },
                      { QStringLiteral("endedAt"), nullableStr() },
                      { QStringLiteral("hasResult"), typed(QStringLiteral("boolean")) },
                      { QStringLiteral("runConfig"), anyObject(QStringLiteral("Single runs only")) } },
                    { QStringLiteral("runId"), QStringLiteral("jobName"), QStringLiteral("status") }));
    s.insert(QStringLiteral("RunEnvelope"),
             object({ { QStringLiteral("run"), ref(QStringLiteral("Run")) } }));
    s.insert(QStringLiteral("RunList"),
             object({ { QStringLiteral("runs"), arrayOf(ref(QStringLiteral("Run"))) },
                      { QStringLiteral("cursor"),
                        nullableStr(QStringLiteral("Pass as `cursor` for the next page")) },
                      { QStringLiteral("hasMore"), typed(QStringLiteral("boolean")) } }));
    s.insert(
        QStringLiteral("LaunchRequest"),
        object({ { QStringLiteral("job"), str() },
                 { QStringLiteral("location"), str(QStringLiteral("Needed when several locations exist")) },
                 { QStringLiteral("runConfig"),
                   anyObject(QStringLiteral("The run config (validated by the job)")) },
                 { QStringLiteral("tags"), stringMap(QStringLiteral("Tags of the run")) } },
               { QStringLiteral("job") }));
    s.insert(QStringLiteral("ReexecuteRequest"),
             object({ { QStringLiteral("tags"), stringMap(QStringLiteral("Extra tags for the new run")) },
                      { QStringLiteral("strategy"),
                        QJsonObject {
                            { QStringLiteral("type"), QStringLiteral("string") },
                            { QStringLiteral("enum"),
                              QJsonArray { QStringLiteral("ALL_STEPS"), QStringLiteral("FROM_FAILURE") } },
                            { QStringLiteral("description"),
                              QStringLiteral("ALL_STEPS (default), or FROM_FAILURE for a failed "
                                             "run: its successful step outputs are reused") } } } }));
    s.insert(
        QStringLiteral("RunCounts"),
        object(
            { { QStringLiteral("counts"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                              { QStringLiteral("additionalProperties"), typed(QStringLiteral("integer")) },
                              { QStringLiteral("description"), QStringLiteral("Runs by status") } } },
              { QStringLiteral("queued"), typed(QStringLiteral("integer"), QStringLiteral("Queue depth")) },
              { QStringLiteral("inProgress"),
                typed(QStringLiteral("integer"),
                      QStringLiteral("NOT_STARTED, STARTING, STARTED and CANCELING runs")) },
              { QStringLiteral("total"), typed(QStringLiteral("integer")) } }));
    s.insert(QStringLiteral("ConfigValidationRequest"),
             object({ { QStringLiteral("runConfig"), anyObject(QStringLiteral("The run config as JSON")) },
                      { QStringLiteral("runConfigYaml"),
                        str(QStringLiteral("…or as YAML text (wins when both are given)")) } }));
    s.insert(
        QStringLiteral("ConfigValidation"),
        object({ { QStringLiteral("valid"), typed(QStringLiteral("boolean")) },
                 { QStringLiteral("runConfig"),
                   anyObject(QStringLiteral("The config checked, as JSON (null when the YAML is invalid)")) },
                 { QStringLiteral("violations"), arrayOf(ref(QStringLiteral("Violation"))) },
                 { QStringLiteral("yamlError"),
                   object({ { QStringLiteral("message"), str() },
                            { QStringLiteral("line"), typed(QStringLiteral("integer")) },
                            { QStringLiteral("column"), typed(QStringLiteral("integer")) } }) } }));
    s.insert(
        QStringLiteral("Event"),
        object({ { QStringLiteral("storageId"), typed(QStringLiteral("integer"), QStringLiteral("Cursor")) },
                 { QStringLiteral("runId"), str() },
                 { QStringLiteral("timestamp"), str() },
                 { QStringLiteral("eventType"), str(QStringLiteral("Dagster's event type name")) },
                 { QStringLiteral("stepKey"), nullableStr() },
                 { QStringLiteral("level"), str() },
                 { QStringLiteral("message"), str() },
                 { QStringLiteral("payload"), anyObject(QStringLiteral("Event-specific data")) } }));
    s.insert(QStringLiteral("EventPage"),
             object({ { QStringLiteral("runId"), str() },
                      { QStringLiteral("events"), arrayOf(ref(QStringLiteral("Event"))) },
                      { QStringLiteral("cursor"),
                        typed(QStringLiteral("integer"), QStringLiteral("Pass as `after`")) },
                      { QStringLiteral("hasMore"), typed(QStringLiteral("boolean")) } }));
    s.insert(QStringLiteral("RunResult"),
             object({ { QStringLiteral("runId"), str() },
                      { QStringLiteral("status"), statusEnum() },
                      { QStringLiteral("result"),
                        anyObject(QStringLiteral("What the job returned; null when none")) } }));
    s.insert(QStringLiteral("Violation"),
             object({ { QStringLiteral("path"), str() },
                      { QStringLiteral("reason"), str() },
                      { QStringLiteral("message"), str() } }));
    s.insert(
        QStringLiteral("ConfigInvalid"),
        object(
            { { QStringLiteral("error"),
                object({ { QStringLiteral("code"), str(QStringLiteral("invalid_run_config")) },
                         { QStringLiteral("message"), str() },
                         { QStringLiteral("violations"), arrayOf(ref(QStringLiteral("Violation"))) } }) } }));
    s.insert(QStringLiteral("JobSummary"),
             object({ { QStringLiteral("name"), str() },
                      { QStringLiteral("locationName"), str() },
                      { QStringLiteral("description"), str() },
                      { QStringLiteral("tags"), stringMap(QStringLiteral("Job tags")) } }));
    s.insert(
        QStringLiteral("JobList"),
        object({ { QStringLiteral("jobs"), arrayOf(ref(QStringLiteral("JobSummary"))) },
                 { QStringLiteral("errors"), arrayOf(anyObject(QStringLiteral("{location, message}"))) } }));
    s.insert(QStringLiteral("Job"),
             object({ { QStringLiteral("name"), str() },
                      { QStringLiteral("locationName"), str() },
                      { QStringLiteral("description"), str() },
                      { QStringLiteral("tags"), stringMap(QStringLiteral("Job tags")) },
                      { QStringLiteral("ops"),
                        arrayOf(anyObject(QStringLiteral("{name, inputs, outputs, mapped, …}"))) },
                      { QStringLiteral("configSchema"),
                        anyObject(QStringLiteral("JSON Schema of the run config")) },
                      { QStringLiteral("configSkeleton"),
                        anyObject(QStringLiteral("A run config with the defaults")) },
                      { QStringLiteral("graph"), anyObject(QStringLiteral("The op graph")) } }));
    s.insert(QStringLiteral("Location"),
             object({ { QStringLiteral("name"), str() },
                      { QStringLiteral("address"), str() },
                      { QStringLiteral("status"), str(QStringLiteral("ok | unavailable")) },
                      { QStringLiteral("error"), nullableStr() },
                      { QStringLiteral("version"), str() },
                      { QStringLiteral("repositoryName"), str() },
                      { QStringLiteral("runningWorkers"), typed(QStringLiteral("integer")) } }));
    s.insert(QStringLiteral("LocationList"),
             object({ { QStringLiteral("locations"), arrayOf(ref(QStringLiteral("Location"))) } }));
    s.insert(QStringLiteral("ReloadResult"),
             object({ { QStringLiteral("location"), str() },
                      { QStringLiteral("jobCount"), typed(QStringLiteral("integer")) } }));
    s.insert(
        QStringLiteral("Tick"),
        object({ { QStringLiteral("id"), typed(QStringLiteral("integer")) },
                 { QStringLiteral("scheduleName"), str() },
                 { QStringLiteral("locationName"), str() },
                 { QStringLiteral("timestamp"), str() },
                 { QStringLiteral("status"), str(QStringLiteral("STARTED | SUCCESS | SKIPPED | FAILURE")) },
                 { QStringLiteral("runIds"), arrayOf(str()) },
                 { QStringLiteral("error"), nullableStr() },
                 { QStringLiteral("skipReason"), nullableStr() } }));
    s.insert(QStringLiteral("TickList"),
             object({ { QStringLiteral("ticks"), arrayOf(ref(QStringLiteral("Tick"))) } }));
    s.insert(QStringLiteral("Schedule"),
             object({ { QStringLiteral("name"), str() },
                      { QStringLiteral("locationName"), str() },
                      { QStringLiteral("jobName"), str() },
                      { QStringLiteral("cronSchedule"), str() },
                      { QStringLiteral("executionTimezone"), str() },
                      { QStringLiteral("status"), str(QStringLiteral("RUNNING | STOPPED")) },
                      { QStringLiteral("statusIsDefault"), typed(QStringLiteral("boolean")) },
                      { QStringLiteral("nextFireTime"), nullableStr() },
                      { QStringLiteral("nextTicks"),
                        arrayOf(str(QStringLiteral("The next fire times from now, ISO 8601 UTC (a preview, "
                                                   "also for stopped schedules)"))) },
                      { QStringLiteral("lastTick"), ref(QStringLiteral("Tick")) },
                      { QStringLiteral("error"), nullableStr() },
                      { QStringLiteral("inCode"), typed(QStringLiteral("boolean")) } }));
    s.insert(QStringLiteral("ScheduleList"),
             object({ { QStringLiteral("schedules"), arrayOf(ref(QStringLiteral("Schedule"))) },
                      { QStringLiteral("errors"), arrayOf(str()) } }));
    s.insert(QStringLiteral("DaemonHealth"),
             object({ { QStringLiteral("healthy"), typed(QStringLiteral("boolean")) },
                      { QStringLiteral("daemons"),
                        arrayOf(object({ { QStringLiteral("daemonType"), str() },
                                         { QStringLiteral("daemonId"), str() },
                                         { QStringLiteral("lastHeartbeat"), nullableStr() },
                                         { QStringLiteral("ageSeconds"), typed(QStringLiteral("integer")) },
                                         { QStringLiteral("healthy"), typed(QStringLiteral("boolean")) },
                                         { QStringLiteral("errors"), arrayOf(str()) } })) } }));
    s.insert(QStringLiteral("Instance"),
             anyObject(QStringLiteral("The instance configuration, without credentials")));
    s.insert(QStringLiteral("LauncherConfig"),
             object({ { QStringLiteral("run_coordinator"),
                        anyObject(QStringLiteral("As in dagster.yaml; secrets are ***")) },
                      { QStringLiteral("run_launcher"),
                        anyObject(QStringLiteral("As in dagster.yaml; secrets are ***")) },
                      { QStringLiteral("sources"),
                        stringMap(QStringLiteral("override | dagster.yaml | default")) },
                      { QStringLiteral("override_file"), str() },
                      { QStringLiteral("override_exists"), typed(QStringLiteral("boolean")) },
                      { QStringLiteral("dagster_yaml"), str() },
                      { QStringLiteral("effective"),
                        anyObject(QStringLiteral("Class names and main settings in force")) } }));
    s.insert(
        QStringLiteral("LauncherConfigChange"),
        object({ { QStringLiteral("run_coordinator"),
                   anyObject(QStringLiteral("dagster.yaml's section; null falls back to dagster.yaml")) },
                 { QStringLiteral("run_launcher"),
                   anyObject(QStringLiteral("dagster.yaml's section; \"***\" keeps a stored secret")) } }));
    s.insert(QStringLiteral("AuditLog"),
             object({ { QStringLiteral("entries"),
                        arrayOf(object({ { QStringLiteral("id"), typed(QStringLiteral("integer")) },
                                         { QStringLiteral("timestamp"), str() },
                                         { QStringLiteral("actor"), str() },
                                         { QStringLiteral("action"), str() },
                                         { QStringLiteral("target"), str() },
                                         { QStringLiteral("before"), anyObject({}) },
                                         { QStringLiteral("after"), anyObject({}) } })) } }));
    s.insert(QStringLiteral("Token"),
             object({ { QStringLiteral("id"), str() },
                      { QStringLiteral("name"), str() },
                      { QStringLiteral("role"), str(QStringLiteral("viewer | launcher | admin")) },
                      { QStringLiteral("createdAt"), str() },
                      { QStringLiteral("createdBy"), str() },
                      { QStringLiteral("revokedAt"), nullableStr() } }));
    s.insert(QStringLiteral("TokenList"),
             object({ { QStringLiteral("tokens"), arrayOf(ref(QStringLiteral("Token"))) } }));
    s.insert(QStringLiteral("TokenCreateRequest"),
             object({ { QStringLiteral("name"), str() }, { QStringLiteral("role"), str() } },
                    { QStringLiteral("name"), QStringLiteral("role") }));
    s.insert(QStringLiteral("TokenCreated"),
             object({ { QStringLiteral("token"), str(QStringLiteral("Shown once; store it now")) },
                      { QStringLiteral("id"), str() },
                      { QStringLiteral("name"), str() },
                      { QStringLiteral("role"), str() } }));
    s.insert(QStringLiteral("WhoAmI"),
             object({ { QStringLiteral("authEnabled"), typed(QStringLiteral("boolean")) },
                      { QStringLiteral("role"), str() },
                      { QStringLiteral("name"), str() },
                      { QStringLiteral("tokenId"), nullableStr() } }));
    s.insert(QStringLiteral("GraphQLRequest"),
             object({ { QStringLiteral("query"), str(QStringLiteral("The GraphQL document")) },
                      { QStringLiteral("variables"),
                        anyObject(QStringLiteral("Variables (an object or its JSON text)")) },
                      { QStringLiteral("operationName"), str() } },
                    { QStringLiteral("query") }));
    s.insert(QStringLiteral("GraphQLResponse"),
             object({ { QStringLiteral("data"), anyObject(QStringLiteral("The result, in query order")) },
                      { QStringLiteral("errors"),
                        arrayOf(anyObject(QStringLiteral("{message, locations, path}"))) } }));
    s.insert(QStringLiteral("Health"),
             object({ { QStringLiteral("status"), str() }, { QStringLiteral("version"), str() } }));
    s.insert(QStringLiteral("Ready"),
             object({ { QStringLiteral("status"), str(QStringLiteral("ready | not_ready")) },
                      { QStringLiteral("checks"),
                        anyObject(QStringLiteral("database and each code location")) } }));
    return s;
}

QString errorDescription(int status)
{
    switch (status) {
    case 400:
        return QStringLiteral("Bad request (invalid_json, invalid_parameter, …)");
    case 401:
        return QStringLiteral("No valid API token (unauthorized)");
    case 403:
        return QStringLiteral("The token's role is not enough (forbidden)");
    case 404:
        return QStringLiteral("Not found (run_not_found, job_not_found, location_not_found, …)");
    case 405:
        return QStringLiteral("Method not allowed");
    case 409:
        return QStringLiteral("Conflict with the current state (run_not_terminable, run_in_progress, …)");
    case 413:
        return QStringLiteral("Body too large");
    case 415:
        return QStringLiteral("Body is not application/json");
    case 422:
        return QStringLiteral("Valid JSON that breaks a rule (invalid_run_config, launcher_config.invalid)");
    case 429:
        return QStringLiteral("Too many failed authentication attempts (rate_limited)");
    case 500:
        return QStringLiteral("Internal error");
    case 503:
        return QStringLiteral("A dependency is unavailable (storage_unavailable, location_unavailable)");
    default:
        return QStringLiteral("Error");
    }
}

QJsonObject jsonContent(const QJsonObject &schema)
{
    return QJsonObject { { QStringLiteral("application/json"),
                           QJsonObject { { QStringLiteral("schema"), schema } } } };
}

} // namespace

QJsonObject operationJson(const RouteDoc &doc, const QString &pattern)
{
    QJsonObject op;
    op.insert(QStringLiteral("operationId"), doc.operationId);
    op.insert(QStringLiteral("summary"), doc.summary);
    if (!doc.description.isEmpty())
        op.insert(QStringLiteral("description"), doc.description);
    op.insert(QStringLiteral("tags"), QJsonArray { doc.tag });
    QJsonArray params;
    static const QRegularExpression paramRe(QStringLiteral("\\{([A-Za-z0-9_]+)\\}"));
    for (auto it = paramRe.globalMatch(pattern); it.hasNext();) {
        const QString name = it.next().captured(1);
        params.append(QJsonObject { { QStringLiteral("name"), name },
                                    { QStringLiteral("in"), QStringLiteral("path") },
                                    { QStringLiteral("required"), true },
                                    { QStringLiteral("schema"), str() } });
    }
    for (const QueryParam &q : doc.query) {
        QJsonObject schema = typed(q.type);
        if (q.repeated)
            schema = arrayOf(typed(q.type));
        QJsonObject p { { QStringLiteral("name"), q.name },
                        { QStringLiteral("in"), QStringLiteral("query") },
                        { QStringLiteral("required"), false },
                        { QStringLiteral("schema"), schema } };
        if (!q.description.isEmpty())
            p.insert(QStringLiteral("description"), q.description);
        if (q.repeated) {
            p.insert(QStringLiteral("style"), QStringLiteral("form"));
            p.insert(QStringLiteral("explode"), true);
        }
        params.append(p);
    }
    if (!params.isEmpty())
        op.insert(QStringLiteral("parameters"), params);
    if (!doc.requestSchema.isEmpty())
        op.insert(QStringLiteral("requestBody"),
                  QJsonObject { { QStringLiteral("required"), doc.bodyRequired },
                                { QStringLiteral("content"), jsonContent(ref(doc.requestSchema)) } });
    QJsonObject responses;
    QJsonObject success { { QStringLiteral("description"), QStringLiteral("Success") } };
    if (!doc.successSchema.isEmpty()) {
        if (doc.successContentType == QLatin1StringView("application/json"))
            success.insert(QStringLiteral("content"), jsonContent(ref(doc.successSchema)));
        else
            success.insert(QStringLiteral("content"),
                           QJsonObject { { doc.successContentType,
                                           QJsonObject { { QStringLiteral("schema"), str() } } } });
    }
    responses.insert(QString::number(doc.successStatus), success);
    QList<int> errors = doc.errors;
    if (!doc.query.isEmpty() || !doc.requestSchema.isEmpty())
        errors << 400;
    if (!doc.requestSchema.isEmpty())
        errors << 413 << 415;
    if (doc.role)
        errors << 401 << 403 << 429;
    errors << 500;
    std::sort(errors.begin(), errors.end());
    errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
    for (int status : errors) {
        const QString schema = status == 422 && doc.operationId == QLatin1StringView("launchRun")
            ? QStringLiteral("ConfigInvalid")
            : QStringLiteral("Error");
        responses.insert(QString::number(status),
                         QJsonObject { { QStringLiteral("description"), errorDescription(status) },
                                       { QStringLiteral("content"), jsonContent(ref(schema)) } });
    }
    op.insert(QStringLiteral("responses"), responses);
    if (doc.role) {
        op.insert(QStringLiteral("security"),
                  QJsonArray { QJsonObject { { QStringLiteral("bearerAuth"), QJsonArray() } } });
        op.insert(QStringLiteral("x-lifdag-role"), roleName(*doc.role));
    } else {
        op.insert(QStringLiteral("security"), QJsonArray());
    }
    return op;
}

QJsonObject openApiDocument(const http::Router &router, const QString &version, bool authEnabled)
{
    QJsonObject paths;
    for (const http::Route &route : router.routes()) {
        if (route.doc.isEmpty())
            continue;
        QJsonObject item = paths.value(route.pattern).toObject();
        item.insert(QString::fromLatin1(route.method).toLower(), route.doc);
        paths.insert(route.pattern, item);
    }
    return QJsonObject {
        { QStringLiteral("openapi"), QStringLiteral("3.0.3") },
        { QStringLiteral("info"),
          QJsonObject {
              { QStringLiteral("title"), QStringLiteral("lifdag API") },
              { QStringLiteral("version"), version },
              { QStringLiteral("description"),
                QStringLiteral(
                    "REST/JSON API of the lifdag webserver. Errors are {\"error\":{\"code\",\"message\"}} "
                    "with a stable code. Live events: WebSocket at /api/v1/ws. Authentication is %1; "
                    "when on, send Authorization: Bearer <token> (roles viewer < launcher < admin).")
                    .arg(authEnabled ? QStringLiteral("on") : QStringLiteral("off")) } } },
        { QStringLiteral("paths"), paths },
        { QStringLiteral("components"),
          QJsonObject { { QStringLiteral("schemas"), schemas() },
                        { QStringLiteral("securitySchemes"),
                          QJsonObject { { QStringLiteral("bearerAuth"),
                                          QJsonObject { { QStringLiteral("type"), QStringLiteral("http") },
                                                        { QStringLiteral("scheme"),
                                                          QStringLiteral("bearer") } } } } } } },
        { QStringLiteral("security"),
          QJsonArray { QJsonObject { { QStringLiteral("bearerAuth"), QJsonArray() } } } },
    };
}

} // namespace lifdag::webserver::detail
