// Private: the workspace's code locations as the API sees them - one gRPC client per location
// (channels are reused), and their job lists cached for a few seconds.
#pragma once

#include <lifdag/codelocation/client.h>
#include <lifdag/instance/instance.h>

#include <QDateTime>
#include <QHash>
#include <chrono>
#include <memory>
#include <mutex>

namespace lifdag::webserver::detail {

class Locations
{
public:
    explicit Locations(std::shared_ptr<instance::Instance> instance,
                       std::chrono::milliseconds jobsTtl = std::chrono::seconds(5));

    QList<config::CodeLocationConfig> configured() const;
    // A client for the location with calls limited to `deadline`.
    std::shared_ptr<const codelocation::Client>
    client(const config::CodeLocationConfig &location,
           std::chrono::milliseconds deadline = std::chrono::seconds(5));
    // The location's jobs (cached); errors as the client gives them.
    Result<QList<codelocation::JobInfo>> jobs(const config::CodeLocationConfig &location);
    void invalidate(const QString &locationName);

private:
    std::shared_ptr<instance::Instance> m_instance;
    std::chrono::milliseconds m_ttl;
    std::mutex m_mutex;
    QHash<QString, std::shared_ptr<const codelocation::Client>> m_clients; // "address|deadline"
    struct CachedJobs
    {
        QList<codelocation::JobInfo> jobs;
        std::chrono::steady_clock::time_point at;
    };
    QHash<QString, CachedJobs> m_jobs; // by location name
};

} // namespace lifdag::webserver::detail
