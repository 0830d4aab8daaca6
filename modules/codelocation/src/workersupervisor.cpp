#include "lifdag/codelocation/workersupervisor.h"

#include "codelocation_log_p.h"
#include "lifdag/codelocation/runstore.h"
#include "lifdag/codelocation/zygote.h"
#include "spawn_p.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace lifdag::codelocation {

using namespace std::chrono_literals;

WorkerSupervisor::WorkerSupervisor(QString program, QProcessEnvironment env, Options options)
    : m_program(std::move(program))
    , m_env(std::move(env))
    , m_options(options)
{
    for (const QString &kv : m_env.toStringList())
        m_envStore.push_back(kv.toLocal8Bit());
    if (m_options.zygote) {
        // Started now, so the first run is as fast as the next ones.
        std::lock_guard lock(m_mutex);
        startZygote();
    }
    m_reaper = std::thread([this] { reapLoop(); });
}

WorkerSupervisor::~WorkerSupervisor()
{
    terminateAll(5s);
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_zygote.reset();
    }
    m_wake.notify_all();
    m_reaper.join();
}

bool WorkerSupervisor::startZygote()
{
    QString error;
    m_zygote = Zygote::start(m_program, m_envStore, &error);
    if (m_zygote)
        return true;
    qCWarning(lcCodeLocation, "no worker zygote (%s): workers are spawned", qPrintable(error));
    m_zygoteRetryAt = std::chrono::steady_clock::now() + 30s;
    return false;
}

qint64 WorkerSupervisor::forkFromZygote(const QString &runId, const QStringList &args)
{
    if (!m_options.zygote)
        return 0;
    if (!m_zygote && (std::chrono::steady_clock::now() < m_zygoteRetryAt || !startZygote()))
        return 0;
    QString error;
    QStringList workerArgs = args;
    int storeFd = -1;
    if (m_options.runStore) {
        if (const auto fd = m_options.runStore->connect(runId)) {
            storeFd = *fd;
            workerArgs << QStringLiteral("--store-fd") << QString::number(kWorkerStoreFd);
        } else {
            qCWarning(lcCodeLocation, "run %s: the worker connects to storage itself: %s", qPrintable(runId),
                      qPrintable(fd.error().message));
        }
    }
    const pid_t pid = m_zygote->fork(workerArgs, &error, storeFd);
    if (storeFd >= 0)
        ::close(storeFd); // the worker has its copy
    if (pid > 0)
        return pid;
    qCWarning(lcCodeLocation, "run %s: %s; spawning the worker instead (zygote restarted in 5 s)",
              qPrintable(runId), qPrintable(error));
    m_zygote.reset();
    m_zygoteRetryAt = std::chrono::steady_clock::now() + 5s;
    return 0;
}

Result<qint64> WorkerSupervisor::start(const QString &runId, const QStringList &args)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_workers.find(runId);
        it != m_workers.end() && it->second.status.state == WorkerStatus::State::Running)
        return Error {
            QStringLiteral("codelocation.already_running"),
            QStringLiteral("run %1 already has a worker (pid %2)").arg(runId).arg(it->second.status.pid)
        };
    qint64 pid = forkFromZygote(runId, args);
    if (pid <= 0) {
        const auto spawned = spawn(runId, args);
        if (!spawned)
            return spawned;
        pid = *spawned;
    }

    Entry entry;
    entry.status.state = WorkerStatus::State::Running;
    entry.status.pid = pid;
    entry.status.startedAt = QDateTime::currentDateTimeUtc();
    m_workers[runId] = entry;
    qCInfo(lcCodeLocation, "run %s: worker pid %lld started", qPrintable(runId), pid);
    m_wake.notify_all();
    return pid;
}

Result<qint64> WorkerSupervisor::spawn(const QString &runId, const QStringList &args)
{
    std::vector<QByteArray> argStore;
    argStore.push_back(m_program.toLocal8Bit());
    for (const QString &a : args)
        argStore.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : argStore)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<char *> envp;
    for (QByteArray &e : m_envStore)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    const int rc = detail::spawnWorkerProcess(&pid, argv.data(), envp.data());
    if (rc != 0)
        return Error { QStringLiteral("codelocation.spawn"),
                       QStringLiteral("cannot start %1 for run %2: %3")
                           .arg(m_program, runId, QString::fromLocal8Bit(std::strerror(rc))) };
    return qint64(pid);
}

bool WorkerSupervisor::cancel(const QString &runId, std::chrono::milliseconds grace)
{
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(runId);
    if (it == m_workers.end() || it->second.status.state != WorkerStatus::State::Running)
        return false;
    ::kill(pid_t(it->second.status.pid), SIGTERM);
    it->second.killAt = std::min(it->second.killAt, std::chrono::steady_clock::now() + grace);
    qCInfo(lcCodeLocation, "run %s: SIGTERM to worker pid %lld (SIGKILL in %lld ms)", qPrintable(runId),
           it->second.status.pid, static_cast<long long>(grace.count()));
    m_wake.notify_all();
    return true;
}

WorkerStatus WorkerSupervisor::status(const QString &runId) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(runId);
    return it == m_workers.end() ? WorkerStatus {} : it->second.status;
}

WorkerStatus WorkerSupervisor::waitForExit(const QString &runId, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] {
        auto it = m_workers.find(runId);
        return it == m_workers.end() || it->second.status.state != WorkerStatus::State::Running;
    });
    auto it = m_workers.find(runId);
    return it == m_workers.end() ? WorkerStatus {} : it->second.status;
}

qint64 WorkerSupervisor::zygotePid() const
{
    std::lock_guard lock(m_mutex);
    return m_zygote ? m_zygote->pid() : 0;
}

int WorkerSupervisor::runningCount() const
{
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const auto &[id, e] : m_workers)
        n += e.status.state == WorkerStatus::State::Running ? 1 : 0;
    return n;
}

void WorkerSupervisor::terminateAll(std::chrono::milliseconds grace)
{
    QStringList running;
    {
        std::lock_guard lock(m_mutex);
        for (const auto &[id, e] : m_workers) {
            if (e.status.state == WorkerStatus::State::Running)
                running.append(id);
        }
    }
    for (const QString &id : running)
        cancel(id, grace);
    for (const QString &id : running)
        waitForExit(id, grace + 2s);
}

void WorkerSupervisor::reapLoop()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        bool anyRunning = false;
        bool changed = false;
        const auto now = std::chrono::steady_clock::now();
        for (auto &[runId, e] : m_workers) {
            if (e.status.state != WorkerStatus::State::Running)
                continue;
            int st = 0;
            const pid_t r = ::waitpid(pid_t(e.status.pid), &st, WNOHANG);
            if (r == pid_t(e.status.pid) || (r < 0 && errno == ECHILD)) {
                e.status.state = WorkerStatus::State::Exited;
                e.status.endedAt = QDateTime::currentDateTimeUtc();
                if (r > 0 && WIFSIGNALED(st))
                    e.status.signal = WTERMSIG(st);
                else if (r > 0 && WIFEXITED(st))
                    e.status.exitCode = WEXITSTATUS(st);
                changed = true;
                qCInfo(lcCodeLocation, "run %s: worker pid %lld exited (code %d, signal %d)",
                       qPrintable(runId), e.status.pid, e.status.exitCode, e.status.signal);
                // the process group may still hold children of the worker
                ::kill(-pid_t(e.status.pid), SIGKILL);
                continue;
            }
            anyRunning = true;
            if (now >= e.killAt) {
                qCWarning(lcCodeLocation, "run %s: worker pid %lld ignored SIGTERM; sending SIGKILL",
                          qPrintable(runId), e.status.pid);
                ::kill(-pid_t(e.status.pid), SIGKILL);
                ::kill(pid_t(e.status.pid), SIGKILL);
                e.killAt = std::chrono::steady_clock::time_point::max();
            }
        }
        // Forget the oldest finished workers beyond a bound, so a long-lived server stays small.
        if (m_workers.size() > 20000) {
            for (auto it = m_workers.begin(); it != m_workers.end() && m_workers.size() > 10000;) {
                it = it->second.status.state == WorkerStatus::State::Exited ? m_workers.erase(it)
                                                                            : std::next(it);
            }
        }
        if (changed)
            m_changed.notify_all();
        if (m_stopping && !anyRunning)
            return;
        if (anyRunning)
            m_wake.wait_for(lock, 5ms);
        else
            m_wake.wait(lock);
    }
}

} // namespace lifdag::codelocation
