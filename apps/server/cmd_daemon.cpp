// `lifdag daemon run|status`: the daemon's loops, and their heartbeats.
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/daemon/daemon.h>
#include <lifdag/instance/instance.h>

#include <QCoreApplication>
#include <QHostInfo>
#include <QUuid>
#include <condition_variable>
#include <limits>
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
    // For container health checks: "is the daemon of this container alive?"
    parser.addOption({ QStringLiteral("max-age"),
                       QStringLiteral("status: exit 1 unless a daemon heartbeated within this many seconds."),
                       QStringLiteral("seconds") });
    parser.addOption({ QStringLiteral("host"),
                       QStringLiteral("status: only daemons started on this host name (ids \"HOST-PID\")."),
                       QStringLiteral("name") });
    if (!parse(parser, args,
               QStringLiteral("The daemon: run queue, scheduler, run monitor and run retries.")))
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
        const QString host = parser.value(QStringLiteral("host"));
        QList<storage::Heartbeat> shown;
        for (const storage::Heartbeat &h : *beats) {
            if (host.isEmpty() || h.daemonId.startsWith(host + QLatin1Char('-')))
                shown.append(h);
        }
        if (shown.isEmpty()) {
            out(QStringLiteral("no daemon heartbeats%1 in %2")
                    .arg(host.isEmpty() ? QString() : QStringLiteral(" from host ") + host,
                         (*instance)->storage().settings().describe()));
            return 1;
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        qint64 newest = std::numeric_limits<qint64>::max(); // age of the freshest heartbeat
        for (const storage::Heartbeat &h : std::as_const(shown)) {
            const qint64 age = h.timestamp.secsTo(now);
            newest = qMin(newest, age);
            out(QStringLiteral("%1  %2  last heartbeat %3 s ago%4")
                    .arg(h.daemonType.leftJustified(24), h.daemonId)
                    .arg(age)
                    .arg(h.errors.isEmpty() ? QString()
                                            : QStringLiteral("  last error: ") + h.errors.first()));
        }
        if (parser.isSet(QStringLiteral("max-age"))) {
            bool ok = false;
            const qint64 maxAge = parser.value(QStringLiteral("max-age")).toLongLong(&ok);
            if (!ok || maxAge < 1)
                return fail(QStringLiteral("--max-age: expected seconds (1 or more), got \"%1\"")
                                .arg(parser.value(QStringLiteral("max-age"))),
                            2);
            if (newest <= maxAge)
                return 0;
            return fail(QStringLiteral("no daemon%1 heartbeated within %2 s")
                            .arg(host.isEmpty() ? QString() : QStringLiteral(" on host ") + host)
                            .arg(maxAge));
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
