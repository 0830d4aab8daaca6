// The worker zygote: a `lifdag` process started once by the code server that forks run workers on
// request, so a run does not pay for exec and for loading ~80 shared libraries (tens of ms) each
// time. The zygote stays single-threaded and never creates a QCoreApplication, so fork() is safe;
// a forked worker then starts exactly as `lifdag execute-run RUN_ID` would.
//
// Workers are re-parented to the code server (it is their child subreaper), so the
// WorkerSupervisor waits for, signals and reaps them like the processes it spawns itself.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lifdag::codelocation {

// --- the zygote process's side -------------------------------------------------------------

inline constexpr const char kZygoteCommand[] = "worker-zygote"; // hidden `lifdag` command
inline constexpr int kWorkerStoreFd = 3; // where a forked worker finds a descriptor passed to fork()

struct ZygoteOutcome
{
    // Set in a forked worker: its command line (argv[0] first). Unset in the zygote itself,
    // which must then exit with `exitCode` (its server went away).
    std::optional<std::vector<std::string>> workerArgv;
    int exitCode = 0;
};

// Serves fork requests on `controlFd` until the server closes it. Call before anything starts a
// thread. Returns in each forked worker (with its arguments) and, at the end, in the zygote.
ZygoteOutcome serveZygote(int controlFd);

// --- the code server's side ----------------------------------------------------------------

class Zygote
{
public:
    // Starts `program worker-zygote` with `envp` (KEY=VALUE entries) and makes this process the
    // child subreaper of the workers it will fork. Null (and `error` set) when that fails.
    static std::unique_ptr<Zygote> start(const QString &program, const std::vector<QByteArray> &envp,
                                         QString *error);
    ~Zygote(); // closes the control socket; the zygote exits (its workers live on)
    Zygote(const Zygote &) = delete;
    Zygote &operator=(const Zygote &) = delete;

    // Forks a worker running `program args…` in its own process group; its pid, a child of this
    // process by then. -1 (and `error`) when the zygote failed: it is then unusable.
    // `passFd` (≥ 0): a descriptor the worker gets as kWorkerStoreFd (its run store socket).
    pid_t fork(const QStringList &args, QString *error, int passFd = -1);
    pid_t pid() const { return m_pid; }

private:
    Zygote(pid_t pid, int fd);
    pid_t m_pid;
    int m_fd;
};

} // namespace lifdag::codelocation
