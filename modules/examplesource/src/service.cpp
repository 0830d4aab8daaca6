#include "examplesource_log_p.h"
#include "jsontext_p.h"
#include "laxint_p.h"
#include "service_p.h"

#include <optional>

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

namespace {
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}
// Interactive documentation pages over /openapi.json, as FastAPI serves them (assets from a CDN).
constexpr QLatin1StringView kSwaggerUi(
    "<!DOCTYPE html>\n<html>\n<head>\n<title>lifdag Example Data Source REST API - Swagger UI</title>\n"
    "<link rel=\"stylesheet\" "
    "href=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css\">\n</head>\n"
    "<body>\n<div id=\"swagger-ui\"></div>\n"
    "<script src=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js\"></script>\n"
    "<script>SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'});</script>\n</body>\n</html>\n");
constexpr QLatin1StringView kRedoc(
    "<!DOCTYPE html>\n<html>\n<head>\n<title>lifdag Example Data Source REST API - ReDoc</title>\n"
    "<meta charset=\"utf-8\"/>\n</head>\n<body>\n<redoc spec-url=\"/openapi.json\"></redoc>\n"
    "<script "
    "src=\"https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js\"></script>\n</body>\n</html>\n");

HttpResponse html(QLatin1StringView page)
{
    HttpResponse response;
    response.headers.emplaceBack("content-type", "text/html; charset=utf-8");
    response.body = QByteArray(page.data(), page.size());
    return response;
}
} // namespace

// One request on a matched route: its path parameters, its query, and FastAPI's parameter
// validation (errors collected in declaration order, answered together as a 422).
struct Service::Call
{
    const HttpRequest &request;
    QHash<QString, QString> path;
    QHash<QString, QString> query; // the last value of a repeated name, as Starlette's .get()
    mutable QList<QByteArray> errors;

    std::optional<LaxInt> integer(const QString &location, const QString &name, const QString &text) const
    {
        LaxInt value = parseLaxInt(text);
        if (value.ok())
            return value;
        errors.append(json::object({ { "type"_L1, json::text(value.errorType()) },
                                     { "loc"_L1, json::array({ json::text(location), json::text(name) }) },
                                     { "msg"_L1, json::text(value.errorMessage()) },
                                     { "input"_L1, json::text(text) } }));
        return std::nullopt;
    }
    std::optional<LaxInt> pathInt(const QString &name) const
    {
        return integer(u"path"_s, name, path.value(name));
    }
    // Absent: no value and no error (the parameters are Optional[int] = None).
    std::optional<LaxInt> queryInt(const QString &name) const
    {
        const auto it = query.constFind(name);
        return it == query.cend() ? std::nullopt : integer(u"query"_s, name, *it);
    }
    std::optional<QString> queryText(const QString &name) const
    {
        const auto it = query.constFind(name);
        return it == query.cend() ? std::nullopt : std::optional<QString>(*it);
    }
    bool failed() const { return !errors.isEmpty(); }
    HttpResponse validationError() const
    {
        return HttpResponse::json(422, json::object({ { "detail"_L1, json::array(errors) } }));
    }
};

Service::Service(std::shared_ptr<const DemoData> data, QByteArray key, Handler graphql)
    : m_data(std::move(data))
    , m_key(std::move(key))
{
    const DemoData &d = *m_data;
    // The routes in the order LIF's FastAPI app registers them (order decides between matches):
    // FastAPI's own documentation routes first (Starlette routes: GET and HEAD), then the API.
    add({ "GET", "HEAD" }, u"/openapi.json"_s, Auth::None,
        [&d](const Call &) { return HttpResponse::json(200, d.openApi); });
    add({ "GET", "HEAD" }, u"/docs"_s, Auth::None, [](const Call &) { return html(kSwaggerUi); });
    add({ "GET", "HEAD" }, u"/redoc"_s, Auth::None, [](const Call &) { return html(kRedoc); });
    add({ "GET" }, u"/health"_s, Auth::None,
        [](const Call &) { return HttpResponse::json(200, R"({"status":"ok"})"); });
    add({ "GET" }, u"/r1-demo/users/{user_id}"_s, Auth::ApiKey, [&d](const Call &call) {
        const QString id = call.path.value(u"user_id"_s);
        const auto it = d.r1Users.constFind(id);
        if (it == d.r1Users.cend())
            return HttpResponse::detail(404, u"User not found"_s);
        return HttpResponse::json(200, *it);
    });
    add({ "GET" }, u"/users/{user_id}"_s, Auth::ApiKey, [&d](const Call &call) {
        const auto id = call.pathInt(u"user_id"_s);
        if (call.failed())
            return call.validationError();
        const QByteArray user = json::object({
            { "id"_L1, id->digits.toLatin1() },
            { "name"_L1, json::text(QString(d.userNameTemplate).replace(u"{id}"_s, id->digits)) },
            { "surname"_L1, json::text(QString(d.userSurnameTemplate).replace(u"{id}"_s, id->digits)) },
        });
        return HttpResponse::json(200, json::object({ { "user"_L1, json::array({ user }) } }));
    });
    add({ "GET" }, u"/users/"_s, Auth::ApiKey, [this](const Call &call) { return listUsers(call, {}); });
    add({ "GET" }, u"/students/"_s, Auth::ApiKey,
        [this](const Call &call) { return listUsers(call, u"student"_s); });
    add({ "GET" }, u"/teachers/"_s, Auth::ApiKey,
        [this](const Call &call) { return listUsers(call, u"teacher"_s); });
    add({ "GET" }, u"/users/{user_id}/courses"_s, Auth::ApiKey, [&d](const Call &call) {
        call.pathInt(u"user_id"_s);
        if (call.failed())
            return call.validationError();
        return HttpResponse::json(200, json::object({ { "courses"_L1, d.courses } }));
    });
    add({ "GET" }, u"/users/{user_id}/courses/{course_id}"_s, Auth::ApiKey, [&d](const Call &call) {
        call.pathInt(u"user_id"_s);
        const auto course = call.pathInt(u"course_id"_s);
        if (call.failed())
            return call.validationError();
        // LIF's service tests `if course_id:`, so course 0 lists every course.
        if (course->digits == u"0"_s)
            return HttpResponse::json(200, json::object({ { "courses"_L1, d.courses } }));
        const QByteArray one = json::object({
            { "id"_L1, course->digits.toLatin1() },
            { "name"_L1, json::text(QString(d.courseNameTemplate).replace(u"{id}"_s, course->digits)) },
            { "code"_L1, json::text(d.courseCode) },
        });
        return HttpResponse::json(200, json::object({ { "courses"_L1, json::array({ one }) } }));
    });
    const std::pair<QString, const QByteArray *> documents[] = {
        { u"/ob3clr2/{user_id}"_s, &d.ob3clr2 },
        { u"/lif1/{user_id}"_s, &d.lif1 },
        { u"/campusapi/{user_id}"_s, &d.campusApi },
    };
    for (const auto &[path, document] : documents) {
        add({ "GET" }, path, Auth::ApiKey, [document](const Call &call) {
            call.pathInt(u"user_id"_s); // the same document for every user, but the id must be an integer
            if (call.failed())
                return call.validationError();
            return HttpResponse::json(200, *document);
        });
    }
    if (graphql) {
        // Its own Bearer authentication and GraphQL-shaped errors live in the handler.
        add({ "POST" }, u"/graphql"_s, Auth::None,
            [graphql](const Call &call) { return graphql(call.request); });
    }
}

void Service::add(QList<QByteArray> methods, const QString &path, Auth auth,
                  std::function<HttpResponse(const Call &call)> handler)
{
    m_routes.append({ std::move(methods), path.split(u'/'), auth, std::move(handler) });
}

bool Service::matches(const Route &route, const QString &path, QHash<QString, QString> *params)
{
    const QStringList segments = path.split(u'/');
    if (segments.size() != route.pattern.size())
        return false;
    QHash<QString, QString> captured;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &expected = route.pattern[i];
        if (expected.startsWith(u'{') && expected.endsWith(u'}')) {
            if (segments[i].isEmpty())
                return false;
            captured.insert(expected.mid(1, expected.size() - 2), segments[i]);
        } else if (segments[i] != expected) {
            return false;
        }
    }
    if (params)
        *params = std::move(captured);
    return true;
}

HttpResponse Service::handle(const HttpRequest &request) const
{
    const Route *partial = nullptr;
    for (const Route &route : m_routes) {
        QHash<QString, QString> params;
        if (!matches(route, request.path, &params))
            continue;
        if (route.methods.contains(request.method))
            return invoke(route, request, std::move(params));
        if (!partial)
            partial = &route;
    }
    if (partial) {
        return HttpResponse::detail(405, u"Method Not Allowed"_s,
                                    { { "allow", partial->methods.join(", ") } });
    }
    // Starlette's redirect_slashes: the same path with the trailing slash(es) toggled.
    if (request.path != u"/"_s) {
        QString toggled = request.path;
        if (toggled.endsWith(u'/')) {
            while (toggled.endsWith(u'/'))
                toggled.chop(1);
        } else {
            toggled.append(u'/');
        }
        for (const Route &route : m_routes) {
            if (!matches(route, toggled, nullptr))
                continue;
            QByteArray location = request.origin + quoteUrl(toggled);
            if (!request.query.isEmpty())
                location += '?' + request.query;
            HttpResponse redirect;
            redirect.status = 307;
            redirect.headers.emplaceBack("location", location);
            return redirect;
        }
    }
    return HttpResponse::detail(404, u"Not Found"_s);
}

HttpResponse Service::invoke(const Route &route, const HttpRequest &request,
                             QHash<QString, QString> params) const
{
    if (route.auth == Auth::ApiKey) {
        // FastAPI's APIKeyHeader refuses a missing or empty header with 403; LIF's verify_token
        // refuses a wrong key with 401.
        const QByteArray key = request.header("x-key");
        if (key.isEmpty())
            return HttpResponse::detail(403, u"Not authenticated"_s);
        if (!constantTimeEquals(key, m_key)) {
            // The route's pattern, not the path: ids in paths are people's identifiers.
            qCInfo(lcExampleSource).noquote()
                << request.method << route.pattern.join(u'/') << "refused: wrong x-key";
            return HttpResponse::detail(401, u"Unauthorized"_s);
        }
    }
    Call call { request, std::move(params), {}, {} };
    for (const auto &[name, value] : parseQuery(request.query))
        call.query.insert(name, value);
    return route.handler(call);
}

HttpResponse Service::listUsers(const Call &call, const QString &role) const
{
    const auto ageGt = call.queryInt(u"age_gt"_s);
    const auto ageLt = call.queryInt(u"age_lt"_s);
    const auto age = call.queryInt(u"age"_s);
    const auto nameLike = call.queryText(u"name_like"_s);
    const auto name = call.queryText(u"name"_s);
    if (call.failed())
        return call.validationError();
    QList<QByteArray> results;
    for (const DemoUser &user : m_data->users) {
        // LIF's filter_users: every given filter must hold; name_like is a case-sensitive substring.
        if (!role.isEmpty() && user.role != role)
            continue;
        if (ageGt && ageGt->compare(user.age) >= 0)
            continue;
        if (ageLt && ageLt->compare(user.age) <= 0)
            continue;
        if (age && age->compare(user.age) != 0)
            continue;
        if (nameLike && !user.name.contains(*nameLike))
            continue;
        if (name && user.name != *name)
            continue;
        results.append(user.json);
    }
    return HttpResponse::json(200, json::object({ { "results"_L1, json::array(results) } }));
}

} // namespace lifdag::examplesource
