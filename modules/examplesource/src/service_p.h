// Routes an HttpRequest to the example source's endpoints the way Starlette/FastAPI route LIF's
// Python service: first full match wins, a path match with another method is a 405, a path that
// matches only with its trailing slash toggled is a 307 redirect, anything else a 404.
#pragma once

#include "demodata_p.h"
#include "http_p.h"

#include <QHash>

#include <functional>
#include <memory>

namespace lifdag::examplesource {

class Service
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &request)>;

    // `key` guards the REST API (header x-key) and, through `graphql`, the GraphQL source.
    Service(std::shared_ptr<const DemoData> data, QByteArray key, Handler graphql);

    HttpResponse handle(const HttpRequest &request) const;

private:
    enum class Auth { None, ApiKey };
    struct Call;
    struct Route
    {
        QList<QByteArray> methods;
        QStringList pattern; // path segments; "{name}" captures one non-empty segment
        Auth auth = Auth::None;
        std::function<HttpResponse(const Call &call)> handler;
    };

    void add(QList<QByteArray> methods, const QString &path, Auth auth,
             std::function<HttpResponse(const Call &call)> handler);
    static bool matches(const Route &route, const QString &path, QHash<QString, QString> *params);
    HttpResponse invoke(const Route &route, const HttpRequest &request, QHash<QString, QString> params) const;
    HttpResponse listUsers(const Call &call, const QString &role) const;

    std::shared_ptr<const DemoData> m_data;
    QByteArray m_key;
    QList<Route> m_routes;
};

} // namespace lifdag::examplesource
