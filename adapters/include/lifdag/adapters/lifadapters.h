// LIF's two built-in adapters: lif-to-lif (a LIF GraphQL source) and
// example-data-source-rest-api-to-lif (the Example Data Source's REST API).
#pragma once

#include <lifdag/adapters/adapter.h>

namespace lifdag::adapters {

// The GraphQL enum token LIF derives from a human identifier type: runs of characters other than
// ASCII letters and digits become '_', the result is upper-cased, repeated '_' collapse and
// leading/trailing '_' go: "School-assigned number" → "SCHOOL_ASSIGNED_NUMBER".
QString identifierTypeToken(const QString &identifierType);

// Python's `needle in value` for a parsed JSON answer: a member of an object, an item of an array,
// a substring of a string. Other values are an error (Python raises TypeError).
Result<bool> pythonContains(const QJsonValue &value, const QString &needle);

// POST {scheme}://{host}/graphql, "Authorization: Bearer {token}", operation GetPersonByIdentifier
// (variables identifier, identifierType token) with a query selecting every LIF person field
// (resource :/lifdag/adapters/lif_person_query.graphql). A GraphQL `errors` member is a failure;
// the answer's `data` becomes fragment person.all = [data] of a part result stamped now.
// Credentials: host (with port), scheme (default https), token.
class LifToLifAdapter final : public Adapter
{
public:
    static constexpr QLatin1StringView kId { "lif-to-lif" };
    QString id() const override { return kId; }
    AdapterType type() const override { return AdapterType::LifToLif; }
    QStringList credentialKeys() const override;
    QString description() const override;
    Result<AdapterOutput> run(const QueryPlanPart &part, const Credentials &credentials,
                              const AdapterContext &context) const override;

    static QString queryText(); // the GraphQL document sent
};

// GET {scheme}://{host}/r1-demo/users/{identifier} with header "x-key: {token}"; the answer's JSON
// is returned as source data for translation. An `errors` member is a failure.
// Credentials: host (with port), scheme (default https), token.
class ExampleDataSourceRestAdapter final : public Adapter
{
public:
    static constexpr QLatin1StringView kId { "example-data-source-rest-api-to-lif" };
    QString id() const override { return kId; }
    AdapterType type() const override { return AdapterType::PipelineIntegrated; }
    QStringList credentialKeys() const override;
    QString description() const override;
    Result<AdapterOutput> run(const QueryPlanPart &part, const Credentials &credentials,
                              const AdapterContext &context) const override;
};

} // namespace lifdag::adapters
