#include "lifdag/webserver/webserver.h"

#include "api_p.h"
#include "webserver_log_p.h"

#include <lifdag/core/version.h>

#include <QJsonDocument>

Q_LOGGING_CATEGORY(lcWebserver, "lifdag.webserver")

namespace lifdag::webserver {

using namespace detail;

struct WebServer::Private
{
    std::shared_ptr<Context> ctx;
    http::Router router;
    std::unique_ptr<http::Server> server;
};

WebServer::WebServer(std::shared_ptr<instance::Instance> instance, WebServerOptions options)
    : d(std::make_unique<Private>())
{
    d->ctx = std::make_shared<Context>();
    Context &ctx = *d->ctx;
    ctx.instance = instance;
    ctx.options = options;
    Authenticator::Options authOptions = options.auth;
    authOptions.enabled = options.authEnabled.value_or(instance->config().lifdag.authEnabled);
    ctx.options.auth = authOptions;
    ctx.auth = std::make_shared<Authenticator>(instance->storagePtr(), authOptions);
    ctx.launcherAdmin = std::make_shared<LauncherAdmin>(instance, options.onLauncherConfigChanged);
    ctx.hub = std::make_shared<LiveHub>(instance, ctx.auth, LiveHub::Options {});
    ctx.locations = std::make_shared<Locations>(instance);
    ctx.graphql = std::make_shared<graphqlapi::DagsterGraphQL>(instance);
    addApiRoutes(d->router, d->ctx);
}

WebServer::~WebServer()
{
    stop();
}

void WebServer::mount(const QByteArray &method, const QString &path, std::optional<Role> minRole,
                      AuthenticatedHandler handler, const QJsonObject &doc)
{
    RouteDoc routeDoc;
    routeDoc.role = minRole;
    addRoute(d->router, *d->ctx, method, path, routeDoc, std::move(handler));
    // The mounted endpoint's own documentation (or none) replaces the generic one.
    http::Route route =
        *std::find_if(d->router.routes().begin(), d->router.routes().end(),
                      [&](const http::Route &r) { return r.method == method && r.pattern == path; });
    route.doc = doc;
    d->router.add(std::move(route));
}

void WebServer::mountFallback(http::Handler handler)
{
    d->router.setFallback(std::move(handler));
}

Status WebServer::start()
{
    if (d->server)
        return Error { QStringLiteral("webserver.started"),
                       QStringLiteral("the webserver is already running") };
    Context &ctx = *d->ctx;
    ctx.openApi = QJsonDocument(openApiDocument(d->router, lifdag::version(), ctx.auth->enabled()))
                      .toJson(QJsonDocument::Compact);
    if (const Status s = ctx.hub->start(); !s)
        return s;
    d->server = std::make_unique<http::Server>(d->router, ctx.options.http);
    if (const Status s = d->server->listen(ctx.options.address, ctx.options.port); !s) {
        d->server.reset();
        ctx.hub->stop();
        return s;
    }
    ctx.server.store(d->server.get());
    qCInfo(lcWebserver, "serving %d routes on port %d (authentication %s, storage %s)",
           int(d->router.routes().size()), d->server->port(), ctx.auth->enabled() ? "on" : "off",
           qPrintable(ctx.instance->storage().settings().describe()));
    return {};
}

quint16 WebServer::port() const
{
    return d->server ? d->server->port() : 0;
}

void WebServer::stop()
{
    if (!d->server)
        return;
    d->ctx->server.store(nullptr);
    d->ctx->hub->stop();
    d->server->close();
    d->server.reset();
}

const http::Router &WebServer::router() const
{
    return d->router;
}

bool WebServer::authEnabled() const
{
    return d->ctx->auth->enabled();
}

} // namespace lifdag::webserver
