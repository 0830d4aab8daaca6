// docker/: the compose file validates (`docker-compose config`) and is a drop-in for the Dagster
// services of LIF's compose file (same roles, variables, ports, restart policies, health and
// start order, commands); dagster.yaml's DockerRunLauncher block is ready to switch to; the two
// lifdag Dockerfiles keep their shared stages alike (so the layers are built once).
#include "testsupport.h"

#include <yaml-cpp/yaml.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

const QString kDocker = QStringLiteral(LIFDAG_SOURCE_DIR "/docker");
const QString kLifDeploy = QStringLiteral(LIFDAG_SOURCE_DIR "/../shared/data/lif-deploy");

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString str(const YAML::Node &n)
{
    return n && n.IsScalar() ? QString::fromStdString(n.Scalar()) : QString();
}

QStringList strings(const YAML::Node &n)
{
    QStringList out;
    if (n && n.IsSequence()) {
        for (const auto &item : n)
            out << str(item);
    } else if (n && n.IsScalar()) {
        out << str(n);
    }
    return out;
}

QStringList keys(const YAML::Node &n)
{
    QStringList out;
    if (n && n.IsMap()) {
        for (const auto &kv : n)
            out << str(kv.first);
    } else if (n && n.IsSequence()) { // [NAME=value] or [NAME]
        for (const auto &item : n)
            out << str(item).section(u'=', 0, 0);
    }
    return out;
}

// "HOST:CONTAINER", "ADDR:HOST:CONTAINER/tcp" → "HOST:CONTAINER"
QStringList publishedPorts(const YAML::Node &n)
{
    QStringList out;
    for (const QString &p : strings(n)) {
        const QStringList parts = p.section(u'/', 0, 0).split(u':');
        if (parts.size() >= 2)
            out << parts[parts.size() - 2] + u':' + parts.last();
    }
    return out;
}

QStringList mountTargets(const YAML::Node &n)
{
    QStringList out;
    for (const QString &v : strings(n))
        out << v.section(u':', 1, 1);
    return out;
}

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
             QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

// A clean environment: the compose file's own defaults apply.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env;
    env.insert(u"PATH"_s, qEnvironmentVariable("PATH"));
    env.insert(u"HOME"_s, QDir::tempPath());
    return env;
}

} // namespace

class TestCompose : public QObject
{
    Q_OBJECT

    QString m_compose; // docker-compose
    YAML::Node m_ours; // `docker-compose config` of docker/docker-compose.yml

    Run composeConfig(const QProcessEnvironment &env)
    {
        return run(m_compose, { u"-f"_s, kDocker + u"/docker-compose.yml"_s, u"config"_s }, env);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_compose = QStandardPaths::findExecutable(u"docker-compose"_s);
        QVERIFY2(!m_compose.isEmpty(), "docker-compose is not installed (scripts/deps.sh installs Debian's)");
    }

    void composeFileValidates_data()
    {
        QTest::addColumn<QStringList>("variables");
        QTest::newRow("defaults") << QStringList {};
        QTest::newRow("prebuilt images, private engine, own ports (the smoke test's)")
            << QStringList { u"LIFDAG_BUILD_TARGET=prebuilt"_s,
                             u"LIFDAG_BASE_IMAGE=localhost/lifdag-debian:bookworm"_s,
                             u"LIFDAG_DAGSTER_IMAGE=localhost/lifdag-dagster:smoke"_s,
                             u"LIFDAG_CODE_LOCATION_IMAGE=localhost/lifdag-code-location:smoke"_s,
                             u"LIFDAG_POSTGRES_IMAGE=localhost/lifdag-postgres:15"_s,
                             u"DOCKER_SOCKET=/tmp/x/podman.sock"_s,
                             u"DOCKER_GID=2375"_s,
                             u"LIFDAG_NETWORK=lifdag-smoke-1"_s,
                             u"LIFDAG_PUBLISH_ADDRESS=127.0.0.1"_s,
                             u"LIFDAG_WEBSERVER_PORT=13000"_s,
                             u"LIF_TRANSLATOR_BASE_URL="_s };
    }

    void composeFileValidates()
    {
        QFETCH(QStringList, variables);
        QProcessEnvironment env = cleanEnvironment();
        for (const QString &v : variables)
            env.insert(v.section(u'=', 0, 0), v.section(u'=', 1));
        const Run r = composeConfig(env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const YAML::Node config = YAML::Load(r.out.toStdString());
        QCOMPARE(keys(config[u"services"_s.toStdString()]).size(), 5);
        for (const QString &v : variables) {
            const QString value = v.section(u'=', 1);
            if (!value.isEmpty())
                QVERIFY2(r.out.contains(value), qPrintable(v + u" not applied:\n"_s + r.out));
        }
        if (variables.isEmpty())
            m_ours = config;
    }

    void dropInForLifsDagsterServices_data()
    {
        QTest::addColumn<QString>("lif");
        QTest::addColumn<QString>("ours");
        QTest::newRow("postgres") << u"postgres-dagster"_s << u"postgres-lifdag"_s;
        QTest::newRow("code location") << u"dagster-code-location"_s << u"lifdag-code-location"_s;
        QTest::newRow("webserver") << u"dagster-webserver"_s << u"lifdag-webserver"_s;
        QTest::newRow("daemon") << u"dagster-daemon"_s << u"lifdag-daemon"_s;
    }

    void dropInForLifsDagsterServices()
    {
        QFETCH(QString, lif);
        QFETCH(QString, ours);
        const QString lifText = readText(kLifDeploy + u"/docker-compose.dagster-services.yml"_s);
        QVERIFY2(!lifText.isEmpty(), qPrintable(u"LIF's reference deployment is missing at "_s + kLifDeploy));
        QVERIFY2(m_ours.IsMap(), "composeFileValidates(defaults) must run first");
        const YAML::Node lifServices = YAML::Load(lifText.toStdString());
        const YAML::Node l = lifServices[lif.toStdString()];
        const YAML::Node o = m_ours["services"][ours.toStdString()];
        QVERIFY2(l.IsMap(), qPrintable(lif));
        QVERIFY2(o.IsMap(), qPrintable(ours));
        const QHash<QString, QString> renamed { { u"postgres-dagster"_s, u"postgres-lifdag"_s },
                                                { u"dagster-code-location"_s, u"lifdag-code-location"_s },
                                                { u"dagster-webserver"_s, u"lifdag-webserver"_s },
                                                { u"dagster-daemon"_s, u"lifdag-daemon"_s } };

        // The variables LIF sets (its credentials, storage, image), all set here too.
        const QStringList ourVariables = keys(o["environment"]);
        for (const QString &name : keys(l["environment"]))
            QVERIFY2(ourVariables.contains(name), qPrintable(ours + u" lacks "_s + name));
        // The same published ports, restart policy, health check, start order and network.
        QCOMPARE(publishedPorts(o["ports"]), publishedPorts(l["ports"]));
        if (l["restart"])
            QCOMPARE(str(o["restart"]), str(l["restart"]));
        QCOMPARE(bool(o["healthcheck"]), bool(l["healthcheck"]));
        if (l["depends_on"]) {
            for (const auto &dep : l["depends_on"]) {
                const QString name = renamed.value(str(dep.first));
                QVERIFY2(o["depends_on"][name.toStdString()],
                         qPrintable(ours + u" does not depend on "_s + name));
                QCOMPARE(str(o["depends_on"][name.toStdString()]["condition"]), str(dep.second["condition"]));
            }
        }
        QVERIFY(o["networks"]["lif-net-org1"]);
        QCOMPARE(str(m_ours["networks"]["lif-net-org1"]["name"]), u"lif-net-org1"_s);
        // The Docker socket where LIF mounts it (launch and terminate per-run containers).
        for (const QString &target : mountTargets(l["volumes"])) {
            if (target == u"/var/run/docker.sock"_s)
                QVERIFY2(mountTargets(o["volumes"]).contains(target), qPrintable(ours));
        }
        // dagster-webserver ARGS → lifdag webserver ARGS; dagster-daemon run → lifdag daemon run.
        const QStringList lifEntrypoint = strings(l["entrypoint"]);
        if (!lifEntrypoint.isEmpty()) {
            QStringList expected { u"lifdag"_s, lifEntrypoint.first().section(u'-', 1) };
            expected += lifEntrypoint.mid(1);
            QCOMPARE(strings(o["entrypoint"]), expected);
        }
        // The image the DockerRunLauncher runs is the code location's own.
        if (l["environment"]["DAGSTER_CURRENT_IMAGE"])
            QCOMPARE(str(o["environment"]["DAGSTER_CURRENT_IMAGE"]), str(o["image"]));
    }

    void lifsConfigFilesFindOurServicesByTheirNames()
    {
        // postgres-dagster and dagster-code-location, as LIF's dagster.yaml/workspace.yaml say.
        QVERIFY(strings(m_ours["services"]["postgres-lifdag"]["networks"]["lif-net-org1"]["aliases"])
                    .contains(u"postgres-dagster"_s));
        QVERIFY(strings(m_ours["services"]["lifdag-code-location"]["networks"]["lif-net-org1"]["aliases"])
                    .contains(u"dagster-code-location"_s));
        QVERIFY(readText(kLifDeploy + u"/workspace.yaml"_s).contains(u"host: dagster-code-location"_s));
        QVERIFY(readText(kLifDeploy + u"/dagster.yaml"_s).contains(u"hostname: postgres-dagster"_s));
    }

    void dockerLauncherBlockIsReadyToSwitch()
    {
        // docker/dagster.yaml with its commented-out DockerRunLauncher block in force instead.
        const QStringList lines = readText(kDocker + u"/dagster.yaml"_s).split(u'\n');
        QStringList switched;
        bool inDefault = false;
        bool inDocker = false;
        int uncommented = 0;
        for (const QString &line : lines) {
            if (line == u"run_launcher:"_s) {
                inDefault = true;
                continue;
            }
            if (inDefault) {
                if (line.startsWith(u"  "_s))
                    continue;
                inDefault = false;
            }
            if (line == u"# run_launcher:"_s)
                inDocker = true;
            if (inDocker && line.startsWith(u"# "_s)) {
                switched << line.mid(2);
                ++uncommented;
                continue;
            }
            inDocker = false;
            switched << line;
        }
        QVERIFY2(uncommented >= 10, qPrintable(switched.join(u'\n')));
        QTemporaryDir home;
        QVERIFY(test::writeTextFile(home.filePath(u"dagster.yaml"_s), switched.join(u'\n').toUtf8()));
        QVERIFY(QFile::copy(kDocker + u"/workspace.yaml"_s, home.filePath(u"workspace.yaml"_s)));
        QProcessEnvironment env = cleanEnvironment();
        for (const char *name : { "DAGSTER_POSTGRES_HOST", "DAGSTER_POSTGRES_USER",
                                  "DAGSTER_POSTGRES_PASSWORD", "DAGSTER_POSTGRES_DB" })
            env.insert(QString::fromLatin1(name), u"x"_s);
        const Run r =
            run(test::lifdagExecutable(), { u"instance"_s, u"check"_s, u"--home"_s, home.path() }, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(
            r.out.contains(u"run launcher:    DockerRunLauncher (image from DAGSTER_CURRENT_IMAGE; network "
                           "lif-net-org1; 3 env var(s))"_s),
            qPrintable(r.out));
    }

    void imagesShareTheirCommonStages()
    {
        // Up to runtime-base, both lifdag images are built from the same instructions.
        auto shared = [](const QString &dockerfile) -> QString {
            QStringList out;
            for (const QString &line : readText(kDocker + u"/"_s + dockerfile).split(u'\n')) {
                if (line.startsWith(u"FROM scratch AS runtime-base"_s))
                    break;
                if (!line.startsWith(u'#') && !line.trimmed().isEmpty())
                    out << line;
            }
            return out.join(u'\n');
        };
        const QString codeLocation = shared(u"Dockerfile.code_location"_s);
        QVERIFY(codeLocation.contains(u"AS builder"_s) && codeLocation.contains(u"AS runtime-rootfs"_s));
        QCOMPARE(shared(u"Dockerfile.dagster"_s), codeLocation);
        for (const QString &f : { u"Dockerfile.code_location"_s, u"Dockerfile.dagster"_s }) {
            const QString text = readText(kDocker + u"/"_s + f);
            QVERIFY2(text.contains(u"\nUSER lifdag\n"_s), qPrintable(f)); // never root
            QVERIFY2(text.contains(u"\nHEALTHCHECK "_s), qPrintable(f));
            QVERIFY2(text.contains(u"ENV PATH=/usr/local/bin:/usr/bin LANG=C.UTF-8 "
                                   "DAGSTER_HOME=/opt/dagster/dagster_home"_s),
                     qPrintable(f));
            QVERIFY2(text.contains(u"FROM runtime-base AS prebuilt"_s), qPrintable(f));
        }
    }
};

QTEST_GUILESS_MAIN(TestCompose)
#include "tst_compose.moc"
