// DockerRunLauncher: one container per run, created through the Docker Engine API (Unix socket).
#pragma once

#include <lifdag/config/instanceconfig.h>
#include <lifdag/launcher/dockerclient.h>
#include <lifdag/launcher/runlauncher.h>

#include <QJsonObject>
#include <QStringList>

namespace lifdag::launcher {

// What goes into a run's container besides dagster.yaml's run_launcher config.
struct ContainerInputs
{
    QString runId;
    QString jobName;
    QString locationName;
    QString image; // resolved: `image` config, else the code location's DAGSTER_CURRENT_IMAGE
    QStringList locationEnv; // the code location's passthrough variables, "NAME=value"
    QStringList storageEnv; // what the worker needs to reach storage, "NAME=value"
    QProcessEnvironment launcherEnv; // values of env_vars given by name
};

// A container create request: POST /containers/create?name=<name> with `body`, then the extra
// networks are connected before the container starts.
struct ContainerSpec
{
    QString name; // lifdag-run-<run id>
    QJsonObject body;
    QStringList networks; // every user-defined network (the first is in body's NetworkingConfig)
    bool removeWhenFinished = true; // container_kwargs.auto_remove: false keeps ended runs' containers
    QStringList warnings; // e.g. an env_vars name missing from the launcher's environment
};

// The container name of a run (the launcher finds containers by it, whatever ids were recorded).
QString containerName(const QString &runId);

// The container_kwargs keys lifdag understands (docker-py's names for the same settings).
const QStringList &supportedContainerKwargs();

// Builds the create request. Environment, later wins: env_vars (NAME=value, or NAME with the
// launcher's value), container_kwargs.environment, the code location's passthrough variables,
// then the storage variables. Errors name the offending config key.
Result<ContainerSpec> buildContainerSpec(const config::DockerLauncherConfig &config,
                                         const ContainerInputs &inputs);

// LIFDAG_INSTANCE_YAML (+ LIFDAG_STORAGE_PASSWORD): the instance's run storage for the worker in
// the container, which `lifdag execute-run` uses instead of the image's dagster.yaml. SQLite
// storage is an error unless a container_kwargs volume makes its directory reachable.
Result<QStringList> workerStorageEnvironment(const config::InstanceConfig &instance,
                                             const config::DockerLauncherConfig &launcher);

class DockerRunLauncher final : public RunLauncher
{
public:
    DockerRunLauncher(config::DockerLauncherConfig config, instance::Instance &instance,
                      const LauncherContext &context);

    QString className() const override { return QStringLiteral("DockerRunLauncher"); }
    Result<bool> terminate(const storage::RunRecord &run) override; // POST /containers/{name}/stop
    WorkerState checkWorker(const storage::RunRecord &run) override; // GET /containers/{name}/json
    // Removes exited containers of runs that ended in this instance's storage (unless
    // container_kwargs.auto_remove is false); containers of other instances are left alone.
    Result<int> removeFinishedWorkers() override;

protected:
    Result<storage::WorkerInfo> startWorker(const storage::RunRecord &run) override;
    QString startingMessage(const storage::RunRecord &run) const override;

private:
    Result<DockerClient> client() const;
    Status ensureNetworks(const DockerClient &docker, const QStringList &networks) const;
    Status ensureImage(const DockerClient &docker, const QString &image, QStringList *warnings) const;
    void removeContainer(const DockerClient &docker, const QString &id) const;

    config::DockerLauncherConfig m_config;
    LauncherContext m_context;
};

} // namespace lifdag::launcher
