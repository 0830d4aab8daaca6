// Routes: method + path pattern ("/api/v1/runs/{runId}") → handler, with path parameters and the
// difference between an unknown path (404) and a known path with another method (405).
#pragma once

#include <lifdag/http/message.h>
#include <lifdag/http/websocket.h>

#include <QJsonObject>
#include <functional>
#include <vector>

namespace lifdag::http {

using Handler = std::function<Response(const Request &request)>;

struct Route
{
    QByteArray method; // "GET", "POST", … (GET routes answer HEAD too)
    QString pattern; // literal segments and {name} parameters; literal segments win over parameters
    Handler handler; // runs on a worker thread unless `inlineHandler`
    WebSocketAccept webSocket; // set instead of `handler` for a WebSocket endpoint (method GET)
    bool inlineHandler = false; // runs on the I/O thread: only for cheap handlers that never block
    QJsonObject doc; // free-form documentation kept with the route (e.g. an OpenAPI operation)
};

class Router
{
public:
    struct Match
    {
        enum class Kind { Found, NotFound, MethodNotAllowed };
        Kind kind = Kind::NotFound;
        const Route *route = nullptr;
        int index = -1; // position in routes(), for per-route metrics
        QMap<QString, QString> params;
        QList<QByteArray> allowed; // the methods the path has (for 405 and OPTIONS)
    };

    // Adds a route; a second route with the same method and pattern replaces the first.
    void add(Route route);
    void add(const QByteArray &method, const QString &pattern, Handler handler, QJsonObject doc = {});
    void addWebSocket(const QString &pattern, WebSocketAccept accept, QJsonObject doc = {});

    // `path` percent-decoded per segment: segments are split on the raw '/' before decoding, so
    // pass the raw path; invalid UTF-8 in a segment makes the path unknown.
    Match match(const QByteArray &method, const QByteArray &rawPath) const;
    const std::vector<Route> &routes() const { return m_routes; }

    // Answers GET and HEAD requests whose path no route has (e.g. a web UI's files and its
    // client-side routes), on the I/O thread: it must be cheap and never block. Unset: JSON 404.
    void setFallback(Handler handler) { m_fallback = std::move(handler); }
    const Handler &fallback() const { return m_fallback; }

private:
    struct Compiled
    {
        QList<QString> segments; // literal, or "{name}"
        QList<bool> isParam;
        int literalCount = 0;
    };
    std::vector<Route> m_routes;
    std::vector<Compiled> m_compiled;
    Handler m_fallback;
};

// Splits a raw path into percent-decoded segments; false when a segment is not valid UTF-8.
bool decodePathSegments(const QByteArray &rawPath, QStringList *segments);

} // namespace lifdag::http
