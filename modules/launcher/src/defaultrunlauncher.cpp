#include "defaultrunlauncher_p.h"

#include "launcher_p.h"

namespace lifdag::launcher::detail {

using namespace std::chrono_literals;

DefaultRunLauncher::DefaultRunLauncher(instance::Instance &instance, const LauncherContext &context)
    : RunLauncher(instance)
    , m_context(context)
{ }

Result<std::shared_ptr<codelocation::Client>> DefaultRunLauncher::client(const QString &locationName)
{
    const auto location = m_instance.codeLocation(locationName);
    if (!location)
        return location.error();
    return codelocation::Client::shared(location->address());
}

QString DefaultRunLauncher::startingMessage(const storage::RunRecord &) const
{
    return QStringLiteral("Launching run in a new process.");
}

Result<storage::WorkerInfo> DefaultRunLauncher::startWorker(const storage::RunRecord &run)
{
    const auto c = client(run.locationName);
    if (!c)
        return c.error();
    // A code location that is slow to answer (e.g. its first storage connection waits on DNS) is
    // asked again before the run is failed; a retry that finds the worker already started (the
    // first answer was only late) counts as launched.
    Result<qint64> pid = askCodeLocation(
        run.runId, [&] { return (*c)->startRun(run.runId); },
        [](Result<qint64> &retry) {
            if (!retry && retry.error().code == QLatin1StringView("codelocation.already_running"))
                retry = qint64(0); // the worker is running; it records its pid itself
        });
    if (!pid)
        return Error { pid.error().code,
                       QStringLiteral("StartRun on code location %1 failed: %2")
                           .arg((*c)->address(), pid.error().message) };
    qCInfo(lcLauncher, "run %s (%s) launched on %s, worker pid %lld", qPrintable(run.runId),
           qPrintable(run.jobName), qPrintable((*c)->address()), *pid);
    return storage::WorkerInfo { *pid, (*c)->address(), {} };
}

Result<bool> DefaultRunLauncher::terminate(const storage::RunRecord &run)
{
    const auto c = client(run.locationName);
    if (!c)
        return c.error();
    const auto signalled = (*c)->cancelRun(run.runId, m_context.terminateGraceSeconds);
    if (!signalled) {
        if (signalled.error().code == QLatin1StringView("codelocation.not_found"))
            return false;
        return signalled.error();
    }
    return *signalled;
}

WorkerState DefaultRunLauncher::checkWorker(const storage::RunRecord &run)
{
    const auto c = client(run.locationName);
    if (!c)
        return WorkerState::unknown(c.error().message);
    const auto status = (*c)->runWorkerStatus(run.runId);
    if (!status)
        return WorkerState::unknown(status.error().message);
    switch (status->state) {
    case codelocation::WorkerStatus::State::Running:
        return WorkerState::running();
    case codelocation::WorkerStatus::State::Exited:
        return WorkerState::exited(status->exitCode, status->signal);
    case codelocation::WorkerStatus::State::Unknown:
        break;
    }
    return WorkerState::notFound(
        QStringLiteral("code location %1 has no worker for run %2 (was the code server restarted?)")
            .arg((*c)->address(), run.runId));
}

} // namespace lifdag::launcher::detail
