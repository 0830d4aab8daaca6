// lif_dynamic_pipeline_job from launch to the query planner through real processes: `lifdag
// example-source` (REST + GraphQL), `lifdag code-server` with ADAPTERS__ credentials, a run worker
// per run, PostgreSQL as storage, and local stand-ins for the query planner and a flaky source.
#include "../graphql/casefile.h"
#include "stubhttpserver.h"
#include "testsupport.h"

#include <lifdag/adapters/httpclient.h>
#include <lifdag/adapters/lifadapters.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/launcher.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

using namespace lifdag;
using namespace Qt::StringLiterals;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {

const QString kSourceKey = u"e2e-source-key-8472"_s;
const QString kWrongKey = u"wrong-key-e2e-4711"_s;
const QString kPlannerToken = u"qp-e2e-token-5521"_s;
const QString kMappings = QStringLiteral(LIFDAG_SOURCE_DIR "/tests/lifjob/data/mappings");
const QString kExampleAdapter = u"example-data-source-rest-api-to-lif"_s;
const QString kIdentifier = u"100001"_s;

QJsonObject part(const QString &source, const QString &adapter, const QStringList &paths,
                 bool translate = false)
{
    QJsonObject p { { u"information_source_id"_s, source },
                    { u"adapter_id"_s, adapter },
                    { u"person_id"_s,
                      QJsonObject { { u"identifier"_s, kIdentifier },
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

QString eventText(const Event &e)
{
    return e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson(QJsonDocument::Compact));
}

// Each part's data_timestamp, checked to be Python's isoformat() in UTC, becomes "<timestamp>".
QJsonObject withoutTimestamps(QJsonObject document)
{
    static const QRegularExpression iso(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00$"_s);
    QJsonArray parts = document.value(u"query_plan_part_results"_s).toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        QJsonObject p = parts[i].toObject();
        if (p.value(u"data_timestamp"_s).isString()
            && iso.match(p.value(u"data_timestamp"_s).toString()).hasMatch())
            p.insert(u"data_timestamp"_s, u"<timestamp>"_s);
        parts[i] = p;
    }
    document.insert(u"query_plan_part_results"_s, parts);
    return document;
}

QJsonObject noDataResult(const QString &source, const QString &adapter)
{
    return QJsonObject { { u"information_source_id"_s, source },
                         { u"adapter_id"_s, adapter },
                         { u"data_timestamp"_s, QJsonValue::Null },
                         { u"person_id"_s,
                           QJsonObject { { u"identifier"_s, kIdentifier },
                                         { u"identifierType"_s, u"School-assigned number"_s } } },
                         { u"fragments"_s, QJsonArray() },
                         { u"error"_s, u"Pipeline did not run or failed."_s } };
}

} // namespace

class TestLifJobEndToEnd : public QObject
{
    Q_OBJECT

    test::PgServer m_pg;
    QTemporaryDir m_home;
    QString m_database;
    QProcess m_exampleSource;
    int m_sourcePort = 0;
    QProcess m_codeServer;
    QProcess m_webserver; // `lifdag webserver`: Dagster's GraphQL API for the client test
    int m_webPort = 0;
    std::unique_ptr<StubHttpServer> m_planner; // LIF's query planner: /orchestration/results
    std::unique_ptr<StubHttpServer> m_flaky; // 503 for a while, then forwards to the example source
    std::atomic<int> m_flakyFailuresLeft { 0 };
    std::shared_ptr<instance::Instance> m_instance;
    QString m_serverLog; // the code server's (and its run workers') stderr

    // Keeps the child processes' pipes drained while the test waits.
    void drainLogs()
    {
        QCoreApplication::processEvents();
        m_serverLog += QString::fromUtf8(m_codeServer.readAllStandardError());
        (void)m_codeServer.readAllStandardOutput();
        (void)m_exampleSource.readAllStandardError();
        (void)m_exampleSource.readAllStandardOutput();
        m_serverLog += QString::fromUtf8(m_webserver.readAllStandardError());
        (void)m_webserver.readAllStandardOutput();
    }

    // One operation the way dagster-graphql's DagsterGraphQLClient sends it: POST /graphql.
    QJsonObject graphql(const QString &document, const QJsonObject &variables = {})
    {
        adapters::http::Request request;
        request.method = "POST";
        request.url = QUrl(u"http://127.0.0.1:%1/graphql"_s.arg(m_webPort));
        request.headers = { { "Content-Type", "application/json" } };
        request.body = QJsonDocument(QJsonObject { { u"query"_s, document }, { u"variables"_s, variables } })
                           .toJson(QJsonDocument::Compact);
        const adapters::http::Response answer = adapters::http::send(request);
        const QJsonObject body = QJsonDocument::fromJson(answer.body).object();
        if (answer.status != 200 || body.contains(u"errors"_s))
            qWarning("GraphQL answered %d: %s", answer.status, answer.body.left(2000).constData());
        return body.value(u"data"_s).toObject();
    }

    QString sourceHost() const { return u"127.0.0.1:"_s + QString::number(m_sourcePort); }

    void admin(const QString &sql)
    {
        const QString error = test::pgAdmin(m_pg, sql);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    static void addCredentials(QProcessEnvironment &env, const QString &adapter, const QString &source,
                               const QString &host, const QString &token)
    {
        const QString prefix = u"ADAPTERS__"_s + QString(adapter).replace(u'-', u'_').toUpper() + u"__"_s
            + QString(source).replace(u'-', u'_').toUpper() + u"__CREDENTIALS__"_s;
        env.insert(prefix + u"HOST"_s, host);
        env.insert(prefix + u"SCHEME"_s, u"http"_s);
        env.insert(prefix + u"TOKEN"_s, token);
    }

    storage::RunRecord launchAndWait(const QJsonArray &parts, int timeoutMs = 60000)
    {
        launcher::SubmitRequest request;
        request.jobName = u"lif_dynamic_pipeline_job"_s;
        request.runConfig = runConfig(parts);
        const auto outcome = launcher::submitRun(*m_instance, request);
        if (!outcome.ok() || !outcome->run)
            qFatal("launch failed: %s",
                   qPrintable(outcome.ok() ? u"invalid config"_s : outcome.error().message));
        const QString runId = outcome->run->runId;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            const auto run = m_instance->storage().runs().run(runId);
            if (run.ok() && run->has_value() && isTerminal((*run)->status))
                return **run;
            drainLogs();
            QThread::msleep(20);
        }
        return **m_instance->storage().runs().run(runId);
    }

    QList<Event> events(const QString &runId)
    {
        return *m_instance->storage().events().events(runId, 0, 100000);
    }

    int count(const QString &runId, const QString &type, const QString &stepPrefix)
    {
        int n = 0;
        for (const Event &e : events(runId))
            n += e.eventType == type && e.stepKey.startsWith(stepPrefix) ? 1 : 0;
        return n;
    }

    // What the query planner received for `runId` (each POST is a retry of the same document).
    QList<QJsonObject> received(const QString &runId)
    {
        QList<QJsonObject> out;
        for (const StubRequest &r : m_planner->requests()) {
            const QJsonObject body = QJsonDocument::fromJson(r.body).object();
            if (body.value(u"run_id"_s).toString() == runId)
                out.append(body);
        }
        return out;
    }

    // The person data the lif-to-lif adapter gets from the example source, fetched here directly.
    QJsonObject lifData(const QString &source)
    {
        adapters::QueryPlanPart p;
        p.adapterId = u"lif-to-lif"_s;
        p.informationSourceId = source;
        p.personId = { kIdentifier, u"School-assigned number"_s };
        const auto out = adapters::LifToLifAdapter().run(
            p, { { u"host"_s, sourceHost() }, { u"scheme"_s, u"http"_s }, { u"token"_s, kSourceKey } }, {});
        if (!out || !out->isPartResult())
            qFatal("direct GraphQL read failed: %s",
                   qPrintable(out ? u"not a part result"_s : out.error().message));
        return out->result().fragments.first().fragment.first().toObject();
    }

    // The example source's user record, read directly.
    QJsonObject restUser()
    {
        adapters::QueryPlanPart p;
        p.adapterId = kExampleAdapter;
        p.informationSourceId = u"org1-example-data-source"_s;
        p.personId = { kIdentifier, u"School-assigned number"_s };
        const auto out = adapters::ExampleDataSourceRestAdapter().run(
            p, { { u"host"_s, sourceHost() }, { u"scheme"_s, u"http"_s }, { u"token"_s, kSourceKey } }, {});
        if (!out)
            qFatal("direct REST read failed: %s", qPrintable(out.error().message));
        return out->data().toObject();
    }

    QJsonObject lifPartResult(const QString &source)
    {
        return QJsonObject { { u"information_source_id"_s, source },
                             { u"adapter_id"_s, u"lif-to-lif"_s },
                             { u"data_timestamp"_s, u"<timestamp>"_s },
                             { u"person_id"_s,
                               QJsonObject { { u"identifier"_s, kIdentifier },
                                             { u"identifierType"_s, u"School-assigned number"_s } } },
                             { u"fragments"_s,
                               QJsonArray {
                                   QJsonObject { { u"fragment_path"_s, u"person.all"_s },
                                                 { u"fragment"_s, QJsonArray { lifData(source) } } } } },
                             { u"error"_s, QJsonValue::Null } };
    }

    // The test mappings (tests/lifjob/data/mappings) applied by hand to the source's user record.
    QJsonObject translatedPartResult(const QString &source, const QStringList &paths)
    {
        const QJsonObject preferences = restUser()[u"person"_s][u"employment"_s][u"preferences"_s].toObject();
        QJsonArray fragments;
        for (const QString &path : paths) {
            QJsonArray found;
            if (path == u"person.employmentPreferences"_s)
                found.append(
                    QJsonObject { { u"identifier"_s, preferences[u"id"_s] },
                                  { u"organizationTypes"_s, preferences[u"preferred_org_types"_s] },
                                  { u"organizationNames"_s, preferences[u"preferred_org_names"_s] } });
            else if (path == u"person.identifier"_s)
                found.append(QJsonObject { { u"identifier"_s, kIdentifier },
                                           { u"identifierType"_s, u"SCHOOL_ASSIGNED_NUMBER"_s } });
            fragments.append(QJsonObject { { u"fragment_path"_s, path }, { u"fragment"_s, found } });
        }
        return QJsonObject { { u"information_source_id"_s, source },
                             { u"adapter_id"_s, kExampleAdapter },
                             { u"data_timestamp"_s, u"<timestamp>"_s },
                             { u"person_id"_s,
                               QJsonObject { { u"identifier"_s, kIdentifier },
                                             { u"identifierType"_s, u"School-assigned number"_s } } },
                             { u"fragments"_s, fragments },
                             { u"error"_s, QJsonValue::Null } };
    }

    void verifyNoSecretInEvents(const QString &runId)
    {
        for (const Event &e : events(runId)) {
            const QString text = eventText(e);
            for (const QString &secret : { kSourceKey, kWrongKey, kPlannerToken })
                QVERIFY2(!text.contains(secret), qPrintable(e.eventType + u": "_s + text));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pg = test::pgServer();
        QVERIFY2(m_pg.ok(), qPrintable(m_pg.error));
        m_database = u"lifdag_lifjob_e2e_"_s + QUuid::createUuid().toString(QUuid::Id128).left(10);
        admin(u"CREATE DATABASE "_s + m_database);
        QVERIFY(test::writeTextFile(
            QDir(m_home.path()).filePath(u"dagster.yaml"_s),
            test::postgresInstanceYaml(m_pg, m_database, u"LIFDAG_E2E_PG_PASSWORD"_s).toUtf8()));
        qputenv("LIFDAG_E2E_PG_PASSWORD", m_pg.password.toUtf8());
        qputenv("DAGSTER_HOME", m_home.path().toUtf8());

        QString error;
        m_sourcePort = test::startLifdagServer(
            m_exampleSource,
            { u"example-source"_s, u"-H"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--key"_s, kSourceKey },
            &error);
        QVERIFY2(m_sourcePort > 0, qPrintable(error));

        m_planner = std::make_unique<StubHttpServer>([](const StubRequest &r) {
            if (r.method != "POST" || r.path() != u"/orchestration/results"_s)
                return StubResponse::json(404, R"({"detail":"Not Found"})");
            if (r.header("Authorization") != "Bearer " + kPlannerToken.toUtf8())
                return StubResponse::json(401, R"({"detail":"Invalid token"})");
            return StubResponse::json(200, R"({"status":"received"})");
        });
        // Forwards to the example source once its planned failures are used up.
        m_flaky = std::make_unique<StubHttpServer>([this](const StubRequest &r) {
            if (m_flakyFailuresLeft.fetch_sub(1) > 0)
                return StubResponse::json(503, R"({"detail":"temporarily unavailable"})");
            adapters::http::Request forward;
            forward.method = r.method;
            forward.url = QUrl(u"http://"_s + sourceHost() + r.url.path(QUrl::FullyEncoded));
            forward.headers = { { "x-key", r.header("x-key") } };
            const adapters::http::Response answer = adapters::http::send(forward);
            return StubResponse::json(answer.status ? answer.status : 502, answer.body);
        });

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        addCredentials(env, u"lif-to-lif"_s, u"org2"_s, sourceHost(), kSourceKey);
        addCredentials(env, u"lif-to-lif"_s, u"org3"_s, sourceHost(), kSourceKey);
        addCredentials(env, kExampleAdapter, u"org1-example-data-source"_s, sourceHost(), kSourceKey);
        addCredentials(env, u"lif-to-lif"_s, u"org-down"_s,
                       u"127.0.0.1:"_s + QString::number(StubHttpServer::unusedPort()), kSourceKey);
        addCredentials(env, kExampleAdapter, u"org1-flaky"_s, m_flaky->hostAndPort(), kSourceKey);
        addCredentials(env, kExampleAdapter, u"org1-badkey"_s, sourceHost(), kWrongKey);
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s, m_planner->baseUrl());
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_TOKEN"_s, kPlannerToken);
        env.insert(u"LIF_TRANSLATOR_MAPPINGS_DIR"_s, kMappings);
        env.remove(u"LIF_TRANSLATOR_BASE_URL"_s);
        env.remove(u"LIF_MDR_API_URL"_s);
        m_codeServer.setProcessEnvironment(env);
        const int port = test::startLifdagServer(m_codeServer,
                                                 { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s,
                                                   u"-p"_s, u"0"_s, u"--location-name"_s, u"lif"_s },
                                                 &error);
        QVERIFY2(port > 0, qPrintable(error));
        QVERIFY(test::writeTextFile(QDir(m_home.path()).filePath(u"workspace.yaml"_s),
                                    test::grpcWorkspaceYaml(port, u"lif"_s).toUtf8()));
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;
    }

    void init()
    {
        m_planner->setAccepting(true);
        m_flakyFailuresLeft = 0;
    }

    void cleanupTestCase()
    {
        for (QProcess *p : { &m_webserver, &m_codeServer, &m_exampleSource }) {
            if (p->state() == QProcess::Running) {
                p->terminate();
                QVERIFY(p->waitForFinished(15000));
            }
        }
        // Nothing a run or the code server logged shows a key or token.
        drainLogs();
        for (const QString &secret : { kSourceKey, kWrongKey, kPlannerToken })
            QVERIFY2(!m_serverLog.contains(secret), qPrintable(secret));
        m_instance.reset();
        if (!m_database.isEmpty())
            admin(u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
    }

    // LIF's orchestrator, unmodified, talks to Dagster's webserver with dagster-graphql's client:
    // the same documents, over HTTP, against `lifdag webserver`.
    void dagsterClientLaunchesTheJobOverHttp()
    {
        QString error;
        m_webPort = test::startLifdagServer(
            m_webserver, { u"webserver"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--no-access-log"_s },
            &error);
        QVERIFY2(m_webPort > 0, qPrintable(error));
        QHash<QString, QString> ops;
        for (const GraphqlCase &c : readGraphqlCases(
                 QStringLiteral(LIFDAG_SOURCE_DIR "/tests/graphqlapi/data/client_operations.cases")))
            ops.insert(c.name, c.document);
        const QString lookup = ops.value(u"client repository lookup (repositoriesOrError)"_s);
        const QString submit = ops.value(u"client submit_job_execution (launchPipelineExecution)"_s);
        const QString status = ops.value(u"client get_run_status (pipelineRunOrError)"_s);
        QVERIFY(!lookup.isEmpty() && !submit.isEmpty() && !status.isEmpty());

        // The client finds the job's location and repository first.
        QString location, repository;
        const QJsonObject repos = graphql(lookup).value(u"repositoriesOrError"_s).toObject();
        QCOMPARE(repos.value(u"__typename"_s).toString(), u"RepositoryConnection"_s);
        for (const QJsonValue node : repos.value(u"nodes"_s).toArray()) {
            for (const QJsonValue pipeline : node[u"pipelines"_s].toArray()) {
                if (pipeline[u"name"_s].toString() == u"lif_dynamic_pipeline_job"_s) {
                    location = node[u"location"_s][u"name"_s].toString();
                    repository = node[u"name"_s].toString();
                }
            }
        }
        QCOMPARE(location, u"lif"_s);
        QVERIFY(!repository.isEmpty());

        auto params = [&](const QString &job, const QJsonObject &config) {
            return QJsonObject {
                { u"executionParams"_s,
                  QJsonObject {
                      { u"selector"_s,
                        QJsonObject { { u"repositoryLocationName"_s, location },
                                      { u"repositoryName"_s, repository },
                                      { u"pipelineName"_s, job } } },
                      { u"runConfigData"_s, config },
                      { u"mode"_s, u"default"_s },
                      { u"executionMetadata"_s,
                        QJsonObject { { u"tags"_s,
                                        QJsonArray { QJsonObject { { u"key"_s, u"lif/origin"_s },
                                                                   { u"value"_s, u"e2e"_s } } } } } } } }
            };
        };
        const QJsonObject launched =
            graphql(submit,
                    params(u"lif_dynamic_pipeline_job"_s,
                           runConfig({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.credentialAward"_s }) })))
                .value(u"launchPipelineExecution"_s)
                .toObject();
        QCOMPARE(launched.value(u"__typename"_s).toString(), u"LaunchRunSuccess"_s);
        const QString runId = launched[u"run"_s][u"runId"_s].toString();
        QVERIFY(!runId.isEmpty());

        // get_run_status until the run ended, as the client polls it.
        QString last;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            const QJsonObject run =
                graphql(status, { { u"runId"_s, runId } }).value(u"pipelineRunOrError"_s).toObject();
            QCOMPARE(run.value(u"__typename"_s).toString(), u"Run"_s);
            last = run.value(u"status"_s).toString();
            if (last == u"SUCCESS"_s || last == u"FAILURE"_s || last == u"CANCELED"_s)
                break;
            drainLogs();
            QThread::msleep(20);
        }
        QCOMPARE(last, u"SUCCESS"_s);
        QCOMPARE(received(runId).size(), 1); // the results reached the query planner
        const auto stored = m_instance->storage().runs().run(runId);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->tags.value(u"lif/origin"_s), u"e2e"_s);

        // An invalid run config: the client gets the validation errors with their paths.
        QJsonObject bad = runConfig({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.credentialAward"_s }) });
        bad = QJsonObject { { u"resources"_s,
                              QJsonObject { { u"config_resource"_s,
                                              QJsonObject { { u"config"_s,
                                                              QJsonObject { { u"lif_query_plan_parts"_s,
                                                                              u"not a list"_s } } } } } } } };
        const QJsonObject invalid = graphql(submit, params(u"lif_dynamic_pipeline_job"_s, bad))
                                        .value(u"launchPipelineExecution"_s)
                                        .toObject();
        QCOMPARE(invalid.value(u"__typename"_s).toString(), u"RunConfigValidationInvalid"_s);
        const QJsonArray errors = invalid.value(u"errors"_s).toArray();
        QVERIFY(!errors.isEmpty());
        QStringList paths;
        for (const QJsonValue e : errors)
            paths.append(e[u"path"_s].toVariant().toStringList().join(u'.'));
        QVERIFY2(paths.contains(u"resources.config_resource.config.lif_query_plan_parts"_s),
                 qPrintable(paths.join(u", "_s)));
        QVERIFY(!errors.first()[u"reason"_s].toString().isEmpty());

        // A job the location does not have.
        const QJsonObject unknown = graphql(submit, params(u"no_such_job"_s, QJsonObject {}))
                                        .value(u"launchPipelineExecution"_s)
                                        .toObject();
        QCOMPARE(unknown.value(u"__typename"_s).toString(), u"PipelineNotFoundError"_s);
        QVERIFY(unknown.value(u"message"_s).toString().contains(u"no_such_job"_s));
    }

    void threePartsReachTheQueryPlanner()
    {
        const QStringList translatedPaths { u"person.employmentPreferences"_s,
                                            u"person.courseLearningExperience"_s };
        const storage::RunRecord run = launchAndWait(
            { part(u"org2"_s, u"lif-to-lif"_s,
                   { u"person.positionPreferences"_s, u"person.employmentLearningExperience"_s }),
              part(u"org3"_s, u"lif-to-lif"_s, { u"person.credentialAward"_s }),
              part(u"org1-example-data-source"_s, kExampleAdapter, translatedPaths, true) });
        QCOMPARE(run.status, RunStatus::Success);

        const QList<QJsonObject> got = received(run.runId);
        QCOMPARE(got.size(), 1);
        const QJsonObject expected {
            { u"run_id"_s, run.runId },
            { u"query_plan_part_results"_s,
              QJsonArray { lifPartResult(u"org2"_s), lifPartResult(u"org3"_s),
                           translatedPartResult(u"org1-example-data-source"_s, translatedPaths) } }
        };
        QCOMPARE(withoutTimestamps(got.first()), expected);
        // The GraphQL source found the person asked for, and the translation carried real preferences.
        const QJsonObject person = lifData(u"org2"_s)[u"person"_s][0].toObject();
        QCOMPARE(person[u"Identifier"_s][0][u"identifier"_s].toString(), kIdentifier);
        const QJsonArray preferences =
            got.first()[u"query_plan_part_results"_s][2][u"fragments"_s][0][u"fragment"_s].toArray();
        QCOMPARE(preferences.size(), 1);
        QVERIFY(!preferences[0][u"organizationTypes"_s].toArray().isEmpty());
        // The results are kept with the run, exactly as sent.
        QCOMPARE(run.result, got.first());

        // Every adapter call, translation and POST is an event with its duration.
        QString text;
        for (const Event &e : events(run.runId))
            text += eventText(e) + u'\n';
        QCOMPARE(text.count(QRegularExpression(u"Adapter '[a-z-]+' executed successfully in [0-9.]+ ms"_s)),
                 3);
        QCOMPARE(text.count(QRegularExpression(
                     u"Translated 26 → 17 by in-process Transformer [^\\n]* in [0-9.]+ ms"_s)),
                 1);
        QVERIFY(QRegularExpression(
                    u"POST http://127\\.0\\.0\\.1:\\d+/orchestration/results → 200 in [0-9.]+ ms"_s)
                    .match(text)
                    .hasMatch());
        verifyNoSecretInEvents(run.runId);
        // No person data above DEBUG: names and preferences only travel in the results.
        const QString lastName = person[u"Name"_s][0][u"lastName"_s].toString();
        QVERIFY(!lastName.isEmpty());
        for (const Event &e : events(run.runId)) {
            if (e.level != u"DEBUG"_s) {
                QVERIFY2(!eventText(e).contains(lastName), qPrintable(eventText(e)));
                QVERIFY2(!eventText(e).contains(preferences[0][u"identifier"_s].toString()),
                         qPrintable(eventText(e)));
            }
        }
    }

    void oneSourceDownFailsOnlyItsPart()
    {
        const storage::RunRecord run =
            launchAndWait({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }),
                            part(u"org-down"_s, u"lif-to-lif"_s, { u"person.name"_s }),
                            part(u"org1-example-data-source"_s, kExampleAdapter,
                                 { u"person.employmentPreferences"_s }, true) });
        QCOMPARE(run.status, RunStatus::Success);
        const QList<QJsonObject> got = received(run.runId);
        QCOMPARE(got.size(), 1);
        const QJsonArray parts = withoutTimestamps(got.first())[u"query_plan_part_results"_s].toArray();
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts[0].toObject(), lifPartResult(u"org2"_s));
        QCOMPARE(parts[1].toObject(), noDataResult(u"org-down"_s, u"lif-to-lif"_s));
        QCOMPARE(parts[2].toObject(),
                 translatedPartResult(u"org1-example-data-source"_s, { u"person.employmentPreferences"_s }));
        // LIF's policy: three attempts, the last gives up with "no data" instead of failing the run.
        QCOMPARE(count(run.runId, u"STEP_UP_FOR_RETRY"_s, u"run_lif_adapter[lif_to_lif__org_down__"_s), 2);
        QCOMPARE(count(run.runId, u"STEP_FAILURE"_s, QString()), 0);
        bool named = false;
        for (const Event &e : events(run.runId))
            named = named || e.message.contains(u"information_source_id=org-down: POST http://127.0.0.1:"_s);
        QVERIFY2(named, "the give-up event names the URL that failed");
    }

    void flakySourceIsRetriedUntilItAnswers()
    {
        m_flakyFailuresLeft = 2;
        const storage::RunRecord run = launchAndWait(
            { part(u"org1-flaky"_s, kExampleAdapter, { u"person.employmentPreferences"_s }, true) });
        QCOMPARE(run.status, RunStatus::Success);
        const QString step = u"run_lif_adapter[example_data_source_rest_api_to_lif__org1_flaky__"_s;
        QCOMPARE(count(run.runId, u"STEP_UP_FOR_RETRY"_s, step), 2);
        QCOMPARE(count(run.runId, u"STEP_RESTARTED"_s, step), 2);
        QCOMPARE(count(run.runId, u"STEP_SUCCESS"_s, step), 1);
        QCOMPARE(m_flaky->requestCount() >= 3, true);
        const QList<QJsonObject> got = received(run.runId);
        QCOMPARE(got.size(), 1);
        QCOMPARE(withoutTimestamps(got.first())[u"query_plan_part_results"_s][0].toObject(),
                 translatedPartResult(u"org1-flaky"_s, { u"person.employmentPreferences"_s }));
        bool reported = false;
        for (const Event &e : events(run.runId))
            reported = reported || eventText(e).contains(u"answered HTTP 503"_s);
        QVERIFY(reported);
    }

    void wrongKeyFailsThePartAndNeverShowsTheKey()
    {
        const storage::RunRecord run = launchAndWait(
            { part(u"org1-badkey"_s, kExampleAdapter, { u"person.employmentPreferences"_s }, true),
              part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }) });
        QCOMPARE(run.status, RunStatus::Success);
        const QList<QJsonObject> got = received(run.runId);
        QCOMPARE(got.size(), 1);
        const QJsonArray parts = withoutTimestamps(got.first())[u"query_plan_part_results"_s].toArray();
        QCOMPARE(parts[0].toObject(), noDataResult(u"org1-badkey"_s, kExampleAdapter));
        QCOMPARE(parts[1].toObject(), lifPartResult(u"org2"_s));
        bool unauthorized = false;
        for (const Event &e : events(run.runId))
            unauthorized = unauthorized || eventText(e).contains(u"answered HTTP 401"_s);
        QVERIFY(unauthorized);
        verifyNoSecretInEvents(run.runId);
        QVERIFY(!QString::fromUtf8(QJsonDocument(run.result).toJson()).contains(kWrongKey));
    }

    void queryPlannerDownFailsTheSendButKeepsTheResults()
    {
        QVERIFY(m_planner->setAccepting(false));
        const storage::RunRecord run =
            launchAndWait({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }) });
        QCOMPARE(run.status, RunStatus::Failure);
        const QString send = u"send_results_to_query_planner"_s;
        QCOMPARE(count(run.runId, u"STEP_UP_FOR_RETRY"_s, send), 3);
        QCOMPARE(count(run.runId, u"STEP_FAILURE"_s, send), 1);
        QVERIFY(received(run.runId).isEmpty());
        // Nothing is lost: the results document stays with the run.
        QCOMPARE(run.result[u"run_id"_s].toString(), run.runId);
        QCOMPARE(withoutTimestamps(run.result)[u"query_plan_part_results"_s].toArray(),
                 QJsonArray { lifPartResult(u"org2"_s) });
        bool named = false;
        for (const Event &e : events(run.runId))
            named = named || eventText(e).contains(u"/orchestration/results failed: Connection refused"_s);
        QVERIFY(named);
    }

    void invalidPartIsRejectedBeforeAnyRunStarts()
    {
        const qsizetype before = m_instance->storage().runs().runs({}, 100000)->runs.size();
        QJsonObject broken = part(u"org3"_s, u"lif-to-lif"_s, { u"person.name"_s });
        broken.remove(u"adapter_id"_s);
        launcher::SubmitRequest request;
        request.jobName = u"lif_dynamic_pipeline_job"_s;
        request.runConfig = runConfig({ part(u"org2"_s, u"lif-to-lif"_s, { u"person.name"_s }), broken });
        const auto outcome = launcher::submitRun(*m_instance, request);
        QVERIFY2(outcome.ok(), qPrintable(outcome.ok() ? QString() : outcome.error().message));
        QVERIFY(!outcome->run);
        QCOMPARE(outcome->violations.size(), 1);
        QCOMPARE(outcome->violations.first().path,
                 u"resources.config_resource.config.lif_query_plan_parts[1].adapter_id"_s);
        QCOMPARE(outcome->violations.first().reason, u"MISSING_REQUIRED_FIELD"_s);
        QCOMPARE(m_instance->storage().runs().runs({}, 100000)->runs.size(), before);
    }
};

QTEST_GUILESS_MAIN(TestLifJobEndToEnd)
#include "tst_lif_job_e2e.moc"
