#include <lifdag/transform/schemavalidator.h>

#include <valijson/adapters/qtjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <exception>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

struct SchemaValidator::Compiled
{
    valijson::Schema schema;
};

namespace {
// valijson's context ["<root>", "[Person]", "[0]"] as a JSON pointer "/Person/0".
QString pointerOf(const std::vector<std::string> &context)
{
    QString pointer;
    for (const std::string &part : context) {
        if (part == "<root>")
            continue;
        QString token = QString::fromStdString(part);
        if (token.startsWith(u'[') && token.endsWith(u']'))
            token = token.mid(1, token.size() - 2);
        token.replace(u"~"_s, u"~0"_s).replace(u"/"_s, u"~1"_s);
        pointer += u'/' + token;
    }
    return pointer;
}
} // namespace

Result<SchemaValidator> SchemaValidator::compile(const QJsonObject &schema)
{
    auto compiled = std::make_shared<Compiled>();
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        const QJsonValue document(schema);
        valijson::adapters::QtJsonAdapter adapter(document);
        parser.populateSchema(adapter, compiled->schema);
    } catch (const std::exception &e) {
        return Error { u"transform.schema"_s,
                       u"the JSON Schema cannot be compiled: %1"_s.arg(QString::fromUtf8(e.what())) };
    }
    SchemaValidator validator;
    validator.m_schema = std::move(compiled);
    return validator;
}

std::optional<SchemaViolation> SchemaValidator::check(const QJsonValue &data) const
{
    if (!m_schema)
        return std::nullopt;
    // A Validator caches regexes, so each check has its own; the Schema is only read.
    valijson::Validator validator;
    valijson::ValidationResults results;
    const valijson::adapters::QtJsonAdapter target(data);
    try {
        if (validator.validate(m_schema->schema, target, &results))
            return std::nullopt;
    } catch (const std::exception &e) {
        return SchemaViolation { QString(), u"validation failed: %1"_s.arg(QString::fromUtf8(e.what())) };
    }
    valijson::ValidationResults::Error error;
    std::optional<SchemaViolation> deepest;
    size_t depth = 0;
    while (results.popError(error)) {
        if (!deepest || error.context.size() > depth) {
            depth = error.context.size();
            deepest = SchemaViolation { pointerOf(error.context), QString::fromStdString(error.description) };
        }
    }
    if (!deepest)
        deepest = SchemaViolation { QString(), u"the value does not match the schema"_s };
    return deepest;
}

} // namespace lifdag::transform
