#include "locations_p.h"

namespace lifdag::webserver::detail {

Locations::Locations(std::shared_ptr<instance::Instance> instance, std::chrono::milliseconds jobsTtl)
    : m_instance(std::move(instance))
    , m_ttl(jobsTtl)
{ }

QList<config::CodeLocationConfig> Locations::configured() const
{
    if (!m_instance->workspace())
        return {};
    return m_instance->workspace()->locations;
}

std::shared_ptr<const codelocation::Client> Locations::client(const config::CodeLocationConfig &location,
                                                              std::chrono::milliseconds deadline)
{
    const QString key = location.address() + QLatin1Char('|') + QString::number(deadline.count());
    std::lock_guard lock(m_mutex);
    auto it = m_clients.constFind(key);
    if (it != m_clients.constEnd())
        return *it;
    auto client = std::make_shared<const codelocation::Client>(location.address(), deadline);
    m_clients.insert(key, client);
    return client;
}

Result<QList<codelocation::JobInfo>> Locations::jobs(const config::CodeLocationConfig &location)
{
    {
        std::lock_guard lock(m_mutex);
        auto it = m_jobs.constFind(location.locationName);
        if (it != m_jobs.constEnd() && std::chrono::steady_clock::now() - it->at < m_ttl)
            return it->jobs;
    }
    auto jobs = client(location)->listJobs();
    if (!jobs)
        return jobs;
    std::lock_guard lock(m_mutex);
    m_jobs.insert(location.locationName, { *jobs, std::chrono::steady_clock::now() });
    return jobs;
}

void Locations::invalidate(const QString &locationName)
{
    std::lock_guard lock(m_mutex);
    m_jobs.remove(locationName);
}

} // namespace lifdag::webserver::detail
