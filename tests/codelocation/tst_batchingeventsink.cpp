#include <lifdag/codelocation/batchingeventsink.h>
#include <lifdag/core/runstatus.h>

#include <QElapsedTimer>
#include <QTest>
#include <atomic>
#include <mutex>
#include <thread>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {
Event ev(const char *type, int n)
{
    Event e;
    e.runId = u"r"_s;
    e.eventType = QString::fromLatin1(type);
    e.message = QString::number(n);
    return e;
}
} // namespace

class TestBatchingEventSink : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writesInBatchesKeepingOrder()
    {
        std::mutex m;
        QList<QList<Event>> batches;
        {
            BatchingEventSink sink(
                [&](const QList<Event> &b) {
                    std::lock_guard lock(m);
                    batches.append(b);
                    return Status {};
                },
                1000ms);
            for (int i = 0; i < 500; ++i)
                sink.append(ev(EventType::LogMessage, i));
            sink.flush();
            QCOMPARE(sink.writtenCount(), 500);
        }
        QVERIFY2(batches.size() < 10, qPrintable(QString::number(batches.size())));
        int next = 0;
        for (const auto &b : batches)
            for (const Event &e : b)
                QCOMPARE(e.message.toInt(), next++);
        QCOMPARE(next, 500);
    }

    void stepBoundaryIsWrittenPromptly()
    {
        std::atomic<int> written { 0 };
        BatchingEventSink sink(
            [&](const QList<Event> &b) {
                written += int(b.size());
                return Status {};
            },
            10000ms);
        sink.append(ev(EventType::StepStart, 1));
        QTest::qWait(50);
        QCOMPARE(written.load(), 0); // not urgent, long interval
        QElapsedTimer t;
        t.start();
        sink.append(ev(EventType::StepSuccess, 2));
        QTRY_COMPARE_WITH_TIMEOUT(written.load(), 2, 2000);
        QVERIFY(t.elapsed() < 1000);
    }

    void intervalBoundsTheDelay()
    {
        std::atomic<int> written { 0 };
        BatchingEventSink sink(
            [&](const QList<Event> &b) {
                written += int(b.size());
                return Status {};
            },
            50ms);
        sink.append(ev(EventType::LogMessage, 1));
        QTRY_COMPARE_WITH_TIMEOUT(written.load(), 1, 2000);
    }

    void failedWritesAreRetriedWithoutLossOrReordering()
    {
        std::mutex m;
        QList<Event> stored;
        int failuresLeft = 3;
        BatchingEventSink sink(
            [&](const QList<Event> &b) {
                std::lock_guard lock(m);
                if (failuresLeft > 0) {
                    --failuresLeft;
                    return Status(Error { u"storage.unavailable"_s, u"db down"_s });
                }
                stored.append(b);
                return Status {};
            },
            10ms);
        for (int i = 0; i < 100; ++i) {
            sink.append(ev(i % 10 == 9 ? EventType::StepSuccess : EventType::LogMessage, i));
            if (i % 25 == 0)
                QTest::qWait(5);
        }
        sink.flush();
        std::lock_guard lock(m);
        QCOMPARE(stored.size(), 100);
        for (int i = 0; i < 100; ++i)
            QCOMPARE(stored[i].message.toInt(), i);
        QVERIFY(!sink.lastError().has_value());
    }

    void ownerModeWritesOnTheOwnerThreadOnly()
    {
        const std::thread::id owner = std::this_thread::get_id();
        std::atomic<int> written { 0 };
        std::atomic<int> otherThreadWrites { 0 };
        std::atomic<int> failuresLeft { 2 };
        BatchingEventSink sink(
            [&](const QList<Event> &b) {
                if (std::this_thread::get_id() != owner)
                    ++otherThreadWrites;
                if (failuresLeft > 0) {
                    --failuresLeft;
                    return Status(Error { u"storage.unavailable"_s, u"db down"_s });
                }
                written += int(b.size());
                return Status {};
            },
            10ms, {}, BatchingEventSink::Writer::Owner);
        std::atomic<bool> done { false };
        // Appenders on other threads; one of them flushes, which waits for the owner's writes.
        std::thread producer([&] {
            for (int i = 0; i < 200; ++i) {
                sink.append(ev(i % 50 == 49 ? EventType::StepSuccess : EventType::LogMessage, i));
                if (i % 40 == 0)
                    std::this_thread::sleep_for(2ms);
            }
            sink.flush();
            QCOMPARE(written.load(), 200);
            done = true;
            sink.wake();
        });
        QElapsedTimer t;
        t.start();
        sink.serveUntil([&] { return done.load(); });
        producer.join();
        QVERIFY(t.elapsed() < 10000);
        QCOMPARE(written.load(), 200);
        // Appended after serving: the owner's flush writes them itself.
        sink.append(ev(EventType::LogMessage, 200));
        sink.flush();
        QCOMPARE(written.load(), 201);
        QCOMPARE(otherThreadWrites.load(), 0);
        QCOMPARE(sink.writtenCount(), 201);
    }
};

QTEST_GUILESS_MAIN(TestBatchingEventSink)
#include "tst_batchingeventsink.moc"
