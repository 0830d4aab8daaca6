#include "lifdag/launcher/runlauncher.h"

#include "defaultrunlauncher_p.h"
#include "launcher_p.h"

#include <lifdag/launcher/dockerrunlauncher.h>

namespace lifdag::launcher {

namespace detail {

Status appendEvent(instance::Instance &instance, Event event)
{
    const auto ids = instance.storage().events().append({ std::move(event) });
    return ids ? Status {} : Status(ids.error());
}

} // namespace detail

QString WorkerState::describe() const
{
    QString text;
    switch (kind) {
    case Kind::Running:
        text = QStringLiteral("running");
        break;
    case Kind::Exited:
        text = signal ? QStringLiteral("killed by signal %1").arg(signal)
                      : QStringLiteral("exited with code %1").arg(exitCode);
        break;
    case Kind::NotFound:
        text = QStringLiteral("not found");
        break;
    case Kind::Unknown:
        text = QStringLiteral("unknown");
        break;
    }
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    return text;
}

RunLauncher::RunLauncher(instance::Instance &instance)
    : m_instance(instance)
{ }

RunLauncher::~RunLauncher() = default;

Result<int> RunLauncher::removeFinishedWorkers()
{
    return 0;
}

Status RunLauncher::launch(const storage::RunRecord &run)
{
    if (const Status s = detail::appendEvent(
            m_instance, runEvent(run.runId, EventType::RunStarting, startingMessage(run)));
        !s)
        return s;
    const auto worker = startWorker(run);
    if (!worker) {
        const QString message = QStringLiteral("%1 could not start run %2: %3")
                                    .arg(className(), run.runId, worker.error().message);
        qCWarning(lcLauncher, "%s", qPrintable(message));
        if (const Status s = failRun(m_instance, run.runId, message); !s)
            qCWarning(lcLauncher, "run %s: %s", qPrintable(run.runId), qPrintable(s.error().message));
        return Error { worker.error().code, message };
    }
    // The worker records itself as well once it runs; this is where the launcher put it.
    if (const Status s = m_instance.storage().runs().setWorkerInfo(run.runId, *worker); !s)
        qCWarning(lcLauncher, "run %s: %s", qPrintable(run.runId), qPrintable(s.error().message));
    return {};
}

std::unique_ptr<RunLauncher> makeRunLauncher(const config::RunLauncherConfig &config,
                                             instance::Instance &instance, const LauncherContext &context)
{
    switch (config.kind) {
    case config::RunLauncherConfig::Kind::Docker:
        return std::make_unique<DockerRunLauncher>(config.docker, instance, context);
    case config::RunLauncherConfig::Kind::Default:
        break;
    }
    return std::make_unique<detail::DefaultRunLauncher>(instance, context);
}

Status validateRunLauncherConfig(const config::InstanceConfig &instance)
{
    if (instance.runLauncher.kind != config::RunLauncherConfig::Kind::Docker)
        return {};
    const config::DockerLauncherConfig &docker = instance.runLauncher.docker;
    const auto storageEnv = workerStorageEnvironment(instance, docker);
    if (!storageEnv)
        return storageEnv.error();
    ContainerInputs probe;
    probe.runId = QStringLiteral("check");
    probe.image = docker.image.isEmpty() ? QStringLiteral("image-of-the-code-location") : docker.image;
    probe.storageEnv = *storageEnv;
    const auto spec = buildContainerSpec(docker, probe);
    return spec ? Status {} : Status(spec.error());
}

Status failRun(instance::Instance &instance, const QString &runId, const QString &message)
{
    const Status logged = detail::appendEvent(
        instance, runEvent(runId, EventType::RunFailure, message, QStringLiteral("ERROR")));
    const auto moved = instance.storage().runs().transition(runId, RunStatus::Failure);
    if (!moved)
        return moved.error();
    return logged;
}

} // namespace lifdag::launcher
