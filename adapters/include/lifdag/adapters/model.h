// LIF's orchestration data types (lif.datatypes): query plan parts, fragments and part results,
// with the JSON shapes LIF's query planner sends and expects.
#pragma once

#include <lifdag/core/result.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace lifdag::adapters {

// LIFPersonIdentifier: {identifier, identifierType}, e.g. {"100001", "School-assigned number"}.
struct PersonIdentifier
{
    QString identifier;
    QString identifierType;

    QJsonObject toJson() const;
    friend bool operator==(const PersonIdentifier &, const PersonIdentifier &) = default;
};

// LIFQueryPlanPartTranslation: which MDR data models to translate between.
struct PartTranslation
{
    QString sourceSchemaId;
    QString targetSchemaId;

    QJsonObject toJson() const;
    friend bool operator==(const PartTranslation &, const PartTranslation &) = default;
};

// LIFQueryPlanPart: one information source to ask about one person.
struct QueryPlanPart
{
    QString informationSourceId;
    QString adapterId;
    PersonIdentifier personId;
    QStringList lifFragmentPaths;
    std::optional<PartTranslation> translation;

    // Parses LIF's JSON ({information_source_id, adapter_id, person_id{identifier, identifierType},
    // lif_fragment_paths[], translation?{source_schema_id, target_schema_id}}). Unknown members are
    // ignored (as pydantic does); errors name `path` + the member, e.g. "parts[1].person_id.identifier".
    static Result<QueryPlanPart> fromJson(const QJsonValue &json,
                                          const QString &path = QStringLiteral("part"));
    QJsonObject toJson() const; // translation is null when absent, as pydantic's model_dump()
    friend bool operator==(const QueryPlanPart &, const QueryPlanPart &) = default;
};

// LIFFragment: the values found at one path of a LIF person ("person.employmentPreferences").
struct Fragment
{
    QString fragmentPath;
    QJsonArray fragment;

    // LIF's validation: a non-empty path starting with "person." or "Person.", and a list of objects.
    Status validate() const;
    QJsonObject toJson() const;
    static Result<Fragment> fromJson(const QJsonValue &json,
                                     const QString &path = QStringLiteral("fragment"));
    friend bool operator==(const Fragment &, const Fragment &) = default;
};

inline constexpr QLatin1StringView kPersonAllPath("person.all");

// OrchestratorJobQueryPlanPartResults: what one part contributes to the job's results.
struct PartResult
{
    QString informationSourceId;
    QString adapterId;
    std::optional<QString> dataTimestamp; // ISO 8601 UTC, as Python's datetime.isoformat()
    PersonIdentifier personId;
    QList<Fragment> fragments;
    std::optional<QString> error;

    QJsonObject toJson() const; // absent optionals are JSON null
    static Result<PartResult> fromJson(const QJsonValue &json,
                                       const QString &path = QStringLiteral("result"));
    friend bool operator==(const PartResult &, const PartResult &) = default;
};

// `datetime.now(timezone.utc).isoformat()`: "2025-01-31T12:34:56.123456+00:00" (microseconds
// left out when they are zero, as Python does).
QString pythonUtcNowIsoformat();

} // namespace lifdag::adapters
