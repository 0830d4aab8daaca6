// Cron parsing (fields, names, macros, errors) and fire times, including DST changes in two zones.
#include <lifdag/scheduler/cron.h>

#include <QSet>
#include <QTest>

using namespace lifdag;
using namespace lifdag::scheduler;

namespace {

QDateTime utc(const char *iso)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate);
    t.setTimeZone(QTimeZone::utc());
    return t;
}

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << QString::fromLatin1(item);
    return out;
}

QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QStringLiteral("(none)");
}

} // namespace

class TestCron : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesValidExpressions_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("expanded");
        QTest::newRow("every minute") << "* * * * *"
                                      << "* * * * *";
        QTest::newRow("step over all") << "*/15 * * * *"
                                       << "0,15,30,45 * * * *";
        QTest::newRow("start/step") << "5/20 * * * *"
                                    << "5,25,45 * * * *";
        QTest::newRow("range with step") << "0 9-17/2 * * *"
                                         << "0 9,11,13,15,17 * * *";
        QTest::newRow("list") << "0,10,20 1 * * *"
                              << "0,10,20 1 * * *";
        QTest::newRow("list of ranges") << "0-4,30-32 * * * *"
                                        << "0-4,30-32 * * * *";
        QTest::newRow("weekday names") << "0 8 * * MON-FRI"
                                       << "0 8 * * 1-5";
        QTest::newRow("lower-case names") << "0 8 * jan,jul mon"
                                          << "0 8 * 1,7 1";
        QTest::newRow("mixed-case month range") << "0 0 1 Mar-mAY *"
                                                << "0 0 1 3-5 *";
        QTest::newRow("sunday as 7") << "0 0 * * 7"
                                     << "0 0 * * 0";
        QTest::newRow("range ending in sunday") << "0 0 * * FRI-SUN"
                                                << "0 0 * * 0,5,6";
        QTest::newRow("range ending in 7") << "0 0 * * 5-7"
                                           << "0 0 * * 0,5,6";
        QTest::newRow("full day-of-month range is *") << "0 0 1-31 * *"
                                                      << "0 0 * * *";
        QTest::newRow("full weekday range is *") << "0 0 * * 0-6"
                                                 << "0 0 * * *";
        QTest::newRow("leap day") << "0 0 29 2 *"
                                  << "0 0 29 2 *";
        QTest::newRow("extra blanks") << "  0   0\t* *  * "
                                      << "0 0 * * *";
        QTest::newRow("@yearly") << "@yearly"
                                 << "0 0 1 1 *";
        QTest::newRow("@annually") << "@annually"
                                   << "0 0 1 1 *";
        QTest::newRow("@monthly") << "@monthly"
                                  << "0 0 1 * *";
        QTest::newRow("@weekly") << "@weekly"
                                 << "0 0 * * 0";
        QTest::newRow("@daily") << "@daily"
                                << "0 0 * * *";
        QTest::newRow("@midnight") << "@midnight"
                                   << "0 0 * * *";
        QTest::newRow("@hourly") << "@hourly"
                                 << "0 * * * *";
        QTest::newRow("macro in capitals") << "@DAILY"
                                           << "0 0 * * *";
        QTest::newRow("31st with weekday") << "0 0 31 2 MON"
                                           << "0 0 31 2 1";
    }
    void parsesValidExpressions()
    {
        QFETCH(QString, cron);
        QFETCH(QString, expanded);
        const auto parsed = CronExpression::parse(cron);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed->expanded(), expanded);
    }

    void rejectsInvalidExpressionsNamingFieldAndToken_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << ""
                               << "expected 5 fields (minute hour day-of-month month day-of-week) or a "
                                  "macro such as @daily, found 0";
        QTest::newRow("four fields") << "* * * *"
                                     << "found 4";
        QTest::newRow("six fields (seconds)") << "0 * * * * *"
                                              << "found 6";
        QTest::newRow("minute 60") << "60 * * * *"
                                   << "minute field: 60 in \"60\" is out of range 0-59";
        QTest::newRow("hour 24") << "0 22-24 * * *"
                                 << "hour field: 24 in \"22-24\" is out of range 0-23";
        QTest::newRow("day 0") << "0 0 0 * *"
                               << "day-of-month field: 0 in \"0\" is out of range 1-31";
        QTest::newRow("month 13") << "0 0 1 13 *"
                                  << "month field: 13 in \"13\" is out of range 1-12";
        QTest::newRow("weekday 8") << "0 0 * * 8"
                                   << "day-of-week field: 8 in \"8\" is out of range 0-7";
        QTest::newRow("step 0") << "*/0 * * * *"
                                << "minute field: step in \"*/0\" must be at least 1";
        QTest::newRow("step not a number") << "0 */x * * *"
                                           << "hour field: step \"x\" in \"*/x\" is not a number";
        QTest::newRow("backwards range") << "0 0 * * 5-1"
                                         << "day-of-week field: range \"5-1\" runs backwards (5 > 1)";
        QTest::newRow("unknown month name")
            << "0 0 1 FOO *"
            << "month field: \"FOO\" in \"FOO\" is not a number 1-12 or a name JAN-DEC";
        QTest::newRow("weekday name in minute field")
            << "MON * * * *"
            << "minute field: \"MON\" in \"MON\" is not a number 0-59";
        QTest::newRow("bad name in a range")
            << "0 0 * * MON-FUN"
            << "day-of-week field: \"FUN\" in \"MON-FUN\" is not a number 0-7 or a name SUN-SAT";
        QTest::newRow("negative") << "-5 * * * *"
                                  << "minute field: \"-5\" in \"-5\" is not a number 0-59";
        QTest::newRow("empty list item") << "1,,2 * * * *"
                                         << "minute field: empty item in list \"1,,2\"";
        QTest::newRow("quartz L") << "0 0 L * *"
                                  << "day-of-month field: \"L\" in \"L\" is not a number 1-31";
        QTest::newRow("quartz #") << "0 0 * * 5#3"
                                  << "day-of-week field: \"5#3\" in \"5#3\" is not a number";
        QTest::newRow("unknown macro") << "@every5m"
                                       << "unknown macro \"@every5m\"; expected one of @yearly";
        QTest::newRow("30 February") << "0 0 30 2 *"
                                     << "day-of-month field: \"30\" never occurs in month \"2\"";
        QTest::newRow("31 April and June") << "0 0 31 APR,JUN *"
                                           << "day-of-month field: \"31\" never occurs in month \"APR,JUN\"";
    }
    void rejectsInvalidExpressionsNamingFieldAndToken()
    {
        QFETCH(QString, cron);
        QFETCH(QString, message);
        const auto parsed = CronExpression::parse(cron);
        QVERIFY2(!parsed.ok(), qPrintable(cron));
        QCOMPARE(parsed.error().code, QStringLiteral("scheduler.cron"));
        QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
        QVERIFY2(parsed.error().message.startsWith(QStringLiteral("invalid cron \"")),
                 qPrintable(parsed.error().message));
    }

    void rejectsUnknownTimeZone()
    {
        const auto s = CronSchedule::create(QStringLiteral("@daily"), QStringLiteral("Mars/Olympus_Mons"));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, QStringLiteral("scheduler.timezone"));
        QVERIFY(s.error().message.contains(QStringLiteral("\"Mars/Olympus_Mons\"")));
        const auto empty = CronSchedule::create(QStringLiteral("@daily"), QString());
        QVERIFY(empty.ok());
        QCOMPARE(empty->timeZoneId(), QStringLiteral("UTC"));
    }

    // The fire times after `after`, in order; then the same times walking backwards.
    void firesAtExpectedInstants_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QStringList>("expected"); // UTC

        QTest::newRow("every 15 min, strictly after")
            << "*/15 * * * *"
            << "UTC"
            << "2024-05-01T10:15:00Z"
            << list({ "2024-05-01T10:30:00Z", "2024-05-01T10:45:00Z", "2024-05-01T11:00:00Z" });
        QTest::newRow("mid-minute start")
            << "* * * * *"
            << "UTC"
            << "2024-05-01T10:07:30Z" << list({ "2024-05-01T10:08:00Z", "2024-05-01T10:09:00Z" });
        QTest::newRow("leap day") << "0 0 29 2 *"
                                  << "UTC"
                                  << "2025-01-01T00:00:00Z"
                                  << list({ "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" });
        QTest::newRow("leap day skips 2100") << "0 12 29 FEB *"
                                             << "UTC"
                                             << "2096-03-01T00:00:00Z" << list({ "2104-02-29T12:00:00Z" });
        QTest::newRow("@yearly") << "@yearly"
                                 << "UTC"
                                 << "2024-06-01T00:00:00Z"
                                 << list({ "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z" });
        QTest::newRow("month end rolls over the year")
            << "59 23 31 DEC *"
            << "UTC"
            << "2024-12-31T23:59:00Z" << list({ "2025-12-31T23:59:00Z" });
        QTest::newRow("day-of-month OR day-of-week (both restricted)")
            << "0 0 13 * FRI"
            << "UTC"
            << "2024-09-01T00:00:00Z"
            << list({ "2024-09-06T00:00:00Z", "2024-09-13T00:00:00Z", "2024-09-20T00:00:00Z",
                      "2024-09-27T00:00:00Z", "2024-10-04T00:00:00Z", "2024-10-11T00:00:00Z",
                      "2024-10-13T00:00:00Z" });
        QTest::newRow("weekday only (day-of-month *)")
            << "0 6 * * MON"
            << "UTC"
            << "2024-09-01T00:00:00Z" << list({ "2024-09-02T06:00:00Z", "2024-09-09T06:00:00Z" });
        QTest::newRow("day-of-month only (weekday *)")
            << "0 6 1 * *"
            << "UTC"
            << "2024-09-01T06:00:00Z" << list({ "2024-10-01T06:00:00Z", "2024-11-01T06:00:00Z" });
        QTest::newRow("stepped day-of-month OR weekday")
            << "0 0 */10 * SUN"
            << "UTC"
            << "2024-09-01T00:00:00Z"
            << list({ "2024-09-08T00:00:00Z", "2024-09-11T00:00:00Z", "2024-09-15T00:00:00Z",
                      "2024-09-21T00:00:00Z", "2024-09-22T00:00:00Z" });
        QTest::newRow("weekdays in a zone without DST")
            << "0 9 * * MON-FRI"
            << "Asia/Tokyo"
            << "2024-09-06T00:00:00Z" // Fri 09:00 JST
            << list({ "2024-09-09T00:00:00Z", "2024-09-10T00:00:00Z" });

        // America/New_York: 2024-03-10 02:00 EST -> 03:00 EDT; 2024-11-03 02:00 EDT -> 01:00 EST.
        QTest::newRow("New York spring: daily 02:30 fires at 03:00 EDT")
            << "30 2 * * *"
            << "America/New_York"
            << "2024-03-09T00:00:00Z"
            << list({ "2024-03-09T07:30:00Z", "2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z" });
        QTest::newRow("New York spring: times in the gap fire once")
            << "*/20 2 * * *"
            << "America/New_York"
            << "2024-03-10T06:00:00Z" << list({ "2024-03-10T07:00:00Z", "2024-03-11T06:00:00Z" });
        QTest::newRow("New York spring: gap shift meets 03:00")
            << "0 2,3 * * *"
            << "America/New_York"
            << "2024-03-10T06:00:00Z"
            << list({ "2024-03-10T07:00:00Z", "2024-03-11T06:00:00Z", "2024-03-11T07:00:00Z" });
        QTest::newRow("New York spring: hourly skips the missing hour")
            << "30 * * * *"
            << "America/New_York"
            << "2024-03-10T05:00:00Z"
            << list({ "2024-03-10T05:30:00Z", "2024-03-10T06:30:00Z", "2024-03-10T07:30:00Z",
                      "2024-03-10T08:30:00Z" });
        QTest::newRow("New York fall: daily 01:30 fires once, second occurrence")
            << "30 1 * * *"
            << "America/New_York"
            << "2024-11-02T00:00:00Z"
            << list({ "2024-11-02T05:30:00Z", "2024-11-03T06:30:00Z", "2024-11-04T06:30:00Z" });
        QTest::newRow("New York fall: hourly fires at both 01:30")
            << "30 * * * *"
            << "America/New_York"
            << "2024-11-03T04:00:00Z"
            << list({ "2024-11-03T04:30:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z",
                      "2024-11-03T07:30:00Z" });
        QTest::newRow("New York fall: weekly Sunday 01:00")
            << "0 1 * * SUN"
            << "America/New_York"
            << "2024-10-27T06:00:00Z" << list({ "2024-11-03T06:00:00Z", "2024-11-10T06:00:00Z" });

        // Europe/Berlin: 2024-03-31 02:00 CET -> 03:00 CEST; 2024-10-27 03:00 CEST -> 02:00 CET.
        QTest::newRow("Berlin spring: daily 02:30 fires at 03:00 CEST")
            << "30 2 * * *"
            << "Europe/Berlin"
            << "2024-03-30T00:00:00Z"
            << list({ "2024-03-30T01:30:00Z", "2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z" });
        QTest::newRow("Berlin spring: hourly skips the missing hour")
            << "0 * * * *"
            << "Europe/Berlin"
            << "2024-03-30T23:30:00Z"
            << list({ "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z", "2024-03-31T02:00:00Z" });
        QTest::newRow("Berlin fall: daily 02:30 fires once, second occurrence")
            << "30 2 * * *"
            << "Europe/Berlin"
            << "2024-10-26T00:00:00Z"
            << list({ "2024-10-26T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-28T01:30:00Z" });
        QTest::newRow("Berlin fall: every 30 min keeps elapsed time")
            << "*/30 * * * *"
            << "Europe/Berlin"
            << "2024-10-26T23:45:00Z"
            << list({ "2024-10-27T00:00:00Z", "2024-10-27T00:30:00Z", "2024-10-27T01:00:00Z",
                      "2024-10-27T01:30:00Z", "2024-10-27T02:00:00Z" });
        QTest::newRow("Berlin fall: several hours listed")
            << "0 1-3 * * *"
            << "Europe/Berlin"
            << "2024-10-26T22:00:00Z"
            << list({ "2024-10-26T23:00:00Z", "2024-10-27T01:00:00Z", "2024-10-27T02:00:00Z",
                      "2024-10-28T00:00:00Z" });
        QTest::newRow("Berlin weekly over the spring change")
            << "15 2 * * SUN"
            << "Europe/Berlin"
            << "2024-03-24T00:00:00Z"
            << list({ "2024-03-24T01:15:00Z", "2024-03-31T01:00:00Z", "2024-04-07T00:15:00Z" });
    }
    void firesAtExpectedInstants()
    {
        QFETCH(QString, cron);
        QFETCH(QString, zone);
        QFETCH(QString, after);
        QFETCH(QStringList, expected);
        const auto schedule = CronSchedule::create(cron, zone);
        QVERIFY2(schedule.ok(), qPrintable(schedule.ok() ? QString() : schedule.error().message));

        QStringList forward;
        QDateTime t = utc(after.toLatin1().constData());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            t = schedule->next(t);
            forward << iso(t);
            if (!t.isValid())
                break;
        }
        QCOMPARE(forward, expected);

        // previous() walks the same instants back: from just after the last one.
        QStringList backward;
        t = utc(expected.last().toLatin1().constData()).addMSecs(1);
        for (qsizetype i = 0; i < expected.size(); ++i) {
            t = schedule->previous(t);
            backward.prepend(iso(t));
        }
        QCOMPARE(backward, expected);
        // And the first one is the latest before the second.
        if (expected.size() > 1)
            QCOMPARE(iso(schedule->previous(utc(expected[1].toLatin1().constData()))), expected[0]);
    }

    void nextAndPreviousAreExactAtFireTimes()
    {
        const auto s = CronSchedule::create(QStringLiteral("*/15 * * * *"));
        QVERIFY(s.ok());
        QCOMPARE(iso(s->previous(utc("2024-05-01T10:15:00Z"))), QStringLiteral("2024-05-01T10:00:00Z"));
        QCOMPARE(iso(s->previous(utc("2024-05-01T10:15:00.001Z"))), QStringLiteral("2024-05-01T10:15:00Z"));
        QCOMPARE(iso(s->next(utc("2024-05-01T10:14:59.999Z"))), QStringLiteral("2024-05-01T10:15:00Z"));
    }

    void returnsTimesInTheSchedulesZone()
    {
        const auto s = CronSchedule::create(QStringLiteral("0 9 * * *"), QStringLiteral("Europe/Berlin"));
        QVERIFY(s.ok());
        const QDateTime t = s->next(utc("2024-07-01T00:00:00Z"));
        QCOMPARE(t.timeZone().id(), QByteArray("Europe/Berlin"));
        QCOMPARE(t.time(), QTime(9, 0));
        QCOMPARE(iso(t), QStringLiteral("2024-07-01T07:00:00Z"));
    }

    void latestFireTimesKeepsTheNewest()
    {
        const auto s = CronSchedule::create(QStringLiteral("*/15 * * * *"));
        QVERIFY(s.ok());
        const QList<QDateTime> times =
            s->latestFireTimes(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T11:00:00Z"), 3);
        QStringList got;
        for (const QDateTime &t : times)
            got << iso(t);
        QCOMPARE(got, list({ "2024-05-01T10:30:00Z", "2024-05-01T10:45:00Z", "2024-05-01T11:00:00Z" }));
        // The lower bound is exclusive, the upper inclusive.
        QCOMPARE(s->latestFireTimes(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T10:15:00Z"), 10).size(), 1);
        QCOMPARE(s->latestFireTimes(utc("2024-05-01T10:00:00Z"), utc("2024-05-01T10:14:59Z"), 10).size(), 0);
        // After a year of downtime the newest are found without walking the year.
        const auto year = s->latestFireTimes(utc("2023-05-01T10:00:00Z"), utc("2024-05-01T10:00:00Z"), 1);
        QCOMPARE(year.size(), 1);
        QCOMPARE(iso(year.first()), QStringLiteral("2024-05-01T10:00:00Z"));
    }

    // Every hourly fire in a DST year is an hour apart, and daily ones fire once per calendar day.
    void elapsedHoursAndCalendarDaysOverAWholeYear_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::newRow("America/New_York") << "America/New_York";
        QTest::newRow("Europe/Berlin") << "Europe/Berlin";
    }
    void elapsedHoursAndCalendarDaysOverAWholeYear()
    {
        QFETCH(QString, zone);
        const auto hourly = CronSchedule::create(QStringLiteral("0 * * * *"), zone);
        QVERIFY(hourly.ok());
        QDateTime t = utc("2023-12-31T23:59:59Z");
        const QDateTime end = utc("2025-01-01T00:00:00Z");
        int count = 0;
        for (QDateTime n = hourly->next(t); n < end; t = n, n = hourly->next(t)) {
            if (count > 0)
                QCOMPARE(t.secsTo(n), 3600);
            ++count;
        }
        QCOMPARE(count, 366 * 24); // one per elapsed hour in a leap year

        const auto daily = CronSchedule::create(QStringLiteral("30 2 * * *"), zone);
        QVERIFY(daily.ok());
        QSet<QDate> days;
        t = utc("2024-01-01T00:00:00Z");
        for (QDateTime n = daily->next(t); n < end; t = n, n = daily->next(t)) {
            const QDate local = n.toTimeZone(QTimeZone(zone.toUtf8())).date();
            QVERIFY2(!days.contains(local), qPrintable(iso(n)));
            days.insert(local);
        }
        QCOMPARE(days.size(), 366);
    }
};

QTEST_GUILESS_MAIN(TestCron)
#include "tst_cron.moc"
