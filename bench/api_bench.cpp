// api_bench: the webserver as a separate `lifdag webserver` process over 100k stored runs -
// requests/s and latency percentiles for GET /api/v1/runs?limit=50 (and GraphQL runOrError when
// /graphql is mounted), WebSocket event delivery latency (storage append -> frame received), and
// the server's RSS idle, before and after a million requests.
//   build/bench/api_bench [--runs 100000] [--requests 1000000] [--connections 8] [--seconds 20]
//   scripts/bench.sh api_bench …   (adds PostgreSQL)
#include "benchinstance.h"
#include "benchutil.h"
#include "testsupport.h"

#include <lifdag/core/event.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QThread>
#include <QUuid>
#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace lifdag;
using namespace lifdag::bench;
using namespace Qt::StringLiterals;

namespace {

// A blocking keep-alive HTTP/1.1 connection on a plain socket (the client must cost less than
// the server it measures).
class Conn
{
public:
    explicit Conn(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        int one = 1;
        if (m_fd >= 0)
            ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Conn()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }

    bool sendAll(const QByteArray &data)
    {
        qsizetype sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(m_fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }
    bool fill()
    {
        char buf[65536];
        const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        m_buffer.append(buf, qsizetype(n));
        return true;
    }
    // One response; the status (0 on failure).
    int exchange(const QByteArray &request, QByteArray *body = nullptr)
    {
        if (!sendAll(request))
            return 0;
        while (true) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                const qsizetype cl = m_buffer.indexOf("content-length: ");
                const qint64 length = cl >= 0 && cl < end
                    ? m_buffer.mid(cl + 16, m_buffer.indexOf('\r', cl) - cl - 16).toLongLong()
                    : 0;
                if (m_buffer.size() >= end + 4 + length) {
                    const int status = m_buffer.mid(9, 3).toInt();
                    if (body)
                        *body = m_buffer.mid(end + 4, length);
                    m_buffer.remove(0, end + 4 + length);
                    return status;
                }
            }
            if (!fill())
                return 0;
        }
    }
    int fd() const { return m_fd; }
    QByteArray &buffer() { return m_buffer; }

private:
    int m_fd = -1;
    QByteArray m_buffer;
};

qint64 rssKb(qint64 pid)
{
    QFile f(u"/proc/%1/status"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

struct LoadResult
{
    double seconds = 0;
    qint64 requests = 0;
    qint64 failures = 0;
    QList<double> latenciesMs;
};

// `connections` threads, each a keep-alive connection sending requests made by `make`.
LoadResult load(quint16 port, int connections, qint64 totalRequests, double maxSeconds,
                const std::function<QByteArray(QRandomGenerator &)> &make, bool keepLatencies = true)
{
    LoadResult result;
    std::atomic<qint64> remaining { totalRequests };
    std::atomic<qint64> failures { 0 };
    std::atomic<qint64> succeeded { 0 };
    std::vector<QList<double>> perThread(static_cast<size_t>(connections));
    QElapsedTimer wall;
    wall.start();
    std::vector<std::thread> threads;
    for (int t = 0; t < connections; ++t) {
        threads.emplace_back([&, t] {
            QRandomGenerator rng(quint32(t + 1));
            auto conn = std::make_unique<Conn>(port);
            QElapsedTimer timer;
            while (remaining.fetch_sub(1) > 0 && double(wall.elapsed()) / 1000.0 < maxSeconds) {
                const QByteArray request = make(rng);
                timer.start();
                const int status = conn->exchange(request);
                const double ms = double(timer.nsecsElapsed()) / 1e6;
                if (status < 200 || status >= 500) {
                    ++failures;
                    conn = std::make_unique<Conn>(port);
                    continue;
                }
                ++succeeded;
                if (keepLatencies)
                    perThread[size_t(t)].append(ms);
            }
        });
    }
    for (auto &t : threads)
        t.join();
    result.seconds = double(wall.nsecsElapsed()) / 1e9;
    result.failures = failures.load();
    result.requests = succeeded.load();
    for (auto &l : perThread)
        result.latenciesMs += l;
    return result;
}

void report(const char *backend, const QString &what, LoadResult &r)
{
    row(backend, qPrintable(what + u": requests/s"_s), double(r.requests) / r.seconds, "req/s");
    row(backend, qPrintable(what + u": p50"_s), percentile(r.latenciesMs, 50), "ms");
    row(backend, qPrintable(what + u": p99"_s), percentile(r.latenciesMs, 99), "ms");
    row(backend, qPrintable(what + u": p99.9"_s), percentile(r.latenciesMs, 99.9), "ms");
    if (r.failures)
        row(backend, qPrintable(what + u": failed requests"_s), double(r.failures), "");
}

QByteArray get(const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: bench\r\n\r\n";
}

// Minimal WebSocket client on Conn: handshake, one masked text frame, then read server frames.
struct WsClient
{
    Conn conn;
    explicit WsClient(quint16 port)
        : conn(port)
    { }
    bool handshake()
    {
        const QByteArray request = get("/api/v1/ws")
                                       .replace("\r\n\r\n",
                                                "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                                "Sec-WebSocket-Version: 13\r\n"
                                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        if (!conn.sendAll(request))
            return false;
        while (conn.buffer().indexOf("\r\n\r\n") < 0) {
            if (!conn.fill())
                return false;
        }
        const bool upgraded = conn.buffer().startsWith("HTTP/1.1 101");
        conn.buffer().remove(0, conn.buffer().indexOf("\r\n\r\n") + 4);
        return upgraded;
    }
    bool sendText(const QByteArray &text)
    {
        QByteArray frame;
        frame += char(0x81);
        frame += char(0x80 | (text.size() < 126 ? text.size() : 126));
        if (text.size() >= 126) {
            frame += char(text.size() >> 8);
            frame += char(text.size() & 0xff);
        }
        const char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
        frame.append(mask, 4);
        for (qsizetype i = 0; i < text.size(); ++i)
            frame += char(text[i] ^ mask[i & 3]);
        return conn.sendAll(frame);
    }
    // The next text frame's payload (empty on failure).
    QByteArray next()
    {
        while (true) {
            QByteArray &b = conn.buffer();
            if (b.size() >= 2) {
                quint64 len = uchar(b[1]) & 0x7f;
                qsizetype header = 2;
                if (len == 126 && b.size() >= 4) {
                    len = (quint64(uchar(b[2])) << 8) | uchar(b[3]);
                    header = 4;
                } else if (len == 127 && b.size() >= 10) {
                    len = 0;
                    for (int i = 0; i < 8; ++i)
                        len = (len << 8) | uchar(b[2 + i]);
                    header = 10;
                }
                if (!(len >= 126 && header == 2) && b.size() >= header + qsizetype(len)) {
                    const int opcode = uchar(b[0]) & 0x0f;
                    QByteArray payload = b.mid(header, qsizetype(len));
                    b.remove(0, header + qsizetype(len));
                    if (opcode == 1)
                        return payload;
                    continue; // pings and others
                }
            }
            if (!conn.fill())
                return {};
        }
    }
};

int g_workerThreads = 0; // 0: the webserver's default

void runBackend(Backend backend, int runs, qint64 rssRequests, int connections, double seconds)
{
    const char *name = backend == Backend::Postgres ? "postgres" : "sqlite";
    BenchInstance bi(backend);
    if (!bi.ok()) {
        std::fprintf(stderr, "%s: %s\n", name, qPrintable(bi.error()));
        return;
    }
    storage::Storage &storage = bi.instance().storage();

    // 100k runs, with tags, spread over a few jobs and statuses, written from several threads.
    QElapsedTimer t;
    t.start();
    std::atomic<int> next { 0 };
    QStringList someIds;
    std::mutex idsMutex;
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&] {
            static const RunStatus statuses[] = { RunStatus::Success, RunStatus::Success, RunStatus::Failure,
                                                  RunStatus::Canceled, RunStatus::Queued };
            int i;
            while ((i = next.fetch_add(1)) < runs) {
                storage::RunRecord r;
                r.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
                r.jobName = u"job_%1"_s.arg(i % 5);
                r.locationName = u"bench"_s;
                r.repositoryName = u"__repository__"_s;
                r.status = statuses[i % 5];
                // i % 7 against the status's i % 5: every (team, status) pair occurs.
                r.tags = { { u"team"_s, u"t%1"_s.arg(i % 7) }, { u"dagster/priority"_s, u"0"_s } };
                r.runConfig =
                    QJsonObject { { u"ops"_s,
                                    QJsonObject { { u"fan_out"_s, QJsonObject { { u"count"_s, i } } } } } };
                if (!storage.runs().addRun(r).ok())
                    continue;
                if (i % 997 == 0) {
                    std::lock_guard lock(idsMutex);
                    someIds << r.runId;
                }
            }
        });
    }
    for (auto &w : writers)
        w.join();
    row(name, "stored runs", double(runs), "");
    row(name, "seeding time", double(t.elapsed()) / 1000.0, "s");

    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DAGSTER_HOME"_s, bi.home());
    server.setProcessEnvironment(env);
    QString error;
    QStringList serverArgs { u"webserver"_s,       u"-h"_s,          u"127.0.0.1"_s, u"-p"_s, u"0"_s,
                             u"--no-access-log"_s, u"--log-level"_s, u"warning"_s };
    if (g_workerThreads > 0)
        serverArgs << u"--worker-threads"_s << QString::number(g_workerThreads);
    const int port = test::startLifdagServer(server, serverArgs, &error);
    if (!port) {
        std::fprintf(stderr, "%s: webserver did not start: %s\n", name, qPrintable(error));
        return;
    }
    const qint64 pid = server.processId();
    {
        Conn warm { quint16(port) };
        for (int i = 0; i < 20; ++i)
            warm.exchange(get("/api/v1/runs?limit=50"));
    }
    QThread::sleep(1);
    row(name, "webserver RSS idle (after warm-up)", double(rssKb(pid)) / 1024.0, "MB");

    // GET /api/v1/runs?limit=50 at rising concurrency (the newest page), then filtered pages.
    LoadResult r;
    QList<int> levels { 1 };
    if (connections / 2 > 1)
        levels << connections / 2;
    if (connections > 1)
        levels << connections;
    for (int c : std::as_const(levels)) {
        r = load(quint16(port), c, std::numeric_limits<qint64>::max(), seconds / 2,
                 [](QRandomGenerator &) { return get("/api/v1/runs?limit=50"); });
        report(name, u"GET /api/v1/runs?limit=50, %1 conn(s)"_s.arg(c), r);
    }
    r = load(quint16(port), connections, std::numeric_limits<qint64>::max(), seconds / 2,
             [](QRandomGenerator &rng) {
                 return get("/api/v1/runs?limit=50&status=SUCCESS&tag=team%3Dt"
                            + QByteArray::number(rng.bounded(10)));
             });
    report(name, u"GET /api/v1/runs?limit=50&status&tag"_s, r);
    r = load(quint16(port), connections, std::numeric_limits<qint64>::max(), seconds / 2,
             [&](QRandomGenerator &rng) {
                 return get("/api/v1/runs/" + someIds[rng.bounded(someIds.size())].toUtf8());
             });
    report(name, u"GET /api/v1/runs/{id}"_s, r);

    // GraphQL runOrError, when this build mounts /graphql.
    {
        Conn probe { quint16(port) };
        const QByteArray query =
            QJsonDocument(
                QJsonObject {
                    { u"query"_s,
                      u"query Q($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { runId status } } }"_s },
                    { u"variables"_s, QJsonObject { { u"runId"_s, someIds.first() } } } })
                .toJson(QJsonDocument::Compact);
        auto request = [](const QByteArray &body) -> QByteArray {
            return "POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                   "application/json\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        };
        QByteArray body;
        const int status = probe.exchange(request(query), &body);
        if (status == 200 && body.contains("runOrError")) {
            r = load(
                quint16(port), connections, std::numeric_limits<qint64>::max(), seconds / 2,
                [&](QRandomGenerator &rng) {
                    const QByteArray q =
                        QJsonDocument(
                            QJsonObject {
                                { u"query"_s,
                                  u"query Q($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { runId status } } }"_s },
                                { u"variables"_s,
                                  QJsonObject { { u"runId"_s, someIds[rng.bounded(someIds.size())] } } } })
                            .toJson(QJsonDocument::Compact);
                    return request(q);
                });
            report(name, u"POST /graphql runOrError"_s, r);
        } else {
            std::printf("%-10s %-48s %s\n", name, "POST /graphql runOrError",
                        "skipped: /graphql not mounted in this build");
        }
    }

    // WebSocket delivery: append an event here, time until the subscriber's frame arrives.
    {
        storage::RunRecord run;
        run.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        run.jobName = u"ws_job"_s;
        run.locationName = u"bench"_s;
        run.status = RunStatus::Started;
        (void)storage.runs().addRun(run);
        WsClient ws { quint16(port) };
        if (!ws.handshake()) {
            std::fprintf(stderr, "%s: WebSocket upgrade failed\n", name);
        } else {
            ws.sendText(R"({"type":"subscribe","channel":"events","id":"b","after":0,"runId":")"
                        + run.runId.toUtf8() + "\"}");
            ws.next(); // subscribed
            QList<double> delays;
            for (int i = 0; i < 400; ++i) {
                QElapsedTimer timer;
                timer.start();
                if (!storage.events()
                         .append({ runEvent(run.runId, EventType::EngineEvent, u"bench %1"_s.arg(i)) })
                         .ok())
                    continue;
                const double appendMs = double(timer.nsecsElapsed()) / 1e6;
                const QByteArray frame = ws.next();
                if (frame.isEmpty())
                    break;
                delays << double(timer.nsecsElapsed()) / 1e6 - appendMs;
                QThread::msleep(5);
            }
            row(name, "WebSocket delivery after append: p50", percentile(delays, 50), "ms");
            row(name, "WebSocket delivery after append: p99", percentile(delays, 99), "ms");
            row(name, "WebSocket delivery after append: max", percentile(delays, 100), "ms");
        }
    }

    // A million requests of every kind the server answers often; RSS before and after.
    QThread::sleep(5);
    const qint64 before = rssKb(pid);
    row(name, "webserver RSS idle before the million", double(before) / 1024.0, "MB");
    t.restart();
    LoadResult big = load(
        quint16(port), connections, rssRequests, 1e9,
        [&](QRandomGenerator &rng) {
            switch (rng.bounded(10)) {
            case 0:
                return get("/api/v1/runs?limit=50");
            case 1:
                return get("/api/v1/nope");
            case 2:
                return get("/health");
            case 3:
                return QByteArray("POST /api/v1/runs HTTP/1.1\r\nHost: b\r\nContent-Type: "
                                  "application/json\r\nContent-Length: 5\r\n\r\n{bad}");
            default:
                return get("/api/v1/runs/" + someIds[rng.bounded(someIds.size())].toUtf8());
            }
        },
        false);
    const double elapsed = double(t.elapsed()) / 1000.0;
    QThread::sleep(1);
    const qint64 after = rssKb(pid);
    QThread::sleep(5); // the server trims its heap after 2 s without requests
    const qint64 idleAfter = rssKb(pid);
    row(name, "mixed requests sent", double(big.requests + big.failures), "");
    row(name, "mixed requests/s", double(big.requests) / elapsed, "req/s");
    row(name, "webserver RSS after them", double(after) / 1024.0, "MB");
    row(name, "webserver RSS idle 6 s later", double(idleAfter) / 1024.0, "MB");
    if (big.failures)
        row(name, "mixed: failed requests", double(big.failures), "");

    server.terminate();
    server.waitForFinished(10000);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int runs = 100000;
    qint64 requests = 1000000;
    int connections = 8;
    double seconds = 20;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--runs"_s)
            runs = args[i + 1].toInt();
        else if (args[i] == u"--requests"_s)
            requests = args[i + 1].toLongLong();
        else if (args[i] == u"--connections"_s)
            connections = args[i + 1].toInt();
        else if (args[i] == u"--seconds"_s)
            seconds = args[i + 1].toDouble();
        else if (args[i] == u"--worker-threads"_s)
            g_workerThreads = args[i + 1].toInt();
    }
    std::printf("api_bench: %d runs stored, %d connections, %lld mixed requests for the RSS check\n", runs,
                connections, static_cast<long long>(requests));
    runBackend(Backend::Sqlite, runs, requests, connections, seconds);
    if (!qEnvironmentVariableIsEmpty("LIFDAG_BENCH_PG_HOST"))
        runBackend(Backend::Postgres, runs, requests, connections, seconds);
    return 0;
}
