// lif_dynamic_pipeline_job run in process (executor + memory event sink) against local HTTP
// servers: a LIF GraphQL source, an Example Data Source and a query planner receiving the results.
#include "stubhttpserver.h"

#include <lifdag/execution/executor.h>
#include <lifdag/lifjob/lifjob.h>

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::execution;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {

const QString kMappings = QStringLiteral(LIFDAG_TEST_DATA_DIR "/mappings");

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

const QJsonObject kLifPerson = json(R"({"person":[{
    "Name":[{"firstName":"Ada","lastName":"Lovelace"}],
    "PositionPreferences":[{"positionTitles":["Analyst"]}]}]})");

const QByteArray kRestUser = R"({"person":{"id":"100001","employment":{"preferences":{
    "id":"pref-1","preferred_org_types":["Government","Startup"],"preferred_org_names":["Transit"]}}}})";

QJsonObject part(const QString &source, const QString &adapter, const QStringList &paths,
                 bool translate = false)
{
    QJsonObject p { { u"information_source_id"_s, source },
                    { u"adapter_id"_s, adapter },
                    { u"person_id"_s,
                      QJsonObject { { u"identifier"_s, u"100001"_s },
                                    { u"identifierType"_s, u"School-assigned number"_s } } },
                    { u"lif_fragment_paths"_s, QJsonArray::fromStringList(paths) } };
    if (translate)
        p.insert(u"translation"_s,
                 QJsonObject { { u"source_schema_id"_s, u"26"_s }, { u"target_schema_id"_s, u"17"_s } });
    return p;
}

QJsonObject runConfig(const QJsonArray &parts)
{
    return QJsonObject {
        { u"resources"_s,
          QJsonObject {
              { u"config_resource"_s,
                QJsonObject { { u"config"_s, QJsonObject { { u"lif_query_plan_parts"_s, parts } } } } } } }
    };
}

// Replaces each part's data_timestamp (checked to be ISO 8601 UTC) with "<timestamp>".
QJsonObject withoutTimestamps(QJsonObject document)
{
    static const QRegularExpression iso(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00$"_s);
    QJsonArray parts = document.value(u"query_plan_part_results"_s).toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        QJsonObject p = parts[i].toObject();
        const QJsonValue ts = p.value(u"data_timestamp"_s);
        if (ts.isString()) {
            if (!iso.match(ts.toString()).hasMatch())
                qWarning("not an ISO timestamp: %s", qPrintable(ts.toString()));
            p.insert(u"data_timestamp"_s,
                     iso.match(ts.toString()).hasMatch() ? u"<timestamp>"_s : ts.toString());
        }
        parts[i] = p;
    }
    document.insert(u"query_plan_part_results"_s, parts);
    return document;
}

} // namespace

class TestLifJob : public QObject
{
    Q_OBJECT

    std::unique_ptr<StubHttpServer> m_graphql;
    std::unique_ptr<StubHttpServer> m_rest;
    std::unique_ptr<StubHttpServer> m_receiver;
    std::atomic<int> m_restFailuresLeft { 0 };

    QProcessEnvironment credentials(const QString &restKey = u"rest-key"_s) const
    {
        QProcessEnvironment env;
        for (const char *source : { "ORG2", "ORG3" }) {
            const QString prefix =
                u"ADAPTERS__LIF_TO_LIF__"_s + QLatin1StringView(source) + u"__CREDENTIALS__"_s;
            env.insert(prefix + u"HOST"_s, m_graphql->hostAndPort());
            env.insert(prefix + u"SCHEME"_s, u"http"_s);
            env.insert(prefix + u"TOKEN"_s, u"gql-token"_s);
        }
        const QString rest =
            u"ADAPTERS__EXAMPLE_DATA_SOURCE_REST_API_TO_LIF__ORG1_EXAMPLE_DATA_SOURCE__CREDENTIALS__"_s;
        env.insert(rest + u"HOST"_s, m_rest->hostAndPort());
        env.insert(rest + u"SCHEME"_s, u"http"_s);
        env.insert(rest + u"TOKEN"_s, restKey);
        // A source nothing listens on.
        const QString down = u"ADAPTERS__LIF_TO_LIF__ORG_DOWN__CREDENTIALS__"_s;
        env.insert(down + u"HOST"_s, u"127.0.0.1:"_s + QString::number(StubHttpServer::unusedPort()));
        env.insert(down + u"SCHEME"_s, u"http"_s);
        env.insert(down + u"TOKEN"_s, u"gql-token"_s);
        return env;
    }

    lifjob::Options options(const QString &restKey = u"rest-key"_s) const
    {
        lifjob::Options o;
        o.settings = lifjob::Settings::fromEnvironment(QProcessEnvironment());
        o.settings.queryPlannerResultsBaseUrl = m_receiver->baseUrl();
        o.settings.queryPlannerResultsToken = u"qp-token"_s;
        o.settings.mappingsDirectory = kMappings;
        o.credentialEnvironment = credentials(restKey);
        auto registry = std::make_shared<adapters::AdapterRegistry>();
        registry->addBuiltins();
        o.adapters = registry;
        return o;
    }

    struct Run
    {
        RunResult result;
        std::shared_ptr<MemoryEventSink> events = std::make_shared<MemoryEventSink>();
        QJsonObject document() const { return result.output(QString(lifjob::kCollectOp)).toObject(); }
        int count(const QString &type, const QString &stepPrefix) const
        {
            int n = 0;
            for (const Event &e : events->events())
                n += e.eventType == type && e.stepKey.startsWith(stepPrefix) ? 1 : 0;
            return n;
        }
        QString allText() const
        {
            QString text;
            for (const Event &e : events->events())
                text += e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson()) + u'\n';
            return text;
        }
    };

    Run run(const QJsonArray &parts, lifjob::Options o)
    {
        auto built = lifjob::lifDynamicPipelineJob(std::move(o)).build();
        if (!built)
            qFatal("%s", qPrintable(built.error().message));
        Run r;
        Executor executor(*built, u"run-1234"_s, runConfig(parts), *r.events);
        r.result = executor.run();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_graphql = std::make_unique<StubHttpServer>([](const StubRequest &r) {
            if (r.header("Authorization") != "Bearer gql-token")
                return StubResponse::json(401, R"({"detail":"Invalid token"})");
            const QJsonObject vars =
                QJsonDocument::fromJson(r.body).object().value(u"variables"_s).toObject();
            if (vars.value(u"identifierType"_s).toString().isEmpty())
                return StubResponse::json(200, R"({"errors":[{"message":"bad identifierType"}]})");
            return StubResponse::json(200, QJsonDocument(QJsonObject { { u"data"_s, kLifPerson } }).toJson());
        });
        m_rest = std::make_unique<StubHttpServer>([this](const StubRequest &r) {
            if (m_restFailuresLeft.fetch_sub(1) > 0)
                return StubResponse::json(503, R"({"detail":"warming up"})");
            if (r.header("x-key") != "rest-key")
                return StubResponse::json(401, R"({"detail":"Invalid API key"})");
            if (r.path() != u"/r1-demo/users/100001"_s)
                return StubResponse::json(404, R"({"detail":"User not found"})");
            return StubResponse::json(200, kRestUser);
        });
        m_receiver = std::make_unique<StubHttpServer>([](const StubRequest &r) {
            if (r.path() != u"/orchestration/results"_s || r.header("Authorization") != "Bearer qp-token")
                return StubResponse::json(403, R"({"detail":"forbidden"})");
            return StubResponse::json(200, R"({"status":"ok"})");
        });
    }

    void init()
    {
        m_receiver->clearRequests();
        m_receiver->setAccepting(true);
        m_restFailuresLeft = 0;
    }

    void threePartsDeliverLifsResultsDocument()
    {
        const Run r =
            run({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.positionPreferences"_s }),
                  part(u"org3"_s, u"lif-to-lif"_s, { u"person.name"_s }),
                  part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                       { u"person.employmentPreferences"_s, u"person.courseLearningExperience"_s }, true) },
                options());
        QCOMPARE(r.result.status, RunStatus::Success);
        if (qEnvironmentVariableIsSet("LIFDAG_TEST_DUMP"))
            qDebug().noquote() << r.allText();
        QCOMPARE(m_receiver->requestCount(), 1);
        const StubRequest posted = m_receiver->requests().first();
        QCOMPARE(posted.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(posted.header("User-Agent"), QByteArray("LIF-Orchestrator"));
        const QJsonObject sent = QJsonDocument::fromJson(posted.body).object();
        QCOMPARE(sent, r.document()); // what was sent is what the run keeps

        QJsonObject expected = json(R"({"run_id":"run-1234","query_plan_part_results":[
          {"information_source_id":"org2","adapter_id":"lif-to-lif","data_timestamp":"<timestamp>",
           "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
           "fragments":[{"fragment_path":"person.all","fragment":[]}],"error":null},
          {"information_source_id":"org3","adapter_id":"lif-to-lif","data_timestamp":"<timestamp>",
           "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
           "fragments":[{"fragment_path":"person.all","fragment":[]}],"error":null},
          {"information_source_id":"org1-example-data-source","adapter_id":"example-data-source-rest-api-to-lif",
           "data_timestamp":"<timestamp>",
           "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
           "fragments":[
             {"fragment_path":"person.employmentPreferences","fragment":[{"identifier":"pref-1",
               "organizationTypes":["Government","Startup"],"organizationNames":["Transit"]}]},
             {"fragment_path":"person.courseLearningExperience","fragment":[]}],
           "error":null}]})");
        // The LIF parts pass through untranslated: person.all holds the GraphQL data.
        QJsonArray parts = expected[u"query_plan_part_results"_s].toArray();
        for (int i : { 0, 1 }) {
            QJsonObject p = parts[i].toObject();
            p.insert(u"fragments"_s,
                     QJsonArray { QJsonObject { { u"fragment_path"_s, u"person.all"_s },
                                                { u"fragment"_s, QJsonArray { kLifPerson } } } });
            parts[i] = p;
        }
        expected.insert(u"query_plan_part_results"_s, parts);
        QCOMPARE(withoutTimestamps(sent), expected);

        // Timing for every adapter call, translation and POST; nothing personal or secret at INFO.
        const QString text = r.allText();
        QVERIFY(text.contains(u"Adapter 'lif-to-lif' executed successfully in "_s));
        QVERIFY(text.contains(u"Translated 26 → 17 by in-process Transformer (directory "_s));
        QVERIFY(QRegularExpression(
                    u"POST http://127\\.0\\.0\\.1:\\d+/orchestration/results → 200 in [0-9.]+ ms"_s)
                    .match(text)
                    .hasMatch());
        for (const Event &e : r.events->events()) {
            if (e.level == u"DEBUG"_s)
                continue;
            const QString line = e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson());
            for (const QString &secret :
                 { u"gql-token"_s, u"rest-key"_s, u"qp-token"_s, u"Lovelace"_s, u"Transit"_s })
                QVERIFY2(!line.contains(secret), qPrintable(line));
        }
    }

    void sourceDownGivesThatPartTheErrorTextAndTheRunSucceeds()
    {
        const Run r = run({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }),
                            part(u"org-down"_s, u"lif-to-lif"_s, { u"person.name"_s }) },
                          options());
        QCOMPARE(r.result.status, RunStatus::Success);
        const QJsonArray parts = r.document()[u"query_plan_part_results"_s].toArray();
        QCOMPARE(parts.size(), 2);
        QVERIFY(parts[0][u"error"_s].isNull());
        QCOMPARE(parts[1].toObject(),
                 json(R"({"information_source_id":"org-down","adapter_id":"lif-to-lif","data_timestamp":null,
                          "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
                          "fragments":[],"error":"Pipeline did not run or failed."})"));
        // Three attempts (retry numbers 0, 1, 2): the third gives up instead of failing.
        QCOMPARE(r.count(u"STEP_UP_FOR_RETRY"_s, u"run_lif_adapter[lif_to_lif__org_down__"_s), 2);
        QCOMPARE(r.count(u"STEP_FAILURE"_s, u"run_lif_adapter"_s), 0);
        QVERIFY(r.allText().contains(u"run_lif_adapter failed after 2 retries for adapter_id=lif-to-lif "
                                     "information_source_id=org-down: POST http://127.0.0.1:"_s));
        QCOMPARE(m_receiver->requestCount(), 1);
    }

    void flakySourceIsRetriedAndDelivers()
    {
        m_restFailuresLeft = 2;
        const Run r = run({ part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                                 { u"person.employmentPreferences"_s }, true) },
                          options());
        QCOMPARE(r.result.status, RunStatus::Success);
        QCOMPARE(r.count(u"STEP_UP_FOR_RETRY"_s, u"run_lif_adapter["_s), 2);
        QCOMPARE(r.count(u"STEP_RESTARTED"_s, u"run_lif_adapter["_s), 2);
        const QJsonObject p = r.document()[u"query_plan_part_results"_s][0].toObject();
        QVERIFY(p[u"error"_s].isNull());
        QCOMPARE(p[u"fragments"_s][0][u"fragment"_s][0][u"identifier"_s].toString(), u"pref-1"_s);
        QVERIFY(r.allText().contains(u"answered HTTP 503 (Service Unavailable)"_s));
    }

    void wrongKeyFailsThePartAndNeverShowsTheKey()
    {
        const Run r = run({ part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                                 { u"person.employmentPreferences"_s }, true) },
                          options(u"wrong-key-31337"_s));
        QCOMPARE(r.result.status, RunStatus::Success);
        const QJsonObject p = r.document()[u"query_plan_part_results"_s][0].toObject();
        QCOMPARE(p[u"error"_s].toString(), QString(lifjob::kNoDataError));
        const QString text = r.allText();
        QVERIFY(text.contains(u"answered HTTP 401 (Unauthorized)"_s));
        QVERIFY(!text.contains(u"wrong-key-31337"_s));
    }

    void queryPlannerDownFailsTheSendStepButKeepsTheResults()
    {
        m_receiver->setAccepting(false);
        const Run r = run({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }) }, options());
        QCOMPARE(r.result.status, RunStatus::Failure);
        const StepOutcome *send = r.result.step(QString(lifjob::kSendOp));
        QVERIFY(send);
        QCOMPARE(send->state, StepState::Failed);
        QCOMPARE(send->attempts, 4); // 1 + 3 retries
        QVERIFY2(send->error->message.contains(u"/orchestration/results failed: Connection refused"_s),
                 qPrintable(send->error->message));
        const QJsonObject kept = r.document();
        QCOMPARE(kept[u"run_id"_s].toString(), u"run-1234"_s);
        QCOMPARE(kept[u"query_plan_part_results"_s].toArray().size(), 1);
    }

    void queryPlannerRejectionFailsTheStep()
    {
        lifjob::Options o = options();
        o.settings.queryPlannerResultsToken = u"not-the-token"_s;
        o.retryPolicy.maxRetries = 1;
        const Run r = run({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }) }, o);
        QCOMPARE(r.result.status, RunStatus::Failure);
        QCOMPARE(m_receiver->requestCount(), 2);
        QVERIFY(r.allText().contains(u"answered HTTP 403 (Forbidden): {\"detail\":\"forbidden\"}"_s));
        QVERIFY(!r.allText().contains(u"not-the-token"_s));
    }

    void unknownAdapterAndMissingTranslationGiveNoData()
    {
        lifjob::Options o = options();
        o.settings.mappingsDirectory.clear();
        const Run r = run({ part(u"org9"_s, u"no-such-adapter"_s, { u"person.name"_s }),
                            part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                                 { u"person.employmentPreferences"_s }, true) },
                          o);
        QCOMPARE(r.result.status, RunStatus::Success);
        const QJsonArray parts = r.document()[u"query_plan_part_results"_s].toArray();
        QCOMPARE(parts[0][u"error"_s].toString(), QString(lifjob::kNoDataError));
        QCOMPARE(parts[1][u"error"_s].toString(), QString(lifjob::kNoDataError));
        const QString text = r.allText();
        QVERIFY(text.contains(
            u"Adapter 'no-such-adapter' is unknown (known: example-data-source-rest-api-to-lif, "
            "lif-to-lif); its part will have no data."_s));
        QVERIFY(text.contains(u"run_translation failed after 2 retries: no translation configured"_s));
    }

    void sourceDataWithoutTranslationFailsTheCollectLikePydantic()
    {
        const Run r = run({ part(u"org1-example-data-source"_s, u"example-data-source-rest-api-to-lif"_s,
                                 { u"person.employmentPreferences"_s }) },
                          options());
        QCOMPARE(r.result.status, RunStatus::Failure);
        const StepOutcome *collect = r.result.step(QString(lifjob::kCollectOp));
        QCOMPARE(collect->state, StepState::Failed);
        QCOMPARE(collect->attempts, 1);
        QVERIFY2(collect->error->message.contains(u"needs a translation in its part"_s),
                 qPrintable(collect->error->message));
        QCOMPARE(m_receiver->requestCount(), 0);
    }

    void samePartTwiceGetsDistinctKeysAndTheFirstResult()
    {
        QJsonObject second = part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s });
        second.insert(u"person_id"_s,
                      QJsonObject { { u"identifier"_s, u"100001"_s }, { u"identifierType"_s, u"SSN"_s } });
        const Run r = run({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }), second }, options());
        QCOMPARE(r.result.status, RunStatus::Success);
        QCOMPARE(r.result.stepKeys(StepState::Succeeded).filter(u"run_lif_adapter["_s).size(), 2);
        const QJsonArray parts = r.document()[u"query_plan_part_results"_s].toArray();
        // LIF matches results on (source, adapter): both parts get the first result.
        QCOMPARE(parts[0], parts[1]);
        QVERIFY(r.allText().contains(
            u"Multiple results found for part with adapter 'lif-to-lif', source 'org2'"_s));
    }

    void emptyPlanSendsNothing()
    {
        const Run r = run({}, options());
        QCOMPARE(r.result.status, RunStatus::Success);
        QCOMPARE(m_receiver->requestCount(), 0);
        QCOMPARE(r.result.step(QString(lifjob::kSendOp))->state, StepState::Skipped);
    }
};

QTEST_GUILESS_MAIN(TestLifJob)
#include "tst_lifjob.moc"
