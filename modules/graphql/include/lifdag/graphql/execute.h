// Validation and execution of GraphQL requests against a Schema.
#pragma once

#include <lifdag/graphql/document.h>
#include <lifdag/graphql/schema.h>

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <any>
#include <memory>

namespace lifdag::graphql {

struct Limits
{
    ParseOptions parse;
    // Field nesting of an operation with fragments expanded (introspection's standard query
    // needs about 15). 0: unlimited.
    int maxDepth = 50;
    // Fields an operation selects with fragments expanded (each field counts 1, whatever its
    // list sizes). 0: unlimited.
    int maxComplexity = 5000;
    bool introspection = true;
};

struct Request
{
    QString query;
    QJsonObject variables;
    QString operationName;
    std::any context; // handed to resolvers as Context::user()
    bool allowMutations = true; // false for HTTP GET: mutations are refused
};

namespace detail {
struct OutNode;
}

struct ExecutionResult
{
    QList<GraphQLError> errors;
    // True when the request never reached execution (syntax, validation, unknown operation,
    // bad variables): GraphQL-over-HTTP answers those with status 400 on
    // application/graphql-response+json.
    bool requestError = false;
    // The response's data in query order; null when execution did not start.
    std::shared_ptr<const detail::OutNode> dataNode;

    bool hasData() const { return dataNode != nullptr; }
    // The data (null when execution did not start or null propagated to the top).
    QJsonValue data() const;
    // {"data": …, "errors": […]}; members in the order the query selected them.
    QByteArray toJsonBytes() const;
    // The same as a QJsonObject (which orders members alphabetically).
    QJsonObject toJson() const;
};

// The spec's validation rules (graphql-js specifiedRules, wording included) plus the depth and
// complexity limits. Empty: valid.
QList<GraphQLError> validate(const Schema &schema, const Document &document, const Limits &limits = {});

// Executes an already validated document.
ExecutionResult executeDocument(const Schema &schema, const Document &document, const Request &request);

// Parse, validate and execute. Thread-safe: one engine serves many threads.
class Engine
{
public:
    explicit Engine(Schema schema, Limits limits = {});
    ~Engine();

    ExecutionResult run(const Request &request) const;
    QJsonObject execute(const Request &request) const { return run(request).toJson(); }

    const Schema &schema() const { return m_schema; }
    const Limits &limits() const { return m_limits; }

private:
    struct Cache;
    Schema m_schema;
    Limits m_limits;
    std::unique_ptr<Cache> m_cache; // parsed + validated documents by query text
};

// graphql-js getIntrospectionQuery() with every option on (descriptions, specifiedByURL,
// directive isRepeatable, schema description, input value deprecation).
QString introspectionQuery();

} // namespace lifdag::graphql
