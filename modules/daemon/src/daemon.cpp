#include "lifdag/daemon/daemon.h"

#include "lifdag/daemon/runcoordinator.h"

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

    void beat(const QString &type, const QStringList &errors)
    {
        if (const Status s = instance->storage().heartbeats().beat(
                { type, daemonId, QDateTime::currentDateTimeUtc(), errors });
            !s)
            qCWarning(lcDaemon, "heartbeat of %s not stored: %s", qPrintable(type),
                      qPrintable(s.error().message));
    }

    void runLoop(const Loop &loop)
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
            std::unique_lock lock(mutex);
            if (wake.wait_for(lock, loop.interval, [&] { return stopping; }))
                return;
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
    const config::RunCoordinatorConfig &rc = d->instance->config().runCoordinator;
    if (rc.kind == config::RunCoordinatorConfig::Kind::Queued) {
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
                  } });
    }
}

void Daemon::start()
{
    for (const Loop &loop : d->loops) {
        qCInfo(lcDaemon, "%s: every %lld ms", qPrintable(loop.type),
               static_cast<long long>(loop.interval.count()));
        d->threads.emplace_back([this, &loop] { d->runLoop(loop); });
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
}

QStringList Daemon::loopTypes() const
{
    QStringList out;
    for (const Loop &l : d->loops)
        out << l.type;
    return out;
}

} // namespace lifdag::daemon
