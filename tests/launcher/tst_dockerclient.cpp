// The Docker Engine API client: HTTP/1.1 response parsing (Content-Length, chunked, until close)
// and requests over a Unix socket against a scripted fake engine (errors, timeouts, framing).
#include "fakedockerserver.h"

#include <lifdag/launcher/dockerclient.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace lifdag;
using namespace lifdag::launcher;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Feeds `raw` in pieces of `step` bytes (0: all at once), then reports the end of the connection.
HttpResponseParser parseInPieces(const QByteArray &raw, int step, bool closeAtEnd, bool head = false)
{
    HttpResponseParser parser(head);
    if (step <= 0) {
        parser.feed(raw);
    } else {
        for (qsizetype i = 0; i < raw.size() && parser.state() == HttpResponseParser::State::NeedMore;
             i += step)
            parser.feed(raw.mid(i, step));
    }
    if (closeAtEnd)
        parser.finish();
    return parser;
}

} // namespace

class TestDockerClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesResponses_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<bool>("closeAtEnd");
        QTest::addColumn<bool>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");

        QTest::newRow("content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
                                        << false << false << 200 << QByteArray("{\"a\":1}");
        QTest::newRow("content-length, extra bytes ignored")
            << QByteArray("HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}garbage") << false << false
            << 201 << QByteArray("{}");
        QTest::newRow("chunked") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n")
                                 << false << false << 200 << QByteArray("Wikipedia in\r\n\r\nchunks.");
        QTest::newRow("chunked with extensions and trailers")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3;name=value\r\nabc\r\n0\r\nX-Trailer: yes\r\n\r\n")
            << false << false << 200 << QByteArray("abc");
        QTest::newRow("chunked, upper-case hex")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "A\r\n0123456789\r\n0\r\n\r\n")
            << false << false << 200 << QByteArray("0123456789");
        QTest::newRow("bare LF line ends") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\nok") << false
                                           << false << 200 << QByteArray("ok");
        QTest::newRow("body until close") << QByteArray("HTTP/1.0 200 OK\r\n\r\nstreamed until the end")
                                          << true << false << 200 << QByteArray("streamed until the end");
        QTest::newRow("204 has no body")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << false << 204 << QByteArray();
        QTest::newRow("304 has no body")
            << QByteArray("HTTP/1.1 304 Not Modified\r\n\r\n") << false << false << 304 << QByteArray();
        QTest::newRow("HEAD has no body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")
                                          << false << true << 200 << QByteArray();
        QTest::newRow("100 Continue before the answer") << QByteArray(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
                                                        << false << false << 404 << QByteArray("nope");
    }

    void parsesResponses()
    {
        QFETCH(QByteArray, raw);
        QFETCH(bool, closeAtEnd);
        QFETCH(bool, head);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        for (int step : { 0, 1, 3, 7 }) {
            const HttpResponseParser parser = parseInPieces(raw, step, closeAtEnd, head);
            QVERIFY2(parser.state() == HttpResponseParser::State::Done,
                     qPrintable(u"step %1: %2"_s.arg(step).arg(parser.error())));
            QCOMPARE(parser.response().status, status);
            QCOMPARE(parser.response().body, body);
        }
    }

    void headersAreCaseInsensitive()
    {
        const HttpResponseParser parser =
            parseInPieces("HTTP/1.1 200 OK\r\nAPI-Version: 1.41\r\nContent-Length: 0\r\n\r\n", 0, false);
        QCOMPARE(parser.response().header("api-version"), QByteArray("1.41"));
        QCOMPARE(parser.response().header("missing"), QByteArray());
    }

    void rejectsMalformedResponses_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<bool>("closeAtEnd");
        QTest::addColumn<QString>("error");

        QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n") << false
                                  << u"not an HTTP/1.x status line"_s;
        QTest::newRow("status out of range")
            << QByteArray("HTTP/1.1 999 What\r\n\r\n") << false << u"not an HTTP/1.x status line"_s;
        QTest::newRow("header without colon")
            << QByteArray("HTTP/1.1 200 OK\r\nBroken header\r\n\r\n") << false << u"malformed header line"_s;
        QTest::newRow("bad chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << false
            << u"invalid chunk size"_s;
        QTest::newRow("huge chunk") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFFFFFFFFFF\r\n")
                                    << false << u"response body larger than"_s;
        QTest::newRow("huge content length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n") << false
            << u"too large"_s;
        QTest::newRow("chunk without CRLF")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX\r\n") << false
            << u"chunk data not followed by CRLF"_s;
        QTest::newRow("negative content length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n") << false
            << u"invalid Content-Length"_s;
        QTest::newRow("unsupported transfer encoding")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n") << false
            << u"unsupported Transfer-Encoding"_s;
        QTest::newRow("closed in the body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
                                            << true << u"closed in the middle of the response (body)"_s;
        QTest::newRow("closed between chunks")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") << true
            << u"closed in the middle of the response (chunk size)"_s;
        QTest::newRow("closed in the headers") << QByteArray("HTTP/1.1 200 OK\r\nContent-") << true
                                               << u"closed in the middle of the response (headers)"_s;
    }

    void rejectsMalformedResponses()
    {
        QFETCH(QByteArray, raw);
        QFETCH(bool, closeAtEnd);
        QFETCH(QString, error);
        const HttpResponseParser parser = parseInPieces(raw, 0, closeAtEnd);
        QCOMPARE(parser.state(), HttpResponseParser::State::Failed);
        QVERIFY2(parser.error().contains(error), qPrintable(parser.error()));
    }

    void socketFromDockerHost_data()
    {
        QTest::addColumn<QString>("dockerHost");
        QTest::addColumn<QString>("socket");
        QTest::addColumn<QString>("error");
        QTest::newRow("unset") << QString() << u"/var/run/docker.sock"_s << QString();
        QTest::newRow("unix URL") << u"unix:///run/podman/podman.sock"_s << u"/run/podman/podman.sock"_s
                                  << QString();
        QTest::newRow("plain path") << u"/tmp/engine.sock"_s << u"/tmp/engine.sock"_s << QString();
        QTest::newRow("tcp") << u"tcp://10.0.0.5:2375"_s << QString() << u"over its Unix socket only"_s;
        QTest::newRow("ssh") << u"ssh://user@host"_s << QString() << u"over its Unix socket only"_s;
        QTest::newRow("relative unix path")
            << u"unix://docker.sock"_s << QString() << u"absolute socket path"_s;
    }

    void socketFromDockerHost()
    {
        QFETCH(QString, dockerHost);
        QFETCH(QString, socket);
        QFETCH(QString, error);
        QProcessEnvironment env;
        if (!dockerHost.isNull())
            env.insert(u"DOCKER_HOST"_s, dockerHost);
        const auto path = DockerClient::socketPath(env);
        if (error.isEmpty()) {
            QVERIFY2(path.ok(), qPrintable(path.ok() ? QString() : path.error().message));
            QCOMPARE(*path, socket);
        } else {
            QVERIFY(!path.ok());
            QVERIFY2(path.error().message.contains(error), qPrintable(path.error().message));
            QVERIFY(path.error().message.contains(dockerHost));
        }
    }

    void sendsVersionedRequestsWithJsonBodies()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply { { test::FakeDockerServer::response(
                201, R"({"Id":"abc123","Warnings":[]})") } };
        });
        QVERIFY(server.listening());
        const DockerClient client(server.socketPath());
        const auto reply = client.postJson(u"/containers/create?name=lifdag-run-1"_s,
                                           QJsonDocument(QJsonObject { { u"Image"_s, u"img:1"_s } }));
        QVERIFY2(reply.ok(), qPrintable(reply.ok() ? QString() : reply.error().message));
        QCOMPARE(reply->status, 201);
        QCOMPARE(reply->json().object().value(u"Id"_s).toString(), u"abc123"_s);
        const QList<test::FakeRequest> requests = server.requests();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests[0].method, QByteArray("POST"));
        QCOMPARE(requests[0].target, QByteArray("/v1.41/containers/create?name=lifdag-run-1"));
        QCOMPARE(requests[0].header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(requests[0].header("Content-Length").toInt(), requests[0].body.size());
        QCOMPARE(QJsonDocument::fromJson(requests[0].body).object().value(u"Image"_s).toString(), u"img:1"_s);
        QVERIFY(requests[0].header("User-Agent").startsWith("lifdag/"));
    }

    void encodesQueryAndPathCharacters()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply { { test::FakeDockerServer::response(200, "[]") } };
        });
        const DockerClient client(server.socketPath());
        const QJsonObject filters { { u"label"_s, QJsonArray { u"lifdag/run_id"_s } } };
        QVERIFY(client
                    .get(u"/containers/json?all=true&filters="_s
                         + QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)))
                    .ok());
        QVERIFY(client.get(u"/images/Not a valid name!/json"_s).ok());
        const QList<test::FakeRequest> requests = server.requests();
        QCOMPARE(requests[0].target,
                 QByteArray(
                     "/v1.41/containers/json?all=true&filters=%7B%22label%22:%5B%22lifdag/run_id%22%5D%7D"));
        QCOMPARE(requests[1].target, QByteArray("/v1.41/images/Not%20a%20valid%20name%21/json"));
    }

    void readsChunkedBodiesArrivingInPieces()
    {
        QJsonArray containers;
        for (int i = 0; i < 200; ++i)
            containers.append(QJsonObject { { u"Id"_s, u"container-%1"_s.arg(i) } });
        const QByteArray body = QJsonDocument(containers).toJson(QJsonDocument::Compact);
        const QByteArray raw = test::FakeDockerServer::chunkedResponse(200, body, 333);
        test::FakeDockerServer server([&](const test::FakeRequest &) {
            test::FakeReply reply;
            for (qsizetype i = 0; i < raw.size(); i += 1000)
                reply.pieces.append(raw.mid(i, 1000));
            reply.delayMs = 5;
            reply.close = false; // the framing alone must end the response
            return reply;
        });
        const DockerClient client(server.socketPath());
        const auto reply = client.get(u"/containers/json?all=true"_s);
        QVERIFY2(reply.ok(), qPrintable(reply.ok() ? QString() : reply.error().message));
        QCOMPARE(reply->body, body);
        QCOMPARE(reply->json().array().size(), 200);
    }

    void engineErrorsKeepTheEnginesWords()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply {
                { test::FakeDockerServer::response(
                    404,
                    R"({"cause":"network not found","message":"unable to find network with name or ID nonet","response":404})") }
            };
        });
        const DockerClient client(server.socketPath());
        const auto reply = client.get(u"/networks/nonet"_s);
        QVERIFY(reply.ok()); // an HTTP answer, whatever its status
        QCOMPARE(reply->status, 404);
        QCOMPARE(DockerClient::engineMessage(*reply),
                 u"unable to find network with name or ID nonet (HTTP 404)"_s);
        HttpResponse plain;
        plain.status = 500;
        plain.body = "page not found\n";
        QCOMPARE(DockerClient::engineMessage(plain), u"page not found (HTTP 500)"_s);
    }

    void missingSocketIsNamed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"no-engine.sock"_s);
        const auto reply = DockerClient(path).get(u"/version"_s);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.error().code, u"docker.socket"_s);
        QVERIFY(reply.error().message.contains(path));
        QVERIFY(reply.error().message.contains(u"DOCKER_HOST"_s));
    }

    void refusedConnectionIsAnError()
    {
        // A socket file nobody listens on: what a stopped engine leaves behind.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"stale.sock"_s);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        qstrncpy(addr.sun_path, path.toLocal8Bit().constData(), sizeof(addr.sun_path));
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
        ::close(fd);
        const auto reply = DockerClient(path, 2s).get(u"/version"_s);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.error().code, u"docker.connect"_s);
        QVERIFY2(reply.error().message.contains(u"cannot connect to the Docker Engine at unix://"_s + path),
                 qPrintable(reply.error().message));
    }

    void silentEngineTimesOut()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply { {}, 0, false }; // never answers
        });
        QElapsedTimer t;
        t.start();
        const auto reply = DockerClient(server.socketPath(), 2s).get(u"/containers/x/json"_s);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.error().code, u"docker.timeout"_s);
        QVERIFY2(reply.error().message.contains(u"did not answer GET /v1.41/containers/x/json within 2 s"_s),
                 qPrintable(reply.error().message));
        QVERIFY(t.elapsed() >= 1900);
        QVERIFY(t.elapsed() < 10000);
    }

    void perRequestTimeoutOverridesTheDefault()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply { {}, 0, false };
        });
        QElapsedTimer t;
        t.start();
        const auto reply =
            DockerClient(server.socketPath(), 60s).request("POST", u"/containers/x/stop"_s, {}, {}, 500ms);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.error().code, u"docker.timeout"_s);
        QVERIFY(t.elapsed() < 5000);
    }

    void truncatedAnswerIsAnError()
    {
        test::FakeDockerServer server([](const test::FakeRequest &) {
            return test::FakeReply { { QByteArray(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":") } };
        });
        const auto reply = DockerClient(server.socketPath()).get(u"/containers/x/json"_s);
        QVERIFY(!reply.ok());
        QCOMPARE(reply.error().code, u"docker.io"_s);
        QVERIFY2(reply.error().message.contains(u"malformed HTTP response"_s),
                 qPrintable(reply.error().message));
        QVERIFY(reply.error().message.contains(u"closed in the middle"_s));
    }

    void findsErrorsInProgressStreams_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QString>("error");
        QTest::newRow("progress only")
            << QByteArray("{\"status\":\"Pulling\"}\n{\"status\":\"Done\"}\n") << QString();
        QTest::newRow("error line") << QByteArray(
            "{\"status\":\"Pulling\"}\n{\"error\":\"manifest unknown\"}\n")
                                    << u"manifest unknown"_s;
        QTest::newRow("errorDetail only")
            << QByteArray("{\"errorDetail\":{\"message\":\"denied: login\"}}") << u"denied: login"_s;
        QTest::newRow("objects back to back")
            << QByteArray("{\"stream\":\"a {brace} \\\" quote\"}{\"error\":\"second object\"}")
            << u"second object"_s;
        QTest::newRow("empty") << QByteArray() << QString();
    }

    void findsErrorsInProgressStreams()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QString, error);
        QCOMPARE(DockerClient::streamError(stream), error);
    }
};

QTEST_GUILESS_MAIN(TestDockerClient)
#include "tst_dockerclient.moc"
