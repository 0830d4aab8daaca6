// The jobs a code location exposes: one repository (Dagster's default name "__repository__").
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/job.h>
#include <lifdag/execution/schedule.h>

#include <QJsonObject>
#include <QList>
#include <QMap>

namespace lifdag::execution {

inline constexpr QLatin1StringView kDefaultRepositoryName("__repository__");

class JobRegistry
{
public:
    explicit JobRegistry(QString repositoryName = QString(kDefaultRepositoryName));

    const QString &repositoryName() const { return m_name; }
    // Adds a job; a second job with the same name is an error.
    Status add(JobPtr job);
    // Builds and adds; the builder's errors are returned as they are.
    Status add(const JobBuilder &builder);

    JobPtr job(const QString &name) const; // null if unknown
    QStringList jobNames() const; // sorted
    QList<JobPtr> jobs() const; // sorted by name
    qsizetype size() const { return m_jobs.size(); }

    // {repository, jobs: [JobDefinition::toJson()…]}
    QJsonObject toJson() const;

    // Adds a schedule of a job already in the registry; a second schedule with the same name, an
    // unknown job, an empty cron string or time zone are errors (the scheduler parses the cron).
    Status addSchedule(ScheduleDefinition schedule);
    QList<ScheduleDefinition> schedules() const; // sorted by name
    const ScheduleDefinition *schedule(const QString &name) const; // null if unknown

private:
    QString m_name;
    QMap<QString, JobPtr> m_jobs;
    QMap<QString, ScheduleDefinition> m_schedules;
};

} // namespace lifdag::execution
