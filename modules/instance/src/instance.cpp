#include "lifdag/instance/instance.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUrlQuery>

namespace lifdag::instance {

storage::Settings storageSettings(const config::StorageConfig &sc)
{
    storage::Settings s;
    if (sc.backend == config::StorageConfig::Backend::Sqlite) {
        s.backend = storage::Settings::Backend::Sqlite;
        s.sqliteDirectory = sc.sqliteBaseDir;
        return s;
    }
    s.backend = storage::Settings::Backend::Postgres;
    s.host = sc.postgres.hostname;
    s.port = sc.postgres.port;
    s.user = sc.postgres.username;
    s.password = sc.postgres.password;
    s.database = sc.postgres.dbName;
    QStringList params;
    for (auto it = sc.postgres.params.begin(); it != sc.postgres.params.end(); ++it)
        params.append(it.key() + QLatin1Char('=') + it.value().toVariant().toString());
    s.params = params.join(QLatin1Char(';'));
    return s;
}

Result<std::shared_ptr<Instance>> Instance::open(const QString &home, const Options &options)
{
    auto cfg = options.instanceYaml.isEmpty()
        ? config::loadInstance(home)
        : config::parseInstance(options.instanceYaml, options.instanceYamlName, QDir(home).absolutePath());
    if (!cfg)
        return cfg.error();
    auto instance = std::make_shared<Instance>();
    instance->m_config = std::move(cfg).value();
    instance->m_fromFiles = options.instanceYaml.isEmpty();
    instance->m_launch = { instance->m_config.runCoordinator, instance->m_config.runLauncher };

    QString workspacePath = options.workspacePath;
    if (workspacePath.isEmpty()) {
        const QString candidate = QDir(instance->m_config.home).filePath(QStringLiteral("workspace.yaml"));
        if (QFileInfo::exists(candidate))
            workspacePath = candidate;
    }
    if (!workspacePath.isEmpty()) {
        auto ws = config::loadWorkspace(workspacePath);
        if (!ws)
            return ws.error();
        instance->m_workspace = std::move(ws).value();
    }

    auto opened = storage::open(storageSettings(instance->m_config.runStorage));
    if (!opened)
        return opened.error();
    instance->m_storage = *opened;
    return instance;
}

namespace {

// The newest modification time of dagster.yaml and the launcher override (invalid when neither exists).
QDateTime launchFilesStamp(const config::InstanceConfig &cfg)
{
    QDateTime newest;
    for (const QString &path :
         { QDir(cfg.home).filePath(QStringLiteral("dagster.yaml")), config::launcherOverridePath(cfg) }) {
        const QFileInfo info(path);
        if (info.exists() && (!newest.isValid() || info.lastModified() > newest))
            newest = info.lastModified();
    }
    return newest;
}

} // namespace

Instance::LaunchConfig Instance::launchConfig() const
{
    std::lock_guard lock(m_launchMutex);
    if (!m_fromFiles)
        return m_launch;
    const QDateTime stamp = launchFilesStamp(m_config);
    if (stamp == m_launchStamp)
        return m_launch;
    if (m_launchStamp.isValid() || stamp.isValid()) {
        auto reread = config::loadInstance(m_config.home);
        if (!reread) {
            qCWarning(lcConfig, "keeping the launcher settings in force: %s",
                      qPrintable(reread.error().message));
        } else {
            m_launch = { reread->runCoordinator, reread->runLauncher };
        }
    }
    m_launchStamp = stamp;
    return m_launch;
}

Result<config::CodeLocationConfig> Instance::codeLocation(const QString &name) const
{
    if (!m_workspace || m_workspace->locations.isEmpty())
        return Error {
            QStringLiteral("instance.no_workspace"),
            QStringLiteral("no code location configured: %1/workspace.yaml is missing or empty").arg(home())
        };
    if (name.isEmpty()) {
        if (m_workspace->locations.size() == 1)
            return m_workspace->locations.first();
        QStringList names;
        for (const auto &l : m_workspace->locations)
            names << l.locationName;
        return Error { QStringLiteral("instance.ambiguous_location"),
                       QStringLiteral("several code locations (%1): name one with --location")
                           .arg(names.join(QStringLiteral(", "))) };
    }
    if (const config::CodeLocationConfig *loc = m_workspace->location(name))
        return *loc;
    return Error { QStringLiteral("instance.unknown_location"),
                   QStringLiteral("code location \"%1\" is not in %2").arg(name, m_workspace->path) };
}

} // namespace lifdag::instance
