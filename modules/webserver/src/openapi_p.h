// Private: route documentation and the OpenAPI 3 document generated from the route table, so the
// published description can only say what the server routes.
#pragma once

#include <lifdag/http/router.h>
#include <lifdag/webserver/auth.h>

#include <QJsonObject>
#include <optional>

namespace lifdag::webserver::detail {

struct QueryParam
{
    QString name;
    QString type = QStringLiteral("string"); // JSON Schema type
    QString description;
    bool repeated = false;
};

struct RouteDoc
{
    QString operationId;
    QString summary;
    QString tag;
    std::optional<Role> role; // unset: public
    QList<QueryParam> query;
    QString requestSchema; // component name; empty: no body
    bool bodyRequired = true;
    int successStatus = 200;
    QString successSchema; // component name; empty: no content
    QString successContentType = QStringLiteral("application/json");
    QList<int> errors; // status codes besides 400/401/403/429/500 (added as the role needs)
    QString description;
};

// The OpenAPI operation object for a route (path parameters come from the pattern).
QJsonObject operationJson(const RouteDoc &doc, const QString &pattern);

// paths from every route with documentation, plus components and security schemes.
QJsonObject openApiDocument(const http::Router &router, const QString &version, bool authEnabled);

} // namespace lifdag::webserver::detail
