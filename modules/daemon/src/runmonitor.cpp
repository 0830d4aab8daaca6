#include "lifdag/daemon/runmonitor.h"

#include "lifdag/daemon/daemon.h"

#include <lifdag/launcher/runlauncher.h>

namespace lifdag::daemon {

namespace {

constexpr auto kMaxRuntimeTag = "dagster/max_runtime";

// Seconds from `since` to `now`; 0 when `since` is unknown.
qint64 age(const QDateTime &since, const QDateTime &now)
{
    return since.isValid() ? since.secsTo(now) : 0;
}

bool workerGone(const launcher::WorkerState &w)
{
    return w.kind == launcher::WorkerState::Kind::Exited || w.kind == launcher::WorkerState::Kind::NotFound;
}

QString exitText(const launcher::WorkerState &w)
{
    if (w.kind == launcher::WorkerState::Kind::Exited) {
        QString text = w.signal != 0 ? QStringLiteral("killed by signal %1").arg(w.signal)
                                     : QStringLiteral("code %1").arg(w.exitCode);
        if (!w.message.isEmpty())
            text += QStringLiteral(", ") + w.message;
        return text;
    }
    return w.describe();
}

} // namespace

RunMonitor::RunMonitor(std::shared_ptr<instance::Instance> instance)
    : m_instance(std::move(instance))
    , m_now([] { return QDateTime::currentDateTimeUtc(); })
{ }

Result<int> RunMonitor::tick()
{
    const config::RunMonitoringConfig &cfg = m_instance->config().runMonitoring;
    storage::RunStorage &runs = m_instance->storage().runs();
    storage::RunFilter filter;
    filter.statuses = { RunStatus::Starting, RunStatus::Started, RunStatus::Canceling };
    QList<storage::RunRecord> live;
    QString cursor;
    do {
        const auto page = runs.runs(filter, 500, cursor);
        if (!page)
            return page.error();
        live += page->runs;
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());

    const auto launcher = launcher::makeRunLauncher(m_instance->launchConfig().runLauncher, *m_instance);
    const QDateTime now = m_now();
    int changed = 0;
    QStringList problems;

    // Moves the run to `to` when it is still in `from`, then records why.
    auto end = [&](const storage::RunRecord &run, RunStatus from, RunStatus to, const char *eventType,
                   const QString &message, const QString &level) {
        const auto moved = runs.transition(run.runId, to, { from });
        if (!moved) {
            problems << QStringLiteral("run %1: %2").arg(run.runId, moved.error().message);
            return;
        }
        if (!*moved)
            return; // the worker (or another daemon) changed it first
        Event e = runEvent(run.runId, eventType, message, level);
        e.payload.insert(QStringLiteral("source"), QStringLiteral("run_monitor"));
        if (const auto stored = m_instance->storage().events().append({ e }); !stored)
            problems << QStringLiteral("run %1: %2").arg(run.runId, stored.error().message);
        qCInfo(lcDaemon, "run %s: %s", qPrintable(run.runId), qPrintable(message));
        ++changed;
    };

    for (const storage::RunRecord &run : std::as_const(live)) {
        switch (run.status) {
        case RunStatus::Starting: {
            const qint64 waited = age(run.updatedAt, now);
            const launcher::WorkerState worker = launcher->checkWorker(run);
            if (worker.kind == launcher::WorkerState::Kind::Exited) {
                end(run, RunStatus::Starting, RunStatus::Failure, EventType::RunFailure,
                    QStringLiteral("run worker exited before the run started (%1)").arg(exitText(worker)),
                    QStringLiteral("ERROR"));
            } else if (waited > cfg.startTimeoutSeconds) {
                if (worker.kind == launcher::WorkerState::Kind::Running)
                    (void)launcher->terminate(run);
                end(run, RunStatus::Starting, RunStatus::Failure, EventType::RunFailure,
                    QStringLiteral("run did not start within start_timeout_seconds (%1 s); its worker is %2")
                        .arg(cfg.startTimeoutSeconds)
                        .arg(worker.describe()),
                    QStringLiteral("ERROR"));
            }
            break;
        }
        case RunStatus::Started: {
            const launcher::WorkerState worker = launcher->checkWorker(run);
            if (workerGone(worker)) {
                // Read again: a worker that ended its run normally has just exited too.
                const auto fresh = runs.run(run.runId);
                if (fresh && fresh->has_value() && (*fresh)->status != RunStatus::Started)
                    break;
                end(run, RunStatus::Started, RunStatus::Failure, EventType::RunFailure,
                    QStringLiteral("run worker exited unexpectedly (%1)").arg(exitText(worker)),
                    QStringLiteral("ERROR"));
                break;
            }
            if (worker.kind == launcher::WorkerState::Kind::Unknown) {
                problems << QStringLiteral("run %1: worker not checked: %2").arg(run.runId, worker.message);
                break;
            }
            bool ok = false;
            const int tagLimit = run.tags.value(QString::fromLatin1(kMaxRuntimeTag)).toInt(&ok);
            const int maxRuntime = ok && tagLimit > 0 ? tagLimit : cfg.maxRuntimeSeconds;
            if (maxRuntime > 0 && age(run.startedAt, now) > maxRuntime) {
                const auto moved = runs.transition(run.runId, RunStatus::Canceling, { RunStatus::Started });
                if (moved && *moved) {
                    Event e = runEvent(run.runId, EventType::RunCanceling,
                                       QStringLiteral("run exceeded its maximum runtime of %1 s; stopping it")
                                           .arg(maxRuntime),
                                       QStringLiteral("WARNING"));
                    e.payload.insert(QStringLiteral("source"), QStringLiteral("run_monitor"));
                    (void)m_instance->storage().events().append({ e });
                    if (const auto t = launcher->terminate(run); !t)
                        problems << QStringLiteral("run %1: %2").arg(run.runId, t.error().message);
                    ++changed;
                }
            }
            break;
        }
        case RunStatus::Canceling: {
            const launcher::WorkerState worker = launcher->checkWorker(run);
            if (workerGone(worker)) {
                end(run, RunStatus::Canceling, RunStatus::Canceled, EventType::RunCanceled,
                    QStringLiteral("run canceled; its worker is gone (%1)").arg(exitText(worker)),
                    QStringLiteral("INFO"));
            } else if (age(run.updatedAt, now) > cfg.cancelTimeoutSeconds) {
                if (const auto t = launcher->terminate(run); !t)
                    problems << QStringLiteral("run %1: %2").arg(run.runId, t.error().message);
                end(run, RunStatus::Canceling, RunStatus::Canceled, EventType::RunCanceled,
                    QStringLiteral("run did not stop within cancel_timeout_seconds (%1 s); its worker was "
                                   "stopped")
                        .arg(cfg.cancelTimeoutSeconds),
                    QStringLiteral("WARNING"));
            }
            break;
        }
        default:
            break;
        }
    }
    if (const auto removed = launcher->removeFinishedWorkers(); !removed)
        problems << removed.error().message;
    if (!problems.isEmpty())
        return Error { QStringLiteral("daemon.run_monitor"), problems.join(QStringLiteral("; ")) };
    return changed;
}

} // namespace lifdag::daemon
