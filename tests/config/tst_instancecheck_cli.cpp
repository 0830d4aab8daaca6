// `lifdag instance check` as operators run it: exit codes, the summary, one-line errors.
#include "testsupport.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestInstanceCheckCli : public QObject
{
    Q_OBJECT

    struct Outcome
    {
        int exitCode;
        QString out;
        QString err;
    };

    static Outcome run(const QStringList &args, const QProcessEnvironment &env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(lifdag::test::lifdagExecutable(), args);
        if (!p.waitForFinished(30000))
            return { -1, {}, u"timeout"_s };
        return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
                 QString::fromUtf8(p.readAllStandardError()) };
    }

    static QProcessEnvironment lifEnv()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DAGSTER_POSTGRES_USER"_s, u"u"_s);
        env.insert(u"DAGSTER_POSTGRES_PASSWORD"_s, u"p-secret-value"_s);
        env.insert(u"DAGSTER_POSTGRES_DB"_s, u"d"_s);
        return env;
    }

    // LIF's deployment files, read in place from the shared reference data beside the project.
    static QString lifDeployDir() { return QStringLiteral(LIFDAG_SOURCE_DIR "/../shared/data/lif-deploy"); }

private Q_SLOTS:
    void lifDeploymentLoadsUnchanged()
    {
        QVERIFY2(QFileInfo::exists(lifDeployDir() + u"/dagster.yaml"_s),
                 qPrintable(u"LIF's reference deployment is missing at "_s + lifDeployDir()));
        const Outcome o = run({ u"instance"_s, u"check"_s, u"--home"_s, lifDeployDir() }, lifEnv());
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QVERIFY2(
            o.out.contains(u"QueuedRunCoordinator (max_concurrent_runs 5; tag operation=example limit 5"_s),
            qPrintable(o.out));
        QVERIFY(o.out.contains(u"run launcher:    DefaultRunLauncher"_s));
        QVERIFY(o.out.contains(u"PostgreSQL postgres-dagster:5432/d"_s));
        QVERIFY(o.out.contains(u"location lif_code_location at dagster-code-location:4000"_s));
        QVERIFY(!o.out.contains(u"p-secret-value"_s));
        QVERIFY(!o.err.contains(u"p-secret-value"_s));
    }

    void projectDockerConfigurationLoads()
    {
        QProcessEnvironment env = lifEnv();
        env.insert(u"DAGSTER_POSTGRES_HOST"_s, u"postgres-lifdag"_s);
        const Outcome o =
            run({ u"instance"_s, u"check"_s, u"--home"_s, QStringLiteral(LIFDAG_SOURCE_DIR "/docker") }, env);
        QVERIFY2(o.exitCode == 0, qPrintable(o.err));
        QVERIFY(o.out.contains(u"PostgreSQL postgres-lifdag:5432/d"_s));
        QVERIFY(o.out.contains(u"location lif_code_location at lifdag-code-location:4000"_s));
    }

    void missingVariableExitsOneNamingItAndItsLine()
    {
        QProcessEnvironment env = lifEnv();
        env.remove(u"DAGSTER_POSTGRES_PASSWORD"_s);
        const Outcome o = run({ u"instance"_s, u"check"_s, u"--home"_s, lifDeployDir() }, env);
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(
                     u"dagster.yaml:48:14: run_storage.config.postgres_db.password: environment variable "
                     "DAGSTER_POSTGRES_PASSWORD is not set"_s),
                 qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(QLatin1Char('\n')), 0);
    }

    void badFileExitsOneWithOneLine()
    {
        QTemporaryDir home;
        QFile f(QDir(home.path()).filePath(u"dagster.yaml"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("run_launcher:\n  class: NoSuchLauncher\n");
        f.close();
        const Outcome o = run({ u"instance"_s, u"check"_s, u"--home"_s, home.path() },
                              QProcessEnvironment::systemEnvironment());
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(u"dagster.yaml:2:10: run_launcher.class: unknown class \"NoSuchLauncher\""_s),
                 qPrintable(o.err));
        QCOMPARE(o.err.trimmed().count(QLatin1Char('\n')), 0);
    }

    void usageErrorsAndHelp()
    {
        const auto env = QProcessEnvironment::systemEnvironment();
        QCOMPARE(run({ u"instance"_s, u"frobnicate"_s, u"--home"_s, u"."_s }, env).exitCode, 2);
        QCOMPARE(run({ u"no-such-command"_s }, env).exitCode, 2);
        const Outcome help = run({ u"instance"_s, u"--help"_s }, env);
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains(u"--home"_s));
        const Outcome version = run({ u"--version"_s }, env);
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith(u"lifdag "_s));
    }
};

QTEST_GUILESS_MAIN(TestInstanceCheckCli)
#include "tst_instancecheck_cli.moc"
