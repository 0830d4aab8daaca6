#include <lifdag/execution/retrypolicy.h>

#include <QTest>

using namespace lifdag::execution;
using namespace Qt::StringLiterals;

class TestRetryPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void computesDagsterDelays_data()
    {
        QTest::addColumn<int>("backoff");
        QTest::addColumn<int>("jitter");
        QTest::addColumn<int>("attempt");
        QTest::addColumn<double>("random");
        QTest::addColumn<double>("expected");
        const int none = 0, linear = 1, exponential = 2;
        const int full = 1, plusMinus = 2;
        // delay = 0.2 s throughout
        QTest::newRow("constant") << none << none << 3 << 0.9 << 0.2;
        QTest::newRow("linear 1") << linear << none << 1 << 0.0 << 0.2;
        QTest::newRow("linear 3") << linear << none << 3 << 0.0 << 0.6;
        QTest::newRow("exponential 1: (2^1-1)*d") << exponential << none << 1 << 0.0 << 0.2;
        QTest::newRow("exponential 2: (2^2-1)*d") << exponential << none << 2 << 0.0 << 0.6;
        QTest::newRow("exponential 3: (2^3-1)*d") << exponential << none << 3 << 0.0 << 1.4;
        QTest::newRow("full jitter scales the backoff") << exponential << full << 2 << 0.5 << 0.3;
        QTest::newRow("plus-minus low draw")
            << exponential << plusMinus << 2 << 0.25 << 0.6 + (2 * 0.25 * 0.2 - 0.2);
        QTest::newRow("plus-minus high draw")
            << exponential << plusMinus << 3 << 0.75 << 1.4 + (2 * 0.75 * 0.2 - 0.2);
        QTest::newRow("plus-minus lowest draw reaches zero") << none << plusMinus << 1 << 0.0 << 0.0;
    }
    void computesDagsterDelays()
    {
        QFETCH(int, backoff);
        QFETCH(int, jitter);
        QFETCH(int, attempt);
        QFETCH(double, random);
        QFETCH(double, expected);
        const RetryPolicy policy {
            .maxRetries = 5, .delaySeconds = 0.2, .backoff = Backoff(backoff), .jitter = Jitter(jitter)
        };
        QVERIFY(qFuzzyCompare(1.0 + policy.calculateDelay(attempt, random), 1.0 + expected));
    }

    void noDelayMeansImmediateRetry()
    {
        const RetryPolicy policy { .maxRetries = 2,
                                   .delaySeconds = std::nullopt,
                                   .backoff = Backoff::Exponential,
                                   .jitter = Jitter::Full };
        QCOMPARE(policy.calculateDelay(3, 0.9), 0.0);
    }

    void seededSourceReplaysTheSameDraws()
    {
        RandomSource a(42);
        RandomSource b(42);
        RandomSource c(43);
        QList<double> drawsA, drawsB, drawsC;
        for (int i = 0; i < 5; ++i) {
            drawsA.append(a.next());
            drawsB.append(b.next());
            drawsC.append(c.next());
        }
        QCOMPARE(drawsA, drawsB);
        QVERIFY(drawsA != drawsC);
        for (double d : drawsA)
            QVERIFY(d >= 0.0 && d < 1.0);
        QCOMPARE(a.seed(), quint64(42));
    }

    void seedUsesAll64Bits()
    {
        RandomSource low(1);
        RandomSource high((quint64(1) << 40) | 1);
        QVERIFY(low.next() != high.next());
    }

    void serialisesLikeDagster()
    {
        const RetryPolicy policy {
            .maxRetries = 3, .delaySeconds = 0.2, .backoff = Backoff::Exponential, .jitter = Jitter::PlusMinus
        };
        const QJsonObject o = policy.toJson();
        QCOMPARE(o[u"max_retries"_s].toInt(), 3);
        QCOMPARE(o[u"delay"_s].toDouble(), 0.2);
        QCOMPARE(o[u"backoff"_s].toString(), u"EXPONENTIAL"_s);
        QCOMPARE(o[u"jitter"_s].toString(), u"PLUS_MINUS"_s);
        QVERIFY(RetryPolicy {}.toJson()[u"backoff"_s].isNull());
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
