// `lifdag instance check|migrate`
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/config/workspace.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/runlauncher.h>
#include <lifdag/storage/storage.h>

#include <QDir>
#include <QFileInfo>

namespace lifdag::cli {

namespace {

QString describeCoordinator(const config::RunCoordinatorConfig &rc)
{
    if (rc.kind == config::RunCoordinatorConfig::Kind::Default)
        return rc.className();
    QStringList parts;
    parts << (rc.maxConcurrentRuns < 0 ? QStringLiteral("max_concurrent_runs unlimited")
                                       : QStringLiteral("max_concurrent_runs %1").arg(rc.maxConcurrentRuns));
    for (const config::TagConcurrencyLimit &l : rc.tagConcurrencyLimits) {
        QString tag = l.key;
        if (l.value)
            tag += QLatin1Char('=') + *l.value;
        else if (l.applyLimitPerUniqueValue)
            tag += QStringLiteral(" (per unique value)");
        parts << QStringLiteral("tag %1 limit %2").arg(tag).arg(l.limit);
    }
    parts << QStringLiteral("dequeue every %1 s").arg(rc.dequeueIntervalSeconds);
    return rc.className() + QStringLiteral(" (") + parts.join(QStringLiteral("; ")) + QLatin1Char(')');
}

QString describeLauncher(const config::RunLauncherConfig &rl)
{
    if (rl.kind == config::RunLauncherConfig::Kind::Default)
        return rl.className();
    QStringList parts;
    parts << QStringLiteral("image %1")
                 .arg(rl.docker.image.isEmpty() ? QStringLiteral("from DAGSTER_CURRENT_IMAGE")
                                                : rl.docker.image);
    QStringList nets = rl.docker.networks;
    if (!rl.docker.network.isEmpty())
        nets.prepend(rl.docker.network);
    if (!nets.isEmpty())
        parts << QStringLiteral("network %1").arg(nets.join(QStringLiteral(", ")));
    if (!rl.docker.envVars.isEmpty())
        parts << QStringLiteral("%1 env var(s)").arg(rl.docker.envVars.size());
    return rl.className() + QStringLiteral(" (") + parts.join(QStringLiteral("; ")) + QLatin1Char(')');
}

QString findWorkspace(const QString &explicitPath, const QString &home)
{
    if (!explicitPath.isEmpty())
        return explicitPath;
    for (const QString &candidate : { QDir(home).filePath(QStringLiteral("workspace.yaml")),
                                      QDir::current().filePath(QStringLiteral("workspace.yaml")) }) {
        if (QFileInfo::exists(candidate))
            return candidate;
    }
    return {};
}

int check(const QString &home, const QString &workspaceOption)
{
    const auto instance = config::loadInstance(home);
    if (!instance)
        return fail(instance.error().message);
    const QString workspacePath = findWorkspace(workspaceOption, instance->home);
    std::optional<config::WorkspaceConfig> workspace;
    if (!workspacePath.isEmpty()) {
        auto ws = config::loadWorkspace(workspacePath);
        if (!ws)
            return fail(ws.error().message);
        workspace = std::move(ws).value();
    }

    const config::InstanceConfig &ic = *instance;
    if (const Status launcher = launcher::validateRunLauncherConfig(ic); !launcher)
        return fail(
            QStringLiteral("%1: run_launcher: %2")
                .arg(ic.path.isEmpty() ? QStringLiteral("dagster.yaml") : ic.path, launcher.error().message));
    out(QStringLiteral("instance:        %1")
            .arg(ic.path.isEmpty() ? ic.home + QStringLiteral(" (no dagster.yaml: defaults)")
                                   : QDir::cleanPath(ic.path)));
    out(QStringLiteral("run coordinator: %1").arg(describeCoordinator(ic.runCoordinator)));
    out(QStringLiteral("run launcher:    %1").arg(describeLauncher(ic.runLauncher)));
    out(QStringLiteral("storage:         %1 (runs, event log, schedules)").arg(ic.runStorage.describe()));
    out(QStringLiteral("scheduler:       %1").arg(ic.scheduler.className));
    out(QStringLiteral("run monitoring:  %1")
            .arg(ic.runMonitoring.enabled ? QStringLiteral("enabled") : QStringLiteral("disabled")));
    out(QStringLiteral("run retries:     %1")
            .arg(ic.runRetries.enabled ? QStringLiteral("enabled (max %1)").arg(ic.runRetries.maxRetries)
                                       : QStringLiteral("disabled")));
    if (!workspace) {
        out(QStringLiteral("workspace:       none found (looked in %1 and the current directory)")
                .arg(ic.home));
    } else {
        out(QStringLiteral("workspace:       %1").arg(QDir::cleanPath(workspace->path)));
        for (const config::CodeLocationConfig &loc : workspace->locations)
            out(QStringLiteral("  location %1 at %2 (gRPC%3)")
                    .arg(loc.locationName, loc.address(), loc.ssl ? QStringLiteral(", TLS") : QString()));
    }
    out(QStringLiteral("OK"));
    return 0;
}

int migrate(const QString &home)
{
    const auto cfg = config::loadInstance(home);
    if (!cfg)
        return fail(cfg.error().message);
    // Open without migrating first, so the report says where the schema came from.
    const storage::Settings settings = instance::storageSettings(cfg->runStorage);
    const auto opened = storage::open(settings, false);
    if (!opened)
        return fail(opened.error().message);
    const auto report = (*opened)->migrate();
    if (!report)
        return fail(report.error().message);
    if (report->fromVersion == report->toVersion)
        out(QStringLiteral("%1: schema is up to date (version %2)")
                .arg(settings.describe())
                .arg(report->toVersion));
    else
        out(QStringLiteral("%1: migrated schema from version %2 to %3")
                .arg(settings.describe())
                .arg(report->fromVersion)
                .arg(report->toVersion));
    return 0;
}

} // namespace

int runInstance(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("action"),
        QStringLiteral("check: validate dagster.yaml and workspace.yaml and print a summary; "
                       "migrate: create or upgrade the storage schema"));
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    parser.addOption(
        { { QStringLiteral("w"), QStringLiteral("workspace") },
          QStringLiteral(
              "workspace.yaml to check (default: in the instance directory, then the current one)."),
          QStringLiteral("file") });
    if (!parse(parser, args, QStringLiteral("Validate the instance configuration or migrate its storage.")))
        return 2;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(QStringLiteral("expected one action: check or migrate"), 2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"));
    if (positional.first() == QLatin1StringView("check"))
        return check(home, parser.value(QStringLiteral("workspace")));
    if (positional.first() == QLatin1StringView("migrate"))
        return migrate(home);
    return fail(QStringLiteral("unknown action \"%1\" (expected check or migrate)").arg(positional.first()),
                2);
}

} // namespace lifdag::cli
