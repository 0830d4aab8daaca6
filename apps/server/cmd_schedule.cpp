// `lifdag schedule list|start|stop|ticks`: the schedules the code locations declare, their state in
// storage, and their ticks.
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>
#include <lifdag/scheduler/scheduler.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lifdag::cli {

namespace {

QString isoUtc(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

QString statusText(const scheduler::ScheduleState &s)
{
    return s.statusIsDefault ? s.status + QStringLiteral(" (default)") : s.status;
}

QJsonObject tickJson(const storage::Tick &t)
{
    QJsonObject o { { QStringLiteral("id"), t.id },
                    { QStringLiteral("schedule"), t.instigatorName },
                    { QStringLiteral("location"), t.locationName },
                    { QStringLiteral("timestamp"), isoUtc(t.timestamp) },
                    { QStringLiteral("status"), t.status },
                    { QStringLiteral("runIds"), QJsonArray::fromStringList(t.runIds) } };
    if (!t.error.isEmpty())
        o.insert(QStringLiteral("error"), t.error);
    if (!t.skipReason.isEmpty())
        o.insert(QStringLiteral("skipReason"), t.skipReason);
    if (t.failureCount > 0)
        o.insert(QStringLiteral("failureCount"), t.failureCount);
    return o;
}

QJsonObject scheduleJson(const scheduler::ScheduleState &s)
{
    QJsonObject o { { QStringLiteral("name"), s.definition.name },
                    { QStringLiteral("location"), s.locationName },
                    { QStringLiteral("job"), s.definition.jobName },
                    { QStringLiteral("cron"), s.definition.cronSchedule },
                    { QStringLiteral("timezone"), s.definition.executionTimezone },
                    { QStringLiteral("status"), s.status },
                    { QStringLiteral("statusIsDefault"), s.statusIsDefault },
                    { QStringLiteral("defaultStatus"),
                      execution::defaultStatusName(s.definition.defaultStatus) },
                    { QStringLiteral("catchUp"), s.definition.catchUp },
                    { QStringLiteral("inCode"), s.inCode },
                    { QStringLiteral("description"), s.definition.description } };
    if (s.nextFireTime.isValid())
        o.insert(QStringLiteral("nextTick"), isoUtc(s.nextFireTime));
    if (s.lastTick)
        o.insert(QStringLiteral("lastTick"), tickJson(*s.lastTick));
    if (!s.error.isEmpty())
        o.insert(QStringLiteral("error"), s.error);
    return o;
}

void printJson(const QJsonDocument &doc)
{
    std::fputs(doc.toJson(QJsonDocument::Indented).constData(), stdout);
    std::fflush(stdout);
}

QString pad(const QString &s, int width)
{
    return s.leftJustified(width);
}

int list(instance::Instance &instance, const QString &location, bool json)
{
    const scheduler::ScheduleListing listing = scheduler::listSchedules(instance, location);
    for (const QString &e : listing.errors)
        std::fprintf(stderr, "lifdag: %s\n", qPrintable(e));
    if (json) {
        QJsonArray all;
        for (const scheduler::ScheduleState &s : listing.schedules)
            all.append(scheduleJson(s));
        printJson(QJsonDocument(all));
        return listing.errors.isEmpty() ? 0 : 1;
    }
    if (listing.schedules.isEmpty()) {
        if (listing.errors.isEmpty())
            out(QStringLiteral("no schedules"));
        return listing.errors.isEmpty() ? 0 : 1;
    }
    int nameWidth = 8, locationWidth = 8, jobWidth = 3, cronWidth = 4, zoneWidth = 8;
    for (const scheduler::ScheduleState &s : listing.schedules) {
        nameWidth = std::max(nameWidth, int(s.definition.name.size()));
        locationWidth = std::max(locationWidth, int(s.locationName.size()));
        jobWidth = std::max(jobWidth, int(s.definition.jobName.size()));
        cronWidth = std::max(cronWidth, int(s.definition.cronSchedule.size()));
        zoneWidth = std::max(zoneWidth, int(s.definition.executionTimezone.size()));
    }
    out(pad(QStringLiteral("SCHEDULE"), nameWidth) + QStringLiteral("  ")
        + pad(QStringLiteral("LOCATION"), locationWidth) + QStringLiteral("  ")
        + pad(QStringLiteral("JOB"), jobWidth) + QStringLiteral("  ") + pad(QStringLiteral("CRON"), cronWidth)
        + QStringLiteral("  ") + pad(QStringLiteral("TIMEZONE"), zoneWidth) + QStringLiteral("  ")
        + pad(QStringLiteral("STATUS"), 17) + QStringLiteral("  ") + pad(QStringLiteral("NEXT TICK"), 20)
        + QStringLiteral("  LAST TICK"));
    for (const scheduler::ScheduleState &s : listing.schedules) {
        QString last = QStringLiteral("-");
        if (s.lastTick)
            last = isoUtc(s.lastTick->timestamp) + QLatin1Char(' ') + s.lastTick->status;
        QString line = pad(s.definition.name, nameWidth) + QStringLiteral("  ")
            + pad(s.locationName, locationWidth) + QStringLiteral("  ")
            + pad(s.definition.jobName.isEmpty() ? QStringLiteral("-") : s.definition.jobName, jobWidth)
            + QStringLiteral("  ") + pad(s.definition.cronSchedule, cronWidth) + QStringLiteral("  ")
            + pad(s.definition.executionTimezone, zoneWidth) + QStringLiteral("  ") + pad(statusText(s), 17)
            + QStringLiteral("  ")
            + pad(s.nextFireTime.isValid() ? isoUtc(s.nextFireTime) : QStringLiteral("-"), 20)
            + QStringLiteral("  ") + last;
        if (!s.error.isEmpty())
            line += QStringLiteral("  [") + s.error + QLatin1Char(']');
        out(line);
    }
    return listing.errors.isEmpty() ? 0 : 1;
}

int ticks(instance::Instance &instance, const QString &name, const QString &location, int limit, bool json)
{
    const auto found = scheduler::scheduleTicks(instance, name, location, limit);
    if (!found)
        return fail(found.error().message);
    if (json) {
        QJsonArray all;
        for (const storage::Tick &t : *found)
            all.append(tickJson(t));
        printJson(QJsonDocument(all));
        return 0;
    }
    if (found->isEmpty()) {
        out(QStringLiteral("no ticks of schedule %1").arg(name));
        return 0;
    }
    for (const storage::Tick &t : *found) {
        QString line = isoUtc(t.timestamp) + QStringLiteral("  ") + pad(t.status, 8) + QStringLiteral("  ")
            + t.locationName;
        if (!t.runIds.isEmpty())
            line += QStringLiteral("  run ") + t.runIds.join(QStringLiteral(", "));
        if (!t.skipReason.isEmpty())
            line += QStringLiteral("  ") + t.skipReason;
        if (!t.error.isEmpty())
            line += QStringLiteral("  ") + t.error;
        if (t.failureCount > 1)
            line += QStringLiteral("  (failed %1 times)").arg(t.failureCount);
        out(line);
    }
    return 0;
}

} // namespace

int runSchedule(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list | start NAME | stop NAME | ticks NAME"));
    parser.addPositionalArgument(QStringLiteral("name"),
                                 QStringLiteral("Schedule name (start, stop, ticks)."),
                                 QStringLiteral("[name]"));
    parser.addOption({ QStringLiteral("location"),
                       QStringLiteral("Code location name (default: every location; needed when two declare "
                                      "the same schedule name)."),
                       QStringLiteral("name") });
    parser.addOption({ QStringLiteral("limit"), QStringLiteral("ticks: how many, newest first (default 20)."),
                       QStringLiteral("n"), QStringLiteral("20") });
    parser.addOption({ QStringLiteral("json"), QStringLiteral("list, ticks: print JSON.") });
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    if (!parse(
            parser, args,
            QStringLiteral("Schedules declared by the code locations: list them, start or stop them (stored "
                           "state, read by every daemon's scheduler), and show their ticks.")))
        return 2;
    const QStringList pos = parser.positionalArguments();
    const QString action = pos.value(0);
    const bool needsName = action == QLatin1StringView("start") || action == QLatin1StringView("stop")
        || action == QLatin1StringView("ticks");
    if (!(action == QLatin1StringView("list") && pos.size() == 1) && !(needsName && pos.size() == 2))
        return fail(QStringLiteral("expected: lifdag schedule list | start NAME | stop NAME | ticks NAME"),
                    2);
    bool limitOk = false;
    const int limit = parser.value(QStringLiteral("limit")).toInt(&limitOk);
    if (!limitOk || limit < 1)
        return fail(QStringLiteral("--limit \"%1\": expected a positive number")
                        .arg(parser.value(QStringLiteral("limit"))),
                    2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);
    auto opened = instance::Instance::open(home);
    if (!opened)
        return fail(opened.error().message);
    instance::Instance &instance = **opened;
    const QString location = parser.value(QStringLiteral("location"));
    const bool json = parser.isSet(QStringLiteral("json"));

    if (action == QLatin1StringView("list"))
        return list(instance, location, json);
    if (action == QLatin1StringView("ticks"))
        return ticks(instance, pos[1], location, limit, json);

    const bool starting = action == QLatin1StringView("start");
    const auto state = starting ? scheduler::startSchedule(instance, pos[1], location)
                                : scheduler::stopSchedule(instance, pos[1], location);
    if (!state)
        return fail(state.error().message);
    if (starting)
        out(QStringLiteral("schedule %1 (%2) is RUNNING: %3, next tick %4")
                .arg(state->definition.name, state->locationName,
                     state->definition.cronSchedule + QLatin1Char(' ') + state->definition.executionTimezone,
                     isoUtc(state->nextFireTime)));
    else
        out(QStringLiteral("schedule %1 (%2) is STOPPED").arg(state->definition.name, state->locationName));
    return 0;
}

} // namespace lifdag::cli
