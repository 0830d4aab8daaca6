// Schedules a code location declares: run a job on a cron schedule (Dagster's ScheduleDefinition).
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace lifdag::execution {

struct ScheduleDefinition
{
    enum class DefaultStatus { Stopped, Running };

    QString name; // unique in the repository; letters, digits and underscores
    QString cronSchedule; // 5-field cron or a macro (@daily…), evaluated by the daemon's scheduler
    QString executionTimezone = QStringLiteral("UTC"); // IANA name
    QString jobName; // a job of the same repository
    QJsonObject runConfig; // the config of every run it starts
    QMap<QString, QString> tags; // added to every run it starts
    QString description;
    // The status until someone starts or stops it (`lifdag schedule start|stop`, stored state wins).
    DefaultStatus defaultStatus = DefaultStatus::Stopped;
    // After downtime: false runs only the latest missed tick (Dagster's behaviour for schedules of
    // unpartitioned jobs); true runs up to the instance's scheduler max_catchup_runs missed ticks,
    // oldest first (Dagster's partitioned-schedule behaviour).
    bool catchUp = false;
};

inline QString defaultStatusName(ScheduleDefinition::DefaultStatus s)
{
    return s == ScheduleDefinition::DefaultStatus::Running ? QStringLiteral("RUNNING")
                                                           : QStringLiteral("STOPPED");
}

} // namespace lifdag::execution
