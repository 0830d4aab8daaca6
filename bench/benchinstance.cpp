#include "benchinstance.h"

#include "testsupport.h"

#include <QElapsedTimer>
#include <QThread>

using namespace Qt::StringLiterals;

namespace lifdag::bench {

QString storageYaml(Backend backend)
{
    if (backend == Backend::Sqlite)
        return u"storage:\n  sqlite:\n    base_dir: storage\n"_s;
    test::PgServer pg;
    pg.host = qEnvironmentVariable("LIFDAG_BENCH_PG_HOST", u"127.0.0.1"_s);
    pg.port = qEnvironmentVariable("LIFDAG_BENCH_PG_PORT", u"5432"_s).toInt();
    pg.user = qEnvironmentVariable("LIFDAG_BENCH_PG_USER", u"postgres"_s);
    return test::postgresInstanceYaml(pg, qEnvironmentVariable("LIFDAG_BENCH_PG_DB", u"lifdag_bench"_s),
                                      u"LIFDAG_BENCH_PG_PASSWORD"_s);
}

BenchInstance::BenchInstance(Backend backend, const QString &extraYaml, const QProcessEnvironment &serverEnv)
{
    if (!m_home.isValid()) {
        m_error = u"no temporary directory"_s;
        return;
    }
    if (!test::writeTextFile(m_home.filePath(u"dagster.yaml"_s),
                             (storageYaml(backend) + extraYaml).toUtf8())) {
        m_error = u"cannot write dagster.yaml"_s;
        return;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(serverEnv);
    env.insert(u"DAGSTER_HOME"_s, m_home.path());
    env.insert(u"QT_LOGGING_RULES"_s, u"lifdag.*.info=false"_s);
    m_server.setProcessEnvironment(env);
    m_port = test::startLifdagServer(m_server,
                                     { u"code-server"_s, u"start"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s,
                                       u"--location-name"_s, u"bench"_s, u"--log-level"_s, u"warning"_s },
                                     &m_error);
    if (m_port == 0)
        return;
    test::writeTextFile(m_home.filePath(u"workspace.yaml"_s),
                        test::grpcWorkspaceYaml(m_port, u"bench"_s).toUtf8());
    qputenv("DAGSTER_HOME", m_home.path().toUtf8());
    auto opened = instance::Instance::open(m_home.path());
    if (!opened) {
        m_error = opened.error().message;
        return;
    }
    m_instance = *opened;
}

BenchInstance::~BenchInstance()
{
    m_instance.reset();
    if (m_server.state() == QProcess::Running) {
        m_server.terminate();
        m_server.waitForFinished(10000);
    }
}

RunStatus BenchInstance::waitForEnd(const QString &runId, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        const auto run = m_instance->storage().runs().run(runId);
        if (run && run->has_value() && isTerminal((*run)->status))
            return (*run)->status;
        QThread::usleep(500);
    }
    return RunStatus::NotStarted;
}

} // namespace lifdag::bench
