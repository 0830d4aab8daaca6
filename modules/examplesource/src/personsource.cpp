#include "examplesource_log_p.h"
#include "jsontext_p.h"
#include "personsource_p.h"

#include <lifdag/graphql/graphql.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace lifdag::examplesource {

namespace {
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QByteArray errorsBody(const QString &message)
{
    return json::object(
        { { "errors"_L1, json::array({ json::object({ { "message"_L1, json::text(message) } }) }) } });
}

HttpResponse graphqlError(int status, const QString &message, HeaderList extraHeaders = {})
{
    return HttpResponse::json(status, errorsBody(message), std::move(extraHeaders));
}

// GraphQL over HTTP: a client that accepts application/graphql-response+json gets that type
// and 4xx for requests that never executed; others get application/json and 200 throughout.
bool wantsGraphqlResponseJson(const HttpRequest &request)
{
    return request.header("accept").toLower().contains("application/graphql-response+json");
}
} // namespace

QString normalizedIdentifierType(const QString &text)
{
    QString out;
    out.reserve(text.size());
    bool pendingSeparator = false;
    for (const QChar c : text) {
        const bool wordChar =
            (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
        if (!wordChar) { // '_' included: a run of separators becomes one '_'
            pendingSeparator = true;
            continue;
        }
        if (pendingSeparator && !out.isEmpty())
            out.append(u'_');
        pendingSeparator = false;
        out.append(c.toUpper());
    }
    return out;
}

bool personMatches(const QJsonObject &person, const QJsonValue &identifierFilter)
{
    if (!identifierFilter.isObject())
        return true;
    const QJsonObject filter = identifierFilter.toObject();
    const QJsonValue wantedId = filter.value(u"identifier"_s);
    const QJsonValue wantedType = filter.value(u"identifierType"_s);
    const bool byId = wantedId.isString();
    const bool byType = wantedType.isString();
    if (!byId && !byType)
        return true;
    const QString type = byType ? normalizedIdentifierType(wantedType.toString()) : QString();
    for (const QJsonValue &entry : person.value(u"Identifier"_s).toArray()) {
        const QJsonObject identifier = entry.toObject();
        if (byId && identifier.value(u"identifier"_s).toString() != wantedId.toString())
            continue;
        if (byType && normalizedIdentifierType(identifier.value(u"identifierType"_s).toString()) != type)
            continue;
        return true;
    }
    return false;
}

Result<Service::Handler> makePersonSource(std::shared_ptr<const DemoData> data, QByteArray key)
{
    graphql::SchemaBuilder builder;
    if (const Status added = builder.addSdl(data->personSchema); !added)
        return Error { u"examplesource.schema"_s, u"person schema: %1"_s.arg(added.error().message) };
    builder.resolve(u"Query"_s, u"person"_s,
                    [data](const graphql::Value &, const QJsonObject &args,
                           const graphql::Context &) -> graphql::FieldResult {
                        const QJsonValue filter = args.value(u"filter"_s).toObject().value(u"Identifier"_s);
                        QJsonArray matched;
                        for (const QJsonValue &person : data->persons) {
                            if (personMatches(person.toObject(), filter))
                                matched.append(person);
                        }
                        return graphql::Value(matched);
                    });
    auto schema = builder.build();
    if (!schema)
        return Error { u"examplesource.schema"_s, u"person schema: %1"_s.arg(schema.error().message) };
    auto engine = std::make_shared<graphql::Engine>(*schema);

    return Service::Handler([engine, key](const HttpRequest &request) -> HttpResponse {
        const QByteArray authorization = request.header("authorization");
        const HeaderList challenge { { "www-authenticate", "Bearer" } };
        if (authorization.isEmpty())
            return graphqlError(401, u"Missing credentials: send the header Authorization: Bearer <key>"_s,
                                challenge);
        const qsizetype space = authorization.indexOf(' ');
        const QByteArray scheme = authorization.left(space);
        const QByteArray token = space < 0 ? QByteArray() : authorization.mid(space + 1).trimmed();
        if (scheme.toLower() != "bearer" || token.isEmpty())
            return graphqlError(
                401, u"Unsupported credentials: send the header Authorization: Bearer <key>"_s, challenge);
        if (!constantTimeEquals(token, key)) {
            qCInfo(lcExampleSource) << "POST /graphql refused: wrong bearer token";
            return graphqlError(401, u"Invalid bearer token"_s,
                                { { "www-authenticate", R"(Bearer error="invalid_token")" } });
        }

        const bool graphqlResponse = wantsGraphqlResponseJson(request);
        const QByteArray mediaType =
            graphqlResponse ? "application/graphql-response+json" : "application/json";
        auto answer = [&mediaType](int status, QByteArray body) {
            HttpResponse response;
            response.status = status;
            response.headers.emplaceBack("content-type", mediaType);
            response.body = std::move(body);
            return response;
        };
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return answer(
                400,
                errorsBody(u"The request body is not JSON: %1 at byte %2"_s.arg(parseError.errorString())
                               .arg(parseError.offset)));
        const QJsonObject body = doc.object();
        if (!doc.isObject() || !body.value(u"query"_s).isString())
            return answer(400,
                          errorsBody(u"The request body must be a JSON object with a \"query\" string"_s));
        const QJsonValue variables = body.value(u"variables"_s);
        if (!variables.isUndefined() && !variables.isNull() && !variables.isObject())
            return answer(400, errorsBody(u"\"variables\" must be a JSON object"_s));
        const QJsonValue operationName = body.value(u"operationName"_s);
        if (!operationName.isUndefined() && !operationName.isNull() && !operationName.isString())
            return answer(400, errorsBody(u"\"operationName\" must be a string"_s));

        graphql::Request graphqlRequest;
        graphqlRequest.query = body.value(u"query"_s).toString();
        graphqlRequest.variables = variables.toObject();
        graphqlRequest.operationName = operationName.toString();
        const graphql::ExecutionResult result = engine->run(graphqlRequest);
        return answer(graphqlResponse && result.requestError ? 400 : 200, result.toJsonBytes());
    });
}

} // namespace lifdag::examplesource
