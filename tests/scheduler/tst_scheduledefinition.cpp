// Schedules a repository declares: JobRegistry::addSchedule's checks and the example schedule.
#include <lifdag/execution/examplejobs.h>
#include <lifdag/execution/jobregistry.h>
#include <lifdag/scheduler/cron.h>

#include <QTest>

using namespace lifdag;
using namespace lifdag::execution;
using namespace Qt::StringLiterals;

class TestScheduleDefinition : public QObject
{
    Q_OBJECT

    static ScheduleDefinition schedule(const QString &name, const QString &job = u"hello_job"_s)
    {
        ScheduleDefinition s;
        s.name = name;
        s.jobName = job;
        s.cronSchedule = u"@daily"_s;
        return s;
    }

private Q_SLOTS:
    void acceptsScheduleOfAKnownJob()
    {
        JobRegistry registry;
        QVERIFY(registry.add(examples::helloJob()).ok());
        QVERIFY(registry.addSchedule(schedule(u"b_schedule"_s)).ok());
        QVERIFY(registry.addSchedule(schedule(u"a_schedule"_s)).ok());
        QCOMPARE(registry.schedules().size(), 2);
        QCOMPARE(registry.schedules().first().name, u"a_schedule"_s); // sorted by name
        QVERIFY(registry.schedule(u"b_schedule"_s));
        QCOMPARE(registry.schedule(u"b_schedule"_s)->executionTimezone, u"UTC"_s);
        QVERIFY(!registry.schedule(u"nope"_s));
    }

    void rejectsInvalidSchedules_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("job");
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown job")
            << u"s"_s << u"missing_job"_s << u"@daily"_s << u"UTC"_s << u"execution.invalid_schedule"_s
            << u"schedule \"s\" targets job \"missing_job\", which is not in the repository"_s;
        QTest::newRow("duplicate") << u"dup"_s << u"hello_job"_s << u"@daily"_s << u"UTC"_s
                                   << u"execution.duplicate_schedule"_s
                                   << u"already has a schedule named \"dup\""_s;
        QTest::newRow("bad name") << u"my schedule"_s << u"hello_job"_s << u"@daily"_s << u"UTC"_s
                                  << u"execution.invalid_schedule"_s << u"has an invalid name"_s;
        QTest::newRow("no cron") << u"s"_s << u"hello_job"_s << u" "_s << u"UTC"_s
                                 << u"execution.invalid_schedule"_s << u"has no cron schedule"_s;
        QTest::newRow("no zone") << u"s"_s << u"hello_job"_s << u"@daily"_s << QString()
                                 << u"execution.invalid_schedule"_s << u"has no execution time zone"_s;
    }
    void rejectsInvalidSchedules()
    {
        QFETCH(QString, name);
        QFETCH(QString, job);
        QFETCH(QString, cron);
        QFETCH(QString, zone);
        QFETCH(QString, code);
        QFETCH(QString, message);
        JobRegistry registry;
        QVERIFY(registry.add(examples::helloJob()).ok());
        QVERIFY(registry.addSchedule(schedule(u"dup"_s)).ok());
        ScheduleDefinition s = schedule(name, job);
        s.cronSchedule = cron;
        s.executionTimezone = zone;
        const Status added = registry.addSchedule(s);
        QVERIFY(!added.ok());
        QCOMPARE(added.error().code, code);
        QVERIFY2(added.error().message.contains(message), qPrintable(added.error().message));
        QCOMPARE(registry.schedules().size(), 1);
    }

    void exampleScheduleRunsHelloJobEveryFiveMinutesWhenStarted()
    {
        JobRegistry registry;
        QVERIFY(examples::registerExampleJobs(registry).ok());
        const ScheduleDefinition *s = registry.schedule(u"hello_schedule"_s);
        QVERIFY(s);
        QCOMPARE(s->jobName, u"hello_job"_s);
        QCOMPARE(s->defaultStatus, ScheduleDefinition::DefaultStatus::Stopped);
        QVERIFY(registry.job(s->jobName)->validateRunConfig(s->runConfig).ok());
        // Every declared schedule is a valid cron in a known zone.
        for (const ScheduleDefinition &each : registry.schedules()) {
            const auto cron = scheduler::CronSchedule::create(each.cronSchedule, each.executionTimezone);
            QVERIFY2(cron.ok(), qPrintable(cron.ok() ? QString() : cron.error().message));
        }
        const auto cron = scheduler::CronSchedule::create(s->cronSchedule, s->executionTimezone);
        const QDateTime t(QDate(2024, 5, 1), QTime(10, 2), QTimeZone::utc());
        QCOMPARE(cron->next(t), QDateTime(QDate(2024, 5, 1), QTime(10, 5), QTimeZone::utc()));
    }
};

QTEST_GUILESS_MAIN(TestScheduleDefinition)
#include "tst_scheduledefinition.moc"
