// Run launchers (dagster.yaml `run_launcher`): start a run's worker, stop it, and tell the run
// monitor whether it is still alive. DefaultRunLauncher asks the code location to spawn a process;
// DockerRunLauncher starts one container per run through the Docker Engine API.
#pragma once

#include <lifdag/config/instanceconfig.h>
#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>

#include <QProcessEnvironment>
#include <QString>
#include <memory>

namespace lifdag::launcher {

// What became of a run's worker, as its launcher sees it (for the run monitor).
struct WorkerState
{
    enum class Kind {
        Running, // alive
        Exited, // ended: exitCode, or signal when it was killed
        NotFound, // the launcher has no trace of it (never started, removed, code server restarted)
        Unknown, // could not be checked (code location or engine unreachable): see message
    };
    Kind kind = Kind::Unknown;
    int exitCode = 0;
    int signal = 0; // non-zero when killed by a signal (e.g. 9 after kill -9)
    QString message; // Unknown: why; otherwise details worth showing ("out of memory", engine error)

    static WorkerState running() { return { Kind::Running, 0, 0, {} }; }
    static WorkerState exited(int exitCode, int signal = 0, const QString &message = {})
    {
        return { Kind::Exited, exitCode, signal, message };
    }
    static WorkerState notFound(const QString &message) { return { Kind::NotFound, 0, 0, message }; }
    static WorkerState unknown(const QString &message) { return { Kind::Unknown, 0, 0, message }; }

    // "running", "exited with code 1", "killed by signal 9", "not found: …", "unknown: …".
    QString describe() const;
};

// What a launcher takes from its process besides dagster.yaml.
struct LauncherContext
{
    // Values of `env_vars` entries given by name, and DOCKER_HOST.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    int terminateGraceSeconds = 10; // SIGTERM → SIGKILL when stopping a worker
};

class RunLauncher
{
public:
    explicit RunLauncher(instance::Instance &instance);
    virtual ~RunLauncher();
    RunLauncher(const RunLauncher &) = delete;
    RunLauncher &operator=(const RunLauncher &) = delete;

    // "DefaultRunLauncher" / "DockerRunLauncher".
    virtual QString className() const = 0;

    // For a run that is already STARTING (claimed by the daemon, or moved there by launchRun):
    // records RUN_STARTING, starts the worker and records where it runs (WorkerInfo). When the
    // worker cannot be started the run ends FAILURE with a RUN_FAILURE event saying exactly what is
    // wrong, and the error is returned; a run is never left STARTING by a failed launch.
    Status launch(const storage::RunRecord &run);

    // Asks the run's worker to stop (SIGTERM, SIGKILL after the grace period); the worker then
    // ends the run CANCELED. False when there was no live worker to stop.
    virtual Result<bool> terminate(const storage::RunRecord &run) = 0;

    // Whether the run's worker is alive, for the run monitor. Never blocks longer than a few seconds.
    virtual WorkerState checkWorker(const storage::RunRecord &run) = 0;

    // Housekeeping after runs ended (e.g. removes the containers of ended runs); returns how many
    // workers' remains were removed. Safe to call every monitor pass, from several daemons.
    virtual Result<int> removeFinishedWorkers();

protected:
    // Starts the worker; returns where it runs. Any error fails the run with its message.
    virtual Result<storage::WorkerInfo> startWorker(const storage::RunRecord &run) = 0;
    // The RUN_STARTING event's message.
    virtual QString startingMessage(const storage::RunRecord &run) const = 0;

    instance::Instance &m_instance;
};

// The launcher dagster.yaml's `run_launcher` names. Cheap: the daemon makes one per pass from the
// configuration it just read, so a changed dagster.yaml takes effect without a restart.
std::unique_ptr<RunLauncher> makeRunLauncher(const config::RunLauncherConfig &config,
                                             instance::Instance &instance,
                                             const LauncherContext &context = {});

// What `lifdag instance check` can tell about the configured launcher without starting anything:
// unsupported container_kwargs, malformed volumes, storage a run's container could not reach.
Status validateRunLauncherConfig(const config::InstanceConfig &instance);

// Ends a run that could not be started: RUN_FAILURE with `message`, then FAILURE.
Status failRun(instance::Instance &instance, const QString &runId, const QString &message);

} // namespace lifdag::launcher
