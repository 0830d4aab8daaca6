// The wire formats on their own: request heads (limits, smuggling defences, odd but legal input)
// and WebSocket frames.
#include "wire_p.h"

#include <lifdag/http/metrics.h>
#include <lifdag/http/router.h>

#include <QTest>

using namespace lifdag::http;
using namespace lifdag::http::detail;
using namespace Qt::StringLiterals;

class TestHttpWire : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRequestHeads_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("state"); // 0 incomplete, 1 complete, 2 failed
        QTest::addColumn<int>("status"); // on failure
        QTest::addColumn<QString>("code");

        auto row = [](const char *name, const QByteArray &in, int state, int status = 0,
                      const QString &code = {}) {
            QTest::newRow(name) << in << state << status << code;
        };
        row("simple", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
        row("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", 1);
        row("http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", 1);
        row("incomplete head", "GET / HTTP/1.1\r\nHost: a\r\n", 0);
        row("missing host", "GET / HTTP/1.1\r\n\r\n", 2, 400, u"missing_host"_s);
        row("two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 2, 400, u"bad_header"_s);
        row("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 2, 400, u"bad_request_line"_s);
        row("http/2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 2, 505, u"http_version_not_supported"_s);
        row("extra space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400, u"bad_request_line"_s);
        row("no target", "GET HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400, u"bad_request_line"_s);
        row("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400, u"bad_request_line"_s);
        row("raw utf-8 in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400,
            u"bad_request_target"_s);
        row("control char in target", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400,
            u"bad_request_target"_s);
        row("method with slash", "G/T / HTTP/1.1\r\nHost: a\r\n\r\n", 2, 400, u"bad_request_line"_s);
        row("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n", 2, 400, u"bad_header"_s);
        row("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 2, 400, u"bad_header"_s);
        row("no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 2, 400, u"bad_header"_s);
        row("NUL in value", QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: a") + '\0' + QByteArray("b\r\n\r\n"),
            2, 400, u"bad_header"_s);
        row("negative length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 2, 400,
            u"bad_content_length"_s);
        row("length with plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 2, 400,
            u"bad_content_length"_s);
        row("conflicting lengths",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 2, 400,
            u"bad_content_length"_s);
        row("same length twice",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 1);
        row("huge length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 2,
            400, u"bad_content_length"_s);
        row("body over limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 2, 413,
            u"payload_too_large"_s);
        row("chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 2, 411,
            u"length_required"_s);
        row("smuggling CL+TE",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 2, 411,
            u"length_required"_s);
        row("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", 2, 417,
            u"expectation_failed"_s);
        row("long request line", "GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 2, 414,
            u"uri_too_long"_s);
        row("long request line, unfinished", "GET /" + QByteArray(9000, 'a'), 2, 414, u"uri_too_long"_s);
        row("huge headers", "GET / HTTP/1.1\r\nHost: a\r\nX: " + QByteArray(17000, 'a') + "\r\n\r\n", 2, 431,
            u"headers_too_large"_s);
        QByteArray many = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 120; ++i)
            many += "X-" + QByteArray::number(i) + ": v\r\n";
        row("too many headers", many + "\r\n", 2, 431, u"headers_too_large"_s);
    }

    void parsesRequestHeads()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, state);
        QFETCH(int, status);
        QFETCH(QString, code);
        qsizetype scan = 0;
        ParsedHead head;
        ParseFailure failure;
        const HeadState st = parseHead(input, &scan, HeadLimits {}, &head, &failure);
        QCOMPARE(int(st), state);
        if (st == HeadState::Failed) {
            QCOMPARE(failure.status, status);
            QCOMPARE(failure.code, code);
            QVERIFY(!failure.message.isEmpty());
        }
    }

    void readsConnectionSemantics()
    {
        qsizetype scan = 0;
        ParsedHead head;
        ParseFailure failure;
        QByteArray in =
            "GET /ws?x=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n"
            "Content-Length: 0\r\n\r\nNEXT";
        QCOMPARE(parseHead(in, &scan, {}, &head, &failure), HeadState::Complete);
        QCOMPARE(head.method, QByteArray("GET"));
        QCOMPARE(head.target, QByteArray("/ws?x=1"));
        QVERIFY(head.keepAlive);
        QVERIFY(head.upgradeWebSocket);
        QCOMPARE(head.headBytes, in.size() - 4);
        scan = 0;
        in = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
        QCOMPARE(parseHead(in, &scan, {}, &head, &failure), HeadState::Complete);
        QVERIFY(head.keepAlive);
        scan = 0;
        in = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        QCOMPARE(parseHead(in, &scan, {}, &head, &failure), HeadState::Complete);
        QVERIFY(!head.keepAlive);
    }

    void byteByByteHeadCompletesOnce()
    {
        const QByteArray full = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
        QByteArray buf;
        qsizetype scan = 0;
        ParsedHead head;
        ParseFailure failure;
        int completeAt = -1;
        for (qsizetype i = 0; i < full.size() && completeAt < 0; ++i) {
            buf += full[i];
            if (parseHead(buf, &scan, {}, &head, &failure) == HeadState::Complete)
                completeAt = int(i);
        }
        QCOMPARE(completeAt, int(full.indexOf("\r\n\r\n") + 3));
        QCOMPARE(head.contentLength, 3);
    }

    void parsesMaskedClientFrames()
    {
        // "Hello" masked with 37 fa 21 3d (RFC 6455 §5.7)
        const QByteArray frame = QByteArray::fromHex("818537fa213d7f9f4d5158");
        WsFrame f;
        qsizetype consumed = 0;
        quint16 code = 0;
        QCOMPARE(parseClientFrame(frame, 0, 1024, &f, &consumed, &code), FrameState::Frame);
        QCOMPARE(f.payload, QByteArray("Hello"));
        QCOMPARE(f.opcode, 1);
        QVERIFY(f.fin);
        QCOMPARE(consumed, frame.size());
        QCOMPARE(parseClientFrame(frame.left(5), 0, 1024, &f, &consumed, &code), FrameState::Incomplete);
    }

    void rejectsBadFrames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<int>("closeCode");
        QTest::newRow("unmasked") << QByteArray::fromHex("810548656c6c6f") << 1002;
        QTest::newRow("reserved bit") << QByteArray::fromHex("c18537fa213d7f9f4d5158") << 1002;
        QTest::newRow("unknown opcode") << QByteArray::fromHex("838537fa213d7f9f4d5158") << 1002;
        QTest::newRow("fragmented ping") << QByteArray::fromHex("098537fa213d7f9f4d5158") << 1002;
        QTest::newRow("too big") << QByteArray::fromHex("81fe100037fa213d") << 1009;
        QTest::newRow("64-bit length high bit")
            << QByteArray::fromHex("81ff800000000000000137fa213d") << 1002;
    }

    void rejectsBadFrames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(int, closeCode);
        WsFrame f;
        qsizetype consumed = 0;
        quint16 code = 0;
        QCOMPARE(parseClientFrame(frame, 0, 1024, &f, &consumed, &code), FrameState::Failed);
        QCOMPARE(int(code), closeCode);
    }

    void encodesServerFramesWithEveryLengthForm()
    {
        QCOMPARE(encodeFrame(1, "Hi").toHex(), QByteArray("81024869"));
        QCOMPARE(encodeFrame(1, QByteArray(200, 'a')).left(4).toHex(), QByteArray("817e00c8"));
        QCOMPARE(encodeFrame(1, QByteArray(70000, 'a')).left(10).toHex(), QByteArray("817f0000000000011170"));
        QCOMPARE(webSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void validatesUtf8()
    {
        QVERIFY(isValidUtf8("plain"));
        QVERIFY(isValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
        QVERIFY(!isValidUtf8("\xc3"));
        QVERIFY(!isValidUtf8("\xc0\xaf")); // overlong '/'
        QVERIFY(!isValidUtf8("\xed\xa0\x80")); // surrogate
        QVERIFY(!isValidUtf8("\xf4\x90\x80\x80")); // > U+10FFFF
        QVERIFY(!isValidUtf8("\xff"));
    }

    void routerPrefersLiteralsAndReports405()
    {
        Router r;
        r.add("GET", u"/runs/{id}"_s, [](const Request &) { return Response::noContent(); });
        r.add("GET", u"/runs/counts"_s, [](const Request &) { return Response::noContent(); });
        r.add("DELETE", u"/runs/{id}"_s, [](const Request &) { return Response::noContent(); });
        auto m = r.match("GET", "/runs/counts");
        QCOMPARE(m.kind, Router::Match::Kind::Found);
        QCOMPARE(m.route->pattern, u"/runs/counts"_s);
        m = r.match("GET", "/runs/a%20b%2Fc");
        QCOMPARE(m.route->pattern, u"/runs/{id}"_s);
        QCOMPARE(m.params.value(u"id"_s), u"a b/c"_s);
        m = r.match("HEAD", "/runs/x");
        QCOMPARE(m.kind, Router::Match::Kind::Found);
        m = r.match("POST", "/runs/x");
        QCOMPARE(m.kind, Router::Match::Kind::MethodNotAllowed);
        QVERIFY(m.allowed.contains("DELETE"));
        QVERIFY(m.allowed.contains("HEAD"));
        QCOMPARE(r.match("GET", "/runs").kind, Router::Match::Kind::NotFound);
        QCOMPARE(r.match("GET", "/runs/").kind, Router::Match::Kind::NotFound);
        QCOMPARE(r.match("GET", "/runs/%ff").kind, Router::Match::Kind::NotFound); // not UTF-8
    }

    void histogramCountsAndEstimatesQuantiles()
    {
        Histogram h({ 0.001, 0.01, 0.1 });
        for (int i = 0; i < 90; ++i)
            h.observe(0.0005);
        for (int i = 0; i < 10; ++i)
            h.observe(0.05);
        const auto s = h.snapshot();
        QCOMPARE(s.count, quint64(100));
        QCOMPARE(s.cumulative, (std::vector<quint64> { 90, 90, 100, 100 }));
        QVERIFY(s.quantile(0.5) <= 0.001);
        QVERIFY(s.quantile(0.99) > 0.01 && s.quantile(0.99) <= 0.1);
        QByteArray out;
        h.writePrometheus(out, "x_seconds", "route=\"/a\"");
        QVERIFY(out.contains("x_seconds_bucket{route=\"/a\",le=\"0.001\"} 90\n"));
        QVERIFY(out.contains("x_seconds_bucket{route=\"/a\",le=\"+Inf\"} 100\n"));
        QVERIFY(out.contains("x_seconds_count{route=\"/a\"} 100\n"));
    }
};

QTEST_GUILESS_MAIN(TestHttpWire)
#include "tst_httpwire.moc"
