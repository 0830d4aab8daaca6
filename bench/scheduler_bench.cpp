// Scheduler figures: cron fire-time computations per second (UTC and DST zones), and the
// throughput of a scheduler pass that ticks 200 due schedules (claim, submit through a real
// in-process code location, record) on SQLite.
#include "benchutil.h"

#include <lifdag/codelocation/server.h>
#include <lifdag/execution/examplejobs.h>
#include <lifdag/instance/instance.h>
#include <lifdag/scheduler/cron.h>
#include <lifdag/scheduler/scheduler.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <cstdio>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

void cronFigures()
{
    struct Case
    {
        const char *label;
        QString cron;
        QString zone;
    };
    const Case cases[] = {
        { "*/5 * * * *, UTC", u"*/5 * * * *"_s, u"UTC"_s },
        { "30 2 * * *, Europe/Berlin (DST)", u"30 2 * * *"_s, u"Europe/Berlin"_s },
        { "0 9-17 * * MON-FRI, America/New_York", u"0 9-17 * * MON-FRI"_s, u"America/New_York"_s },
        { "* * * * *, America/New_York", u"* * * * *"_s, u"America/New_York"_s },
        { "0 0 13 * FRI, UTC (day OR weekday)", u"0 0 13 * FRI"_s, u"UTC"_s },
        { "0 0 29 2 *, UTC (leap days)", u"0 0 29 2 *"_s, u"UTC"_s },
    };
    const qint64 start = QDateTime(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    for (const Case &c : cases) {
        const auto schedule = scheduler::CronSchedule::create(c.cron, c.zone);
        if (!schedule) {
            std::fprintf(stderr, "%s\n", qPrintable(schedule.error().message));
            return;
        }
        for (bool forward : { true, false }) {
            // Within the years the zone tables cover (1900-2200): 30,000 daily fires are 82 years.
            const int n =
                c.cron.startsWith(u"0 0 29"_s) ? 20 : (c.cron.startsWith(u"30 2"_s) ? 30000 : 200000);
            qint64 t = forward ? start : start + qint64(80) * 365 * 86400 * 1000;
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < n; ++i) {
                const auto ms = forward ? schedule->nextMs(t) : schedule->previousMs(t);
                if (!ms)
                    break;
                t = *ms;
            }
            const double seconds = double(timer.nsecsElapsed()) / 1e9;
            bench::row(forward ? "next" : "previous", c.label, n / seconds, "fire times/s");
        }
    }
    QElapsedTimer timer;
    timer.start();
    const int parses = 100000;
    for (int i = 0; i < parses; ++i) {
        if (!scheduler::CronExpression::parse(u"0,15,30,45 9-17/2 1-7,15 JAN-JUN MON-FRI"_s))
            return;
    }
    bench::row("parse", "0,15,30,45 9-17/2 1-7,15 JAN-JUN MON-FRI",
               parses / (double(timer.nsecsElapsed()) / 1e9), "expressions/s");
}

int passFigures()
{
    constexpr int kSchedules = 200;
    auto registry = std::make_shared<execution::JobRegistry>();
    if (!registry->add(execution::examples::helloJob()).ok())
        return 1;
    for (int i = 0; i < kSchedules; ++i) {
        execution::ScheduleDefinition s;
        s.name = u"bench_"_s + QString::number(i);
        s.cronSchedule = u"* * * * *"_s;
        s.jobName = u"hello_job"_s;
        s.defaultStatus = execution::ScheduleDefinition::DefaultStatus::Running;
        if (!registry->addSchedule(s).ok())
            return 1;
    }
    codelocation::ServerOptions options;
    options.host = u"127.0.0.1"_s;
    options.port = 0;
    options.locationName = u"bench"_s;
    codelocation::Server server(options, registry);
    if (const Status s = server.start(); !s) {
        std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
        return 1;
    }
    QTemporaryDir home;
    const auto write = [&](const QString &name, const QString &text) {
        QFile f(QDir(home.path()).filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(text.toUtf8()) > 0;
    };
    if (!write(u"dagster.yaml"_s,
               u"run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n"_s)
        || !write(u"workspace.yaml"_s,
                  u"load_from:\n  - grpc_server: {host: 127.0.0.1, port: %1, location_name: bench}\n"_s.arg(
                      server.port())))
        return 1;
    auto instance = instance::Instance::open(home.path());
    if (!instance) {
        std::fprintf(stderr, "%s\n", qPrintable(instance.error().message));
        return 1;
    }
    scheduler::DaemonScheduler daemon(*instance);
    QDateTime now = QDateTime::currentDateTimeUtc();
    (void)daemon.runPass(now); // the schedules are seen (and start counting) from here
    QElapsedTimer timer;
    int ticks = 0;
    qint64 nanos = 0;
    for (int round = 1; round <= 5; ++round) {
        now = now.addSecs(60);
        timer.start();
        const scheduler::PassReport report = daemon.runPass(now);
        nanos += timer.nsecsElapsed();
        if (!report.errors.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(report.errors.join(u'\n')));
            return 1;
        }
        ticks += int(report.ticks.size());
    }
    timer.start();
    (void)daemon.runPass(now); // nothing due: the cost of looking
    const double idleMs = double(timer.nsecsElapsed()) / 1e6;
    bench::row("SQLite", "scheduler pass, 200 schedules due: ticks", ticks / (double(nanos) / 1e9),
               "ticks/s");
    bench::row("SQLite", "scheduler pass, 200 schedules, none due", idleMs, "ms");
    server.shutdown();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"lifdag.*.info=false"_s);
    cronFigures();
    return passFigures();
}
