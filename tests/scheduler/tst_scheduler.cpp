// The DagsterDaemonScheduler's pass against a real code location (in-process gRPC server) and real
// storage: LIFDAG_TEST_BACKEND=sqlite, or postgres (the `postgres` ctest fixture). The clock is
// injected: every pass says what time it is.
#include "testsupport.h"

#include <lifdag/codelocation/server.h>
#include <lifdag/daemon/daemon.h>
#include <lifdag/execution/examplejobs.h>
#include <lifdag/instance/instance.h>
#include <lifdag/scheduler/cron.h>
#include <lifdag/scheduler/scheduler.h>

#include <QDir>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <atomic>
#include <mutex>
#include <thread>

using namespace lifdag;
using namespace lifdag::scheduler;
using namespace Qt::StringLiterals;
using DefaultStatus = execution::ScheduleDefinition::DefaultStatus;

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto &res_ = (expr);                                                                           \
        QVERIFY2(res_.ok(), qPrintable(res_.ok() ? QString() : res_.error().message));                       \
    } while (false)

namespace {

const QString kLocation = u"sched_location"_s;

QJsonObject helloConfig(const QJsonValue &name)
{
    return QJsonObject {
        { u"ops"_s,
          QJsonObject {
              { u"hello"_s, QJsonObject { { u"config"_s, QJsonObject { { u"name"_s, name } } } } } } }
    };
}

std::shared_ptr<const execution::JobRegistry> testRegistry()
{
    auto registry = std::make_shared<execution::JobRegistry>();
    if (!registry->add(execution::examples::helloJob()).ok())
        qFatal("hello_job");
    const auto add = [&](const QString &name, const QString &cron, bool catchUp = false,
                         DefaultStatus status = DefaultStatus::Stopped,
                         const QJsonObject &config = helloConfig(u"tick"_s)) {
        execution::ScheduleDefinition s;
        s.name = name;
        s.cronSchedule = cron;
        s.jobName = u"hello_job"_s;
        s.runConfig = config;
        s.tags.insert(u"team"_s, u"data"_s);
        s.catchUp = catchUp;
        s.defaultStatus = status;
        if (!registry->addSchedule(s).ok())
            qFatal("schedule");
    };
    add(u"every_minute"_s, u"* * * * *"_s);
    add(u"every_minute_catchup"_s, u"* * * * *"_s, true);
    add(u"bad_config"_s, u"* * * * *"_s, false, DefaultStatus::Stopped, helloConfig(42));
    add(u"default_running"_s, u"* * * * *"_s, false, DefaultStatus::Running);
    add(u"bad_cron"_s, u"61 * * * *"_s);
    for (int i = 0; i < 4; ++i)
        add(u"parallel_"_s + QString::number(i), u"*/1 * * * *"_s);
    execution::ScheduleDefinition berlin;
    berlin.name = u"berlin_night"_s;
    berlin.cronSchedule = u"30 2 * * *"_s;
    berlin.executionTimezone = u"Europe/Berlin"_s;
    berlin.jobName = u"hello_job"_s;
    berlin.runConfig = helloConfig(u"night"_s);
    if (!registry->addSchedule(berlin).ok())
        qFatal("schedule");
    return registry;
}

// The tests' clock: schedules start at 10:00:10, so due times are 10:01, 10:02…
const QDateTime kStart(QDate(2030, 3, 4), QTime(10, 0, 10), QTimeZone::utc());

QDateTime floorMinute(const QDateTime &t)
{
    const qint64 ms = t.toMSecsSinceEpoch();
    return QDateTime::fromMSecsSinceEpoch(ms - ms % 60000, QTimeZone::utc());
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT

    bool m_pg = false;
    test::PgServer m_server;
    QString m_database;
    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<codelocation::Server> m_codeServer;
    std::shared_ptr<instance::Instance> m_instance;

    std::shared_ptr<instance::Instance> openInstance()
    {
        auto opened = instance::Instance::open(m_home->path());
        if (!opened)
            qWarning("%s", qPrintable(opened.error().message));
        return opened ? *opened : nullptr;
    }

    void writeHome(const QString &extraWorkspace = {})
    {
        QString yaml =
            u"run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"_s;
        if (m_pg)
            yaml += test::postgresInstanceYaml(m_server, m_database, u"LIFDAG_TEST_SCHED_PG_PASSWORD"_s);
        QVERIFY(test::writeTextFile(QDir(m_home->path()).filePath(u"dagster.yaml"_s), yaml.toUtf8()));
        QVERIFY(test::writeTextFile(
            QDir(m_home->path()).filePath(u"workspace.yaml"_s),
            (test::grpcWorkspaceYaml(m_codeServer->port(), kLocation) + extraWorkspace).toUtf8()));
    }

    QDateTime startedAt(const QString &name)
    {
        const auto stored = m_instance->storage().schedules().instigators(kLocation);
        for (const storage::InstigatorState &s : *stored) {
            if (s.name == name)
                return s.updatedAt;
        }
        return {};
    }

    // Starts `name` at kStart and returns the minute it was started in: due times are that + 1 min…
    QDateTime start(const QString &name)
    {
        const auto started = startSchedule(*m_instance, name, {}, kStart);
        if (!started) {
            qWarning("%s", qPrintable(started.error().message));
            return {};
        }
        return floorMinute(startedAt(name));
    }

    QList<storage::RunRecord> runsOf(const QString &schedule)
    {
        storage::RunFilter filter;
        filter.tags.insert(QString(kScheduleNameTag), schedule);
        const auto page = m_instance->storage().runs().runs(filter, 10000);
        return page ? page->runs : QList<storage::RunRecord> {};
    }

    QList<storage::Tick> ticksOf(const QString &schedule)
    {
        const auto ticks = scheduleTicks(*m_instance, schedule, kLocation, 10000);
        return ticks ? *ticks : QList<storage::Tick> {};
    }

    static QStringList statuses(const QList<storage::Tick> &ticks)
    {
        QStringList out;
        for (const storage::Tick &t : ticks)
            out << t.status;
        return out;
    }

    static SchedulerOptions options()
    {
        SchedulerOptions o;
        o.maxSleep = std::chrono::seconds(30);
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_pg = qEnvironmentVariable("LIFDAG_TEST_BACKEND") == u"postgres"_s;
        if (m_pg) {
            m_server = test::pgServer();
            QVERIFY2(m_server.ok(), qPrintable(m_server.error));
            qputenv("LIFDAG_TEST_SCHED_PG_PASSWORD", m_server.password.toUtf8());
        }
    }

    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
        if (m_pg) {
            m_database = u"lifdag_sched_"_s + QUuid::createUuid().toString(QUuid::Id128).left(12);
            const QString error = test::pgAdmin(m_server, u"CREATE DATABASE "_s + m_database);
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        codelocation::ServerOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.locationName = kLocation;
        m_codeServer = std::make_unique<codelocation::Server>(options, testRegistry());
        VERIFY_OK(m_codeServer->start());
        writeHome();
        m_instance = openInstance();
        QVERIFY(m_instance);
    }

    void cleanup()
    {
        m_instance.reset();
        if (m_codeServer)
            m_codeServer->shutdown();
        m_codeServer.reset();
        if (m_pg && !m_database.isEmpty())
            test::pgAdmin(m_server, u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
        m_home.reset();
    }

    void ticksRecordTheRunTheyCreate()
    {
        const QDateTime minute = start(u"every_minute"_s);
        QVERIFY(minute.isValid());
        DaemonScheduler scheduler(m_instance, options());

        const QDateTime due = minute.addSecs(60);
        const PassReport first = scheduler.runPass(due.addSecs(5));
        QVERIFY2(first.errors.isEmpty(), qPrintable(first.errors.join(u'\n')));
        const QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.size(), 1);
        const storage::Tick tick = ticks.first();
        QCOMPARE(tick.status, u"SUCCESS"_s);
        QCOMPARE(tick.timestamp, due);
        QCOMPARE(tick.runIds.size(), 1);
        QCOMPARE(tick.runIds.first(), scheduledRunId(kLocation, u"every_minute"_s, due));

        const auto run = m_instance->storage().runs().run(tick.runIds.first());
        QVERIFY(run && run->has_value());
        const storage::RunRecord r = **run;
        QCOMPARE(r.jobName, u"hello_job"_s);
        QCOMPARE(r.status, RunStatus::Queued); // QueuedRunCoordinator: the daemon's queue takes it from here
        QCOMPARE(r.runConfig, helloConfig(u"tick"_s));
        QCOMPARE(r.tags.value(u"dagster/schedule_name"_s), u"every_minute"_s);
        QCOMPARE(r.tags.value(u"dagster/tick"_s), QString::number(tick.id));
        QCOMPARE(r.tags.value(u"dagster/run_key"_s), u"every_minute:"_s + due.toUTC().toString(Qt::ISODate));
        QCOMPARE(r.tags.value(u"dagster/scheduled_execution_time"_s), due.toString(Qt::ISODate));
        QCOMPARE(r.tags.value(u"team"_s), u"data"_s);

        // The same pass again changes nothing; the next minute adds one tick.
        QVERIFY(scheduler.runPass(due.addSecs(5)).ticks.isEmpty());
        QCOMPARE(ticksOf(u"every_minute"_s).size(), 1);
        scheduler.runPass(due.addSecs(65));
        QCOMPARE(statuses(ticksOf(u"every_minute"_s)), (QStringList { u"SUCCESS"_s, u"SUCCESS"_s }));
        QCOMPARE(runsOf(u"every_minute"_s).size(), 2);
        // Nothing else was running.
        QVERIFY(runsOf(u"every_minute_catchup"_s).isEmpty());
        QVERIFY(ticksOf(u"bad_config"_s).isEmpty());
    }

    void nextDueTimeDecidesTheSleep()
    {
        SchedulerOptions o = options();
        o.maxSleep = std::chrono::minutes(5);
        DaemonScheduler scheduler(m_instance, o);
        VERIFY_OK(stopSchedule(*m_instance, u"default_running"_s, {}, kStart));
        scheduler.runPass(kStart);
        QCOMPARE(scheduler.untilNextPass(kStart), o.maxSleep); // nothing running: the cap

        const QDateTime minute = start(u"every_minute"_s);
        const QDateTime now = minute.addSecs(60 + 17).addMSecs(250);
        scheduler.runPass(now);
        // Wakes one millisecond past the next due time (43.75 s away), not after a fixed interval.
        QCOMPARE(scheduler.untilNextPass(now).count(), qint64(42751));
        QCOMPARE(scheduler.untilNextPass(now.addSecs(40)).count(), qint64(2751));
        QCOMPARE(scheduler.untilNextPass(now.addSecs(50)).count(), qint64(0)); // overdue: at once
        o.maxSleep = std::chrono::seconds(10);
        DaemonScheduler capped(m_instance, o);
        capped.runPass(now);
        QCOMPARE(capped.untilNextPass(now).count(), qint64(10000));
    }

    // 2030-03-31: Berlin skips 02:00-03:00; the 02:30 tick fires at 03:00 CEST, once.
    void ticksInTheSchedulesZoneAcrossDst()
    {
        const QDateTime started(QDate(2030, 3, 29), QTime(23, 0), QTimeZone::utc());
        VERIFY_OK(startSchedule(*m_instance, u"berlin_night"_s, {}, started));
        DaemonScheduler scheduler(m_instance, options());
        const QDateTime gapEnd(QDate(2030, 3, 31), QTime(1, 0), QTimeZone::utc()); // 03:00 CEST
        scheduler.runPass(gapEnd.addSecs(-1));
        QCOMPARE(statuses(ticksOf(u"berlin_night"_s)), QStringList { u"SUCCESS"_s }); // 2030-03-30 02:30 CET
        QCOMPARE(ticksOf(u"berlin_night"_s).first().timestamp,
                 QDateTime(QDate(2030, 3, 30), QTime(1, 30), QTimeZone::utc()));
        QCOMPARE(scheduler.untilNextPass(gapEnd.addSecs(-1)).count(), qint64(1001)); // wakes at the gap's end
        scheduler.runPass(gapEnd);
        QList<storage::Tick> ticks = ticksOf(u"berlin_night"_s);
        QCOMPARE(ticks.size(), 2);
        QCOMPARE(ticks.first().timestamp, gapEnd);
        const auto run = m_instance->storage().runs().run(ticks.first().runIds.value(0));
        QVERIFY(run && run->has_value());
        QCOMPARE((*run)->tags.value(u"dagster/scheduled_execution_time"_s), u"2030-03-31T03:00:00+02:00"_s);
        scheduler.runPass(gapEnd.addSecs(23 * 3600)); // 2030-04-01 02:00 CEST: not yet 02:30
        QCOMPARE(ticksOf(u"berlin_night"_s).size(), 2);
        scheduler.runPass(QDateTime(QDate(2030, 4, 1), QTime(0, 30), QTimeZone::utc()));
        ticks = ticksOf(u"berlin_night"_s);
        QCOMPARE(ticks.size(), 3);
        QCOMPARE(ticks.first().timestamp, QDateTime(QDate(2030, 4, 1), QTime(0, 30), QTimeZone::utc()));
    }

    void afterDowntimeOnlyTheLatestMissedTickRuns()
    {
        const QDateTime minute = start(u"every_minute"_s);
        DaemonScheduler scheduler(m_instance, options());
        const PassReport report = scheduler.runPass(minute.addSecs(10 * 60 + 5));
        QVERIFY2(report.errors.isEmpty(), qPrintable(report.errors.join(u'\n')));
        const QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.size(), 10); // one per due time
        QCOMPARE(ticks.first().status, u"SUCCESS"_s); // newest first
        QCOMPARE(ticks.first().timestamp, minute.addSecs(10 * 60));
        for (qsizetype i = 1; i < ticks.size(); ++i) {
            QCOMPARE(ticks[i].status, u"SKIPPED"_s);
            QCOMPARE(ticks[i].timestamp, minute.addSecs((10 - i) * 60));
            QVERIFY(ticks[i].runIds.isEmpty());
            QVERIFY2(ticks[i].skipReason.contains(u"only the latest missed due time runs"_s),
                     qPrintable(ticks[i].skipReason));
        }
        const auto runs = runsOf(u"every_minute"_s);
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().runId, ticks.first().runIds.first());
    }

    void catchUpScheduleRunsUpToMaxCatchupRuns()
    {
        const QDateTime minute = start(u"every_minute_catchup"_s);
        SchedulerOptions o = options();
        o.maxCatchupRuns = 3;
        DaemonScheduler scheduler(m_instance, o);
        scheduler.runPass(minute.addSecs(10 * 60 + 5));
        const QList<storage::Tick> ticks = ticksOf(u"every_minute_catchup"_s);
        QCOMPARE(statuses(ticks),
                 (QStringList { u"SUCCESS"_s, u"SUCCESS"_s, u"SUCCESS"_s, u"SKIPPED"_s, u"SKIPPED"_s,
                                u"SKIPPED"_s, u"SKIPPED"_s, u"SKIPPED"_s, u"SKIPPED"_s, u"SKIPPED"_s }));
        QVERIFY(ticks.last().skipReason.contains(u"max_catchup_runs"_s));
        QSet<QString> runIds;
        for (const storage::RunRecord &r : runsOf(u"every_minute_catchup"_s))
            runIds.insert(r.runId);
        QCOMPARE(runIds.size(), 3);
        for (int i = 0; i < 3; ++i)
            QVERIFY(runIds.contains(ticks[i].runIds.value(0)));
        // The runs went in due-time order: the oldest missed one got the lowest tick id.
        QVERIFY(ticks[2].id < ticks[1].id && ticks[1].id < ticks[0].id);
    }

    void skippedTicksRecordedAreBounded()
    {
        const QDateTime minute = start(u"every_minute"_s);
        SchedulerOptions o = options();
        o.maxSkippedTicksRecorded = 5;
        DaemonScheduler scheduler(m_instance, o);
        scheduler.runPass(minute.addSecs(24 * 3600 + 5)); // a day of downtime: 1440 due times
        const QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(statuses(ticks),
                 (QStringList { u"SUCCESS"_s, u"SKIPPED"_s, u"SKIPPED"_s, u"SKIPPED"_s, u"SKIPPED"_s,
                                u"SKIPPED"_s }));
        QCOMPARE(ticks.first().timestamp, minute.addSecs(24 * 3600));
        QCOMPARE(runsOf(u"every_minute"_s).size(), 1);
    }

    void invalidRunConfigFailsTheTickAndRetriesAreBounded()
    {
        const QDateTime minute = start(u"bad_config"_s);
        SchedulerOptions o = options();
        o.maxTickRetries = 1;
        DaemonScheduler scheduler(m_instance, o);
        const QDateTime now = minute.addSecs(65);
        scheduler.runPass(now);
        QList<storage::Tick> ticks = ticksOf(u"bad_config"_s);
        QCOMPARE(ticks.size(), 1);
        QCOMPARE(ticks.first().status, u"FAILURE"_s);
        QVERIFY2(
            ticks.first().error.contains(u"the run config of schedule \"bad_config\" is not valid for job "
                                         "\"hello_job\""_s),
            qPrintable(ticks.first().error));
        QVERIFY2(ticks.first().error.contains(u"ops.hello.config.name"_s), qPrintable(ticks.first().error));
        QCOMPARE(ticks.first().failureCount, 1);
        QVERIFY(ticks.first().runIds.isEmpty());

        scheduler.runPass(now); // one retry (max_tick_retries: 1) of the same due time
        ticks = ticksOf(u"bad_config"_s);
        QCOMPARE(ticks.size(), 1);
        QCOMPARE(ticks.first().failureCount, 2);
        scheduler.runPass(now); // no more
        QCOMPARE(ticksOf(u"bad_config"_s).first().failureCount, 2);
        QVERIFY(runsOf(u"bad_config"_s).isEmpty());
    }

    void stoppedAndDefaultStatuses()
    {
        DaemonScheduler scheduler(m_instance, options());
        const QDateTime t0 = kStart;
        // default_running runs without a start; the first pass only notes since when.
        QVERIFY(scheduler.runPass(t0).ticks.isEmpty());
        const auto listing = listSchedules(*m_instance, {}, t0);
        QVERIFY2(listing.errors.isEmpty(), qPrintable(listing.errors.join(u'\n')));
        QCOMPARE(listing.schedules.size(), 10);
        for (const ScheduleState &s : listing.schedules) {
            QVERIFY(s.statusIsDefault);
            QCOMPARE(s.status, s.definition.name == u"default_running"_s ? u"RUNNING"_s : u"STOPPED"_s);
            QCOMPARE(s.nextFireTime.isValid(), s.definition.name == u"default_running"_s);
        }
        scheduler.runPass(t0.addSecs(150)); // 10:02:40: due 10:01 (missed) and 10:02
        QCOMPARE(statuses(ticksOf(u"default_running"_s)), (QStringList { u"SUCCESS"_s, u"SKIPPED"_s }));

        // Stopping wins over the default; a stopped schedule never ticks.
        const auto stopped = stopSchedule(*m_instance, u"default_running"_s, {}, t0.addSecs(200));
        VERIFY_OK(stopped);
        QCOMPARE(stopped->status, u"STOPPED"_s);
        QVERIFY(!stopped->statusIsDefault);
        QVERIFY(scheduler.runPass(t0.addSecs(600)).ticks.isEmpty());
        QCOMPARE(ticksOf(u"default_running"_s).size(), 2);
        // Starting again counts from the new start: the stopped minutes are not "missed".
        VERIFY_OK(startSchedule(*m_instance, u"default_running"_s, {}, t0.addSecs(900))); // 10:15:10
        const PassReport report = scheduler.runPass(t0.addSecs(965)); // 10:16:15
        QCOMPARE(report.ticks.size(), 1);
        QCOMPARE(report.ticks.first().status, u"SUCCESS"_s);
        QCOMPARE(report.ticks.first().timestamp, floorMinute(t0).addSecs(16 * 60));
        QCOMPARE(ticksOf(u"default_running"_s).size(), 3);
    }

    void startAndStopAreExplicitAndIdempotent()
    {
        auto started = startSchedule(*m_instance, u"every_minute"_s);
        VERIFY_OK(started);
        QCOMPARE(started->status, u"RUNNING"_s);
        QVERIFY(!started->statusIsDefault);
        QVERIFY(started->nextFireTime.isValid());
        const QDateTime since = startedAt(u"every_minute"_s);
        QTest::qWait(20);
        VERIFY_OK(startSchedule(*m_instance, u"every_minute"_s)); // already running: unchanged
        QCOMPARE(startedAt(u"every_minute"_s), since);

        const auto unknown = startSchedule(*m_instance, u"nope"_s);
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, u"scheduler.not_found"_s);
        QVERIFY2(unknown.error().message.contains(u"no schedule named \"nope\""_s),
                 qPrintable(unknown.error().message));
        QVERIFY(unknown.error().message.contains(u"every_minute"_s));

        const auto badCron = startSchedule(*m_instance, u"bad_cron"_s);
        QVERIFY(!badCron.ok());
        QVERIFY2(badCron.error().message.contains(
                     u"cannot start schedule \"bad_cron\": invalid cron \"61 * * * *\": "
                     "minute field"_s),
                 qPrintable(badCron.error().message));

        const auto wrongLocation = startSchedule(*m_instance, u"every_minute"_s, u"elsewhere"_s);
        QVERIFY(!wrongLocation.ok());
        QVERIFY(wrongLocation.error().message.contains(u"no code location \"elsewhere\""_s));

        const auto stopped = stopSchedule(*m_instance, u"every_minute"_s);
        VERIFY_OK(stopped);
        QCOMPARE(stopped->status, u"STOPPED"_s);
        QVERIFY(!stopped->nextFireTime.isValid());
    }

    void invalidCronOfARunningScheduleIsReported()
    {
        // Stored as running by an older definition whose cron was valid.
        VERIFY_OK(m_instance->storage().schedules().upsertInstigator(
            { u"bad_cron"_s, kLocation, u"1 * * * *"_s, u"UTC"_s, u"RUNNING"_s, {} }));
        DaemonScheduler scheduler(m_instance, options());
        const PassReport report = scheduler.runPass(QDateTime::currentDateTimeUtc().addSecs(3600));
        QCOMPARE(report.errors.size(), 1);
        QVERIFY2(report.errors.first().contains(
                     u"schedule bad_cron (sched_location): invalid cron \"61 * * * *\": "
                     "minute field: 61"_s),
                 qPrintable(report.errors.first()));
        QVERIFY(ticksOf(u"bad_cron"_s).isEmpty());
        QVERIFY(!scheduler.tick().ok()); // the daemon loop records it in its heartbeat
        // Retried within errorRetry (sooner when another schedule of the location is due first).
        QVERIFY(scheduler.untilNextPass() <= scheduler.options().errorRetry);
        QVERIFY(scheduler.options().errorRetry < scheduler.options().maxSleep);
    }

    void unreachableLocationDoesNotStopTheOthers()
    {
        writeHome(u"  - grpc_server: {host: 127.0.0.1, port: 1, location_name: gone}\n"_s);
        m_instance = openInstance();
        QVERIFY(m_instance);
        const QDateTime minute = start(u"every_minute"_s);
        DaemonScheduler scheduler(m_instance, options());
        const PassReport report = scheduler.runPass(minute.addSecs(65));
        QCOMPARE(report.errors.size(), 1);
        QVERIFY2(report.errors.first().startsWith(u"location gone: "_s), qPrintable(report.errors.first()));
        QCOMPARE(report.ticks.size(), 1);
        QCOMPARE(ticksOf(u"every_minute"_s).first().status, u"SUCCESS"_s);

        const auto listing = listSchedules(*m_instance);
        QCOMPARE(listing.errors.size(), 1);
        QVERIFY(listing.errors.first().startsWith(u"location gone: "_s));
    }

    void resumesATickLeftStartedByADeadDaemon()
    {
        const QDateTime minute = start(u"every_minute"_s);
        const QDateTime due = minute.addSecs(60);
        // A daemon claimed the due time and died before submitting the run.
        storage::Tick claimed;
        claimed.instigatorName = u"every_minute"_s;
        claimed.locationName = kLocation;
        claimed.timestamp = due;
        claimed.status = u"STARTED"_s;
        const auto id = m_instance->storage().schedules().claimTick(claimed);
        VERIFY_OK(id);
        QVERIFY(id->has_value());

        DaemonScheduler scheduler(m_instance, options());
        scheduler.runPass(due.addSecs(5)); // might still be in flight elsewhere: left alone
        QCOMPARE(ticksOf(u"every_minute"_s).first().status, u"STARTED"_s);
        QVERIFY(runsOf(u"every_minute"_s).isEmpty());
        scheduler.runPass(due.addSecs(30));
        QCOMPARE(ticksOf(u"every_minute"_s).first().status, u"STARTED"_s);
        // Still STARTED a minute later (2 x max sleep): resumed, with the run id every daemon derives.
        scheduler.runPass(due.addSecs(5 + 60));
        const QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.size(), 2);
        QCOMPARE(ticks.last().id, **id);
        QCOMPARE(ticks.last().status, u"SUCCESS"_s);
        QCOMPARE(ticks.last().runIds, QStringList { scheduledRunId(kLocation, u"every_minute"_s, due) });
        QCOMPARE(runsOf(u"every_minute"_s).size(), 2); // the resumed due time and the next one
    }

    void resumingATickWhoseRunExistsCreatesNoSecondRun()
    {
        const QDateTime minute = start(u"every_minute"_s);
        const QDateTime due = minute.addSecs(60);
        DaemonScheduler scheduler(m_instance, options());
        scheduler.runPass(due.addSecs(1));
        QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.size(), 1);
        // As if the daemon had died after submitting but before recording SUCCESS.
        storage::Tick tick = ticks.first();
        tick.status = u"STARTED"_s;
        tick.runIds.clear();
        VERIFY_OK(m_instance->storage().schedules().updateTick(tick));
        SchedulerOptions o = options();
        o.maxSleep = std::chrono::seconds(10); // resumes ticks STARTED for 20 s
        DaemonScheduler other(m_instance, o);
        other.runPass(due.addSecs(2));
        other.runPass(due.addSecs(30)); // before the next due time
        ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.size(), 1);
        QCOMPARE(ticks.first().status, u"SUCCESS"_s);
        QCOMPARE(ticks.first().runIds, QStringList { scheduledRunId(kLocation, u"every_minute"_s, due) });
        QCOMPARE(runsOf(u"every_minute"_s).size(), 1);
    }

    // Two daemons (own storage connections each) run the same passes at the same moments: every due
    // time gets exactly one tick and one run.
    void twoSchedulersRunningTheSamePassesCreateEachRunOnce()
    {
        QStringList names;
        for (int i = 0; i < 4; ++i)
            names << u"parallel_"_s + QString::number(i);
        QDateTime minute;
        for (const QString &name : names)
            minute = start(name); // the last one started latest
        QVERIFY(minute.isValid());
        auto a = openInstance();
        auto b = openInstance();
        QVERIFY(a && b);
        SchedulerOptions o = options();
        DaemonScheduler first(a, o);
        DaemonScheduler second(b, o);
        constexpr int kRounds = 12;
        QStringList errors;
        std::mutex errorsMutex;
        for (int round = 1; round <= kRounds; ++round) {
            const QDateTime now = minute.addSecs(round * 60 + 1);
            std::atomic<int> ready { 0 };
            const auto run = [&](DaemonScheduler &scheduler) {
                ++ready;
                while (ready.load() < 2) { } // start together
                const PassReport r = scheduler.runPass(now);
                std::lock_guard lock(errorsMutex);
                errors << r.errors;
            };
            std::thread t1(run, std::ref(first));
            std::thread t2(run, std::ref(second));
            t1.join();
            t2.join();
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        for (const QString &name : names) {
            // A schedule started in the minute before the others has one extra, missed, due time.
            const QList<storage::Tick> ticks = ticksOf(name);
            QSet<qint64> dueTimes;
            QSet<QString> tickRuns;
            int succeeded = 0;
            for (const storage::Tick &t : ticks) {
                QVERIFY2(t.status == u"SUCCESS"_s || (t.status == u"SKIPPED"_s && t.timestamp <= minute),
                         qPrintable(t.status));
                if (t.status == u"SUCCESS"_s) {
                    ++succeeded;
                    QCOMPARE(t.runIds.size(), 1);
                    tickRuns.insert(t.runIds.first());
                }
                dueTimes.insert(t.timestamp.toMSecsSinceEpoch());
            }
            QCOMPARE(dueTimes.size(), ticks.size()); // one tick per due time
            QCOMPARE(succeeded, kRounds);
            const auto runs = runsOf(name);
            QCOMPARE(runs.size(), kRounds);
            QSet<QString> keys;
            for (const storage::RunRecord &r : runs) {
                keys.insert(r.tags.value(u"dagster/run_key"_s));
                QVERIFY(tickRuns.contains(r.runId));
            }
            QCOMPARE(keys.size(), kRounds);
        }
        // One RUN_ENQUEUED per run: no second submission got as far as the queue.
        for (const storage::RunRecord &r : runsOf(names.first())) {
            const auto events = m_instance->storage().events().events(r.runId);
            int enqueued = 0;
            for (const Event &e : *events)
                enqueued += e.eventType == QLatin1StringView(EventType::RunEnqueued) ? 1 : 0;
            QCOMPARE(enqueued, 1);
        }
    }

    // Even when both daemons evaluate the same tick (resuming it at once), storage refuses the second run.
    void twoSchedulersResumingTheSameTickCreateOneRun()
    {
        const QDateTime minute = start(u"every_minute"_s);
        const QDateTime due = minute.addSecs(60);
        storage::Tick claimed;
        claimed.instigatorName = u"every_minute"_s;
        claimed.locationName = kLocation;
        claimed.timestamp = due;
        claimed.status = u"STARTED"_s;
        VERIFY_OK(m_instance->storage().schedules().claimTick(claimed));
        auto a = openInstance();
        auto b = openInstance();
        DaemonScheduler first(a, options());
        DaemonScheduler second(b, options());
        first.runPass(due.addSecs(1));
        second.runPass(due.addSecs(1));
        std::atomic<int> ready { 0 };
        QStringList errors;
        std::mutex errorsMutex;
        const auto run = [&](DaemonScheduler &scheduler) {
            ++ready;
            while (ready.load() < 2) { }
            // 61 s after they first saw it STARTED: both resume it (and both claim the next due time).
            const PassReport r = scheduler.runPass(due.addSecs(62));
            std::lock_guard lock(errorsMutex);
            errors << r.errors;
        };
        std::thread t1(run, std::ref(first));
        std::thread t2(run, std::ref(second));
        t1.join();
        t2.join();
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        const QList<storage::Tick> ticks = ticksOf(u"every_minute"_s);
        QCOMPARE(ticks.last().timestamp, due);
        QCOMPARE(ticks.last().status, u"SUCCESS"_s);
        QCOMPARE(ticks.last().runIds, QStringList { scheduledRunId(kLocation, u"every_minute"_s, due) });
        int forDue = 0;
        for (const storage::RunRecord &r : runsOf(u"every_minute"_s))
            forDue += r.runId == ticks.last().runIds.first() ? 1 : 0;
        QCOMPARE(forDue, 1);
    }

    // The daemon's SCHEDULER loop sleeps until the next due time and ticks right after it.
    void daemonLoopWakesAtTheDueTime()
    {
        // Not within 3 s of a minute boundary: `minute` below must be the minute the schedule
        // started in, whatever the machine's load.
        if (const int second = QDateTime::currentDateTimeUtc().time().second(); second >= 57)
            QTest::qWait((61 - second) * 1000);
        VERIFY_OK(startSchedule(*m_instance, u"every_minute"_s)); // now, on the real clock
        const QDateTime minute = floorMinute(startedAt(u"every_minute"_s));
        daemon::Daemon daemon(m_instance, u"test-daemon"_s, std::chrono::seconds(30));
        daemon.addConfiguredLoops();
        QVERIFY2(daemon.loopTypes().contains(u"SCHEDULER"_s), qPrintable(daemon.loopTypes().join(u',')));
        daemon.start();
        const QDateTime due = minute.addSecs(60);
        QList<storage::Tick> ticks;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(ticks = ticksOf(u"every_minute"_s)).isEmpty() && ticks.last().status != u"STARTED"_s, 75000);
        daemon.stop();
        QStringList seen;
        for (const storage::Tick &t : std::as_const(ticks))
            seen << t.timestamp.toString(Qt::ISODateWithMs) + u' ' + t.status;
        QVERIFY2(ticks.size() == 1,
                 qPrintable(u"started %1, due %2, ticks: %3"_s.arg(
                     startedAt(u"every_minute"_s).toString(Qt::ISODateWithMs), due.toString(Qt::ISODate),
                     seen.join(u", "_s))));
        QCOMPARE(ticks.last().timestamp, due);
        QCOMPARE(ticks.last().status, u"SUCCESS"_s);
        const auto run = m_instance->storage().runs().run(ticks.last().runIds.value(0));
        QVERIFY(run && run->has_value());
        const qint64 late = due.msecsTo((*run)->createdAt);
        qInfo("run created %lld ms after its due time", late);
        QVERIFY2(late >= 0 && late < 2000, qPrintable(QString::number(late)));
        const auto beats = m_instance->storage().heartbeats().all();
        bool beat = false;
        for (const storage::Heartbeat &h : *beats)
            beat = beat || (h.daemonType == u"SCHEDULER"_s && h.daemonId == u"test-daemon"_s);
        QVERIFY(beat);
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
