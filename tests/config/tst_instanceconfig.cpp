#include <lifdag/config/instanceconfig.h>
#include <lifdag/core/redaction.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace lifdag::config;
using namespace Qt::StringLiterals;

class TestInstanceConfig : public QObject
{
    Q_OBJECT

    static Result<InstanceConfig> parse(const QByteArray &yaml)
    {
        return parseInstance(yaml, u"dagster.yaml"_s, u"/srv/home"_s);
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("LIFDAG_FIXTURE_PG_USER", "lif_user");
        qputenv("LIFDAG_FIXTURE_PG_PASSWORD", "fixture-password-42");
    }

    void emptyFileGivesDefaults()
    {
        const auto ic = parse("");
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        QCOMPARE(ic->runCoordinator.kind, RunCoordinatorConfig::Kind::Default);
        QCOMPARE(ic->runLauncher.kind, RunLauncherConfig::Kind::Default);
        QCOMPARE(ic->runStorage.backend, StorageConfig::Backend::Sqlite);
        QCOMPARE(ic->runStorage.sqliteBaseDir, u"/srv/home/storage"_s);
    }

    void missingFileGivesDefaultsInHome()
    {
        QTemporaryDir home;
        const auto ic = loadInstance(home.path());
        QVERIFY(ic.ok());
        QVERIFY(ic->path.isEmpty());
        QCOMPARE(ic->runStorage.sqliteBaseDir, QDir(home.path()).filePath(u"storage"_s));
    }

    void loadsQueuedCoordinatorWithEveryLimitKind()
    {
        const auto ic = loadInstance(QStringLiteral(LIFDAG_TEST_DATA_DIR "/queued_postgres"));
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        const RunCoordinatorConfig &rc = ic->runCoordinator;
        QCOMPARE(rc.kind, RunCoordinatorConfig::Kind::Queued);
        QCOMPARE(rc.maxConcurrentRuns, 3);
        QCOMPARE(rc.dequeueIntervalSeconds, 0.5);
        QCOMPARE(rc.tagConcurrencyLimits.size(), 3);
        QCOMPARE(rc.tagConcurrencyLimits[0].key, u"operation"_s);
        QCOMPARE(rc.tagConcurrencyLimits[0].value, std::optional<QString>(u"example"_s));
        QCOMPARE(rc.tagConcurrencyLimits[0].limit, 2);
        QVERIFY(rc.tagConcurrencyLimits[1].applyLimitPerUniqueValue);
        QVERIFY(!rc.tagConcurrencyLimits[1].value.has_value());
        QVERIFY(!rc.tagConcurrencyLimits[2].value.has_value());
        QVERIFY(!rc.tagConcurrencyLimits[2].applyLimitPerUniqueValue);
        QCOMPARE(ic->scheduler.className, u"DagsterDaemonScheduler"_s);
        QVERIFY(ic->runMonitoring.enabled);
        QCOMPARE(ic->runMonitoring.startTimeoutSeconds, 30);
        QCOMPARE(ic->runRetries.maxRetries, 2);
    }

    void resolvesPostgresFromEnvironment()
    {
        const auto ic = loadInstance(QStringLiteral(LIFDAG_TEST_DATA_DIR "/queued_postgres"));
        QVERIFY(ic.ok());
        const PostgresConfig &pg = ic->runStorage.postgres;
        QCOMPARE(ic->runStorage.backend, StorageConfig::Backend::Postgres);
        QCOMPARE(pg.hostname, u"db.internal"_s);
        QCOMPARE(pg.port, 6543);
        QCOMPARE(pg.username, u"lif_user"_s);
        QCOMPARE(pg.password, u"fixture-password-42"_s);
        QCOMPARE(pg.dbName, u"lifdag"_s);
        QVERIFY(ic->eventLogStorage == ic->runStorage);
        QVERIFY(!ic->runStorage.describe().contains(u"fixture-password"_s));
        // the password is now a registered secret
        QVERIFY(!redaction::redact(u"pw=fixture-password-42"_s).contains(u"fixture-password"_s));
    }

    void loadsCombinedStorageUrlAndDockerLauncher()
    {
        qputenv("DAGSTER_POSTGRES_USER", "x");
        const auto ic = loadInstance(QStringLiteral(LIFDAG_TEST_DATA_DIR "/docker_combined"));
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        QCOMPARE(ic->runLauncher.kind, RunLauncherConfig::Kind::Docker);
        const DockerLauncherConfig &d = ic->runLauncher.docker;
        QCOMPARE(d.image, u"lifdag/code-location:latest"_s);
        QCOMPARE(d.envVars, (QStringList { u"DAGSTER_POSTGRES_USER"_s, u"FIXED=value with spaces"_s }));
        QCOMPARE(d.network, u"lif-net"_s);
        QCOMPARE(d.containerKwargs.value(u"entrypoint"_s).toString(), QString());
        QCOMPARE(d.containerKwargs.value(u"volumes"_s).toArray().size(), 1);
        QCOMPARE(d.containerKwargs.value(u"labels"_s).toObject().value(u"team"_s).toString(), u"lif"_s);
        const PostgresConfig &pg = ic->runStorage.postgres;
        QCOMPARE(pg.hostname, u"pg.example"_s);
        QCOMPARE(pg.port, 5433);
        QCOMPARE(pg.username, u"lif"_s);
        QCOMPARE(pg.password, u"s@cret"_s);
        QCOMPARE(pg.dbName, u"runs"_s);
        QCOMPARE(pg.params.value(u"sslmode"_s).toString(), u"disable"_s);
        QVERIFY(ic->scheduleStorage == ic->runStorage);
    }

    void acceptsDagsterAndLifdagClassNames_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("launcher");
        QTest::newRow("dagster.core")
            << QByteArray("run_launcher: {module: dagster.core.launcher, class: DefaultRunLauncher}")
            << u"DefaultRunLauncher"_s;
        QTest::newRow("dagster._core")
            << QByteArray("run_launcher: {module: dagster._core.launcher, class: DefaultRunLauncher}")
            << u"DefaultRunLauncher"_s;
        QTest::newRow("no module") << QByteArray("run_launcher: {class: DockerRunLauncher}")
                                   << u"DockerRunLauncher"_s;
        QTest::newRow("dagster_docker")
            << QByteArray("run_launcher: {module: dagster_docker, class: DockerRunLauncher}")
            << u"DockerRunLauncher"_s;
        QTest::newRow("lifdag") << QByteArray("run_launcher: {module: lifdag, class: DockerRunLauncher}")
                                << u"DockerRunLauncher"_s;
    }
    void acceptsDagsterAndLifdagClassNames()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, launcher);
        const auto ic = parse(yaml);
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        QCOMPARE(ic->runLauncher.className(), launcher);
    }

    // One error line: file:line:col: key.path: message
    void errorsNameFileLineColumnAndKeyPath_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("malformed yaml")
            << QByteArray("run_coordinator:\n  class: [unclosed\n") << u"dagster.yaml:3:1: invalid YAML"_s;
        QTest::newRow("wrong type")
            << QByteArray("run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                          "    max_concurrent_runs: five\n")
            << u"dagster.yaml:4:26: run_coordinator.config.max_concurrent_runs: expected an "
               "integer, got \"five\""_s;
        QTest::newRow("unknown top-level key")
            << QByteArray("scheduler:\n  class: DagsterDaemonScheduler\nrun_cordinator: {}\n")
            << u"dagster.yaml:3:1: run_cordinator: unknown key"_s;
        QTest::newRow("unknown nested key")
            << QByteArray("run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                          "    max_runs: 3\n")
            << u"dagster.yaml:4:5: run_coordinator.config.max_runs: unknown key"_s;
        QTest::newRow("unknown class")
            << QByteArray("run_launcher:\n  module: dagster_k8s\n  class: K8sRunLauncher\n")
            << u"dagster.yaml:3:10: run_launcher.class: unknown class \"K8sRunLauncher\""_s;
        QTest::newRow("class in wrong module")
            << QByteArray("run_launcher:\n  module: dagster_k8s\n  class: DockerRunLauncher\n")
            << u"dagster.yaml:2:11: run_launcher.module: class DockerRunLauncher is not "
               "in module \"dagster_k8s\""_s;
        QTest::newRow("tag limit without limit")
            << QByteArray("run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                          "    tag_concurrency_limits:\n      - key: a\n")
            << u"dagster.yaml:5:9: run_coordinator.config.tag_concurrency_limits[0]: "
               "missing required key \"limit\""_s;
        QTest::newRow("list expected")
            << QByteArray("run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                          "    tag_concurrency_limits: 3\n")
            << u"dagster.yaml:4:29: run_coordinator.config.tag_concurrency_limits: expected a "
               "list, got \"3\""_s;
        QTest::newRow("missing env")
            << QByteArray("run_storage:\n  class: PostgresRunStorage\n  config:\n    postgres_db:\n"
                          "      hostname: h\n      username: {env: LIFDAG_SURELY_UNSET_VAR}\n"
                          "      password: p\n      db_name: d\n")
            << u"dagster.yaml:6:23: run_storage.config.postgres_db.username: environment variable "
               "LIFDAG_SURELY_UNSET_VAR is not set"_s;
        QTest::newRow("bad port")
            << QByteArray("storage:\n  postgres:\n    postgres_db: {hostname: h, username: u, password: p, "
                          "db_name: d, port: 70000}\n")
            << u"dagster.yaml:3:76: storage.postgres.postgres_db.port: expected a port between 1 and 65535, got 70000"_s;
        QTest::newRow("both storage forms")
            << QByteArray("storage:\n  sqlite: {base_dir: x}\nrun_storage:\n"
                          "  class: SqliteRunStorage\n  config: {base_dir: x}\n")
            << u"dagster.yaml:4:3: run_storage: cannot be combined"_s;
        QTest::newRow("different databases")
            << QByteArray("run_storage:\n  class: SqliteRunStorage\n  config: {base_dir: a}\n"
                          "event_log_storage:\n  class: SqliteEventLogStorage\n"
                          "  config: {base_dir: b}\n")
            << u"dagster.yaml:5:3: event_log_storage: lifdag keeps runs, events and "
               "schedules in one database"_s;
        QTest::newRow("boolean") << QByteArray("run_monitoring:\n  enabled: perhaps\n")
                                 << u"dagster.yaml:2:12: run_monitoring.enabled: expected a boolean"_s;
        QTest::newRow("negative limit")
            << QByteArray("run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                          "    max_concurrent_runs: -5\n")
            << u"run_coordinator.config.max_concurrent_runs: expected -1 (no limit)"_s;
    }
    void errorsNameFileLineColumnAndKeyPath()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const auto ic = parse(yaml);
        QVERIFY(!ic.ok());
        const QString message = ic.error().message;
        QVERIFY2(message.contains(expected),
                 qPrintable(u"got: "_s + message + u"\nexpected to contain: "_s + expected));
        QVERIFY2(!message.contains(QLatin1Char('\n')), "one line");
    }

    void passwordNeverInErrors()
    {
        const auto ic =
            parse("run_storage:\n  class: PostgresRunStorage\n  config:\n    postgres_db:\n"
                  "      hostname: h\n      username: u\n      pasword: hunter2-secret\n      db_name: d\n");
        QVERIFY(!ic.ok());
        QVERIFY(ic.error().message.contains(u"postgres_db.pasword: unknown key"_s));
        QVERIFY(!ic.error().message.contains(u"hunter2"_s));
    }

    void readsTheLifdagSection()
    {
        const auto ic =
            parse("lifdag:\n  auth:\n    enabled: true\n  launcher_config_file: shared/launcher.yaml\n");
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        QVERIFY(ic->lifdag.authEnabled);
        QCOMPARE(launcherOverridePath(*ic), u"/srv/home/shared/launcher.yaml"_s);
        QVERIFY(!parse("").value().lifdag.authEnabled);
        QCOMPARE(launcherOverridePath(*parse("")), u"/srv/home/lifdag-launcher.yaml"_s);
        const auto bad = parse("lifdag:\n  auth:\n    enabld: true\n");
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.contains(u"lifdag.auth.enabld: unknown key"_s),
                 qPrintable(bad.error().message));
    }

    void launcherOverrideWinsOverDagsterYaml()
    {
        QTemporaryDir home;
        QFile f(QDir(home.path()).filePath(u"dagster.yaml"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# operator's file\nrun_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                "    max_concurrent_runs: 3\n");
        f.close();
        auto ic = loadInstance(home.path());
        QVERIFY(ic.ok());
        QCOMPARE(ic->runCoordinator.maxConcurrentRuns, 3);
        QVERIFY(ic->launcherOverridePath.isEmpty());

        const QJsonObject sections {
            { u"run_coordinator"_s,
              QJsonObject { { u"class"_s, u"QueuedRunCoordinator"_s },
                            { u"config"_s, QJsonObject { { u"max_concurrent_runs"_s, 7 } } } } },
            { u"run_launcher"_s,
              QJsonObject {
                  { u"module"_s, u"dagster_docker"_s },
                  { u"class"_s, u"DockerRunLauncher"_s },
                  { u"config"_s,
                    QJsonObject { { u"image"_s, u"lif/code:1"_s },
                                  { u"env_vars"_s, QJsonArray { u"A"_s, u"B=true"_s } },
                                  { u"registry"_s,
                                    QJsonObject { { u"url"_s, u"r"_s },
                                                  { u"username"_s, u"u"_s },
                                                  { u"password"_s,
                                                    QJsonObject { { u"env"_s, u"REG_PW"_s } } } } } } } } },
        };
        const QByteArray yaml = launcherOverrideYaml(sections);
        QFile o(launcherOverridePath(*ic));
        QVERIFY(o.open(QIODevice::WriteOnly));
        o.write(yaml);
        o.close();
        qputenv("REG_PW", "registry-secret");
        ic = loadInstance(home.path());
        QVERIFY2(ic.ok(), qPrintable(ic.ok() ? QString() : ic.error().message));
        QCOMPARE(ic->runCoordinator.maxConcurrentRuns, 7);
        QCOMPARE(ic->runLauncher.kind, RunLauncherConfig::Kind::Docker);
        QCOMPARE(ic->runLauncher.docker.envVars,
                 (QStringList { u"A"_s, u"B=true"_s })); // "true" stays a string
        QCOMPARE(ic->launcherOverridePath, launcherOverridePath(*ic));
        // What an editor gets back is what was written, references unresolved.
        const auto raw = rawLauncherSections(yaml, u"x"_s);
        QVERIFY(raw.ok());
        QCOMPARE(*raw, sections);
    }

    void launcherOverrideIsCheckedLikeDagsterYaml()
    {
        InstanceConfig ic = *parse("");
        Status s =
            applyLauncherOverride(ic, "run_launcher:\n  class: DockerRunLauncher\n  config:\n    imag: x\n",
                                  u"lifdag-launcher.yaml"_s);
        QVERIFY(!s.ok());
        QVERIFY2(
            s.error().message.contains(u"lifdag-launcher.yaml:4:5: run_launcher.config.imag: unknown key"_s),
            qPrintable(s.error().message));
        s = applyLauncherOverride(ic, "storage:\n  sqlite: {base_dir: x}\n", u"o.yaml"_s);
        QVERIFY(!s.ok()); // only the launcher sections may be overridden
        QVERIFY(s.error().message.contains(u"storage: unknown key"_s));
        QCOMPARE(ic.runLauncher.kind, RunLauncherConfig::Kind::Default); // untouched on error
    }
};

QTEST_GUILESS_MAIN(TestInstanceConfig)
#include "tst_instanceconfig.moc"
