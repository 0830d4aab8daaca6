// How run_translation translates: in process (lifdag::transform::Transformer) or through a remote
// LIF translator service (LIF_TRANSLATOR_BASE_URL).
#pragma once

#include <lifdag/adapters/adapter.h>
#include <lifdag/core/result.h>
#include <lifdag/lifjob/lifjob.h>

#include <QJsonValue>

#include <memory>

namespace lifdag::lifjob::detail {

class PartTranslator
{
public:
    virtual ~PartTranslator() = default;
    // Thread-safe; blocking.
    virtual Result<QJsonValue> translate(const QString &sourceId, const QString &targetId,
                                         const QJsonValue &data, const adapters::AdapterContext &context) = 0;
    virtual QString describe() const = 0; // for log lines: "translator service http://…", "mappings in …"
};

// The translator the settings name: LIF_TRANSLATOR_BASE_URL → remote; else the mapping source given,
// LIF_TRANSLATOR_MAPPINGS_DIR or LIF_MDR_API_URL → in process. An error when none is configured.
Result<std::unique_ptr<PartTranslator>> makeTranslator(const Settings &settings,
                                                       std::shared_ptr<transform::MappingSource> source);

} // namespace lifdag::lifjob::detail
