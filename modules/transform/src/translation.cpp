#include "transform_log_p.h"

#include <lifdag/jsonata/expression.h>
#include <lifdag/transform/deepmerge.h>
#include <lifdag/transform/translation.h>

#include <vector>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

struct Translation::Compiled
{
    SchemaValidator source;
    SchemaValidator target;
    struct Mapping
    {
        jsonata::Expression expression; // invalid when it did not compile
        QString compileError;
    };
    std::vector<Mapping> mappings;
};

qsizetype Translation::mappingCount() const
{
    return m_compiled ? qsizetype(m_compiled->mappings.size()) : 0;
}

Result<Translation> Translation::compile(const TranslationSpec &spec)
{
    auto compiled = std::make_shared<Compiled>();
    auto source = SchemaValidator::compile(spec.sourceSchema);
    if (!source)
        return Error { source.error().code,
                       u"schema of source data model %1: %2"_s.arg(spec.sourceId, source.error().message) };
    auto target = SchemaValidator::compile(spec.targetSchema);
    if (!target)
        return Error { target.error().code,
                       u"schema of target data model %1: %2"_s.arg(spec.targetId, target.error().message) };
    compiled->source = std::move(source.value());
    compiled->target = std::move(target.value());
    compiled->mappings.reserve(size_t(spec.mappings.size()));
    for (qsizetype i = 0; i < spec.mappings.size(); ++i) {
        auto expression = jsonata::Expression::compileCached(spec.mappings.at(i));
        if (expression) {
            compiled->mappings.push_back({ expression.value(), QString() });
        } else {
            const QString why = expression.error().toString();
            qCWarning(lcTransform, "mapping %lld of %s -> %s does not compile: %s", qlonglong(i),
                      qPrintable(spec.sourceId), qPrintable(spec.targetId), qPrintable(why));
            compiled->mappings.push_back({ jsonata::Expression(), why });
        }
    }
    Translation translation;
    translation.m_compiled = std::move(compiled);
    translation.m_sourceId = spec.sourceId;
    translation.m_targetId = spec.targetId;
    return translation;
}

Result<QJsonObject> Translation::run(const QJsonObject &input, TranslationReport *report) const
{
    if (!m_compiled)
        return Error { u"transform.empty"_s, u"the translation was not compiled"_s };
    const Compiled &c = *m_compiled;
    const auto warn = [&](QList<int> TranslationReport::*list, int index, const QString &line) {
        qCWarning(lcTransform).noquote() << line;
        if (report) {
            (report->*list).append(index);
            report->warnings.append(line);
        }
    };

    if (auto violation = c.source.check(input))
        return Error { u"transform.invalid_source"_s,
                       u"the record does not conform to the schema of source data model %1 at \"%2\": %3"_s.arg(
                           m_sourceId, violation->pointer, violation->message) };

    const QJsonValue inputValue(input);
    const jsonata::Value jsonInput = jsonata::Value::fromQJsonValue(inputValue);
    QJsonObject result;
    for (size_t i = 0; i < c.mappings.size(); ++i) {
        const int index = int(i);
        const auto &mapping = c.mappings[i];
        if (!mapping.expression.isValid()) {
            warn(&TranslationReport::failed, index,
                 u"%1 -> %2: skipping mapping %3: it does not compile (%4)"_s.arg(
                     m_sourceId, m_targetId, QString::number(index), mapping.compileError));
            continue;
        }
        auto fragment = mapping.expression.evaluate(jsonInput);
        if (!fragment) {
            // The code and position only: JSONata messages may quote input values.
            warn(&TranslationReport::failed, index,
                 u"%1 -> %2: skipping mapping %3: evaluation error %4 at position %5"_s.arg(
                     m_sourceId, m_targetId, QString::number(index), fragment.error().code,
                     QString::number(fragment.error().position)));
            continue;
        }
        if (!fragment.value().isObject()) {
            warn(&TranslationReport::nonObject, index,
                 u"%1 -> %2: skipping mapping %3: its result is not an object"_s.arg(m_sourceId, m_targetId,
                                                                                  QString::number(index)));
            continue;
        }
        QJsonObject tentative = result;
        deepMerge(tentative, fragment.value().toQJsonValue().toObject());
        if (auto violation = c.target.check(tentative)) {
            warn(&TranslationReport::discarded, index,
                 u"%1 -> %2: discarding mapping %3: the merged result violates the target schema at \"%4\": %5"_s
                     .arg(m_sourceId, m_targetId, QString::number(index), violation->pointer, violation->message));
            continue;
        }
        result = std::move(tentative);
    }

    if (auto violation = c.target.check(result))
        return Error { u"transform.invalid_result"_s,
                       u"the translated record does not conform to the schema of target data model %1 at \"%2\": %3"_s
                           .arg(m_targetId, violation->pointer, violation->message) };
    return result;
}

} // namespace lifdag::transform
