// The worker zygote with the real `lifdag` executable: workers forked from it behave like spawned
// ones (exit codes, environment, own process group, cancel), are children of the supervisor's
// process, and a dead zygote costs nothing but speed (workers are spawned, a new zygote follows).
#include "testsupport.h"

#include <lifdag/codelocation/workersupervisor.h>

#include <QFile>
#include <QTest>
#include <csignal>
#include <unistd.h>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QByteArrayList environOf(qint64 pid)
{
    QFile f(u"/proc/%1/environ"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll().split('\0');
}

// Field 4 (ppid) and 5 (pgrp) of /proc/PID/stat, after the parenthesised command name.
std::pair<qint64, qint64> parentAndGroup(qint64 pid)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return { -1, -1 };
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return { fields.value(1).toLongLong(), fields.value(2).toLongLong() };
}

} // namespace

class TestZygote : public QObject
{
    Q_OBJECT

    static std::unique_ptr<WorkerSupervisor> make()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LIFDAG_PASSED"_s, u"through, with = and \"quotes\""_s);
        return std::make_unique<WorkerSupervisor>(test::lifdagExecutable(), env,
                                                  WorkerSupervisor::Options { true });
    }

private Q_SLOTS:
    void forkedWorkersReportExitCodes()
    {
        auto s = make();
        QVERIFY(s->zygotePid() > 0);
        QVERIFY(s->start(u"ok"_s, { u"--version"_s }).ok());
        QVERIFY(s->start(u"bad"_s, { u"no-such-command"_s, u""_s }).ok());
        const WorkerStatus ok = s->waitForExit(u"ok"_s, 20s);
        const WorkerStatus bad = s->waitForExit(u"bad"_s, 20s);
        QCOMPARE(ok.state, WorkerStatus::State::Exited);
        QCOMPARE(ok.exitCode, 0);
        QCOMPARE(bad.state, WorkerStatus::State::Exited);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(ok.pid != bad.pid);
        QVERIFY(ok.pid != s->zygotePid());
    }

    void aForkedWorkerIsOurChildInItsOwnGroupWithTheEnvironment()
    {
        auto s = make();
        const qint64 zygote = s->zygotePid();
        QVERIFY(zygote > 0);
        const auto started =
            s->start(u"serve"_s, { u"example-source"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s });
        QVERIFY(started.ok());
        const qint64 pid = *started;
        const auto [parent, group] = parentAndGroup(pid);
        QCOMPARE(parent, qint64(::getpid())); // re-parented to us: waitpid and exit statuses work
        QCOMPARE(group, pid);
        const QByteArrayList env = environOf(pid);
        QVERIFY(env.contains("LIFDAG_PASSED=through, with = and \"quotes\""));
        QCOMPARE(s->status(u"serve"_s).state, WorkerStatus::State::Running);

        QVERIFY(s->cancel(u"serve"_s, 5s));
        const WorkerStatus st = s->waitForExit(u"serve"_s, 20s);
        QCOMPARE(st.state, WorkerStatus::State::Exited);
        QVERIFY2(st.signal == SIGTERM || st.exitCode == 0,
                 qPrintable(u"code %1 signal %2"_s.arg(st.exitCode).arg(st.signal)));
        QCOMPARE(s->zygotePid(), zygote); // one zygote serves every run
    }

    void aKilledWorkerReportsItsSignal()
    {
        auto s = make();
        const auto started =
            s->start(u"killed"_s, { u"example-source"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s });
        QVERIFY(started.ok());
        QCOMPARE(::kill(pid_t(*started), SIGKILL), 0);
        const WorkerStatus st = s->waitForExit(u"killed"_s, 20s);
        QCOMPARE(st.state, WorkerStatus::State::Exited);
        QCOMPARE(st.signal, SIGKILL);
    }

    void aDeadZygoteFallsBackToSpawning()
    {
        auto s = make();
        const qint64 zygote = s->zygotePid();
        QVERIFY(zygote > 0);
        QCOMPARE(::kill(pid_t(zygote), SIGKILL), 0);
        QTest::qWait(100);
        // This run's worker is spawned instead; the next zygote comes after a pause.
        QVERIFY(s->start(u"after"_s, { u"--version"_s }).ok());
        QCOMPARE(s->waitForExit(u"after"_s, 20s).exitCode, 0);
        QCOMPARE(s->zygotePid(), 0);
        QVERIFY(s->start(u"again"_s, { u"no-such-command"_s }).ok());
        QCOMPARE(s->waitForExit(u"again"_s, 20s).exitCode, 2);
    }

    void aRunCannotHaveTwoWorkers()
    {
        auto s = make();
        QVERIFY(s->start(u"twice"_s, { u"example-source"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s }).ok());
        QVERIFY(!s->start(u"twice"_s, { u"--version"_s }).ok());
        s->terminateAll(5s);
        QCOMPARE(s->status(u"twice"_s).state, WorkerStatus::State::Exited);
    }
};

QTEST_GUILESS_MAIN(TestZygote)
#include "tst_zygote.moc"
