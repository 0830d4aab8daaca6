#include "httpget_p.h"
#include "transform_log_p.h"

#include <lifdag/transform/mappingsource.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

MdrOptions MdrOptions::fromEnvironment()
{
    MdrOptions options;
    options.baseUrl = QUrl(qEnvironmentVariable("LIF_MDR_API_URL"));
    options.apiKey = qEnvironmentVariable("LIF_MDR_API_AUTH_TOKEN");
    options.tenantSchema = qEnvironmentVariable("LIF_MDR_API_TENANT_SCHEMA");
    return options;
}

MdrMappingSource::MdrMappingSource(MdrOptions options)
    : m_options(std::move(options))
{ }

QString MdrMappingSource::describe() const
{
    return u"MDR "_s + m_options.baseUrl.toString(QUrl::RemoveUserInfo);
}

namespace {
Result<QJsonObject> getJson(const MdrOptions &options, const QString &path, const QUrlQuery &query)
{
    QUrl url = options.baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + path);
    url.setQuery(query);
    QList<QPair<QByteArray, QByteArray>> headers { { "Accept", "application/json" } };
    if (!options.apiKey.isEmpty())
        headers.append({ "X-API-Key", options.apiKey.toUtf8() });
    if (!options.tenantSchema.isEmpty())
        headers.append({ "X-API-Tenant-Schema", options.tenantSchema.toUtf8() });

    const QString where = u"GET "_s + url.toString(QUrl::RemoveUserInfo);
    const detail::HttpReply reply = detail::httpGet(url, headers, options.timeoutMs);
    if (reply.status == 0)
        return Error { u"transform.unavailable"_s, u"MDR unreachable (%1): %2"_s.arg(where, reply.networkError) };
    if (reply.status == 404)
        return Error { u"transform.not_found"_s, u"MDR answered 404 Not Found to %1"_s.arg(where) };
    if (reply.status >= 500)
        return Error { u"transform.unavailable"_s,
                       u"MDR answered %1 to %2"_s.arg(QString::number(reply.status), where) };
    if (reply.status < 200 || reply.status >= 300)
        return Error { u"transform.source"_s, u"MDR answered %1 to %2: %3"_s.arg(
                                                  QString::number(reply.status), where,
                                                  QString::fromUtf8(reply.body.left(200))) };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(reply.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error { u"transform.source"_s,
                       u"MDR answer to %1 is not a JSON object (%2)"_s.arg(where, parseError.errorString()) };
    return doc.object();
}
} // namespace

Result<QStringList> MdrMappingSource::fetchMappings(const QString &sourceId, const QString &targetId) const
{
    QUrlQuery query;
    query.addQueryItem(u"source_data_model_id"_s, sourceId);
    query.addQueryItem(u"target_data_model_id"_s, targetId);
    query.addQueryItem(u"size"_s, u"1000"_s);
    auto answer = getJson(m_options, u"/transformation_groups/transformations_for_data_models/"_s, query);
    if (!answer)
        return answer.error();
    const QJsonValue data = answer->value(u"data"_s);
    if (!data.isArray())
        return Error { u"transform.source"_s,
                       u"MDR transformations for %1 -> %2: expected a \"data\" array"_s.arg(sourceId, targetId) };
    QStringList mappings;
    for (const QJsonValue &item : data.toArray()) {
        const QString expression = item.toObject().value(u"TransformationExpression"_s).toString();
        if (!expression.isEmpty())
            mappings.append(expression);
    }
    const int total = answer->value(u"total"_s).toInt(int(data.toArray().size()));
    if (total > data.toArray().size())
        qCWarning(lcTransform, "MDR has %d transformations for %s -> %s; only the first %lld are used", total,
                  qPrintable(sourceId), qPrintable(targetId), qlonglong(data.toArray().size()));
    return mappings;
}

Result<QJsonObject> MdrMappingSource::fetchSchema(const QString &modelId) const
{
    QUrlQuery query;
    query.addQueryItem(u"include_attr_md"_s, u"true"_s);
    query.addQueryItem(u"include_entity_md"_s, u"false"_s);
    return getJson(m_options, u"/datamodels/open_api_schema/"_s + QString::fromUtf8(QUrl::toPercentEncoding(modelId)),
                   query);
}

Result<TranslationSpec> MdrMappingSource::load(const QString &sourceId, const QString &targetId)
{
    if (!m_options.baseUrl.isValid() || m_options.baseUrl.isEmpty())
        return Error { u"transform.source"_s, u"no MDR URL (set LIF_MDR_API_URL or pass --mdr)"_s };
    auto source = fetchSchema(sourceId);
    if (!source)
        return source.error();
    auto target = fetchSchema(targetId);
    if (!target)
        return target.error();
    auto mappings = fetchMappings(sourceId, targetId);
    if (!mappings)
        return mappings.error();
    return TranslationSpec { sourceId, targetId, std::move(source.value()), std::move(target.value()),
                             std::move(mappings.value()) };
}

} // namespace lifdag::transform
