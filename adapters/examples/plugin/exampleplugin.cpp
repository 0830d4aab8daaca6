// An example adapter plugin: what a plugin can do that a declarative adapter cannot - here, two
// dependent requests. It looks the person up (GET /people?identifier=…&identifierType=…, answering
// {"matches": [{"id": "…"}]}), then reads their LIF record (GET /people/{id}/lif, answering a LIF
// person document such as {"person": [{…}]}), and returns it as fragment person.all like lif-to-lif.
// Credentials: ADAPTERS__EXAMPLE_TWO_STEP_LOOKUP_TO_LIF__<SOURCE>__CREDENTIALS__HOST / SCHEME / TOKEN.
#include <lifdag/adapters/httpclient.h>
#include <lifdag/adapters/lifadapters.h>
#include <lifdag/adapters/plugin.h>

#include <QJsonDocument>
#include <QObject>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::adapters;

namespace {

class TwoStepLookupAdapter final : public Adapter
{
public:
    QString id() const override { return u"example-two-step-lookup-to-lif"_s; }
    AdapterType type() const override { return AdapterType::LifToLif; }
    QStringList credentialKeys() const override { return { u"host"_s, u"scheme"_s, u"token"_s }; }
    QString description() const override
    {
        return u"Looks a person up by identifier, then reads their LIF record (example plugin)."_s;
    }

    Result<AdapterOutput> run(const QueryPlanPart &part, const Credentials &credentials,
                              const AdapterContext &context) const override
    {
        const QString host = credentials.value(u"host"_s);
        if (host.isEmpty())
            return Error { u"example.credentials"_s,
                           u"no host configured for source "_s + part.informationSourceId };
        const QString scheme = credentials.value(u"scheme"_s, u"https"_s);
        const QByteArray auth = "Bearer " + credentials.value(u"token"_s).toUtf8();

        QUrl lookup(scheme + u"://"_s + host + u"/people"_s);
        QUrlQuery query;
        query.addQueryItem(u"identifier"_s, part.personId.identifier);
        query.addQueryItem(u"identifierType"_s, identifierTypeToken(part.personId.identifierType));
        lookup.setQuery(query);
        auto matches = getJson(lookup, auth, context);
        if (!matches)
            return matches.error();
        const QJsonArray found = matches->value(u"matches"_s).toArray();
        if (found.isEmpty())
            return Error { u"example.not_found"_s,
                           u"source "_s + part.informationSourceId
                               + u" knows no person with that identifier"_s };
        const QString personId = found.first().toObject().value(u"id"_s).toString();

        QUrl recordUrl(scheme + u"://"_s + host);
        recordUrl.setPath(u"/people/"_s + personId + u"/lif"_s);
        auto record = getJson(recordUrl, auth, context);
        if (!record)
            return record.error();

        PartResult result;
        result.informationSourceId = part.informationSourceId;
        result.adapterId = part.adapterId;
        result.dataTimestamp = pythonUtcNowIsoformat();
        result.personId = part.personId;
        result.fragments = { Fragment { QString(kPersonAllPath), QJsonArray { *record } } };
        return AdapterOutput::partResult(std::move(result));
    }

private:
    static Result<QJsonObject> getJson(const QUrl &url, const QByteArray &auth, const AdapterContext &context)
    {
        http::Request request;
        request.url = url;
        request.headers = { { "Authorization", auth }, { "Accept", "application/json" } };
        request.timeout = context.timeout;
        const http::Response response = http::send(request, context.isCanceled);
        context.debug(http::describeExchange(request, response));
        if (!response.isSuccess())
            return http::failure(request, response);
        const QJsonDocument doc = QJsonDocument::fromJson(response.body);
        if (!doc.isObject())
            return Error { u"example.answer"_s,
                           http::displayUrl(url) + u" did not answer with a JSON object"_s };
        return doc.object();
    }
};

} // namespace

class ExampleAdapterPlugin : public QObject, public AdapterPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID LifdagAdapterPlugin_iid FILE "exampleplugin.json")
    Q_INTERFACES(lifdag::adapters::AdapterPlugin)

public:
    QList<AdapterPtr> adapters() const override { return { std::make_shared<TwoStepLookupAdapter>() }; }
};

#include "exampleplugin.moc"
