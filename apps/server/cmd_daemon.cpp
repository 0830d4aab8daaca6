// `lifdag daemon run|status`: the daemon's loops, and their heartbeats.
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/daemon/daemon.h>
#include <lifdag/instance/instance.h>

#include <QCoreApplication>
#include <QHostInfo>
#include <QUuid>
#include <condition_variable>
#include <mutex>

namespace lifdag::cli {

int runDaemon(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("action"),
        QStringLiteral("run: start the daemon's loops; status: show their heartbeats"));
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    if (!parse(parser, args, QStringLiteral("The daemon: run queue, and (later) scheduler and run monitor.")))
        return 2;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1 || (pos[0] != QLatin1StringView("run") && pos[0] != QLatin1StringView("status")))
        return fail(QStringLiteral("expected: lifdag daemon run | lifdag daemon status"), 2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);

    std::mutex m;
    std::condition_variable cv;
    bool stop = false;
    if (pos[0] == QLatin1StringView("run")) {
        onTerminationSignal([&](int) {
            std::lock_guard lock(m);
            stop = true;
            cv.notify_all();
        });
    }
    auto instance = instance::Instance::open(home);
    if (!instance)
        return fail(instance.error().message);

    if (pos[0] == QLatin1StringView("status")) {
        const auto beats = (*instance)->storage().heartbeats().all();
        if (!beats)
            return fail(beats.error().message);
        if (beats->isEmpty()) {
            out(QStringLiteral("no daemon heartbeats in %1")
                    .arg((*instance)->storage().settings().describe()));
            return 1;
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const storage::Heartbeat &h : *beats) {
            out(QStringLiteral("%1  %2  last heartbeat %3 s ago%4")
                    .arg(h.daemonType.leftJustified(24), h.daemonId)
                    .arg(h.timestamp.secsTo(now))
                    .arg(h.errors.isEmpty() ? QString()
                                            : QStringLiteral("  last error: ") + h.errors.first()));
        }
        return 0;
    }

    const QString id =
        QHostInfo::localHostName() + QLatin1Char('-') + QString::number(QCoreApplication::applicationPid());
    daemon::Daemon daemon(*instance, id);
    daemon.addConfiguredLoops();
    if (daemon.loopTypes().isEmpty())
        out(QStringLiteral(
                "lifdag daemon %1: no loops for this instance (DefaultRunCoordinator launches at submission)")
                .arg(id));
    else
        out(QStringLiteral("lifdag daemon %1: %2").arg(id, daemon.loopTypes().join(QStringLiteral(", "))));
    daemon.start();
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return stop; });
    out(QStringLiteral("lifdag daemon %1: stopping").arg(id));
    daemon.stop();
    return 0;
}

} // namespace lifdag::cli
