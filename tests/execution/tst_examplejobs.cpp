#include <lifdag/execution/examplejobs.h>

#include <QCryptographicHash>
#include <QJsonArray>
#include <lifdag/execution/executor.h>

#include <QJsonArray>
#include <QTest>

using namespace lifdag;
using namespace lifdag::execution;
using namespace Qt::StringLiterals;

class TestExampleJobs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyExampleJobSucceedsWithItsDefaults_data()
    {
        QTest::addColumn<QString>("job");
        QTest::addColumn<int>("steps");
        QTest::newRow("hello_job") << u"hello_job"_s << 1;
        QTest::newRow("diamond_job") << u"diamond_job"_s << 4;
        QTest::newRow("fanout_job") << u"fanout_job"_s << 12;
        QTest::newRow("flaky_job") << u"flaky_job"_s << 1;
    }
    void everyExampleJobSucceedsWithItsDefaults()
    {
        QFETCH(QString, job);
        QFETCH(int, steps);
        JobRegistry registry;
        QVERIFY(examples::registerExampleJobs(registry).ok());
        MemoryEventSink sink;
        Executor executor(registry.job(job), u"example-run"_s, {}, sink, ExecutorOptions { .seed = 3 });
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        QCOMPARE(result.steps.size(), steps);
        QCOMPARE(sink.eventTypes().first(), u"RUN_START"_s);
        QCOMPARE(sink.eventTypes().last(), u"RUN_SUCCESS"_s);
    }

    void envCheckJobReportsDigestsNeverValues()
    {
        qputenv("LIFDAG_ENV_CHECK_PROBE", "probe-value-1");
        MemoryEventSink sink;
        const QJsonObject config { { u"ops"_s, QJsonObject { { u"check_env"_s, QJsonObject { { u"config"_s,
            QJsonObject { { u"names"_s, QJsonArray { u"LIFDAG_ENV_CHECK_PROBE"_s, u"LIFDAG_ENV_CHECK_ABSENT"_s } } } } } } } } };
        Executor executor(*examples::envCheckJob().build(), u"r"_s, config, sink);
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        const QJsonObject seen = result.output(u"check_env"_s).toObject();
        QCOMPARE(seen[u"LIFDAG_ENV_CHECK_PROBE"_s].toString(),
                 QString::fromLatin1(QCryptographicHash::hash("probe-value-1", QCryptographicHash::Sha256).toHex()));
        QVERIFY(seen[u"LIFDAG_ENV_CHECK_ABSENT"_s].isNull());
        for (const Event &e : sink.events())
            QVERIFY(!e.message.contains(u"probe-value"_s));
    }

    void helloJobGreetsWhomItIsConfiguredTo()
    {
        MemoryEventSink sink;
        Executor executor(
            *examples::helloJob().build(), u"r"_s,
            QJsonObject {
                { u"ops"_s,
                  QJsonObject {
                      { u"hello"_s,
                        QJsonObject { { u"config"_s, QJsonObject { { u"name"_s, u"LIF"_s } } } } } } } },
            sink);
        QCOMPARE(executor.run().output(u"hello"_s).toString(), u"Hello, LIF!"_s);
    }

    void flakyJobSucceedsOnItsThirdAttemptByDefault()
    {
        MemoryEventSink sink;
        Executor executor(*examples::flakyJob().build(), u"r"_s, {}, sink, ExecutorOptions { .seed = 9 });
        const RunResult result = executor.run();
        QCOMPARE(result.step(u"flaky"_s)->attempts, 3);
        QCOMPARE(sink.eventTypes().count(u"STEP_UP_FOR_RETRY"_s), 2);
    }

    void fanoutJobSleepsConcurrently()
    {
        MemoryEventSink sink;
        const QJsonObject config {
            { u"ops"_s,
              QJsonObject {
                  { u"fan_out"_s,
                    QJsonObject {
                        { u"config"_s, QJsonObject { { u"count"_s, 8 }, { u"sleep_ms"_s, 100 } } } } } } },
            { u"execution"_s,
              QJsonObject {
                  { u"config"_s,
                    QJsonObject { { u"multiprocess"_s, QJsonObject { { u"max_concurrent"_s, 8 } } } } } } }
        };
        Executor executor(*examples::fanoutJob().build(), u"r"_s, config, sink);
        const RunResult result = executor.run();
        QCOMPARE(result.status, RunStatus::Success);
        QVERIFY2(result.durationMs < 700,
                 qPrintable(QString::number(result.durationMs))); // 8 × 100 ms serially
        QCOMPARE(result.output(u"gather"_s)[u"count"_s].toInt(), 8);
    }
};

QTEST_GUILESS_MAIN(TestExampleJobs)
#include "tst_examplejobs.moc"
