// docker/healthcheck.sh (the images' HEALTHCHECK) against real lifdag services on this machine:
// healthy while each serves, unhealthy when it does not, the role and port found from the main
// process's command line, and the daemon judged by its heartbeats (`daemon status --max-age`).
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

const QString kScript = QStringLiteral(LIFDAG_SOURCE_DIR "/docker/healthcheck.sh");

struct Check
{
    int exitCode = -1;
    QString err;
};

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return probe.serverPort();
}

} // namespace

class TestHealthcheck : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QProcess m_codeServer;
    QProcess m_webserver;
    QProcess m_exampleSource;
    QProcess m_daemon;
    int m_codePort = 0;
    int m_webPort = 0;
    quint16 m_sourcePort = 0;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DAGSTER_HOME"_s, m_home.path());
        env.insert(u"LIFDAG_BIN"_s, test::lifdagExecutable());
        return env;
    }

    Check check(const QStringList &args, const QMap<QString, QString> &extraEnv = {})
    {
        QProcessEnvironment env = environment();
        for (auto it = extraEnv.cbegin(); it != extraEnv.cend(); ++it)
            env.insert(it.key(), it.value());
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(u"bash"_s, QStringList { kScript } + args);
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return { -1, u"timed out"_s };
        }
        return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                 QString::fromUtf8(p.readAllStandardError()) };
    }

    // Waits until the check gives `expected` (services need a moment after "listening").
    Check waitFor(int expected, const QStringList &args, const QMap<QString, QString> &extraEnv = {},
                  int timeoutMs = 15000)
    {
        QElapsedTimer t;
        t.start();
        Check c = check(args, extraEnv);
        while (c.exitCode != expected && t.elapsed() < timeoutMs) {
            QThread::msleep(200);
            c = check(args, extraEnv);
        }
        return c;
    }

    static void stop(QProcess &p)
    {
        if (p.state() == QProcess::Running) {
            p.terminate();
            if (!p.waitForFinished(15000)) {
                p.kill();
                p.waitForFinished();
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(test::writeTextFile(
            m_home.filePath(u"dagster.yaml"_s),
            u"storage:\n  sqlite:\n    base_dir: %1\n"_s.arg(m_home.filePath(u"storage"_s)).toUtf8()));
        QString error;
        for (QProcess *p : { &m_codeServer, &m_webserver, &m_exampleSource, &m_daemon })
            p->setProcessEnvironment(environment());
        m_codePort = test::startLifdagServer(m_codeServer,
                                             { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s,
                                               u"0"_s, u"--location-name"_s, u"health"_s },
                                             &error);
        QVERIFY2(m_codePort > 0, qPrintable(error));
        QVERIFY(test::writeTextFile(m_home.filePath(u"workspace.yaml"_s),
                                    test::grpcWorkspaceYaml(m_codePort, u"health"_s).toUtf8()));
        m_webPort = test::startLifdagServer(
            m_webserver, { u"webserver"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--no-access-log"_s },
            &error);
        QVERIFY2(m_webPort > 0, qPrintable(error));
        // A fixed port, so that the script can read it from the command line.
        m_sourcePort = freePort();
        const int sourcePort = test::startLifdagServer(
            m_exampleSource,
            { u"example-source"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_sourcePort) }, &error);
        QVERIFY2(sourcePort == m_sourcePort, qPrintable(error));
    }

    void cleanupTestCase()
    {
        for (QProcess *p : { &m_daemon, &m_webserver, &m_exampleSource, &m_codeServer })
            stop(*p);
    }

    void healthyWhileServing_data()
    {
        QTest::addColumn<QString>("role");
        QTest::newRow("webserver") << u"webserver"_s;
        QTest::newRow("code-server") << u"code-server"_s;
        QTest::newRow("example-source") << u"example-source"_s;
    }

    void healthyWhileServing()
    {
        QFETCH(QString, role);
        const int port = role == u"webserver"_s ? m_webPort
            : role == u"code-server"_s          ? m_codePort
                                                : int(m_sourcePort);
        const Check c = waitFor(0, { role, QString::number(port) });
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
    }

    void unhealthyWhenNothingListens_data() { healthyWhileServing_data(); }

    void unhealthyWhenNothingListens()
    {
        QFETCH(QString, role);
        const Check c = check({ role, QString::number(freePort()) });
        QCOMPARE(c.exitCode, 1);
        QVERIFY2(c.err.contains(u"Connection refused"_s), qPrintable(c.err));
    }

    void roleAndPortComeFromTheMainProcess()
    {
        const Check c =
            check({}, { { u"LIFDAG_HEALTH_PID"_s, QString::number(m_exampleSource.processId()) } });
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
        const Check web = check({}, { { u"LIFDAG_HEALTH_PID"_s, QString::number(m_webserver.processId()) } });
        // Started with -p 0: the port on its command line is not the one it listens on.
        QCOMPARE(web.exitCode, 1);
        const Check unknown =
            check({}, { { u"LIFDAG_HEALTH_PID"_s, QString::number(QCoreApplication::applicationPid()) } });
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains(u"cannot tell what this container runs"_s), qPrintable(unknown.err));
    }

    void daemonIsHealthyOnlyWithFreshHeartbeats()
    {
        Check c = check({ u"daemon"_s });
        QCOMPARE(c.exitCode, 1); // no daemon yet

        m_daemon.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_daemon.start(test::lifdagExecutable(), { u"daemon"_s, u"run"_s });
        QVERIFY(m_daemon.waitForStarted());
        c = waitFor(0, { u"daemon"_s });
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));

        stop(m_daemon);
        QThread::msleep(2500);
        c = check({ u"daemon"_s }, { { u"LIFDAG_HEALTH_MAX_AGE"_s, u"1"_s } });
        QCOMPARE(c.exitCode, 1);
        QVERIFY2(c.err.contains(u"heartbeated within 1 s"_s), qPrintable(c.err));
        // Another host's daemons do not count.
        QProcess status;
        status.setProcessEnvironment(environment());
        status.start(test::lifdagExecutable(),
                     { u"daemon"_s, u"status"_s, u"--host"_s, u"no-such-host"_s, u"--max-age"_s, u"3600"_s });
        QVERIFY(status.waitForFinished(30000));
        QCOMPARE(status.exitCode(), 1);
        QVERIFY(
            QString::fromUtf8(status.readAllStandardOutput()).contains(u"no daemon heartbeats from host"_s));
    }

    void webserverIsUnhealthyWithoutItsCodeLocation()
    {
        stop(m_codeServer);
        const Check c = waitFor(1, { u"webserver"_s, QString::number(m_webPort) });
        QCOMPARE(c.exitCode, 1);
        QVERIFY2(c.err.contains(u"/ready: HTTP/1.1 503"_s), qPrintable(c.err));
    }
};

QTEST_GUILESS_MAIN(TestHealthcheck)
#include "tst_healthcheck.moc"
