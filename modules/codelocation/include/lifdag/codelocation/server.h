// The code location gRPC server (`lifdag code-server start`): serves lifdag.v1.CodeLocation and
// the standard health service, and starts one worker process per run.
#pragma once

#include <lifdag/codelocation/containercontext.h>
#include <lifdag/core/result.h>
#include <lifdag/execution/jobregistry.h>
#include <lifdag/storage/storage.h>

#include <QString>
#include <functional>
#include <memory>

namespace lifdag::codelocation {

struct ServerOptions
{
    QString host = QStringLiteral("0.0.0.0");
    int port = 4000; // 0: any free port (see Server::port())
    QString locationName = QStringLiteral("lifdag_code_location");
    ContainerContext containerContext;
    QString workerProgram; // the lifdag executable; workers run `<program> execute-run RUN_ID`
    bool workerZygote = false; // fork workers from a pre-started zygote (zygote.h): ms, not tens
    int cancelGraceSeconds = 10; // SIGTERM → SIGKILL when CancelRun names none
    // Checked before a worker is spawned (e.g. "the run exists and is launchable"); an Error with
    // code "...not_found" answers NOT_FOUND, any other INVALID_ARGUMENT/FAILED_PRECONDITION.
    std::function<Status(const QString &runId)> checkRun;
    // Checked before GetRunLaunchContext hands out the run environment (values may be
    // credentials): the run must be stored and STARTING. Unset: that call is refused.
    std::function<Status(const QString &runId)> checkLaunching;
    // The instance's storage: workers forked by the zygote store through the server on it
    // (RunStoreServer) instead of each opening a connection. Unset: they connect themselves.
    std::shared_ptr<storage::Storage> storage;
    // Builds the registry again for Reload (external adapters, declarative jobs).
    std::function<Result<std::shared_ptr<const execution::JobRegistry>>()> reloadRegistry;
};

class Server
{
public:
    Server(ServerOptions options, std::shared_ptr<const execution::JobRegistry> registry);
    ~Server(); // shuts down; running workers are terminated (SIGTERM, grace, SIGKILL)
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    Status start(); // binds and serves on gRPC threads; returns once listening
    int port() const; // the bound port after start()
    void wait(); // blocks until requestShutdown(), shutdown() or a Shutdown call
    void requestShutdown(); // non-blocking (safe from a signal thread): wakes wait()
    void shutdown(); // stops serving and terminates running workers; call from one thread

    class WorkerSupervisor &workers();

    struct Private;

private:
    std::unique_ptr<Private> d;
};

} // namespace lifdag::codelocation
