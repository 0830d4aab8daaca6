// The LIF GraphQL person source: POST /graphql with `Authorization: Bearer KEY`, LIF's
// person(filter: { Identifier: { identifier, identifierType } }) query over the demo persons.
#pragma once

#include "demodata_p.h"
#include "service_p.h"

#include <lifdag/core/result.h>

#include <QJsonObject>
#include <QJsonValue>

namespace lifdag::examplesource {

// LIF's spelling-independent identifier type: runs of other characters than letters and digits
// become one '_', upper case, no '_' at either end ("School-assigned number" ->
// "SCHOOL_ASSIGNED_NUMBER"), as LIF's lif-to-lif adapter turns the human text into the token.
QString normalizedIdentifierType(const QString &text);

// True when `person` has one Identifier entry that satisfies every field `filter` gives
// (identifier exactly, identifierType spelling-independently). No filter matches every person.
bool personMatches(const QJsonObject &person, const QJsonValue &identifierFilter);

// The HTTP handler of POST /graphql, or an error when the schema does not build.
Result<Service::Handler> makePersonSource(std::shared_ptr<const DemoData> data, QByteArray key);

} // namespace lifdag::examplesource
