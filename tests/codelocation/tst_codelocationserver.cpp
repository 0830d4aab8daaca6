// The gRPC code location in process, driven through its typed client.
#include <lifdag/codelocation/client.h>
#include <lifdag/codelocation/server.h>
#include <lifdag/execution/examplejobs.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestCodeLocationServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<Client> m_client;
    QString m_workerScript;

private Q_SLOTS:
    void initTestCase()
    {
        // Stands in for `lifdag execute-run RUN_ID`: reports its arguments and an env var, then
        // sleeps when the run id asks for it.
        m_workerScript = m_dir.filePath(u"fake-lifdag"_s);
        QFile f(m_workerScript);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\n"
                "echo \"$1 $2 $ADAPTERS__DEMO__ORG__CREDENTIALS__TOKEN $FROM_CONTEXT\" > \"$(dirname "
                "\"$0\")/$2.out\"\n"
                "case \"$2\" in sleep*) exec sleep 30;; esac\n"
                "exit 0\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("ADAPTERS__DEMO__ORG__CREDENTIALS__TOKEN", "demo-token");

        auto registry = std::make_shared<execution::JobRegistry>();
        QVERIFY(execution::examples::registerExampleJobs(*registry).ok());
        ServerOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.locationName = u"test_location"_s;
        options.workerProgram = m_workerScript;
        options.containerContext.envVars = { u"FROM_CONTEXT=ctx value"_s };
        options.cancelGraceSeconds = 1;
        m_server = std::make_unique<Server>(options, registry);
        QVERIFY(m_server->start().ok());
        QVERIFY(m_server->port() > 0);
        m_client = std::make_unique<Client>(u"127.0.0.1:%1"_s.arg(m_server->port()), 5s);
        QVERIFY(m_client->waitUntilServing(5s).ok());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

    void serverInfoNamesLocationButNoValues()
    {
        const auto info = m_client->serverInfo();
        QVERIFY(info.ok());
        QCOMPARE(info->locationName, u"test_location"_s);
        QCOMPARE(info->repositoryName, u"__repository__"_s);
        QCOMPARE(info->containerEnvNames, QStringList { u"FROM_CONTEXT"_s });
        QVERIFY(!info->version.isEmpty());
    }

    void listsJobsWithGraphAndSchema()
    {
        const auto jobs = m_client->listJobs();
        QVERIFY(jobs.ok());
        QStringList names;
        for (const JobInfo &j : *jobs)
            names << j.name;
        QCOMPARE(names,
                 (QStringList { u"diamond_job"_s, u"env_check_job"_s, u"fanout_job"_s, u"flaky_job"_s,
                                u"hello_job"_s }));
        const JobInfo &fanout = (*jobs)[2];
        QVERIFY(!fanout.configSchema.isEmpty());
        QVERIFY(!fanout.configSkeleton.isEmpty());
        bool sawDynamic = false, sawCollect = false, sawMapped = false;
        for (const QJsonValue &op : fanout.ops) {
            for (const QJsonValue &o : op[u"outputs"_s].toArray())
                sawDynamic |= o[u"dynamic"_s].toBool();
            for (const QJsonValue &i : op[u"inputs"_s].toArray())
                sawCollect |= i[u"collect"_s].toBool();
            sawMapped |= op[u"mapped"_s].toBool();
        }
        QVERIFY(sawDynamic);
        QVERIFY(sawCollect);
        QVERIFY(sawMapped);
    }

    void validatesRunConfigListingEveryViolation()
    {
        const QJsonObject bad {
            { u"ops"_s,
              QJsonObject {
                  { u"fan_out"_s,
                    QJsonObject {
                        { u"config"_s, QJsonObject { { u"count"_s, u"many"_s }, { u"bogus"_s, 1 } } } } } } }
        };
        const auto v = m_client->validateRunConfig(u"fanout_job"_s, bad);
        QVERIFY(v.ok());
        QVERIFY2(v->size() >= 2, qPrintable(QString::number(v->size())));
        QStringList reasons;
        for (const Violation &x : *v)
            reasons << x.reason + u" "_s + x.path;
        QVERIFY2(reasons.contains(u"RUNTIME_TYPE_MISMATCH ops.fan_out.config.count"_s),
                 qPrintable(reasons.join(u", "_s)));
        QVERIFY2(reasons.contains(u"FIELD_NOT_DEFINED ops.fan_out.config.bogus"_s),
                 qPrintable(reasons.join(u", "_s)));
        const auto good = m_client->validateRunConfig(u"fanout_job"_s, {});
        QVERIFY(good.ok());
        QVERIFY(good->isEmpty());
    }

    void unknownJobIsNotFoundNamingIt()
    {
        const auto v = m_client->validateRunConfig(u"no_such_job"_s, {});
        QVERIFY(!v.ok());
        QCOMPARE(v.error().code, u"codelocation.not_found"_s);
        QVERIFY(v.error().message.contains(u"no_such_job"_s));
    }

    void startRunSpawnsWorkerWithPassedThroughEnvironment()
    {
        const auto pid = m_client->startRun(u"run-env-1"_s);
        QVERIFY2(pid.ok(), qPrintable(pid.ok() ? QString() : pid.error().message));
        QVERIFY(*pid > 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(u"run-env-1"_s)->state,
                                  WorkerStatus::State::Exited, 10000);
        QFile out(m_dir.filePath(u"run-env-1.out"_s));
        QVERIFY(out.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(out.readAll()).trimmed(), u"execute-run run-env-1 demo-token ctx value"_s);
        QCOMPARE(m_client->runWorkerStatus(u"run-env-1"_s)->exitCode, 0);
    }

    void killMinusNineLeavesServerServing()
    {
        const auto pid = m_client->startRun(u"sleep-kill"_s);
        QVERIFY(pid.ok());
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(u"sleep-kill"_s)->state,
                                  WorkerStatus::State::Running, 5000);
        QTest::qWait(100); // let the script exec sleep
        ::kill(pid_t(*pid), SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(u"sleep-kill"_s)->state,
                                  WorkerStatus::State::Exited, 10000);
        QCOMPARE(m_client->runWorkerStatus(u"sleep-kill"_s)->signal, int(SIGKILL));
        QVERIFY(m_client->serverInfo().ok());
    }

    void cancelRunTerminatesTheWorker()
    {
        QVERIFY(m_client->startRun(u"sleep-cancel"_s).ok());
        QTest::qWait(100);
        const auto c = m_client->cancelRun(u"sleep-cancel"_s);
        QVERIFY(c.ok());
        QVERIFY(*c);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->runWorkerStatus(u"sleep-cancel"_s)->state,
                                  WorkerStatus::State::Exited, 10000);
        const auto again = m_client->cancelRun(u"sleep-cancel"_s);
        QVERIFY(again.ok());
        QVERIFY(!*again);
    }

    void badRunIdsAreRejected()
    {
        const auto r = m_client->startRun(u"../../etc/passwd"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"codelocation.invalid_argument"_s);
        const auto st = m_client->runWorkerStatus(u"never-started"_s);
        QVERIFY(st.ok());
        QCOMPARE(st->state, WorkerStatus::State::Unknown);
        const auto c = m_client->cancelRun(u"never-started"_s);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, u"codelocation.not_found"_s);
    }

    void reloadCountsJobs()
    {
        const auto n = m_client->reload();
        QVERIFY(n.ok());
        QCOMPARE(*n, 5);
    }

    void unreachableServerFailsWithinDeadlineNamingAddress()
    {
        Client dead(u"127.0.0.1:1"_s, 500ms);
        QElapsedTimer t;
        t.start();
        const auto info = dead.serverInfo();
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, u"codelocation.unavailable"_s);
        QVERIFY(info.error().message.contains(u"127.0.0.1:1"_s));
        QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestCodeLocationServer)
#include "tst_codelocationserver.moc"
