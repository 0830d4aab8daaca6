// The lif-to-lif query's selection set, read from its text and cut down to what a source's schema
// offers (LIF GraphQL sources differ: one may lack Telephone, another MilitaryLearningExperience).
#pragma once

#include <lifdag/core/result.h>

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace lifdag::adapters::detail {

// The introspection query whose `data` pruneQuery() reads.
QString introspectionQuery();

// True when every GraphQL error is a validation error about a field the schema does not have
// ("Cannot query field …", "must have a selection of subfields", "must not have a selection").
bool isFieldValidationFailure(const QJsonValue &errors);

// Rewrites `query` (one operation whose root field has arguments and a selection set, as
// resources/lif_person_query.graphql) keeping only the fields the introspected schema has, with
// their sub-selections likewise. `dropped` receives the paths removed ("Person.Contact.Telephone").
Result<QString> pruneQuery(const QString &query, const QJsonObject &introspectionData, QStringList *dropped);

} // namespace lifdag::adapters::detail
