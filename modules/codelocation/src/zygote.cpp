#include "lifdag/codelocation/zygote.h"

#include "codelocation_log_p.h"
#include "fdio_p.h"
#include "spawn_p.h"

#include <QLibraryInfo>

#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lifdag::codelocation {

namespace {

constexpr std::uint32_t kMaxRequestBytes = 1 << 20;
constexpr int kReplyTimeoutMs = 5000;

using detail::readFull;
using detail::writeFull;

// The request's size goes first, with the descriptor to pass (if any) as SCM_RIGHTS.
bool sendSize(int fd, std::uint32_t size, int passFd)
{
    iovec iov { &size, sizeof size };
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (passFd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &passFd, sizeof(int));
    }
    ssize_t n = 0;
    do {
        n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n == ssize_t(sizeof size))
        return true;
    return n > 0 && writeFull(fd, reinterpret_cast<const char *>(&size) + n, sizeof size - size_t(n));
}

bool receiveSize(int fd, std::uint32_t *size, int *passedFd)
{
    iovec iov { size, sizeof *size };
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = 0;
    do {
        n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return false;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
            std::memcpy(passedFd, CMSG_DATA(c), sizeof(int));
    }
    return n == ssize_t(sizeof *size)
        || readFull(fd, reinterpret_cast<char *>(size) + n, sizeof *size - size_t(n));
}

int threadCount()
{
    DIR *dir = ::opendir("/proc/self/task");
    if (!dir)
        return -1;
    int n = 0;
    while (const dirent *e = ::readdir(dir)) {
        if (e->d_name[0] != '.')
            ++n;
    }
    ::closedir(dir);
    return n;
}

// Loads (and binds) the Qt SQL driver plugins once, so each worker finds them in memory instead of
// loading and relocating them (and libsqlite3/libpq) itself.
void preloadSqlDrivers()
{
    const QByteArray dir = QLibraryInfo::path(QLibraryInfo::PluginsPath).toLocal8Bit() + "/sqldrivers/";
    for (const char *name : { "libqsqlite.so", "libqsqlpsql.so" })
        (void)::dlopen(QByteArray(dir + name).constData(), RTLD_NOW);
}

void resetSignals()
{
    for (int sig : { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD })
        ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

} // namespace

ZygoteOutcome serveZygote(int controlFd)
{
    // fork() copies only the calling thread: with a second thread (a library's helper), locks it
    // holds would stay locked in every worker. Refuse instead; the server then spawns workers.
    const bool forkable = threadCount() == 1;
    preloadSqlDrivers();
    ::setlocale(LC_ALL, ""); // as QCoreApplication will in each worker: loaded once, here

    ::unsetenv("LD_BIND_NOW"); // set by Zygote::start for this process only
    resetSignals();
    while (true) {
        std::uint32_t size = 0;
        int passedFd = -1; // closed in the zygote once the worker has it
        if (!receiveSize(controlFd, &size, &passedFd))
            return { std::nullopt, 0 }; // the server closed the socket: done
        struct ClosePassed
        {
            int &fd;
            ~ClosePassed()
            {
                if (fd >= 0)
                    ::close(fd);
            }
        } closePassed { passedFd };
        if (size > kMaxRequestBytes)
            return { std::nullopt, 3 };
        std::string payload(size, '\0');
        if (!readFull(controlFd, payload.data(), size))
            return { std::nullopt, 0 };

        std::int64_t reply = -EDEADLK;
        int pipeFds[2] = { -1, -1 };
        if (forkable && ::pipe2(pipeFds, O_CLOEXEC) == 0) {
            // Fork twice: the intermediate child exits at once, so the worker is re-parented to
            // the server (the subreaper), which then waits for it like for any child of its own.
            const pid_t intermediate = ::fork();
            if (intermediate == 0) {
                ::close(pipeFds[0]);
                const pid_t worker = ::fork();
                if (worker == 0) {
                    ::close(pipeFds[1]);
                    ::close(controlFd);
                    if (passedFd >= 0) {
                        if (passedFd != kWorkerStoreFd) {
                            ::dup2(passedFd, kWorkerStoreFd);
                            ::close(passedFd);
                        }
                        ::fcntl(kWorkerStoreFd, F_SETFD, FD_CLOEXEC); // not for what the run starts
                        passedFd = -1;
                    }
                    ::setpgid(0, 0); // its own process group: a cancel reaches what it starts
                    std::vector<std::string> args;
                    size_t from = 0;
                    while (from < payload.size()) { // NUL-terminated arguments
                        size_t end = payload.find('\0', from);
                        if (end == std::string::npos)
                            end = payload.size();
                        args.emplace_back(payload, from, end - from);
                        from = end + 1;
                    }
                    return { std::move(args), 0 };
                }
                // Also set here (the worker sets it too): its group exists before anyone hears of it.
                if (worker > 0)
                    ::setpgid(worker, worker);
                const std::int64_t value = worker > 0 ? std::int64_t(worker) : -std::int64_t(errno);
                (void)!::write(pipeFds[1], &value, sizeof value);
                ::_exit(0);
            }
            ::close(pipeFds[1]);
            if (intermediate > 0) {
                if (!readFull(pipeFds[0], &reply, sizeof reply))
                    reply = -ECHILD;
                while (::waitpid(intermediate, nullptr, 0) < 0 && errno == EINTR) { }
            } else {
                reply = -std::int64_t(errno);
            }
            ::close(pipeFds[0]);
        }
        if (!writeFull(controlFd, &reply, sizeof reply))
            return { std::nullopt, 0 };
    }
}

Zygote::Zygote(pid_t pid, int fd)
    : m_pid(pid)
    , m_fd(fd)
{ }

Zygote::~Zygote()
{
    ::close(m_fd); // the zygote reads EOF and exits
    for (int i = 0; i < 200; ++i) {
        const pid_t r = ::waitpid(m_pid, nullptr, WNOHANG);
        if (r == m_pid || (r < 0 && errno == ECHILD))
            return;
        ::usleep(5000);
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
}

std::unique_ptr<Zygote> Zygote::start(const QString &program, const std::vector<QByteArray> &envp,
                                      QString *error)
{
    auto fail = [error](const QString &message) -> std::unique_ptr<Zygote> {
        if (error)
            *error = message;
        return nullptr;
    };
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return fail(QStringLiteral("cannot become the workers' subreaper: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(errno))));
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return fail(QString::fromLocal8Bit(std::strerror(errno)));
    // The zygote finds its end as descriptor 3 (dup2 clears close-on-exec; never dup2 onto itself).
    if (sv[1] == 3) {
        const int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
        ::close(sv[1]);
        sv[1] = moved;
    }
    const QByteArray programBytes = program.toLocal8Bit();
    std::vector<char *> argv { const_cast<char *>(programBytes.constData()),
                               const_cast<char *>(kZygoteCommand), nullptr };
    // Every symbol of every library is bound once, in the zygote: forked workers then never pay
    // for lazy binding (a few ms per process otherwise). serveZygote() unsets it again.
    static char bindNow[] = "LD_BIND_NOW=1";
    std::vector<char *> env { bindNow };
    for (const QByteArray &e : envp)
        env.push_back(const_cast<char *>(e.constData()));
    env.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], 3);
    pid_t pid = 0;
    const int rc = detail::spawnWorkerProcess(&pid, argv.data(), env.data(), &actions);
    posix_spawn_file_actions_destroy(&actions);
    ::close(sv[1]);
    if (rc != 0) {
        ::close(sv[0]);
        return fail(
            QStringLiteral("cannot start %1 %2: %3")
                .arg(program, QLatin1StringView(kZygoteCommand), QString::fromLocal8Bit(std::strerror(rc))));
    }
    qCInfo(lcCodeLocation, "worker zygote pid %d started", int(pid));
    return std::unique_ptr<Zygote>(new Zygote(pid, sv[0]));
}

pid_t Zygote::fork(const QStringList &args, QString *error, int passFd)
{
    QByteArray payload; // each argument ends with a NUL (empty ones survive)
    for (const QString &a : args) {
        payload.append(a.toLocal8Bit());
        payload.append('\0');
    }
    const std::uint32_t size = std::uint32_t(payload.size());
    auto fail = [error](const QString &message) -> pid_t {
        if (error)
            *error = message;
        return -1;
    };
    if (!sendSize(m_fd, size, passFd) || !writeFull(m_fd, payload.constData(), size))
        return fail(QStringLiteral("the worker zygote (pid %1) is gone").arg(m_pid));
    pollfd p { m_fd, POLLIN, 0 };
    int ready = 0;
    do {
        ready = ::poll(&p, 1, kReplyTimeoutMs);
    } while (ready < 0 && errno == EINTR);
    std::int64_t reply = 0;
    if (ready <= 0 || !readFull(m_fd, &reply, sizeof reply))
        return fail(QStringLiteral("the worker zygote (pid %1) did not answer").arg(m_pid));
    if (reply <= 0)
        return fail(QStringLiteral("the worker zygote (pid %1) could not fork: %2")
                        .arg(m_pid)
                        .arg(QString::fromLocal8Bit(std::strerror(int(-reply)))));
    return pid_t(reply);
}

namespace detail {

int spawnWorkerProcess(pid_t *pid, char *const argv[], char *const envp[],
                       const posix_spawn_file_actions_t *actions)
{
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD })
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t noMask;
    sigemptyset(&noMask);
    posix_spawnattr_setsigmask(&attr, &noMask);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    const int rc = posix_spawn(pid, argv[0], actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    return rc;
}

} // namespace detail

} // namespace lifdag::codelocation
