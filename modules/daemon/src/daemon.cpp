#include "lifdag/daemon/daemon.h"

#include "lifdag/daemon/runcoordinator.h"
#include "lifdag/daemon/runmonitor.h"
#include "lifdag/daemon/runretries.h"

#include <lifdag/scheduler/scheduler.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

Q_LOGGING_CATEGORY(lcDaemon, "lifdag.daemon")

namespace lifdag::daemon {

using Clock = std::chrono::steady_clock;

struct Daemon::Private
{
    std::shared_ptr<instance::Instance> instance;
    QString daemonId;
    std::chrono::milliseconds heartbeatInterval;
    std::vector<Loop> loops;
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::vector<char> woken; // per loop: a notification arrived
    std::vector<std::shared_ptr<void>> subscriptions;

    void beat(const QString &type, const QStringList &errors)
    {
        if (const Status s = instance->storage().heartbeats().beat(
                { type, daemonId, QDateTime::currentDateTimeUtc(), errors });
            !s)
            qCWarning(lcDaemon, "heartbeat of %s not stored: %s", qPrintable(type),
                      qPrintable(s.error().message));
    }

    void runLoop(const Loop &loop, size_t index)
    {
        auto lastBeat = Clock::time_point();
        QStringList errors;
        while (true) {
            QString error;
            try {
                if (const Status s = loop.body(); !s)
                    error = s.error().message;
            } catch (const std::exception &e) {
                error = QStringLiteral("%1 (exception)").arg(QString::fromLocal8Bit(e.what()));
            } catch (...) {
                error = QStringLiteral("unknown exception");
            }
            if (!error.isEmpty()) {
                qCWarning(lcDaemon, "%s: %s", qPrintable(loop.type), qPrintable(error));
                errors.prepend(QDateTime::currentDateTimeUtc().toString(Qt::ISODate) + QLatin1Char(' ')
                               + error);
                errors = errors.mid(0, 10);
            }
            if (Clock::now() - lastBeat >= heartbeatInterval || !error.isEmpty()) {
                beat(loop.type, errors);
                lastBeat = Clock::now();
            }
            const std::chrono::milliseconds wait = loop.nextInterval ? loop.nextInterval() : loop.interval;
            std::unique_lock lock(mutex);
            if (wake.wait_for(lock, wait, [&] { return stopping || woken[index]; }) && stopping)
                return;
            woken[index] = 0;
        }
    }
};

Daemon::Daemon(std::shared_ptr<instance::Instance> instance, QString daemonId,
               std::chrono::milliseconds heartbeatInterval)
    : d(std::make_unique<Private>())
{
    d->instance = std::move(instance);
    d->daemonId = std::move(daemonId);
    d->heartbeatInterval = heartbeatInterval;
}

Daemon::~Daemon()
{
    stop();
}

void Daemon::addLoop(Loop loop)
{
    d->loops.push_back(std::move(loop));
}

void Daemon::addConfiguredLoops()
{
    // DagsterDaemonScheduler (the scheduler dagster.yaml names): sleeps until the next due time.
    auto daemonScheduler = std::make_shared<scheduler::DaemonScheduler>(
        d->instance, scheduler::SchedulerOptions::fromConfig(d->instance->config().scheduler));
    addLoop({ QString(scheduler::kSchedulerDaemonType),
              daemonScheduler->options().maxSleep,
              [daemonScheduler] { return daemonScheduler->tick(); },
              { QString(scheduler::kSchedulesChangedChannel) },
              [daemonScheduler] {
                  return daemonScheduler->untilNextPass();
              } });
    // Always present: under the DefaultRunCoordinator its passes are idle, and an administrator
    // may switch to the QueuedRunCoordinator while the daemon runs (Instance::launchConfig()).
    const config::RunCoordinatorConfig &rc = d->instance->config().runCoordinator;
    {
        auto coordinator = std::make_shared<QueuedRunCoordinator>(d->instance);
        addLoop({ QStringLiteral("QUEUED_RUN_COORDINATOR"),
                  std::chrono::milliseconds(qint64(rc.dequeueIntervalSeconds * 1000)),
                  [coordinator]() -> Status {
                      const auto launched = coordinator->tick();
                      if (!launched)
                          return launched.error();
                      if (*launched > 0)
                          qCInfo(lcDaemon, "launched %d queued run(s)", *launched);
                      return {};
                  },
                  { storage::kRunsQueuedChannel, storage::kRunsEndedChannel } });
    }
    if (d->instance->config().runRetries.enabled) {
        auto retries = std::make_shared<RunRetries>(d->instance);
        addLoop({ QStringLiteral("EVENT_LOG_CONSUMER"),
                  std::chrono::seconds(5),
                  [retries]() -> Status {
                      const auto submitted = retries->tick();
                      return submitted ? Status {} : Status(submitted.error());
                  },
                  { storage::kRunsEndedChannel } });
    }
    const config::RunMonitoringConfig &monitoring = d->instance->config().runMonitoring;
    if (monitoring.enabled) {
        auto monitor = std::make_shared<RunMonitor>(d->instance);
        addLoop({ QStringLiteral("MONITORING"),
                  std::chrono::milliseconds(qint64(qMax(1, monitoring.pollIntervalSeconds)) * 1000),
                  [monitor]() -> Status {
                      const auto changed = monitor->tick();
                      if (!changed)
                          return changed.error();
                      return {};
                  } });
    }
}

void Daemon::start()
{
    d->woken.assign(d->loops.size(), 0);
    for (size_t i = 0; i < d->loops.size(); ++i) {
        const Loop &loop = d->loops[i];
        for (const QString &channel : loop.wakeChannels) {
            auto sub = d->instance->storage().subscribe(channel, [this, i] {
                std::lock_guard lock(d->mutex);
                d->woken[i] = 1;
                d->wake.notify_all();
            });
            if (sub)
                d->subscriptions.push_back(*sub);
            else
                qCWarning(lcDaemon, "%s: polling only: %s", qPrintable(loop.type),
                          qPrintable(sub.error().message));
        }
        qCInfo(lcDaemon, "%s: every %lld ms and on notification", qPrintable(loop.type),
               static_cast<long long>(loop.interval.count()));
        d->threads.emplace_back([this, &loop, i] { d->runLoop(loop, i); });
    }
}

void Daemon::stop()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    for (std::thread &t : d->threads)
        t.join();
    d->threads.clear();
    d->subscriptions.clear();
}

QStringList Daemon::loopTypes() const
{
    QStringList out;
    for (const Loop &l : d->loops)
        out << l.type;
    return out;
}

} // namespace lifdag::daemon
