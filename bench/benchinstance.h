// A lifdag instance for the bench drivers: a temporary DAGSTER_HOME on SQLite or on the PostgreSQL
// server scripts/bench.sh starts, with a real `lifdag code-server` process as its one location.
#pragma once

#include <lifdag/core/runstatus.h>
#include <lifdag/instance/instance.h>

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace lifdag::bench {

enum class Backend { Sqlite, Postgres };

// storage: stanza for the backend (PostgreSQL coordinates from LIFDAG_BENCH_PG_*).
QString storageYaml(Backend backend);

class BenchInstance
{
public:
    // Writes dagster.yaml (storage + `extraYaml`), starts the code server with `serverEnv` added to
    // this process's environment, writes workspace.yaml, opens the instance. Check ok() / error().
    BenchInstance(Backend backend, const QString &extraYaml = {},
                  const QProcessEnvironment &serverEnv = QProcessEnvironment());
    ~BenchInstance();

    bool ok() const { return m_instance != nullptr; }
    const QString &error() const { return m_error; }
    instance::Instance &instance() { return *m_instance; }
    std::shared_ptr<instance::Instance> shared() { return m_instance; }
    QString home() const { return m_home.path(); }
    int codeServerPort() const { return m_port; }

    // Polls storage until the run ended; returns its status (NotStarted when it never did).
    RunStatus waitForEnd(const QString &runId, int timeoutMs = 60000);

private:
    QTemporaryDir m_home;
    QProcess m_server;
    int m_port = 0;
    QString m_error;
    std::shared_ptr<instance::Instance> m_instance;
};

} // namespace lifdag::bench
