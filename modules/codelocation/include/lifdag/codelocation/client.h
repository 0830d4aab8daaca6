// Typed client of a code location (lifdag.v1.CodeLocation) with a deadline on every call.
#pragma once

#include <lifdag/codelocation/workersupervisor.h>
#include <lifdag/core/result.h>
#include <lifdag/execution/schedule.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <chrono>
#include <memory>

namespace lifdag::codelocation {

struct ServerInfo
{
    QString version;
    QString locationName;
    QString repositoryName;
    QString image;
    QStringList containerEnvNames;
    QDateTime startedAt;
    int runningWorkers = 0;
};

// What a container run launcher gives a run's container (GetRunLaunchContext).
struct RunLaunchContext
{
    QString image; // DAGSTER_CURRENT_IMAGE of the location, empty when unset
    QStringList env; // "NAME=value"; values may be credentials: never log them
    QString locationName;
};

struct JobInfo
{
    QString name;
    QString description;
    QMap<QString, QString> tags;
    QJsonArray ops; // [{name, description, inputs, outputs, mapped, maxRetries}]
    QJsonObject configSchema; // JSON Schema of the run config
    QJsonObject configSkeleton; // run config with defaults filled in
    QJsonObject graph; // the executor's graph description
};

struct Violation
{
    QString path;
    QString reason;
    QString message;
};

class Client
{
public:
    // `address` is "host:port" or "unix:/path".
    explicit Client(const QString &address, std::chrono::milliseconds deadline = std::chrono::seconds(10));
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // One client per address for the whole process, made on first use: its channel (and the
    // connection under it) stays open between calls, so callers that come and go (a launcher made
    // per daemon pass) do not connect again each time. Safe to use from any thread.
    static std::shared_ptr<Client> shared(const QString &address);

    const QString &address() const;

    Result<ServerInfo> serverInfo() const;
    Result<QList<JobInfo>> listJobs() const;
    Result<QList<execution::ScheduleDefinition>> listSchedules() const; // sorted by name
    // An empty list: the config is valid. An error: unknown job (code "codelocation.not_found") or
    // the server is unreachable ("codelocation.unavailable").
    Result<QList<Violation>> validateRunConfig(const QString &jobName, const QJsonObject &runConfig) const;
    Result<qint64> startRun(const QString &runId) const; // the worker's pid
    Result<bool> cancelRun(const QString &runId, int graceSeconds = 0) const;
    Result<WorkerStatus> runWorkerStatus(const QString &runId) const;
    // Only for a run that is STARTING; "codelocation.not_found" for unknown runs.
    Result<RunLaunchContext> runLaunchContext(const QString &runId) const;
    Result<int> reload() const;
    Status shutdown() const;
    // The standard gRPC health check; waits up to `timeout` for SERVING.
    Status waitUntilServing(std::chrono::milliseconds timeout) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::codelocation
