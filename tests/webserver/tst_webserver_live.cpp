// Live events over WebSocket: a run executing in a real worker process (another process writing
// the same storage) is followed live, in order; a client that reconnects from its cursor gets the
// rest with no gap and no duplicate; run status changes are pushed too.
#include "webfixture.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <algorithm>

using namespace lifdag;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

namespace {

// A subscriber that records every event it is pushed.
class Subscriber : public QObject
{
public:
    QWebSocket socket;
    QList<QJsonObject> events;
    QList<QJsonObject> messages;
    QList<qint64> receivedAtMs; // per event
    qint64 cursor = 0;

    explicit Subscriber(quint16 port)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            messages << m;
            if (m.value(u"type"_s).toString() != u"events"_s)
                return;
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (const QJsonValue &e : m.value(u"events"_s).toArray()) {
                events << e.toObject();
                receivedAtMs << now;
            }
            cursor = m.value(u"cursor"_s).toInteger();
        });
        socket.open(QUrl(u"ws://127.0.0.1:%1/api/v1/ws"_s.arg(port)));
    }
    bool waitConnected()
    {
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000);
    }
    void send(const QJsonObject &m)
    {
        socket.sendTextMessage(QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
    }
    bool sawType(const QString &type) const
    {
        return std::any_of(messages.begin(), messages.end(),
                           [&](const QJsonObject &m) { return m.value(u"type"_s).toString() == type; });
    }
    bool sawEvent(const QString &type) const
    {
        return std::any_of(events.begin(), events.end(),
                           [&](const QJsonObject &e) { return e.value(u"eventType"_s).toString() == type; });
    }
};

} // namespace

class TestWebserverLive : public QObject
{
    Q_OBJECT

    WebFixture f;

    QString launchSlowFanout(int count, int sleepMs)
    {
        const RawResponse r = f.callJson(
            "POST", "/api/v1/runs",
            QJsonObject {
                { u"job"_s, u"fanout_job"_s },
                { u"runConfig"_s,
                  QJsonObject {
                      { u"ops"_s,
                        QJsonObject {
                            { u"fan_out"_s,
                              QJsonObject { { u"config"_s,
                                              QJsonObject { { u"count"_s, count },
                                                            { u"sleep_ms"_s, sleepMs } } } } } } } } } });
        return r.json().value(u"run"_s).toObject().value(u"runId"_s).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = f.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qInfo("backend: %s",
              f.postgres ? "PostgreSQL (LISTEN/NOTIFY)" : "SQLite (notifications between processes)");
    }

    void cleanupTestCase() { f.stop(); }

    void followsARunLiveAndResumesFromItsCursorWithoutGaps()
    {
        const QString runId = launchSlowFanout(40, 150);
        QVERIFY(!runId.isEmpty());

        auto first = std::make_unique<Subscriber>(f.port);
        QVERIFY(first->waitConnected());
        first->send(QJsonObject { { u"type"_s, u"subscribe"_s },
                                  { u"channel"_s, u"events"_s },
                                  { u"id"_s, u"e1"_s },
                                  { u"runId"_s, runId },
                                  { u"after"_s, 0 } });
        QTRY_VERIFY_WITH_TIMEOUT(first->events.size() >= 20, 30000);
        QVERIFY2(!first->sawEvent(u"RUN_SUCCESS"_s), "the run should still be going: lengthen it");
        const qint64 cursor = first->cursor;
        const QList<QJsonObject> before = first->events;
        first.reset(); // the client goes away mid-run

        QTest::qWait(300); // events keep being written meanwhile
        const qint64 resubscribedAt = QDateTime::currentMSecsSinceEpoch();
        Subscriber second(f.port);
        QVERIFY(second.waitConnected());
        second.send(QJsonObject { { u"type"_s, u"subscribe"_s },
                                  { u"channel"_s, u"events"_s },
                                  { u"id"_s, u"e2"_s },
                                  { u"runId"_s, runId },
                                  { u"after"_s, cursor } });
        QTRY_VERIFY_WITH_TIMEOUT(second.sawEvent(u"RUN_SUCCESS"_s), 60000);
        QCOMPARE(f.waitForEnd(runId), u"SUCCESS"_s);

        // What both clients saw is exactly the stored log, in order.
        QList<qint64> seen;
        for (const QJsonObject &e : before + second.events)
            seen << e.value(u"storageId"_s).toInteger();
        QList<qint64> stored;
        const auto events = f.instance->storage().events().events(runId, 0, 100000);
        QVERIFY(events.ok());
        for (const Event &e : *events)
            stored << e.storageId;
        QCOMPARE(seen, stored);
        QCOMPARE(second.events.first().value(u"storageId"_s).toInteger() > cursor, true);
        QVERIFY(stored.size() > 80); // 40 mapped steps, each with several events

        // Pushed as they were written: how long after each event's timestamp it arrived (the
        // backlog written while no client was connected left out).
        QList<qint64> delays;
        for (qsizetype i = 0; i < second.events.size(); ++i) {
            const QDateTime at =
                QDateTime::fromString(second.events[i].value(u"timestamp"_s).toString(), Qt::ISODateWithMs);
            if (at.toMSecsSinceEpoch() > resubscribedAt)
                delays << second.receivedAtMs[i] - at.toMSecsSinceEpoch();
        }
        QVERIFY(!delays.isEmpty());
        std::sort(delays.begin(), delays.end());
        qInfo("event timestamp -> WebSocket arrival: median %lld ms, max %lld ms over %lld events (includes "
              "the "
              "worker's 50 ms batching)",
              delays[delays.size() / 2], delays.last(), static_cast<long long>(delays.size()));
    }

    void pushesRunStatusChanges()
    {
        Subscriber s(f.port);
        QVERIFY(s.waitConnected());
        s.send(QJsonObject {
            { u"type"_s, u"subscribe"_s }, { u"channel"_s, u"runs"_s }, { u"id"_s, u"all"_s } });
        QTRY_VERIFY(s.sawType(u"subscribed"_s));
        const QString runId = launchSlowFanout(2, 300);
        QCOMPARE(f.waitForEnd(runId), u"SUCCESS"_s);
        QStringList statuses;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                statuses.clear();
                for (const QJsonObject &m : s.messages) {
                    const QJsonObject run = m.value(u"run"_s).toObject();
                    if (m.value(u"type"_s).toString() == u"run"_s
                        && run.value(u"runId"_s).toString() == runId)
                        statuses << run.value(u"status"_s).toString();
                }
                return statuses.contains(u"SUCCESS"_s);
            }(),
            10000);
        QVERIFY2(statuses.contains(u"STARTED"_s), qPrintable(statuses.join(u", "_s)));
        QCOMPARE(statuses.last(), u"SUCCESS"_s);

        // A subscription to named runs starts with their current state.
        Subscriber named(f.port);
        QVERIFY(named.waitConnected());
        named.send(QJsonObject { { u"type"_s, u"subscribe"_s },
                                 { u"channel"_s, u"runs"_s },
                                 { u"id"_s, u"one"_s },
                                 { u"runIds"_s, QJsonArray { runId } } });
        QTRY_VERIFY(named.sawType(u"run"_s));
        // A deleted run is announced as such.
        QVERIFY(f.instance->storage().runs().deleteRun(runId).ok());
        QTRY_VERIFY(named.sawType(u"run_deleted"_s));
    }

    void protocolErrorsAreReportedAndTheConnectionStays()
    {
        Subscriber s(f.port);
        QVERIFY(s.waitConnected());
        s.socket.sendTextMessage(u"not json"_s);
        s.send(QJsonObject { { u"type"_s, u"dance"_s } });
        s.send(QJsonObject { { u"type"_s, u"subscribe"_s },
                             { u"channel"_s, u"events"_s },
                             { u"id"_s, u"x"_s },
                             { u"runId"_s, u"no-such-run"_s } });
        s.send(QJsonObject {
            { u"type"_s, u"subscribe"_s }, { u"channel"_s, u"weather"_s }, { u"id"_s, u"y"_s } });
        s.send(QJsonObject { { u"type"_s, u"subscribe"_s },
                             { u"channel"_s, u"events"_s },
                             { u"id"_s, u"z"_s },
                             { u"runId"_s, u"r"_s },
                             { u"after"_s, -4 } });
        s.send(QJsonObject { { u"type"_s, u"unsubscribe"_s }, { u"id"_s, u"never"_s } });
        s.send(QJsonObject { { u"type"_s, u"ping"_s } });
        QTRY_VERIFY(s.sawType(u"pong"_s));
        QStringList codes;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                codes.clear();
                for (const QJsonObject &m : s.messages)
                    if (m.value(u"type"_s).toString() == u"error"_s)
                        codes << m.value(u"error"_s).toObject().value(u"code"_s).toString();
                return codes.size() == 6;
            }(),
            5000);
        codes.sort();
        QCOMPARE(codes,
                 (QStringList { u"invalid_message"_s, u"invalid_message"_s, u"invalid_message"_s,
                                u"run_not_found"_s, u"unknown_subscription"_s, u"unknown_type"_s }));
        QCOMPARE(s.socket.state(), QAbstractSocket::ConnectedState);
        // Unsubscribing stops the pushes of that subscription.
        s.send(
            QJsonObject { { u"type"_s, u"subscribe"_s }, { u"channel"_s, u"runs"_s }, { u"id"_s, u"r1"_s } });
        QTRY_VERIFY(s.sawType(u"subscribed"_s));
        s.send(QJsonObject { { u"type"_s, u"unsubscribe"_s }, { u"id"_s, u"r1"_s } });
        QTRY_VERIFY(s.sawType(u"unsubscribed"_s));
    }
};

QTEST_GUILESS_MAIN(TestWebserverLive)
#include "tst_webserver_live.moc"
