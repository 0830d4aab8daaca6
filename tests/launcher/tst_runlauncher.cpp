// Run launchers chosen by dagster.yaml, and what they do with a run: failures end it FAILURE with
// a RUN_FAILURE that names the problem, the DockerRunLauncher's requests to a (fake) engine, worker
// checks, termination and clean-up. A real code location server runs in process; storage is SQLite.
#include "fakedockerserver.h"

#include <lifdag/codelocation/client.h>
#include <lifdag/codelocation/server.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/dockerrunlauncher.h>
#include <lifdag/launcher/launcher.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace lifdag;
using namespace lifdag::launcher;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

using Routes = QList<QPair<QByteArray, QByteArray>>; // "METHOD /path-prefix" → complete response

test::FakeDockerServer::Handler routes(const Routes &table)
{
    return [table](const test::FakeRequest &r) {
        const QByteArray key = r.method + ' ' + r.target;
        for (const auto &[prefix, reply] : table) {
            if (key.startsWith(prefix))
                return test::FakeReply { { reply } };
        }
        return test::FakeReply { { test::FakeDockerServer::response(
            404, R"({"message":"no route in the fake engine for )" + key + R"("})") } };
    };
}

QByteArray json(int status, const QByteArray &body)
{
    return test::FakeDockerServer::response(status, body);
}

} // namespace

class TestRunLauncher : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::shared_ptr<instance::Instance> m_instance;
    std::unique_ptr<codelocation::Server> m_server;

    config::RunLauncherConfig launcherConfig(const QByteArray &runLauncherYaml)
    {
        const auto parsed = config::parseInstance(runLauncherYaml, u"dagster.yaml"_s, m_home.path());
        if (!parsed)
            qFatal("%s", qPrintable(parsed.error().message));
        return parsed->runLauncher;
    }

    // A Docker launcher config whose SQLite storage the container could reach (a mounted home).
    config::RunLauncherConfig dockerConfig(const QByteArray &extra = {})
    {
        return launcherConfig(
            "run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n  config:\n"
            "    container_kwargs:\n      entrypoint: \"\"\n      volumes: [\""
            + m_home.path().toUtf8() + ':' + m_home.path().toUtf8() + "\"]\n" + extra);
    }

    LauncherContext dockerContext(const QString &socket)
    {
        LauncherContext context;
        context.environment = QProcessEnvironment();
        context.environment.insert(u"DOCKER_HOST"_s, u"unix://"_s + socket);
        return context;
    }

    storage::RunRecord addRun(RunStatus status, const QString &location = u"unit"_s)
    {
        storage::RunRecord run;
        run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        run.jobName = u"hello_job"_s;
        run.locationName = location;
        run.repositoryName = u"__repository__"_s;
        run.status = status;
        if (const Status s = m_instance->storage().runs().addRun(run); !s)
            qFatal("%s", qPrintable(s.error().message));
        return run;
    }

    storage::RunRecord stored(const QString &runId)
    {
        return m_instance->storage().runs().run(runId)->value();
    }

    QList<Event> events(const QString &runId) { return *m_instance->storage().events().events(runId); }

    // The run ended FAILURE and its last event is a RUN_FAILURE whose message contains every part.
    void verifyFailedWith(const QString &runId, const QStringList &parts)
    {
        QCOMPARE(stored(runId).status, RunStatus::Failure);
        const QList<Event> evs = events(runId);
        QVERIFY(!evs.isEmpty());
        QCOMPARE(evs.first().eventType, u"RUN_STARTING"_s);
        QCOMPARE(evs.last().eventType, u"RUN_FAILURE"_s);
        QCOMPARE(evs.last().level, u"ERROR"_s);
        for (const QString &part : parts)
            QVERIFY2(evs.last().message.contains(part),
                     qPrintable(evs.last().message + u" lacks: "_s + part));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;

        codelocation::ServerOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.locationName = u"unit"_s;
        options.containerContext.envVars = { u"CTX_INLINE=inline value"_s };
        std::shared_ptr<instance::Instance> instance = m_instance;
        options.checkLaunching = [instance](const QString &runId) -> Status {
            const auto run = instance->storage().runs().run(runId);
            if (!run->has_value())
                return Error { u"codelocation.not_found"_s, u"run %1 not found"_s.arg(runId) };
            if ((*run)->status != RunStatus::Starting)
                return Error { u"codelocation.not_starting"_s, u"run %1 is not STARTING"_s.arg(runId) };
            return {};
        };
        m_server =
            std::make_unique<codelocation::Server>(options, std::make_shared<execution::JobRegistry>());
        QVERIFY(m_server->start().ok());
        QFile ws(QDir(m_home.path()).filePath(u"workspace.yaml"_s));
        QVERIFY(ws.open(QIODevice::WriteOnly));
        ws.write(u"load_from:\n  - grpc_server: {host: 127.0.0.1, port: %1, location_name: unit}\n"_s
                     .arg(m_server->port())
                     .toUtf8());
        ws.close();
        // Re-open: the workspace is read at open.
        opened = instance::Instance::open(m_home.path());
        QVERIFY(opened.ok());
        m_instance = *opened;
        qunsetenv("DAGSTER_CURRENT_IMAGE");
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_instance.reset();
    }

    void selectsTheConfiguredLauncher_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("className");
        QTest::newRow("no run_launcher") << QByteArray() << u"DefaultRunLauncher"_s;
        QTest::newRow("DefaultRunLauncher") << QByteArray("run_launcher:\n  module: dagster.core.launcher\n"
                                                          "  class: DefaultRunLauncher\n")
                                            << u"DefaultRunLauncher"_s;
        QTest::newRow("DockerRunLauncher")
            << QByteArray("run_launcher:\n  module: dagster_docker\n"
                          "  class: DockerRunLauncher\n  config:\n    image: x:1\n")
            << u"DockerRunLauncher"_s;
    }

    void selectsTheConfiguredLauncher()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, className);
        QCOMPARE(makeRunLauncher(launcherConfig(yaml), *m_instance)->className(), className);
    }

    void instanceCheckFindsLauncherMistakes_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("default launcher") << QByteArray() << QString();
        QTest::newRow("docker, sqlite mounted")
            << QByteArray("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n  config:\n"
                          "    container_kwargs:\n      volumes: [\"HOME:HOME\"]\n")
            << QString();
        QTest::newRow("docker, sqlite out of reach")
            << QByteArray("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n")
            << u"which a run's container cannot reach"_s;
        QTest::newRow("docker, unsupported kwarg")
            << QByteArray("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n  config:\n"
                          "    container_kwargs:\n      volumes: [\"HOME:HOME\"]\n      detach: true\n")
            << u"container_kwargs.detach: not supported"_s;
    }

    void instanceCheckFindsLauncherMistakes()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        yaml.replace("HOME", m_home.path().toUtf8());
        const auto config = config::parseInstance(yaml, u"dagster.yaml"_s, m_home.path());
        QVERIFY(config.ok());
        const Status s = validateRunLauncherConfig(*config);
        if (error.isEmpty()) {
            QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        } else {
            QVERIFY(!s.ok());
            QVERIFY2(s.error().message.contains(error), qPrintable(s.error().message));
        }
    }

    void runEnvironmentOnlyForStartingRuns()
    {
        const codelocation::Client client(u"127.0.0.1:%1"_s.arg(m_server->port()));
        qputenv("DAGSTER_CURRENT_IMAGE", "img:from-location");
        qputenv("USER_CODE_PASSED", "passed on");
        const auto starting = client.runLaunchContext(addRun(RunStatus::Starting).runId);
        qunsetenv("DAGSTER_CURRENT_IMAGE");
        qunsetenv("USER_CODE_PASSED");
        QVERIFY2(starting.ok(), qPrintable(starting.ok() ? QString() : starting.error().message));
        QCOMPARE(starting->image, u"img:from-location"_s);
        QCOMPARE(starting->locationName, u"unit"_s);
        QVERIFY(starting->env.contains(u"CTX_INLINE=inline value"_s));
        QVERIFY(starting->env.contains(u"USER_CODE_PASSED=passed on"_s));

        const auto queued = client.runLaunchContext(addRun(RunStatus::Queued).runId);
        QVERIFY(!queued.ok());
        QVERIFY2(queued.error().message.contains(u"not STARTING"_s), qPrintable(queued.error().message));
        const auto unknown = client.runLaunchContext(u"no-such-run"_s);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, u"codelocation.not_found"_s);
    }

    void defaultLauncherFailureEndsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting, u"nowhere"_s);
        const Status s = makeRunLauncher(launcherConfig({}), *m_instance)->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId, { u"DefaultRunLauncher could not start run"_s, u"\"nowhere\""_s });
    }

    void defaultLauncherReportsAWorkerItNeverStartedAsNotFound()
    {
        const storage::RunRecord run = addRun(RunStatus::Started);
        const auto launcher = makeRunLauncher(launcherConfig({}), *m_instance);
        const WorkerState state = launcher->checkWorker(run);
        QCOMPARE(state.kind, WorkerState::Kind::NotFound);
        QVERIFY2(state.message.contains(u"has no worker for run"_s), qPrintable(state.message));
        const auto terminated = launcher->terminate(run);
        QVERIFY(terminated.ok());
        QVERIFY(!*terminated);
    }

    void dockerWithoutAnyImageFailsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(routes({}));
        const Status s =
            makeRunLauncher(dockerConfig(), *m_instance, dockerContext(engine.socketPath()))->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId,
                         { u"no image to run"_s, u"run_launcher.config.image"_s, u"DAGSTER_CURRENT_IMAGE"_s,
                           u"code location \"unit\""_s });
        QVERIFY(engine.requests().isEmpty());
    }

    void dockerWithoutTheSocketFailsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        LauncherContext context;
        context.environment = QProcessEnvironment();
        context.environment.insert(u"DOCKER_HOST"_s, u"unix:///nonexistent/lifdag-test/docker.sock"_s);
        const Status s =
            makeRunLauncher(dockerConfig("    image: img:1\n"), *m_instance, context)->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId, { u"/nonexistent/lifdag-test/docker.sock does not exist"_s });
    }

    void dockerWithSqliteStorageOutOfReachFailsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(routes({}));
        const auto config =
            launcherConfig("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n"
                           "  config:\n    image: img:1\n");
        const Status s =
            makeRunLauncher(config, *m_instance, dockerContext(engine.socketPath()))->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId, { u"SQLite"_s, u"cannot reach"_s });
    }

    void dockerWithAnUnknownNetworkFailsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(routes(
            { { "GET /v1.41/networks/lif-net-nope",
                json(
                    404,
                    R"({"message":"unable to find network with name or ID lif-net-nope: network not found"})") } }));
        const Status s = makeRunLauncher(dockerConfig("    image: img:1\n    network: lif-net-nope\n"),
                                         *m_instance, dockerContext(engine.socketPath()))
                             ->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId,
                         { u"network \"lif-net-nope\""_s, u"does not exist"_s,
                           u"unable to find network with name or ID lif-net-nope"_s });
    }

    void dockerWithAMissingImageFailsTheRunWithTheEnginesWords()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(
            routes({ { "GET /v1.41/images/",
                       json(404, R"({"message":"failed to find image nope:1: No such image"})") } }));
        const Status s = makeRunLauncher(dockerConfig("    image: nope:1\n"), *m_instance,
                                         dockerContext(engine.socketPath()))
                             ->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(run.runId,
                         { u"image \"nope:1\" is not on the Docker Engine"_s,
                           u"failed to find image nope:1: No such image"_s, u"registry"_s });
        for (const test::FakeRequest &r : engine.requests())
            QVERIFY(!r.target.contains("/images/create")); // no registry configured: no pull
    }

    void dockerPullsAMissingImageFromTheConfiguredRegistry()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        int inspections = 0;
        test::FakeDockerServer engine([&](const test::FakeRequest &r) {
            if (r.target.startsWith("/v1.41/images/registry.example/lif/code:2/json"))
                return test::FakeReply { { ++inspections == 1 ? json(404, R"({"message":"No such image"})")
                                                              : json(200, R"({"Config":{}})") } };
            if (r.target.startsWith("/v1.41/images/create"))
                return test::FakeReply { { test::FakeDockerServer::chunkedResponse(
                    200, "{\"status\":\"Pulling\"}\n{\"status\":\"Downloaded\"}\n", 7) } };
            if (r.target.startsWith("/v1.41/containers/create"))
                return test::FakeReply { { json(201, R"({"Id":"c0ffee","Warnings":[]})") } };
            return test::FakeReply { { json(204, {}) } };
        });
        const Status s = makeRunLauncher(dockerConfig("    image: registry.example/lif/code:2\n"
                                                      "    registry: {url: registry.example, username: u, "
                                                      "password: registry-secret}\n"),
                                         *m_instance, dockerContext(engine.socketPath()))
                             ->launch(run);
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        const QList<test::FakeRequest> requests = engine.requests();
        const auto pull = std::find_if(requests.begin(), requests.end(), [](const test::FakeRequest &r) {
            return r.target.contains("/images/create");
        });
        QVERIFY(pull != requests.end());
        QCOMPARE(pull->target, QByteArray("/v1.41/images/create?fromImage=registry.example/lif/code&tag=2"));
        const QJsonObject auth =
            QJsonDocument::fromJson(
                QByteArray::fromBase64(pull->header("X-Registry-Auth"), QByteArray::Base64UrlEncoding))
                .object();
        QCOMPARE(auth.value(u"serveraddress"_s).toString(), u"registry.example"_s);
        QCOMPARE(auth.value(u"password"_s).toString(), u"registry-secret"_s);
        for (const Event &e : events(run.runId))
            QVERIFY(!e.message.contains(u"registry-secret"_s));
    }

    void dockerCreatesAndStartsTheRunsContainer()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(routes({
            { "GET /v1.41/images/", json(200, R"({"Id":"sha256:1","Config":{"Entrypoint":["/entry.sh"]}})") },
            { "POST /v1.41/containers/create", json(201, R"({"Id":"0123456789abcdef0123","Warnings":[]})") },
            { "POST /v1.41/containers/0123456789abcdef0123/start", json(204, {}) },
        }));
        qputenv("DAGSTER_CURRENT_IMAGE", "img:from-location");
        const Status s =
            makeRunLauncher(dockerConfig(), *m_instance, dockerContext(engine.socketPath()))->launch(run);
        qunsetenv("DAGSTER_CURRENT_IMAGE");
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));

        const QList<test::FakeRequest> requests = engine.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests[0].target, QByteArray("/v1.41/images/img:from-location/json"));
        QCOMPARE(requests[1].target,
                 QString(u"/v1.41/containers/create?name=lifdag-run-"_s + run.runId).toUtf8());
        const QJsonObject body = QJsonDocument::fromJson(requests[1].body).object();
        QCOMPARE(body.value(u"Image"_s).toString(), u"img:from-location"_s);
        QCOMPARE(body.value(u"Entrypoint"_s).toArray(), QJsonArray { QString() });
        const QStringList env = body.value(u"Env"_s).toVariant().toStringList();
        QVERIFY(env.contains(u"CTX_INLINE=inline value"_s));
        QVERIFY(std::any_of(env.begin(), env.end(),
                            [](const QString &e) { return e.startsWith(u"LIFDAG_INSTANCE_YAML="_s); }));
        QCOMPARE(body.value(u"Labels"_s).toObject().value(u"lifdag/run_id"_s).toString(), run.runId);
        QCOMPARE(requests[2].target, QByteArray("/v1.41/containers/0123456789abcdef0123/start"));

        QCOMPARE(stored(run.runId).containerId, u"0123456789abcdef0123"_s);
        QCOMPARE(stored(run.runId).status, RunStatus::Starting); // the worker moves it on
        const QList<Event> evs = events(run.runId);
        QCOMPARE(evs.size(), 2);
        QCOMPARE(evs[0].eventType, u"RUN_STARTING"_s);
        QCOMPARE(evs[1].eventType, u"ENGINE_EVENT"_s);
        QVERIFY(evs[1].message.contains(u"lifdag-run-"_s + run.runId));
        QCOMPARE(evs[1].payload.value(u"container_id"_s).toString(), u"0123456789abcdef0123"_s);
        QVERIFY(!QJsonDocument(evs[1].payload).toJson().contains("inline value")); // no env values in events
    }

    void dockerStartFailureRemovesTheContainerAndFailsTheRun()
    {
        const storage::RunRecord run = addRun(RunStatus::Starting);
        test::FakeDockerServer engine(routes({
            { "GET /v1.41/images/", json(200, R"({"Config":{}})") },
            { "POST /v1.41/containers/create", json(201, R"({"Id":"deadbeef"})") },
            { "POST /v1.41/containers/deadbeef/start",
              json(
                  500,
                  R"({"message":"crun: executable file `lifdag` not found in $PATH: OCI runtime attempted to invoke a command that was not found"})") },
            { "DELETE /v1.41/containers/deadbeef", json(204, {}) },
        }));
        const Status s = makeRunLauncher(dockerConfig("    image: img:1\n"), *m_instance,
                                         dockerContext(engine.socketPath()))
                             ->launch(run);
        QVERIFY(!s.ok());
        verifyFailedWith(
            run.runId,
            { u"starting container lifdag-run-"_s, u"executable file `lifdag` not found"_s, u"HTTP 500"_s });
        QCOMPARE(engine.requests().last().method, QByteArray("DELETE"));
    }

    void dockerChecksTheContainerState_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<int>("signal");
        QTest::addColumn<QString>("message");
        QTest::newRow("running") << json(200, R"({"State":{"Status":"running","Running":true}})")
                                 << int(WorkerState::Kind::Running) << 0 << 0 << QString();
        QTest::newRow("exited 0") << json(200, R"({"State":{"Status":"exited","ExitCode":0}})")
                                  << int(WorkerState::Kind::Exited) << 0 << 0 << QString();
        QTest::newRow("exited 2") << json(200, R"({"State":{"Status":"exited","ExitCode":2}})")
                                  << int(WorkerState::Kind::Exited) << 2 << 0 << QString();
        QTest::newRow("killed") << json(200,
                                        R"({"State":{"Status":"exited","ExitCode":137,"OOMKilled":true}})")
                                << int(WorkerState::Kind::Exited) << 137 << 9 << u"out of memory"_s;
        QTest::newRow("created, never started")
            << json(200, R"({"State":{"Status":"created"}})") << int(WorkerState::Kind::NotFound) << 0 << 0
            << u"never started"_s;
        QTest::newRow("gone") << json(404, R"({"message":"no such container"})")
                              << int(WorkerState::Kind::NotFound) << 0 << 0 << u"does not exist"_s;
        QTest::newRow("engine error") << json(500, R"({"message":"storage is locked"})")
                                      << int(WorkerState::Kind::Unknown) << 0 << 0 << u"storage is locked"_s;
    }

    void dockerChecksTheContainerState()
    {
        QFETCH(QByteArray, reply);
        QFETCH(int, kind);
        QFETCH(int, exitCode);
        QFETCH(int, signal);
        QFETCH(QString, message);
        const storage::RunRecord run = addRun(RunStatus::Started);
        test::FakeDockerServer engine(
            routes({ { "GET /v1.41/containers/lifdag-run-" + run.runId.toUtf8() + "/json", reply } }));
        const WorkerState state =
            makeRunLauncher(dockerConfig(), *m_instance, dockerContext(engine.socketPath()))
                ->checkWorker(run);
        QCOMPARE(int(state.kind), kind);
        QCOMPARE(state.exitCode, exitCode);
        QCOMPARE(state.signal, signal);
        QVERIFY2(state.message.contains(message), qPrintable(state.describe()));
    }

    void dockerCheckWithoutAnEngineIsUnknown()
    {
        LauncherContext context;
        context.environment = QProcessEnvironment();
        context.environment.insert(u"DOCKER_HOST"_s, u"unix:///nonexistent/docker.sock"_s);
        const WorkerState state =
            makeRunLauncher(dockerConfig(), *m_instance, context)->checkWorker(addRun(RunStatus::Started));
        QCOMPARE(state.kind, WorkerState::Kind::Unknown);
        QVERIFY(state.describe().startsWith(u"unknown: the Docker Engine socket /nonexistent/docker.sock"_s));
    }

    void dockerTerminateStopsTheContainer_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("stopped");
        QTest::newRow("stopped") << 204 << true;
        QTest::newRow("already stopped") << 304 << false;
        QTest::newRow("no container") << 404 << false;
    }

    void dockerTerminateStopsTheContainer()
    {
        QFETCH(int, status);
        QFETCH(bool, stopped);
        const storage::RunRecord run = addRun(RunStatus::Canceling);
        test::FakeDockerServer engine(routes({ { "POST /v1.41/containers/", json(status, "{}") } }));
        LauncherContext context = dockerContext(engine.socketPath());
        context.terminateGraceSeconds = 7;
        const auto result = makeRunLauncher(dockerConfig(), *m_instance, context)->terminate(run);
        QVERIFY(result.ok());
        QCOMPARE(*result, stopped);
        QCOMPARE(engine.requests().first().target,
                 QString(u"/v1.41/containers/lifdag-run-"_s + run.runId + u"/stop?t=7"_s).toUtf8());
    }

    void dockerRemovesOnlyContainersOfEndedRuns()
    {
        const storage::RunRecord ended = addRun(RunStatus::Starting);
        QVERIFY(*m_instance->storage().runs().transition(ended.runId, RunStatus::Success, {}));
        const storage::RunRecord live = addRun(RunStatus::Started);
        auto container = [](const char *id, const char *state, const QString &runId) {
            return QJsonObject { { u"Id"_s, QString::fromLatin1(id) },
                                 { u"State"_s, QString::fromLatin1(state) },
                                 { u"Labels"_s, QJsonObject { { u"lifdag/run_id"_s, runId } } } };
        };
        const QJsonArray list {
            container("c-ended", "exited", ended.runId),
            container("c-ended-restarted", "running", ended.runId), // not finished: left alone
            container("c-live", "exited", live.runId), // the monitor still reads its exit code
            container("c-other-instance", "dead", u"not-in-this-storage"_s),
        };
        test::FakeDockerServer engine(routes({
            { "GET /v1.41/containers/json",
              test::FakeDockerServer::chunkedResponse(200, QJsonDocument(list).toJson(), 50) },
            { "DELETE /v1.41/containers/", json(204, {}) },
        }));
        const auto removed = makeRunLauncher(dockerConfig(), *m_instance, dockerContext(engine.socketPath()))
                                 ->removeFinishedWorkers();
        QVERIFY2(removed.ok(), qPrintable(removed.ok() ? QString() : removed.error().message));
        QCOMPARE(*removed, 1);
        const QList<test::FakeRequest> requests = engine.requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[0].target,
                 QByteArray(
                     "/v1.41/containers/json?all=true&filters=%7B%22label%22:%5B%22lifdag/run_id%22%5D%7D"));
        QCOMPARE(requests[1].target, QByteArray("/v1.41/containers/c-ended?v=true"));

        // auto_remove: false keeps every container for inspection.
        test::FakeDockerServer keeping(routes({}));
        const auto keepConfig =
            launcherConfig("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n"
                           "  config:\n    container_kwargs: {auto_remove: false}\n");
        const auto kept = makeRunLauncher(keepConfig, *m_instance, dockerContext(keeping.socketPath()))
                              ->removeFinishedWorkers();
        QVERIFY(kept.ok());
        QCOMPARE(*kept, 0);
        QVERIFY(keeping.requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunLauncher)
#include "tst_runlauncher.moc"
