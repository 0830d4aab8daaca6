// The HTTP server through real sockets: keep-alive, pipelining, HEAD/OPTIONS, limits, timeouts,
// worker threads, WebSocket upgrades (checked with Qt's own QWebSocket client), access log.
#include "rawhttp.h"

#include <lifdag/http/server.h>

#include <QJsonArray>
#include <QMutex>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <thread>

using namespace lifdag;
using namespace lifdag::http;
using namespace lifdag::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
QMutex g_logMutex;
QStringList g_logLines;
QtMessageHandler g_previous = nullptr;
void captureLog(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_logLines.append(QString::fromLatin1(ctx.category ? ctx.category : "") + u' ' + msg);
    }
    if (type != QtInfoMsg && type != QtDebugMsg && g_previous)
        g_previous(type, ctx, msg);
}
QStringList logLines()
{
    QMutexLocker lock(&g_logMutex);
    return g_logLines;
}
} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<Server> m_server;
    quint16 m_port = 0;
    std::atomic<int> m_slowRunning { 0 };
    QMutex m_wsMutex;
    std::shared_ptr<WebSocket> m_lastSocket;
    std::atomic<int> m_wsClosed { 0 };

    Router makeRouter()
    {
        Router r;
        r.add("GET", u"/hello"_s, [](const Request &) {
            return Response::json(200, QJsonObject { { u"hello"_s, u"world"_s } });
        });
        r.add("GET", u"/items/{id}"_s, [](const Request &req) {
            return Response::json(200,
                                  QJsonObject { { u"id"_s, req.pathParams.value(u"id"_s) },
                                                { u"q"_s, req.queryValue(u"q"_s) } });
        });
        r.add("POST", u"/echo"_s, [](const Request &req) {
            Response resp = Response::text(200, req.body, "application/octet-stream");
            resp.user = u"tester"_s;
            return resp;
        });
        r.add("GET", u"/slow"_s, [this](const Request &) {
            ++m_slowRunning;
            QThread::msleep(1500);
            --m_slowRunning;
            return Response::json(200, QJsonObject { { u"slow"_s, true } });
        });
        r.add("GET", u"/throws"_s, [](const Request &) -> Response { throw std::runtime_error("boom"); });
        Route live;
        live.method = "GET";
        live.pattern = u"/live"_s;
        live.inlineHandler = true;
        live.handler = [](const Request &) {
            return Response::text(200, "ok");
        };
        r.add(live);
        r.addWebSocket(u"/ws"_s, [this](const Request &req, const std::shared_ptr<WebSocket> &socket) {
            if (req.queryValue(u"deny"_s) == u"1"_s)
                return WebSocketAcceptance::rejected(Response::error(403, u"forbidden"_s, u"not for you"_s));
            {
                QMutexLocker lock(&m_wsMutex);
                m_lastSocket = socket;
            }
            socket->sendText("welcome"); // before the upgrade completed: delivered right after it
            std::weak_ptr<WebSocket> weak = socket;
            return WebSocketAcceptance::accepted({ [weak](const QByteArray &message) {
                                                      auto s = weak.lock();
                                                      if (!s)
                                                          return;
                                                      if (message == "bye")
                                                          s->close(4000, u"bye"_s);
                                                      else
                                                          s->sendText("echo:" + message);
                                                  },
                                                   [this](quint16) {
                                                       ++m_wsClosed;
                                                   } });
        });
        return r;
    }

    void start(ServerOptions options)
    {
        m_server = std::make_unique<Server>(makeRouter(), options);
        const Status s = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY2(s.ok(), qPrintable(s.ok() ? QString() : s.error().message));
        m_port = m_server->port();
        QVERIFY(m_port > 0);
    }

    static ServerOptions fastOptions()
    {
        ServerOptions o;
        o.headerTimeout = 400ms;
        o.bodyTimeout = 400ms;
        o.idleTimeout = 600ms;
        o.workerThreads = 4;
        o.maxBodyBytes = 64 * 1024;
        o.webSocketPingInterval = 60s;
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        g_previous = qInstallMessageHandler(captureLog);
        QLoggingCategory::setFilterRules(u"lifdag.http.access.info=true"_s);
    }

    void init() { start(fastOptions()); }
    void cleanup()
    {
        m_server.reset();
        m_lastSocket.reset();
    }

    void keepAliveServesSeveralRequestsOnOneConnection()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        for (int i = 0; i < 5; ++i) {
            const auto r = c.request(getRequest("/hello"));
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QCOMPARE(r->json().value(u"hello"_s).toString(), u"world"_s);
            QCOMPARE(r->header("connection"), QByteArray("keep-alive"));
            QVERIFY(!r->header("x-request-id").isEmpty());
        }
        QVERIFY(c.isConnected());
    }

    void pipelinedRequestsAnswerInOrder()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        c.send(getRequest("/items/1") + bodyRequest("POST", "/echo", "payload") + getRequest("/items/2"));
        const auto a = c.read();
        const auto b = c.read();
        const auto d = c.read();
        QVERIFY(a && b && d);
        QCOMPARE(a->json().value(u"id"_s).toString(), u"1"_s);
        QCOMPARE(b->body, QByteArray("payload"));
        QCOMPARE(d->json().value(u"id"_s).toString(), u"2"_s);
    }

    void pathAndQueryAreDecoded()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(getRequest("/items/caf%C3%A9%20au%2Flait?q=a%26b+c"));
        QVERIFY(r);
        QCOMPARE(r->json().value(u"id"_s).toString(), u"café au/lait"_s);
        QCOMPARE(r->json().value(u"q"_s).toString(), u"a&b c"_s);
    }

    void headOmitsTheBodyButKeepsItsLength()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n", 5000, true);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("content-length"), QByteArray("17"));
        QVERIFY(r->body.isEmpty());
        const auto next = c.request(getRequest("/hello")); // nothing stray left on the connection
        QVERIFY(next && next->status == 200);
    }

    void optionsListsTheAllowedMethods()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        auto r = c.request("OPTIONS /items/5 HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 204);
        QCOMPARE(r->header("allow"), QByteArray("GET, HEAD, OPTIONS"));
        r = c.request("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
        QCOMPARE(r->status, 204);
    }

    void errorsAreJsonWithStableCodes_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("closes");
        QTest::newRow("unknown path") << getRequest("/nope") << 404 << u"not_found"_s << false;
        QTest::newRow("wrong method")
            << bodyRequest("DELETE", "/hello", "") << 405 << u"method_not_allowed"_s << false;
        QTest::newRow("unknown method") << QByteArray("BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n") << 405
                                        << u"method_not_allowed"_s << false;
        QTest::newRow("body too large")
            << QByteArray("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n") << 413
            << u"payload_too_large"_s << true;
        QTest::newRow("chunked") << QByteArray(
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << 411 << u"length_required"_s << true;
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)
                                 << 400 << u"bad_request_line"_s << true;
        QTest::newRow("invalid utf-8 path")
            << getRequest("/items/%ff%fe") << 400 << u"bad_request_target"_s << false;
        QTest::newRow("bad percent") << getRequest("/items/%zz") << 400 << u"bad_request_target"_s << false;
        QTest::newRow("handler throws") << getRequest("/throws") << 500 << u"internal"_s << false;
        QTest::newRow("plain GET on websocket") << getRequest("/ws") << 426 << u"upgrade_required"_s << false;
        QTest::newRow("http/3") << QByteArray("GET /hello HTTP/3.0\r\nHost: t\r\n\r\n") << 505
                                << u"http_version_not_supported"_s << true;
    }

    void errorsAreJsonWithStableCodes()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(bool, closes);
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(request);
        QVERIFY(r);
        QCOMPARE(r->status, status);
        QCOMPARE(r->header("content-type"), QByteArray("application/json"));
        QCOMPARE(r->errorCode(), code);
        QVERIFY(!r->json().value(u"error"_s).toObject().value(u"message"_s).toString().isEmpty());
        if (closes) {
            QCOMPARE(r->header("connection"), QByteArray("close"));
            QVERIFY(c.waitClosed());
        } else {
            const auto again = c.request(getRequest("/hello"));
            QVERIFY2(again && again->status == 200, "the connection should stay usable");
        }
    }

    void wrongMethodNamesTheAllowedOnes()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(bodyRequest("PUT", "/items/3", "{}"));
        QCOMPARE(r->status, 405);
        QCOMPARE(r->header("allow"), QByteArray("GET, HEAD, OPTIONS"));
    }

    void expectContinueGetsAnInterimResponse()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        const auto interim = c.read();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        const auto r = c.request("hello");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray("hello"));
    }

    void http10ClosesUnlessAskedToKeepAlive()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request("GET /hello HTTP/1.0\r\n\r\n");
        QVERIFY(r && r->status == 200);
        QCOMPARE(r->header("connection"), QByteArray("close"));
        QVERIFY(c.waitClosed());
    }

    void aSlowHandlerNeverStallsOtherClients()
    {
        RawClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send(getRequest("/slow"));
        QTRY_COMPARE(m_slowRunning.load(), 1);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < 20; ++i) {
            RawClient c;
            QVERIFY(c.connectTo(m_port));
            const auto r = c.request(getRequest("/hello"));
            QVERIFY(r && r->status == 200);
        }
        QVERIFY2(t.elapsed() < 1000, qPrintable(u"20 requests took %1 ms"_s.arg(t.elapsed())));
        QCOMPARE(m_slowRunning.load(), 1); // still running
        const auto r = slow.read(5000);
        QVERIFY(r && r->status == 200);
    }

    void inlineHandlersAnswerWhileWorkersAreBusy()
    {
        m_server.reset();
        ServerOptions o = fastOptions();
        o.workerThreads = 1;
        start(o);
        RawClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send(getRequest("/slow"));
        QTRY_COMPARE(m_slowRunning.load(), 1);
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        QElapsedTimer t;
        t.start();
        const auto r = c.request(getRequest("/live"));
        QVERIFY(r && r->status == 200);
        QVERIFY(t.elapsed() < 500);
        QVERIFY(slow.read(5000));
    }

    void slowlorisHeadsTimeOutWith408()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        QElapsedTimer t;
        t.start();
        // A byte every 100 ms: the head never completes within the 400 ms header timeout.
        std::optional<RawResponse> r;
        const QByteArray head = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ";
        for (qsizetype i = 0; i < head.size() && c.isConnected() && !r; ++i) {
            c.send(head.mid(i, 1));
            r = c.read(100);
        }
        if (!r)
            r = c.read(2000);
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        QCOMPARE(r->errorCode(), u"request_timeout"_s);
        QVERIFY(c.waitClosed());
        QVERIFY(t.elapsed() < 2000);
        QVERIFY(m_server->stats().timeouts >= 1);
    }

    void slowBodiesTimeOutWith408()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
        const auto r = c.read(3000);
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        QVERIFY(c.waitClosed());
    }

    void silentAndIdleConnectionsAreClosed()
    {
        RawClient silent;
        QVERIFY(silent.connectTo(m_port));
        const auto r = silent.read(3000);
        QVERIFY(r && r->status == 408);
        QVERIFY(silent.waitClosed(2000));

        RawClient idle;
        QVERIFY(idle.connectTo(m_port));
        QVERIFY(idle.request(getRequest("/hello")));
        QTest::qWait(300);
        QVERIFY(idle.request(getRequest("/hello"))); // still within the idle timeout
        QVERIFY(idle.waitClosed(3000)); // then closed without a response
    }

    void connectionsBeyondTheLimitGet503()
    {
        m_server.reset();
        ServerOptions o = fastOptions();
        o.maxConnections = 3;
        o.headerTimeout = 5s;
        start(o);
        std::vector<std::unique_ptr<RawClient>> held;
        for (int i = 0; i < 3; ++i) {
            held.push_back(std::make_unique<RawClient>());
            QVERIFY(held.back()->connectTo(m_port));
            QVERIFY(held.back()->request(getRequest("/hello")));
        }
        RawClient extra;
        QVERIFY(extra.connectTo(m_port));
        const auto r = extra.read(3000);
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->errorCode(), u"too_many_connections"_s);
        held.clear();
        QTRY_COMPARE(m_server->stats().openConnections, 0);
        RawClient after;
        QVERIFY(after.connectTo(m_port));
        QVERIFY(after.request(getRequest("/hello"))->status == 200);
    }

    void webSocketEchoesAndPushesWithQtsClient()
    {
        QWebSocket ws;
        QSignalSpy connected(&ws, &QWebSocket::connected);
        QStringList received;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { received << m; });
        ws.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_port)));
        QTRY_COMPARE(connected.size(), 1);
        QTRY_COMPARE(received, QStringList { u"welcome"_s });
        ws.sendTextMessage(u"ping one"_s);
        ws.sendTextMessage(QString(70000, u'x')); // 64-bit length form
        QTRY_COMPARE(received.size(), 3);
        QCOMPARE(received.at(1), u"echo:ping one"_s);
        QCOMPARE(received.at(2).size(), 70005);
        // A push from another thread arrives too.
        std::shared_ptr<WebSocket> socket;
        {
            QMutexLocker lock(&m_wsMutex);
            socket = m_lastSocket;
        }
        std::thread([socket] { socket->sendText("from a worker"); }).join();
        QTRY_COMPARE(received.size(), 4);
        QCOMPARE(received.at(3), u"from a worker"_s);
        QCOMPARE(m_server->stats().openWebSockets, 1);
        QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
        ws.sendTextMessage(u"bye"_s);
        QTRY_COMPARE(disconnected.size(), 1);
        QCOMPARE(int(ws.closeCode()), 4000);
        QTRY_COMPARE(m_wsClosed.load(), 1);
        QVERIFY(!socket->isOpen());
        QVERIFY(!socket->sendText("too late"));
        QTRY_COMPARE(m_server->stats().openWebSockets, 0);
    }

    void webSocketUpgradeCanBeRejected()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(getRequest("/ws?deny=1",
                                            "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                            "Sec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
        QVERIFY(r);
        QCOMPARE(r->status, 403);
        QCOMPARE(r->errorCode(), u"forbidden"_s);
    }

    void webSocketProtocolViolationsClose()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(getRequest("/ws",
                                            "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                            "Sec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
        QVERIFY(r);
        QCOMPARE(r->status, 101);
        QCOMPARE(r->header("sec-websocket-accept"), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        c.send(QByteArray::fromHex("810548656c6c6f")); // unmasked: protocol error
        QVERIFY(c.waitClosed());
        QVERIFY(c.buffer().contains(QByteArray::fromHex("881003ea"))); // close 1002
    }

    void accessLogNamesTheRequestButNeverCredentials()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        const auto r = c.request(bodyRequest("POST", "/echo?access_token=sekrit-query-value&x=1", "body",
                                             "Authorization: Bearer sekrit-header-value\r\n"));
        QVERIFY(r && r->status == 200);
        QTRY_VERIFY(logLines().join(u'\n').contains(u"user=tester"_s));
        bool found = false;
        for (const QString &line : logLines()) {
            QVERIFY2(!line.contains(u"sekrit"_s), qPrintable(line));
            if (line.contains(u"lifdag.http.access"_s) && line.contains(u"/echo?access_token=***&x=1"_s)
                && line.contains(u"status=200"_s))
                found = true;
        }
        QVERIFY(found);
    }

    void metricsCountRequestsPerRoute()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_port));
        for (int i = 0; i < 3; ++i)
            QVERIFY(c.request(getRequest("/items/" + QByteArray::number(i))));
        QVERIFY(c.request(getRequest("/missing")));
        QByteArray out;
        QTRY_VERIFY((
            out.clear(), m_server->writeMetrics(out),
            out.contains("lifdag_http_requests_total{method=\"GET\",route=\"/items/{id}\",code=\"200\"} 3")));
        QVERIFY(out.contains("lifdag_http_requests_total{method=\"\",route=\"unmatched\",code=\"404\"} 1"));
        QVERIFY(out.contains(
            "lifdag_http_request_duration_seconds_count{method=\"GET\",route=\"/items/{id}\"} 3"));
    }

    void closeWaitsForHandlersAndDropsConnections()
    {
        RawClient slow;
        QVERIFY(slow.connectTo(m_port));
        slow.send(getRequest("/slow"));
        QTRY_COMPARE(m_slowRunning.load(), 1);
        m_server->close();
        QCOMPARE(m_slowRunning.load(), 0);
        QVERIFY(slow.waitClosed());
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
