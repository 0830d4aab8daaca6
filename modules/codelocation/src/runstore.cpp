#include "lifdag/codelocation/runstore.h"

#include "codelocation_log_p.h"
#include "fdio_p.h"

#include <lifdag/execution/executor.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSemaphore>
#include <QThreadPool>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace lifdag::codelocation {

namespace {

// ---- frames: a 32-bit length (host order: both ends are on this machine), then compact JSON ------

constexpr quint32 kMaxFrameBytes = 256u * 1024 * 1024;

bool writeFrame(int fd, const QJsonObject &message)
{
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    const quint32 size = quint32(body.size());
    QByteArray frame(reinterpret_cast<const char *>(&size), sizeof size);
    frame.append(body);
    return detail::writeFull(fd, frame.constData(), size_t(frame.size()));
}

std::optional<QJsonObject> readFrame(int fd)
{
    quint32 size = 0;
    if (!detail::readFull(fd, &size, sizeof size) || size > kMaxFrameBytes)
        return std::nullopt;
    QByteArray body(qsizetype(size), Qt::Uninitialized);
    if (!detail::readFull(fd, body.data(), size))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return std::nullopt;
    return doc.object();
}

// ---- what travels ---------------------------------------------------------------------------------

QJsonValue timeJson(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(double(t.toMSecsSinceEpoch())) : QJsonValue();
}

QDateTime timeFromJson(const QJsonValue &v)
{
    return v.isDouble() ? QDateTime::fromMSecsSinceEpoch(qint64(v.toDouble()), Qt::UTC) : QDateTime();
}

QJsonObject tagsJson(const QMap<QString, QString> &tags)
{
    QJsonObject out;
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        out.insert(it.key(), it.value());
    return out;
}

QJsonObject runJson(const storage::RunRecord &r)
{
    return { { QStringLiteral("runId"), r.runId },
             { QStringLiteral("jobName"), r.jobName },
             { QStringLiteral("locationName"), r.locationName },
             { QStringLiteral("repositoryName"), r.repositoryName },
             { QStringLiteral("status"), runStatusName(r.status) },
             { QStringLiteral("runConfig"), r.runConfig },
             { QStringLiteral("tags"), tagsJson(r.tags) },
             { QStringLiteral("priority"), r.priority },
             { QStringLiteral("parentRunId"), r.parentRunId },
             { QStringLiteral("rootRunId"), r.rootRunId },
             { QStringLiteral("createdAt"), timeJson(r.createdAt) },
             { QStringLiteral("updatedAt"), timeJson(r.updatedAt) },
             { QStringLiteral("startedAt"), timeJson(r.startedAt) },
             { QStringLiteral("endedAt"), timeJson(r.endedAt) },
             { QStringLiteral("workerPid"), double(r.workerPid) },
             { QStringLiteral("workerHost"), r.workerHost },
             { QStringLiteral("containerId"), r.containerId },
             { QStringLiteral("result"), r.result } };
}

storage::RunRecord runFromJson(const QJsonObject &o)
{
    storage::RunRecord r;
    r.runId = o.value(QStringLiteral("runId")).toString();
    r.jobName = o.value(QStringLiteral("jobName")).toString();
    r.locationName = o.value(QStringLiteral("locationName")).toString();
    r.repositoryName = o.value(QStringLiteral("repositoryName")).toString();
    r.status =
        runStatusFromName(o.value(QStringLiteral("status")).toString()).value_or(RunStatus::NotStarted);
    r.runConfig = o.value(QStringLiteral("runConfig")).toObject();
    const QJsonObject tags = o.value(QStringLiteral("tags")).toObject();
    for (auto it = tags.constBegin(); it != tags.constEnd(); ++it)
        r.tags.insert(it.key(), it.value().toString());
    r.priority = o.value(QStringLiteral("priority")).toInt();
    r.parentRunId = o.value(QStringLiteral("parentRunId")).toString();
    r.rootRunId = o.value(QStringLiteral("rootRunId")).toString();
    r.createdAt = timeFromJson(o.value(QStringLiteral("createdAt")));
    r.updatedAt = timeFromJson(o.value(QStringLiteral("updatedAt")));
    r.startedAt = timeFromJson(o.value(QStringLiteral("startedAt")));
    r.endedAt = timeFromJson(o.value(QStringLiteral("endedAt")));
    r.workerPid = qint64(o.value(QStringLiteral("workerPid")).toDouble());
    r.workerHost = o.value(QStringLiteral("workerHost")).toString();
    r.containerId = o.value(QStringLiteral("containerId")).toString();
    r.result = o.value(QStringLiteral("result")).toObject();
    return r;
}

QJsonObject eventJson(const Event &e)
{
    return { { QStringLiteral("runId"), e.runId },    { QStringLiteral("ts"), timeJson(e.timestamp) },
             { QStringLiteral("type"), e.eventType }, { QStringLiteral("stepKey"), e.stepKey },
             { QStringLiteral("level"), e.level },    { QStringLiteral("message"), e.message },
             { QStringLiteral("payload"), e.payload } };
}

Event eventFromJson(const QJsonObject &o)
{
    Event e;
    e.runId = o.value(QStringLiteral("runId")).toString();
    e.timestamp = timeFromJson(o.value(QStringLiteral("ts")));
    e.eventType = o.value(QStringLiteral("type")).toString();
    e.stepKey = o.value(QStringLiteral("stepKey")).toString();
    e.level = o.value(QStringLiteral("level")).toString();
    e.message = o.value(QStringLiteral("message")).toString();
    e.payload = o.value(QStringLiteral("payload")).toObject();
    return e;
}

QJsonArray statusesJson(const QList<RunStatus> &statuses)
{
    QJsonArray out;
    for (RunStatus s : statuses)
        out.append(runStatusName(s));
    return out;
}

QJsonObject errorJson(const Error &e)
{
    return { { QStringLiteral("ok"), false },
             { QStringLiteral("code"), e.code },
             { QStringLiteral("message"), e.message } };
}

QJsonObject okJson(const QJsonValue &value = QJsonValue())
{
    return { { QStringLiteral("ok"), true }, { QStringLiteral("value"), value } };
}

// ---- straight to storage --------------------------------------------------------------------------

class StorageRunStore : public RunStore
{
public:
    explicit StorageRunStore(std::shared_ptr<storage::Storage> storage)
        : m_storage(std::move(storage))
    { }

    Result<std::optional<storage::RunRecord>> run(const QString &runId) override
    {
        return m_storage->runs().run(runId);
    }
    Result<bool> transition(const QString &runId, RunStatus to, const QList<RunStatus> &from) override
    {
        return m_storage->runs().transition(runId, to, from);
    }
    Status setWorkerInfo(const QString &runId, const storage::WorkerInfo &info) override
    {
        return m_storage->runs().setWorkerInfo(runId, info);
    }
    Status appendEvents(const QList<Event> &events) override
    {
        const auto ids = m_storage->events().append(events);
        return ids ? Status {} : Status(ids.error());
    }
    Result<std::optional<QJsonObject>> stepOutputs(const QString &runId) override
    {
        return m_storage->runs().stepOutputs(runId);
    }
    Status setResult(const QString &runId, const QJsonObject &result) override
    {
        return m_storage->runs().setResult(runId, result);
    }
    Status setStepOutputs(const QString &runId, const QJsonObject &outputs) override
    {
        return m_storage->runs().setStepOutputs(runId, outputs);
    }
    Status notify(QLatin1StringView channel) override { return m_storage->notify(QString(channel)); }
    QString describe() const override { return m_storage->settings().describe(); }

private:
    std::shared_ptr<storage::Storage> m_storage;
};

// ---- through the code server ----------------------------------------------------------------------

class ServerRunStore : public RunStore
{
public:
    ServerRunStore(int fd, std::function<Result<std::shared_ptr<storage::Storage>>()> openStorage)
        : m_fd(fd)
        , m_openStorage(std::move(openStorage))
    { }
    ~ServerRunStore() override
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    Result<std::optional<storage::RunRecord>> run(const QString &runId) override
    {
        return call<std::optional<storage::RunRecord>>(
            { { QStringLiteral("op"), QStringLiteral("run") }, { QStringLiteral("runId"), runId } },
            [](const QJsonValue &v) -> std::optional<storage::RunRecord> {
                if (!v.isObject())
                    return std::nullopt;
                return runFromJson(v.toObject());
            },
            [&](RunStore &direct) { return direct.run(runId); });
    }
    Result<bool> transition(const QString &runId, RunStatus to, const QList<RunStatus> &from) override
    {
        return call<bool>(
            { { QStringLiteral("op"), QStringLiteral("transition") },
              { QStringLiteral("runId"), runId },
              { QStringLiteral("to"), runStatusName(to) },
              { QStringLiteral("from"), statusesJson(from) } },
            [](const QJsonValue &v) { return v.toBool(); },
            [&](RunStore &direct) { return direct.transition(runId, to, from); });
    }
    Status setWorkerInfo(const QString &runId, const storage::WorkerInfo &info) override
    {
        return status({ { QStringLiteral("op"), QStringLiteral("workerInfo") },
                        { QStringLiteral("runId"), runId },
                        { QStringLiteral("pid"), double(info.pid) },
                        { QStringLiteral("host"), info.host },
                        { QStringLiteral("containerId"), info.containerId } },
                      [&](RunStore &direct) { return direct.setWorkerInfo(runId, info); });
    }
    Status appendEvents(const QList<Event> &events) override
    {
        if (events.isEmpty())
            return {};
        QJsonArray list;
        for (const Event &e : events)
            list.append(eventJson(e));
        return status({ { QStringLiteral("op"), QStringLiteral("events") },
                        { QStringLiteral("runId"), events.first().runId },
                        { QStringLiteral("events"), list } },
                      [&](RunStore &direct) { return direct.appendEvents(events); });
    }
    Result<std::optional<QJsonObject>> stepOutputs(const QString &runId) override
    {
        return call<std::optional<QJsonObject>>(
            { { QStringLiteral("op"), QStringLiteral("stepOutputs") }, { QStringLiteral("runId"), runId } },
            [](const QJsonValue &v) -> std::optional<QJsonObject> {
                if (!v.isObject())
                    return std::nullopt;
                return v.toObject();
            },
            [&](RunStore &direct) { return direct.stepOutputs(runId); });
    }
    Status setResult(const QString &runId, const QJsonObject &result) override
    {
        return status({ { QStringLiteral("op"), QStringLiteral("setResult") },
                        { QStringLiteral("runId"), runId },
                        { QStringLiteral("result"), result } },
                      [&](RunStore &direct) { return direct.setResult(runId, result); });
    }
    Status setStepOutputs(const QString &runId, const QJsonObject &outputs) override
    {
        return status({ { QStringLiteral("op"), QStringLiteral("setStepOutputs") },
                        { QStringLiteral("runId"), runId },
                        { QStringLiteral("outputs"), outputs } },
                      [&](RunStore &direct) { return direct.setStepOutputs(runId, outputs); });
    }
    Status notify(QLatin1StringView channel) override
    {
        return status({ { QStringLiteral("op"), QStringLiteral("notify") },
                        { QStringLiteral("channel"), QString(channel) } },
                      [&](RunStore &direct) { return direct.notify(channel); });
    }
    QString describe() const override
    {
        std::lock_guard lock(m_mutex);
        return m_direct ? m_direct->describe() : QStringLiteral("the code server's storage");
    }

private:
    // One call at a time (the worker's threads share the socket). Answers with the value, or the
    // storage error the server met; after the server is gone, the same call on a direct store.
    template<typename T, typename Convert, typename Direct>
    Result<T> call(const QJsonObject &request, Convert convert, Direct direct)
    {
        std::unique_lock lock(m_mutex);
        if (!m_direct) {
            if (m_fd >= 0 && writeFrame(m_fd, request)) {
                if (const auto answer = readFrame(m_fd)) {
                    if (answer->value(QStringLiteral("ok")).toBool())
                        return T(convert(answer->value(QStringLiteral("value"))));
                    return Error { answer->value(QStringLiteral("code")).toString(),
                                   answer->value(QStringLiteral("message")).toString() };
                }
            }
            if (const Status opened = openDirect(); !opened)
                return opened.error();
        }
        RunStore &store = *m_direct;
        lock.unlock(); // the direct store is thread-safe
        return direct(store);
    }

    template<typename Direct> Status status(const QJsonObject &request, Direct direct)
    {
        const auto done = call<bool>(
            request, [](const QJsonValue &) { return true; },
            [&](RunStore &store) -> Result<bool> {
                const Status s = direct(store);
                if (!s)
                    return s.error();
                return true;
            });
        return done ? Status {} : Status(done.error());
    }

    Status openDirect() // with m_mutex held
    {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        qCWarning(lcCodeLocation,
                  "the code server that started this worker stopped answering: storing "
                  "through a connection of its own");
        if (!m_openStorage)
            return Error { QStringLiteral("storage.unavailable"),
                           QStringLiteral("the code server that started this worker is gone") };
        auto storage = m_openStorage();
        if (!storage)
            return storage.error();
        m_direct = makeStorageRunStore(*storage);
        return {};
    }

    mutable std::mutex m_mutex;
    int m_fd;
    std::function<Result<std::shared_ptr<storage::Storage>>()> m_openStorage;
    std::unique_ptr<RunStore> m_direct;
};

} // namespace

std::unique_ptr<RunStore> makeStorageRunStore(std::shared_ptr<storage::Storage> storage)
{
    return std::make_unique<StorageRunStore>(std::move(storage));
}

std::unique_ptr<RunStore>
makeServerRunStore(int fd, std::function<Result<std::shared_ptr<storage::Storage>>()> openStorage)
{
    return std::make_unique<ServerRunStore>(fd, std::move(openStorage));
}

// ---- the code server's end ------------------------------------------------------------------------

struct RunStoreServer::Private
{
    std::shared_ptr<storage::Storage> storage;
    StorageRunStore store { storage };
    QThreadPool pool;
    int wakeFds[2] = { -1, -1 }; // a pipe: new sockets, sockets back from the pool, stop
    std::thread poller;
    mutable std::mutex mutex;
    std::map<int, QString> idle; // polled: socket → its run
    std::map<int, QString> busy; // a call of theirs is being answered
    bool stopping = false;
    std::atomic<qint64> calls { 0 };

    explicit Private(std::shared_ptr<storage::Storage> s)
        : storage(std::move(s))
    { }

    void wake()
    {
        const char c = 1;
        (void)!::write(wakeFds[1], &c, 1);
    }

    // Answers one call of the worker of `runId` (on a pool thread).
    QJsonObject answer(const QString &runId, const QJsonObject &request)
    {
        const QString op = request.value(QStringLiteral("op")).toString();
        if (op == QLatin1StringView("notify")) {
            const QString channel = request.value(QStringLiteral("channel")).toString();
            if (channel != QLatin1StringView(storage::kRunsEndedChannel))
                return errorJson({ QStringLiteral("runstore.forbidden"),
                                   QStringLiteral("a run worker may not notify %1").arg(channel.left(64)) });
            const Status s = store.notify(storage::kRunsEndedChannel);
            return s ? okJson() : errorJson(s.error());
        }
        const QString target = request.value(QStringLiteral("runId")).toString();
        if (op == QLatin1StringView("stepOutputs") && target != runId) {
            // A re-execution from failure reads what the run it re-executes kept - that run only.
            const auto own = store.run(runId);
            if (!own)
                return errorJson(own.error());
            const QString parent = own->has_value()
                ? (*own)->tags.value(QString(execution::kReexecuteFromFailureTag))
                : QString();
            if (parent.isEmpty() || parent != target)
                return errorJson(
                    { QStringLiteral("runstore.forbidden"),
                      QStringLiteral("run %1 does not re-execute run %2").arg(runId, target.left(64)) });
            const auto outputs = store.stepOutputs(target);
            if (!outputs)
                return errorJson(outputs.error());
            return okJson(outputs->has_value() ? QJsonValue(**outputs) : QJsonValue());
        }
        if (target != runId)
            return errorJson({ QStringLiteral("runstore.forbidden"),
                               QStringLiteral("this worker was started for run %1 only").arg(runId) });
        if (op == QLatin1StringView("run")) {
            const auto run = store.run(runId);
            if (!run)
                return errorJson(run.error());
            return okJson(run->has_value() ? QJsonValue(runJson(**run)) : QJsonValue());
        }
        if (op == QLatin1StringView("transition")) {
            const auto to = runStatusFromName(request.value(QStringLiteral("to")).toString());
            if (!to)
                return errorJson(
                    { QStringLiteral("runstore.bad_request"), QStringLiteral("unknown status") });
            QList<RunStatus> from;
            for (const QJsonValue &v : request.value(QStringLiteral("from")).toArray()) {
                if (const auto s = runStatusFromName(v.toString()))
                    from.append(*s);
            }
            const auto moved = store.transition(runId, *to, from);
            return moved ? okJson(*moved) : errorJson(moved.error());
        }
        if (op == QLatin1StringView("workerInfo")) {
            const Status s = store.setWorkerInfo(runId,
                                                 { qint64(request.value(QStringLiteral("pid")).toDouble()),
                                                   request.value(QStringLiteral("host")).toString(),
                                                   request.value(QStringLiteral("containerId")).toString() });
            return s ? okJson() : errorJson(s.error());
        }
        if (op == QLatin1StringView("events")) {
            QList<Event> events;
            for (const QJsonValue &v : request.value(QStringLiteral("events")).toArray()) {
                Event e = eventFromJson(v.toObject());
                if (e.runId != runId)
                    return errorJson(
                        { QStringLiteral("runstore.forbidden"),
                          QStringLiteral("this worker was started for run %1 only").arg(runId) });
                events.append(std::move(e));
            }
            const Status s = store.appendEvents(events);
            return s ? okJson() : errorJson(s.error());
        }
        if (op == QLatin1StringView("stepOutputs")) {
            const auto outputs = store.stepOutputs(runId);
            if (!outputs)
                return errorJson(outputs.error());
            return okJson(outputs->has_value() ? QJsonValue(**outputs) : QJsonValue());
        }
        if (op == QLatin1StringView("setResult")) {
            const Status s = store.setResult(runId, request.value(QStringLiteral("result")).toObject());
            return s ? okJson() : errorJson(s.error());
        }
        if (op == QLatin1StringView("setStepOutputs")) {
            const Status s = store.setStepOutputs(runId, request.value(QStringLiteral("outputs")).toObject());
            return s ? okJson() : errorJson(s.error());
        }
        return errorJson({ QStringLiteral("runstore.bad_request"),
                           QStringLiteral("unknown call \"%1\"").arg(op.left(64)) });
    }

    void pollLoop()
    {
        std::vector<pollfd> fds;
        std::vector<QString> runs;
        while (true) {
            fds.clear();
            runs.clear();
            fds.push_back({ wakeFds[0], POLLIN, 0 });
            runs.emplace_back();
            {
                std::lock_guard lock(mutex);
                if (stopping)
                    return;
                for (const auto &[fd, runId] : idle) {
                    fds.push_back({ fd, POLLIN, 0 });
                    runs.push_back(runId);
                }
            }
            if (::poll(fds.data(), nfds_t(fds.size()), -1) < 0) {
                if (errno == EINTR)
                    continue;
                qCCritical(lcCodeLocation, "run store: poll failed: %s", std::strerror(errno));
                return;
            }
            if (fds[0].revents & POLLIN) {
                char drain[64];
                while (::read(wakeFds[0], drain, sizeof drain) > 0) { }
            }
            for (size_t i = 1; i < fds.size(); ++i) {
                if (!fds[i].revents)
                    continue;
                const int fd = fds[i].fd;
                // The worker sent a call (or went away): read it here, answer it on the pool.
                std::optional<QJsonObject> request;
                if (fds[i].revents & POLLIN)
                    request = readFrame(fd);
                std::unique_lock lock(mutex);
                idle.erase(fd);
                if (!request) {
                    lock.unlock();
                    ::close(fd); // the worker ended (or sent something that is not a call)
                    continue;
                }
                busy.emplace(fd, runs[i]);
                lock.unlock();
                pool.start([this, fd, runId = runs[i], request = std::move(*request)] {
                    const QJsonObject reply = answer(runId, request);
                    ++calls;
                    const bool sent = writeFrame(fd, reply);
                    std::lock_guard relock(mutex);
                    busy.erase(fd);
                    if (!sent || stopping) {
                        ::close(fd);
                        return;
                    }
                    idle.emplace(fd, runId);
                    wake();
                });
            }
        }
    }
};

RunStoreServer::RunStoreServer(std::shared_ptr<storage::Storage> storage, int threads)
    : d(std::make_unique<Private>(std::move(storage)))
{
    d->pool.setMaxThreadCount(std::max(1, threads));
    d->pool.setExpiryTimeout(-1); // threads keep their storage connections
    if (::pipe2(d->wakeFds, O_CLOEXEC | O_NONBLOCK) != 0)
        qFatal("run store: cannot create a pipe: %s", std::strerror(errno));
    d->poller = std::thread([this] { d->pollLoop(); });
}

RunStoreServer::~RunStoreServer()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake();
    d->poller.join();
    d->pool.waitForDone();
    for (const auto &[fd, runId] : d->idle)
        ::close(fd);
    ::close(d->wakeFds[0]);
    ::close(d->wakeFds[1]);
}

Result<int> RunStoreServer::connect(const QString &runId)
{
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return Error { QStringLiteral("runstore.socket"),
                       QStringLiteral("cannot create a socket pair: %1")
                           .arg(QString::fromLocal8Bit(std::strerror(errno))) };
    // A worker that stops mid-frame must not hold the poller for long.
    timeval timeout { 10, 0 };
    ::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    {
        std::lock_guard lock(d->mutex);
        d->idle.emplace(sv[0], runId);
    }
    d->wake();
    return sv[1];
}

int RunStoreServer::connectedCount() const
{
    std::lock_guard lock(d->mutex);
    return int(d->idle.size() + d->busy.size());
}

qint64 RunStoreServer::callCount() const
{
    return d->calls.load();
}

} // namespace lifdag::codelocation
