#include "lifdag/execution/jobregistry.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace lifdag::execution {

JobRegistry::JobRegistry(QString repositoryName)
    : m_name(std::move(repositoryName))
{ }

Status JobRegistry::add(JobPtr job)
{
    if (!job)
        return Error { u"execution.invalid_job"_s,
                       u"repository \""_s + m_name + u"\": cannot add a null job"_s };
    if (m_jobs.contains(job->name()))
        return Error { u"execution.duplicate_job"_s,
                       u"repository \""_s + m_name + u"\" already has a job named \""_s + job->name()
                           + u'"' };
    m_jobs.insert(job->name(), std::move(job));
    return Status::success();
}

Status JobRegistry::add(const JobBuilder &builder)
{
    Result<JobPtr> built = builder.build();
    if (!built.ok())
        return built.error();
    return add(std::move(built).value());
}

JobPtr JobRegistry::job(const QString &name) const
{
    return m_jobs.value(name);
}

QStringList JobRegistry::jobNames() const
{
    return m_jobs.keys();
}

QList<JobPtr> JobRegistry::jobs() const
{
    return m_jobs.values();
}

QJsonObject JobRegistry::toJson() const
{
    QJsonArray jobs;
    for (const JobPtr &job : m_jobs)
        jobs.append(job->toJson());
    return QJsonObject { { u"repository"_s, m_name }, { u"jobs"_s, jobs } };
}

Status JobRegistry::addSchedule(ScheduleDefinition schedule)
{
    const auto invalid = [&](const QString &why) {
        return Error { u"execution.invalid_schedule"_s,
                       u"repository \""_s + m_name + u"\": schedule \""_s + schedule.name + u"\" "_s + why };
    };
    static const QRegularExpression validName(u"^[A-Za-z0-9_]+$"_s);
    if (!validName.match(schedule.name).hasMatch())
        return invalid(u"has an invalid name: use letters, digits and underscores"_s);
    if (m_schedules.contains(schedule.name))
        return Error { u"execution.duplicate_schedule"_s,
                       u"repository \""_s + m_name + u"\" already has a schedule named \""_s + schedule.name
                           + u'"' };
    if (!m_jobs.contains(schedule.jobName))
        return invalid(u"targets job \""_s + schedule.jobName + u"\", which is not in the repository"_s);
    if (schedule.cronSchedule.trimmed().isEmpty())
        return invalid(u"has no cron schedule"_s);
    if (schedule.executionTimezone.trimmed().isEmpty())
        return invalid(u"has no execution time zone (use \"UTC\")"_s);
    const QString name = schedule.name;
    m_schedules.insert(name, std::move(schedule));
    return Status::success();
}

QList<ScheduleDefinition> JobRegistry::schedules() const
{
    return m_schedules.values();
}

const ScheduleDefinition *JobRegistry::schedule(const QString &name) const
{
    const auto it = m_schedules.constFind(name);
    return it == m_schedules.cend() ? nullptr : &*it;
}

} // namespace lifdag::execution
