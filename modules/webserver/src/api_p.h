// Private: the webserver's parts and the REST route table they serve.
#pragma once

#include "livehub_p.h"
#include "locations_p.h"
#include "openapi_p.h"

#include <lifdag/graphqlapi/dagstergraphql.h>
#include <lifdag/http/server.h>
#include <lifdag/webserver/launcheradmin.h>
#include <lifdag/webserver/webserver.h>

#include <QJsonObject>
#include <atomic>
#include <memory>

namespace lifdag::webserver::detail {

struct Context
{
    std::shared_ptr<instance::Instance> instance;
    WebServerOptions options;
    std::shared_ptr<Authenticator> auth;
    std::shared_ptr<LauncherAdmin> launcherAdmin;
    std::shared_ptr<LiveHub> hub;
    std::shared_ptr<Locations> locations;
    std::shared_ptr<graphqlapi::DagsterGraphQL> graphql; // Dagster's GraphQL API at /graphql
    std::atomic<const http::Server *> server { nullptr }; // set once listening (for /metrics)
    QByteArray openApi; // generated when the route table is complete
};

using ApiHandler = std::function<http::Response(const http::Request &, const Principal &)>;

// Adds a route behind authentication: `doc.role` unset makes it public.
void addRoute(http::Router &router, Context &ctx, const QByteArray &method, const QString &pattern,
              RouteDoc doc, ApiHandler handler, bool inlineHandler = false);

// Every /api/v1 route, /health, /ready, /metrics and the WebSocket endpoint.
void addApiRoutes(http::Router &router, const std::shared_ptr<Context> &ctx);

// {"error":{"code","message", …details}}
http::Response apiError(int status, const QString &code, const QString &message,
                        const QJsonObject &details = {});
// A module's Error as an API error (status and code from its code).
http::Response apiError(const Error &error);

} // namespace lifdag::webserver::detail
