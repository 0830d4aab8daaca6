// LIF's two built-in adapters against local HTTP servers: requests as LIF sends them, results as
// LIF builds them, failures that name status and URL but never a credential; the HTTP client's
// keep-alive and timeouts.
#include "stubhttpserver.h"

#include <lifdag/adapters/httpclient.h>
#include <lifdag/adapters/lifadapters.h>
#include <lifdag/adapters/registry.h>

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::adapters;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {

QueryPlanPart part(const QString &adapter, const QString &source, const QString &identifier = u"100001"_s)
{
    QueryPlanPart p;
    p.adapterId = adapter;
    p.informationSourceId = source;
    p.personId = { identifier, u"School-assigned number"_s };
    p.lifFragmentPaths = { u"person.employmentPreferences"_s };
    return p;
}

Credentials credentialsFor(const StubHttpServer &server, const QString &token = u"tok-12345"_s)
{
    return { { u"host"_s, server.hostAndPort() }, { u"scheme"_s, u"http"_s }, { u"token"_s, token } };
}

QJsonObject bodyOf(const StubRequest &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

const QRegularExpression kIsoUtc(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00$"_s);

} // namespace

class TestLifAdapters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identifierTypeTokenIsUpperSnakeCase_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("token");
        QTest::newRow("LIF's example") << u"School-assigned number"_s << u"SCHOOL_ASSIGNED_NUMBER"_s;
        QTest::newRow("already a token") << u"SCHOOL_ASSIGNED_NUMBER"_s << u"SCHOOL_ASSIGNED_NUMBER"_s;
        QTest::newRow("runs collapse") << u"State -- issued   ID"_s << u"STATE_ISSUED_ID"_s;
        QTest::newRow("edges stripped") << u"  (SSN)  "_s << u"SSN"_s;
        QTest::newRow("underscores are separators too") << u"a__b _c"_s << u"A_B_C"_s;
        QTest::newRow("digits kept") << u"ISO 3166-1"_s << u"ISO_3166_1"_s;
        QTest::newRow("non-ASCII letters are separators") << u"Matrícula nº"_s << u"MATR_CULA_N"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("only separators") << u"-- "_s << QString();
    }
    void identifierTypeTokenIsUpperSnakeCase()
    {
        QFETCH(QString, text);
        QFETCH(QString, token);
        QCOMPARE(identifierTypeToken(text), token);
    }

    void builtinsAreRegistered()
    {
        AdapterRegistry registry;
        registry.addBuiltins();
        QCOMPARE(registry.ids(), (QStringList { u"example-data-source-rest-api-to-lif"_s, u"lif-to-lif"_s }));
        QCOMPARE(registry.find(u"lif-to-lif"_s)->type(), AdapterType::LifToLif);
        QCOMPARE(registry.find(u"example-data-source-rest-api-to-lif"_s)->type(),
                 AdapterType::PipelineIntegrated);
        QCOMPARE(registry.find(u"lif-to-lif"_s)->credentialKeys(),
                 (QStringList { u"host"_s, u"scheme"_s, u"token"_s }));
        QCOMPARE(registry.origin(u"lif-to-lif"_s), u"built-in"_s);
        const Status duplicate = registry.add(std::make_shared<LifToLifAdapter>(), u"test"_s);
        QVERIFY(!duplicate.ok());
        QVERIFY(duplicate.error().message.contains(u"already taken by built-in"_s));
    }

    void lifToLifPostsGetPersonByIdentifier()
    {
        const QJsonObject data { { u"person"_s,
                                   QJsonArray { QJsonObject { { u"Name"_s, QJsonArray {} } } } } };
        StubHttpServer server([&](const StubRequest &) {
            return StubResponse::json(200, QJsonDocument(QJsonObject { { u"data"_s, data } }).toJson());
        });
        const QueryPlanPart p = part(u"lif-to-lif"_s, u"org2"_s);
        const auto out = LifToLifAdapter().run(p, credentialsFor(server), {});
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));

        QCOMPARE(server.requestCount(), 1);
        const StubRequest r = server.requests().first();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.path(), u"/graphql"_s);
        QCOMPARE(r.header("Authorization"), QByteArray("Bearer tok-12345"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.header("User-Agent"), QByteArray("LIF-Adapter-lif-to-lif"));
        const QJsonObject body = bodyOf(r);
        QCOMPARE(body.value(u"operationName"_s).toString(), u"GetPersonByIdentifier"_s);
        QCOMPARE(body.value(u"variables"_s).toObject(),
                 (QJsonObject { { u"identifier"_s, u"100001"_s },
                                { u"identifierType"_s, u"SCHOOL_ASSIGNED_NUMBER"_s } }));
        const QString query = body.value(u"query"_s).toString();
        QCOMPARE(query, LifToLifAdapter::queryText());
        QVERIFY(
            query.contains(u"query GetPersonByIdentifier($identifier: String!, $identifierType: String!)"_s));
        for (const char *entity :
             { "Name", "Contact", "Identifier", "EmploymentPreferences", "PositionPreferences",
               "CredentialAward", "CourseLearningExperience", "EmploymentLearningExperience" })
            QVERIFY2(query.contains(QString::fromLatin1(entity) + u" {"_s), entity);

        QVERIFY(out->isPartResult());
        const PartResult &result = out->result();
        QCOMPARE(result.informationSourceId, u"org2"_s);
        QCOMPARE(result.adapterId, u"lif-to-lif"_s);
        QCOMPARE(result.personId, p.personId);
        QVERIFY(!result.error);
        QVERIFY2(kIsoUtc.match(*result.dataTimestamp).hasMatch(), qPrintable(*result.dataTimestamp));
        QCOMPARE(result.fragments.size(), 1);
        QCOMPARE(result.fragments.first().fragmentPath, u"person.all"_s);
        QCOMPARE(result.fragments.first().fragment, QJsonArray { data });
    }

    void lifToLifFailures_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("GraphQL errors")
            << 200 << QByteArray(R"({"errors":[{"message":"unknown field"}],"data":null})")
            << u"GraphQL errors: [{\"message\":\"unknown field\"}]"_s;
        QTest::newRow("null errors still count")
            << 200 << QByteArray(R"({"errors":null,"data":{}})") << u"GraphQL errors: null"_s;
        QTest::newRow("data null") << 200 << QByteArray(R"({"data":null})") << u"has no data object"_s;
        QTest::newRow("not JSON") << 200 << QByteArray("<html>") << u"answered with text that is not JSON"_s;
        QTest::newRow("a list") << 200 << QByteArray("[1]") << u"is not a JSON object"_s;
        QTest::newRow("401") << 401 << QByteArray(R"({"detail":"Invalid token"})")
                             << u"answered HTTP 401 (Unauthorized): {\"detail\":\"Invalid token\"}"_s;
        QTest::newRow("500") << 500 << QByteArray() << u"answered HTTP 500"_s;
    }
    void lifToLifFailures()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        StubHttpServer server([&](const StubRequest &) { return StubResponse::json(status, body); });
        const auto out = LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), credentialsFor(server), {});
        QVERIFY(!out.ok());
        QVERIFY2(out.error().message.contains(message), qPrintable(out.error().message));
        if (status != 200)
            QVERIFY2(out.error().message.contains(u"POST "_s + server.baseUrl() + u"/graphql"_s),
                     qPrintable(out.error().message));
        QVERIFY(!out.error().message.contains(u"tok-12345"_s));
    }

    void lifToLifNarrowsTheQueryToWhatTheSourceOffers()
    {
        // A source whose Person has only Name {firstName} and Identifier {identifier identifierType}.
        auto type = [](const QString &name, const QList<std::pair<QString, QString>> &fields) {
            QJsonArray list;
            for (const auto &[field, of] : fields)
                list.append(QJsonObject {
                    { u"name"_s, field },
                    { u"type"_s,
                      QJsonObject { { u"kind"_s, u"LIST"_s },
                                    { u"name"_s, QJsonValue::Null },
                                    { u"ofType"_s,
                                      QJsonObject { { u"kind"_s, u"OBJECT"_s }, { u"name"_s, of } } } } } });
            return QJsonObject { { u"name"_s, name }, { u"kind"_s, u"OBJECT"_s }, { u"fields"_s, list } };
        };
        const QJsonObject schema {
            { u"__schema"_s,
              QJsonObject {
                  { u"queryType"_s, QJsonObject { { u"name"_s, u"Query"_s } } },
                  { u"types"_s,
                    QJsonArray {
                        type(u"Query"_s, { { u"person"_s, u"Person"_s } }),
                        type(u"Person"_s, { { u"Name"_s, u"Name"_s }, { u"Identifier"_s, u"Identifier"_s } }),
                        type(u"Name"_s, { { u"firstName"_s, u"String"_s } }),
                        type(u"Identifier"_s,
                             { { u"identifier"_s, u"String"_s }, { u"identifierType"_s, u"String"_s } }),
                        QJsonObject { { u"name"_s, u"String"_s },
                                      { u"kind"_s, u"SCALAR"_s },
                                      { u"fields"_s, QJsonValue::Null } } } } } }
        };
        StubHttpServer server([&](const StubRequest &r) {
            const QJsonObject body = QJsonDocument::fromJson(r.body).object();
            if (body[u"operationName"_s] == u"LifdagIntrospection"_s)
                return StubResponse::json(200, QJsonDocument(QJsonObject { { u"data"_s, schema } }).toJson());
            const QString query = body[u"query"_s].toString();
            if (query.contains(u"Telephone"_s) || query.contains(u"lastName"_s))
                return StubResponse::json(200,
                                          "{\"errors\":[{\"message\":\"Cannot query field \\\"Telephone\\\" "
                                          "on type \\\"Contact\\\".\"}]}");
            return StubResponse::json(200, R"({"data":{"person":[{"Name":[{"firstName":"Ada"}]}]}})");
        });
        QStringList warnings;
        AdapterContext context;
        context.log = [&](AdapterContext::Level level, const QString &line) {
            if (level == AdapterContext::Level::Warning)
                warnings.append(line);
        };
        const auto out =
            LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), credentialsFor(server), context);
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
        QCOMPARE(server.requestCount(), 3); // full query, introspection, narrowed query
        const QString narrowed = bodyOf(server.requests().at(2))[u"query"_s].toString();
        QVERIFY2(
            narrowed.contains(
                u"person(filter: { Identifier: { identifier: $identifier, identifierType: "
                "$identifierType } }) {\n    Identifier {\n      identifier\n      identifierType\n    }\n"
                "    Name {\n      firstName\n    }\n  }\n}"_s),
            qPrintable(narrowed));
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().contains(u"does not offer "_s)
                     && warnings.first().contains(u"Person.Name.lastName"_s),
                 qPrintable(warnings.first()));
        // The narrowed query is remembered for this source.
        QVERIFY(LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org3"_s), credentialsFor(server), {}).ok());
        QCOMPARE(server.requestCount(), 4);
        QCOMPARE(bodyOf(server.requests().at(3))[u"query"_s].toString(), narrowed);
    }

    void lifToLifDefaultsToHttpsAndNeedsAHost()
    {
        const auto noHost = LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org-9"_s), {}, {});
        QVERIFY(!noHost.ok());
        QVERIFY2(noHost.error().message.contains(u"ADAPTERS__LIF_TO_LIF__ORG_9__CREDENTIALS__HOST"_s),
                 qPrintable(noHost.error().message));
        // No scheme: https, which a plain HTTP server cannot answer.
        StubHttpServer server([](const StubRequest &) { return StubResponse::json(200, "{}"); });
        Credentials c = credentialsFor(server);
        c.remove(u"scheme"_s);
        AdapterContext context;
        context.timeout = std::chrono::milliseconds(3000);
        const auto https = LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), c, context);
        QVERIFY(!https.ok());
        QVERIFY2(https.error().message.startsWith(u"POST https://"_s + server.hostAndPort()
                                                  + u"/graphql failed"_s),
                 qPrintable(https.error().message));
    }

    void exampleSourceGetsTheUserWithTheKey()
    {
        const QByteArray user = R"({"person":{"id":"100002","employment":{"preferences":{"id":"p1"}}}})";
        StubHttpServer server([&](const StubRequest &) { return StubResponse::json(200, user); });
        const auto out = ExampleDataSourceRestAdapter().run(
            part(u"example-data-source-rest-api-to-lif"_s, u"org1"_s, u"100002"_s), credentialsFor(server),
            {});
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
        const StubRequest r = server.requests().first();
        QCOMPARE(r.method, QByteArray("GET"));
        QCOMPARE(r.path(), u"/r1-demo/users/100002"_s);
        QCOMPARE(r.header("x-key"), QByteArray("tok-12345"));
        QVERIFY(r.header("Authorization").isEmpty());
        QVERIFY(!out->isPartResult());
        QCOMPARE(out->data(), QJsonValue(QJsonDocument::fromJson(user).object()));
    }

    void exampleSourceFailures_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("wrong key") << 401 << QByteArray(R"({"detail":"Invalid API key"})")
                                   << u"answered HTTP 401 (Unauthorized)"_s;
        QTest::newRow("no such user") << 404 << QByteArray(R"({"detail":"User not found"})")
                                      << u"answered HTTP 404 (Not Found): {\"detail\":\"User not found\"}"_s;
        QTest::newRow("errors member") << 200 << QByteArray(R"({"errors":["backend down"]})")
                                       << u"Example Data Source REST API errors: [\"backend down\"]"_s;
        QTest::newRow("errors in text") << 200 << QByteArray(R"("errors happened")")
                                        << u"Example Data Source REST API errors: errors happened"_s;
        QTest::newRow("a number") << 200 << QByteArray("42") << u"neither an object, a list nor a string"_s;
    }
    void exampleSourceFailures()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        StubHttpServer server([&](const StubRequest &) { return StubResponse::json(status, body); });
        const auto out =
            ExampleDataSourceRestAdapter().run(part(u"example-data-source-rest-api-to-lif"_s, u"org1"_s),
                                               credentialsFor(server, u"wrong-key-98765"_s), {});
        QVERIFY(!out.ok());
        QVERIFY2(out.error().message.contains(message), qPrintable(out.error().message));
        QVERIFY(!out.error().message.contains(u"wrong-key-98765"_s));
        if (status != 200)
            QVERIFY(out.error().message.contains(u"GET "_s + server.baseUrl() + u"/r1-demo/users/100001"_s));
    }

    void identifierIsPercentEncodedInThePath()
    {
        StubHttpServer server([](const StubRequest &) { return StubResponse::json(200, "{}"); });
        const auto out = ExampleDataSourceRestAdapter().run(
            part(u"example-data-source-rest-api-to-lif"_s, u"org1"_s, u"a b?c"_s), credentialsFor(server),
            {});
        QVERIFY(out.ok());
        QCOMPARE(server.requests().first().url.path(QUrl::FullyEncoded), u"/r1-demo/users/a%20b%3Fc"_s);
    }

    void unreachableSourceNamesTheUrl()
    {
        const quint16 port = StubHttpServer::unusedPort();
        const Credentials c { { u"host"_s, u"127.0.0.1:"_s + QString::number(port) },
                              { u"scheme"_s, u"http"_s },
                              { u"token"_s, u"k"_s } };
        const auto out =
            ExampleDataSourceRestAdapter().run(part(u"example-data-source-rest-api-to-lif"_s, u"o"_s), c, {});
        QVERIFY(!out.ok());
        QCOMPARE(out.error().code, u"http.transport"_s);
        QVERIFY2(out.error().message.startsWith(u"GET http://127.0.0.1:"_s + QString::number(port)
                                                + u"/r1-demo/users/100001 failed: "_s),
                 qPrintable(out.error().message));
    }

    void slowSourceTimesOut()
    {
        StubHttpServer server([](const StubRequest &) {
            QThread::msleep(1500);
            return StubResponse::json(200, "{}");
        });
        AdapterContext context;
        context.timeout = std::chrono::milliseconds(300);
        QElapsedTimer t;
        t.start();
        const auto out = ExampleDataSourceRestAdapter().run(
            part(u"example-data-source-rest-api-to-lif"_s, u"o"_s), credentialsFor(server), context);
        QVERIFY(!out.ok());
        QVERIFY2(out.error().message.contains(u"timed out after 300 ms"_s), qPrintable(out.error().message));
        QVERIFY2(t.elapsed() < 1200, qPrintable(QString::number(t.elapsed())));
    }

    void cancellationAbortsTheCall()
    {
        StubHttpServer server([](const StubRequest &) {
            QThread::msleep(1500);
            return StubResponse::json(200, "{}");
        });
        AdapterContext context;
        QElapsedTimer t;
        t.start();
        context.isCanceled = [&t] {
            return t.elapsed() > 100;
        };
        const auto out = ExampleDataSourceRestAdapter().run(
            part(u"example-data-source-rest-api-to-lif"_s, u"o"_s), credentialsFor(server), context);
        QVERIFY(!out.ok());
        QVERIFY2(out.error().message.contains(u"canceled"_s), qPrintable(out.error().message));
        QVERIFY2(t.elapsed() < 1200, qPrintable(QString::number(t.elapsed())));
    }

    void connectionsAreKeptAlivePerThread()
    {
        StubHttpServer server([](const StubRequest &) { return StubResponse::json(200, R"({"data":{}})"); });
        for (int i = 0; i < 5; ++i)
            QVERIFY(LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), credentialsFor(server), {}).ok());
        QCOMPARE(server.requestCount(), 5);
        QCOMPARE(server.connectionCount(), 1);
        // Another thread has its own manager, hence its own connection.
        std::thread other([&] {
            for (int i = 0; i < 3; ++i)
                (void)LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), credentialsFor(server), {});
        });
        other.join();
        QCOMPARE(server.requestCount(), 8);
        QCOMPARE(server.connectionCount(), 2);
    }

    void adapterLogsTheExchangeAtDebugWithoutSecrets()
    {
        StubHttpServer server([](const StubRequest &) { return StubResponse::json(200, R"({"data":{}})"); });
        QStringList lines;
        AdapterContext context;
        context.log = [&](AdapterContext::Level level, const QString &line) {
            QCOMPARE(level, AdapterContext::Level::Debug);
            lines.append(line);
        };
        QVERIFY(
            LifToLifAdapter().run(part(u"lif-to-lif"_s, u"org2"_s), credentialsFor(server), context).ok());
        QCOMPARE(lines.size(), 1);
        QVERIFY2(QRegularExpression(
                     u"^POST http://127\\.0\\.0\\.1:\\d+/graphql → 200 in [0-9.]+ ms \\(\\d+ bytes\\)$"_s)
                     .match(lines.first())
                     .hasMatch(),
                 qPrintable(lines.first()));
    }

    void pythonContainsFollowsPython_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<int>("expected"); // 1 true, 0 false, -1 error
        QTest::newRow("object member") << QJsonValue(QJsonObject { { u"errors"_s, 1 } }) << 1;
        QTest::newRow("object without") << QJsonValue(QJsonObject { { u"data"_s, 1 } }) << 0;
        QTest::newRow("list item") << QJsonValue(QJsonArray { u"errors"_s }) << 1;
        QTest::newRow("list without") << QJsonValue(QJsonArray { 1, u"error"_s }) << 0;
        QTest::newRow("substring") << QJsonValue(u"no errors here"_s) << 1;
        QTest::newRow("number") << QJsonValue(3) << -1;
        QTest::newRow("null") << QJsonValue(QJsonValue::Null) << -1;
    }
    void pythonContainsFollowsPython()
    {
        QFETCH(QJsonValue, value);
        QFETCH(int, expected);
        const auto r = pythonContains(value, u"errors"_s);
        QCOMPARE(r.ok() ? int(*r) : -1, expected);
    }
};

QTEST_GUILESS_MAIN(TestLifAdapters)
#include "tst_lifadapters.moc"
