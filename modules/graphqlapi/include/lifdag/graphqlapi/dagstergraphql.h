// Dagster's GraphQL API (the subset Dagster clients use, typed as Dagster types it) over lifdag's
// storage, launcher and code locations: what the webserver serves at /graphql.
#pragma once

#include <lifdag/graphql/graphql.h>
#include <lifdag/instance/instance.h>

#include <QJsonObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace lifdag::graphqlapi {

// What a caller may do (lifdag's authentication; Dagster OSS has none): viewers read, launchers
// also launch, re-execute and terminate runs, admins also delete runs and reload or shut down
// code locations. Denied mutations answer with Dagster's UnauthorizedError.
enum class Role { Viewer, Launcher, Admin };
QString roleName(Role role); // "viewer", "launcher", "admin"

struct RequestContext
{
    Role role = Role::Admin; // authentication off: everything allowed
    QString principal; // who asks, for event messages ("token ci-bot"); never a secret
    bool allowMutations = true; // false for HTTP GET
};

struct Options
{
    graphql::Limits limits; // parse/depth/complexity limits for every request
    std::chrono::milliseconds locationDeadline = std::chrono::seconds(10); // per code location call
    qint64 maxRunsWithoutLimit = 50000; // runsOrError without `limit` answers at most this many
};

class DagsterGraphQL
{
public:
    // The instance every request uses.
    explicit DagsterGraphQL(std::shared_ptr<instance::Instance> instance, Options options = {});
    // Asked for the instance at the start of every request, so a caller can swap in one opened
    // with changed configuration (e.g. after the launcher settings were edited).
    using InstanceProvider = std::function<std::shared_ptr<instance::Instance>()>;
    explicit DagsterGraphQL(InstanceProvider provider, Options options = {});
    ~DagsterGraphQL();
    DagsterGraphQL(const DagsterGraphQL &) = delete;
    DagsterGraphQL &operator=(const DagsterGraphQL &) = delete;

    // Runs one GraphQL request, {"query": …, "variables": {…} | "…json…", "operationName": …},
    // and returns the response {"data": …, "errors": […]}. Thread-safe; blocks on storage and
    // code location calls, so call it off any event loop.
    QJsonObject execute(const QJsonObject &request, const RequestContext &context) const;
    // The same with the response's ordering and HTTP-relevant facts (requestError) kept.
    graphql::ExecutionResult run(const QJsonObject &request, const RequestContext &context) const;

    const graphql::Schema &schema() const;
    // The schema's SDL as lifdag declares it (Dagster's names and types).
    static QString sdl();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::graphqlapi
