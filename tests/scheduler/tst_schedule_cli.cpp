// `lifdag schedule list|start|stop|ticks` against a real code server process (the built-in example
// schedule hello_schedule) and SQLite storage.
#include "testsupport.h"

#include <lifdag/instance/instance.h>
#include <lifdag/scheduler/scheduler.h>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

struct Ran
{
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class TestScheduleCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QProcess m_codeServer;

    Ran lifdag(QStringList args)
    {
        args.prepend(u"schedule"_s);
        args << u"--home"_s << m_home.path();
        QProcess p;
        p.start(test::lifdagExecutable(), args);
        Ran r;
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            r.err = u"timed out"_s;
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    QJsonObject listed(const QString &name)
    {
        const Ran r = lifdag({ u"list"_s, u"--json"_s });
        const QJsonArray all = QJsonDocument::fromJson(r.out.toUtf8()).array();
        for (const QJsonValue &v : all) {
            if (v[u"name"_s].toString() == name)
                return v.toObject();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QString error;
        const int port = test::startLifdagServer(m_codeServer,
                                                 { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s,
                                                   u"-p"_s, u"0"_s, u"--location-name"_s, u"cli_location"_s },
                                                 &error);
        QVERIFY2(port > 0, qPrintable(error));
        QVERIFY(test::writeTextFile(QDir(m_home.path()).filePath(u"dagster.yaml"_s),
                                    "run_coordinator:\n  module: dagster.core.run_coordinator\n"
                                    "  class: QueuedRunCoordinator\n"));
        QVERIFY(test::writeTextFile(QDir(m_home.path()).filePath(u"workspace.yaml"_s),
                                    test::grpcWorkspaceYaml(port, u"cli_location"_s).toUtf8()));
    }

    void cleanupTestCase()
    {
        if (m_codeServer.state() != QProcess::NotRunning) {
            m_codeServer.terminate();
            if (!m_codeServer.waitForFinished(10000))
                m_codeServer.kill();
        }
    }

    void listsTheExampleScheduleStoppedByDefault()
    {
        const Ran r = lifdag({ u"list"_s });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(u"SCHEDULE"_s), qPrintable(r.out));
        const QString line = r.out.split(u'\n').filter(u"hello_schedule"_s).value(0);
        QVERIFY2(line.contains(u"cli_location"_s) && line.contains(u"hello_job"_s)
                     && line.contains(u"*/5 * * * *"_s) && line.contains(u"UTC"_s)
                     && line.contains(u"STOPPED (default)"_s),
                 qPrintable(r.out));

        const QJsonObject s = listed(u"hello_schedule"_s);
        QCOMPARE(s[u"status"_s].toString(), u"STOPPED"_s);
        QCOMPARE(s[u"statusIsDefault"_s].toBool(), true);
        QCOMPARE(s[u"defaultStatus"_s].toString(), u"STOPPED"_s);
        QCOMPARE(s[u"job"_s].toString(), u"hello_job"_s);
        QVERIFY(!s.contains(u"nextTick"_s));
    }

    void startAndStopThroughStorage()
    {
        Ran r = lifdag({ u"start"_s, u"hello_schedule"_s });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(
                     u"schedule hello_schedule (cli_location) is RUNNING: */5 * * * * UTC, next tick "_s),
                 qPrintable(r.out + r.err));
        QJsonObject s = listed(u"hello_schedule"_s);
        QCOMPARE(s[u"status"_s].toString(), u"RUNNING"_s);
        QCOMPARE(s[u"statusIsDefault"_s].toBool(), false);
        const QDateTime next = QDateTime::fromString(s[u"nextTick"_s].toString(), Qt::ISODate);
        QVERIFY(next.isValid());
        QCOMPARE(next.time().minute() % 5, 0);
        QCOMPARE(next.time().second(), 0);
        QVERIFY(next > QDateTime::currentDateTimeUtc());

        r = lifdag({ u"start"_s, u"hello_schedule"_s }); // already running: fine
        QCOMPARE(r.exitCode, 0);

        // What every daemon reads: the stored state.
        auto instance = instance::Instance::open(m_home.path());
        QVERIFY(instance.ok());
        const auto stored = (*instance)->storage().schedules().instigators(u"cli_location"_s);
        QVERIFY(stored.ok());
        QCOMPARE(stored->size(), 1);
        QCOMPARE(stored->first().status, u"RUNNING"_s);
        QCOMPARE(stored->first().cron, u"*/5 * * * *"_s);

        r = lifdag({ u"stop"_s, u"hello_schedule"_s, u"--location"_s, u"cli_location"_s });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(u"schedule hello_schedule (cli_location) is STOPPED"_s), qPrintable(r.out));
        s = listed(u"hello_schedule"_s);
        QCOMPARE(s[u"status"_s].toString(), u"STOPPED"_s);
        QCOMPARE(s[u"statusIsDefault"_s].toBool(), false);
    }

    void showsTicksWithTheirRuns()
    {
        Ran r = lifdag({ u"ticks"_s, u"hello_schedule"_s });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), u"no ticks of schedule hello_schedule"_s);

        // A scheduler pass ten minutes from now, on the same storage.
        QCOMPARE(lifdag({ u"start"_s, u"hello_schedule"_s }).exitCode, 0);
        auto instance = instance::Instance::open(m_home.path());
        QVERIFY(instance.ok());
        scheduler::DaemonScheduler daemon(*instance);
        const scheduler::PassReport pass = daemon.runPass(QDateTime::currentDateTimeUtc().addSecs(600));
        QVERIFY2(pass.errors.isEmpty(), qPrintable(pass.errors.join(u'\n')));

        r = lifdag({ u"ticks"_s, u"hello_schedule"_s, u"--json"_s });
        QCOMPARE(r.exitCode, 0);
        const QJsonArray ticks = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QVERIFY2(ticks.size() >= 2, qPrintable(r.out)); // the latest ran; an earlier one was missed
        QCOMPARE(ticks[0][u"status"_s].toString(), u"SUCCESS"_s);
        const QString runId = ticks[0][u"runIds"_s][0].toString();
        QVERIFY(!runId.isEmpty());
        QCOMPARE(ticks[1][u"status"_s].toString(), u"SKIPPED"_s);
        const auto run = (*instance)->storage().runs().run(runId);
        QVERIFY(run.ok() && run->has_value());
        QCOMPARE((*run)->tags.value(u"dagster/schedule_name"_s), u"hello_schedule"_s);
        QCOMPARE((*run)->jobName, u"hello_job"_s);

        r = lifdag({ u"ticks"_s, u"hello_schedule"_s, u"--limit"_s, u"1"_s });
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed().split(u'\n').size(), 1);
        QVERIFY2(r.out.contains(u"SUCCESS"_s) && r.out.contains(u"run "_s + runId), qPrintable(r.out));
        QCOMPARE(lifdag({ u"stop"_s, u"hello_schedule"_s }).exitCode, 0);
    }

    void refusesBadUsageWithAReason_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown schedule")
            << QStringList { u"start"_s, u"nope"_s } << 1
            << u"lifdag: no schedule named \"nope\" (schedules: hello_schedule)"_s;
        QTest::newRow("unknown location")
            << QStringList { u"stop"_s, u"hello_schedule"_s, u"--location"_s, u"x"_s } << 1
            << u"no code location \"x\""_s;
        QTest::newRow("unknown action")
            << QStringList { u"frobnicate"_s } << 2 << u"expected: lifdag schedule list | start NAME"_s;
        QTest::newRow("start without a name")
            << QStringList { u"start"_s } << 2 << u"expected: lifdag schedule"_s;
        QTest::newRow("bad limit") << QStringList { u"ticks"_s, u"hello_schedule"_s, u"--limit"_s, u"0"_s }
                                   << 2 << u"--limit \"0\": expected a positive number"_s;
    }
    void refusesBadUsageWithAReason()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Ran r = lifdag(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    // Last: stops the code server.
    void stopWorksFromStoredStateWhenTheLocationIsDown()
    {
        QCOMPARE(lifdag({ u"start"_s, u"hello_schedule"_s }).exitCode, 0);
        m_codeServer.terminate();
        QVERIFY(m_codeServer.waitForFinished(10000));
        Ran r = lifdag({ u"list"_s });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(u"lifdag: location cli_location: code location at 127.0.0.1:"_s),
                 qPrintable(r.err));
        QVERIFY2(r.out.contains(u"hello_schedule"_s)
                     && r.out.contains(u"location cli_location did not answer"_s),
                 qPrintable(r.out));
        r = lifdag({ u"start"_s, u"hello_schedule"_s });
        QCOMPARE(r.exitCode, 1); // starting needs the definition
        r = lifdag({ u"stop"_s, u"hello_schedule"_s });
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(u"is STOPPED"_s), qPrintable(r.out + r.err));
    }
};

QTEST_GUILESS_MAIN(TestScheduleCli)
#include "tst_schedule_cli.moc"
