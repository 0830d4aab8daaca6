// The daemon against a real PostgreSQL server, a real code server and real run workers:
// concurrency limits under load, several daemon processes, priority order, run monitoring.
#include "testsupport.h"

#include <lifdag/daemon/daemon.h>
#include <lifdag/daemon/runretries.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/launcher.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <csignal>

using namespace lifdag;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QJsonObject sleepingFanout(int count, int sleepMs)
{
    return QJsonObject {
        { u"ops"_s,
          QJsonObject {
              { u"fan_out"_s,
                QJsonObject {
                    { u"config"_s, QJsonObject { { u"count"_s, count }, { u"sleep_ms"_s, sleepMs } } } } } } }
    };
}

} // namespace

class TestDaemonPostgres : public QObject
{
    Q_OBJECT

    test::PgServer m_pg;
    QString m_database;
    QTemporaryDir m_serverHome;
    QProcess m_codeServer;
    int m_port = 0;
    std::list<QTemporaryDir> m_homes;

    void admin(const QString &sql)
    {
        const QString error = test::pgAdmin(m_pg, sql);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    // A DAGSTER_HOME on the shared database with `extraYaml` appended to the storage stanza.
    QString makeHome(const QString &extraYaml)
    {
        QTemporaryDir &dir = m_homes.emplace_back();
        test::writeTextFile(
            dir.filePath(u"dagster.yaml"_s),
            (test::postgresInstanceYaml(m_pg, m_database, u"LIFDAG_DAEMON_PG_PASSWORD"_s) + extraYaml)
                .toUtf8());
        test::writeTextFile(dir.filePath(u"workspace.yaml"_s),
                            test::grpcWorkspaceYaml(m_port, u"daemon"_s).toUtf8());
        return dir.path();
    }

    std::shared_ptr<instance::Instance> open(const QString &home)
    {
        auto opened = instance::Instance::open(home);
        if (!opened)
            qFatal("instance: %s", qPrintable(opened.error().message));
        return *opened;
    }

    QString submit(instance::Instance &inst, const QString &job, const QJsonObject &config,
                   const QMap<QString, QString> &tags = {})
    {
        launcher::SubmitRequest request;
        request.jobName = job;
        request.runConfig = config;
        request.tags = tags;
        const auto outcome = launcher::submitRun(inst, request);
        if (!outcome || !outcome->run)
            qFatal("submit failed: %s", qPrintable(outcome ? u"invalid config"_s : outcome.error().message));
        return outcome->run->runId;
    }

    void startDaemon(QProcess &p, const QString &home)
    {
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(test::lifdagExecutable(), { u"daemon"_s, u"run"_s, u"--home"_s, home });
        QVERIFY(p.waitForStarted());
    }

    void stopDaemon(QProcess &p)
    {
        p.terminate();
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    qint64 count(instance::Instance &inst, const storage::RunFilter &filter)
    {
        const auto counts = inst.storage().runs().countByStatus(filter);
        if (!counts)
            qFatal("count: %s", qPrintable(counts.error().message));
        qint64 n = 0;
        for (auto it = counts->cbegin(); it != counts->cend(); ++it)
            n += it.value();
        return n;
    }

    int eventCount(instance::Instance &inst, const QString &runId, const QString &type)
    {
        const auto events = inst.storage().events().events(runId, 0, 100000);
        int n = 0;
        for (const Event &e : *events)
            n += e.eventType == type ? 1 : 0;
        return n;
    }

    storage::RunRecord waitForStatus(instance::Instance &inst, const QString &runId,
                                     const QList<RunStatus> &statuses, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (true) {
            const auto run = inst.storage().runs().run(runId);
            if (run && run->has_value() && (statuses.contains((*run)->status) || t.elapsed() > timeoutMs))
                return **run;
            QThread::msleep(10);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pg = test::pgServer();
        QVERIFY2(m_pg.ok(), qPrintable(m_pg.error));
        m_database = u"lifdag_daemon_"_s + QUuid::createUuid().toString(QUuid::Id128).left(10);
        admin(u"CREATE DATABASE "_s + m_database);
        qputenv("LIFDAG_DAEMON_PG_PASSWORD", m_pg.password.toUtf8());
        test::writeTextFile(
            m_serverHome.filePath(u"dagster.yaml"_s),
            test::postgresInstanceYaml(m_pg, m_database, u"LIFDAG_DAEMON_PG_PASSWORD"_s).toUtf8());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DAGSTER_HOME"_s, m_serverHome.path());
        env.insert(u"QT_LOGGING_RULES"_s, u"lifdag.*.info=false"_s);
        m_codeServer.setProcessEnvironment(env);
        QString error;
        m_port = test::startLifdagServer(m_codeServer,
                                         { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s,
                                           u"0"_s, u"--location-name"_s, u"daemon"_s },
                                         &error);
        QVERIFY2(m_port > 0, qPrintable(error));
    }

    void cleanupTestCase()
    {
        if (m_codeServer.state() == QProcess::Running) {
            m_codeServer.terminate();
            QVERIFY(m_codeServer.waitForFinished(15000));
        }
        m_homes.clear();
        if (!m_database.isEmpty())
            admin(u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
    }

    // 200 queued runs, max_concurrent_runs 5 and a tag limit of 2: sampled from storage all along,
    // the live runs never exceed either limit, and every run succeeds.
    void limitsHoldForTwoHundredRuns()
    {
        const QString home = makeHome(u"run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                                      u"    max_concurrent_runs: 5\n    dequeue_interval_seconds: 1\n"
                                      u"    tag_concurrency_limits:\n      - key: lifdag-test/pool\n"
                                      u"        value: narrow\n        limit: 2\n"_s);
        auto inst = open(home);
        const QString batch = QUuid::createUuid().toString(QUuid::Id128);
        QStringList ids;
        for (int i = 0; i < 200; ++i) {
            QMap<QString, QString> tags { { u"lifdag-test/batch"_s, batch } };
            if (i % 2 == 0)
                tags.insert(u"lifdag-test/pool"_s, u"narrow"_s);
            ids << submit(*inst, u"fanout_job"_s, sleepingFanout(1, 20), tags);
        }
        storage::RunFilter live;
        live.statuses = liveRunStatuses();
        live.tags = { { u"lifdag-test/batch"_s, batch } };
        storage::RunFilter liveNarrow = live;
        liveNarrow.tags.insert(u"lifdag-test/pool"_s, u"narrow"_s);
        storage::RunFilter ended;
        ended.statuses = { RunStatus::Success, RunStatus::Failure, RunStatus::Canceled };
        ended.tags = live.tags;

        QProcess daemon;
        startDaemon(daemon, home);
        qint64 maxLive = 0, maxNarrow = 0, samples = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 240000) {
            maxLive = qMax(maxLive, count(*inst, live));
            maxNarrow = qMax(maxNarrow, count(*inst, liveNarrow));
            ++samples;
            if (count(*inst, ended) == 200)
                break;
            QThread::msleep(2);
        }
        stopDaemon(daemon);
        qInfo("200 runs in %lld ms; %lld samples; at most %lld live, %lld narrow", t.elapsed(), samples,
              maxLive, maxNarrow);
        ended.statuses = { RunStatus::Success };
        QCOMPARE(count(*inst, ended), 200);
        QVERIFY2(maxLive <= 5, qPrintable(QString::number(maxLive)));
        QVERIFY2(maxNarrow <= 2, qPrintable(QString::number(maxNarrow)));
        QVERIFY(maxLive >= 2); // the limit was reached, not trivially respected by running one at a time
        QVERIFY(samples > 50);
    }

    // Two daemon processes on one database: every run is dequeued and started exactly once, and
    // the limit still holds across both.
    void twoDaemonsLaunchEveryRunOnce()
    {
        const QString home = makeHome(u"run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                                      u"    max_concurrent_runs: 4\n    dequeue_interval_seconds: 1\n"_s);
        auto inst = open(home);
        QProcess a, b;
        startDaemon(a, home);
        startDaemon(b, home);
        const QString batch = QUuid::createUuid().toString(QUuid::Id128);
        QStringList ids;
        for (int i = 0; i < 120; ++i)
            ids << submit(*inst, u"fanout_job"_s, sleepingFanout(1, 10),
                          { { u"lifdag-test/batch"_s, batch } });
        storage::RunFilter live;
        live.statuses = liveRunStatuses();
        live.tags = { { u"lifdag-test/batch"_s, batch } };
        storage::RunFilter ended = live;
        ended.statuses = { RunStatus::Success, RunStatus::Failure, RunStatus::Canceled };
        qint64 maxLive = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 180000 && count(*inst, ended) < ids.size()) {
            maxLive = qMax(maxLive, count(*inst, live));
            QThread::msleep(2);
        }
        stopDaemon(a);
        stopDaemon(b);
        QVERIFY2(maxLive <= 4, qPrintable(QString::number(maxLive)));
        for (const QString &id : std::as_const(ids)) {
            QCOMPARE(eventCount(*inst, id, u"RUN_DEQUEUED"_s), 1);
            QCOMPARE(eventCount(*inst, id, u"RUN_STARTING"_s), 1);
            QCOMPARE(eventCount(*inst, id, u"RUN_START"_s), 1);
            QCOMPARE((*inst->storage().runs().run(id))->status, RunStatus::Success);
        }
        const auto beats = inst->storage().heartbeats().all();
        QVERIFY(beats.ok());
        QSet<QString> daemonIds;
        for (const storage::Heartbeat &h : *beats) {
            if (h.daemonType == u"QUEUED_RUN_COORDINATOR"_s)
                daemonIds.insert(h.daemonId);
        }
        QVERIFY(daemonIds.size() >= 2);
    }

    // A backlog queued while no daemon runs is dequeued by priority (tag dagster/priority, higher
    // first), then by age.
    void dequeuesByPriorityThenAge()
    {
        const QString home = makeHome(u"run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                                      u"    max_concurrent_runs: 1\n    dequeue_interval_seconds: 1\n"_s);
        auto inst = open(home);
        const QList<int> priorities { 0, 5, -1, 10, 5, 0 };
        QStringList ids;
        for (int p : priorities) {
            ids << submit(*inst, u"hello_job"_s, {}, { { u"dagster/priority"_s, QString::number(p) } });
            QThread::msleep(5); // distinct creation times
        }
        QProcess daemon;
        startDaemon(daemon, home);
        for (const QString &id : std::as_const(ids))
            QCOMPARE(waitForStatus(*inst, id, { RunStatus::Success }, 60000).status, RunStatus::Success);
        stopDaemon(daemon);
        QList<std::pair<qint64, QString>> dequeued;
        for (const QString &id : std::as_const(ids)) {
            const auto events = inst->storage().events().events(id, 0, 1000);
            for (const Event &e : *events) {
                if (e.eventType == u"RUN_DEQUEUED"_s)
                    dequeued.append({ e.storageId, id });
            }
        }
        std::sort(dequeued.begin(), dequeued.end());
        QStringList order;
        for (const auto &d : std::as_const(dequeued))
            order << d.second;
        QCOMPARE(order, (QStringList { ids[3], ids[1], ids[4], ids[0], ids[5], ids[2] }));
    }

    // kill -9 of a run worker: the run monitor ends the run FAILURE within one poll interval.
    void killedWorkerFailsWithinOnePoll()
    {
        const QString home = makeHome(u"run_monitoring:\n  enabled: true\n  poll_interval_seconds: 1\n"_s);
        auto inst = open(home);
        QProcess daemon;
        startDaemon(daemon, home);
        const QString id = submit(*inst, u"fanout_job"_s, sleepingFanout(1, 60000));
        const storage::RunRecord started = waitForStatus(*inst, id, { RunStatus::Started }, 20000);
        QCOMPARE(started.status, RunStatus::Started);
        QElapsedTimer t;
        t.start();
        QVERIFY(started.workerPid > 0);
        QCOMPARE(::kill(pid_t(started.workerPid), SIGKILL), 0);
        const storage::RunRecord ended = waitForStatus(*inst, id, { RunStatus::Failure }, 10000);
        const qint64 ms = t.elapsed();
        stopDaemon(daemon);
        QCOMPARE(ended.status, RunStatus::Failure);
        QVERIFY2(ms < 2500, qPrintable(QString::number(ms))); // one 1 s poll, plus slack
        const auto events = inst->storage().events().events(id, 0, 1000);
        QCOMPARE(events->last().eventType, u"RUN_FAILURE"_s);
        QVERIFY2(events->last().message.contains(u"run worker exited unexpectedly (killed by signal 9"_s),
                 qPrintable(events->last().message));
    }

    // A run whose launch never starts a worker (here: STARTING with no worker at all) ends
    // FAILURE once start_timeout_seconds have passed.
    void launchThatNeverStartsTimesOut()
    {
        const QString home = makeHome(
            u"run_monitoring:\n  enabled: true\n  poll_interval_seconds: 1\n  start_timeout_seconds: 2\n"_s);
        auto inst = open(home);
        storage::RunRecord run;
        run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        run.jobName = u"hello_job"_s;
        run.locationName = u"daemon"_s;
        run.repositoryName = u"__repository__"_s;
        run.status = RunStatus::Starting;
        QVERIFY(inst->storage().runs().addRun(run).ok());
        QProcess daemon;
        startDaemon(daemon, home);
        QElapsedTimer t;
        t.start();
        const storage::RunRecord ended = waitForStatus(*inst, run.runId, { RunStatus::Failure }, 15000);
        const qint64 ms = t.elapsed();
        stopDaemon(daemon);
        QCOMPARE(ended.status, RunStatus::Failure);
        QVERIFY2(ms >= 1500 && ms < 6000, qPrintable(QString::number(ms)));
        const auto events = inst->storage().events().events(run.runId, 0, 100);
        QVERIFY2(events->last().message.contains(u"start_timeout_seconds (2 s)"_s),
                 qPrintable(events->last().message));
    }

    // CANCELING whose worker is gone → CANCELED at once; a worker that ignores the cancel is
    // stopped after cancel_timeout_seconds.
    void cancelingRunWithoutWorkerEndsCanceled()
    {
        const QString home = makeHome(
            u"run_monitoring:\n  enabled: true\n  poll_interval_seconds: 1\n  cancel_timeout_seconds: 2\n"_s);
        auto inst = open(home);
        storage::RunRecord run;
        run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        run.jobName = u"hello_job"_s;
        run.locationName = u"daemon"_s;
        run.repositoryName = u"__repository__"_s;
        run.status = RunStatus::Canceling;
        QVERIFY(inst->storage().runs().addRun(run).ok());
        QProcess daemon;
        startDaemon(daemon, home);
        const storage::RunRecord ended = waitForStatus(*inst, run.runId, { RunStatus::Canceled }, 15000);
        stopDaemon(daemon);
        QCOMPARE(ended.status, RunStatus::Canceled);
        QCOMPARE(eventCount(*inst, run.runId, u"RUN_CANCELED"_s), 1);
    }

    // An administrator switches to the QueuedRunCoordinator (the managed launcher override the
    // webserver writes) while the daemon runs: the next submission is queued and that daemon
    // launches it, without a restart.
    void launcherChangeIsPickedUpWithoutRestart()
    {
        const QString home = makeHome({});
        auto inst = open(home);
        QProcess daemon;
        startDaemon(daemon, home);
        const QString direct = submit(*inst, u"hello_job"_s, {});
        QCOMPARE(waitForStatus(*inst, direct, { RunStatus::Success }, 20000).status, RunStatus::Success);
        QCOMPARE(eventCount(*inst, direct, u"RUN_ENQUEUED"_s), 0);
        QThread::msleep(20); // a distinct modification time
        QVERIFY(test::writeTextFile(QDir(home).filePath(u"lifdag-launcher.yaml"_s),
                                    "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                                    "    max_concurrent_runs: 2\n    dequeue_interval_seconds: 30\n"));
        QCOMPARE(inst->launchConfig().runCoordinator.kind, config::RunCoordinatorConfig::Kind::Queued);
        const QString queued = submit(*inst, u"hello_job"_s, {});
        QCOMPARE(waitForStatus(*inst, queued, { RunStatus::Success }, 20000).status, RunStatus::Success);
        stopDaemon(daemon);
        QCOMPARE(eventCount(*inst, queued, u"RUN_ENQUEUED"_s), 1);
        QCOMPARE(eventCount(*inst, queued, u"RUN_DEQUEUED"_s), 1);
    }

    // A failed run is retried as a new run (parent/root ids, retry number), from failure: the
    // parent's successful steps are reused, only the failed step and what follows it run again;
    // retries stop at the limit (here from the tag dagster/max_retries: 2 → a chain of 3 runs).
    void failedRunIsRetriedFromFailure()
    {
        const QString home = makeHome(u"run_retries:\n  enabled: true\n  max_retries: 1\n"_s);
        auto inst = open(home);
        QProcess daemon;
        startDaemon(daemon, home);
        QJsonObject config = sleepingFanout(3, 0);
        QJsonObject ops = config[u"ops"_s].toObject();
        QJsonObject fanOut = ops[u"fan_out"_s].toObject();
        QJsonObject opConfig = fanOut[u"config"_s].toObject();
        opConfig.insert(u"fail_keys"_s, QJsonArray { u"item_1"_s });
        fanOut.insert(u"config"_s, opConfig);
        ops.insert(u"fan_out"_s, fanOut);
        config.insert(u"ops"_s, ops);
        const QString first =
            submit(*inst, u"fanout_job"_s, config, { { u"dagster/max_retries"_s, u"2"_s } });
        const QString second = daemon::retryRunId(first);
        const QString third = daemon::retryRunId(second);
        QCOMPARE(waitForStatus(*inst, third, { RunStatus::Failure }, 30000).status, RunStatus::Failure);
        QThread::msleep(1500); // a retry of the third run would have appeared by now
        stopDaemon(daemon);
        QCOMPARE(inst->storage().runs().run(daemon::retryRunId(third))->has_value(), false);

        const storage::RunRecord retry = **inst->storage().runs().run(second);
        QCOMPARE(retry.parentRunId, first);
        QCOMPARE(retry.rootRunId, first);
        QCOMPARE(retry.tags.value(u"dagster/retry_number"_s), u"1"_s);
        QCOMPARE(retry.tags.value(u"dagster/parent_run_id"_s), first);
        QCOMPARE(retry.runConfig, config);
        const storage::RunRecord last = **inst->storage().runs().run(third);
        QCOMPARE(last.rootRunId, first);
        QCOMPARE(last.parentRunId, second);
        QCOMPARE(last.tags.value(u"dagster/retry_number"_s), u"2"_s);

        // The retry executed work[item_1] and the collecting gather again (a collect runs with the
        // branches that succeeded), and reused fan_out, work[item_0] and work[item_2].
        const auto events = inst->storage().events().events(second, 0, 10000);
        QStringList started, reused;
        for (const Event &e : *events) {
            if (e.eventType == u"STEP_START"_s)
                started << e.stepKey;
            if (e.eventType == u"ENGINE_EVENT"_s && e.payload.contains(u"reused_from_run"_s))
                reused << e.stepKey;
        }
        QCOMPARE(started, (QStringList { u"work[item_1]"_s, u"gather"_s }));
        reused.sort();
        QCOMPARE(reused, (QStringList { u"fan_out"_s, u"work[item_0]"_s, u"work[item_2]"_s }));
        bool announced = false;
        const auto firstEvents = inst->storage().events().events(first, 0, 10000); // kept: the loop reads it
        QVERIFY(firstEvents.ok());
        for (const Event &e : *firstEvents)
            announced = announced || e.payload.value(u"retry_run_id"_s).toString() == second;
        QVERIFY(announced);
    }

    // dagster/retry_strategy ALL_STEPS runs every step of the retry.
    void allStepsRetryRunsEverything()
    {
        const QString home = makeHome(u"run_retries:\n  enabled: true\n  max_retries: 1\n"_s);
        auto inst = open(home);
        QProcess daemon;
        startDaemon(daemon, home);
        QJsonObject config = sleepingFanout(2, 0);
        QJsonObject ops = config[u"ops"_s].toObject();
        QJsonObject fanOut = ops[u"fan_out"_s].toObject();
        QJsonObject opConfig = fanOut[u"config"_s].toObject();
        opConfig.insert(u"fail_keys"_s, QJsonArray { u"item_0"_s });
        fanOut.insert(u"config"_s, opConfig);
        ops.insert(u"fan_out"_s, fanOut);
        config.insert(u"ops"_s, ops);
        const QString first =
            submit(*inst, u"fanout_job"_s, config, { { u"dagster/retry_strategy"_s, u"ALL_STEPS"_s } });
        const QString second = daemon::retryRunId(first);
        QCOMPARE(waitForStatus(*inst, second, { RunStatus::Failure }, 30000).status, RunStatus::Failure);
        stopDaemon(daemon);
        QCOMPARE(eventCount(*inst, second, u"STEP_START"_s), 4); // fan_out, both work items, gather
    }
};

QTEST_GUILESS_MAIN(TestDaemonPostgres)
#include "tst_daemon_postgres.moc"
