// The instance configuration ($DAGSTER_HOME/dagster.yaml), Dagster's schema, as typed structs.
#pragma once

#include <lifdag/core/result.h>

#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>
#include <QStringList>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcConfig)

namespace lifdag::config {

struct TagConcurrencyLimit
{
    QString key;
    std::optional<QString> value; // exact value; unset = any value of the key
    bool applyLimitPerUniqueValue = false; // value: {applyLimitPerUniqueValue: true}
    int limit = 0;
};

struct RunCoordinatorConfig
{
    enum class Kind { Default, Queued };
    Kind kind = Kind::Default;
    int maxConcurrentRuns = 10; // -1: no limit
    QList<TagConcurrencyLimit> tagConcurrencyLimits;
    double dequeueIntervalSeconds = 5.0;
    bool dequeueUseThreads = false;
    int dequeueNumWorkers = 4;
    bool blockOpConcurrencyLimitedRuns = false;

    QString className() const;
};

struct DockerLauncherConfig
{
    QString image; // empty: DAGSTER_CURRENT_IMAGE of the code location
    QString network;
    QStringList networks;
    QStringList envVars; // "NAME" (value from the launcher's environment) or "NAME=value"
    QJsonObject containerKwargs; // entrypoint, volumes, environment, labels, …
    QJsonObject registry; // url, username, password
};

struct RunLauncherConfig
{
    enum class Kind { Default, Docker };
    Kind kind = Kind::Default;
    DockerLauncherConfig docker;

    QString className() const;
};

struct PostgresConfig
{
    QString hostname;
    QString username;
    QString password; // a credential: never logged, never shown
    QString dbName;
    int port = 5432;
    QJsonObject params; // extra connection parameters (sslmode, …)
    QString scheme = QStringLiteral("postgresql");
};

struct StorageConfig
{
    enum class Backend { Sqlite, Postgres };
    Backend backend = Backend::Sqlite;
    PostgresConfig postgres;
    QString sqliteBaseDir; // absolute

    QString describe() const; // "PostgreSQL postgres-dagster:5432/dagster" - never the password
    bool operator==(const StorageConfig &o) const;
};

struct SchedulerConfig
{
    QString className = QStringLiteral("DagsterDaemonScheduler");
    int maxCatchupRuns = 5;
    int maxTickRetries = 0;
};

struct RunMonitoringConfig
{
    bool enabled = true; // lifdag monitors runs unless dagster.yaml says `enabled: false`
    int startTimeoutSeconds = 180;
    int cancelTimeoutSeconds = 180;
    int maxRuntimeSeconds = 0; // 0: unlimited
    int pollIntervalSeconds = 120;
    int maxResumeRunAttempts = 0;
    bool freeSlotsAfterRunEndSeconds = false;
};

struct RunRetriesConfig
{
    bool enabled = false;
    int maxRetries = 0;
    bool retryOnAssetOrOpFailure = true;
};

struct CodeServersConfig
{
    int localStartupTimeoutSeconds = 180;
    int reloadTimeoutSeconds = 60;
    bool waitForLocalProcesses = false;
};

// lifdag's own section of dagster.yaml (`lifdag:`; Dagster has no such key).
struct LifdagConfig
{
    bool authEnabled = false; // lifdag.auth.enabled: the webserver requires API tokens
    // lifdag.launcher_config_file (absolute; default <home>/lifdag-launcher.yaml): the managed override
    // of run_coordinator/run_launcher the webserver's administrators write. Processes that must see
    // the same launcher settings (webserver, daemon) need the same file, e.g. on a shared volume.
    QString launcherConfigFile;
};

struct InstanceConfig
{
    QString home; // absolute $DAGSTER_HOME
    QString path; // the dagster.yaml read, empty when none exists (defaults)
    RunCoordinatorConfig runCoordinator;
    RunLauncherConfig runLauncher;
    StorageConfig runStorage;
    StorageConfig eventLogStorage;
    StorageConfig scheduleStorage;
    SchedulerConfig scheduler;
    RunMonitoringConfig runMonitoring;
    RunRetriesConfig runRetries;
    CodeServersConfig codeServers;
    bool telemetryEnabled = false;
    QJsonObject concurrency; // pools/default_op_concurrency_limit, kept for later use
    LifdagConfig lifdag;
    QString launcherOverridePath; // set when the managed launcher override was applied
};

// Parses dagster.yaml text. `fileName` is used in error messages; `home` resolves relative
// paths and the default SQLite directory.
Result<InstanceConfig> parseInstance(const QByteArray &yaml, const QString &fileName, const QString &home);

// Reads `<home>/dagster.yaml`; a missing file yields the defaults (SQLite storage in home).
Result<InstanceConfig> loadInstance(const QString &home);

// The managed launcher override: a YAML document with only `run_coordinator` and/or `run_launcher`,
// in dagster.yaml's schema. loadInstance() applies it over dagster.yaml's sections when it exists.
QString launcherOverridePath(const InstanceConfig &config);
// Validates an override document with dagster.yaml's rules (errors name `fileName`, line, column and
// key path) and applies its sections to `config`.
Status applyLauncherOverride(InstanceConfig &config, const QByteArray &yaml, const QString &fileName);
// The run_coordinator/run_launcher sections of a dagster.yaml or override document as written
// ({env: NAME} references unresolved), for editing; absent sections are left out.
Result<QJsonObject> rawLauncherSections(const QByteArray &yaml, const QString &fileName);
// An override document for `sections` ({run_coordinator?, run_launcher?} as rawLauncherSections gives them).
QByteArray launcherOverrideYaml(const QJsonObject &sections);

// $DAGSTER_HOME, or `fallback` when the variable is not set.
QString dagsterHome(const QString &fallback = {});

} // namespace lifdag::config
