#include <lifdag/adapters/credentials.h>
#include <lifdag/adapters/httpclient.h>
#include <lifdag/adapters/lifadapters.h>

#include "graphqlselection_p.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QUrl>

#include <mutex>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

namespace {

bool isAsciiAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
}

struct Endpoint
{
    QString scheme;
    QString host;
    QString token;
};

// host (required), scheme (default https), token - the credentials both LIF adapters read.
Result<Endpoint> endpointFrom(const QString &adapterId, const QueryPlanPart &part,
                              const Credentials &credentials)
{
    Endpoint e;
    e.host = credentials.value(u"host"_s);
    e.scheme = credentials.value(u"scheme"_s);
    if (e.scheme.isEmpty())
        e.scheme = u"https"_s;
    e.token = credentials.value(u"token"_s);
    if (e.host.isEmpty())
        return Error { u"adapters.credentials"_s,
                       u"adapter '"_s + adapterId + u"' has no host for source '"_s + part.informationSourceId
                           + u"': set "_s
                           + credentialVariableName(adapterId, part.informationSourceId, u"host"_s) };
    return e;
}

Result<QUrl> buildUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return Error { u"adapters.url"_s, u"not a valid URL: "_s + http::displayUrl(QUrl(text)) };
    return url;
}

Result<QJsonValue> parseJson(const http::Request &request, const http::Response &response)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &error);
    if (error.error == QJsonParseError::NoError)
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    // A top-level scalar ("text", 3, null) is JSON too; QJsonDocument only holds containers.
    QJsonParseError wrappedError;
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + response.body + "]", &wrappedError);
    if (wrappedError.error == QJsonParseError::NoError && wrapped.array().size() == 1)
        return wrapped.array().first();
    return Error { u"adapters.answer"_s,
                   QString::fromLatin1(request.method) + u' ' + http::displayUrl(request.url)
                       + u" answered with text that is not JSON ("_s + error.errorString() + u" at offset "_s
                       + QString::number(error.offset) + u')' };
}

QString compact(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isString())
        return v.toString();
    if (v.isNull())
        return u"null"_s;
    return v.toVariant().toString();
}

} // namespace

QString identifierTypeToken(const QString &identifierType)
{
    // re.sub(r"[^A-Za-z0-9]+", "_", raw).upper(), then re.sub(r"__+", "_", …).strip("_")
    QString out;
    out.reserve(identifierType.size());
    bool inRun = false;
    for (const QChar c : identifierType) {
        if (isAsciiAlnum(c)) {
            out += c.toUpper();
            inRun = false;
        } else if (!inRun) {
            out += u'_';
            inRun = true;
        }
    }
    qsizetype start = 0;
    qsizetype end = out.size();
    while (start < end && out[start] == u'_')
        ++start;
    while (end > start && out[end - 1] == u'_')
        --end;
    return out.mid(start, end - start);
}

Result<bool> pythonContains(const QJsonValue &value, const QString &needle)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return value.toObject().contains(needle);
    case QJsonValue::Array:
        return value.toArray().contains(QJsonValue(needle));
    case QJsonValue::String:
        return value.toString().contains(needle);
    default:
        break;
    }
    return Error { u"adapters.answer"_s, u"the answer is neither an object, a list nor a string"_s };
}

// --- lif-to-lif --------------------------------------------------------------------------------

QStringList LifToLifAdapter::credentialKeys() const
{
    return { u"host"_s, u"scheme"_s, u"token"_s };
}

QString LifToLifAdapter::description() const
{
    return u"Reads one person from a LIF GraphQL source (operation GetPersonByIdentifier)."_s;
}

QString LifToLifAdapter::queryText()
{
    static const QString text = [] {
        QFile f(u":/lifdag/adapters/lif_person_query.graphql"_s);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }();
    return text;
}

namespace {

// Queries cut down to what a source offers, per endpoint (scheme://host), for this process.
struct PrunedQueries
{
    std::mutex mutex;
    QHash<QString, QString> byEndpoint;
};

PrunedQueries &prunedQueries()
{
    static PrunedQueries cache;
    return cache;
}

} // namespace

Result<AdapterOutput> LifToLifAdapter::run(const QueryPlanPart &part, const Credentials &credentials,
                                           const AdapterContext &context) const
{
    const auto endpoint = endpointFrom(id(), part, credentials);
    if (!endpoint)
        return endpoint.error();
    const auto url = buildUrl(endpoint->scheme + u"://"_s + endpoint->host + u"/graphql"_s);
    if (!url)
        return url.error();
    const QString fullQuery = queryText();
    if (fullQuery.isEmpty())
        return Error { u"adapters.internal"_s, u"the GraphQL query resource is missing from this build"_s };
    const QString endpointKey = endpoint->scheme + u"://"_s + endpoint->host;
    QString query = fullQuery;
    {
        std::lock_guard lock(prunedQueries().mutex);
        query = prunedQueries().byEndpoint.value(endpointKey, fullQuery);
    }

    auto post = [&](const QString &operation, const QString &text,
                    const QJsonValue &variables) -> Result<QJsonValue> {
        QJsonObject payload { { u"operationName"_s, operation }, { u"query"_s, text } };
        if (!variables.isUndefined())
            payload.insert(u"variables"_s, variables);
        http::Request request;
        request.method = "POST";
        request.url = *url;
        request.headers = { { "Content-Type", "application/json" },
                            { "Authorization", "Bearer " + endpoint->token.toUtf8() },
                            { "User-Agent", "LIF-Adapter-" + id().toUtf8() } };
        request.body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
        request.timeout = context.timeout;
        const http::Response response = http::send(request, context.isCanceled);
        context.debug(http::describeExchange(request, response));
        if (!response.isSuccess())
            return http::failure(request, response);
        return parseJson(request, response);
    };
    const QJsonObject variables { { u"identifier"_s, part.personId.identifier },
                                  { u"identifierType"_s,
                                    identifierTypeToken(part.personId.identifierType) } };

    auto answer = post(u"GetPersonByIdentifier"_s, query, variables);
    if (!answer)
        return answer.error();
    auto hasErrors = pythonContains(*answer, u"errors"_s);
    if (hasErrors && *hasErrors && query == fullQuery && answer->isObject()
        && detail::isFieldValidationFailure(answer->toObject().value(u"errors"_s))) {
        // The source's schema lacks some of LIF's fields: ask it which it has, then only for those.
        const auto schema =
            post(u"LifdagIntrospection"_s, detail::introspectionQuery(), QJsonValue::Undefined);
        const QJsonValue schemaData = schema ? schema->toObject().value(u"data"_s) : QJsonValue();
        QStringList dropped;
        const auto pruned = schemaData.isObject()
            ? detail::pruneQuery(fullQuery, schemaData.toObject(), &dropped)
            : Result<QString>(Error { u"adapters.introspection"_s, u"no introspection data"_s });
        if (pruned) {
            context.warning(u"GraphQL source "_s + http::displayUrl(*url) + u" does not offer "_s
                            + QString::number(dropped.size()) + u" of the selected fields ("_s
                            + dropped.mid(0, 8).join(u", "_s) + (dropped.size() > 8 ? u", …"_s : QString())
                            + u"); asking for the fields it has"_s);
            {
                std::lock_guard lock(prunedQueries().mutex);
                prunedQueries().byEndpoint.insert(endpointKey, *pruned);
            }
            answer = post(u"GetPersonByIdentifier"_s, *pruned, variables);
            if (!answer)
                return answer.error();
            hasErrors = pythonContains(*answer, u"errors"_s);
        } else {
            context.debug(u"Could not narrow the query to the source's schema: "_s + pruned.error().message);
        }
    }
    if (!hasErrors)
        return Error { hasErrors.error().code,
                       u"GraphQL answer from "_s + http::displayUrl(*url) + u": "_s
                           + hasErrors.error().message };
    if (*hasErrors) {
        const QJsonValue errors = answer->isObject() ? answer->toObject().value(u"errors"_s) : *answer;
        return Error { u"adapters.graphql"_s, u"GraphQL errors: "_s + compact(errors) };
    }
    if (!answer->isObject())
        return Error { u"adapters.answer"_s,
                       u"GraphQL answer from "_s + http::displayUrl(*url) + u" is not a JSON object"_s };
    QJsonValue data = answer->toObject().value(u"data"_s);
    if (data.isUndefined())
        data = QJsonObject();
    if (!data.isObject())
        return Error { u"adapters.answer"_s,
                       u"GraphQL answer from "_s + http::displayUrl(*url) + u" has no data object (data is "_s
                           + (data.isNull() ? u"null"_s : u"not an object"_s) + u')' };

    PartResult result;
    result.informationSourceId = part.informationSourceId;
    result.adapterId = part.adapterId;
    result.dataTimestamp = pythonUtcNowIsoformat();
    result.personId = part.personId;
    result.fragments = { Fragment { QString(kPersonAllPath), QJsonArray { data } } };
    return AdapterOutput::partResult(std::move(result));
}

// --- example-data-source-rest-api-to-lif -------------------------------------------------------

QStringList ExampleDataSourceRestAdapter::credentialKeys() const
{
    return { u"host"_s, u"scheme"_s, u"token"_s };
}

QString ExampleDataSourceRestAdapter::description() const
{
    return u"Reads one user from the Example Data Source REST API (/r1-demo/users/{id}) for translation."_s;
}

Result<AdapterOutput> ExampleDataSourceRestAdapter::run(const QueryPlanPart &part,
                                                        const Credentials &credentials,
                                                        const AdapterContext &context) const
{
    const auto endpoint = endpointFrom(id(), part, credentials);
    if (!endpoint)
        return endpoint.error();
    const QString identifier = QString::fromLatin1(QUrl::toPercentEncoding(part.personId.identifier, "/"));
    const auto url =
        buildUrl(endpoint->scheme + u"://"_s + endpoint->host + u"/r1-demo/users/"_s + identifier);
    if (!url)
        return url.error();

    http::Request request;
    request.url = *url;
    request.headers = { { "x-key", endpoint->token.toUtf8() } };
    request.timeout = context.timeout;
    const http::Response response = http::send(request, context.isCanceled);
    context.debug(http::describeExchange(request, response));
    if (!response.isSuccess())
        return http::failure(request, response);
    const auto answer = parseJson(request, response);
    if (!answer)
        return answer.error();
    const auto hasErrors = pythonContains(*answer, u"errors"_s);
    if (!hasErrors)
        return Error { hasErrors.error().code,
                       u"Example Data Source answer from "_s + http::displayUrl(*url) + u": "_s
                           + hasErrors.error().message };
    if (*hasErrors) {
        const QJsonValue errors = answer->isObject() ? answer->toObject().value(u"errors"_s) : *answer;
        return Error { u"adapters.source_errors"_s,
                       u"Example Data Source REST API errors: "_s + compact(errors) };
    }
    return AdapterOutput::sourceData(*answer);
}

} // namespace lifdag::adapters
