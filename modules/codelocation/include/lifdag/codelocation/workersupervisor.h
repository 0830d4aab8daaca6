// Spawns, watches, cancels and reaps run worker processes (`lifdag execute-run RUN_ID`).
#pragma once

#include <lifdag/core/result.h>

#include <QDateTime>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace lifdag::codelocation {

struct WorkerStatus
{
    enum class State { Unknown, Running, Exited };
    State state = State::Unknown;
    qint64 pid = 0;
    int exitCode = 0; // when exited normally
    int signal = 0; // when killed by a signal
    QDateTime startedAt;
    QDateTime endedAt;
};

class Zygote;
class RunStoreServer;

class WorkerSupervisor
{
public:
    struct Options
    {
        // Fork workers from a pre-started `program worker-zygote` (see zygote.h) instead of
        // spawning `program` each time; only for the lifdag executable. Falls back to spawning
        // when the zygote fails (it is started again after a pause).
        bool zygote = false;
        // With a zygote: forked workers store through this server (runstore.h) instead of
        // connecting to storage themselves. Spawned workers always connect themselves.
        std::shared_ptr<RunStoreServer> runStore;
    };
    // `program` is the lifdag executable; each worker gets `env` (complete) as its environment.
    WorkerSupervisor(QString program, QProcessEnvironment env, Options options);
    WorkerSupervisor(QString program, QProcessEnvironment env)
        : WorkerSupervisor(std::move(program), std::move(env), Options {})
    { }
    ~WorkerSupervisor(); // terminates running workers (SIGTERM, then SIGKILL after 5 s)

    WorkerSupervisor(const WorkerSupervisor &) = delete;
    WorkerSupervisor &operator=(const WorkerSupervisor &) = delete;

    // Starts `program args…` for `runId`; an error when a worker for it is already running.
    Result<qint64> start(const QString &runId, const QStringList &args);
    // SIGTERM now, SIGKILL when still alive after `grace`. False when no live worker has that run.
    bool cancel(const QString &runId, std::chrono::milliseconds grace);
    WorkerStatus status(const QString &runId) const;
    int runningCount() const;
    qint64 zygotePid() const; // 0 when workers are spawned (no zygote, or it failed)
    void terminateAll(std::chrono::milliseconds grace);
    // Blocks until the run's worker exited or the timeout passed; returns its final status.
    WorkerStatus waitForExit(const QString &runId, std::chrono::milliseconds timeout) const;

private:
    struct Entry
    {
        WorkerStatus status;
        std::chrono::steady_clock::time_point killAt = std::chrono::steady_clock::time_point::max();
    };
    void reapLoop();
    Result<qint64> spawn(const QString &runId, const QStringList &args); // with m_mutex held
    qint64 forkFromZygote(const QString &runId, const QStringList &args); // 0: not possible now
    bool startZygote(); // with m_mutex held; on failure, tries again after a pause

    const QString m_program;
    const QProcessEnvironment m_env;
    const Options m_options;
    std::vector<QByteArray> m_envStore; // m_env as KEY=VALUE entries
    std::unique_ptr<Zygote> m_zygote;
    std::chrono::steady_clock::time_point m_zygoteRetryAt {};
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed; // a worker exited
    std::condition_variable m_wake; // the reaper has something new to watch
    std::map<QString, Entry> m_workers;
    bool m_stopping = false;
    std::thread m_reaper;
};

} // namespace lifdag::codelocation
