// Authentication and roles: every documented route allowed or refused for viewer, launcher and
// admin tokens exactly as its required role says; 401 without or with a bad token; WebSocket auth
// by header and by message; rate limiting; and no token ever in a log line.
#include "webfixture.h"

#include <lifdag/webserver/auth.h>

#include <QJsonArray>
#include <QMutex>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace lifdag;
using namespace lifdag::test;
using namespace lifdag::webserver;
using namespace Qt::StringLiterals;

namespace {
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previous = nullptr;
void capture(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log.append(QString::fromLatin1(ctx.category ? ctx.category : "") + u' ' + msg);
    }
    if (type >= QtWarningMsg && g_previous)
        g_previous(type, ctx, msg);
}
} // namespace

class TestWebserverAuth : public QObject
{
    Q_OBJECT

    WebFixture f;
    QMap<Role, QString> m_tokens;
    QStringList m_allTokens; // every token this test made, for the log check

    QString makeToken(Role role, const QString &name)
    {
        const auto created = createToken(f.instance->storage(), role, name, u"test"_s);
        if (!created)
            qFatal("%s", qPrintable(created.error().message));
        m_allTokens << created->token;
        return created->token;
    }

private Q_SLOTS:
    void initTestCase()
    {
        g_previous = qInstallMessageHandler(capture);
        QLoggingCategory::setFilterRules(u"lifdag.*.info=true"_s);
        WebServerOptions options;
        options.auth.maxFailuresPerWindow = 100000; // the matrix below fails on purpose many times
        const QString error = f.start(options, "lifdag:\n  auth:\n    enabled: true\n");
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(f.web->authEnabled());
        m_tokens[Role::Viewer] = makeToken(Role::Viewer, u"viewer-token"_s);
        m_tokens[Role::Launcher] = makeToken(Role::Launcher, u"launcher-token"_s);
        m_tokens[Role::Admin] = makeToken(Role::Admin, u"admin-token"_s);
    }

    void cleanupTestCase() { f.stop(); }

    void tokensAreStoredAsSaltedHashesOnly()
    {
        const auto tokens = f.instance->storage().admin().tokens();
        QVERIFY(tokens.ok());
        for (const storage::ApiToken &t : *tokens) {
            QCOMPARE(t.hash.size(), 32);
            QCOMPARE(t.salt.size(), 16);
            for (const QString &token : std::as_const(m_allTokens)) {
                const QByteArray secret = token.section(u'_', 2).toLatin1();
                QVERIFY(!t.hash.toHex().contains(secret));
                QVERIFY(!t.salt.toHex().contains(secret));
            }
        }
        // The same secret with two salts hashes differently.
        QVERIFY(tokens->at(0).hash != tokens->at(1).hash);
    }

    void everyRouteEnforcesItsDocumentedRole()
    {
        int checked = 0;
        for (const http::Route &route : f.web->router().routes()) {
            if (route.webSocket)
                continue; // below
            const QString required = route.doc.value(u"x-lifdag-role"_s).toString();
            QByteArray target = route.pattern.toUtf8();
            target.replace("{runId}", "00000000-0000-0000-0000-000000000000")
                .replace("{location}", "test_location")
                .replace("{job}", "nope")
                .replace("{schedule}", "nope")
                .replace("{tokenId}", "nope");
            const QByteArray body =
                route.method == "POST" || route.method == "PUT" ? QByteArray("{}") : QByteArray();
            if (required.isEmpty()) {
                const RawResponse r = f.call(route.method, target, body);
                QVERIFY2(r.status != 401 && r.status != 403, qPrintable(u"public "_s + route.pattern));
                continue;
            }
            const Role needed = *roleFromName(required);
            const RawResponse anonymous = f.call(route.method, target, body);
            QVERIFY2(anonymous.status == 401, qPrintable(route.pattern));
            QCOMPARE(anonymous.errorCode(), u"unauthorized"_s);
            QCOMPARE(anonymous.header("www-authenticate"), QByteArray("Bearer realm=\"lifdag\""));
            const RawResponse forged =
                f.call(route.method, target, body, u"lifdag_0123456789ab_"_s + QString(64, u'0'));
            QCOMPARE(forged.status, 401);
            for (Role role : { Role::Viewer, Role::Launcher, Role::Admin }) {
                const RawResponse r = f.call(route.method, target, body, m_tokens[role]);
                const QString what =
                    u"%1 %2 as %3: %4 %5"_s
                        .arg(QString::fromLatin1(route.method), route.pattern, roleName(role))
                        .arg(r.status)
                        .arg(QString::fromUtf8(r.body.left(200)));
                if (role < needed) {
                    QVERIFY2(r.status == 403, qPrintable(what));
                    QCOMPARE(r.errorCode(), u"forbidden"_s);
                } else {
                    QVERIFY2(r.status != 401 && r.status != 403 && r.status != 0, qPrintable(what));
                }
            }
            ++checked;
        }
        QVERIFY(checked >= 25);
    }

    void theRolesThemselves()
    {
        // A sample of what the matrix above implies, spelled out.
        QCOMPARE(f.call("GET", "/api/v1/runs", {}, m_tokens[Role::Viewer]).status, 200);
        QCOMPARE(f.callJson("POST", "/api/v1/runs", QJsonObject { { u"job"_s, u"hello_job"_s } },
                            m_tokens[Role::Viewer])
                     .status,
                 403);
        const RawResponse launched = f.callJson(
            "POST", "/api/v1/runs", QJsonObject { { u"job"_s, u"hello_job"_s } }, m_tokens[Role::Launcher]);
        QCOMPARE(launched.status, 201);
        const QByteArray runId =
            launched.json().value(u"run"_s).toObject().value(u"runId"_s).toString().toUtf8();
        QCOMPARE(f.waitForEnd(QString::fromUtf8(runId)), u"SUCCESS"_s);
        QCOMPARE(f.call("DELETE", "/api/v1/runs/" + runId, {}, m_tokens[Role::Launcher]).status, 403);
        QCOMPARE(f.call("GET", "/api/v1/instance/launcher", {}, m_tokens[Role::Launcher]).status, 403);
        QCOMPARE(f.call("GET", "/api/v1/instance/launcher", {}, m_tokens[Role::Admin]).status, 200);
        QCOMPARE(f.call("DELETE", "/api/v1/runs/" + runId, {}, m_tokens[Role::Admin]).status, 204);
        const RawResponse who = f.call("GET", "/api/v1/auth/whoami", {}, m_tokens[Role::Launcher]);
        QCOMPARE(who.json().value(u"role"_s).toString(), u"launcher"_s);
        QCOMPARE(who.json().value(u"name"_s).toString(), u"launcher-token"_s);
        QCOMPARE(f.call("GET", "/health").status, 200);
        QCOMPARE(f.call("GET", "/api/v1/openapi.json").status, 200);
        // GraphQL: a viewer may query but not launch (Dagster's UnauthorizedError); no token: 401.
        const QJsonObject launch {
            { u"query"_s,
              u"mutation { launchRun(executionParams: {selector: {repositoryLocationName: "
              u"\"test_location\", repositoryName: \"__repository__\", jobName: \"hello_job\"}}) "
              u"{ __typename } }"_s }
        };
        RawResponse g = f.callJson("POST", "/graphql", launch, m_tokens[Role::Viewer]);
        QCOMPARE(g.status, 200);
        QCOMPARE(g.json()
                     .value(u"data"_s)
                     .toObject()
                     .value(u"launchRun"_s)
                     .toObject()
                     .value(u"__typename"_s)
                     .toString(),
                 u"UnauthorizedError"_s);
        g = f.callJson("POST", "/graphql", launch, m_tokens[Role::Launcher]);
        QCOMPARE(g.json()
                     .value(u"data"_s)
                     .toObject()
                     .value(u"launchRun"_s)
                     .toObject()
                     .value(u"__typename"_s)
                     .toString(),
                 u"LaunchRunSuccess"_s);
        QCOMPARE(f.callJson("POST", "/graphql", QJsonObject { { u"query"_s, u"{ version }"_s } }).status,
                 401);
        QCOMPARE(f.call("GET", "/metrics").status, 401);
    }

    void revokedTokensStopWorking()
    {
        const QString token = makeToken(Role::Admin, u"short-lived"_s);
        QCOMPARE(f.call("GET", "/api/v1/runs", {}, token).status, 200);
        const QString id = token.section(u'_', 1, 1);
        QCOMPARE(f.call("DELETE", "/api/v1/tokens/" + id.toUtf8(), {}, m_tokens[Role::Admin]).status, 204);
        // The revocation is announced to every webserver (storage notification): it counts at once.
        QTRY_COMPARE_WITH_TIMEOUT(f.call("GET", "/api/v1/runs", {}, token).status, 401, 15000);
    }

    void malformedAuthorizationHeadersAre401_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::newRow("basic") << QByteArray("Basic dXNlcjpwYXNz");
        QTest::newRow("bearer nothing") << QByteArray("Bearer ");
        QTest::newRow("truncated") << QByteArray("Bearer lifdag_0123");
        QTest::newRow("not hex") << QByteArray("Bearer lifdag_zzzzzzzzzzzz_") + QByteArray(64, 'z');
        QTest::newRow("huge") << QByteArray("Bearer ") + QByteArray(8000, 'a');
    }

    void malformedAuthorizationHeadersAre401()
    {
        QFETCH(QByteArray, header);
        const RawResponse r = f.call("GET", "/api/v1/runs", {}, {}, "Authorization: " + header + "\r\n");
        QCOMPARE(r.status, 401);
        QCOMPARE(r.errorCode(), u"unauthorized"_s);
    }

    void webSocketAuthenticatesByHeaderOrFirstMessage()
    {
        const QUrl url(u"ws://127.0.0.1:%1/api/v1/ws"_s.arg(f.port));
        // No credentials at all: the first message must authenticate.
        {
            QWebSocket ws;
            QStringList got;
            connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { got << m; });
            QSignalSpy connected(&ws, &QWebSocket::connected);
            QSignalSpy closed(&ws, &QWebSocket::disconnected);
            ws.open(url);
            QTRY_COMPARE(connected.size(), 1);
            ws.sendTextMessage(uR"({"type":"subscribe","channel":"runs","id":"a"})"_s);
            QTRY_COMPARE(closed.size(), 1);
            QVERIFY(got.join(u'\n').contains(u"unauthorized"_s));
            QCOMPARE(int(ws.closeCode()), 1008);
        }
        {
            QWebSocket ws;
            QStringList got;
            connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { got << m; });
            QSignalSpy connected(&ws, &QWebSocket::connected);
            ws.open(url);
            QTRY_COMPARE(connected.size(), 1);
            ws.sendTextMessage(uR"({"type":"auth","token":"%1"})"_s.arg(m_tokens[Role::Viewer]));
            QTRY_VERIFY(got.join(u'\n').contains(u"\"authenticated\""_s));
            ws.sendTextMessage(uR"({"type":"subscribe","channel":"runs","id":"a"})"_s);
            QTRY_VERIFY(got.join(u'\n').contains(u"\"subscribed\""_s));
        }
        {
            QWebSocket ws;
            QSignalSpy closed(&ws, &QWebSocket::disconnected);
            QStringList got;
            connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { got << m; });
            ws.open(url);
            QTRY_VERIFY(ws.state() == QAbstractSocket::ConnectedState);
            ws.sendTextMessage(
                uR"({"type":"auth","token":"lifdag_0123456789ab_%1"})"_s.arg(QString(64, u'1')));
            QTRY_COMPARE(closed.size(), 1);
            QCOMPARE(int(ws.closeCode()), 1008);
        }
        // A header: accepted at the upgrade, or refused with an ordinary 401.
        {
            QNetworkRequest request(url);
            request.setRawHeader("Authorization", "Bearer " + m_tokens[Role::Viewer].toUtf8());
            QWebSocket ws;
            QStringList got;
            connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { got << m; });
            ws.open(request);
            QTRY_VERIFY(ws.state() == QAbstractSocket::ConnectedState);
            ws.sendTextMessage(uR"({"type":"ping"})"_s);
            QTRY_VERIFY(got.join(u'\n').contains(u"pong"_s));
        }
        RawClient c;
        QVERIFY(c.connectTo(f.port));
        const auto r = c.request(getRequest("/api/v1/ws",
                                            "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                            "Sec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                            "Authorization: Bearer lifdag_nope\r\n"));
        QVERIFY(r);
        QCOMPARE(r->status, 401);
    }

    void failedAttemptsAreRateLimitedPerClient()
    {
        Authenticator::Options options;
        options.enabled = true;
        options.maxFailuresPerWindow = 5;
        options.failureWindow = std::chrono::seconds(2);
        Authenticator auth(f.instance->storagePtr(), options);
        const QHostAddress attacker(u"10.1.2.3"_s), other(u"10.9.9.9"_s);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(auth.authenticateHeader("Bearer wrong-" + QByteArray::number(i), attacker).status, 401);
        const auto limited = auth.authenticateHeader("Bearer " + m_tokens[Role::Viewer].toUtf8(), attacker);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.code, u"rate_limited"_s);
        QVERIFY(auth.authenticateHeader("Bearer " + m_tokens[Role::Viewer].toUtf8(), other)
                    .principal.has_value());
        QTest::qWait(2100);
        QVERIFY(auth.authenticateHeader("Bearer " + m_tokens[Role::Viewer].toUtf8(), attacker)
                    .principal.has_value());
    }

    void noTokenInAnyLogLine()
    {
        QStringList lines;
        {
            QMutexLocker lock(&g_logMutex);
            lines = g_log;
        }
        QVERIFY(lines.size() > 100); // access log lines, authentication failures, …
        bool sawFailure = false;
        for (const QString &line : std::as_const(lines)) {
            for (const QString &token : std::as_const(m_allTokens)) {
                QVERIFY2(!line.contains(token), qPrintable(line));
                QVERIFY2(!line.contains(token.section(u'_', 2)),
                         qPrintable(line)); // not even the secret part
            }
            QVERIFY2(!line.contains(QString(64, u'0')) && !line.contains(QString(64, u'1')),
                     qPrintable(line));
            sawFailure = sawFailure || line.contains(u"authentication failed"_s);
        }
        QVERIFY(sawFailure);
    }
};

QTEST_GUILESS_MAIN(TestWebserverAuth)
#include "tst_webserver_auth.moc"
