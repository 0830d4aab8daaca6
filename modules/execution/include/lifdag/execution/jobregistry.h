// The jobs a code location exposes: one repository (Dagster's default name "__repository__").
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/job.h>

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

private:
    QString m_name;
    QMap<QString, JobPtr> m_jobs;
};

} // namespace lifdag::execution
