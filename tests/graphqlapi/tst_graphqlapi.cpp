// Dagster's GraphQL API against a real instance: SQLite storage in a temporary DAGSTER_HOME, a
// real code server (`lifdag code-server start`) running the example jobs, run workers per run.
// Requests are the ones Dagster's Python client sends (data/client_operations.cases) and queries
// written the way Dagster users write them.
#include "casefile.h"
#include "testsupport.h"

#include <lifdag/graphqlapi/dagstergraphql.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace lifdag;
using graphqlapi::Role;

namespace {

QJsonObject obj(const QJsonValue &v)
{
    return v.toObject();
}

QString typeName(const QJsonValue &v)
{
    return v.toObject().value(QLatin1StringView("__typename")).toString();
}

} // namespace

class TestGraphqlApi : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QProcess m_codeServer;
    int m_port = 0;
    std::shared_ptr<instance::Instance> m_instance;
    std::unique_ptr<graphqlapi::DagsterGraphQL> m_api;
    QHash<QString, QString> m_ops; // client operations by case name
    const QString m_location = QStringLiteral("examples");
    QString m_repository;

    QJsonObject request(const QString &query, const QJsonObject &variables = {}, Role role = Role::Admin,
                        bool allowMutations = true)
    {
        graphqlapi::RequestContext ctx;
        ctx.role = role;
        ctx.principal = QStringLiteral("test");
        ctx.allowMutations = allowMutations;
        return m_api->execute(
            QJsonObject { { QStringLiteral("query"), query }, { QStringLiteral("variables"), variables } },
            ctx);
    }

    // The response's data; a response with errors fails the test.
    QJsonObject data(const QString &query, const QJsonObject &variables = {}, Role role = Role::Admin)
    {
        const QJsonObject response = request(query, variables, role);
        if (response.contains(QLatin1StringView("errors")))
            qWarning("GraphQL errors: %s", QJsonDocument(response).toJson().constData());
        return response.value(QLatin1StringView("data")).toObject();
    }

    QJsonObject executionParams(const QString &job, const QJsonValue &runConfig, const QJsonArray &tags = {})
    {
        QJsonObject params { { QStringLiteral("selector"),
                               QJsonObject { { QStringLiteral("repositoryLocationName"), m_location },
                                             { QStringLiteral("repositoryName"), m_repository },
                                             { QStringLiteral("pipelineName"), job },
                                             { QStringLiteral("solidSelection"), QJsonValue() } } },
                             { QStringLiteral("runConfigData"), runConfig },
                             { QStringLiteral("mode"), QStringLiteral("default") },
                             { QStringLiteral("executionMetadata"),
                               tags.isEmpty() ? QJsonObject()
                                              : QJsonObject { { QStringLiteral("tags"), tags } } } };
        return params;
    }

    // Launches like DagsterGraphQLClient.submit_job_execution; returns the result object.
    QJsonObject submit(const QString &job, const QJsonValue &runConfig, const QJsonArray &tags = {},
                       Role role = Role::Admin)
    {
        return data(m_ops.value(QStringLiteral("client submit_job_execution (launchPipelineExecution)")),
                    { { QStringLiteral("executionParams"), executionParams(job, runConfig, tags) } }, role)
            .value(QLatin1StringView("launchPipelineExecution"))
            .toObject();
    }

    // Polls like DagsterGraphQLClient.get_run_status until the run ends.
    QString waitForEnd(const QString &runId, int timeoutMs = 60000)
    {
        QElapsedTimer t;
        t.start();
        QString status;
        while (t.elapsed() < timeoutMs) {
            const QJsonObject r =
                data(m_ops.value(QStringLiteral("client get_run_status (pipelineRunOrError)")),
                     { { QStringLiteral("runId"), runId } })
                    .value(QLatin1StringView("pipelineRunOrError"))
                    .toObject();
            status = r.value(QLatin1StringView("status")).toString();
            if (status == QLatin1StringView("SUCCESS") || status == QLatin1StringView("FAILURE")
                || status == QLatin1StringView("CANCELED"))
                return status;
            QThread::msleep(50);
        }
        return status;
    }

    QString waitForStatus(const QString &runId, const QString &wanted, int timeoutMs = 30000)
    {
        QElapsedTimer t;
        t.start();
        QString status;
        while (t.elapsed() < timeoutMs) {
            status =
                data(QStringLiteral("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"),
                     { { QStringLiteral("id"), runId } })
                    .value(QLatin1StringView("runOrError"))
                    .toObject()
                    .value(QLatin1StringView("status"))
                    .toString();
            if (status == wanted)
                return status;
            QThread::msleep(50);
        }
        return status;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        for (const GraphqlCase &c :
             readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/client_operations.cases")))
            m_ops.insert(c.name, c.document);
        // The code server and the run workers it starts find the instance through DAGSTER_HOME.
        qputenv("DAGSTER_HOME", m_home.path().toUtf8());
        QString error;
        m_port =
            test::startLifdagServer(m_codeServer,
                                    { QStringLiteral("code-server"), QStringLiteral("start"),
                                      QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                      QStringLiteral("0"), QStringLiteral("--location-name"), m_location },
                                    &error);
        QVERIFY2(m_port > 0, qPrintable(error));
        QVERIFY(test::writeTextFile(QDir(m_home.path()).filePath(QStringLiteral("workspace.yaml")),
                                    test::grpcWorkspaceYaml(m_port, m_location).toUtf8()));
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;
        m_api = std::make_unique<graphqlapi::DagsterGraphQL>(m_instance);
    }

    void cleanupTestCase()
    {
        m_api.reset();
        if (m_codeServer.state() == QProcess::Running) {
            m_codeServer.terminate();
            m_codeServer.waitForFinished(15000);
        }
    }

    void findsTheJobsRepositoryLikeTheClient()
    {
        const QJsonObject r =
            data(m_ops.value(QStringLiteral("client repository lookup (repositoriesOrError)")))
                .value(QLatin1StringView("repositoriesOrError"))
                .toObject();
        QCOMPARE(typeName(r), QStringLiteral("RepositoryConnection"));
        const QJsonArray nodes = r.value(QLatin1StringView("nodes")).toArray();
        QCOMPARE(nodes.size(), 1);
        const QJsonObject repo = nodes.first().toObject();
        QCOMPARE(obj(repo.value(QLatin1StringView("location"))).value(QLatin1StringView("name")).toString(),
                 m_location);
        m_repository = repo.value(QLatin1StringView("name")).toString();
        QVERIFY(!m_repository.isEmpty());
        QStringList jobs;
        for (const QJsonValue &p : repo.value(QLatin1StringView("pipelines")).toArray())
            jobs.append(obj(p).value(QLatin1StringView("name")).toString());
        QVERIFY2(jobs.contains(QStringLiteral("fanout_job")) && jobs.contains(QStringLiteral("hello_job")),
                 qPrintable(jobs.join(QLatin1Char(','))));
    }

    void launchesWithTagsAndRunConfigToSuccess()
    {
        const QJsonObject result = submit(
            QStringLiteral("fanout_job"),
            QJsonObject {
                { QStringLiteral("ops"),
                  QJsonObject { { QStringLiteral("fan_out"),
                                  QJsonObject { { QStringLiteral("config"),
                                                  QJsonObject { { QStringLiteral("count"), 3 } } } } } } } },
            QJsonArray { QJsonObject { { QStringLiteral("key"), QStringLiteral("team") },
                                       { QStringLiteral("value"), QStringLiteral("lif") } } });
        QCOMPARE(typeName(result), QStringLiteral("LaunchRunSuccess"));
        const QString runId =
            obj(result.value(QLatin1StringView("run"))).value(QLatin1StringView("runId")).toString();
        QVERIFY(!runId.isEmpty());
        QCOMPARE(waitForEnd(runId), QStringLiteral("SUCCESS"));

        const QJsonObject run =
            data(m_ops.value(QStringLiteral("user runOrError")), { { QStringLiteral("runId"), runId } })
                .value(QLatin1StringView("runOrError"))
                .toObject();
        QCOMPARE(typeName(run), QStringLiteral("Run"));
        QCOMPARE(run.value(QLatin1StringView("jobName")).toString(), QStringLiteral("fanout_job"));
        QCOMPARE(run.value(QLatin1StringView("mode")).toString(), QStringLiteral("default"));
        QVERIFY(run.value(QLatin1StringView("tags"))
                    .toArray()
                    .contains(QJsonObject { { QStringLiteral("key"), QStringLiteral("team") },
                                            { QStringLiteral("value"), QStringLiteral("lif") } }));
        QCOMPARE(run.value(QLatin1StringView("runConfigYaml")).toString(),
                 QStringLiteral("ops:\n  fan_out:\n    config:\n      count: 3\n"));
        QVERIFY(run.value(QLatin1StringView("startTime")).toDouble() > 1.6e9);
        QVERIFY(run.value(QLatin1StringView("endTime")).toDouble()
                >= run.value(QLatin1StringView("startTime")).toDouble());
        QCOMPARE(run.value(QLatin1StringView("canTerminate")).toBool(), false);
        QCOMPARE(obj(run.value(QLatin1StringView("repositoryOrigin")))
                     .value(QLatin1StringView("repositoryLocationName"))
                     .toString(),
                 m_location);
        const QJsonObject stats = obj(run.value(QLatin1StringView("stats")));
        QCOMPARE(stats.value(QLatin1StringView("stepsSucceeded")).toInt(), 5); // fan_out, 3 × work, gather
        QCOMPARE(stats.value(QLatin1StringView("stepsFailed")).toInt(), 0);
        QVERIFY(stats.value(QLatin1StringView("launchTime")).isDouble());
        const QJsonArray steps = run.value(QLatin1StringView("stepStats")).toArray();
        QCOMPARE(steps.size(), 5);
        for (const QJsonValue &s : steps) {
            QCOMPARE(obj(s).value(QLatin1StringView("status")).toString(), QStringLiteral("SUCCESS"));
            QCOMPARE(obj(s).value(QLatin1StringView("attempts")).toArray().size(), 1);
        }
        m_successfulRun = runId;
    }

    void acceptsRunConfigAsYaml()
    {
        const QJsonObject result =
            data(m_ops.value(QStringLiteral("user launchRun with a job selector")),
                 { { QStringLiteral("repositoryLocationName"), m_location },
                   { QStringLiteral("repositoryName"), m_repository },
                   { QStringLiteral("jobName"), QStringLiteral("hello_job") },
                   { QStringLiteral("runConfigData"),
                     QStringLiteral("ops:\n  hello:\n    config:\n      name: yaml\n") } })
                .value(QLatin1StringView("launchRun"))
                .toObject();
        if (typeName(result) == QLatin1StringView("RunConfigValidationInvalid")) {
            // hello_job's op may have another name: show what the code location said.
            QFAIL(QJsonDocument(result).toJson().constData());
        }
        QCOMPARE(typeName(result), QStringLiteral("LaunchRunSuccess"));
        const QJsonObject run = obj(result.value(QLatin1StringView("run")));
        QCOMPARE(run.value(QLatin1StringView("jobName")).toString(), QStringLiteral("hello_job"));
        QVERIFY(run.value(QLatin1StringView("tags"))
                    .toArray()
                    .contains(QJsonObject { { QStringLiteral("key"), QStringLiteral("source") },
                                            { QStringLiteral("value"), QStringLiteral("docs") } }));
        const QString runId = run.value(QLatin1StringView("runId")).toString();
        QCOMPARE(waitForEnd(runId), QStringLiteral("SUCCESS"));
        const auto stored = m_instance->storage().runs().run(runId);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->runConfig,
                 QJsonDocument::fromJson(R"({"ops":{"hello":{"config":{"name":"yaml"}}}})").object());
    }

    void rejectsInvalidYamlAsAVariableError()
    {
        const QJsonObject response =
            request(m_ops.value(QStringLiteral("user launchRun with a job selector")),
                    { { QStringLiteral("repositoryLocationName"), m_location },
                      { QStringLiteral("repositoryName"), m_repository },
                      { QStringLiteral("jobName"), QStringLiteral("hello_job") },
                      { QStringLiteral("runConfigData"), QStringLiteral("ops: [unclosed") } });
        const QString message = response.value(QLatin1StringView("errors"))
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(QLatin1StringView("message"))
                                    .toString();
        QVERIFY2(message.startsWith(QLatin1StringView("Variable \"$runConfigData\" got invalid value")),
                 qPrintable(message));
        QVERIFY2(message.contains(QLatin1StringView("not valid YAML")), qPrintable(message));
    }

    void reportsConfigErrorsWithPaths()
    {
        // A value of the wrong type, an unknown field, and a missing required field.
        const QJsonObject mismatch = submit(
            QStringLiteral("fanout_job"),
            QJsonObject {
                { QStringLiteral("ops"),
                  QJsonObject {
                      { QStringLiteral("fan_out"),
                        QJsonObject { { QStringLiteral("config"),
                                        QJsonObject { { QStringLiteral("count"), QStringLiteral("many") },
                                                      { QStringLiteral("colour"), 1 } } } } } } } });
        QCOMPARE(typeName(mismatch), QStringLiteral("RunConfigValidationInvalid"));
        QMap<QString, QJsonObject> byReason;
        for (const QJsonValue &e : mismatch.value(QLatin1StringView("errors")).toArray())
            byReason.insert(obj(e).value(QLatin1StringView("reason")).toString(), obj(e));
        QCOMPARE(typeName(byReason.value(QStringLiteral("RUNTIME_TYPE_MISMATCH"))),
                 QStringLiteral("RuntimeMismatchConfigError"));
        QCOMPARE(byReason.value(QStringLiteral("RUNTIME_TYPE_MISMATCH"))
                     .value(QLatin1StringView("path"))
                     .toArray(),
                 (QJsonArray { QStringLiteral("ops"), QStringLiteral("fan_out"), QStringLiteral("config"),
                               QStringLiteral("count") }));
        QCOMPARE(typeName(byReason.value(QStringLiteral("FIELD_NOT_DEFINED"))),
                 QStringLiteral("FieldNotDefinedConfigError"));
        QCOMPARE(
            byReason.value(QStringLiteral("FIELD_NOT_DEFINED")).value(QLatin1StringView("path")).toArray(),
            (QJsonArray { QStringLiteral("ops"), QStringLiteral("fan_out"), QStringLiteral("config") }));

        const QJsonObject missing =
            data(m_ops.value(QStringLiteral("user launchRun with a job selector")),
                 { { QStringLiteral("repositoryLocationName"), m_location },
                   { QStringLiteral("repositoryName"), m_repository },
                   { QStringLiteral("jobName"), QStringLiteral("env_check_job") },
                   { QStringLiteral("runConfigData"),
                     QJsonObject { { QStringLiteral("ops"),
                                     QJsonObject { { QStringLiteral("check_env"),
                                                     QJsonObject { { QStringLiteral("config"),
                                                                     QJsonObject() } } } } } } } })
                .value(QLatin1StringView("launchRun"))
                .toObject();
        QCOMPARE(typeName(missing), QStringLiteral("RunConfigValidationInvalid"));
        const QJsonObject error = missing.value(QLatin1StringView("errors")).toArray().first().toObject();
        QCOMPARE(error.value(QLatin1StringView("reason")).toString(),
                 QStringLiteral("MISSING_REQUIRED_FIELD"));
        QCOMPARE(
            error.value(QLatin1StringView("path")).toArray(),
            (QJsonArray { QStringLiteral("ops"), QStringLiteral("check_env"), QStringLiteral("config") }));
        const QJsonObject field = obj(error.value(QLatin1StringView("field")));
        QCOMPARE(field.value(QLatin1StringView("name")).toString(), QStringLiteral("names"));
        QCOMPARE(field.value(QLatin1StringView("isRequired")).toBool(), true);
        QCOMPARE(field.value(QLatin1StringView("configTypeKey")).toString(), QStringLiteral("Array.String"));
        // No run was created for either.
        const QJsonObject runs =
            data(QStringLiteral(
                     "{ runsOrError(filter: {pipelineName: \"env_check_job\"}) { ... on Runs { count } } }"))
                .value(QLatin1StringView("runsOrError"))
                .toObject();
        QCOMPARE(runs.value(QLatin1StringView("count")).toInt(), 0);
    }

    void reportsUnknownJobsAndLocations()
    {
        const QJsonObject unknownJob = submit(QStringLiteral("no_such_job"), QJsonObject());
        QCOMPARE(typeName(unknownJob), QStringLiteral("PipelineNotFoundError"));
        QCOMPARE(unknownJob.value(QLatin1StringView("message")).toString(),
                 QStringLiteral("Could not find Pipeline %1.%2.no_such_job").arg(m_location, m_repository));
        QJsonObject params = executionParams(QStringLiteral("hello_job"), QJsonObject());
        QJsonObject selector = params.value(QLatin1StringView("selector")).toObject();
        selector.insert(QStringLiteral("repositoryLocationName"), QStringLiteral("elsewhere"));
        params.insert(QStringLiteral("selector"), selector);
        const QJsonObject unknownLocation =
            data(m_ops.value(QStringLiteral("client submit_job_execution (launchPipelineExecution)")),
                 { { QStringLiteral("executionParams"), params } })
                .value(QLatin1StringView("launchPipelineExecution"))
                .toObject();
        QCOMPARE(typeName(unknownLocation), QStringLiteral("PipelineNotFoundError"));
    }

    void answersRunQueries()
    {
        QVERIFY(!m_successfulRun.isEmpty());
        const QJsonObject missing = data(m_ops.value(QStringLiteral("user runOrError")),
                                         { { QStringLiteral("runId"), QStringLiteral("nope") } })
                                        .value(QLatin1StringView("runOrError"))
                                        .toObject();
        QCOMPARE(typeName(missing), QStringLiteral("RunNotFoundError"));
        QCOMPARE(missing.value(QLatin1StringView("message")).toString(),
                 QStringLiteral("Run nope could not be found."));
        const QJsonObject status =
            data(m_ops.value(QStringLiteral("client get_run_status (pipelineRunOrError)")),
                 { { QStringLiteral("runId"), QStringLiteral("nope") } })
                .value(QLatin1StringView("pipelineRunOrError"))
                .toObject();
        QCOMPARE(typeName(status), QStringLiteral("RunNotFoundError"));

        // runsOrError: filter by tag and status; paging with limit + cursor; count.
        const QString query = m_ops.value(QStringLiteral("user runsOrError with filter and paging"));
        const QJsonObject tagged =
            data(
                query,
                { { QStringLiteral("filter"),
                    QJsonObject {
                        { QStringLiteral("tags"),
                          QJsonArray { QJsonObject { { QStringLiteral("key"), QStringLiteral("team") },
                                                     { QStringLiteral("value"), QStringLiteral("lif") } } } },
                        { QStringLiteral("statuses"), QJsonArray { QStringLiteral("SUCCESS") } } } } })
                .value(QLatin1StringView("runsOrError"))
                .toObject();
        QCOMPARE(typeName(tagged), QStringLiteral("Runs"));
        QCOMPARE(tagged.value(QLatin1StringView("count")).toInt(), 1);
        QCOMPARE(obj(tagged.value(QLatin1StringView("results")).toArray().first())
                     .value(QLatin1StringView("runId"))
                     .toString(),
                 m_successfulRun);
        const QJsonObject all = data(query).value(QLatin1StringView("runsOrError")).toObject();
        const int total = all.value(QLatin1StringView("count")).toInt();
        QVERIFY(total >= 2);
        QCOMPARE(all.value(QLatin1StringView("results")).toArray().size(), total);
        const QJsonObject first = data(query, { { QStringLiteral("limit"), 1 } })
                                      .value(QLatin1StringView("runsOrError"))
                                      .toObject();
        const QJsonArray firstPage = first.value(QLatin1StringView("results")).toArray();
        QCOMPARE(firstPage.size(), 1);
        const QJsonObject second =
            data(query,
                 { { QStringLiteral("limit"), 1 },
                   { QStringLiteral("cursor"), obj(firstPage.first()).value(QLatin1StringView("runId")) } })
                .value(QLatin1StringView("runsOrError"))
                .toObject();
        QCOMPARE(
            obj(second.value(QLatin1StringView("results")).toArray().first())
                .value(QLatin1StringView("runId")),
            obj(all.value(QLatin1StringView("results")).toArray().at(1)).value(QLatin1StringView("runId")));
        const QJsonObject bad =
            data(query,
                 { { QStringLiteral("filter"), QJsonObject { { QStringLiteral("runIds"), QJsonArray() } } } })
                .value(QLatin1StringView("runsOrError"))
                .toObject();
        QCOMPARE(bad.value(QLatin1StringView("results")).toArray().size(), 0);
    }

    void pagesThroughARunsLogs()
    {
        QVERIFY(!m_successfulRun.isEmpty());
        const QString query = m_ops.value(QStringLiteral("user logsForRun"));
        const QJsonObject all = data(query, { { QStringLiteral("runId"), m_successfulRun } })
                                    .value(QLatin1StringView("logsForRun"))
                                    .toObject();
        QCOMPARE(typeName(all), QStringLiteral("EventConnection"));
        QCOMPARE(all.value(QLatin1StringView("hasMore")).toBool(), false);
        const QJsonArray events = all.value(QLatin1StringView("events")).toArray();
        QStringList types;
        for (const QJsonValue &e : events)
            types.append(typeName(e));
        QCOMPARE(types.first(), QStringLiteral("RunStartingEvent"));
        QVERIFY(types.contains(QStringLiteral("RunStartEvent")));
        QCOMPARE(types.count(QStringLiteral("ExecutionStepStartEvent")), 5);
        QVERIFY(types.contains(QStringLiteral("ExecutionStepOutputEvent")));
        QCOMPARE(types.last(), QStringLiteral("RunSuccessEvent"));
        const QJsonObject start = events.first().toObject();
        QCOMPARE(start.value(QLatin1StringView("pipelineName")).toString(), QStringLiteral("fanout_job"));
        QCOMPARE(start.value(QLatin1StringView("eventType")).toString(), QStringLiteral("RUN_STARTING"));
        QCOMPARE(start.value(QLatin1StringView("level")).toString(), QStringLiteral("INFO"));
        QVERIFY(start.value(QLatin1StringView("timestamp")).toString().toLongLong() > 1600000000000LL);

        // The same events in pages of 4, each from the previous cursor.
        QStringList paged;
        QString cursor;
        for (int page = 0; page < 100; ++page) {
            QJsonObject vars { { QStringLiteral("runId"), m_successfulRun }, { QStringLiteral("limit"), 4 } };
            if (!cursor.isEmpty())
                vars.insert(QStringLiteral("afterCursor"), cursor);
            const QJsonObject conn = data(query, vars).value(QLatin1StringView("logsForRun")).toObject();
            for (const QJsonValue &e : conn.value(QLatin1StringView("events")).toArray())
                paged.append(typeName(e));
            cursor = conn.value(QLatin1StringView("cursor")).toString();
            if (!conn.value(QLatin1StringView("hasMore")).toBool())
                break;
        }
        QCOMPARE(paged, types);
        // Polling after the end returns nothing new and keeps the cursor.
        const QJsonObject after =
            data(query,
                 { { QStringLiteral("runId"), m_successfulRun }, { QStringLiteral("afterCursor"), cursor } })
                .value(QLatin1StringView("logsForRun"))
                .toObject();
        QCOMPARE(after.value(QLatin1StringView("events")).toArray().size(), 0);
        QCOMPARE(after.value(QLatin1StringView("cursor")).toString(), cursor);

        const QJsonObject unknown = data(query, { { QStringLiteral("runId"), QStringLiteral("nope") } })
                                        .value(QLatin1StringView("logsForRun"))
                                        .toObject();
        QCOMPARE(typeName(unknown), QStringLiteral("RunNotFoundError"));
    }

    void terminatesARunningRun()
    {
        const QJsonObject result = submit(
            QStringLiteral("fanout_job"),
            QJsonObject { { QStringLiteral("ops"),
                            QJsonObject { { QStringLiteral("fan_out"),
                                            QJsonObject { { QStringLiteral("config"),
                                                            QJsonObject { { QStringLiteral("count"), 2 },
                                                                          { QStringLiteral("sleep_ms"),
                                                                            60000 } } } } } } } });
        QCOMPARE(typeName(result), QStringLiteral("LaunchRunSuccess"));
        const QString runId =
            obj(result.value(QLatin1StringView("run"))).value(QLatin1StringView("runId")).toString();
        QCOMPARE(waitForStatus(runId, QStringLiteral("STARTED")), QStringLiteral("STARTED"));

        // A viewer may not terminate it.
        const QJsonObject denied = data(m_ops.value(QStringLiteral("client terminate_run")),
                                        { { QStringLiteral("runId"), runId } }, Role::Viewer)
                                       .value(QLatin1StringView("terminateRun"))
                                       .toObject();
        QCOMPARE(typeName(denied), QStringLiteral("UnauthorizedError"));

        const QJsonObject terminated = data(m_ops.value(QStringLiteral("client terminate_run")),
                                            { { QStringLiteral("runId"), runId } }, Role::Launcher)
                                           .value(QLatin1StringView("terminateRun"))
                                           .toObject();
        QCOMPARE(typeName(terminated), QStringLiteral("TerminateRunSuccess"));
        QCOMPARE(obj(terminated.value(QLatin1StringView("run"))).value(QLatin1StringView("runId")).toString(),
                 runId);
        QCOMPARE(waitForEnd(runId), QStringLiteral("CANCELED"));

        // Terminating it again fails with Dagster's message; unknown runs are RunNotFoundError.
        const QJsonObject again =
            data(m_ops.value(QStringLiteral("client terminate_run")), { { QStringLiteral("runId"), runId } })
                .value(QLatin1StringView("terminateRun"))
                .toObject();
        QCOMPARE(typeName(again), QStringLiteral("TerminateRunFailure"));
        QCOMPARE(again.value(QLatin1StringView("message")).toString(),
                 QStringLiteral("Run %1 could not be terminated due to having status CANCELED.").arg(runId));
        const QJsonObject many =
            data(m_ops.value(QStringLiteral("client terminate_runs")),
                 { { QStringLiteral("runIds"), QJsonArray { runId, QStringLiteral("nope") } } })
                .value(QLatin1StringView("terminateRuns"))
                .toObject();
        QCOMPARE(typeName(many), QStringLiteral("TerminateRunsResult"));
        const QJsonArray results = many.value(QLatin1StringView("terminateRunResults")).toArray();
        QCOMPARE(typeName(results.at(0)), QStringLiteral("TerminateRunFailure"));
        QCOMPARE(typeName(results.at(1)), QStringLiteral("RunNotFoundError"));
        QCOMPARE(obj(results.at(1)).value(QLatin1StringView("runId")).toString(), QStringLiteral("nope"));
        m_canceledRun = runId;
    }

    void enforcesRolesOnMutations()
    {
        const QJsonObject viewerLaunch = submit(QStringLiteral("hello_job"), QJsonObject(), {}, Role::Viewer);
        QCOMPARE(typeName(viewerLaunch), QStringLiteral("UnauthorizedError"));
        QVERIFY(
            data(QStringLiteral("{ runsOrError { ... on Runs { results { runId } } } }"), {}, Role::Viewer)
                .value(QLatin1StringView("runsOrError"))
                .isObject());
        const QString del =
            QStringLiteral("mutation($id: String!) { deleteRun(runId: $id) { __typename ... on "
                           "DeletePipelineRunSuccess { runId } ... on PythonError { message } } }");
        QCOMPARE(typeName(data(del, { { QStringLiteral("id"), m_canceledRun } }, Role::Launcher)
                              .value(QLatin1StringView("deleteRun"))),
                 QStringLiteral("UnauthorizedError"));
        QCOMPARE(typeName(data(del, { { QStringLiteral("id"), m_canceledRun } }, Role::Admin)
                              .value(QLatin1StringView("deleteRun"))),
                 QStringLiteral("DeletePipelineRunSuccess"));
        QCOMPARE(typeName(data(del, { { QStringLiteral("id"), m_canceledRun } }, Role::Admin)
                              .value(QLatin1StringView("deleteRun"))),
                 QStringLiteral("RunNotFoundError"));
        // HTTP GET carries queries only.
        const QJsonObject get =
            request(QStringLiteral("mutation { reloadWorkspace { __typename } }"), {}, Role::Admin, false);
        QCOMPARE(get.value(QLatin1StringView("errors"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1StringView("message"))
                     .toString(),
                 QStringLiteral("Can only perform a mutation operation from a POST request."));
        QVERIFY(!get.contains(QLatin1StringView("data")));
    }

    void describesJobsConfigSchemasAndTheInstance()
    {
        const QJsonObject selector { { QStringLiteral("repositoryLocationName"), m_location },
                                     { QStringLiteral("repositoryName"), m_repository },
                                     { QStringLiteral("pipelineName"), QStringLiteral("fanout_job") } };
        const QJsonObject schema = data(m_ops.value(QStringLiteral("user run config schema")),
                                        { { QStringLiteral("selector"), selector } })
                                       .value(QLatin1StringView("runConfigSchemaOrError"))
                                       .toObject();
        QCOMPARE(typeName(schema), QStringLiteral("RunConfigSchema"));
        QVERIFY2(schema.value(QLatin1StringView("rootDefaultYaml"))
                     .toString()
                     .contains(QLatin1StringView("count: 10")),
                 qPrintable(schema.value(QLatin1StringView("rootDefaultYaml")).toString()));
        const QJsonObject root = obj(schema.value(QLatin1StringView("rootConfigType")));
        QVERIFY(root.value(QLatin1StringView("key")).toString().startsWith(QLatin1StringView("Shape.")));
        QStringList rootFields;
        for (const QJsonValue &f : root.value(QLatin1StringView("fields")).toArray())
            rootFields.append(obj(f).value(QLatin1StringView("name")).toString());
        QVERIFY2(rootFields.contains(QStringLiteral("ops")), qPrintable(rootFields.join(QLatin1Char(','))));
        QStringList kinds;
        for (const QJsonValue &t : schema.value(QLatin1StringView("allConfigTypes")).toArray())
            kinds.append(typeName(t));
        QVERIFY(kinds.contains(QStringLiteral("CompositeConfigType")));
        QVERIFY(kinds.contains(QStringLiteral("RegularConfigType")));
        QVERIFY(kinds.contains(QStringLiteral("ArrayConfigType")));

        const QJsonObject valid =
            data(m_ops.value(QStringLiteral("user is config valid")),
                 { { QStringLiteral("selector"), selector }, { QStringLiteral("config"), QJsonObject() } })
                .value(QLatin1StringView("isPipelineConfigValid"))
                .toObject();
        QCOMPARE(typeName(valid), QStringLiteral("PipelineConfigValidationValid"));
        const QJsonObject invalid =
            data(m_ops.value(QStringLiteral("user is config valid")),
                 { { QStringLiteral("selector"), selector },
                   { QStringLiteral("config"),
                     QStringLiteral("ops:\n  fan_out:\n    config:\n      fail_keys: [1, {}]\n") } })
                .value(QLatin1StringView("isPipelineConfigValid"))
                .toObject();
        QCOMPARE(typeName(invalid), QStringLiteral("RunConfigValidationInvalid"));
        const QJsonObject listError = invalid.value(QLatin1StringView("errors")).toArray().last().toObject();
        const QJsonArray entries =
            obj(listError.value(QLatin1StringView("stack"))).value(QLatin1StringView("entries")).toArray();
        QCOMPARE(typeName(entries.last()), QStringLiteral("EvaluationStackListItemEntry"));

        const QJsonObject jobs =
            data(m_ops.value(QStringLiteral("user jobs of a repository with config schema")),
                 { { QStringLiteral("selector"),
                     QJsonObject { { QStringLiteral("repositoryLocationName"), m_location },
                                   { QStringLiteral("repositoryName"), m_repository } } } })
                .value(QLatin1StringView("repositoryOrError"))
                .toObject();
        QCOMPARE(typeName(jobs), QStringLiteral("Repository"));
        QVERIFY(jobs.value(QLatin1StringView("jobs")).toArray().size() >= 5);

        const QJsonObject both = data(m_ops.value(QStringLiteral("user workspace and instance")));
        const QJsonObject instanceInfo = obj(both.value(QLatin1StringView("instance")));
        QCOMPARE(obj(instanceInfo.value(QLatin1StringView("runLauncher")))
                     .value(QLatin1StringView("name"))
                     .toString(),
                 QStringLiteral("DefaultRunLauncher"));
        QCOMPARE(instanceInfo.value(QLatin1StringView("runQueuingSupported")).toBool(), false);
        QStringList daemons;
        for (const QJsonValue &d : obj(instanceInfo.value(QLatin1StringView("daemonHealth")))
                                       .value(QLatin1StringView("allDaemonStatuses"))
                                       .toArray())
            daemons.append(obj(d).value(QLatin1StringView("daemonType")).toString());
        QVERIFY(daemons.contains(QStringLiteral("SCHEDULER")));
        const QJsonArray entriesW = obj(both.value(QLatin1StringView("workspaceOrError")))
                                        .value(QLatin1StringView("locationEntries"))
                                        .toArray();
        QCOMPARE(entriesW.size(), 1);
        QCOMPARE(typeName(obj(entriesW.first()).value(QLatin1StringView("locationOrLoadError"))),
                 QStringLiteral("RepositoryLocation"));
        QVERIFY(!both.value(QLatin1StringView("version")).toString().isEmpty());
    }

    void reExecutesARun()
    {
        QVERIFY(!m_successfulRun.isEmpty());
        const QJsonObject result =
            data(QStringLiteral("mutation($id: String!) { launchRunReexecution(reexecutionParams: "
                                "{parentRunId: $id, strategy: ALL_STEPS}) "
                                "{ __typename ... on LaunchRunSuccess { run { runId parentRunId rootRunId "
                                "tags { key value } } } ... on PythonError { message } } }"),
                 { { QStringLiteral("id"), m_successfulRun } })
                .value(QLatin1StringView("launchRunReexecution"))
                .toObject();
        QCOMPARE(typeName(result), QStringLiteral("LaunchRunSuccess"));
        const QJsonObject run = obj(result.value(QLatin1StringView("run")));
        QCOMPARE(run.value(QLatin1StringView("parentRunId")).toString(), m_successfulRun);
        QCOMPARE(run.value(QLatin1StringView("rootRunId")).toString(), m_successfulRun);
        QVERIFY(run.value(QLatin1StringView("tags"))
                    .toArray()
                    .contains(QJsonObject { { QStringLiteral("key"), QStringLiteral("team") },
                                            { QStringLiteral("value"), QStringLiteral("lif") } }));
        QCOMPARE(waitForEnd(run.value(QLatin1StringView("runId")).toString()), QStringLiteral("SUCCESS"));
    }

    void reloadsAndShutsDownTheLocation()
    {
        const QString reload = m_ops.value(QStringLiteral("client reload_repository_location"));
        const QJsonObject reloaded =
            data(reload, { { QStringLiteral("repositoryLocationName"), m_location } })
                .value(QLatin1StringView("reloadRepositoryLocation"))
                .toObject();
        QCOMPARE(typeName(reloaded), QStringLiteral("WorkspaceLocationEntry"));
        const QJsonObject loaded = obj(reloaded.value(QLatin1StringView("locationOrLoadError")));
        QCOMPARE(typeName(loaded), QStringLiteral("RepositoryLocation"));
        QCOMPARE(loaded.value(QLatin1StringView("isReloadSupported")).toBool(), true);
        QCOMPARE(typeName(data(reload,
                               { { QStringLiteral("repositoryLocationName"), QStringLiteral("elsewhere") } })
                              .value(QLatin1StringView("reloadRepositoryLocation"))),
                 QStringLiteral("RepositoryLocationNotFound"));

        const QString shutdown = m_ops.value(QStringLiteral("client shutdown_repository_location"));
        QCOMPARE(typeName(data(shutdown, { { QStringLiteral("repositoryLocationName"), m_location } },
                               Role::Launcher)
                              .value(QLatin1StringView("shutdownRepositoryLocation"))),
                 QStringLiteral("UnauthorizedError"));
        QCOMPARE(typeName(data(shutdown, { { QStringLiteral("repositoryLocationName"), m_location } })
                              .value(QLatin1StringView("shutdownRepositoryLocation"))),
                 QStringLiteral("ShutdownRepositoryLocationSuccess"));
        QVERIFY(m_codeServer.waitForFinished(15000));
        // With the location down, lookups say so instead of failing the request.
        const QJsonObject workspace =
            data(QStringLiteral("{ workspaceOrError { ... on Workspace { locationEntries { "
                                "locationOrLoadError { __typename ... on PythonError { message } } } } } }"));
        const QJsonObject entry = obj(obj(workspace.value(QLatin1StringView("workspaceOrError")))
                                          .value(QLatin1StringView("locationEntries"))
                                          .toArray()
                                          .first());
        QCOMPARE(typeName(entry.value(QLatin1StringView("locationOrLoadError"))),
                 QStringLiteral("PythonError"));
        QCOMPARE(typeName(submit(QStringLiteral("hello_job"), QJsonObject())), QStringLiteral("PythonError"));
    }

private:
    QString m_successfulRun;
    QString m_canceledRun;
};

QTEST_GUILESS_MAIN(TestGraphqlApi)
#include "tst_graphqlapi.moc"
