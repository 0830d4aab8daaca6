// An opened lifdag instance: configuration from $DAGSTER_HOME plus its storage.
#pragma once

#include <lifdag/config/instanceconfig.h>
#include <lifdag/config/workspace.h>
#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <QDateTime>
#include <memory>
#include <mutex>
#include <optional>

namespace lifdag::instance {

// How the storage settings follow from a dagster.yaml storage section.
storage::Settings storageSettings(const config::StorageConfig &storage);

class Instance
{
public:
    struct Options
    {
        QString workspacePath; // empty: <home>/workspace.yaml when it exists
        // Parsed instead of <home>/dagster.yaml when set: the instance a run launcher passes to a
        // run worker it starts elsewhere (e.g. in a container), so the worker uses its storage.
        QByteArray instanceYaml;
        QString instanceYamlName; // how errors name it
    };

    // Loads <home>/dagster.yaml (defaults when absent) and opens the storage it names, running
    // migrations when needed.
    static Result<std::shared_ptr<Instance>> open(const QString &home, const Options &options);
    static Result<std::shared_ptr<Instance>> open(const QString &home) { return open(home, Options {}); }

    const QString &home() const { return m_config.home; }
    const config::InstanceConfig &config() const { return m_config; }
    const std::optional<config::WorkspaceConfig> &workspace() const { return m_workspace; }
    storage::Storage &storage() const { return *m_storage; }
    std::shared_ptr<storage::Storage> storagePtr() const { return m_storage; }

    // run_coordinator and run_launcher as configured now: dagster.yaml and the managed launcher
    // override are read again when either file changed since the last call, so an administrator's
    // edit takes effect without a restart. A file that no longer parses leaves the last good
    // settings in force (the error is logged). Everything else in config() is fixed at open().
    struct LaunchConfig
    {
        config::RunCoordinatorConfig runCoordinator;
        config::RunLauncherConfig runLauncher;
    };
    LaunchConfig launchConfig() const;

    // The code location a run should use: by name, or the only one when `name` is empty.
    Result<config::CodeLocationConfig> codeLocation(const QString &name) const;

private:
    config::InstanceConfig m_config;
    bool m_fromFiles = true; // false when opened from Options::instanceYaml (nothing to re-read)
    mutable std::mutex m_launchMutex;
    mutable LaunchConfig m_launch;
    mutable QDateTime m_launchStamp; // newest modification time of the files m_launch came from
    std::optional<config::WorkspaceConfig> m_workspace;
    std::shared_ptr<storage::Storage> m_storage;
};

} // namespace lifdag::instance
