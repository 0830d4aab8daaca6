// What a run worker reads and writes in storage - its run, its events, how it ended - and the two
// ways it gets there: its own storage connection, or the code server that forked it.
//
// A worker forked by a code server (the zygote) has no connection of its own: on PostgreSQL a
// connection is a server process and a SCRAM authentication, which cost more than the run of a
// small job. It sends each call over a socket pair to the code server's RunStoreServer, whose few
// threads keep their connections. A worker whose code server goes away mid-run opens its own
// connection and goes on (a call in flight at that moment may be applied twice: an event stored
// twice, or a status move found already done).
#pragma once

#include <lifdag/core/event.h>
#include <lifdag/core/result.h>
#include <lifdag/storage/storage.h>

#include <functional>
#include <memory>
#include <optional>

namespace lifdag::codelocation {

class RunStore
{
public:
    virtual ~RunStore() = default;
    virtual Result<std::optional<storage::RunRecord>> run(const QString &runId) = 0;
    virtual Result<bool> transition(const QString &runId, RunStatus to,
                                    const QList<RunStatus> &from = {}) = 0;
    virtual Status setWorkerInfo(const QString &runId, const storage::WorkerInfo &info) = 0;
    virtual Status appendEvents(const QList<Event> &events) = 0;
    virtual Result<std::optional<QJsonObject>> stepOutputs(const QString &runId) = 0;
    virtual Status setResult(const QString &runId, const QJsonObject &result) = 0;
    virtual Status setStepOutputs(const QString &runId, const QJsonObject &outputs) = 0;
    // Only storage::kRunsEndedChannel through a code server.
    virtual Status notify(QLatin1StringView channel) = 0;
    virtual QString describe() const = 0; // for messages: where the run is stored
};

// Straight to storage, on the caller's connections.
std::unique_ptr<RunStore> makeStorageRunStore(std::shared_ptr<storage::Storage> storage);

// Through the code server, on descriptor `fd` (a socket from RunStoreServer::connect; owned from
// now on). `openStorage` is called once if the code server stops answering.
std::unique_ptr<RunStore>
makeServerRunStore(int fd, std::function<Result<std::shared_ptr<storage::Storage>>()> openStorage);

// The code server's end: answers the workers' calls on `threads` threads (each with its own
// storage connection, kept). A worker may only touch the run it was connected for.
class RunStoreServer
{
public:
    explicit RunStoreServer(std::shared_ptr<storage::Storage> storage, int threads = 3);
    ~RunStoreServer();
    RunStoreServer(const RunStoreServer &) = delete;
    RunStoreServer &operator=(const RunStoreServer &) = delete;

    // A socket for the worker of `runId`: hand it to the worker, then close it here.
    Result<int> connect(const QString &runId);
    int connectedCount() const; // workers with an open socket
    qint64 callCount() const; // calls answered so far

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace lifdag::codelocation
