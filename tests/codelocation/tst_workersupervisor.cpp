#include <lifdag/codelocation/workersupervisor.h>

#include <QTest>
#include <csignal>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

// Workers here are /bin/sh scripts: the supervisor is process plumbing, independent of lifdag.
class TestWorkerSupervisor : public QObject
{
    Q_OBJECT

    static WorkerSupervisor *make()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LIFDAG_PASSED"_s, u"through"_s);
        return new WorkerSupervisor(u"/bin/sh"_s, env);
    }

private Q_SLOTS:
    void reportsExitCodes()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        QVERIFY(s->start(u"r1"_s, { u"-c"_s, u"exit 3"_s }).ok());
        const WorkerStatus st = s->waitForExit(u"r1"_s, 10s);
        QCOMPARE(st.state, WorkerStatus::State::Exited);
        QCOMPARE(st.exitCode, 3);
        QCOMPARE(st.signal, 0);
        QVERIFY(st.endedAt >= st.startedAt);
    }

    void passesTheEnvironment()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        QVERIFY(s->start(u"r2"_s, { u"-c"_s, u"test \"$LIFDAG_PASSED\" = through"_s }).ok());
        QCOMPARE(s->waitForExit(u"r2"_s, 10s).exitCode, 0);
    }

    void killMinusNineIsReportedAndSurvived()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        const auto pid = s->start(u"r3"_s, { u"-c"_s, u"sleep 30"_s });
        QVERIFY(pid.ok());
        QCOMPARE(s->status(u"r3"_s).state, WorkerStatus::State::Running);
        QCOMPARE(s->runningCount(), 1);
        ::kill(pid_t(*pid), SIGKILL);
        const WorkerStatus st = s->waitForExit(u"r3"_s, 10s);
        QCOMPARE(st.state, WorkerStatus::State::Exited);
        QCOMPARE(st.signal, SIGKILL);
        QCOMPARE(s->runningCount(), 0);
        // the supervisor keeps working after a worker died
        QVERIFY(s->start(u"r4"_s, { u"-c"_s, u"exit 0"_s }).ok());
        QCOMPARE(s->waitForExit(u"r4"_s, 10s).exitCode, 0);
    }

    void cancelSendsTermThenKill()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        // A worker that handles SIGTERM exits by itself...
        QVERIFY(
            s->start(u"polite"_s, { u"-c"_s, u"trap 'exit 7' TERM; while :; do sleep 0.05; done"_s }).ok());
        QTest::qWait(200);
        QVERIFY(s->cancel(u"polite"_s, 5s));
        QCOMPARE(s->waitForExit(u"polite"_s, 10s).exitCode, 7);
        // ...one that ignores it is killed after the grace period.
        QVERIFY(s->start(u"stubborn"_s, { u"-c"_s, u"trap '' TERM; while :; do sleep 0.05; done"_s }).ok());
        QTest::qWait(200);
        QVERIFY(s->cancel(u"stubborn"_s, 300ms));
        const WorkerStatus st = s->waitForExit(u"stubborn"_s, 10s);
        QCOMPARE(st.state, WorkerStatus::State::Exited);
        QCOMPARE(st.signal, SIGKILL);
        QVERIFY(!s->cancel(u"stubborn"_s, 1s)); // already gone
    }

    void refusesASecondWorkerForOneRun()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        QVERIFY(s->start(u"r5"_s, { u"-c"_s, u"sleep 5"_s }).ok());
        const auto again = s->start(u"r5"_s, { u"-c"_s, u"exit 0"_s });
        QVERIFY(!again.ok());
        QVERIFY(again.error().message.contains(u"already has a worker"_s));
        s->terminateAll(1s);
        QCOMPARE(s->runningCount(), 0);
    }

    void unknownRunIsUnknown()
    {
        std::unique_ptr<WorkerSupervisor> s(make());
        QCOMPARE(s->status(u"nope"_s).state, WorkerStatus::State::Unknown);
    }

    void missingProgramIsAnError()
    {
        WorkerSupervisor s(u"/nonexistent/lifdag"_s, QProcessEnvironment::systemEnvironment());
        const auto r = s.start(u"x"_s, {});
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(u"/nonexistent/lifdag"_s));
    }
};

QTEST_GUILESS_MAIN(TestWorkerSupervisor)
#include "tst_workersupervisor.moc"
