// How the DockerRunLauncher turns dagster.yaml's run_launcher config, the code location's context
// and the instance's storage into a container create request.
#include <lifdag/config/instanceconfig.h>
#include <lifdag/launcher/dockerrunlauncher.h>

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace lifdag::launcher;
using namespace Qt::StringLiterals;

namespace {

config::DockerLauncherConfig dockerConfig(const QByteArray &yaml)
{
    const auto parsed =
        config::parseInstance("run_launcher:\n  module: dagster_docker\n  class: DockerRunLauncher\n"
                              "  config:\n"
                                  + yaml,
                              u"dagster.yaml"_s, u"/tmp"_s);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error().message));
    return parsed->runLauncher.docker;
}

ContainerInputs inputs()
{
    ContainerInputs in;
    in.runId = u"0b7d1d5e-run"_s;
    in.jobName = u"env_check_job"_s;
    in.locationName = u"lif_code_location"_s;
    in.image = u"localhost/lifdag-code-location:1"_s;
    in.locationEnv = { u"ADAPTERS__X__Y__CREDENTIALS__TOKEN=t0k3n"_s, u"SHARED=from location"_s };
    in.storageEnv = { u"LIFDAG_INSTANCE_YAML={}"_s, u"SHARED=from storage"_s };
    in.launcherEnv.insert(u"DAGSTER_POSTGRES_USER"_s, u"dagster"_s);
    return in;
}

QMap<QString, QString> envOf(const ContainerSpec &spec)
{
    QMap<QString, QString> env;
    for (const QJsonValue &v : spec.body.value(u"Env"_s).toArray()) {
        const QString e = v.toString();
        env.insert(e.section(u'=', 0, 0), e.section(u'=', 1));
    }
    return env;
}

ContainerSpec build(const QByteArray &yaml, const ContainerInputs &in = inputs())
{
    const auto spec = buildContainerSpec(dockerConfig(yaml), in);
    if (!spec)
        qFatal("%s", qPrintable(spec.error().message));
    return *spec;
}

} // namespace

class TestContainerSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsLifdagExecuteRunInTheImage()
    {
        const ContainerSpec spec = build("    image: ignored-here\n");
        QCOMPARE(spec.name, u"lifdag-run-0b7d1d5e-run"_s);
        QCOMPARE(spec.body.value(u"Image"_s).toString(), u"localhost/lifdag-code-location:1"_s);
        QCOMPARE(spec.body.value(u"Cmd"_s).toArray(),
                 (QJsonArray { u"lifdag"_s, u"execute-run"_s, u"0b7d1d5e-run"_s }));
        QVERIFY(!spec.body.contains(u"Entrypoint"_s)); // the image's own unless configured
        QCOMPARE(spec.body.value(u"Healthcheck"_s).toObject().value(u"Test"_s).toArray(),
                 QJsonArray { u"NONE"_s });
        QVERIFY(spec.removeWhenFinished);
        QVERIFY(spec.networks.isEmpty());
    }

    void entrypointFromContainerKwargs_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QJsonArray>("entrypoint");
        QTest::newRow("empty string clears it (LIF's config)")
            << QByteArray("    container_kwargs:\n      entrypoint: \"\"\n") << QJsonArray { QString() };
        QTest::newRow("empty list clears it")
            << QByteArray("    container_kwargs:\n      entrypoint: []\n") << QJsonArray { QString() };
        QTest::newRow("string is split like a shell")
            << QByteArray("    container_kwargs:\n      entrypoint: \"tini -- 'a b'\"\n")
            << QJsonArray { u"tini"_s, u"--"_s, u"a b"_s };
        QTest::newRow("double quotes and escapes")
            << QByteArray("    container_kwargs:\n      entrypoint: 'sh -c \"echo \\\"hi\\\"\" a\\ b'\n")
            << QJsonArray { u"sh"_s, u"-c"_s, u"echo \"hi\""_s, u"a b"_s };
        QTest::newRow("list taken as is")
            << QByteArray("    container_kwargs:\n      entrypoint: [\"/bin/sh\", \"-c\"]\n")
            << QJsonArray { u"/bin/sh"_s, u"-c"_s };
    }

    void entrypointFromContainerKwargs()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QJsonArray, entrypoint);
        QCOMPARE(build(yaml).body.value(u"Entrypoint"_s).toArray(), entrypoint);
    }

    void environmentMergesLaterSourcesOverEarlier()
    {
        const ContainerSpec spec = build("    env_vars:\n"
                                         "      - DAGSTER_POSTGRES_USER\n"
                                         "      - LITERAL=a=b,c\n"
                                         "      - SHARED=from env_vars\n"
                                         "      - NOT_IN_THE_LAUNCHER_ENV\n"
                                         "    container_kwargs:\n"
                                         "      environment: {EXTRA: 1, LITERAL: overridden}\n");
        const QMap<QString, QString> env = envOf(spec);
        QCOMPARE(env.value(u"DAGSTER_POSTGRES_USER"_s),
                 u"dagster"_s); // value from the launcher's environment
        QCOMPARE(env.value(u"LITERAL"_s), u"overridden"_s); // container_kwargs.environment over env_vars
        QCOMPARE(env.value(u"EXTRA"_s), u"1"_s);
        QCOMPARE(env.value(u"ADAPTERS__X__Y__CREDENTIALS__TOKEN"_s), u"t0k3n"_s); // code location passthrough
        QCOMPARE(env.value(u"SHARED"_s), u"from storage"_s); // storage last: the worker must reach it
        QVERIFY(!env.contains(u"NOT_IN_THE_LAUNCHER_ENV"_s));
        QCOMPARE(spec.warnings.size(), 1);
        QVERIFY(spec.warnings.first().contains(u"NOT_IN_THE_LAUNCHER_ENV is not set"_s));
        // one entry per name
        QCOMPARE(spec.body.value(u"Env"_s).toArray().size(), env.size());
    }

    void literalEnvValuesKeepEqualsSigns()
    {
        const QMap<QString, QString> env = envOf(build("    env_vars: [\"URL=postgres://h/db?a=1&b=2\"]\n"));
        QCOMPARE(env.value(u"URL"_s), u"postgres://h/db?a=1&b=2"_s);
    }

    void labelsNameTheRunAndJob()
    {
        const ContainerSpec spec = build("    container_kwargs:\n      labels: {team: lif, tier: 2}\n");
        const QJsonObject labels = spec.body.value(u"Labels"_s).toObject();
        QCOMPARE(labels.value(u"lifdag/run_id"_s).toString(), u"0b7d1d5e-run"_s);
        QCOMPARE(labels.value(u"lifdag/job"_s).toString(), u"env_check_job"_s);
        QCOMPARE(labels.value(u"lifdag/location"_s).toString(), u"lif_code_location"_s);
        QCOMPARE(labels.value(u"team"_s).toString(), u"lif"_s);
        QCOMPARE(labels.value(u"tier"_s).toString(), u"2"_s);
    }

    void volumesBecomeBinds_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QJsonArray>("binds");
        QTest::newRow("list (LIF's config)") << QByteArray(
            "    container_kwargs:\n      volumes:\n        - /var/run/docker.sock:/var/run/docker.sock\n"
            "        - /tmp/io_manager_storage:/tmp/io_manager_storage:ro\n")
                                             << QJsonArray {
                                                    u"/var/run/docker.sock:/var/run/docker.sock"_s,
                                                    u"/tmp/io_manager_storage:/tmp/io_manager_storage:ro"_s
                                                };
        QTest::newRow("docker-py map") << QByteArray("    container_kwargs:\n      volumes:\n"
                                                     "        data: {bind: /data, mode: rw}\n")
                                       << QJsonArray { u"data:/data:rw"_s };
    }

    void volumesBecomeBinds()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QJsonArray, binds);
        QCOMPARE(build(yaml).body.value(u"HostConfig"_s).toObject().value(u"Binds"_s).toArray(), binds);
    }

    void networksFirstAtCreateOthersConnectedAfter()
    {
        const ContainerSpec spec =
            build("    network: lif-net-org1\n    networks: [lif-net-org1, monitoring]\n");
        QCOMPARE(spec.networks, (QStringList { u"lif-net-org1"_s, u"monitoring"_s }));
        QCOMPARE(spec.body.value(u"HostConfig"_s).toObject().value(u"NetworkMode"_s).toString(),
                 u"lif-net-org1"_s);
        QCOMPARE(
            spec.body.value(u"NetworkingConfig"_s).toObject().value(u"EndpointsConfig"_s).toObject().keys(),
            QStringList { u"lif-net-org1"_s });
    }

    void hostNetworkIsAModeNotANetwork()
    {
        const ContainerSpec spec = build("    network: host\n");
        QCOMPARE(spec.body.value(u"HostConfig"_s).toObject().value(u"NetworkMode"_s).toString(), u"host"_s);
        QVERIFY(!spec.body.contains(u"NetworkingConfig"_s));
        const ContainerSpec mode = build("    container_kwargs: {network_mode: none}\n");
        QCOMPARE(mode.body.value(u"HostConfig"_s).toObject().value(u"NetworkMode"_s).toString(), u"none"_s);
    }

    void otherContainerSettings()
    {
        const ContainerSpec spec =
            build("    container_kwargs:\n      user: \"1000:1000\"\n      working_dir: /work\n"
                  "      mem_limit: 512m\n      extra_hosts: {db.local: 10.0.0.2}\n"
                  "      auto_remove: false\n");
        QCOMPARE(spec.body.value(u"User"_s).toString(), u"1000:1000"_s);
        QCOMPARE(spec.body.value(u"WorkingDir"_s).toString(), u"/work"_s);
        const QJsonObject host = spec.body.value(u"HostConfig"_s).toObject();
        QCOMPARE(host.value(u"Memory"_s).toDouble(), 512.0 * 1024 * 1024);
        QCOMPARE(host.value(u"ExtraHosts"_s).toArray(), QJsonArray { u"db.local:10.0.0.2"_s });
        QVERIFY(!spec.removeWhenFinished);
    }

    void rejectsWhatItCannotHonour_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown kwarg")
            << QByteArray("    container_kwargs: {privileged: true}\n")
            << u"run_launcher.config.container_kwargs.privileged: not supported by "
               u"lifdag's DockerRunLauncher (supported: auto_remove, entrypoint"_s;
        QTest::newRow("command is the launcher's")
            << QByteArray("    container_kwargs: {command: [sleep, 1]}\n")
            << u"container_kwargs.command: set by the launcher"_s;
        QTest::newRow("name is the launcher's") << QByteArray("    container_kwargs: {name: x}\n")
                                                << u"container_kwargs.name: set by the launcher"_s;
        QTest::newRow("volume without target")
            << QByteArray("    container_kwargs: {volumes: [/data]}\n")
            << u"container_kwargs.volumes[0]: expected \"SOURCE:/container/path"_s;
        QTest::newRow("relative target") << QByteArray("    container_kwargs: {volumes: [\"/a:b\"]}\n")
                                         << u"container_kwargs.volumes[0]"_s;
        QTest::newRow("reserved label") << QByteArray("    container_kwargs: {labels: {lifdag/run_id: x}}\n")
                                        << u"labels under lifdag/ are set by the launcher"_s;
        QTest::newRow("bad memory") << QByteArray("    container_kwargs: {mem_limit: lots}\n")
                                    << u"container_kwargs.mem_limit: expected bytes"_s;
        QTest::newRow("auto_remove not a bool")
            << QByteArray("    container_kwargs: {auto_remove: sometimes}\n")
            << u"container_kwargs.auto_remove: expected true or false"_s;
        QTest::newRow("network_mode with networks")
            << QByteArray("    network: lif\n    container_kwargs: {network_mode: host}\n")
            << u"give either network/networks or container_kwargs.network_mode"_s;
        QTest::newRow("unterminated quote")
            << QByteArray("    container_kwargs: {entrypoint: \"sh -c 'echo\"}\n")
            << u"container_kwargs.entrypoint: unterminated ' quote"_s;
        QTest::newRow("entrypoint of numbers")
            << QByteArray("    container_kwargs: {entrypoint: [1, 2]}\n")
            << u"container_kwargs.entrypoint: expected a string or a list"_s;
        QTest::newRow("environment entry without value")
            << QByteArray("    container_kwargs: {environment: [JUSTNAME]}\n")
            << u"container_kwargs.environment: expected NAME=value"_s;
    }

    void rejectsWhatItCannotHonour()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        const auto spec = buildContainerSpec(dockerConfig(yaml), inputs());
        QVERIFY(!spec.ok());
        QCOMPARE(spec.error().code, u"launcher.config"_s);
        QVERIFY2(spec.error().message.contains(error), qPrintable(spec.error().message));
    }

    void workerGetsThePostgresStorageWithThePasswordApart()
    {
        QTemporaryDir home;
        qputenv("LIFDAG_TEST_SPEC_PG_PASSWORD", "s3cr3t pass:word");
        const auto instance =
            config::parseInstance("storage:\n  postgres:\n    postgres_db:\n      hostname: pg.internal\n"
                                  "      port: 6543\n      username: dagster\n"
                                  "      password: {env: LIFDAG_TEST_SPEC_PG_PASSWORD}\n"
                                  "      db_name: lif\n      params: {sslmode: disable}\n",
                                  u"dagster.yaml"_s, home.path());
        QVERIFY2(instance.ok(), qPrintable(instance.ok() ? QString() : instance.error().message));
        const auto env = workerStorageEnvironment(*instance, {});
        QVERIFY2(env.ok(), qPrintable(env.ok() ? QString() : env.error().message));
        QCOMPARE(env->size(), 2);
        const QString yaml = env->at(0).section(u'=', 1);
        QVERIFY(env->at(0).startsWith(u"LIFDAG_INSTANCE_YAML="_s));
        QVERIFY(!yaml.contains(u"s3cr3t"_s)); // the credential travels only in its own variable
        QCOMPARE(env->at(1), u"LIFDAG_STORAGE_PASSWORD=s3cr3t pass:word"_s);

        // What `lifdag execute-run` does with it in the container: the same storage.
        qputenv("LIFDAG_STORAGE_PASSWORD", "s3cr3t pass:word");
        const auto worker =
            config::parseInstance(yaml.toUtf8(), u"$LIFDAG_INSTANCE_YAML"_s, u"/opt/dagster"_s);
        qunsetenv("LIFDAG_STORAGE_PASSWORD");
        QVERIFY2(worker.ok(), qPrintable(worker.ok() ? QString() : worker.error().message));
        const config::PostgresConfig &pg = worker->runStorage.postgres;
        QCOMPARE(worker->runStorage.backend, config::StorageConfig::Backend::Postgres);
        QCOMPARE(pg.hostname, u"pg.internal"_s);
        QCOMPARE(pg.port, 6543);
        QCOMPARE(pg.username, u"dagster"_s);
        QCOMPARE(pg.password, u"s3cr3t pass:word"_s);
        QCOMPARE(pg.dbName, u"lif"_s);
        QCOMPARE(pg.params.value(u"sslmode"_s).toString(), u"disable"_s);
    }

    void sqliteStorageNeedsAMountedDirectory()
    {
        QTemporaryDir home;
        const auto instance = config::parseInstance(QByteArray(), u"dagster.yaml"_s, home.path());
        QVERIFY(instance.ok());
        const QString dir = instance->runStorage.sqliteBaseDir;
        const auto refused = workerStorageEnvironment(*instance, {});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, u"launcher.storage"_s);
        QVERIFY(refused.error().message.contains(u"SQLite (%1)"_s.arg(dir)));
        QVERIFY(refused.error().message.contains(u"container_kwargs.volumes"_s));

        config::DockerLauncherConfig mounted;
        mounted.containerKwargs.insert(u"volumes"_s,
                                       QJsonArray { QString(home.path() + u':' + home.path()) });
        const auto env = workerStorageEnvironment(*instance, mounted);
        QVERIFY2(env.ok(), qPrintable(env.ok() ? QString() : env.error().message));
        QCOMPARE(env->size(), 1);
        QVERIFY(env->first().contains(u"\"sqlite\""_s));
    }
};

QTEST_GUILESS_MAIN(TestContainerSpec)
#include "tst_containerspec.moc"
