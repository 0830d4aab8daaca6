// Declarative HTTP adapters: the example definition (adapters/examples/declarative) loaded from a
// path and run against a local server; definition errors that name file:line:column.
#include "stubhttpserver.h"

#include <lifdag/adapters/declarative.h>
#include <lifdag/adapters/registry.h>

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::adapters;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {
const QString kExampleDir = QStringLiteral(LIFDAG_SOURCE_DIR "/adapters/examples/declarative");
const QString kExampleId = u"example-employment-preferences-to-lif"_s;

QueryPlanPart part(const QString &adapter)
{
    QueryPlanPart p;
    p.adapterId = adapter;
    p.informationSourceId = u"org1"_s;
    p.personId = { u"100002"_s, u"School-assigned number"_s };
    return p;
}
} // namespace

class TestDeclarativeAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exampleDefinitionLoadsFromTheConfiguredPath()
    {
        QProcessEnvironment env;
        env.insert(QString(kDefinitionsPathVariable), kExampleDir);
        QStringList problems;
        const auto registry = AdapterRegistry::fromEnvironment(&problems, env);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        const AdapterPtr adapter = registry->find(kExampleId);
        QVERIFY(adapter);
        QCOMPARE(adapter->type(), AdapterType::LifToLif);
        QCOMPARE(adapter->credentialKeys(), (QStringList { u"host"_s, u"scheme"_s, u"token"_s }));
        QVERIFY(registry->origin(kExampleId).startsWith(u"definition "_s + kExampleDir));
    }

    void exampleShapesTheSourceAnswerIntoALifPerson()
    {
        QStringList problems;
        AdapterRegistry registry;
        QCOMPARE(registry.loadDefinitions(kExampleDir + u"/example-employment-preferences-to-lif.yaml"_s),
                 QStringList());
        StubHttpServer server([](const StubRequest &r) {
            if (r.header("x-key") != "the-key")
                return StubResponse::json(401, "{\"detail\":\"Invalid API key\"}");
            if (r.path() != u"/r1-demo/users/100002"_s)
                return StubResponse::json(404, "{\"detail\":\"User not found\"}");
            return StubResponse::json(200,
                                      "{\"person\":{\"id\":\"100002\",\"employment\":{\"preferences\":{\n"
                                      "                "
                                      "\"id\":\"pref-2\",\"preferred_org_types\":[\"Nonprofit\"],\"preferred_"
                                      "org_names\":[\"Clinic\",\"Food Bank\"]}}}}");
        });
        const Credentials credentials { { u"host"_s, server.hostAndPort() },
                                        { u"scheme"_s, u"http"_s },
                                        { u"token"_s, u"the-key"_s } };
        const auto out = registry.find(kExampleId)->run(part(kExampleId), credentials, {});
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
        QVERIFY(out->isPartResult());
        const QJsonObject expected =
            QJsonDocument::fromJson(
                "{\"person\":[{\n"
                "            \"Identifier\":[{\"identifier\":\"100002\",\"identifierType\":\"School-assigned "
                "number\"}],\n"
                "            "
                "\"EmploymentPreferences\":[{\"identifier\":\"pref-2\",\"organizationTypes\":[\"Nonprofit\"],"
                "\n"
                "                                      \"organizationNames\":[\"Clinic\",\"Food Bank\"]}]}]}")
                .object();
        QCOMPARE(out->result().fragments.first().fragmentPath, u"person.all"_s);
        QCOMPARE(out->result().fragments.first().fragment, QJsonArray { expected });
        QCOMPARE(server.requests().first().header("User-Agent"),
                 QByteArray("LIF-Adapter-") + kExampleId.toUtf8());

        // The scheme defaults to https (the definition's `defaults`); a missing token is named.
        const auto noToken =
            registry.find(kExampleId)
                ->run(part(kExampleId), { { u"host"_s, server.hostAndPort() }, { u"scheme"_s, u"http"_s } },
                      {});
        QVERIFY(!noToken.ok());
        QVERIFY2(noToken.error().message.contains(
                     u"needs credential 'token' for source 'org1': set "
                     "ADAPTERS__EXAMPLE_EMPLOYMENT_PREFERENCES_TO_LIF__ORG1__CREDENTIALS__TOKEN"_s),
                 qPrintable(noToken.error().message));

        const auto wrongKey = registry.find(kExampleId)
                                  ->run(part(kExampleId),
                                        { { u"host"_s, server.hostAndPort() },
                                          { u"scheme"_s, u"http"_s },
                                          { u"token"_s, u"bad1"_s } },
                                        {});
        QVERIFY(!wrongKey.ok());
        QVERIFY2(wrongKey.error().message.contains(u"answered HTTP 401"_s),
                 qPrintable(wrongKey.error().message));
    }

    void postWithBodyAndSourceDataOutput()
    {
        const QByteArray yaml =
            "adapter_id: roster-search\n"
            "adapter_type: PIPELINE_INTEGRATED\n"
            "credential_keys: [host, api_key]\n"
            "request:\n"
            "  method: post\n"
            "  url: \"http://{host}/search/{information_source_id}?type={identifierTypeToken}\"\n"
            "  headers:\n"
            "    Authorization: \"ApiKey {api_key}\"\n"
            "  body: |\n"
            "    {\"id\": $part.person_id.identifier, \"paths\": $part.lif_fragment_paths}\n"
            "response:\n"
            "  expression: records[0]\n";
        const auto adapter = DeclarativeHttpAdapter::fromYaml(yaml, u"roster.yaml"_s);
        QVERIFY2(adapter.ok(), qPrintable(adapter.ok() ? QString() : adapter.error().message));
        QCOMPARE((*adapter)->type(), AdapterType::PipelineIntegrated);
        StubHttpServer server([](const StubRequest &) {
            return StubResponse::json(200, "{\"records\":[{\"first\":\"Ada\"},{\"first\":\"Bob\"}]}");
        });
        QueryPlanPart p = part(u"roster-search"_s);
        p.informationSourceId = u"org 5"_s;
        p.lifFragmentPaths = { u"person.name"_s };
        const auto out =
            (*adapter)->run(p, { { u"host"_s, server.hostAndPort() }, { u"api_key"_s, u"k-1"_s } }, {});
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
        QVERIFY(!out->isPartResult());
        QCOMPARE(out->data(), QJsonValue(QJsonObject { { u"first"_s, u"Ada"_s } }));
        const StubRequest r = server.requests().first();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.url.path(QUrl::FullyEncoded), u"/search/org%205"_s);
        QCOMPARE(r.url.query(), u"type=SCHOOL_ASSIGNED_NUMBER"_s);
        QCOMPARE(r.header("Authorization"), QByteArray("ApiKey k-1"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(QJsonDocument::fromJson(r.body).object(),
                 (QJsonObject { { u"id"_s, u"100002"_s }, { u"paths"_s, QJsonArray { u"person.name"_s } } }));
    }

    void definitionErrorsNameFileLineAndProblem_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        const QByteArray head = "adapter_id: x\nadapter_type: STANDALONE\n";
        QTest::newRow("unknown key") << head + "request: {url: 'http://h/'}\nrespons: {}\n"
                                     << u"def.yaml:4:1: respons: unknown key"_s;
        QTest::newRow("unknown placeholder") << head + "request:\n  url: 'http://{host}/x'\n"
                                             << u"def.yaml:4:8: request.url: unknown placeholder {host}"_s;
        QTest::newRow("placeholder from credentials")
            << head + "credential_keys: [hst]\nrequest:\n  url: 'http://{host}/x'\n"
            << u"def.yaml:5:8: request.url: unknown placeholder {host} (known: identifier, identifierType, "
               "identifierTypeToken, information_source_id, adapter_id, hst)"_s;
        QTest::newRow("unclosed brace") << head + "request:\n  url: 'http://{identifier'\n"
                                        << u"def.yaml:4:8: request.url: unclosed '{'"_s;
        QTest::newRow("bad type") << QByteArray(
            "adapter_id: x\nadapter_type: REST\nrequest: {url: 'http://h/'}\n")
                                  << u"def.yaml:2:15: adapter_type: expected LIF_TO_LIF, STANDALONE"_s;
        QTest::newRow("no request") << head << u"def.yaml:1:1: request: required"_s;
        QTest::newRow("no id") << QByteArray("adapter_type: STANDALONE\nrequest: {url: 'http://h/'}\n")
                               << u"def.yaml: adapter_id: required"_s;
        QTest::newRow("bad id") << QByteArray(
            "adapter_id: 'a b'\nadapter_type: STANDALONE\nrequest: {url: 'http://h/'}\n")
                                << u"def.yaml:1:13: adapter_id: use letters, digits"_s;
        QTest::newRow("JSONata syntax")
            << head + "request: {url: 'http://h/'}\nresponse:\n  expression: 'a.('\n"
            << u"def.yaml:5:15: response.expression: JSONata does not compile: S0"_s;
        QTest::newRow("bad output")
            << head + "request: {url: 'http://h/'}\nresponse: {output: xml}\n"
            << u"def.yaml:4:20: response.output: expected lif_person or source_data"_s;
        QTest::newRow("bad timeout")
            << head + "request: {url: 'http://h/', timeout_seconds: -1}\n"
            << u"def.yaml:3:46: request.timeout_seconds: expected a positive number"_s;
        QTest::newRow("invalid YAML") << QByteArray("adapter_id: [x\n") << u"def.yaml:2:1: invalid YAML"_s;
        QTest::newRow("reserved credential")
            << head + "credential_keys: [identifier]\nrequest: {url: 'http://h/'}\n"
            << u"def.yaml:3:19: credential_keys: 'identifier' is a reserved"_s;
    }
    void definitionErrorsNameFileLineAndProblem()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        const auto adapter = DeclarativeHttpAdapter::fromYaml(yaml, u"def.yaml"_s);
        QVERIFY(!adapter.ok());
        QVERIFY2(adapter.error().message.startsWith(error), qPrintable(adapter.error().message));
    }

    void shapingErrorsAreRunErrors()
    {
        const auto adapter = DeclarativeHttpAdapter::fromYaml("adapter_id: shaped\n"
                                                              "adapter_type: LIF_TO_LIF\n"
                                                              "credential_keys: [host]\n"
                                                              "request: {url: \"http://{host}/\"}\n"
                                                              "response: {expression: \"missing.field\"}\n");
        QVERIFY(adapter.ok());
        StubHttpServer server([](const StubRequest &) { return StubResponse::json(200, "{\"a\":1}"); });
        const auto out = (*adapter)->run(part(u"shaped"_s), { { u"host"_s, server.hostAndPort() } }, {});
        QVERIFY(!out.ok());
        QVERIFY2(out.error().message.contains(u"response.expression produced nothing"_s),
                 qPrintable(out.error().message));
    }
};

QTEST_GUILESS_MAIN(TestDeclarativeAdapter)
#include "tst_declarativeadapter.moc"
