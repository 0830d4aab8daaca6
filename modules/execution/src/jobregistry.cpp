#include "lifdag/execution/jobregistry.h"

#include <QJsonArray>

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

} // namespace lifdag::execution
