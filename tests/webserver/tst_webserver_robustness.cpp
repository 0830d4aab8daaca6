// More than 10,000 malformed and hostile requests - bad JSON, huge bodies, deep nesting, invalid
// UTF-8, slowloris heads, unknown routes and methods, broken request lines and headers, WebSocket
// garbage - while a normal client keeps working. Each hostile request must be answered with a JSON
// 4xx error (505 for an HTTP version it cannot speak) or have its connection closed; the server
// must never crash, never answer 5xx otherwise, and keep serving normal requests all along.
#include "webfixture.h"

#include <QRandomGenerator>
#include <QTest>
#include <atomic>
#include <mutex>
#include <thread>

using namespace lifdag;
using namespace lifdag::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

struct Tally
{
    std::atomic<int> sent { 0 };
    std::atomic<int> answered4xx { 0 };
    std::atomic<int> closed { 0 };
    std::atomic<int> unexpected { 0 };
    std::mutex mutex;
    QStringList samples; // the first few unexpected answers
    QMap<int, int> byStatus;

    void record(const QByteArray &request, const std::optional<RawResponse> &r, bool closedWithoutAnswer)
    {
        ++sent;
        if (!r) {
            if (closedWithoutAnswer) {
                ++closed;
                return;
            }
            fail(request, u"no answer and connection still open"_s);
            return;
        }
        {
            std::lock_guard lock(mutex);
            ++byStatus[r->status];
        }
        // The API's {"error":{"code",…}}, or GraphQL's {"errors":[…]} from /graphql.
        const bool json = r->header("content-type") == "application/json"
            && (!r->errorCode().isEmpty() || !r->json().value(u"errors"_s).toArray().isEmpty());
        if (((r->status >= 400 && r->status < 500) || r->status == 505) && json) {
            ++answered4xx;
            return;
        }
        fail(request, u"answered %1: %2"_s.arg(r->status).arg(QString::fromUtf8(r->body.left(200))));
    }

    void fail(const QByteArray &request, const QString &what)
    {
        ++unexpected;
        std::lock_guard lock(mutex);
        if (samples.size() < 10)
            samples << what + u" <- "_s
                    + QString::fromLatin1(request.left(120).toPercentEncoding(" /:?=&{}\"[],"));
    }
};

QByteArray randomBytes(QRandomGenerator &rng, int n)
{
    QByteArray b(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        b[i] = char(rng.bounded(256));
    return b;
}

QByteArray post(const QByteArray &target, const QByteArray &body, const QByteArray &type = "application/json")
{
    return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: " + type
        + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// The i-th hostile request (deterministic per seed).
QByteArray hostile(QRandomGenerator &rng, int i)
{
    static const QList<QByteArray> targets { "/api/v1/runs", "/api/v1/runs/x/terminate", "/api/v1/tokens",
                                             "/api/v1/instance/launcher", "/api/v1/runs/x/reexecute" };
    const QByteArray target = targets[i % targets.size()];
    switch (i % 27) {
    case 0: // truncated JSON
        return post(target, QByteArray(R"({"job": "nope_job", "runConfig": {"ops": )").left(rng.bounded(40)));
    case 1: // random bytes as JSON
        return post(target, randomBytes(rng, 1 + rng.bounded(300)));
    case 2: // invalid UTF-8 inside a JSON string
        return post(target, "{\"job\":\"" + randomBytes(rng, 8) + "\xff\xfe\xc0\xaf\"}");
    case 3: // deep nesting
        return post(target, QByteArray(200000, '[') + QByteArray(200000, ']'));
    case 4: // deep objects
        return post(target,
                    QByteArray(100000, '{').replace("{", "{\"a\":") + "1" + QByteArray(100000 / 5, '}'));
    case 5: // a huge declared body, never sent
        return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(50 * 1024 * 1024 + rng.bounded(1000)) + "\r\n\r\n{\"job\":";
    case 6: // wrong JSON types
        return post("/api/v1/runs", R"({"job": 42, "tags": "x"})");
    case 7: // unknown route
        return "GET /api/v1/" + QByteArray::number(rng.generate(), 36) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    case 8: { // unknown or misplaced methods
        static const QList<QByteArray> methods { "BREW",  "PROPFIND", "TRACE", "CONNECT",
                                                 "PATCH", "DELETE",   "PUT" };
        return methods[rng.bounded(methods.size())] + " /api/v1/runs HTTP/1.1\r\nHost: t\r\n\r\n";
    }
    case 9: // invalid UTF-8 in the path and query
        return "GET /api/v1/runs/%ff%c0%af?status=%fe HTTP/1.1\r\nHost: t\r\n\r\n";
    case 10: // raw bytes in the request line
        return "GET /" + randomBytes(rng, 20).replace('\n', 'x').replace('\r', 'x').replace(' ', 'x')
            + " HTTP/1.1\r\nHost: t\r\n\r\n";
    case 11: // garbage instead of a request
        return randomBytes(rng, 1 + rng.bounded(500)) + "\r\n\r\n";
    case 12: // header injection and folding
        return "GET /api/v1/runs HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n folded\r\n\r\n";
    case 13: // NUL and control characters in headers
        return QByteArray("GET /health HTTP/1.1\r\nHost: t\r\nX-B: a") + '\0' + "\x01\x7f\r\n\r\n";
    case 14: // request smuggling shapes
        return "POST /api/v1/runs HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: "
               "chunked\r\n\r\n0\r\n\r\n";
    case 15: // conflicting lengths
        return "POST /api/v1/runs HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: "
               "7\r\n\r\n{}{}{}{";
    case 16: // oversized header block
        return "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(20000 + rng.bounded(5000), 'a')
            + "\r\n\r\n";
    case 17: // too many headers
    {
        QByteArray r = "GET /health HTTP/1.1\r\nHost: t\r\n";
        for (int h = 0; h < 150; ++h)
            r += "X-" + QByteArray::number(h) + ": v\r\n";
        return r + "\r\n";
    }
    case 18: // overlong URL
        return "GET /api/v1/runs?tag=" + QByteArray(9000 + rng.bounded(3000), 'q')
            + " HTTP/1.1\r\nHost: t\r\n\r\n";
    case 19: // HTTP/2 preface and other versions
        return rng.bounded(2) ? QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                              : QByteArray("GET / HTTP/9.9\r\nHost: t\r\n\r\n");
    case 20: // bad parameters
        return "GET /api/v1/runs?limit=-" + QByteArray::number(rng.bounded(100))
            + "&status=%E2%98%83&created_after=never HTTP/1.1\r\nHost: t\r\n\r\n";
    case 21: // form bodies and missing Host
        return rng.bounded(2) ? post("/api/v1/runs", "job=hello_job", "application/x-www-form-urlencoded")
                              : QByteArray("GET /api/v1/runs HTTP/1.1\r\n\r\n");
    case 22: // a WebSocket upgrade with a bad key or version
        return "GET /api/v1/ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: "
               "websocket\r\nSec-WebSocket-Version: "
            + QByteArray(rng.bounded(2) ? "8" : "13")
            + "\r\nSec-WebSocket-Key: " + randomBytes(rng, 6).toBase64() + "\r\n\r\n";
    case 24: // deeply nested GraphQL selections
        return post("/graphql",
                    "{\"query\":\"" + QByteArray(20000, '{').replace("{", "{runsOrError") + "\"}");
    case 25: // GraphQL garbage and hostile documents
    {
        static const QList<QByteArray> docs {
            "{\"query\":\"{ __schema { types { fields { type { ofType { ofType { name } } } } } }\"}x",
            "{\"query\":42}", "{\"query\":\"query { ... on Run }\"}",
            "{\"query\":\"{ runsOrError(limit: \\\"many\\\") { __typename } }\"}",
            "{\"query\":\"{ a: version, a: __typename }\", \"variables\": \"[not json\"}"
        };
        return post("/graphql", docs[rng.bounded(docs.size())]);
    }
    case 26: // GET /graphql with a bad document
        return "GET /graphql?query=%7B%20version%20%7B%7B HTTP/1.1\r\nHost: t\r\n\r\n";
    default: // JSON that parses but is not what the endpoint wants
        return post(
            target,
            R"({"run_launcher": {"class": "NoSuchLauncher"}, "name": "", "role": "god", "tags": {"": 1}})");
    }
}

// A client frame (masked unless the violation is not masking) that breaks RFC 6455 or the server's limits.
QByteArray webSocketViolation(QRandomGenerator &rng, int i)
{
    auto frame = [&](uchar first, const QByteArray &payload, bool mask = true) {
        QByteArray out;
        out += char(first);
        const QByteArray key = randomBytes(rng, 4);
        out += char((mask ? 0x80 : 0) | (payload.size() < 126 ? payload.size() : 126));
        if (payload.size() >= 126) {
            out += char(payload.size() >> 8);
            out += char(payload.size() & 0xff);
        }
        if (mask)
            out += key;
        for (qsizetype k = 0; k < payload.size(); ++k)
            out += mask ? char(payload[k] ^ key[k & 3]) : payload[k];
        return out;
    };
    switch (i % 7) {
    case 0:
        return frame(0x81, "{\"type\":\"ping\"}", false); // unmasked
    case 1:
        return frame(0xC1, "{}"); // reserved bit
    case 2:
        return frame(0x82, randomBytes(rng, 10)); // binary
    case 3:
        return frame(0x81, "\xff\xfe\xfd"); // invalid UTF-8
    case 4:
        return QByteArray("\x81\xff\x00\x00\x00\x00\x10\x00\x00\x00", 10) + randomBytes(rng, 4); // 256 MiB
    case 5:
        return frame(0x80, "orphan"); // continuation without a message
    default:
        return frame(0x09, "ping"); // fragmented control frame
    }
}

} // namespace

class TestWebserverRobustness : public QObject
{
    Q_OBJECT

    WebFixture f;

private Q_SLOTS:
    void initTestCase()
    {
        webserver::WebServerOptions options;
        options.http.headerTimeout = 1500ms;
        options.http.bodyTimeout = 1500ms;
        options.http.accessLog = false; // 10,000 lines would only slow the test down
        const QString error = f.start(options);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (int i = 0; i < 20; ++i)
            f.addRun(u"some_job"_s, RunStatus::Success);
    }

    void cleanupTestCase() { f.stop(); }

    void survivesTenThousandHostileRequestsWhileServingNormalOnes()
    {
        Tally tally;
        std::atomic<bool> stormOver { false };
        std::atomic<int> normalOk { 0 }, normalBad { 0 };
        QList<qint64> normalLatencyUs;
        std::mutex latencyMutex;

        // The normal client: a keep-alive connection, one request after another.
        std::thread normal([&] {
            RawClient c;
            bool connected = c.connectTo(f.port);
            QElapsedTimer t;
            int i = 0;
            while (!stormOver.load()) {
                if (!connected) {
                    connected = c.connectTo(f.port);
                    continue;
                }
                t.start();
                const auto r = c.request(getRequest(i++ % 2 ? "/api/v1/runs?limit=5" : "/health"), 10000);
                const qint64 us = t.nsecsElapsed() / 1000;
                if (r && r->status == 200) {
                    ++normalOk;
                    std::lock_guard lock(latencyMutex);
                    normalLatencyUs << us;
                } else {
                    ++normalBad;
                    connected = false;
                }
            }
        });

        // Hostile clients, a new connection per request.
        constexpr int kThreads = 6;
        constexpr int kPerThread = 1750;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                QRandomGenerator rng(quint32(1000 + t));
                for (int i = 0; i < kPerThread; ++i) {
                    const int kind = (i * kThreads + t);
                    const QByteArray request = hostile(rng, kind);
                    RawClient c;
                    if (!c.connectTo(f.port)) {
                        tally.fail(request, u"could not connect"_s);
                        continue;
                    }
                    c.send(request);
                    const auto r = c.read(10000);
                    tally.record(request, r, !r && c.waitClosed(3000));
                }
            });
        }

        // Slowloris: many connections that send half a request and stop.
        std::thread slowloris([&] {
            for (int round = 0; round < 5; ++round) {
                std::vector<std::unique_ptr<RawClient>> clients;
                for (int i = 0; i < 60; ++i) {
                    auto c = std::make_unique<RawClient>();
                    if (!c->connectTo(f.port))
                        continue;
                    c->send(
                        i % 3 == 0       ? QByteArray("GET /api/v1/runs HTTP/1.1\r\nHost: t\r\nX-Slow: ")
                            : i % 3 == 1 ? QByteArray(
                                  "POST /api/v1/runs HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"jo")
                                         : QByteArray("GE"));
                    clients.push_back(std::move(c));
                }
                for (auto &c : clients) {
                    const auto r = c->read(5000);
                    tally.record("slowloris", r, !r && c->waitClosed(3000));
                }
            }
        });

        // WebSocket violations after a valid upgrade: each must end the connection.
        std::thread wsGarbage([&] {
            QRandomGenerator rng(7);
            for (int i = 0; i < 210; ++i) {
                RawClient c;
                if (!c.connectTo(f.port))
                    continue;
                const auto up = c.request(getRequest("/api/v1/ws",
                                                     "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                                     "Sec-WebSocket-Version: 13\r\n"
                                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
                if (!up || up->status != 101) {
                    tally.fail("ws upgrade", u"upgrade refused"_s);
                    continue;
                }
                c.send(webSocketViolation(rng, i));
                ++tally.sent;
                if (c.waitClosed(5000))
                    ++tally.closed;
                else
                    tally.fail("ws violation " + QByteArray::number(i % 7),
                               u"connection kept after a protocol violation"_s);
            }
        });

        for (auto &t : threads)
            t.join();
        slowloris.join();
        wsGarbage.join();
        stormOver = true;
        normal.join();

        QString statuses;
        for (auto it = tally.byStatus.cbegin(); it != tally.byStatus.cend(); ++it)
            statuses += u" %1x%2"_s.arg(it.key()).arg(it.value());
        std::sort(normalLatencyUs.begin(), normalLatencyUs.end());
        const qint64 p99 =
            normalLatencyUs.isEmpty() ? 0 : normalLatencyUs[qsizetype(normalLatencyUs.size() * 0.99)];
        qInfo("hostile requests: %d sent, %d answered with a JSON error, %d closed; statuses:%s",
              tally.sent.load(), tally.answered4xx.load(), tally.closed.load(), qPrintable(statuses));
        qInfo("normal client meanwhile: %d ok, %d failed, p99 %.1f ms", normalOk.load(), normalBad.load(),
              double(p99) / 1000.0);
        QVERIFY2(tally.unexpected.load() == 0, qPrintable(tally.samples.join(u"\n"_s)));
        QVERIFY(tally.sent.load() >= 10000);
        QCOMPARE(tally.answered4xx.load() + tally.closed.load(), tally.sent.load());
        QVERIFY(tally.answered4xx.load() > 9000);
        QCOMPARE(normalBad.load(), 0);
        QVERIFY(normalOk.load() > 100);

        // Still healthy afterwards, and nothing left hanging.
        QCOMPARE(f.call("GET", "/api/v1/runs?limit=3").status, 200);
        QCOMPARE(f.call("GET", "/health").status, 200);
    }
};

QTEST_GUILESS_MAIN(TestWebserverRobustness)
#include "tst_webserver_robustness.moc"
