// From launch to SUCCESS through real processes: `lifdag code-server start` (gRPC), a run worker
// per run (`lifdag execute-run`), and the throwaway PostgreSQL server as the instance's storage.
#include "testsupport.h"

#include <lifdag/codelocation/client.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/launcher.h>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <csignal>

using namespace lifdag;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestLaunchEndToEnd : public QObject
{
    Q_OBJECT

    test::PgServer m_pg;
    QTemporaryDir m_home;
    QString m_database;
    QProcess m_codeServer;
    int m_port = 0;
    std::shared_ptr<instance::Instance> m_instance;
    std::unique_ptr<codelocation::Client> m_client;

    void admin(const QString &sql)
    {
        const QString error = test::pgAdmin(m_pg, sql);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void writeFile(const QString &name, const QByteArray &text)
    {
        QFile f(QDir(m_home.path()).filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }

    // Launches through the same path as `lifdag job launch`, waits for a terminal status.
    storage::RunRecord launchAndWait(const QString &job, const QJsonObject &config, int timeoutMs = 30000)
    {
        launcher::SubmitRequest request;
        request.jobName = job;
        request.runConfig = config;
        const auto outcome = launcher::submitRun(*m_instance, request);
        if (!outcome.ok() || !outcome->run)
            qFatal("launch failed: %s",
                   qPrintable(outcome.ok() ? u"invalid config"_s : outcome.error().message));
        return waitForEnd(outcome->run->runId, timeoutMs);
    }

    storage::RunRecord waitForEnd(const QString &runId, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            const auto run = m_instance->storage().runs().run(runId);
            if (run.ok() && run->has_value() && isTerminal((*run)->status))
                return **run;
            QThread::msleep(10);
        }
        return **m_instance->storage().runs().run(runId);
    }

    QStringList eventTypes(const QString &runId, const QString &stepKey = {})
    {
        QStringList out;
        const auto events = m_instance->storage().events().events(runId, 0, 100000);
        for (const Event &e : *events) {
            if (stepKey.isNull() || e.stepKey == stepKey)
                out << e.eventType;
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pg = test::pgServer();
        QVERIFY2(m_pg.ok(), qPrintable(m_pg.error));
        m_database = u"lifdag_e2e_"_s + QUuid::createUuid().toString(QUuid::Id128).left(10);
        admin(u"CREATE DATABASE "_s + m_database);
        writeFile(u"dagster.yaml"_s,
                  test::postgresInstanceYaml(m_pg, m_database, u"LIFDAG_E2E_PG_PASSWORD"_s).toUtf8());
        qputenv("LIFDAG_E2E_PG_PASSWORD", m_pg.password.toUtf8());
        qputenv("DAGSTER_HOME", m_home.path().toUtf8());

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s, u"adapter-secret-value"_s);
        env.insert(u"CTX_ONLY_VARIABLE"_s, u"context secret value"_s);
        m_codeServer.setProcessEnvironment(env);
        QString error;
        m_port = test::startLifdagServer(
            m_codeServer,
            { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--location-name"_s,
              u"e2e"_s, u"--container-context"_s,
              uR"({"env_vars": ["CTX_ONLY_VARIABLE", "CTX_INLINE=inline value"]})"_s },
            &error);
        QVERIFY2(m_port > 0, qPrintable(error));
        writeFile(u"workspace.yaml"_s, test::grpcWorkspaceYaml(m_port, u"e2e"_s).toUtf8());
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;
        m_client = std::make_unique<codelocation::Client>(u"127.0.0.1:%1"_s.arg(m_port), 5s);
        QVERIFY(m_client->waitUntilServing(10s).ok());
    }

    void cleanupTestCase()
    {
        if (m_codeServer.state() == QProcess::Running) {
            m_codeServer.terminate();
            QVERIFY(m_codeServer.waitForFinished(15000));
            QCOMPARE(m_codeServer.exitCode(), 0);
        }
        m_instance.reset();
        if (!m_database.isEmpty())
            admin(u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
    }

    void fanoutJobSucceedsWithEveryEventStored()
    {
        const storage::RunRecord run = launchAndWait(
            u"fanout_job"_s,
            QJsonObject { { u"ops"_s,
                            QJsonObject { { u"fan_out"_s,
                                            QJsonObject { { u"config"_s,
                                                            QJsonObject { { u"count"_s, 100 } } } } } } } });
        QCOMPARE(run.status, RunStatus::Success);
        QVERIFY(run.startedAt.isValid());
        QVERIFY(run.endedAt >= run.startedAt);
        QVERIFY(run.workerPid > 0);
        const QStringList types = eventTypes(run.runId);
        QCOMPARE(types.first(), u"RUN_STARTING"_s);
        QCOMPARE(types.at(1), u"RUN_START"_s);
        QCOMPARE(types.last(), u"RUN_SUCCESS"_s);
        QCOMPARE(types.count(u"STEP_START"_s), 102); // fan_out, 100 × work[item_i], gather
        QCOMPARE(types.count(u"STEP_SUCCESS"_s), 102);
        QCOMPARE(eventTypes(run.runId, u"work[item_42]"_s),
                 (QStringList { u"STEP_START"_s, u"STEP_OUTPUT"_s, u"STEP_SUCCESS"_s }));
        // storage ids are strictly increasing in the order events were stored
        const QList<Event> events = *m_instance->storage().events().events(run.runId, 0, 100000);
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(events[i].storageId > events[i - 1].storageId);
        QVERIFY(!run.result.isEmpty()); // gather's output is kept with the run
    }

    void failingStepEndsRunFailure()
    {
        const storage::RunRecord run = launchAndWait(
            u"fanout_job"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject { { u"fan_out"_s,
                                  QJsonObject { { u"config"_s,
                                                  QJsonObject { { u"count"_s, 3 },
                                                                { u"fail_keys"_s,
                                                                  QJsonArray { u"item_1"_s } } } } } } } } });
        QCOMPARE(run.status, RunStatus::Failure);
        QVERIFY(eventTypes(run.runId, u"work[item_1]"_s).contains(u"STEP_FAILURE"_s));
        QCOMPARE(eventTypes(run.runId).last(), u"RUN_FAILURE"_s);
    }

    void environmentReachesTheWorkerButNoValueIsStored()
    {
        const QJsonArray names { u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s, u"CTX_ONLY_VARIABLE"_s,
                                 u"CTX_INLINE"_s };
        const storage::RunRecord run = launchAndWait(
            u"env_check_job"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject {
                      { u"check_env"_s,
                        QJsonObject { { u"config"_s, QJsonObject { { u"names"_s, names } } } } } } } });
        QCOMPARE(run.status, RunStatus::Success);
        auto digest = [](const char *v) {
            return QString::fromLatin1(QCryptographicHash::hash(v, QCryptographicHash::Sha256).toHex());
        };
        QCOMPARE(run.result.value(u"ADAPTERS__DEMO__ORG1__CREDENTIALS__TOKEN"_s).toString(),
                 digest("adapter-secret-value"));
        QCOMPARE(run.result.value(u"CTX_ONLY_VARIABLE"_s).toString(), digest("context secret value"));
        QCOMPARE(run.result.value(u"CTX_INLINE"_s).toString(), digest("inline value"));
        const auto events = m_instance->storage().events().events(run.runId, 0, 10000);
        for (const Event &e : *events) {
            const QString text = e.message + QString::fromUtf8(QJsonDocument(e.payload).toJson());
            QVERIFY(!text.contains(u"adapter-secret-value"_s));
            QVERIFY(!text.contains(u"context secret value"_s));
        }
        const QString serverLog = QString::fromUtf8(m_codeServer.readAllStandardError());
        QVERIFY(!serverLog.contains(u"adapter-secret-value"_s));
        QVERIFY(!serverLog.contains(u"context secret value"_s));
    }

    void cancelStopsARunningJob()
    {
        launcher::SubmitRequest request;
        request.jobName = u"fanout_job"_s;
        request.runConfig = QJsonObject {
            { u"ops"_s,
              QJsonObject {
                  { u"fan_out"_s,
                    QJsonObject {
                        { u"config"_s, QJsonObject { { u"count"_s, 4 }, { u"sleep_ms"_s, 30000 } } } } } } }
        };
        const auto outcome = launcher::submitRun(*m_instance, request);
        QVERIFY(outcome.ok() && outcome->run);
        const QString id = outcome->run->runId;
        QTRY_VERIFY_WITH_TIMEOUT(
            eventTypes(id).contains(u"STEP_START"_s) && eventTypes(id).count(u"STEP_START"_s) >= 2, 10000);
        QElapsedTimer t;
        t.start();
        const auto signalled = m_client->cancelRun(id);
        QVERIFY(signalled.ok() && *signalled);
        const storage::RunRecord run = waitForEnd(id, 15000);
        QCOMPARE(run.status, RunStatus::Canceled);
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        const QStringList types = eventTypes(id);
        QVERIFY(types.contains(u"RUN_CANCELING"_s));
        QCOMPARE(types.last(), u"RUN_CANCELED"_s);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(id)->state,
                                  codelocation::WorkerStatus::State::Exited, 10000);
    }

    void killedWorkerLeavesTheServerServing()
    {
        launcher::SubmitRequest request;
        request.jobName = u"fanout_job"_s;
        request.runConfig = QJsonObject {
            { u"ops"_s,
              QJsonObject {
                  { u"fan_out"_s,
                    QJsonObject {
                        { u"config"_s, QJsonObject { { u"count"_s, 1 }, { u"sleep_ms"_s, 30000 } } } } } } }
        };
        const auto outcome = launcher::submitRun(*m_instance, request);
        QVERIFY(outcome.ok() && outcome->run);
        const QString id = outcome->run->runId;
        QTRY_VERIFY_WITH_TIMEOUT(eventTypes(id).contains(u"STEP_START"_s), 10000);
        const auto st = m_client->runWorkerStatus(id);
        QVERIFY(st.ok());
        QCOMPARE(st->state, codelocation::WorkerStatus::State::Running);
        ::kill(pid_t(st->pid), SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(id)->state,
                                  codelocation::WorkerStatus::State::Exited, 10000);
        QCOMPARE(m_client->runWorkerStatus(id)->signal, int(SIGKILL));
        QVERIFY(m_client->serverInfo().ok());
        QCOMPARE(launchAndWait(u"hello_job"_s, {}).status, RunStatus::Success); // still launching runs
    }

    void unknownRunAndUnknownJobAreClearErrors()
    {
        const auto r = m_client->startRun(u"0000-not-a-stored-run"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"codelocation.not_found"_s);
        QVERIFY(r.error().message.contains(u"0000-not-a-stored-run"_s));

        launcher::SubmitRequest request;
        request.jobName = u"no_such_job"_s;
        const auto outcome = launcher::submitRun(*m_instance, request);
        QVERIFY(!outcome.ok());
        QVERIFY(outcome.error().message.contains(u"no_such_job"_s));
    }

    void invalidConfigListsEveryViolationAndStartsNothing()
    {
        const qint64 before = m_instance->storage().runs().runs({}, 1000)->runs.size();
        launcher::SubmitRequest request;
        request.jobName = u"fanout_job"_s;
        request.runConfig =
            QJsonObject { { u"ops"_s,
                            QJsonObject { { u"fan_out"_s,
                                            QJsonObject { { u"config"_s,
                                                            QJsonObject { { u"count"_s, u"x"_s },
                                                                          { u"nope"_s, 1 } } } } } } } };
        const auto outcome = launcher::submitRun(*m_instance, request);
        QVERIFY(outcome.ok());
        QVERIFY(!outcome->run);
        QCOMPARE(outcome->violations.size(), 2);
        QCOMPARE(m_instance->storage().runs().runs({}, 1000)->runs.size(), before);
    }

    void queuedCoordinatorLeavesTheRunQueuedForTheDaemon()
    {
        // A second instance directory on the same database, with the QueuedRunCoordinator.
        QTemporaryDir queuedHome;
        QFile yaml(QDir(queuedHome.path()).filePath(u"dagster.yaml"_s));
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        QFile own(QDir(m_home.path()).filePath(u"dagster.yaml"_s));
        QVERIFY(own.open(QIODevice::ReadOnly));
        yaml.write(own.readAll()
                   + "run_coordinator:\n  class: QueuedRunCoordinator\n  config: {max_concurrent_runs: 2, "
                     "dequeue_interval_seconds: 30}\n");
        yaml.close();
        QVERIFY(QFile::copy(QDir(m_home.path()).filePath(u"workspace.yaml"_s),
                            QDir(queuedHome.path()).filePath(u"workspace.yaml"_s)));
        auto queued = instance::Instance::open(queuedHome.path());
        QVERIFY2(queued.ok(), qPrintable(queued.ok() ? QString() : queued.error().message));
        launcher::SubmitRequest request;
        request.jobName = u"hello_job"_s;
        request.tags = { { u"dagster/priority"_s, u"3"_s } };
        const auto outcome = launcher::submitRun(**queued, request);
        QVERIFY(outcome.ok() && outcome->run);
        QCOMPARE(outcome->run->status, RunStatus::Queued);
        QCOMPARE(outcome->run->priority, 3);
        QCOMPARE(eventTypes(outcome->run->runId), QStringList { u"RUN_ENQUEUED"_s });
        QTest::qWait(200);
        QCOMPARE(m_client->runWorkerStatus(outcome->run->runId)->state,
                 codelocation::WorkerStatus::State::Unknown);
        QCOMPARE((*m_instance->storage().runs().run(outcome->run->runId))->status, RunStatus::Queued);

        // A real daemon process dequeues it within the limits and launches it on the code location.
        QProcess daemon;
        daemon.start(test::lifdagExecutable(), { u"daemon"_s, u"run"_s, u"--home"_s, queuedHome.path() });
        QVERIFY(daemon.waitForStarted());
        const storage::RunRecord run = waitForEnd(outcome->run->runId, 30000);
        QCOMPARE(run.status, RunStatus::Success);
        const QStringList types = eventTypes(run.runId);
        QCOMPARE(types.mid(0, 4),
                 (QStringList { u"RUN_ENQUEUED"_s, u"RUN_DEQUEUED"_s, u"RUN_STARTING"_s, u"RUN_START"_s }));
        // With a 30 s fallback interval, only the NOTIFY of a newly queued run explains a quick start.
        const auto second = launcher::submitRun(**queued, request);
        QVERIFY(second.ok() && second->run);
        QElapsedTimer sinceQueued;
        sinceQueued.start();
        QCOMPARE(waitForEnd(second->run->runId, 20000).status, RunStatus::Success);
        QVERIFY2(sinceQueued.elapsed() < 10000, qPrintable(QString::number(sinceQueued.elapsed())));
        QProcess status;
        status.start(test::lifdagExecutable(), { u"daemon"_s, u"status"_s, u"--home"_s, queuedHome.path() });
        QVERIFY(status.waitForFinished(15000));
        QVERIFY2(status.readAllStandardOutput().contains("QUEUED_RUN_COORDINATOR"), "heartbeat listed");
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(15000));
        QCOMPARE(daemon.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.exitCode(), 0);
    }

    void cliReportsAnUnreachableCodeServerWithinItsDeadline()
    {
        QTemporaryDir home;
        QFile ws(QDir(home.path()).filePath(u"workspace.yaml"_s));
        QVERIFY(ws.open(QIODevice::WriteOnly));
        ws.write("load_from:\n  - grpc_server: {host: 127.0.0.1, port: 1, location_name: gone}\n");
        ws.close();
        QProcess p;
        QElapsedTimer t;
        t.start();
        p.start(test::lifdagExecutable(),
                { u"job"_s, u"launch"_s, u"hello_job"_s, u"--home"_s, home.path() });
        QVERIFY(p.waitForFinished(30000));
        QVERIFY(p.exitCode() != 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(u"127.0.0.1:1"_s), qPrintable(err));
        QVERIFY2(t.elapsed() < 15000, qPrintable(QString::number(t.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestLaunchEndToEnd)
#include "tst_launch_e2e.moc"
