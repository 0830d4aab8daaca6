// The commands as operators run them: `lifdag token create|list|revoke` and `lifdag webserver`
// (a real process) with authentication on - the token works over HTTP, a revocation counts at once
// across processes, and no token reaches the server's log.
#include "../http/rawhttp.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

class TestWebserverCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QProcess m_server;
    int m_port = 0;

    struct Ran
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Ran lifdag(const QStringList &args)
    {
        QProcess p;
        p.start(lifdagExecutable(), args);
        p.waitForFinished(60000);
        return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                 QString::fromUtf8(p.readAllStandardError()) };
    }

    RawResponse get(const QByteArray &target, const QString &token = {})
    {
        RawClient c;
        if (!c.connectTo(quint16(m_port)))
            return {};
        const QByteArray auth =
            token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token.toUtf8() + "\r\n";
        return c.request(getRequest(target, auth), 20000).value_or(RawResponse {});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(writeTextFile(QDir(m_home.path()).filePath(u"dagster.yaml"_s),
                              "lifdag:\n  auth:\n    enabled: true\n"));
        // A workspace given with -w, relative to the working directory as Dagster's is.
        QVERIFY(QDir(m_home.path()).mkpath(u"conf"_s));
        QVERIFY(writeTextFile(QDir(m_home.path()).filePath(u"conf/ws.yaml"_s),
                              grpcWorkspaceYaml(1, u"nowhere"_s).toUtf8()));
    }

    void cleanupTestCase()
    {
        if (m_server.state() == QProcess::Running) {
            m_server.terminate();
            m_server.waitForFinished(15000);
        }
    }

    void tokenCommandPrintsATokenOnceAndTheWebserverAcceptsIt()
    {
        const Ran created = lifdag({ u"token"_s, u"create"_s, u"--role"_s, u"launcher"_s, u"--name"_s,
                                     u"ci"_s, u"--home"_s, m_home.path() });
        QCOMPARE(created.exitCode, 0);
        const QString token = created.out.trimmed();
        QVERIFY2(token.startsWith(u"lifdag_"_s) && !token.contains(u'\n'), qPrintable(created.out));
        QVERIFY(created.err.contains(u"store it now"_s));
        QVERIFY(!created.err.contains(token));
        const QString id = token.section(u'_', 1, 1);

        const Ran list = lifdag({ u"token"_s, u"list"_s, u"--home"_s, m_home.path() });
        QCOMPARE(list.exitCode, 0);
        QVERIFY(list.out.contains(id));
        QVERIFY(list.out.contains(u"launcher"_s));
        QVERIFY(!list.out.contains(token.section(u'_', 2)));
        QCOMPARE(
            lifdag({ u"token"_s, u"create"_s, u"--role"_s, u"root"_s, u"--home"_s, m_home.path() }).exitCode,
            2);

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DAGSTER_HOME"_s);
        m_server.setProcessEnvironment(env);
        m_server.setWorkingDirectory(m_home.path());
        QString error;
        m_port = startLifdagServer(m_server,
                                   { u"webserver"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"-w"_s,
                                     u"conf/ws.yaml"_s, u"--home"_s, m_home.path() },
                                   &error);
        QVERIFY2(m_port > 0, qPrintable(error));

        QCOMPARE(get("/health").status, 200);
        QCOMPARE(get("/api/v1/runs").status, 401);
        RawResponse r = get("/api/v1/runs", token);
        QCOMPARE(r.status, 200);
        r = get("/api/v1/instance", token);
        QCOMPARE(r.json().value(u"locations"_s).toArray().first().toObject().value(u"name"_s).toString(),
                 u"nowhere"_s);
        QCOMPARE(get("/ready").status, 503); // the location does not answer
        QCOMPARE(get("/api/v1/instance/launcher", token).status, 403); // launcher < admin

        // Revoked in another process: the webserver hears of it at once.
        const Ran revoked = lifdag({ u"token"_s, u"revoke"_s, id, u"--home"_s, m_home.path() });
        QCOMPARE(revoked.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(get("/api/v1/runs", token).status, 401, 5000);
        QCOMPARE(lifdag({ u"token"_s, u"revoke"_s, id, u"--home"_s, m_home.path() }).exitCode, 1);

        m_server.terminate();
        QVERIFY(m_server.waitForFinished(15000));
        QCOMPARE(m_server.exitCode(), 0);
        const QString log =
            QString::fromUtf8(m_server.readAllStandardOutput() + m_server.readAllStandardError());
        QVERIFY(log.contains(u"method=GET target=\"/api/v1/runs\" status=401"_s)); // the access log
        QVERIFY2(!log.contains(token.section(u'_', 2)), "no token in the server's log");
    }

    void refusesBadOptions()
    {
        const Ran r = lifdag({ u"webserver"_s, u"-p"_s, u"99999"_s, u"--home"_s, m_home.path() });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(u"--port"_s));
        const Ran busy = lifdag({ u"webserver"_s, u"--home"_s, m_home.path(), u"-w"_s, u"missing.yaml"_s });
        QCOMPARE(busy.exitCode, 1);
        QVERIFY(busy.err.contains(u"missing.yaml"_s));
    }
};

QTEST_GUILESS_MAIN(TestWebserverCli)
#include "tst_webserver_cli.moc"
