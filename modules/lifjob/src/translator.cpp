#include "translator_p.h"

#include <lifdag/adapters/httpclient.h>
#include <lifdag/transform/transformer.h>

#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace lifdag::lifjob::detail {

namespace {

class RemoteTranslator final : public PartTranslator
{
public:
    RemoteTranslator(QString baseUrl, QString token)
        : m_baseUrl(std::move(baseUrl))
        , m_token(std::move(token))
    { }

    Result<QJsonValue> translate(const QString &sourceId, const QString &targetId, const QJsonValue &data,
                                 const adapters::AdapterContext &context) override
    {
        namespace http = adapters::http;
        http::Request request;
        request.method = "POST";
        request.url = QUrl(m_baseUrl + u"/translate/source/"_s + sourceId + u"/target/"_s + targetId);
        if (!request.url.isValid())
            return Error { u"lifjob.translator"_s,
                           u"LIF_TRANSLATOR_BASE_URL does not make a valid URL: "_s
                               + http::displayUrl(request.url) };
        request.headers = { { "Content-Type", "application/json" }, { "User-Agent", "LIF-Orchestrator" } };
        if (!m_token.isEmpty())
            request.headers.append({ "Authorization", "Bearer " + m_token.toUtf8() });
        request.body = data.isArray() ? QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact)
                                      : QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact);
        if (!data.isArray() && !data.isObject())
            return Error { u"lifjob.translator"_s, u"the source data is not a JSON object or list"_s };
        request.timeout = context.timeout;
        const http::Response response = http::send(request, context.isCanceled);
        context.info(http::describeExchange(request, response));
        if (!response.isSuccess())
            return http::failure(request, response);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(response.body, &error);
        if (error.error != QJsonParseError::NoError)
            return Error { u"lifjob.translator"_s,
                           u"the translator at "_s + http::displayUrl(request.url)
                               + u" answered with text that is not JSON"_s };
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    }

    QString describe() const override
    {
        return u"translator service "_s + adapters::http::displayUrl(QUrl(m_baseUrl));
    }

private:
    QString m_baseUrl;
    QString m_token;
};

class InProcessTranslator final : public PartTranslator
{
public:
    explicit InProcessTranslator(std::shared_ptr<transform::MappingSource> source)
        : m_transformer(source)
    { }

    Result<QJsonValue> translate(const QString &sourceId, const QString &targetId, const QJsonValue &data,
                                 const adapters::AdapterContext &context) override
    {
        if (!data.isObject())
            return Error { u"lifjob.translator"_s,
                           u"the source data is not a JSON object, so it cannot be translated"_s };
        transform::TranslationReport report;
        auto translated = m_transformer.translate(sourceId, targetId, data.toObject(), &report);
        for (const QString &warning : std::as_const(report.warnings))
            context.warning(warning);
        if (!translated)
            return translated.error();
        return QJsonValue(*translated);
    }

    QString describe() const override
    {
        return u"in-process Transformer ("_s + m_transformer.source().describe() + u')';
    }

private:
    mutable transform::Transformer m_transformer;
};

} // namespace

Result<std::unique_ptr<PartTranslator>> makeTranslator(const Settings &settings,
                                                       std::shared_ptr<transform::MappingSource> source)
{
    if (!settings.translatorBaseUrl.isEmpty())
        return std::unique_ptr<PartTranslator>(
            std::make_unique<RemoteTranslator>(settings.translatorBaseUrl, settings.translatorToken));
    if (!source) {
        if (!settings.mappingsDirectory.isEmpty() && !settings.mdr.baseUrl.isEmpty())
            return Error {
                u"lifjob.translator"_s,
                u"LIF_TRANSLATOR_MAPPINGS_DIR and LIF_MDR_API_URL are both set: keep one mapping source"_s
            };
        if (!settings.mappingsDirectory.isEmpty())
            source = std::make_shared<transform::DirectoryMappingSource>(settings.mappingsDirectory);
        else if (!settings.mdr.baseUrl.isEmpty())
            source = std::make_shared<transform::MdrMappingSource>(settings.mdr);
    }
    if (!source)
        return Error {
            u"lifjob.translator"_s,
            u"no translation configured: set LIF_TRANSLATOR_MAPPINGS_DIR or LIF_MDR_API_URL (in-process "
            "Transformer) or LIF_TRANSLATOR_BASE_URL (translator service)"_s
        };
    return std::unique_ptr<PartTranslator>(std::make_unique<InProcessTranslator>(std::move(source)));
}

} // namespace lifdag::lifjob::detail
