// One source→target translation, compiled: LIF's BaseTranslator with schemas and mappings fixed.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/transform/schemavalidator.h>

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <memory>

namespace lifdag::transform {

// What a mapping source delivers for one (source, target) pair.
struct TranslationSpec
{
    QString sourceId;
    QString targetId;
    QJsonObject sourceSchema;
    QJsonObject targetSchema;
    QStringList mappings; // JSONata expressions, applied in this order
};

// What happened to the mappings of one record (for callers and tests; also logged as warnings).
struct TranslationReport
{
    QList<int> failed; // evaluation (or compile) error: skipped
    QList<int> nonObject; // result not an object: skipped
    QList<int> discarded; // merged result violated the target schema: rolled back
    QStringList warnings; // one line per skipped/discarded mapping, naming its index, never data
};

class Translation
{
public:
    // Compiles both schemas and every mapping once. A schema that does not compile is an error;
    // a mapping that does not compile is kept and skipped at every run (as LIF's translator does).
    static Result<Translation> compile(const TranslationSpec &spec);

    Translation() = default;
    const QString &sourceId() const { return m_sourceId; }
    const QString &targetId() const { return m_targetId; }
    qsizetype mappingCount() const;

    // 1. validates `input` against the source schema ("does not conform", naming the pointer);
    // 2.-3. evaluates each mapping, tentatively deep-merges object results and keeps each merge only
    //       while the result conforms to the target schema;
    // 4. validates the final result. Thread-safe (const, shared immutable state).
    Result<QJsonObject> run(const QJsonObject &input, TranslationReport *report = nullptr) const;

private:
    struct Compiled;
    std::shared_ptr<const Compiled> m_compiled;
    QString m_sourceId;
    QString m_targetId;
};

} // namespace lifdag::transform
