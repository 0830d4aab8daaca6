// The REST routes: runs, events, results, jobs and locations, schedules, daemon health, instance
// configuration and launcher administration, tokens, health/readiness and metrics.
#include "api_p.h"

#include "apijson_p.h"
#include "webserver_log_p.h"

#include <lifdag/core/redaction.h>
#include <lifdag/core/version.h>
#include <lifdag/execution/executor.h>
#include <lifdag/launcher/launcher.h>
#include <lifdag/launcher/runlauncher.h>
#include <lifdag/scheduler/cron.h>
#include <lifdag/scheduler/scheduler.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <yaml-cpp/yaml.h>

namespace lifdag::webserver::detail {

using http::Request;
using http::Response;

namespace {

// Who launched a run through the API (role:name, never a credential), for the UI's "launched by".
const QLatin1StringView kLaunchedByTag("lifdag/launched_by");

Response ok(const QJsonObject &body, int status = 200)
{
    return Response::rawJson(status, toRedactedJson(body));
}

Response badParameter(const QString &name, const QString &message)
{
    return apiError(400, QStringLiteral("invalid_parameter"), QStringLiteral("%1: %2").arg(name, message),
                    QJsonObject { { QStringLiteral("parameter"), name } });
}

// The request's JSON object body. An empty body is {} unless `required`.
std::optional<Response> readBody(const Request &req, bool required, QJsonObject *out)
{
    if (req.body.isEmpty()) {
        if (required)
            return apiError(400, QStringLiteral("invalid_json"),
                            QStringLiteral("a JSON object body is required"));
        *out = {};
        return std::nullopt;
    }
    const QByteArray type = req.header("content-type").toLower();
    if (!type.startsWith("application/json"))
        return apiError(415, QStringLiteral("unsupported_media_type"),
                        QStringLiteral("send the body as application/json (got \"%1\")")
                            .arg(QString::fromLatin1(type.left(100))));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &error);
    if (error.error != QJsonParseError::NoError)
        return apiError(400, QStringLiteral("invalid_json"),
                        QStringLiteral("the body is not valid JSON: %1 at byte %2")
                            .arg(error.errorString())
                            .arg(error.offset));
    if (!doc.isObject())
        return apiError(400, QStringLiteral("invalid_json"),
                        QStringLiteral("the body must be a JSON object"));
    *out = doc.object();
    return std::nullopt;
}

std::optional<Response> checkKeys(const QJsonObject &body, const QStringList &allowed)
{
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!allowed.contains(it.key()))
            return apiError(400, QStringLiteral("invalid_field"),
                            QStringLiteral("%1: unknown field (expected %2)")
                                .arg(it.key().left(100), allowed.join(QStringLiteral(", "))));
    }
    return std::nullopt;
}

std::optional<Response> intParam(const Request &req, const QString &name, int fallback, int min, int max,
                                 int *out)
{
    if (!req.hasQuery(name)) {
        *out = fallback;
        return std::nullopt;
    }
    bool ok = false;
    const qint64 v = req.queryValue(name).toLongLong(&ok);
    if (!ok || v < min || v > max)
        return badParameter(name, QStringLiteral("expected an integer from %1 to %2").arg(min).arg(max));
    *out = int(v);
    return std::nullopt;
}

std::optional<Response> tagsFromJson(const QJsonValue &value, const QString &field,
                                     QMap<QString, QString> *tags)
{
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isObject())
        return apiError(400, QStringLiteral("invalid_field"),
                        QStringLiteral("%1: expected an object of string values").arg(field));
    const QJsonObject o = value.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString() || it.key().isEmpty() || it.key().size() > 255
            || it.value().toString().size() > 4096)
            return apiError(
                400, QStringLiteral("invalid_field"),
                QStringLiteral("%1.%2: tags are non-empty names (up to 255 characters) with string "
                               "values (up to 4096)")
                    .arg(field, it.key().left(100)));
        tags->insert(it.key(), it.value().toString());
    }
    return std::nullopt;
}

// The run named by the path, or the response that says why not.
std::optional<Response> loadRun(Context &ctx, const Request &req, storage::RunRecord *run)
{
    const QString runId = req.pathParams.value(QStringLiteral("runId"));
    const auto r = ctx.instance->storage().runs().run(runId);
    if (!r)
        return apiError(r.error());
    if (!r->has_value())
        return apiError(404, QStringLiteral("run_not_found"),
                        QStringLiteral("run %1 not found").arg(runId.left(200)));
    *run = **r;
    return std::nullopt;
}

std::optional<config::CodeLocationConfig> findLocation(Context &ctx, const QString &name)
{
    for (const auto &l : ctx.locations->configured()) {
        if (l.locationName == name)
            return l;
    }
    return std::nullopt;
}

Response locationNotFound(const QString &name)
{
    return apiError(404, QStringLiteral("location_not_found"),
                    QStringLiteral("code location \"%1\" is not in the workspace").arg(name.left(200)));
}

Status appendEvent(instance::Instance &instance, const Event &event)
{
    const auto ids = instance.storage().events().append({ event });
    return ids ? Status {} : Status(ids.error());
}

// Dagster's termination: a run that has not started is canceled at once; a live one becomes
// CANCELING and its launcher stops the worker, which ends the run CANCELED.
Result<storage::RunRecord> terminateRun(Context &ctx, storage::RunRecord run, const Principal &who)
{
    instance::Instance &inst = *ctx.instance;
    storage::RunStorage &runs = inst.storage().runs();
    if (run.status == RunStatus::Queued || run.status == RunStatus::NotStarted) {
        const auto moved =
            runs.transition(run.runId, RunStatus::Canceled, { RunStatus::Queued, RunStatus::NotStarted });
        if (!moved)
            return moved.error();
        if (*moved) {
            (void)appendEvent(
                inst,
                runEvent(
                    run.runId, EventType::RunCanceled,
                    QStringLiteral("Run canceled before it started (requested by %1).").arg(who.describe())));
            return **runs.run(run.runId);
        }
        const auto again = runs.run(run.runId); // it was dequeued meanwhile: stop it as a live run
        if (!again)
            return again.error();
        if (!again->has_value())
            return Error { QStringLiteral("storage.not_found"),
                           QStringLiteral("run %1 not found").arg(run.runId) };
        run = **again;
        if (isTerminal(run.status))
            return run;
    }
    if (run.status != RunStatus::Canceling) {
        const auto moved =
            runs.transition(run.runId, RunStatus::Canceling, { RunStatus::Starting, RunStatus::Started });
        if (!moved)
            return moved.error();
        if (*moved)
            (void)appendEvent(inst,
                              runEvent(run.runId, EventType::RunCanceling,
                                       QStringLiteral("Sending run termination request (requested by %1).")
                                           .arg(who.describe())));
    }
    const auto launcher = launcher::makeRunLauncher(inst.launchConfig().runLauncher, inst);
    const auto signalled = launcher->terminate(run);
    if (!signalled)
        return Error { QStringLiteral("codelocation.unavailable"),
                       QStringLiteral("run %1 is CANCELING, but its worker could not be told to stop: %2")
                           .arg(run.runId, signalled.error().message) };
    if (!*signalled) {
        // No live worker: nothing will end the run, so end it here.
        const auto moved = runs.transition(run.runId, RunStatus::Canceled, { RunStatus::Canceling });
        if (moved.ok() && *moved)
            (void)appendEvent(inst,
                              runEvent(run.runId, EventType::RunCanceled,
                                       QStringLiteral("Run canceled: its worker was no longer running."),
                                       QStringLiteral("WARNING")));
    }
    const auto fresh = runs.run(run.runId);
    if (!fresh)
        return fresh.error();
    return fresh->value_or(run);
}

QJsonObject jobSummaryJson(const codelocation::JobInfo &job, const QString &location)
{
    return QJsonObject { { QStringLiteral("name"), job.name },
                         { QStringLiteral("locationName"), location },
                         { QStringLiteral("description"), job.description },
                         { QStringLiteral("tags"), tagsJson(job.tags) } };
}

// The schedule's next fire times from now (whether it runs or not: a preview), in UTC.
QJsonArray nextTicksJson(const execution::ScheduleDefinition &d, int count = 5)
{
    QJsonArray out;
    const auto cron = scheduler::CronSchedule::create(d.cronSchedule, d.executionTimezone);
    if (!cron)
        return out;
    QDateTime t = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < count; ++i) {
        t = cron->next(t);
        if (!t.isValid())
            break;
        out.append(isoTime(t));
    }
    return out;
}

QJsonObject scheduleJson(const scheduler::ScheduleState &s)
{
    const execution::ScheduleDefinition &d = s.definition;
    return QJsonObject {
        { QStringLiteral("name"), d.name },
        { QStringLiteral("locationName"), s.locationName },
        { QStringLiteral("jobName"), d.jobName },
        { QStringLiteral("cronSchedule"), d.cronSchedule },
        { QStringLiteral("executionTimezone"), d.executionTimezone },
        { QStringLiteral("description"), d.description },
        { QStringLiteral("status"), s.status },
        { QStringLiteral("statusIsDefault"), s.statusIsDefault },
        { QStringLiteral("defaultStatus"), execution::defaultStatusName(d.defaultStatus) },
        { QStringLiteral("nextFireTime"), isoTime(s.nextFireTime) },
        { QStringLiteral("nextTicks"), nextTicksJson(d) },
        { QStringLiteral("lastTick"), s.lastTick ? QJsonValue(tickJson(*s.lastTick)) : QJsonValue() },
        { QStringLiteral("error"), s.error.isEmpty() ? QJsonValue() : QJsonValue(s.error) },
        { QStringLiteral("inCode"), s.inCode },
        { QStringLiteral("tags"), tagsJson(d.tags) },
    };
}

QJsonObject tokenJson(const storage::ApiToken &t)
{
    return QJsonObject { { QStringLiteral("id"), t.id },
                         { QStringLiteral("name"), t.name },
                         { QStringLiteral("role"), t.role },
                         { QStringLiteral("createdAt"), isoTime(t.createdAt) },
                         { QStringLiteral("createdBy"), t.createdBy },
                         { QStringLiteral("revokedAt"), isoTime(t.revokedAt) } };
}

// A YAML document (the launchpad's run config) as JSON, scalars typed as YAML 1.2's core schema types
// them; `{env: NAME}` stays as written (the run worker resolves it, never the webserver).
QJsonValue yamlToJson(const YAML::Node &node)
{
    if (!node.IsDefined() || node.IsNull())
        return QJsonValue::Null;
    if (node.IsMap()) {
        QJsonObject o;
        for (auto it = node.begin(); it != node.end(); ++it)
            o.insert(QString::fromStdString(it->first.Scalar()), yamlToJson(it->second));
        return o;
    }
    if (node.IsSequence()) {
        QJsonArray a;
        for (auto it = node.begin(); it != node.end(); ++it)
            a.append(yamlToJson(*it));
        return a;
    }
    const QString text = QString::fromStdString(node.Scalar());
    if (node.Tag() == "!") // quoted: always a string
        return text;
    static const QRegularExpression intRe(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression floatRe(
        QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
    if (text == QLatin1StringView("true") || text == QLatin1StringView("false"))
        return text == QLatin1StringView("true");
    if (text == QLatin1StringView("null") || text == QLatin1StringView("~"))
        return QJsonValue::Null;
    if (intRe.match(text).hasMatch())
        return text.toLongLong();
    if (floatRe.match(text).hasMatch())
        return text.toDouble();
    return text;
}

QJsonArray violationsJson(const QList<codelocation::Violation> &violations)
{
    QJsonArray out;
    for (const codelocation::Violation &v : violations)
        out.append(QJsonObject { { QStringLiteral("path"), v.path },
                                 { QStringLiteral("reason"), v.reason },
                                 { QStringLiteral("message"), v.message } });
    return out;
}

// The key path ("run_launcher.config.image") an invalid launcher setting's message names, if any.
QString launcherErrorPath(const QString &message)
{
    static const QRegularExpression re(
        QStringLiteral("(?:^|: )((?:run_coordinator|run_launcher)(?:\\.[A-Za-z0-9_]+|\\[[0-9]+\\])*): "));
    const QRegularExpressionMatch m = re.match(message);
    return m.hasMatch() ? m.captured(1) : QString();
}

Response launcherConfigError(const Error &e)
{
    if (e.code != QLatin1StringView("launcher_config.invalid"))
        return apiError(e);
    const QString path = launcherErrorPath(e.message);
    return apiError(422, QStringLiteral("invalid_launcher_config"), e.message,
                    path.isEmpty() ? QJsonObject() : QJsonObject { { QStringLiteral("path"), path } });
}

RouteDoc doc(const char *operationId, const char *summary, const char *tag, std::optional<Role> role,
             const char *successSchema, QList<int> errors = {})
{
    RouteDoc d;
    d.operationId = QString::fromLatin1(operationId);
    d.summary = QString::fromUtf8(summary);
    d.tag = QString::fromLatin1(tag);
    d.role = role;
    d.successSchema = QString::fromLatin1(successSchema);
    d.errors = std::move(errors);
    return d;
}

} // namespace

Response apiError(int status, const QString &code, const QString &message, const QJsonObject &details)
{
    return Response::error(status, code, redaction::redact(message), details);
}

Response apiError(const Error &e)
{
    const QString &c = e.code;
    auto is = [&](const char *code) {
        return c == QLatin1StringView(code);
    };
    if (is("codelocation.not_found"))
        return apiError(404, QStringLiteral("job_not_found"), e.message);
    if (is("instance.unknown_location"))
        return apiError(404, QStringLiteral("location_not_found"), e.message);
    if (is("scheduler.not_found"))
        return apiError(404, QStringLiteral("schedule_not_found"), e.message);
    if (is("storage.not_found"))
        return apiError(404, QStringLiteral("not_found"), e.message);
    if (is("instance.ambiguous_location") || is("scheduler.ambiguous"))
        return apiError(400, QStringLiteral("location_required"), e.message);
    if (is("instance.no_workspace") || is("scheduler.no_workspace"))
        return apiError(503, QStringLiteral("no_code_location"), e.message);
    if (is("codelocation.unavailable") || is("scheduler.unavailable"))
        return apiError(503, QStringLiteral("location_unavailable"), e.message);
    if (is("codelocation.invalid_argument") || is("auth.invalid_name"))
        return apiError(400, QStringLiteral("invalid_argument"), e.message);
    if (is("storage.duplicate"))
        return apiError(409, QStringLiteral("conflict"), e.message);
    if (is("launcher_config.invalid"))
        return apiError(422, QStringLiteral("invalid_launcher_config"), e.message);
    if (c.startsWith(QLatin1StringView("storage.")))
        return apiError(503, QStringLiteral("storage_unavailable"), e.message);
    qCWarning(lcWebserver, "request failed: %s (%s)", qPrintable(e.message), qPrintable(e.code));
    return apiError(500, QStringLiteral("internal"), e.message);
}

void addRoute(http::Router &router, Context &ctx, const QByteArray &method, const QString &pattern,
              RouteDoc doc, ApiHandler handler, bool inlineHandler)
{
    http::Route r;
    r.method = method;
    r.pattern = pattern;
    r.inlineHandler = inlineHandler;
    r.doc = operationJson(doc, pattern);
    const std::optional<Role> role = doc.role;
    Context *c = &ctx;
    r.handler = [c, role, method, pattern, handler = std::move(handler)](const Request &req) -> Response {
        Principal who { Role::Viewer, QStringLiteral("anonymous"), {}, true };
        if (role) {
            const auto outcome = c->auth->authenticateHeader(req.header("authorization"), req.peerAddress);
            if (!outcome.principal) {
                Response resp = apiError(outcome.status, outcome.code, outcome.message);
                if (outcome.status == 401)
                    resp.setHeader("www-authenticate", "Bearer realm=\"lifdag\"");
                if (outcome.status == 429)
                    resp.setHeader("retry-after",
                                   QByteArray::number(qint64(c->options.auth.failureWindow.count())));
                return resp;
            }
            who = *outcome.principal;
            if (who.role < *role) {
                Response resp = apiError(
                    403, QStringLiteral("forbidden"),
                    QStringLiteral("%1 %2 needs the %3 role; this token has the %4 role")
                        .arg(QString::fromLatin1(method), pattern, roleName(*role), roleName(who.role)));
                resp.user = who.describe();
                return resp;
            }
        }
        Response resp = handler(req, who);
        resp.user = who.describe();
        if (resp.header("cache-control").isEmpty())
            resp.setHeader("cache-control", "no-store");
        return resp;
    };
    router.add(std::move(r));
}

void addApiRoutes(http::Router &router, const std::shared_ptr<Context> &shared)
{
    Context &ctx = *shared;
    const auto viewer = std::optional<Role>(Role::Viewer);
    const auto launcherRole = std::optional<Role>(Role::Launcher);
    const auto admin = std::optional<Role>(Role::Admin);
    const std::optional<Role> publicRoute;

    // ---- health ---------------------------------------------------------------------------------
    addRoute(
        router, ctx, "GET", QStringLiteral("/health"),
        doc("health", "Liveness: the process answers", "health", publicRoute, "Health"),
        [](const Request &, const Principal &) {
            return ok(QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") },
                                    { QStringLiteral("version"), lifdag::version() } });
        },
        true);

    addRoute(
        router, ctx, "GET", QStringLiteral("/ready"),
        doc("ready", "Readiness: the database and every code location answer", "health", publicRoute, "Ready",
            { 503 }),
        [&ctx](const Request &, const Principal &) {
            QJsonObject checks;
            bool ready = true;
            QElapsedTimer t;
            t.start();
            const auto version = ctx.instance->storage().schemaVersion();
            checks.insert(
                QStringLiteral("database"),
                QJsonObject { { QStringLiteral("ok"), version.ok() },
                              { QStringLiteral("target"), ctx.instance->storage().settings().describe() },
                              { QStringLiteral("ms"), double(t.nsecsElapsed()) / 1e6 },
                              { QStringLiteral("error"),
                                version.ok() ? QJsonValue() : QJsonValue(version.error().message) } });
            ready = ready && version.ok();
            QJsonArray locations;
            for (const auto &loc : ctx.locations->configured()) {
                t.restart();
                const auto info = ctx.locations->client(loc, std::chrono::milliseconds(1500))->serverInfo();
                ready = ready && info.ok();
                locations.append(
                    QJsonObject { { QStringLiteral("name"), loc.locationName },
                                  { QStringLiteral("ok"), info.ok() },
                                  { QStringLiteral("ms"), double(t.nsecsElapsed()) / 1e6 },
                                  { QStringLiteral("error"),
                                    info.ok() ? QJsonValue() : QJsonValue(info.error().message) } });
            }
            checks.insert(QStringLiteral("locations"), locations);
            return ok(QJsonObject { { QStringLiteral("status"),
                                      ready ? QStringLiteral("ready") : QStringLiteral("not_ready") },
                                    { QStringLiteral("checks"), checks } },
                      ready ? 200 : 503);
        });

    {
        RouteDoc d = doc("openApi", "This document", "meta", publicRoute, "");
        d.successSchema = QStringLiteral("Instance");
        addRoute(
            router, ctx, "GET", QStringLiteral("/api/v1/openapi.json"), d,
            [&ctx](const Request &, const Principal &) {
                Response r = Response::rawJson(200, ctx.openApi);
                r.setHeader("cache-control", "max-age=60");
                return r;
            },
            true);
    }

    {
        RouteDoc d =
            doc("metrics", "Prometheus metrics: runs by status, queue depth, launch latency, events, HTTP",
                "meta", viewer, "");
        d.successSchema = QStringLiteral("Health");
        d.successContentType = QStringLiteral("text/plain");
        addRoute(
            router, ctx, "GET", QStringLiteral("/metrics"), d, [&ctx](const Request &, const Principal &) {
                QByteArray out;
                out.reserve(16 * 1024);
                http::writeMetricHeader(out, "lifdag_build_info", "gauge", "The lifdag version serving.");
                http::writeSample(out, "lifdag_build_info",
                                  "version=\"" + http::escapeLabel(lifdag::version()) + '"', 1);
                storage::Storage &storage = ctx.instance->storage();
                if (const auto counts = storage.runs().countByStatus(); counts) {
                    http::writeMetricHeader(out, "lifdag_runs", "gauge", "Runs in storage by status.");
                    for (RunStatus s : allRunStatuses())
                        http::writeSample(out, "lifdag_runs", "status=\"" + runStatusName(s).toLatin1() + '"',
                                          double(counts->value(s)));
                    http::writeMetricHeader(out, "lifdag_run_queue_depth", "gauge",
                                            "Runs waiting for the run coordinator (QUEUED).");
                    http::writeSample(out, "lifdag_run_queue_depth", {},
                                      double(counts->value(RunStatus::Queued)));
                } else {
                    qCWarning(lcWebserver, "metrics: %s", qPrintable(counts.error().message));
                }
                if (const auto latest = storage.events().latestId(); latest) {
                    http::writeMetricHeader(out, "lifdag_events_written_total", "counter",
                                            "Events written to the event log (its highest storage id).");
                    http::writeSample(out, "lifdag_events_written_total", {}, double(*latest));
                }
                http::writeMetricHeader(
                    out, "lifdag_run_launch_latency_seconds", "histogram",
                    "From a run's creation to its worker starting (STARTED), for runs this "
                    "webserver saw start.");
                ctx.hub->launchLatency().writePrometheus(out, "lifdag_run_launch_latency_seconds");
                http::writeMetricHeader(out, "lifdag_live_events_delivered_total", "counter",
                                        "Events pushed to WebSocket subscribers.");
                http::writeSample(out, "lifdag_live_events_delivered_total", {},
                                  double(ctx.hub->eventsDelivered()));
                http::writeMetricHeader(out, "lifdag_live_sessions", "gauge",
                                        "Open live-event WebSocket sessions.");
                http::writeSample(out, "lifdag_live_sessions", {}, double(ctx.hub->sessions()));
                if (const auto beats = storage.heartbeats().all(); beats) {
                    http::writeMetricHeader(out, "lifdag_daemon_heartbeat_age_seconds", "gauge",
                                            "Seconds since each daemon loop's last heartbeat.");
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    for (const storage::Heartbeat &b : *beats)
                        http::writeSample(out, "lifdag_daemon_heartbeat_age_seconds",
                                          "daemon_type=\"" + http::escapeLabel(b.daemonType)
                                              + "\",daemon_id=\"" + http::escapeLabel(b.daemonId) + '"',
                                          double(b.timestamp.msecsTo(now)) / 1000.0);
                }
                if (const http::Server *server = ctx.server.load())
                    server->writeMetrics(out);
                return Response::text(200, out, "text/plain; version=0.0.4; charset=utf-8");
            });
    }

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/auth/whoami"),
             doc("whoAmI", "The caller's role (and whether authentication is on)", "auth", viewer, "WhoAmI"),
             [&ctx](const Request &, const Principal &who) {
                 return ok(
                     QJsonObject { { QStringLiteral("authEnabled"), ctx.auth->enabled() },
                                   { QStringLiteral("role"), roleName(who.role) },
                                   { QStringLiteral("name"), who.name },
                                   { QStringLiteral("tokenId"),
                                     who.tokenId.isEmpty() ? QJsonValue() : QJsonValue(who.tokenId) } });
             });

    // ---- runs ---------------------------------------------------------------------------------
    {
        RouteDoc d =
            doc("listRuns", "Runs, newest first, with filters and a cursor", "runs", viewer, "RunList");
        d.query = { { QStringLiteral("status"), QStringLiteral("string"),
                      QStringLiteral("Run statuses (repeat or comma-separate)"), true },
                    { QStringLiteral("job"), QStringLiteral("string"), QStringLiteral("Job name") },
                    { QStringLiteral("tag"), QStringLiteral("string"),
                      QStringLiteral("key=value (repeat: all must match)"), true },
                    { QStringLiteral("created_after"), QStringLiteral("string"),
                      QStringLiteral("ISO 8601 or epoch ms") },
                    { QStringLiteral("created_before"), QStringLiteral("string"),
                      QStringLiteral("ISO 8601 or epoch ms") },
                    { QStringLiteral("limit"), QStringLiteral("integer"),
                      QStringLiteral("1-1000, default 50") },
                    { QStringLiteral("cursor"), QStringLiteral("string"),
                      QStringLiteral("`cursor` of the previous page") } };
        addRoute(router, ctx, "GET", QStringLiteral("/api/v1/runs"), d,
                 [&ctx](const Request &req, const Principal &) {
                     storage::RunFilter filter;
                     for (const QString &value : req.queryValues(QStringLiteral("status"))) {
                         for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                             const auto s = runStatusFromName(part.trimmed().toUpper());
                             if (!s) {
                                 QStringList names;
                                 for (RunStatus st : allRunStatuses())
                                     names << runStatusName(st);
                                 return badParameter(
                                     QStringLiteral("status"),
                                     QStringLiteral("unknown status \"%1\" (expected %2)")
                                         .arg(part.left(50), names.join(QStringLiteral(", "))));
                             }
                             filter.statuses.append(*s);
                         }
                     }
                     filter.jobName = req.queryValue(QStringLiteral("job"));
                     for (const QString &tag : req.queryValues(QStringLiteral("tag"))) {
                         const qsizetype eq = tag.indexOf(QLatin1Char('='));
                         if (eq <= 0)
                             return badParameter(
                                 QStringLiteral("tag"),
                                 QStringLiteral("expected key=value, got \"%1\"").arg(tag.left(100)));
                         filter.tags.insert(tag.left(eq), tag.mid(eq + 1));
                     }
                     for (const auto &[name, target] :
                          { std::pair { QStringLiteral("created_after"), &filter.createdAfter },
                            std::pair { QStringLiteral("created_before"), &filter.createdBefore } }) {
                         if (!req.hasQuery(name))
                             continue;
                         *target = parseTime(req.queryValue(name));
                         if (!target->isValid())
                             return badParameter(
                                 name,
                                 QStringLiteral("expected an ISO 8601 time or milliseconds since the epoch"));
                     }
                     int limit = 50;
                     if (auto e = intParam(req, QStringLiteral("limit"), 50, 1, 1000, &limit))
                         return *e;
                     const QString cursor = req.queryValue(QStringLiteral("cursor"));
                     const auto page = ctx.instance->storage().runs().runs(filter, limit, cursor);
                     if (!page)
                         return apiError(page.error());
                     if (page->runs.isEmpty() && !cursor.isEmpty()) {
                         const auto known = ctx.instance->storage().runs().run(cursor);
                         if (known && !known->has_value())
                             return badParameter(
                                 QStringLiteral("cursor"),
                                 QStringLiteral("no run %1 to continue after").arg(cursor.left(100)));
                     }
                     return Response::rawJson(200, runListJson(page->runs, page->nextCursor));
                 });
    }

    {
        RouteDoc d = doc("launchRun",
                         "Launch a run (validated by the code location; queued or started as the run "
                         "coordinator says)",
                         "runs", launcherRole, "RunEnvelope", { 404, 422, 503 });
        d.requestSchema = QStringLiteral("LaunchRequest");
        d.successStatus = 201;
        addRoute(router, ctx, "POST", QStringLiteral("/api/v1/runs"), d,
                 [&ctx](const Request &req, const Principal &who) {
                     QJsonObject body;
                     if (auto e = readBody(req, true, &body))
                         return *e;
                     if (auto e = checkKeys(body,
                                            { QStringLiteral("job"), QStringLiteral("location"),
                                              QStringLiteral("runConfig"), QStringLiteral("tags") }))
                         return *e;
                     launcher::SubmitRequest request;
                     request.jobName = body.value(QStringLiteral("job")).toString();
                     if (request.jobName.isEmpty() || request.jobName.size() > 255)
                         return apiError(400, QStringLiteral("invalid_field"),
                                         QStringLiteral("job: the job's name is required"));
                     const QJsonValue location = body.value(QStringLiteral("location"));
                     if (!location.isUndefined() && !location.isNull() && !location.isString())
                         return apiError(400, QStringLiteral("invalid_field"),
                                         QStringLiteral("location: expected a string"));
                     request.locationName = location.toString();
                     const QJsonValue config = body.value(QStringLiteral("runConfig"));
                     if (!config.isUndefined() && !config.isNull() && !config.isObject())
                         return apiError(400, QStringLiteral("invalid_field"),
                                         QStringLiteral("runConfig: expected an object"));
                     request.runConfig = config.toObject();
                     if (auto e = tagsFromJson(body.value(QStringLiteral("tags")), QStringLiteral("tags"),
                                               &request.tags))
                         return *e;
                     request.tags.insert(QString(kLaunchedByTag), who.describe());
                     const auto outcome = launcher::submitRun(*ctx.instance, request);
                     if (!outcome)
                         return apiError(outcome.error());
                     if (!outcome->violations.isEmpty()) {
                         const QJsonArray violations = violationsJson(outcome->violations);
                         QStringList lines;
                         for (const codelocation::Violation &v : outcome->violations)
                             lines << (v.path.isEmpty() ? v.message
                                                        : QString(v.path + QStringLiteral(": ") + v.message));
                         return apiError(422, QStringLiteral("invalid_run_config"),
                                         QStringLiteral("the run config of %1 is invalid: %2")
                                             .arg(request.jobName, lines.join(QStringLiteral("; "))),
                                         QJsonObject { { QStringLiteral("violations"), violations } });
                     }
                     qCInfo(lcWebserver, "run %s of %s launched by %s", qPrintable(outcome->run->runId),
                            qPrintable(request.jobName), qPrintable(who.describe()));
                     Response r = ok(QJsonObject { { QStringLiteral("run"), runJson(*outcome->run) } }, 201);
                     r.setHeader("location", "/api/v1/runs/" + QUrl::toPercentEncoding(outcome->run->runId));
                     return r;
                 });
    }

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/runs/counts"),
             doc("countRuns", "How many runs there are in each status (queue depth, runs in progress)",
                 "runs", viewer, "RunCounts", { 503 }),
             [&ctx](const Request &, const Principal &) {
                 const auto counts = ctx.instance->storage().runs().countByStatus();
                 if (!counts)
                     return apiError(counts.error());
                 QJsonObject byStatus;
                 qint64 total = 0, inProgress = 0;
                 for (RunStatus s : allRunStatuses()) {
                     const qint64 n = counts->value(s);
                     byStatus.insert(runStatusName(s), n);
                     total += n;
                     if (s == RunStatus::NotStarted || s == RunStatus::Starting || s == RunStatus::Started
                         || s == RunStatus::Canceling)
                         inProgress += n;
                 }
                 return ok(QJsonObject { { QStringLiteral("counts"), byStatus },
                                         { QStringLiteral("queued"), counts->value(RunStatus::Queued) },
                                         { QStringLiteral("inProgress"), inProgress },
                                         { QStringLiteral("total"), total } });
             });

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/runs/{runId}"),
             doc("getRun", "One run, with its run config", "runs", viewer, "RunEnvelope", { 404 }),
             [&ctx](const Request &req, const Principal &) {
                 storage::RunRecord run;
                 if (auto e = loadRun(ctx, req, &run))
                     return *e;
                 return ok(QJsonObject { { QStringLiteral("run"), runJson(run) } });
             });

    addRoute(
        router, ctx, "DELETE", QStringLiteral("/api/v1/runs/{runId}"),
        [] {
            RouteDoc d = doc("deleteRun", "Delete an ended run with its events", "runs", Role::Admin, "",
                             { 404, 409 });
            d.successStatus = 204;
            return d;
        }(),
        [&ctx](const Request &req, const Principal &who) {
            storage::RunRecord run;
            if (auto e = loadRun(ctx, req, &run))
                return *e;
            if (!isTerminal(run.status))
                return apiError(409, QStringLiteral("run_in_progress"),
                                QStringLiteral("run %1 is %2: terminate it before deleting it")
                                    .arg(run.runId, runStatusName(run.status)));
            const auto deleted = ctx.instance->storage().runs().deleteRun(run.runId);
            if (!deleted)
                return apiError(deleted.error());
            qCInfo(lcWebserver, "run %s deleted by %s", qPrintable(run.runId), qPrintable(who.describe()));
            return Response::noContent();
        });

    addRoute(
        router, ctx, "POST", QStringLiteral("/api/v1/runs/{runId}/terminate"),
        [] {
            RouteDoc d = doc("terminateRun", "Terminate a run (canceled at once when it has not started)",
                             "runs", Role::Launcher, "RunEnvelope", { 404, 409, 503 });
            d.successStatus = 202;
            return d;
        }(),
        [&ctx](const Request &req, const Principal &who) {
            storage::RunRecord run;
            if (auto e = loadRun(ctx, req, &run))
                return *e;
            if (isTerminal(run.status))
                return apiError(
                    409, QStringLiteral("run_not_terminable"),
                    QStringLiteral("run %1 already ended (%2)").arg(run.runId, runStatusName(run.status)));
            const auto after = terminateRun(ctx, run, who);
            if (!after)
                return apiError(after.error());
            qCInfo(lcWebserver, "run %s terminated by %s (now %s)", qPrintable(run.runId),
                   qPrintable(who.describe()), qPrintable(runStatusName(after->status)));
            return ok(QJsonObject { { QStringLiteral("run"), runJson(*after) } }, 202);
        });

    {
        RouteDoc d = doc("reexecuteRun",
                         "Launch a new run of the same job with the same config and tags (all steps, or "
                         "from failure: the failed run's successful step outputs are reused)",
                         "runs", launcherRole, "RunEnvelope", { 404, 409, 422, 503 });
        d.requestSchema = QStringLiteral("ReexecuteRequest");
        d.bodyRequired = false;
        d.successStatus = 201;
        addRoute(router, ctx, "POST", QStringLiteral("/api/v1/runs/{runId}/reexecute"), d,
                 [&ctx](const Request &req, const Principal &who) {
                     storage::RunRecord parent;
                     if (auto e = loadRun(ctx, req, &parent))
                         return *e;
                     QJsonObject body;
                     if (auto e = readBody(req, false, &body))
                         return *e;
                     if (auto e = checkKeys(body, { QStringLiteral("tags"), QStringLiteral("strategy") }))
                         return *e;
                     const QString strategy =
                         body.value(QStringLiteral("strategy")).toString(QStringLiteral("ALL_STEPS"));
                     if (strategy != QLatin1StringView("ALL_STEPS")
                         && strategy != QLatin1StringView("FROM_FAILURE"))
                         return apiError(400, QStringLiteral("invalid_field"),
                                         QStringLiteral("strategy: expected ALL_STEPS or FROM_FAILURE"));
                     if (strategy == QLatin1StringView("FROM_FAILURE") && parent.status != RunStatus::Failure)
                         return apiError(
                             409, QStringLiteral("run_not_failed"),
                             QStringLiteral("run %1 did not fail (it is %2): re-execute all steps")
                                 .arg(parent.runId, runStatusName(parent.status)));
                     launcher::SubmitRequest request;
                     request.jobName = parent.jobName;
                     request.locationName = parent.locationName;
                     request.runConfig = parent.runConfig;
                     for (auto it = parent.tags.cbegin(); it != parent.tags.cend(); ++it) {
                         // What made the parent (a schedule's tick) does not make its re-execution.
                         static const QStringList system { QStringLiteral("dagster/schedule_name"),
                                                           QStringLiteral("dagster/tick"),
                                                           QStringLiteral("dagster/run_key"),
                                                           QStringLiteral("dagster/scheduled_execution_time"),
                                                           QString(execution::kReexecuteFromFailureTag) };
                         if (!system.contains(it.key()))
                             request.tags.insert(it.key(), it.value());
                     }
                     if (auto e = tagsFromJson(body.value(QStringLiteral("tags")), QStringLiteral("tags"),
                                               &request.tags))
                         return *e;
                     request.parentRunId = parent.runId;
                     request.rootRunId = parent.rootRunId.isEmpty() ? parent.runId : parent.rootRunId;
                     request.tags.insert(QStringLiteral("dagster/parent_run_id"), request.parentRunId);
                     request.tags.insert(QStringLiteral("dagster/root_run_id"), request.rootRunId);
                     if (strategy == QLatin1StringView("FROM_FAILURE"))
                         request.tags.insert(QString(execution::kReexecuteFromFailureTag), parent.runId);
                     request.tags.insert(QString(kLaunchedByTag), who.describe());
                     const auto outcome = launcher::submitRun(*ctx.instance, request);
                     if (!outcome)
                         return apiError(outcome.error());
                     if (!outcome->run) {
                         const QJsonArray violations = violationsJson(outcome->violations);
                         return apiError(
                             422, QStringLiteral("invalid_run_config"),
                             QStringLiteral("the run config of %1 no longer fits the job").arg(parent.runId),
                             QJsonObject { { QStringLiteral("violations"), violations } });
                     }
                     qCInfo(lcWebserver, "run %s re-executed as %s by %s", qPrintable(parent.runId),
                            qPrintable(outcome->run->runId), qPrintable(who.describe()));
                     Response r = ok(QJsonObject { { QStringLiteral("run"), runJson(*outcome->run) } }, 201);
                     r.setHeader("location", "/api/v1/runs/" + QUrl::toPercentEncoding(outcome->run->runId));
                     return r;
                 });
    }

    {
        RouteDoc d = doc("listRunEvents", "A run's events after a storage id (the cursor), oldest first",
                         "runs", viewer, "EventPage", { 404 });
        d.query = {
            { QStringLiteral("after"), QStringLiteral("integer"), QStringLiteral("Storage id; default 0") },
            { QStringLiteral("limit"), QStringLiteral("integer"), QStringLiteral("1-10000, default 1000") }
        };
        addRoute(router, ctx, "GET", QStringLiteral("/api/v1/runs/{runId}/events"), d,
                 [&ctx](const Request &req, const Principal &) {
                     qint64 after = 0;
                     if (req.hasQuery(QStringLiteral("after"))) {
                         bool okNumber = false;
                         after = req.queryValue(QStringLiteral("after")).toLongLong(&okNumber);
                         if (!okNumber || after < 0)
                             return badParameter(QStringLiteral("after"),
                                                 QStringLiteral("expected a storage id >= 0"));
                     }
                     int limit = 1000;
                     if (auto e = intParam(req, QStringLiteral("limit"), 1000, 1, 10000, &limit))
                         return *e;
                     const QString runId = req.pathParams.value(QStringLiteral("runId"));
                     const auto events = ctx.instance->storage().events().events(runId, after, limit);
                     if (!events)
                         return apiError(events.error());
                     if (events->isEmpty()) {
                         storage::RunRecord run;
                         if (auto e = loadRun(ctx, req, &run))
                             return *e;
                     }
                     return Response::rawJson(
                         200,
                         eventPageJson(runId, *events, events->isEmpty() ? after : events->last().storageId,
                                       events->size() == limit));
                 });
    }

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/runs/{runId}/result"),
             doc("getRunResult", "What the run's job returned (LIF's results JSON)", "runs", viewer,
                 "RunResult", { 404 }),
             [&ctx](const Request &req, const Principal &) {
                 storage::RunRecord run;
                 if (auto e = loadRun(ctx, req, &run))
                     return *e;
                 return ok(QJsonObject { { QStringLiteral("runId"), run.runId },
                                         { QStringLiteral("status"), runStatusName(run.status) },
                                         { QStringLiteral("result"),
                                           run.result.isEmpty() ? QJsonValue() : QJsonValue(run.result) } });
             });

    // ---- code locations and jobs --------------------------------------------------------------
    auto locationJson = [](const config::CodeLocationConfig &loc,
                           const Result<codelocation::ServerInfo> &info) {
        QJsonObject o {
            { QStringLiteral("name"), loc.locationName },
            { QStringLiteral("address"), loc.address() },
            { QStringLiteral("status"), info.ok() ? QStringLiteral("ok") : QStringLiteral("unavailable") },
            { QStringLiteral("error"), info.ok() ? QJsonValue() : QJsonValue(info.error().message) }
        };
        if (info.ok()) {
            o.insert(QStringLiteral("version"), info->version);
            o.insert(QStringLiteral("repositoryName"), info->repositoryName);
            o.insert(QStringLiteral("image"), info->image);
            o.insert(QStringLiteral("runningWorkers"), info->runningWorkers);
            o.insert(QStringLiteral("startedAt"), isoTime(info->startedAt));
        }
        return o;
    };

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/locations"),
             doc("listLocations", "The workspace's code locations and whether they answer", "jobs", viewer,
                 "LocationList"),
             [&ctx, locationJson](const Request &, const Principal &) {
                 QJsonArray list;
                 for (const auto &loc : ctx.locations->configured())
                     list.append(locationJson(
                         loc, ctx.locations->client(loc, std::chrono::seconds(2))->serverInfo()));
                 return ok(QJsonObject { { QStringLiteral("locations"), list } });
             });

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/locations/{location}"),
             doc("getLocation", "One code location with its jobs", "jobs", viewer, "Location", { 404 }),
             [&ctx, locationJson](const Request &req, const Principal &) {
                 const QString name = req.pathParams.value(QStringLiteral("location"));
                 const auto loc = findLocation(ctx, name);
                 if (!loc)
                     return locationNotFound(name);
                 QJsonObject o =
                     locationJson(*loc, ctx.locations->client(*loc, std::chrono::seconds(2))->serverInfo());
                 if (const auto jobs = ctx.locations->jobs(*loc); jobs) {
                     QJsonArray names;
                     for (const auto &j : *jobs)
                         names.append(j.name);
                     o.insert(QStringLiteral("jobs"), names);
                 }
                 return ok(o);
             });

    addRoute(router, ctx, "POST", QStringLiteral("/api/v1/locations/{location}/reload"),
             doc("reloadLocation", "Ask a code location to reload its jobs", "jobs", admin, "ReloadResult",
                 { 404, 503 }),
             [&ctx](const Request &req, const Principal &who) {
                 const QString name = req.pathParams.value(QStringLiteral("location"));
                 const auto loc = findLocation(ctx, name);
                 if (!loc)
                     return locationNotFound(name);
                 const auto count = ctx.locations->client(*loc, std::chrono::seconds(60))->reload();
                 ctx.locations->invalidate(name);
                 if (!count)
                     return apiError(count.error());
                 qCInfo(lcWebserver, "location %s reloaded by %s (%d jobs)", qPrintable(name),
                        qPrintable(who.describe()), *count);
                 return ok(QJsonObject { { QStringLiteral("location"), name },
                                         { QStringLiteral("jobCount"), *count } });
             });

    {
        RouteDoc d =
            doc("listJobs", "Jobs of every code location (or one)", "jobs", viewer, "JobList", { 404 });
        d.query = { { QStringLiteral("location"), QStringLiteral("string"),
                      QStringLiteral("Only this location") } };
        addRoute(
            router, ctx, "GET", QStringLiteral("/api/v1/jobs"), d,
            [&ctx](const Request &req, const Principal &) {
                const QString only = req.queryValue(QStringLiteral("location"));
                if (!only.isEmpty() && !findLocation(ctx, only))
                    return locationNotFound(only);
                QJsonArray jobs, errors;
                for (const auto &loc : ctx.locations->configured()) {
                    if (!only.isEmpty() && loc.locationName != only)
                        continue;
                    const auto list = ctx.locations->jobs(loc);
                    if (!list) {
                        errors.append(QJsonObject { { QStringLiteral("location"), loc.locationName },
                                                    { QStringLiteral("message"), list.error().message } });
                        continue;
                    }
                    for (const auto &j : *list)
                        jobs.append(jobSummaryJson(j, loc.locationName));
                }
                return ok(
                    QJsonObject { { QStringLiteral("jobs"), jobs }, { QStringLiteral("errors"), errors } });
            });
    }

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/locations/{location}/jobs/{job}"),
             doc("getJob", "A job with its config schema and op graph", "jobs", viewer, "Job", { 404, 503 }),
             [&ctx](const Request &req, const Principal &) {
                 const QString name = req.pathParams.value(QStringLiteral("location"));
                 const auto loc = findLocation(ctx, name);
                 if (!loc)
                     return locationNotFound(name);
                 const auto jobs = ctx.locations->jobs(*loc);
                 if (!jobs)
                     return apiError(jobs.error());
                 const QString jobName = req.pathParams.value(QStringLiteral("job"));
                 for (const auto &j : *jobs) {
                     if (j.name != jobName)
                         continue;
                     QJsonObject o = jobSummaryJson(j, name);
                     o.insert(QStringLiteral("ops"), j.ops);
                     o.insert(QStringLiteral("configSchema"), j.configSchema);
                     o.insert(QStringLiteral("configSkeleton"), j.configSkeleton);
                     o.insert(QStringLiteral("graph"), j.graph);
                     return ok(o);
                 }
                 return apiError(
                     404, QStringLiteral("job_not_found"),
                     QStringLiteral("code location %1 has no job \"%2\"").arg(name, jobName.left(200)));
             });

    {
        RouteDoc d = doc("validateRunConfig",
                         "Check a run config against the job's schema without launching (as JSON, or as "
                         "YAML text like Dagster's launchpad); violations name their paths",
                         "jobs", viewer, "ConfigValidation", { 404, 503 });
        d.requestSchema = QStringLiteral("ConfigValidationRequest");
        addRoute(
            router, ctx, "POST", QStringLiteral("/api/v1/locations/{location}/jobs/{job}/validate"), d,
            [&ctx](const Request &req, const Principal &) {
                const QString name = req.pathParams.value(QStringLiteral("location"));
                const auto loc = findLocation(ctx, name);
                if (!loc)
                    return locationNotFound(name);
                QJsonObject body;
                if (auto e = readBody(req, true, &body))
                    return *e;
                if (auto e =
                        checkKeys(body, { QStringLiteral("runConfig"), QStringLiteral("runConfigYaml") }))
                    return *e;
                QJsonObject config;
                const QJsonValue yaml = body.value(QStringLiteral("runConfigYaml"));
                if (!yaml.isUndefined() && !yaml.isNull()) {
                    if (!yaml.isString())
                        return apiError(400, QStringLiteral("invalid_field"),
                                        QStringLiteral("runConfigYaml: expected a string"));
                    auto invalidYaml = [](const QString &message, int line, int column) {
                        return ok(QJsonObject {
                            { QStringLiteral("valid"), false },
                            { QStringLiteral("runConfig"), QJsonValue() },
                            { QStringLiteral("violations"),
                              QJsonArray { QJsonObject { { QStringLiteral("path"), QString() },
                                                         { QStringLiteral("reason"), QStringLiteral("yaml") },
                                                         { QStringLiteral("message"), message } } } },
                            { QStringLiteral("yamlError"),
                              QJsonObject { { QStringLiteral("message"), message },
                                            { QStringLiteral("line"), line },
                                            { QStringLiteral("column"), column } } } });
                    };
                    try {
                        const YAML::Node root = YAML::Load(yaml.toString().toStdString());
                        const QJsonValue value = yamlToJson(root);
                        if (!value.isObject() && !value.isNull())
                            return invalidYaml(QStringLiteral("the run config must be a mapping of keys"), 1,
                                               1);
                        config = value.toObject();
                    } catch (const YAML::Exception &e) {
                        const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
                        const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
                        return invalidYaml(QStringLiteral("invalid YAML at line %1, column %2: %3")
                                               .arg(line)
                                               .arg(column)
                                               .arg(QString::fromStdString(e.msg)),
                                           line, column);
                    }
                } else {
                    const QJsonValue json = body.value(QStringLiteral("runConfig"));
                    if (!json.isUndefined() && !json.isNull() && !json.isObject())
                        return apiError(400, QStringLiteral("invalid_field"),
                                        QStringLiteral("runConfig: expected an object"));
                    config = json.toObject();
                }
                const QString job = req.pathParams.value(QStringLiteral("job"));
                const auto violations =
                    ctx.locations->client(*loc, std::chrono::seconds(10))->validateRunConfig(job, config);
                if (!violations)
                    return apiError(violations.error());
                return ok(QJsonObject { { QStringLiteral("valid"), violations->isEmpty() },
                                        { QStringLiteral("runConfig"), config },
                                        { QStringLiteral("violations"), violationsJson(*violations) } });
            });
    }

    // ---- schedules ------------------------------------------------------------------------------
    {
        RouteDoc d = doc("listSchedules", "Schedules of the workspace with their state", "schedules", viewer,
                         "ScheduleList", { 404 });
        d.query = { { QStringLiteral("location"), QStringLiteral("string"),
                      QStringLiteral("Only this location") } };
        addRoute(router, ctx, "GET", QStringLiteral("/api/v1/schedules"), d,
                 [&ctx](const Request &req, const Principal &) {
                     const QString only = req.queryValue(QStringLiteral("location"));
                     if (!only.isEmpty() && !findLocation(ctx, only))
                         return locationNotFound(only);
                     const scheduler::ScheduleListing listing = scheduler::listSchedules(*ctx.instance, only);
                     QJsonArray list;
                     for (const auto &s : listing.schedules)
                         list.append(scheduleJson(s));
                     return ok(QJsonObject {
                         { QStringLiteral("schedules"), list },
                         { QStringLiteral("errors"), QJsonArray::fromStringList(listing.errors) } });
                 });
    }

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/locations/{location}/schedules/{schedule}"),
             doc("getSchedule", "One schedule with its state", "schedules", viewer, "Schedule", { 404 }),
             [&ctx](const Request &req, const Principal &) {
                 const QString location = req.pathParams.value(QStringLiteral("location"));
                 const QString name = req.pathParams.value(QStringLiteral("schedule"));
                 if (!findLocation(ctx, location))
                     return locationNotFound(location);
                 const scheduler::ScheduleListing listing = scheduler::listSchedules(*ctx.instance, location);
                 for (const auto &s : listing.schedules) {
                     if (s.definition.name == name)
                         return ok(scheduleJson(s));
                 }
                 if (!listing.errors.isEmpty())
                     return apiError(503, QStringLiteral("location_unavailable"),
                                     listing.errors.join(QStringLiteral("; ")));
                 return apiError(
                     404, QStringLiteral("schedule_not_found"),
                     QStringLiteral("code location %1 has no schedule \"%2\"").arg(location, name.left(200)));
             });

    for (const bool start : { true, false }) {
        RouteDoc d = doc(start ? "startSchedule" : "stopSchedule",
                         start ? "Start a schedule (its runs begin at the next due time)" : "Stop a schedule",
                         "schedules", launcherRole, "Schedule", { 404, 503 });
        addRoute(router, ctx, "POST",
                 start ? QStringLiteral("/api/v1/locations/{location}/schedules/{schedule}/start")
                       : QStringLiteral("/api/v1/locations/{location}/schedules/{schedule}/stop"),
                 d, [&ctx, start](const Request &req, const Principal &who) {
                     const QString location = req.pathParams.value(QStringLiteral("location"));
                     const QString name = req.pathParams.value(QStringLiteral("schedule"));
                     if (!findLocation(ctx, location))
                         return locationNotFound(location);
                     const auto state = start ? scheduler::startSchedule(*ctx.instance, name, location)
                                              : scheduler::stopSchedule(*ctx.instance, name, location);
                     if (!state)
                         return apiError(state.error());
                     qCInfo(lcWebserver, "schedule %s/%s %s by %s", qPrintable(location), qPrintable(name),
                            start ? "started" : "stopped", qPrintable(who.describe()));
                     return ok(scheduleJson(*state));
                 });
    }

    {
        RouteDoc d = doc("listScheduleTicks", "A schedule's ticks, newest first", "schedules", viewer,
                         "TickList", { 404 });
        d.query = { { QStringLiteral("limit"), QStringLiteral("integer"),
                      QStringLiteral("1-1000, default 20") } };
        addRoute(router, ctx, "GET",
                 QStringLiteral("/api/v1/locations/{location}/schedules/{schedule}/ticks"), d,
                 [&ctx](const Request &req, const Principal &) {
                     const QString location = req.pathParams.value(QStringLiteral("location"));
                     if (!findLocation(ctx, location))
                         return locationNotFound(location);
                     int limit = 20;
                     if (auto e = intParam(req, QStringLiteral("limit"), 20, 1, 1000, &limit))
                         return *e;
                     const auto ticks = scheduler::scheduleTicks(
                         *ctx.instance, req.pathParams.value(QStringLiteral("schedule")), location, limit);
                     if (!ticks)
                         return apiError(ticks.error());
                     QJsonArray list;
                     for (const storage::Tick &t : *ticks)
                         list.append(tickJson(t));
                     return ok(QJsonObject { { QStringLiteral("ticks"), list } });
                 });
    }

    // ---- daemon and instance ------------------------------------------------------------------
    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/daemon/health"),
             doc("daemonHealth", "The daemon loops' heartbeats", "instance", viewer, "DaemonHealth", { 503 }),
             [&ctx](const Request &, const Principal &) {
                 const auto beats = ctx.instance->storage().heartbeats().all();
                 if (!beats)
                     return apiError(beats.error());
                 const QDateTime now = QDateTime::currentDateTimeUtc();
                 QJsonArray list;
                 bool healthy = !beats->isEmpty();
                 for (const storage::Heartbeat &b : *beats) {
                     const QJsonObject o = heartbeatJson(b, now, ctx.options.daemonHealthySeconds);
                     healthy = healthy && o.value(QStringLiteral("healthy")).toBool();
                     list.append(o);
                 }
                 return ok(QJsonObject { { QStringLiteral("healthy"), healthy },
                                         { QStringLiteral("daemons"), list } });
             });

    addRoute(
        router, ctx, "GET", QStringLiteral("/api/v1/instance"),
        doc("getInstance", "The instance configuration (no credentials)", "instance", viewer, "Instance",
            { 503 }),
        [&ctx](const Request &, const Principal &) {
            const config::InstanceConfig &c = ctx.instance->config();
            const auto launcherState = ctx.launcherAdmin->read();
            const QJsonObject effective =
                launcherState ? launcherState->value(QStringLiteral("effective")).toObject() : QJsonObject();
            QJsonArray locations;
            for (const auto &l : ctx.locations->configured())
                locations.append(QJsonObject { { QStringLiteral("name"), l.locationName },
                                               { QStringLiteral("address"), l.address() } });
            return ok(QJsonObject {
                { QStringLiteral("version"), lifdag::version() },
                { QStringLiteral("home"), c.home },
                { QStringLiteral("dagsterYaml"), c.path.isEmpty() ? QJsonValue() : QJsonValue(c.path) },
                { QStringLiteral("workspace"),
                  ctx.instance->workspace() ? QJsonValue(ctx.instance->workspace()->path) : QJsonValue() },
                { QStringLiteral("locations"), locations },
                { QStringLiteral("storage"), ctx.instance->storage().settings().describe() },
                { QStringLiteral("runCoordinator"), effective.value(QStringLiteral("run_coordinator")) },
                { QStringLiteral("runLauncher"), effective.value(QStringLiteral("run_launcher")) },
                { QStringLiteral("launcherOverride"),
                  launcherState ? QJsonValue(QJsonObject {
                      { QStringLiteral("path"), launcherState->value(QStringLiteral("override_file")) },
                      { QStringLiteral("exists"), launcherState->value(QStringLiteral("override_exists")) } })
                                : QJsonValue() },
                { QStringLiteral("scheduler"),
                  QJsonObject { { QStringLiteral("class"), c.scheduler.className },
                                { QStringLiteral("maxCatchupRuns"), c.scheduler.maxCatchupRuns },
                                { QStringLiteral("maxTickRetries"), c.scheduler.maxTickRetries } } },
                { QStringLiteral("runMonitoring"),
                  QJsonObject {
                      { QStringLiteral("enabled"), c.runMonitoring.enabled },
                      { QStringLiteral("startTimeoutSeconds"), c.runMonitoring.startTimeoutSeconds },
                      { QStringLiteral("cancelTimeoutSeconds"), c.runMonitoring.cancelTimeoutSeconds },
                      { QStringLiteral("maxRuntimeSeconds"), c.runMonitoring.maxRuntimeSeconds } } },
                { QStringLiteral("runRetries"),
                  QJsonObject { { QStringLiteral("enabled"), c.runRetries.enabled },
                                { QStringLiteral("maxRetries"), c.runRetries.maxRetries } } },
                { QStringLiteral("auth"),
                  QJsonObject { { QStringLiteral("enabled"), ctx.auth->enabled() } } },
            });
        });

    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/instance/launcher"),
             doc("getLauncherConfig", "run_coordinator and run_launcher as configured, with their source",
                 "instance", admin, "LauncherConfig", { 503 }),
             [&ctx](const Request &, const Principal &) {
                 const auto state = ctx.launcherAdmin->read();
                 return state ? ok(*state) : apiError(state.error());
             });

    {
        RouteDoc d =
            doc("updateLauncherConfig",
                "Change run_coordinator and/or run_launcher (validated like dagster.yaml, written to the "
                "managed override file, audited; the daemon picks it up without a restart)",
                "instance", admin, "LauncherConfig", { 422 });
        d.requestSchema = QStringLiteral("LauncherConfigChange");
        addRoute(router, ctx, "PUT", QStringLiteral("/api/v1/instance/launcher"), d,
                 [&ctx](const Request &req, const Principal &who) {
                     QJsonObject body;
                     if (auto e = readBody(req, true, &body))
                         return *e;
                     const auto state = ctx.launcherAdmin->update(body, who);
                     return state ? ok(*state) : launcherConfigError(state.error());
                 });
    }

    {
        RouteDoc d = doc("validateLauncherConfig",
                         "Check a change of run_coordinator and/or run_launcher without saving it (the "
                         "answer is what PUT would answer; 422 names the key path in `path`)",
                         "instance", admin, "LauncherConfig", { 422 });
        d.requestSchema = QStringLiteral("LauncherConfigChange");
        addRoute(router, ctx, "POST", QStringLiteral("/api/v1/instance/launcher/validate"), d,
                 [&ctx](const Request &req, const Principal &) {
                     QJsonObject body;
                     if (auto e = readBody(req, true, &body))
                         return *e;
                     const auto state = ctx.launcherAdmin->validate(body);
                     return state ? ok(*state) : launcherConfigError(state.error());
                 });
    }

    addRoute(router, ctx, "DELETE", QStringLiteral("/api/v1/instance/launcher"),
             doc("resetLauncherConfig", "Remove the override: dagster.yaml's sections apply again",
                 "instance", admin, "LauncherConfig"),
             [&ctx](const Request &, const Principal &who) {
                 const auto state = ctx.launcherAdmin->reset(who);
                 return state ? ok(*state) : apiError(state.error());
             });

    {
        RouteDoc d =
            doc("listAudit", "The administrators' audit log, newest first", "instance", admin, "AuditLog");
        d.query = { { QStringLiteral("limit"), QStringLiteral("integer"),
                      QStringLiteral("1-1000, default 100") },
                    { QStringLiteral("before"), QStringLiteral("integer"),
                      QStringLiteral("Entries older than this id") } };
        addRoute(router, ctx, "GET", QStringLiteral("/api/v1/instance/audit"), d,
                 [&ctx](const Request &req, const Principal &) {
                     int limit = 100;
                     if (auto e = intParam(req, QStringLiteral("limit"), 100, 1, 1000, &limit))
                         return *e;
                     int before = 0;
                     if (auto e = intParam(req, QStringLiteral("before"), 0, 0,
                                           std::numeric_limits<int>::max(), &before))
                         return *e;
                     const auto entries = ctx.instance->storage().admin().audit(limit, before);
                     if (!entries)
                         return apiError(entries.error());
                     QJsonArray list;
                     for (const storage::AuditEntry &e : *entries)
                         list.append(QJsonObject { { QStringLiteral("id"), e.id },
                                                   { QStringLiteral("timestamp"), isoTime(e.timestamp) },
                                                   { QStringLiteral("actor"), e.actor },
                                                   { QStringLiteral("action"), e.action },
                                                   { QStringLiteral("target"), e.target },
                                                   { QStringLiteral("before"), e.before },
                                                   { QStringLiteral("after"), e.after } });
                     return ok(QJsonObject { { QStringLiteral("entries"), list } });
                 });
    }

    // ---- tokens ---------------------------------------------------------------------------------
    addRoute(router, ctx, "GET", QStringLiteral("/api/v1/tokens"),
             doc("listTokens", "API tokens (never their secrets)", "auth", admin, "TokenList"),
             [&ctx](const Request &, const Principal &) {
                 const auto tokens = ctx.instance->storage().admin().tokens();
                 if (!tokens)
                     return apiError(tokens.error());
                 QJsonArray list;
                 for (const storage::ApiToken &t : *tokens)
                     list.append(tokenJson(t));
                 return ok(QJsonObject { { QStringLiteral("tokens"), list } });
             });

    {
        RouteDoc d = doc("createToken", "Create an API token; the answer is the only time it is shown",
                         "auth", admin, "TokenCreated");
        d.requestSchema = QStringLiteral("TokenCreateRequest");
        d.successStatus = 201;
        addRoute(router, ctx, "POST", QStringLiteral("/api/v1/tokens"), d,
                 [&ctx](const Request &req, const Principal &who) {
                     QJsonObject body;
                     if (auto e = readBody(req, true, &body))
                         return *e;
                     if (auto e = checkKeys(body, { QStringLiteral("name"), QStringLiteral("role") }))
                         return *e;
                     const auto role = roleFromName(body.value(QStringLiteral("role")).toString());
                     if (!role)
                         return apiError(400, QStringLiteral("invalid_field"),
                                         QStringLiteral("role: expected viewer, launcher or admin"));
                     const auto created =
                         createToken(ctx.instance->storage(), *role,
                                     body.value(QStringLiteral("name")).toString(), who.describe());
                     if (!created)
                         return apiError(created.error());
                     storage::AuditEntry audit;
                     audit.actor = who.describe();
                     audit.action = QStringLiteral("token.create");
                     audit.target = created->record.id;
                     audit.after = tokenJson(created->record);
                     (void)ctx.instance->storage().admin().addAudit(audit);
                     qCInfo(lcWebserver, "token %s (%s, %s) created by %s", qPrintable(created->record.id),
                            qPrintable(created->record.name), qPrintable(created->record.role),
                            qPrintable(who.describe()));
                     // Built without toRedactedJson: the token is no registered secret, and must reach the
                     // caller.
                     return Response::json(201,
                                           QJsonObject { { QStringLiteral("token"), created->token },
                                                         { QStringLiteral("id"), created->record.id },
                                                         { QStringLiteral("name"), created->record.name },
                                                         { QStringLiteral("role"), created->record.role } });
                 });
    }

    addRoute(
        router, ctx, "DELETE", QStringLiteral("/api/v1/tokens/{tokenId}"),
        [] {
            RouteDoc d = doc("revokeToken", "Revoke an API token", "auth", Role::Admin, "", { 404 });
            d.successStatus = 204;
            return d;
        }(),
        [&ctx](const Request &req, const Principal &who) {
            const QString id = req.pathParams.value(QStringLiteral("tokenId"));
            const auto revoked = revokeToken(ctx.instance->storage(), id);
            if (!revoked)
                return apiError(revoked.error());
            if (!*revoked)
                return apiError(404, QStringLiteral("token_not_found"),
                                QStringLiteral("no valid token with id %1").arg(id.left(100)));
            storage::AuditEntry audit;
            audit.actor = who.describe();
            audit.action = QStringLiteral("token.revoke");
            audit.target = id;
            (void)ctx.instance->storage().admin().addAudit(audit);
            qCInfo(lcWebserver, "token %s revoked by %s", qPrintable(id), qPrintable(who.describe()));
            return Response::noContent();
        });

    // ---- GraphQL (Dagster's API, for dagster-graphql's client and Dagster users' queries) ----------
    {
        auto graphqlRole = [](Role r) {
            return r == Role::Admin   ? graphqlapi::Role::Admin
                : r == Role::Launcher ? graphqlapi::Role::Launcher
                                      : graphqlapi::Role::Viewer;
        };
        auto answer = [&ctx, graphqlRole](const QJsonObject &request, const Principal &who, bool mutations) {
            graphqlapi::RequestContext context;
            context.role = graphqlRole(who.role);
            context.principal = who.describe();
            context.allowMutations = mutations;
            const graphql::ExecutionResult result = ctx.graphql->run(request, context);
            // Requests that never reached execution (syntax, validation, variables) are 400s.
            return Response::rawJson(result.requestError ? 400 : 200, redactJson(result.toJsonBytes()));
        };
        RouteDoc post = doc("graphqlPost",
                            "Dagster's GraphQL API (queries and mutations); roles apply to mutations "
                            "(UnauthorizedError)",
                            "graphql", viewer, "GraphQLResponse");
        post.requestSchema = QStringLiteral("GraphQLRequest");
        addRoute(router, ctx, "POST", QStringLiteral("/graphql"), post,
                 [answer](const Request &req, const Principal &who) {
                     QJsonObject body;
                     if (auto e = readBody(req, true, &body))
                         return *e;
                     return answer(body, who, true);
                 });
        RouteDoc get =
            doc("graphqlGet", "Dagster's GraphQL API, queries only (?query=&variables=&operationName=)",
                "graphql", viewer, "GraphQLResponse");
        get.query = { { QStringLiteral("query"), QStringLiteral("string"), QStringLiteral("The document") },
                      { QStringLiteral("variables"), QStringLiteral("string"),
                        QStringLiteral("JSON object") },
                      { QStringLiteral("operationName"), QStringLiteral("string"), {} } };
        addRoute(
            router, ctx, "GET", QStringLiteral("/graphql"), get,
            [answer](const Request &req, const Principal &who) {
                if (!req.hasQuery(QStringLiteral("query")))
                    return apiError(
                        400, QStringLiteral("invalid_parameter"),
                        QStringLiteral("query: GET /graphql needs ?query=… (or POST a JSON body)"));
                QJsonObject request { { QStringLiteral("query"), req.queryValue(QStringLiteral("query")) } };
                if (req.hasQuery(QStringLiteral("variables")))
                    request.insert(QStringLiteral("variables"), req.queryValue(QStringLiteral("variables")));
                if (req.hasQuery(QStringLiteral("operationName")))
                    request.insert(QStringLiteral("operationName"),
                                   req.queryValue(QStringLiteral("operationName")));
                return answer(request, who, false);
            });
    }

    // ---- live events ----------------------------------------------------------------------------
    {
        RouteDoc d =
            doc("liveEvents",
                "WebSocket: {\"type\":\"subscribe\",\"channel\":\"events\",\"id\",\"runId\",\"after\"} "
                "streams a run's events from a cursor; {\"channel\":\"runs\",\"runIds\"?} streams status "
                "changes; {\"type\":\"auth\",\"token\"} authenticates when no header was sent",
                "runs", viewer, "", { 426 });
        d.successStatus = 101;
        QJsonObject op = operationJson(d, QStringLiteral("/api/v1/ws"));
        std::weak_ptr<Context> weak = shared;
        router.addWebSocket(
            QStringLiteral("/api/v1/ws"),
            [weak](const Request &req,
                   const std::shared_ptr<http::WebSocket> &socket) -> http::WebSocketAcceptance {
                auto c = weak.lock();
                if (!c)
                    return http::WebSocketAcceptance::rejected(
                        apiError(503, QStringLiteral("unavailable"), QStringLiteral("shutting down")));
                std::optional<Principal> who;
                if (!c->auth->enabled()) {
                    who = Principal { Role::Admin, QStringLiteral("anonymous"), {}, true };
                } else if (req.hasHeader("authorization")) {
                    const auto outcome =
                        c->auth->authenticateHeader(req.header("authorization"), req.peerAddress);
                    if (!outcome.principal)
                        return http::WebSocketAcceptance::rejected(
                            apiError(outcome.status, outcome.code, outcome.message));
                    who = outcome.principal;
                }
                return c->hub->accept(req, socket, who);
            },
            op);
    }
}

} // namespace lifdag::webserver::detail
