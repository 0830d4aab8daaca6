// Authentication as the desktop meets it: no token, a wrong token and a revoked token are
// surfaced (state AuthFailed with the server's reason, no reconnect storm); a viewer token works
// with the viewer's rights; saved servers keep tokens out of the settings, in a 0600 file.
#include "devserver.h"

#include <lifdag/client/apiclient.h>
#include <lifdag/client/connectionmanager.h>
#include <lifdag/client/launcherconfigeditor.h>
#include <lifdag/client/runsmodel.h>
#include <lifdag/client/tokenstore.h>

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace lifdag;
using namespace lifdag::client;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

class TestClientAuth : public QObject
{
    Q_OBJECT

    std::unique_ptr<DevServer> m_server;
    QString m_viewerToken;
    QString m_adminToken;

    QString createToken(const QString &role)
    {
        QProcess p;
        p.start(lifdagExecutable(),
                { u"token"_s, u"create"_s, u"--role"_s, role, u"--name"_s, u"desktop-"_s + role, u"--home"_s,
                  m_server->home() });
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<DevServer>("lifdag:\n  auth:\n    enabled: true\n");
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_viewerToken = createToken(u"viewer"_s);
        m_adminToken = createToken(u"admin"_s);
        QVERIFY(m_viewerToken.startsWith(u"lifdag_"_s));
        QVERIFY(m_adminToken.startsWith(u"lifdag_"_s));
    }

    void missingTokenIsSurfaced()
    {
        ApiClient client;
        QSignalSpy failed(&client, &ApiClient::authenticationFailed);
        client.setBaseUrl(QUrl(m_server->url()));
        client.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::State::AuthFailed, 10000);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(client.errorString().contains(u"token"_s), qPrintable(client.errorString()));
        QVERIFY(!client.liveConnected());
        QCOMPARE(client.secondsUntilReconnect(), 0); // no automatic retries with a refused token
    }

    void wrongTokenIsSurfacedAndNotRetried()
    {
        ApiClient client;
        client.setBaseUrl(QUrl(m_server->url()));
        client.setToken(u"lifdag_nosuchid_0123456789abcdef"_s);
        QSignalSpy states(&client, &ApiClient::stateChanged);
        client.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::State::AuthFailed, 10000);
        QVERIFY(!client.errorString().isEmpty());
        QVERIFY(!client.errorString().contains(u"0123456789abcdef"_s)); // the token is never echoed
        const int before = int(states.count());
        QTest::qWait(1500);
        QCOMPARE(int(states.count()), before);
        QCOMPARE(client.state(), ApiClient::State::AuthFailed);
    }

    void viewerTokenWorksWithViewerRights()
    {
        ApiClient client;
        client.setBaseUrl(QUrl(m_server->url()));
        client.setToken(m_viewerToken);
        client.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::State::Online, 10000);
        QVERIFY(client.liveConnected()); // the socket authenticated with its first message
        QCOMPARE(client.role(), u"viewer"_s);
        QVERIFY(client.authEnabled());
        QVERIFY(!client.canLaunch());
        QVERIFY(!client.isAdmin());

        RunsModel runs;
        runs.setClient(&client);
        QTRY_VERIFY(!runs.loading());
        QVERIFY2(runs.error().isEmpty(), qPrintable(runs.error()));

        // The launcher settings are for administrators: a reason, and still online.
        LauncherConfigEditor editor;
        editor.setClient(&client);
        QTRY_VERIFY(!editor.error().isEmpty());
        QVERIFY2(editor.error().contains(u"administrator"_s), qPrintable(editor.error()));
        QCOMPARE(client.state(), ApiClient::State::Online);
    }

    void revokedTokenIsSurfacedWhileConnected()
    {
        const QString token = createToken(u"launcher"_s);
        ApiClient client;
        client.setBaseUrl(QUrl(m_server->url()));
        client.setToken(token);
        client.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::State::Online, 10000);
        QCOMPARE(client.role(), u"launcher"_s);
        QProcess revoke;
        revoke.start(lifdagExecutable(),
                     { u"token"_s, u"revoke"_s, token.section(u'_', 1, 1), u"--home"_s, m_server->home() });
        QVERIFY(revoke.waitForFinished(30000));
        QCOMPARE(revoke.exitCode(), 0);
        // The next call is refused and the client says so (the webserver hears of the revocation
        // through storage; calls are repeated until it has).
        QElapsedTimer waited;
        waited.start();
        while (client.state() != ApiClient::State::AuthFailed && waited.elapsed() < 15000) {
            bool answered = false;
            client.get(u"/api/v1/runs"_s, {}, nullptr, [&](const ApiReply &) { answered = true; });
            QVERIFY(QTest::qWaitFor([&] { return answered; }, 10000));
            if (client.state() != ApiClient::State::AuthFailed)
                QTest::qWait(200);
        }
        QCOMPARE(client.state(), ApiClient::State::AuthFailed);
        QVERIFY(!client.errorString().isEmpty());
        QVERIFY(!client.liveConnected());
    }

    void savedServersKeepTokensInAPrivateFile()
    {
        QTemporaryDir dir;
        ConnectionManager manager;
        manager.setConfigDir(dir.path());
        const QString id = manager.saveServer({}, u"Local dev"_s, m_server->url(), m_adminToken);
        QVERIFY2(!id.isEmpty(), qPrintable(manager.error()));
        QCOMPARE(manager.servers()->count(), 1);
        QVERIFY(manager.servers()->get(0).value(u"hasToken"_s).toBool());

        QFile settings(dir.filePath(u"desktop.ini"_s));
        QVERIFY(settings.open(QIODevice::ReadOnly));
        const QByteArray ini = settings.readAll();
        QVERIFY(ini.contains("Local dev"));
        QVERIFY(!ini.contains(m_adminToken.toUtf8()));
        QVERIFY(!ini.contains(m_adminToken.section(u'_', 2).toUtf8()));

        const QString tokenFile = dir.filePath(u"desktop-tokens.json"_s);
        QCOMPARE(QFile::permissions(tokenFile) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(TokenStore(tokenFile).token(id), m_adminToken);

        manager.connectTo(id);
        QTRY_COMPARE_WITH_TIMEOUT(manager.client()->state(), ApiClient::State::Online, 10000);
        QCOMPARE(manager.client()->role(), u"admin"_s);
        QCOMPARE(manager.lastServerId(), id);

        // Keeping the stored token while renaming; removing the server removes its token.
        QCOMPARE(manager.saveServer(id, u"Renamed"_s, m_server->url(), {}, true), id);
        QCOMPARE(TokenStore(tokenFile).token(id), m_adminToken);
        QVERIFY(manager.saveServer({}, u"bad"_s, u"ftp://example"_s, {}).isEmpty());
        QVERIFY(!manager.error().isEmpty());
        manager.removeServer(id);
        QCOMPARE(manager.servers()->count(), 0);
        QVERIFY(TokenStore(tokenFile).token(id).isEmpty());
        QCOMPARE(manager.client()->state(), ApiClient::State::Disconnected);
    }

    void widenedTokenFileIsNarrowedAgain()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.json"_s);
        TokenStore store(path);
        QVERIFY(!TokenStore::keychainAvailable()); // LIFDAG_DESKTOP_NO_KEYCHAIN (ctest)
        QVERIFY(store.description().contains(path));
        QVERIFY(store.setToken(u"a"_s, u"secret"_s));
        QFile::setPermissions(path,
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        QCOMPARE(store.token(u"a"_s), u"secret"_s);
        QCOMPARE(QFile::permissions(path) & (QFile::ReadGroup | QFile::ReadOther),
                 QFileDevice::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestClientAuth)
#include "tst_client_auth.moc"
