// Where mappings and schemas come from: a directory of MDR exports, or the MDR API.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/transform/translation.h>

#include <QString>
#include <QUrl>

namespace lifdag::transform {

// Error codes a source reports: "transform.not_found" (no such model or no mappings for the
// pair), "transform.unavailable" (the MDR cannot be reached or answers 5xx), "transform.source"
// (anything else: malformed files or answers).
class MappingSource
{
public:
    virtual ~MappingSource() = default;
    // Blocking; called from any thread (implementations are thread-safe).
    virtual Result<TranslationSpec> load(const QString &sourceId, const QString &targetId) = 0;
    // For log lines: "directory /x", "MDR http://…".
    virtual QString describe() const = 0;
};

// A directory laid out as modules/transform/README.md describes: MDR transformation-group
// exports (*.json) and schemas/<ID>.json. Read on every load (the Transformer caches).
class DirectoryMappingSource final : public MappingSource
{
public:
    explicit DirectoryMappingSource(QString directory);
    Result<TranslationSpec> load(const QString &sourceId, const QString &targetId) override;
    QString describe() const override;

private:
    QString m_directory;
};

struct MdrOptions
{
    QUrl baseUrl; // LIF_MDR_API_URL
    QString apiKey; // LIF_MDR_API_AUTH_TOKEN, sent as X-API-Key
    QString tenantSchema; // optional X-API-Tenant-Schema
    int timeoutMs = 30000;

    // From LIF_MDR_API_URL, LIF_MDR_API_AUTH_TOKEN and LIF_MDR_API_TENANT_SCHEMA.
    static MdrOptions fromEnvironment();
};

// The MDR API client: GET /transformation_groups/transformations_for_data_models/ and
// GET /datamodels/open_api_schema/{id}, as LIF's mdr_client does.
class MdrMappingSource final : public MappingSource
{
public:
    explicit MdrMappingSource(MdrOptions options);
    Result<TranslationSpec> load(const QString &sourceId, const QString &targetId) override;
    QString describe() const override;

    Result<QStringList> fetchMappings(const QString &sourceId, const QString &targetId) const;
    Result<QJsonObject> fetchSchema(const QString &modelId) const;

private:
    MdrOptions m_options;
};

} // namespace lifdag::transform
