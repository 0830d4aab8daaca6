#include "lifdag/config/instanceconfig.h"

#include "yamlreader_p.h"

#include <lifdag/core/redaction.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcConfig, "lifdag.config")

namespace lifdag::config {

using detail::ConfigError;
using detail::YamlNode;

namespace {

// A `module:`/`class:` pair lifdag accepts: Dagster's names and lifdag's own.
struct ClassSpec
{
    QString className;
    QStringList modules;
};

QStringList modulesFor(std::initializer_list<const char *> names)
{
    QStringList out;
    for (const char *n : names)
        out.append(QString::fromLatin1(n));
    out.append(QStringLiteral("lifdag"));
    return out;
}

// Reads `module`/`class`/`config` of a class-based section; returns the matched class name.
QString resolveClass(const YamlNode &section, const QList<ClassSpec> &specs, std::optional<YamlNode> *config)
{
    section.checkKeys({ QStringLiteral("module"), QStringLiteral("class"), QStringLiteral("config") });
    const YamlNode classNode = section.required(QStringLiteral("class"));
    const QString className = classNode.toString();
    QStringList known;
    for (const ClassSpec &spec : specs) {
        known.append(spec.className);
        if (spec.className != className)
            continue;
        if (auto module = section.child(QStringLiteral("module"))) {
            const QString m = module->toString();
            if (!spec.modules.contains(m) && !m.startsWith(QLatin1StringView("lifdag."))) {
                module->fail(QStringLiteral("class %1 is not in module \"%2\" (expected %3)")
                                 .arg(className, m, spec.modules.join(QLatin1StringView(" or "))),
                             QStringLiteral("config.unknown_class"));
            }
        }
        *config = section.child(QStringLiteral("config"));
        return className;
    }
    classNode.fail(QStringLiteral("unknown class \"%1\" (expected %2)")
                       .arg(className, known.join(QLatin1StringView(" or "))),
                   QStringLiteral("config.unknown_class"));
}

RunCoordinatorConfig parseRunCoordinator(const YamlNode &section)
{
    static const QList<ClassSpec> specs {
        { QStringLiteral("DefaultRunCoordinator"),
          modulesFor({ "dagster", "dagster.core.run_coordinator", "dagster._core.run_coordinator",
                       "dagster.core.run_coordinator.default_run_coordinator",
                       "dagster._core.run_coordinator.default_run_coordinator" }) },
        { QStringLiteral("QueuedRunCoordinator"),
          modulesFor({ "dagster", "dagster.core.run_coordinator", "dagster._core.run_coordinator",
                       "dagster.core.run_coordinator.queued_run_coordinator",
                       "dagster._core.run_coordinator.queued_run_coordinator" }) },
    };
    RunCoordinatorConfig rc;
    std::optional<YamlNode> config;
    const QString cls = resolveClass(section, specs, &config);
    if (cls == QLatin1StringView("DefaultRunCoordinator")) {
        rc.kind = RunCoordinatorConfig::Kind::Default;
        if (config)
            config->checkKeys({});
        return rc;
    }
    rc.kind = RunCoordinatorConfig::Kind::Queued;
    if (!config)
        return rc;
    config->checkKeys({ QStringLiteral("max_concurrent_runs"), QStringLiteral("tag_concurrency_limits"),
                        QStringLiteral("dequeue_interval_seconds"), QStringLiteral("dequeue_use_threads"),
                        QStringLiteral("dequeue_num_workers"),
                        QStringLiteral("max_user_code_failure_retries"),
                        QStringLiteral("user_code_failure_retry_delay"),
                        QStringLiteral("block_op_concurrency_limited_runs") });
    if (auto v = config->child(QStringLiteral("max_concurrent_runs"))) {
        rc.maxConcurrentRuns = v->toInt();
        if (rc.maxConcurrentRuns < -1)
            v->fail(
                QStringLiteral("expected -1 (no limit) or a count >= 0, got %1").arg(rc.maxConcurrentRuns),
                QStringLiteral("config.range"));
    }
    if (auto v = config->child(QStringLiteral("dequeue_interval_seconds"))) {
        rc.dequeueIntervalSeconds = v->toDouble();
        if (rc.dequeueIntervalSeconds <= 0)
            v->fail(QStringLiteral("expected a positive number of seconds"), QStringLiteral("config.range"));
    }
    if (auto v = config->child(QStringLiteral("dequeue_use_threads")))
        rc.dequeueUseThreads = v->toBool();
    if (auto v = config->child(QStringLiteral("dequeue_num_workers")))
        rc.dequeueNumWorkers = v->toInt();
    if (auto v = config->child(QStringLiteral("max_user_code_failure_retries")))
        (void)v->toInt();
    if (auto v = config->child(QStringLiteral("user_code_failure_retry_delay")))
        (void)v->toDouble();
    if (auto v = config->child(QStringLiteral("block_op_concurrency_limited_runs"))) {
        v->checkKeys({ QStringLiteral("enabled"), QStringLiteral("op_concurrency_slot_buffer") });
        if (auto e = v->child(QStringLiteral("enabled")))
            rc.blockOpConcurrencyLimitedRuns = e->toBool();
        if (auto b = v->child(QStringLiteral("op_concurrency_slot_buffer")))
            (void)b->toInt();
    }
    if (auto limits = config->child(QStringLiteral("tag_concurrency_limits"))) {
        for (const YamlNode &item : limits->items()) {
            item.checkKeys({ QStringLiteral("key"), QStringLiteral("value"), QStringLiteral("limit") });
            TagConcurrencyLimit limit;
            limit.key = item.required(QStringLiteral("key")).toString();
            const YamlNode limitNode = item.required(QStringLiteral("limit"));
            limit.limit = limitNode.toInt();
            if (limit.limit < 0)
                limitNode.fail(QStringLiteral("expected a limit >= 0, got %1").arg(limit.limit),
                               QStringLiteral("config.range"));
            if (auto value = item.child(QStringLiteral("value"))) {
                if (value->isMap() && !value->isEnvReference()) {
                    value->checkKeys({ QStringLiteral("applyLimitPerUniqueValue") });
                    limit.applyLimitPerUniqueValue =
                        value->required(QStringLiteral("applyLimitPerUniqueValue")).toBool();
                } else {
                    limit.value = value->toString();
                }
            }
            rc.tagConcurrencyLimits.append(limit);
        }
    }
    return rc;
}

RunLauncherConfig parseRunLauncher(const YamlNode &section)
{
    static const QList<ClassSpec> specs {
        { QStringLiteral("DefaultRunLauncher"),
          modulesFor({ "dagster", "dagster.core.launcher", "dagster._core.launcher",
                       "dagster.core.launcher.default_run_launcher",
                       "dagster._core.launcher.default_run_launcher" }) },
        { QStringLiteral("DockerRunLauncher"),
          modulesFor({ "dagster_docker", "dagster_docker.docker_run_launcher" }) },
    };
    RunLauncherConfig rl;
    std::optional<YamlNode> config;
    const QString cls = resolveClass(section, specs, &config);
    if (cls == QLatin1StringView("DefaultRunLauncher")) {
        rl.kind = RunLauncherConfig::Kind::Default;
        if (config)
            config->checkKeys({});
        return rl;
    }
    rl.kind = RunLauncherConfig::Kind::Docker;
    if (!config)
        return rl;
    config->checkKeys({ QStringLiteral("image"), QStringLiteral("registry"), QStringLiteral("env_vars"),
                        QStringLiteral("network"), QStringLiteral("networks"),
                        QStringLiteral("container_kwargs") });
    DockerLauncherConfig &d = rl.docker;
    if (auto v = config->child(QStringLiteral("image")))
        d.image = v->toString();
    if (auto v = config->child(QStringLiteral("network")))
        d.network = v->toString();
    if (auto v = config->child(QStringLiteral("networks")))
        d.networks = v->toStringList();
    if (auto v = config->child(QStringLiteral("env_vars"))) {
        for (const YamlNode &item : v->items()) {
            const QString entry = item.toString();
            if (entry.isEmpty() || entry.startsWith(QLatin1Char('=')))
                item.fail(QStringLiteral("expected NAME or NAME=value, got \"%1\"").arg(entry),
                          QStringLiteral("config.type"));
            d.envVars.append(entry);
        }
    }
    if (auto v = config->child(QStringLiteral("container_kwargs"))) {
        v->requireMap();
        d.containerKwargs = v->toJson().toObject();
    }
    if (auto v = config->child(QStringLiteral("registry"))) {
        v->checkKeys({ QStringLiteral("url"), QStringLiteral("username"), QStringLiteral("password") });
        d.registry = v->toJson().toObject();
        for (const QString &key :
             { QStringLiteral("url"), QStringLiteral("username"), QStringLiteral("password") }) {
            if (!v->child(key))
                v->fail(QStringLiteral("missing required key \"%1\"").arg(key),
                        QStringLiteral("config.missing_key"));
        }
    }
    return rl;
}

PostgresConfig parsePostgresDb(const YamlNode &db)
{
    db.checkKeys({ QStringLiteral("username"), QStringLiteral("password"), QStringLiteral("hostname"),
                   QStringLiteral("db_name"), QStringLiteral("port"), QStringLiteral("params"),
                   QStringLiteral("scheme") });
    PostgresConfig pg;
    pg.username = db.required(QStringLiteral("username")).toString();
    pg.password = db.required(QStringLiteral("password")).toString();
    pg.hostname = db.required(QStringLiteral("hostname")).toString();
    pg.dbName = db.required(QStringLiteral("db_name")).toString();
    if (auto v = db.child(QStringLiteral("port"))) {
        pg.port = v->toInt();
        if (pg.port <= 0 || pg.port > 65535)
            v->fail(QStringLiteral("expected a port between 1 and 65535, got %1").arg(pg.port),
                    QStringLiteral("config.range"));
    }
    if (auto v = db.child(QStringLiteral("params"))) {
        v->requireMap();
        pg.params = v->toJson().toObject();
    }
    if (auto v = db.child(QStringLiteral("scheme")))
        pg.scheme = v->toString();
    return pg;
}

PostgresConfig parsePostgresUrl(const YamlNode &node)
{
    const QUrl url(node.toString(), QUrl::StrictMode);
    if (!url.isValid()
        || (url.scheme() != QLatin1StringView("postgresql") && url.scheme() != QLatin1StringView("postgres"))
        || url.host().isEmpty()) {
        node.fail(QStringLiteral("expected a URL like postgresql://user:password@host:5432/db"),
                  QStringLiteral("config.type"));
    }
    PostgresConfig pg;
    pg.scheme = url.scheme();
    pg.hostname = url.host();
    pg.port = url.port(5432);
    pg.username = url.userName(QUrl::FullyDecoded);
    pg.password = url.password(QUrl::FullyDecoded);
    pg.dbName = url.path().mid(1);
    const QUrlQuery query(url);
    for (const auto &[k, v] : query.queryItems(QUrl::FullyDecoded))
        pg.params.insert(k, v);
    return pg;
}

// The `config:` of a Postgres storage class: postgres_db or postgres_url.
StorageConfig parsePostgresStorageConfig(const YamlNode &config)
{
    config.checkKeys({ QStringLiteral("postgres_db"), QStringLiteral("postgres_url"),
                       QStringLiteral("should_autocreate_tables") });
    StorageConfig sc;
    sc.backend = StorageConfig::Backend::Postgres;
    const auto db = config.child(QStringLiteral("postgres_db"));
    const auto url = config.child(QStringLiteral("postgres_url"));
    if (db && url)
        url->fail(QStringLiteral("give either postgres_db or postgres_url, not both"),
                  QStringLiteral("config.conflict"));
    if (db)
        sc.postgres = parsePostgresDb(*db);
    else if (url)
        sc.postgres = parsePostgresUrl(*url);
    else
        config.fail(QStringLiteral("missing required key \"postgres_db\" (or \"postgres_url\")"),
                    QStringLiteral("config.missing_key"));
    if (auto v = config.child(QStringLiteral("should_autocreate_tables")))
        (void)v->toBool();
    return sc;
}

StorageConfig parseSqliteStorageConfig(const YamlNode &config, const QString &home)
{
    config.checkKeys({ QStringLiteral("base_dir") });
    StorageConfig sc;
    sc.backend = StorageConfig::Backend::Sqlite;
    sc.sqliteBaseDir = QDir(home).absoluteFilePath(config.required(QStringLiteral("base_dir")).toString());
    return sc;
}

enum class StorageRole { Runs, Events, Schedules };

StorageConfig parseStorageSection(const YamlNode &section, StorageRole role, const QString &home)
{
    QList<ClassSpec> specs;
    switch (role) {
    case StorageRole::Runs:
        specs = { { QStringLiteral("PostgresRunStorage"),
                    modulesFor({ "dagster_postgres", "dagster_postgres.run_storage" }) },
                  { QStringLiteral("SqliteRunStorage"),
                    modulesFor({ "dagster", "dagster.core.storage.runs", "dagster._core.storage.runs" }) } };
        break;
    case StorageRole::Events:
        specs = {
            { QStringLiteral("PostgresEventLogStorage"),
              modulesFor({ "dagster_postgres", "dagster_postgres.event_log" }) },
            { QStringLiteral("SqliteEventLogStorage"),
              modulesFor(
                  { "dagster", "dagster.core.storage.event_log", "dagster._core.storage.event_log" }) },
            { QStringLiteral("ConsolidatedSqliteEventLogStorage"),
              modulesFor({ "dagster", "dagster.core.storage.event_log", "dagster._core.storage.event_log" }) }
        };
        break;
    case StorageRole::Schedules:
        specs = {
            { QStringLiteral("PostgresScheduleStorage"),
              modulesFor({ "dagster_postgres", "dagster_postgres.schedule_storage" }) },
            { QStringLiteral("SqliteScheduleStorage"),
              modulesFor({ "dagster", "dagster.core.storage.schedules", "dagster._core.storage.schedules" }) }
        };
        break;
    }
    std::optional<YamlNode> config;
    const QString cls = resolveClass(section, specs, &config);
    if (!config)
        section.fail(QStringLiteral("missing required key \"config\" for class %1").arg(cls),
                     QStringLiteral("config.missing_key"));
    if (cls.startsWith(QLatin1StringView("Postgres")))
        return parsePostgresStorageConfig(*config);
    return parseSqliteStorageConfig(*config, home);
}

// The combined form: `storage: {postgres: {...}}`, `{sqlite: {...}}` or a class-based section.
StorageConfig parseCombinedStorage(const YamlNode &section, const QString &home)
{
    section.requireMap();
    if (section.child(QStringLiteral("class"))) {
        static const QList<ClassSpec> specs { { QStringLiteral("DagsterPostgresStorage"),
                                                modulesFor(
                                                    { "dagster_postgres", "dagster_postgres.storage" }) },
                                              { QStringLiteral("DagsterSqliteStorage"),
                                                modulesFor({ "dagster", "dagster.core.storage.sqlite_storage",
                                                             "dagster._core.storage.sqlite_storage" }) } };
        std::optional<YamlNode> config;
        const QString cls = resolveClass(section, specs, &config);
        if (!config)
            section.fail(QStringLiteral("missing required key \"config\" for class %1").arg(cls),
                         QStringLiteral("config.missing_key"));
        return cls == QLatin1StringView("DagsterPostgresStorage") ? parsePostgresStorageConfig(*config)
                                                                  : parseSqliteStorageConfig(*config, home);
    }
    section.checkKeys({ QStringLiteral("postgres"), QStringLiteral("sqlite") });
    const auto pg = section.child(QStringLiteral("postgres"));
    const auto lite = section.child(QStringLiteral("sqlite"));
    if (pg && lite)
        lite->fail(QStringLiteral("give either postgres or sqlite, not both"),
                   QStringLiteral("config.conflict"));
    if (pg)
        return parsePostgresStorageConfig(*pg);
    if (lite)
        return parseSqliteStorageConfig(*lite, home);
    section.fail(QStringLiteral("expected \"postgres\" or \"sqlite\""), QStringLiteral("config.missing_key"));
}

SchedulerConfig parseScheduler(const YamlNode &section)
{
    static const QList<ClassSpec> specs {
        { QStringLiteral("DagsterDaemonScheduler"),
          modulesFor({ "dagster", "dagster.core.scheduler", "dagster._core.scheduler" }) }
    };
    SchedulerConfig sc;
    std::optional<YamlNode> config;
    sc.className = resolveClass(section, specs, &config);
    if (config) {
        config->checkKeys({ QStringLiteral("max_catchup_runs"), QStringLiteral("max_tick_retries") });
        if (auto v = config->child(QStringLiteral("max_catchup_runs")))
            sc.maxCatchupRuns = v->toInt();
        if (auto v = config->child(QStringLiteral("max_tick_retries")))
            sc.maxTickRetries = v->toInt();
    }
    return sc;
}

RunMonitoringConfig parseRunMonitoring(const YamlNode &n)
{
    n.checkKeys({ QStringLiteral("enabled"), QStringLiteral("start_timeout_seconds"),
                  QStringLiteral("cancel_timeout_seconds"), QStringLiteral("max_runtime_seconds"),
                  QStringLiteral("poll_interval_seconds"), QStringLiteral("max_resume_run_attempts"),
                  QStringLiteral("free_slots_after_run_end_seconds") });
    RunMonitoringConfig m;
    if (auto v = n.child(QStringLiteral("enabled")))
        m.enabled = v->toBool();
    if (auto v = n.child(QStringLiteral("start_timeout_seconds")))
        m.startTimeoutSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("cancel_timeout_seconds")))
        m.cancelTimeoutSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("max_runtime_seconds")))
        m.maxRuntimeSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("poll_interval_seconds")))
        m.pollIntervalSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("max_resume_run_attempts")))
        m.maxResumeRunAttempts = v->toInt();
    if (auto v = n.child(QStringLiteral("free_slots_after_run_end_seconds")))
        (void)v->toInt();
    return m;
}

RunRetriesConfig parseRunRetries(const YamlNode &n)
{
    n.checkKeys({ QStringLiteral("enabled"), QStringLiteral("max_retries"),
                  QStringLiteral("retry_on_asset_or_op_failure") });
    RunRetriesConfig r;
    if (auto v = n.child(QStringLiteral("enabled")))
        r.enabled = v->toBool();
    if (auto v = n.child(QStringLiteral("max_retries")))
        r.maxRetries = v->toInt();
    if (auto v = n.child(QStringLiteral("retry_on_asset_or_op_failure")))
        r.retryOnAssetOrOpFailure = v->toBool();
    return r;
}

CodeServersConfig parseCodeServers(const YamlNode &n)
{
    n.checkKeys({ QStringLiteral("local_startup_timeout"), QStringLiteral("reload_timeout"),
                  QStringLiteral("wait_for_local_processes_on_shutdown") });
    CodeServersConfig c;
    if (auto v = n.child(QStringLiteral("local_startup_timeout")))
        c.localStartupTimeoutSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("reload_timeout")))
        c.reloadTimeoutSeconds = v->toInt();
    if (auto v = n.child(QStringLiteral("wait_for_local_processes_on_shutdown")))
        c.waitForLocalProcesses = v->toBool();
    return c;
}

LifdagConfig parseLifdag(const YamlNode &n, const QString &home)
{
    n.checkKeys({ QStringLiteral("auth"), QStringLiteral("launcher_config_file") });
    LifdagConfig c;
    if (auto auth = n.child(QStringLiteral("auth"))) {
        auth->checkKeys({ QStringLiteral("enabled") });
        if (auto v = auth->child(QStringLiteral("enabled")))
            c.authEnabled = v->toBool();
    }
    if (auto v = n.child(QStringLiteral("launcher_config_file")))
        c.launcherConfigFile = QDir(home).absoluteFilePath(v->toString());
    return c;
}

// A YAML node as JSON, {env: NAME} references and all (nothing resolved).
QJsonValue rawJson(const YAML::Node &node)
{
    if (!node.IsDefined() || node.IsNull())
        return QJsonValue::Null;
    if (node.IsMap()) {
        QJsonObject o;
        for (auto it = node.begin(); it != node.end(); ++it)
            o.insert(QString::fromStdString(it->first.as<std::string>()), rawJson(it->second));
        return o;
    }
    if (node.IsSequence()) {
        QJsonArray a;
        for (auto it = node.begin(); it != node.end(); ++it)
            a.append(rawJson(*it));
        return a;
    }
    return YamlNode(node, QString(), QString()).toJson(); // scalars typed as YAML 1.2 core types them
}

void emitJson(YAML::Emitter &out, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        out << YAML::BeginMap;
        for (auto it = o.begin(); it != o.end(); ++it) {
            out << YAML::Key << it.key().toStdString() << YAML::Value;
            emitJson(out, it.value());
        }
        out << YAML::EndMap;
        break;
    }
    case QJsonValue::Array: {
        out << YAML::BeginSeq;
        for (const QJsonValue &item : v.toArray())
            emitJson(out, item);
        out << YAML::EndSeq;
        break;
    }
    case QJsonValue::Bool:
        out << v.toBool();
        break;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == double(qint64(d)))
            out << qint64(d);
        else
            out << d;
        break;
    }
    case QJsonValue::String:
        // Quoted, so a string never reads back as another type ("true", "5", "~").
        out << YAML::DoubleQuoted << v.toString().toStdString();
        break;
    default:
        out << YAML::Null;
        break;
    }
}

StorageConfig defaultStorage(const QString &home)
{
    StorageConfig sc;
    sc.backend = StorageConfig::Backend::Sqlite;
    sc.sqliteBaseDir = QDir(home).absoluteFilePath(QStringLiteral("storage"));
    return sc;
}

} // namespace

QString RunCoordinatorConfig::className() const
{
    return kind == Kind::Queued ? QStringLiteral("QueuedRunCoordinator")
                                : QStringLiteral("DefaultRunCoordinator");
}

QString RunLauncherConfig::className() const
{
    return kind == Kind::Docker ? QStringLiteral("DockerRunLauncher") : QStringLiteral("DefaultRunLauncher");
}

QString StorageConfig::describe() const
{
    if (backend == Backend::Sqlite)
        return QStringLiteral("SQLite in %1").arg(sqliteBaseDir);
    return QStringLiteral("PostgreSQL %1:%2/%3")
        .arg(postgres.hostname)
        .arg(postgres.port)
        .arg(postgres.dbName);
}

bool StorageConfig::operator==(const StorageConfig &o) const
{
    if (backend != o.backend)
        return false;
    if (backend == Backend::Sqlite)
        return sqliteBaseDir == o.sqliteBaseDir;
    return postgres.hostname == o.postgres.hostname && postgres.port == o.postgres.port
        && postgres.dbName == o.postgres.dbName && postgres.username == o.postgres.username
        && postgres.password == o.postgres.password && postgres.params == o.postgres.params;
}

Result<InstanceConfig> parseInstance(const QByteArray &yaml, const QString &fileName, const QString &home)
{
    InstanceConfig ic;
    ic.home = QDir(home).absolutePath();
    ic.path = fileName;
    ic.runStorage = ic.eventLogStorage = ic.scheduleStorage = defaultStorage(ic.home);
    try {
        const YamlNode root(detail::loadDocument(yaml, fileName), fileName, QString());
        if (root.isNull())
            return ic; // an empty file: all defaults
        root.checkKeys({ QStringLiteral("run_coordinator"),
                         QStringLiteral("run_launcher"),
                         QStringLiteral("storage"),
                         QStringLiteral("run_storage"),
                         QStringLiteral("event_log_storage"),
                         QStringLiteral("schedule_storage"),
                         QStringLiteral("scheduler"),
                         QStringLiteral("run_monitoring"),
                         QStringLiteral("run_retries"),
                         QStringLiteral("telemetry"),
                         QStringLiteral("code_servers"),
                         QStringLiteral("concurrency"),
                         QStringLiteral("local_artifact_storage"),
                         QStringLiteral("compute_logs"),
                         QStringLiteral("python_logs"),
                         QStringLiteral("retention"),
                         QStringLiteral("sensors"),
                         QStringLiteral("schedules"),
                         QStringLiteral("secrets"),
                         QStringLiteral("nux"),
                         QStringLiteral("auto_materialize"),
                         QStringLiteral("backfills"),
                         QStringLiteral("instance_class"),
                         QStringLiteral("lifdag") });
        if (auto s = root.child(QStringLiteral("lifdag")))
            ic.lifdag = parseLifdag(*s, ic.home);
        if (auto s = root.child(QStringLiteral("run_coordinator")))
            ic.runCoordinator = parseRunCoordinator(*s);
        if (auto s = root.child(QStringLiteral("run_launcher")))
            ic.runLauncher = parseRunLauncher(*s);

        const auto combined = root.child(QStringLiteral("storage"));
        const auto runs = root.child(QStringLiteral("run_storage"));
        const auto events = root.child(QStringLiteral("event_log_storage"));
        const auto schedules = root.child(QStringLiteral("schedule_storage"));
        if (combined) {
            for (const auto *separate : { &runs, &events, &schedules }) {
                if (*separate)
                    (*separate)->fail(
                        QStringLiteral("cannot be combined with the \"storage\" key; use one form"),
                        QStringLiteral("config.conflict"));
            }
            ic.runStorage = ic.eventLogStorage = ic.scheduleStorage =
                parseCombinedStorage(*combined, ic.home);
        } else {
            if (runs)
                ic.runStorage = parseStorageSection(*runs, StorageRole::Runs, ic.home);
            if (events)
                ic.eventLogStorage = parseStorageSection(*events, StorageRole::Events, ic.home);
            if (schedules)
                ic.scheduleStorage = parseStorageSection(*schedules, StorageRole::Schedules, ic.home);
            // lifdag keeps runs, events and schedules in one database so they commit together.
            if (events && !(ic.eventLogStorage == ic.runStorage))
                events->fail(QStringLiteral("lifdag keeps runs, events and schedules in one database: "
                                            "event_log_storage must name the same database as run_storage"),
                             QStringLiteral("config.conflict"));
            if (schedules && !(ic.scheduleStorage == ic.runStorage))
                schedules->fail(QStringLiteral("lifdag keeps runs, events and schedules in one database: "
                                               "schedule_storage must name the same database as run_storage"),
                                QStringLiteral("config.conflict"));
        }
        if (auto s = root.child(QStringLiteral("scheduler")))
            ic.scheduler = parseScheduler(*s);
        if (auto s = root.child(QStringLiteral("run_monitoring")))
            ic.runMonitoring = parseRunMonitoring(*s);
        if (auto s = root.child(QStringLiteral("run_retries")))
            ic.runRetries = parseRunRetries(*s);
        if (auto s = root.child(QStringLiteral("code_servers")))
            ic.codeServers = parseCodeServers(*s);
        if (auto s = root.child(QStringLiteral("telemetry"))) {
            s->checkKeys({ QStringLiteral("enabled") });
            if (auto v = s->child(QStringLiteral("enabled")))
                ic.telemetryEnabled = v->toBool();
        }
        if (auto s = root.child(QStringLiteral("concurrency"))) {
            s->checkKeys({ QStringLiteral("default_op_concurrency_limit"), QStringLiteral("pools"),
                           QStringLiteral("runs") });
            ic.concurrency = s->toJson().toObject();
        }
        // Documented Dagster sections lifdag has no use for are read (so env references resolve
        // and shapes are checked) and otherwise ignored.
        for (const QString &key :
             { QStringLiteral("local_artifact_storage"), QStringLiteral("compute_logs"),
               QStringLiteral("python_logs"), QStringLiteral("retention"), QStringLiteral("sensors"),
               QStringLiteral("schedules"), QStringLiteral("secrets"), QStringLiteral("nux"),
               QStringLiteral("auto_materialize"), QStringLiteral("backfills"),
               QStringLiteral("instance_class") }) {
            if (auto s = root.child(key)) {
                (void)s->toJson();
                qCDebug(lcConfig, "%s: %s is accepted and ignored by lifdag", qPrintable(fileName),
                        qPrintable(key));
            }
        }
    } catch (const ConfigError &e) {
        return e.error;
    } catch (const YAML::Exception &e) {
        return Error { QStringLiteral("config.syntax"),
                       QStringLiteral("%1: %2").arg(fileName, QString::fromStdString(e.what())) };
    }
    for (const StorageConfig *s : { &ic.runStorage, &ic.eventLogStorage, &ic.scheduleStorage }) {
        if (s->backend == StorageConfig::Backend::Postgres)
            redaction::addSecret(s->postgres.password);
    }
    return ic;
}

Result<InstanceConfig> loadInstance(const QString &home)
{
    const QString absHome = QDir(home).absolutePath();
    if (!QFileInfo(absHome).isDir())
        return Error { QStringLiteral("config.home"),
                       QStringLiteral("%1: DAGSTER_HOME is not a directory").arg(absHome) };
    const QString path = QDir(absHome).filePath(QStringLiteral("dagster.yaml"));
    QFile f(path);
    if (!f.exists()) {
        InstanceConfig ic;
        ic.home = absHome;
        ic.runStorage = ic.eventLogStorage = ic.scheduleStorage = defaultStorage(absHome);
        return ic;
    }
    if (!f.open(QIODevice::ReadOnly))
        return Error { QStringLiteral("config.io"),
                       QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()) };
    auto ic = parseInstance(f.readAll(), path, absHome);
    if (!ic)
        return ic;
    // The administrators' launcher settings (written by the webserver) win over dagster.yaml's.
    const QString overridePath = launcherOverridePath(*ic);
    QFile o(overridePath);
    if (o.exists()) {
        if (!o.open(QIODevice::ReadOnly))
            return Error { QStringLiteral("config.io"),
                           QStringLiteral("%1: cannot read: %2").arg(overridePath, o.errorString()) };
        if (const Status s = applyLauncherOverride(*ic, o.readAll(), overridePath); !s)
            return s.error();
    }
    return ic;
}

QString launcherOverridePath(const InstanceConfig &config)
{
    if (!config.lifdag.launcherConfigFile.isEmpty())
        return config.lifdag.launcherConfigFile;
    return QDir(config.home).filePath(QStringLiteral("lifdag-launcher.yaml"));
}

Status applyLauncherOverride(InstanceConfig &config, const QByteArray &yaml, const QString &fileName)
{
    try {
        const YamlNode root(detail::loadDocument(yaml, fileName), fileName, QString());
        if (root.isNull())
            return {};
        root.checkKeys({ QStringLiteral("run_coordinator"), QStringLiteral("run_launcher") });
        RunCoordinatorConfig rc = config.runCoordinator;
        RunLauncherConfig rl = config.runLauncher;
        if (auto s = root.child(QStringLiteral("run_coordinator")))
            rc = parseRunCoordinator(*s);
        if (auto s = root.child(QStringLiteral("run_launcher")))
            rl = parseRunLauncher(*s);
        config.runCoordinator = rc;
        config.runLauncher = rl;
        config.launcherOverridePath = fileName;
    } catch (const ConfigError &e) {
        return e.error;
    } catch (const YAML::Exception &e) {
        return Error { QStringLiteral("config.syntax"),
                       QStringLiteral("%1: %2").arg(fileName, QString::fromStdString(e.what())) };
    }
    return {};
}

Result<QJsonObject> rawLauncherSections(const QByteArray &yaml, const QString &fileName)
{
    try {
        const YAML::Node root = detail::loadDocument(yaml, fileName);
        QJsonObject out;
        if (!root.IsDefined() || root.IsNull())
            return out;
        if (!root.IsMap())
            return Error { QStringLiteral("config.type"),
                           QStringLiteral("%1: expected a mapping").arg(fileName) };
        for (const char *key : { "run_coordinator", "run_launcher" }) {
            if (root[key].IsDefined() && !root[key].IsNull())
                out.insert(QLatin1StringView(key), rawJson(root[key]));
        }
        return out;
    } catch (const ConfigError &e) {
        return e.error;
    } catch (const YAML::Exception &e) {
        return Error { QStringLiteral("config.syntax"),
                       QStringLiteral("%1: %2").arg(fileName, QString::fromStdString(e.what())) };
    }
}

QByteArray launcherOverrideYaml(const QJsonObject &sections)
{
    YAML::Emitter out;
    out << YAML::BeginMap;
    for (const char *key : { "run_coordinator", "run_launcher" }) {
        const QJsonValue v = sections.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull())
            continue;
        out << YAML::Key << key << YAML::Value;
        emitJson(out, v);
    }
    out << YAML::EndMap;
    QByteArray text =
        "# Managed by lifdag: launcher settings changed through the webserver API (audited).\n"
        "# They win over run_coordinator/run_launcher in dagster.yaml; delete this file to go back.\n";
    if (out.size() > 0 && QByteArray(out.c_str()) != "{}")
        text += QByteArray(out.c_str()) + '\n';
    return text;
}

QString dagsterHome(const QString &fallback)
{
    const QString env = qEnvironmentVariable("DAGSTER_HOME");
    return env.isEmpty() ? fallback : env;
}

} // namespace lifdag::config
