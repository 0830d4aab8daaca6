// `lifdag webserver`: the REST/JSON API at /api/v1 (described by /api/v1/openapi.json), live events
// over WebSocket at /api/v1/ws, /health, /ready and /metrics, with optional token authentication
// and roles - on lifdag's own HTTP server (modules/http). GraphQL and the web UI mount on the same
// router.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/http/router.h>
#include <lifdag/http/server.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/auth.h>

#include <QHostAddress>
#include <functional>
#include <memory>
#include <optional>

namespace lifdag::webserver {

struct WebServerOptions
{
    QHostAddress address = QHostAddress::Any;
    quint16 port = 3000; // 0: a free port (see WebServer::port())
    http::ServerOptions http;
    std::optional<bool> authEnabled; // unset: dagster.yaml's lifdag.auth.enabled
    Authenticator::Options auth; // `enabled` is taken from the line above
    // After an administrator changed the launcher settings through the API (the override file is
    // already written): e.g. reload them in this process.
    std::function<void()> onLauncherConfigChanged;
    int daemonHealthySeconds = 120; // a daemon whose last heartbeat is older is reported unhealthy
};

// What a mounted handler (GraphQL, web UI) gets: the request and who made it.
using AuthenticatedHandler = std::function<http::Response(const http::Request &, const Principal &)>;

class WebServer
{
public:
    WebServer(std::shared_ptr<instance::Instance> instance, WebServerOptions options = {});
    ~WebServer(); // stop()
    WebServer(const WebServer &) = delete;
    WebServer &operator=(const WebServer &) = delete;

    // Mounts another endpoint before start(), behind the same authentication: `minRole` unset
    // makes it public. `doc` (an OpenAPI operation) puts it into /api/v1/openapi.json.
    void mount(const QByteArray &method, const QString &path, std::optional<Role> minRole,
               AuthenticatedHandler handler, const QJsonObject &doc = {});

    // Before start(): answers GET/HEAD requests for paths no route has (the web UI's files and its
    // client-side routes), without authentication, on the I/O thread (cheap, never blocking).
    void mountFallback(http::Handler handler);

    Status start(); // listens; the live-events hub subscribes to storage notifications
    quint16 port() const;
    void stop();

    // The routes being served (for tests: the OpenAPI document must match them).
    const http::Router &router() const;
    bool authEnabled() const;

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace lifdag::webserver
