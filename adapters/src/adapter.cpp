#include <lifdag/adapters/adapter.h>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

Adapter::~Adapter() = default;

QString adapterTypeName(AdapterType type)
{
    switch (type) {
    case AdapterType::LifToLif:
        return u"LIF_TO_LIF"_s;
    case AdapterType::Standalone:
        return u"STANDALONE"_s;
    case AdapterType::PipelineIntegrated:
        return u"PIPELINE_INTEGRATED"_s;
    case AdapterType::AiWrite:
        return u"AI_WRITE"_s;
    }
    return {};
}

std::optional<AdapterType> adapterTypeFromName(QStringView name)
{
    for (AdapterType t : { AdapterType::LifToLif, AdapterType::Standalone, AdapterType::PipelineIntegrated,
                           AdapterType::AiWrite }) {
        if (name == adapterTypeName(t))
            return t;
    }
    return std::nullopt;
}

AdapterOutput AdapterOutput::partResult(PartResult result)
{
    AdapterOutput out;
    out.m_kind = Kind::PartResult;
    out.m_result = std::move(result);
    return out;
}

AdapterOutput AdapterOutput::sourceData(QJsonValue data)
{
    AdapterOutput out;
    out.m_kind = Kind::SourceData;
    out.m_data = std::move(data);
    return out;
}

QJsonValue AdapterOutput::toJson() const
{
    return m_kind == Kind::PartResult ? QJsonValue(m_result.toJson()) : m_data;
}

} // namespace lifdag::adapters
