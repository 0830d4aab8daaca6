// A compiled JSON Schema (draft 7, via valijson), immutable and safe to use from many threads.
#pragma once

#include <lifdag/core/result.h>

#include <QJsonObject>
#include <QJsonValue>

#include <memory>
#include <optional>

namespace lifdag::transform {

struct SchemaViolation
{
    QString pointer; // JSON pointer of the offending value ("" for the document itself)
    QString message; // valijson's description
};

class SchemaValidator
{
public:
    // Compiles `schema` (a JSON Schema, or an MDR OpenAPI document used as one). Errors name the
    // problem valijson found (e.g. an unresolvable $ref).
    static Result<SchemaValidator> compile(const QJsonObject &schema);

    SchemaValidator() = default; // accepts everything (no schema)
    bool isValid() const { return m_schema != nullptr; }

    // The first (deepest) violation, or nothing when `data` conforms.
    std::optional<SchemaViolation> check(const QJsonValue &data) const;

private:
    struct Compiled;
    std::shared_ptr<const Compiled> m_schema;
};

} // namespace lifdag::transform
