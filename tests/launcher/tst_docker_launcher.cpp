// The DockerRunLauncher for real: podman serves the Docker Engine API (ctest fixture `podman`), the
// code location image is built from docker/Dockerfile.code_location with the lifdag binary of this
// build, runs execute in their own containers against the throwaway PostgreSQL server (host
// network), and the engine's own errors reach the runs' RUN_FAILURE events.
#include "testsupport.h"

#include <lifdag/codelocation/client.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/dockerrunlauncher.h>
#include <lifdag/launcher/launcher.h>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <functional>

using namespace lifdag;
using namespace lifdag::launcher;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QString kBaseImage = u"localhost/lifdag-debian:bookworm"_s;

QString digest(const char *value)
{
    return QString::fromLatin1(QCryptographicHash::hash(value, QCryptographicHash::Sha256).toHex());
}

// KEY=value lines of a fixture's state file.
QMap<QString, QString> readEnvFile(const QString &path)
{
    QMap<QString, QString> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0)
            out.insert(line.left(eq), line.mid(eq + 1));
    }
    return out;
}

// Runs a program to its end; the exit code, with stdout+stderr in `output`.
int run(const QString &program, const QStringList &args, QString *output, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        *output = p.errorString();
        return -1;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        *output = QString::fromUtf8(p.readAll()) + u"\n(timed out)"_s;
        return -1;
    }
    *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

// Docker's multiplexed log stream (8-byte frame headers) as text.
QString demuxLogs(const QByteArray &raw)
{
    QByteArray out;
    qsizetype i = 0;
    while (i + 8 <= raw.size()) {
        const quint32 len = (quint32(quint8(raw[i + 4])) << 24) | (quint32(quint8(raw[i + 5])) << 16)
            | (quint32(quint8(raw[i + 6])) << 8) | quint32(quint8(raw[i + 7]));
        out += raw.mid(i + 8, len);
        i += 8 + len;
    }
    return QString::fromUtf8(out.isEmpty() ? raw : out);
}

} // namespace

class TestDockerLauncher : public QObject
{
    Q_OBJECT

    QString m_skip;
    QString m_socket;
    test::PgServer m_pg;
    QString m_database;
    QTemporaryDir m_home;
    QString m_image;
    QProcess m_codeServer; // with DAGSTER_CURRENT_IMAGE
    QProcess m_plainCodeServer; // without: the launcher has no image unless configured
    std::shared_ptr<instance::Instance> m_instance;
    std::unique_ptr<DockerClient> m_docker;
    QString m_launcherYaml;

    static bool insidePodman() { return QFileInfo::exists(u"/run/.containerenv"_s); }

    void writeFile(const QString &name, const QByteArray &text)
    {
        QFile f(QDir(m_home.path()).filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }

    // Starts `lifdag code-server` on a free port; returns the port.
    int startCodeServer(QProcess &process, const QString &location, const QProcessEnvironment &env)
    {
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::SeparateChannels);
        process.start(test::lifdagExecutable(),
                      { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s,
                        u"--location-name"_s, location, u"--container-context"_s,
                        uR"({"env_vars": ["CTX_ONLY_VARIABLE", "CTX_INLINE=inline value"]})"_s });
        if (!process.waitForStarted())
            return 0;
        QElapsedTimer t;
        t.start();
        QString out;
        while (t.elapsed() < 15000 && !out.contains(u"listening"_s)) {
            process.waitForReadyRead(200);
            out += QString::fromUtf8(process.readAllStandardOutput());
        }
        const auto m = QRegularExpression(u"listening on [^:]+:(\\d+)"_s).match(out);
        if (!m.hasMatch())
            qWarning("code server %s did not start: %s %s", qPrintable(location), qPrintable(out),
                     qPrintable(QString::fromUtf8(process.readAllStandardError())));
        return m.hasMatch() ? m.captured(1).toInt() : 0;
    }

    // Imports a tiny image (this machine's /usr/bin/true and the libraries it links) through the
    // API and runs it; empty, or what went wrong.
    QString probeEngine()
    {
        QTemporaryDir root;
        QString output;
        if (run(u"ldd"_s, { u"/usr/bin/true"_s }, &output, 10000) != 0)
            return u"ldd /usr/bin/true: "_s + output;
        QStringList files { u"/usr/bin/true"_s };
        for (const auto &m : QRegularExpression(u"(/\\S+)"_s).globalMatch(output))
            files << m.captured(1);
        for (const QString &f : std::as_const(files)) {
            const QString real = QFileInfo(f).canonicalFilePath();
            const QString to = root.path() + f;
            QDir().mkpath(QFileInfo(to).path());
            if (!QFile::copy(real, to) || !QFile::setPermissions(to, QFile::permissions(real)))
                return u"cannot copy "_s + f;
        }
        const QString tarPath =
            QDir::temp().filePath(u"lifdag-engine-probe-%1.tar"_s.arg(QCoreApplication::applicationPid()));
        const int rc = run(u"tar"_s, { u"-C"_s, root.path(), u"-cf"_s, tarPath, u"."_s }, &output, 30000);
        QFile tar(tarPath);
        if (rc != 0 || !tar.open(QIODevice::ReadOnly))
            return u"tar: "_s + output;
        const QByteArray archive = tar.readAll();
        tar.remove();
        // Engines differ in how they name an import (podman ignores repo/tag): use its id.
        const auto imported = m_docker->request("POST", u"/images/create?fromSrc=-"_s, archive,
                                                { { "Content-Type", "application/x-tar" } });
        if (!imported || imported->status != 200 || !DockerClient::streamError(imported->body).isEmpty())
            return u"importing a probe image: "_s
                + (!imported                     ? imported.error().message
                       : imported->status != 200 ? DockerClient::engineMessage(*imported)
                                                 : DockerClient::streamError(imported->body));
        QString image;
        for (const QByteArray &line : imported->body.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            for (const QString &key : { u"id"_s, u"status"_s }) {
                if (o.value(key).toString().startsWith(u"sha256:"_s))
                    image = o.value(key).toString();
            }
        }
        if (image.isEmpty())
            return u"the engine did not say which image it imported: "_s
                + QString::fromUtf8(imported->body.left(300));
        const QString error = runProbeContainer(image, { u"/usr/bin/true"_s });
        (void)m_docker->request("DELETE", u"/images/%1?force=true"_s.arg(image));
        return error;
    }

    // `command` in a throwaway container of `image`; empty, or what went wrong.
    QString runProbeContainer(const QString &image, const QStringList &command)
    {
        const QJsonObject body { { u"Image"_s, image },
                                 { u"Entrypoint"_s, QJsonArray { QString() } },
                                 { u"Cmd"_s, QJsonArray::fromStringList(command) },
                                 { u"HostConfig"_s, QJsonObject { { u"NetworkMode"_s, u"host"_s } } } };
        const auto created = m_docker->postJson(u"/containers/create"_s, QJsonDocument(body));
        if (!created || created->status != 201)
            return created ? DockerClient::engineMessage(*created) : created.error().message;
        const QString id = created->json().object().value(u"Id"_s).toString();
        QString error;
        const auto started = m_docker->request("POST", u"/containers/%1/start"_s.arg(id));
        if (!started || started->status != 204) {
            error = started ? DockerClient::engineMessage(*started) : started.error().message;
        } else {
            const auto waited = m_docker->request("POST", u"/containers/%1/wait"_s.arg(id));
            const int code = waited ? waited->json().object().value(u"StatusCode"_s).toInt(-1) : -1;
            if (code != 0)
                error = u"%1 exited with %2: %3"_s.arg(command.join(u' ')).arg(code).arg(containerLogsOf(id));
        }
        (void)m_docker->request("DELETE", u"/containers/%1?force=true"_s.arg(id));
        return error;
    }

    QString containerLogsOf(const QString &idOrName)
    {
        const auto logs = m_docker->get(u"/containers/%1/logs?stdout=true&stderr=true"_s.arg(idOrName));
        if (!logs)
            return logs.error().message;
        return demuxLogs(logs->body).right(4000);
    }

    config::RunLauncherConfig launcherConfig(const QString &extra)
    {
        const auto parsed =
            config::parseInstance((m_launcherYaml + extra).toUtf8(), u"dagster.yaml"_s, m_home.path());
        if (!parsed)
            qFatal("%s", qPrintable(parsed.error().message));
        return parsed->runLauncher;
    }

    storage::RunRecord addStartingRun(const QString &location = u"docker_e2e"_s)
    {
        storage::RunRecord run;
        run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        run.jobName = u"hello_job"_s;
        run.locationName = location;
        run.repositoryName = u"__repository__"_s;
        run.status = RunStatus::Starting;
        if (const Status s = m_instance->storage().runs().addRun(run); !s)
            qFatal("%s", qPrintable(s.error().message));
        return run;
    }

    storage::RunRecord submit(const QString &job, const QJsonObject &config)
    {
        SubmitRequest request;
        request.jobName = job;
        request.locationName = u"docker_e2e"_s;
        request.runConfig = config;
        const auto outcome = submitRun(*m_instance, request);
        if (!outcome.ok() || !outcome->run)
            qFatal("submit failed: %s",
                   qPrintable(outcome.ok() ? u"invalid config"_s : outcome.error().message));
        return *outcome->run;
    }

    storage::RunRecord stored(const QString &runId) { return **m_instance->storage().runs().run(runId); }

    // Waits until `condition` holds; gives up early when the run's container exited while the run
    // is still live (its worker died: the container's output says why).
    bool waitUntil(const QString &runId, const std::function<bool()> &condition, int timeoutMs)
    {
        const auto launcher = makeRunLauncher(m_instance->config().runLauncher, *m_instance);
        QElapsedTimer t;
        t.start();
        qint64 lastCheck = 0;
        qint64 exitedAt = -1;
        while (t.elapsed() < timeoutMs) {
            if (condition())
                return true;
            if (t.elapsed() - lastCheck > 1000) {
                lastCheck = t.elapsed();
                const storage::RunRecord run = stored(runId);
                const bool dead =
                    !isTerminal(run.status) && launcher->checkWorker(run).kind == WorkerState::Kind::Exited;
                if (!dead)
                    exitedAt = -1;
                else if (exitedAt < 0)
                    exitedAt = t.elapsed();
                else if (t.elapsed() - exitedAt > 3000)
                    return condition();
            }
            QThread::msleep(20);
        }
        return condition();
    }

    storage::RunRecord waitForEnd(const QString &runId, int timeoutMs)
    {
        waitUntil(
            runId, [&] { return isTerminal(stored(runId).status); }, timeoutMs);
        return stored(runId);
    }

    QList<Event> events(const QString &runId) { return *m_instance->storage().events().events(runId); }

    QStringList eventTypes(const QString &runId)
    {
        QStringList out;
        for (const Event &e : events(runId))
            out << e.eventType;
        return out;
    }

    // What a run's container printed, for failure messages.
    QString containerLogs(const QString &runId) { return containerLogsOf(containerName(runId)); }

    QJsonObject inspect(const QString &runId, int *status)
    {
        const auto reply = m_docker->get(u"/containers/%1/json"_s.arg(containerName(runId)));
        *status = reply ? reply->status : 0;
        return reply ? reply->json().object() : QJsonObject {};
    }

    const Event *lastEvent(const QList<Event> &evs, const QString &type)
    {
        for (qsizetype i = evs.size() - 1; i >= 0; --i) {
            if (evs[i].eventType == type)
                return &evs[i];
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString stateFile = qEnvironmentVariable("LIFDAG_TEST_PODMAN_ENV");
        QVERIFY2(!stateFile.isEmpty(),
                 "LIFDAG_TEST_PODMAN_ENV is not set: run this test through ctest (fixture podman)");
        const QMap<QString, QString> state = readEnvFile(stateFile);
        m_skip = state.value(u"LIFDAG_TEST_PODMAN_SKIP"_s);
        if (!m_skip.isEmpty())
            QSKIP(qPrintable(m_skip));
        m_socket = state.value(u"LIFDAG_TEST_PODMAN_SOCKET"_s);
        QVERIFY2(
            !m_socket.isEmpty(),
            qPrintable(stateFile + u": no podman socket (the podman_start fixture failed or did not run)"_s));
        m_docker = std::make_unique<DockerClient>(m_socket, 60s);

        // Can this engine run containers at all? Nested inside a podman container it may not
        // (no permission to mount /proc): that, and only that, is a reason to skip.
        const QString engineError = probeEngine();
        if (!engineError.isEmpty() && insidePodman())
            QSKIP(qPrintable(u"nested podman (inside a podman container) cannot run containers: "_s
                             + engineError));
        QVERIFY2(engineError.isEmpty(), qPrintable(u"the engine cannot run a container: "_s + engineError));

        // The offline base image (made once, then cached by the engine).
        QElapsedTimer timer;
        timer.start();
        QString output;
        int rc = run(QStringLiteral(LIFDAG_SOURCE_DIR "/scripts/podman-base.sh"), { kBaseImage }, &output,
                     20 * 60 * 1000);
        QVERIFY2(rc == 0, qPrintable(u"scripts/podman-base.sh failed: "_s + output));
        qInfo("base image %s ready in %.1f s", qPrintable(kBaseImage), timer.elapsed() / 1000.0);

        // The code location image from the project's Dockerfile, with this build's binary.
        QTemporaryDir context;
        QVERIFY(QDir().mkpath(context.filePath(u"docker"_s)));
        const QDir dockerDir(QStringLiteral(LIFDAG_SOURCE_DIR "/docker"));
        for (const QString &name : dockerDir.entryList(QDir::Files)) {
            const QString from = QStringLiteral(LIFDAG_SOURCE_DIR "/docker/") + name;
            const QString to = context.filePath(u"docker/"_s + name);
            QVERIFY2(QFile::copy(from, to), qPrintable(from));
            QVERIFY(QFile::setPermissions(to, QFile::permissions(from)));
        }
        const QString binary = context.filePath(u"lifdag"_s);
        if (!QStandardPaths::findExecutable(u"strip"_s).isEmpty())
            QCOMPARE(run(u"strip"_s, { u"-o"_s, binary, test::lifdagExecutable() }, &output, 120000), 0);
        else
            QVERIFY(QFile::copy(test::lifdagExecutable(), binary));
        m_image = u"localhost/lifdag-code-location:ctest-%1"_s.arg(QCoreApplication::applicationPid());
        timer.restart();
        rc = run(u"podman"_s,
                 { u"build"_s, u"--format"_s, u"docker"_s, u"--layers"_s, u"-f"_s,
                   context.filePath(u"docker/Dockerfile.code_location"_s), u"--target"_s, u"prebuilt"_s,
                   u"--build-arg"_s, u"BASE_IMAGE="_s + kBaseImage, u"--build-arg"_s,
                   u"LIFDAG_BINARY=lifdag"_s, u"-t"_s, m_image, context.path() },
                 &output, 20 * 60 * 1000);
        QVERIFY2(rc == 0, qPrintable(u"podman build failed:\n"_s + output.right(4000)));
        const auto image = m_docker->get(u"/images/%1/json"_s.arg(m_image));
        QVERIFY(image.ok() && image->status == 200);
        qInfo("image %s built in %.1f s, %.1f MB", qPrintable(m_image), timer.elapsed() / 1000.0,
              image->json().object().value(u"Size"_s).toDouble() / 1e6);

        const QString probeError = runProbeContainer(m_image, { u"lifdag"_s, u"--version"_s });
        QVERIFY2(probeError.isEmpty(), qPrintable(u"the engine cannot run the image: "_s + probeError));

        // Storage: a database of its own on the throwaway server; the containers reach it on
        // 127.0.0.1 through the host network.
        m_pg = test::pgServer();
        QVERIFY2(m_pg.ok(), qPrintable(m_pg.error));
        m_database = u"lifdag_docker_"_s + QUuid::createUuid().toString(QUuid::Id128).left(10);
        QCOMPARE(test::pgAdmin(m_pg, u"CREATE DATABASE "_s + m_database), QString());
        qputenv("LIFDAG_DOCKER_E2E_PG_PASSWORD", m_pg.password.toUtf8());
        m_launcherYaml = u"storage:\n  postgres:\n    postgres_db:\n      hostname: %1\n      port: %2\n"
                         u"      username: %3\n      password: {env: LIFDAG_DOCKER_E2E_PG_PASSWORD}\n"
                         u"      db_name: %4\n"
                         u"run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n  config:\n"
                         u"    network: host\n    env_vars: [\"LIFDAG_E2E_LAUNCHER_VAR=from the launcher\"]\n"
                         u"    container_kwargs:\n      entrypoint: \"\"\n"_s.arg(m_pg.host)
                             .arg(m_pg.port)
                             .arg(m_pg.user, m_database);
        writeFile(u"dagster.yaml"_s, m_launcherYaml.toUtf8());
        qputenv("DAGSTER_HOME", m_home.path().toUtf8());
        qputenv("DOCKER_HOST", (u"unix://"_s + m_socket).toUtf8());

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s, u"adapter-secret-value"_s);
        env.insert(u"CTX_ONLY_VARIABLE"_s, u"context secret value"_s);
        env.remove(u"DAGSTER_CURRENT_IMAGE"_s);
        const int plainPort = startCodeServer(m_plainCodeServer, u"no_image"_s, env);
        QVERIFY(plainPort > 0);
        env.insert(u"DAGSTER_CURRENT_IMAGE"_s, m_image);
        const int port = startCodeServer(m_codeServer, u"docker_e2e"_s, env);
        QVERIFY(port > 0);
        writeFile(u"workspace.yaml"_s,
                  u"load_from:\n  - grpc_server: {host: 127.0.0.1, port: %1, location_name: docker_e2e}\n"
                  u"  - grpc_server: {host: 127.0.0.1, port: %2, location_name: no_image}\n"_s.arg(port)
                      .arg(plainPort)
                      .toUtf8());
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;
        QCOMPARE(m_instance->config().runLauncher.kind, config::RunLauncherConfig::Kind::Docker);
        for (int p : { port, plainPort })
            QVERIFY(codelocation::Client(u"127.0.0.1:%1"_s.arg(p)).waitUntilServing(10s).ok());
    }

    void cleanupTestCase()
    {
        for (QProcess *p : { &m_codeServer, &m_plainCodeServer }) {
            if (p->state() == QProcess::Running) {
                p->terminate();
                p->waitForFinished(15000);
            }
        }
        if (m_docker && !m_image.isEmpty()) {
            // Containers a failed test left behind, then the image (its layers stay cached).
            const QJsonObject filters { { u"ancestor"_s, QJsonArray { m_image } } };
            const auto left =
                m_docker->get(u"/containers/json?all=true&filters="_s
                              + QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
            for (const QJsonValue &c : left ? left->json().array() : QJsonArray {})
                (void)m_docker->request("DELETE", u"/containers/%1?force=true"_s.arg(c[u"Id"_s].toString()));
            (void)m_docker->request("DELETE", u"/images/%1?force=true"_s.arg(m_image));
        }
        m_instance.reset();
        if (!m_database.isEmpty())
            (void)test::pgAdmin(m_pg, u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
    }

    void runExecutesInItsOwnContainerAndSucceeds()
    {
        const QJsonArray names { u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s, u"CTX_ONLY_VARIABLE"_s,
                                 u"CTX_INLINE"_s, u"LIFDAG_E2E_LAUNCHER_VAR"_s };
        QElapsedTimer t;
        t.start();
        const storage::RunRecord submitted = submit(
            u"env_check_job"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject {
                      { u"check_env"_s,
                        QJsonObject { { u"config"_s, QJsonObject { { u"names"_s, names } } } } } } } });
        const qint64 launchedMs = t.elapsed();
        const storage::RunRecord done = waitForEnd(submitted.runId, 120000);
        const qint64 doneMs = t.elapsed();
        QVERIFY2(done.status == RunStatus::Success,
                 qPrintable(runStatusName(done.status) + u" - events: "_s + eventTypes(done.runId).join(u' ')
                            + u"\ncontainer output:\n"_s + containerLogs(done.runId)));

        // The variables reached the container (compared by digest; values are never stored).
        QCOMPARE(done.result.value(u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s).toString(),
                 digest("adapter-secret-value"));
        QCOMPARE(done.result.value(u"CTX_ONLY_VARIABLE"_s).toString(), digest("context secret value"));
        QCOMPARE(done.result.value(u"CTX_INLINE"_s).toString(), digest("inline value"));
        QCOMPARE(done.result.value(u"LIFDAG_E2E_LAUNCHER_VAR"_s).toString(), digest("from the launcher"));

        const QList<Event> evs = events(done.runId);
        QCOMPARE(evs.first().eventType, u"RUN_STARTING"_s);
        const Event *started = lastEvent(evs, u"ENGINE_EVENT"_s);
        QVERIFY(started);
        QVERIFY(started->message.contains(u"lifdag-run-"_s + done.runId));
        QVERIFY(started->message.contains(m_image));
        QCOMPARE(evs.last().eventType, u"RUN_SUCCESS"_s);
        for (const Event &e : evs) {
            const QString text = e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson());
            QVERIFY(!text.contains(u"adapter-secret-value"_s));
            QVERIFY(!text.contains(m_pg.password));
        }

        // The container: labelled, exited 0; the monitor sees it exited.
        int status = 0;
        const QJsonObject container = inspect(done.runId, &status);
        QCOMPARE(status, 200);
        QCOMPARE(container.value(u"Config"_s)
                     .toObject()
                     .value(u"Labels"_s)
                     .toObject()
                     .value(u"lifdag/run_id"_s)
                     .toString(),
                 done.runId);
        QCOMPARE(container.value(u"Config"_s)
                     .toObject()
                     .value(u"Labels"_s)
                     .toObject()
                     .value(u"lifdag/job"_s)
                     .toString(),
                 u"env_check_job"_s);
        QCOMPARE(container.value(u"Config"_s).toObject().value(u"User"_s).toString(), u"lifdag"_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            inspect(done.runId, &status).value(u"State"_s).toObject().value(u"Status"_s).toString(),
            u"exited"_s, 10000);
        const auto launcher = makeRunLauncher(m_instance->config().runLauncher, *m_instance);
        const WorkerState state = launcher->checkWorker(done);
        QCOMPARE(state.kind, WorkerState::Kind::Exited);
        QCOMPARE(state.exitCode, 0);

        const double createMs = started->payload.value(u"create_ms"_s).toDouble();
        const double startMs = started->payload.value(u"start_ms"_s).toDouble();
        const qint64 toStarted = started->timestamp.msecsTo(done.startedAt);
        const qint64 toSuccess = started->timestamp.msecsTo(done.endedAt);
        qInfo("container create %.0f ms, start %.0f ms; started container -> run STARTED %lld ms -> SUCCESS "
              "%lld ms; "
              "submit (incl. image/network checks) %lld ms, submit -> SUCCESS seen %lld ms",
              createMs, startMs - createMs, toStarted, toSuccess, launchedMs, doneMs);

        // Ended run: its container is removed by the clean-up pass.
        const auto removed = launcher->removeFinishedWorkers();
        QVERIFY2(removed.ok(), qPrintable(removed.ok() ? QString() : removed.error().message));
        QVERIFY(*removed >= 1);
        inspect(done.runId, &status);
        QCOMPARE(status, 404);
        QCOMPARE(launcher->checkWorker(done).kind, WorkerState::Kind::NotFound);
    }

    void cancelStopsTheContainer()
    {
        const storage::RunRecord submitted = submit(
            u"fanout_job"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject { { u"fan_out"_s,
                                  QJsonObject { { u"config"_s,
                                                  QJsonObject { { u"count"_s, 3 },
                                                                { u"sleep_ms"_s, 60000 } } } } } } } });
        QVERIFY2(
            waitUntil(
                submitted.runId, [&] { return eventTypes(submitted.runId).count(u"STEP_START"_s) >= 2; },
                60000),
            qPrintable(eventTypes(submitted.runId).join(u' ') + u"\n"_s + containerLogs(submitted.runId)));
        const auto launcher = makeRunLauncher(m_instance->config().runLauncher, *m_instance);
        const storage::RunRecord running = **m_instance->storage().runs().run(submitted.runId);
        QCOMPARE(launcher->checkWorker(running).kind, WorkerState::Kind::Running);

        QElapsedTimer t;
        t.start();
        const auto stopped = launcher->terminate(running);
        QVERIFY2(stopped.ok(), qPrintable(stopped.ok() ? QString() : stopped.error().message));
        QVERIFY(*stopped);
        const storage::RunRecord done = waitForEnd(submitted.runId, 30000);
        QCOMPARE(done.status, RunStatus::Canceled);
        QVERIFY2(t.elapsed() < 10000,
                 qPrintable(QString::number(t.elapsed()))); // SIGTERM, not the SIGKILL after 10 s
        QCOMPARE(eventTypes(done.runId).last(), u"RUN_CANCELED"_s);
        const WorkerState state = launcher->checkWorker(done);
        QCOMPARE(state.kind, WorkerState::Kind::Exited);
        QCOMPARE(state.signal, 0);
        qInfo("cancel: container stopped and run CANCELED after %lld ms", t.elapsed());
        const auto again = launcher->terminate(done);
        QVERIFY(again.ok());
        QVERIFY(!*again); // nothing left to stop
        QVERIFY(launcher->removeFinishedWorkers().ok());
    }

    void killedContainerIsSeenExitedBySignal()
    {
        const storage::RunRecord submitted = submit(
            u"fanout_job"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject { { u"fan_out"_s,
                                  QJsonObject { { u"config"_s,
                                                  QJsonObject { { u"count"_s, 2 },
                                                                { u"sleep_ms"_s, 60000 } } } } } } } });
        QVERIFY2(
            waitUntil(
                submitted.runId, [&] { return eventTypes(submitted.runId).contains(u"STEP_START"_s); },
                60000),
            qPrintable(eventTypes(submitted.runId).join(u' ') + u"\n"_s + containerLogs(submitted.runId)));
        const auto killed = m_docker->request(
            "POST", u"/containers/%1/kill?signal=KILL"_s.arg(containerName(submitted.runId)));
        QVERIFY(killed.ok() && killed->status == 204);
        const auto launcher = makeRunLauncher(m_instance->config().runLauncher, *m_instance);
        const storage::RunRecord run = **m_instance->storage().runs().run(submitted.runId);
        QTRY_COMPARE_WITH_TIMEOUT(launcher->checkWorker(run).kind, WorkerState::Kind::Exited, 10000);
        const WorkerState state = launcher->checkWorker(run);
        QCOMPARE(state.exitCode, 137);
        QCOMPARE(state.signal, 9);
        QCOMPARE(run.status, RunStatus::Started); // ending it is the run monitor's part
        QVERIFY(
            failRun(*m_instance, run.runId, u"run worker exited unexpectedly ("_s + state.describe() + u')')
                .ok());
        const auto removed = launcher->removeFinishedWorkers();
        QVERIFY2(removed.ok(), qPrintable(removed.ok() ? QString() : removed.error().message));
        QVERIFY(*removed >= 1);
    }

    void misconfigurationFailsTheRunWithTheReason_data()
    {
        QTest::addColumn<QString>("extra"); // appended to the launcher config
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("dockerHost");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("image not on the engine")
            << u"    image: localhost/lifdag-no-such-image:missing\n"_s << u"docker_e2e"_s << QString()
            << QStringList {
                   u"image \"localhost/lifdag-no-such-image:missing\" is not on the Docker Engine"_s,
                   u"No such image"_s, u"HTTP 404"_s
               };
        QTest::newRow("image name the engine rejects")
            << u"    image: \"Not A/valid image!\"\n"_s << u"docker_e2e"_s << QString()
            << QStringList { u"rejected image \"Not A/valid image!\""_s, u"invalid reference format"_s };
        QTest::newRow("no image anywhere")
            << QString() << u"no_image"_s << QString()
            << QStringList { u"no image to run"_s, u"code location \"no_image\""_s };
        QTest::newRow("unknown network")
            << u"    networks: [lifdag-no-such-network]\n"_s << u"docker_e2e"_s << QString()
            << QStringList { u"network \"lifdag-no-such-network\""_s, u"unable to find network"_s };
        QTest::newRow("socket missing")
            << QString() << u"docker_e2e"_s << u"unix:///nonexistent/docker.sock"_s
            << QStringList { u"/nonexistent/docker.sock does not exist"_s };
    }

    void misconfigurationFailsTheRunWithTheReason()
    {
        QFETCH(QString, extra);
        QFETCH(QString, location);
        QFETCH(QString, dockerHost);
        QFETCH(QStringList, expected);
        const config::RunLauncherConfig config = launcherConfig(extra);
        LauncherContext context;
        if (!dockerHost.isEmpty())
            context.environment.insert(u"DOCKER_HOST"_s, dockerHost);
        const storage::RunRecord run = addStartingRun(location);
        QElapsedTimer t;
        t.start();
        const Status s = makeRunLauncher(config, *m_instance, context)->launch(run);
        QVERIFY(!s.ok());
        QVERIFY(t.elapsed() < 15000);
        const storage::RunRecord failed = **m_instance->storage().runs().run(run.runId);
        QCOMPARE(failed.status, RunStatus::Failure);
        const QList<Event> evs = events(run.runId);
        QCOMPARE(evs.last().eventType, u"RUN_FAILURE"_s);
        for (const QString &part : expected)
            QVERIFY2(evs.last().message.contains(part),
                     qPrintable(evs.last().message + u"\nlacks: "_s + part));
        int status = 0;
        inspect(run.runId, &status);
        QCOMPARE(status, 404); // nothing left behind on the engine
    }
};

QTEST_GUILESS_MAIN(TestDockerLauncher)
#include "tst_docker_launcher.moc"
