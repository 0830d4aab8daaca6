#include "lifdag/codelocation/client.h"

#include "protojson_p.h"

#include <QHash>
#include <grpc/health/v1/health.grpc.pb.h>
#include <grpcpp/grpcpp.h>
#include <lifdag/v1/codelocation.grpc.pb.h>
#include <mutex>

#include <thread>

namespace lifdag::codelocation {

using namespace std::chrono_literals;

struct Client::Private
{
    QString address;
    std::chrono::milliseconds deadline;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<lifdag::v1::CodeLocation::Stub> stub;
    std::unique_ptr<grpc::health::v1::Health::Stub> health;

    void prepare(grpc::ClientContext &ctx, std::chrono::milliseconds d) const
    {
        ctx.set_deadline(std::chrono::system_clock::now() + d);
    }

    Error toError(const grpc::Status &status) const
    {
        const QString details = QString::fromStdString(status.error_message());
        switch (status.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED:
            return Error { QStringLiteral("codelocation.unavailable"),
                           QStringLiteral("code location at %1 is unreachable (deadline %2 ms): %3")
                               .arg(address)
                               .arg(deadline.count())
                               .arg(details) };
        case grpc::StatusCode::NOT_FOUND:
            return Error { QStringLiteral("codelocation.not_found"), details };
        case grpc::StatusCode::INVALID_ARGUMENT:
            return Error { QStringLiteral("codelocation.invalid_argument"), details };
        case grpc::StatusCode::ALREADY_EXISTS:
            return Error { QStringLiteral("codelocation.already_running"), details };
        default:
            return Error { QStringLiteral("codelocation.error"),
                           QStringLiteral("code location at %1: %2 (gRPC status %3)")
                               .arg(address, details)
                               .arg(int(status.error_code())) };
        }
    }
};

Client::Client(const QString &address, std::chrono::milliseconds deadline)
    : d(std::make_unique<Private>())
{
    d->address = address;
    d->deadline = deadline;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
    args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 * 1024 * 1024);
    // A long-lived (shared) channel whose server restarted must find it again within a second,
    // not after gRPC's default back-off of up to two minutes.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    d->channel = grpc::CreateCustomChannel(address.toStdString(), grpc::InsecureChannelCredentials(), args);
    d->stub = lifdag::v1::CodeLocation::NewStub(d->channel);
    d->health = grpc::health::v1::Health::NewStub(d->channel);
}

Client::~Client() = default;

std::shared_ptr<Client> Client::shared(const QString &address)
{
    static std::mutex mutex;
    static QHash<QString, std::shared_ptr<Client>> clients;
    std::lock_guard lock(mutex);
    std::shared_ptr<Client> &client = clients[address];
    if (!client)
        client = std::make_shared<Client>(address);
    return client;
}

const QString &Client::address() const
{
    return d->address;
}

Result<ServerInfo> Client::serverInfo() const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ServerInfo reply;
    const grpc::Status status = d->stub->GetServerInfo(&ctx, {}, &reply);
    if (!status.ok())
        return d->toError(status);
    ServerInfo info;
    info.version = QString::fromStdString(reply.version());
    info.locationName = QString::fromStdString(reply.location_name());
    info.repositoryName = QString::fromStdString(reply.repository_name());
    info.image = QString::fromStdString(reply.image());
    for (const auto &n : reply.container_env_names())
        info.containerEnvNames.append(QString::fromStdString(n));
    info.startedAt = QDateTime::fromMSecsSinceEpoch(reply.started_at_unix_ms(), Qt::UTC);
    info.runningWorkers = reply.running_workers();
    return info;
}

Result<QList<JobInfo>> Client::listJobs() const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ListJobsResponse reply;
    const grpc::Status status = d->stub->ListJobs(&ctx, {}, &reply);
    if (!status.ok())
        return d->toError(status);
    QList<JobInfo> jobs;
    for (const auto &j : reply.jobs()) {
        JobInfo info;
        info.name = QString::fromStdString(j.name());
        info.description = QString::fromStdString(j.description());
        for (const auto &[k, v] : j.tags())
            info.tags.insert(QString::fromStdString(k), QString::fromStdString(v));
        for (const auto &op : j.ops()) {
            QJsonObject o;
            o.insert(QLatin1StringView("name"), QString::fromStdString(op.name()));
            o.insert(QLatin1StringView("description"), QString::fromStdString(op.description()));
            QJsonArray inputs;
            for (const auto &in : op.inputs()) {
                inputs.append(QJsonObject {
                    { QLatin1StringView("name"), QString::fromStdString(in.name()) },
                    { QLatin1StringView("fromOp"), QString::fromStdString(in.from_op()) },
                    { QLatin1StringView("fromOutput"), QString::fromStdString(in.from_output()) },
                    { QLatin1StringView("collect"), in.collect() } });
            }
            QJsonArray outputs;
            for (const auto &out : op.outputs()) {
                outputs.append(
                    QJsonObject { { QLatin1StringView("name"), QString::fromStdString(out.name()) },
                                  { QLatin1StringView("dynamic"), out.dynamic() },
                                  { QLatin1StringView("isRequired"), out.is_required() } });
            }
            o.insert(QLatin1StringView("inputs"), inputs);
            o.insert(QLatin1StringView("outputs"), outputs);
            o.insert(QLatin1StringView("mapped"), op.mapped());
            o.insert(QLatin1StringView("maxRetries"), op.max_retries());
            info.ops.append(o);
        }
        info.configSchema = detail::fromStruct(j.config_schema());
        info.configSkeleton = detail::fromStruct(j.config_skeleton());
        info.graph = detail::fromStruct(j.graph());
        jobs.append(info);
    }
    return jobs;
}

Result<QList<execution::ScheduleDefinition>> Client::listSchedules() const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ListSchedulesResponse reply;
    const grpc::Status status = d->stub->ListSchedules(&ctx, {}, &reply);
    if (!status.ok())
        return d->toError(status);
    QList<execution::ScheduleDefinition> schedules;
    for (const auto &s : reply.schedules()) {
        execution::ScheduleDefinition def;
        def.name = QString::fromStdString(s.name());
        def.cronSchedule = QString::fromStdString(s.cron_schedule());
        def.executionTimezone = QString::fromStdString(s.execution_timezone());
        def.jobName = QString::fromStdString(s.job_name());
        def.runConfig = detail::fromStruct(s.run_config());
        for (const auto &[k, v] : s.tags())
            def.tags.insert(QString::fromStdString(k), QString::fromStdString(v));
        def.description = QString::fromStdString(s.description());
        def.defaultStatus = s.default_status() == lifdag::v1::ScheduleInfo::RUNNING
            ? execution::ScheduleDefinition::DefaultStatus::Running
            : execution::ScheduleDefinition::DefaultStatus::Stopped;
        def.catchUp = s.catch_up();
        schedules.append(def);
    }
    return schedules;
}

Result<QList<Violation>> Client::validateRunConfig(const QString &jobName, const QJsonObject &runConfig) const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ValidateRunConfigRequest req;
    req.set_job_name(jobName.toStdString());
    *req.mutable_run_config() = detail::toStruct(runConfig);
    lifdag::v1::ValidateRunConfigResponse reply;
    const grpc::Status status = d->stub->ValidateRunConfig(&ctx, req, &reply);
    if (!status.ok())
        return d->toError(status);
    QList<Violation> out;
    for (const auto &v : reply.violations())
        out.append({ QString::fromStdString(v.path()), QString::fromStdString(v.reason()),
                     QString::fromStdString(v.message()) });
    return out;
}

Result<qint64> Client::startRun(const QString &runId) const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::StartRunRequest req;
    req.set_run_id(runId.toStdString());
    lifdag::v1::StartRunResponse reply;
    const grpc::Status status = d->stub->StartRun(&ctx, req, &reply);
    if (!status.ok())
        return d->toError(status);
    return qint64(reply.pid());
}

Result<bool> Client::cancelRun(const QString &runId, int graceSeconds) const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::CancelRunRequest req;
    req.set_run_id(runId.toStdString());
    req.set_grace_seconds(graceSeconds);
    lifdag::v1::CancelRunResponse reply;
    const grpc::Status status = d->stub->CancelRun(&ctx, req, &reply);
    if (!status.ok())
        return d->toError(status);
    return reply.signalled();
}

Result<WorkerStatus> Client::runWorkerStatus(const QString &runId) const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::GetRunWorkerStatusRequest req;
    req.set_run_id(runId.toStdString());
    lifdag::v1::RunWorkerStatus reply;
    const grpc::Status status = d->stub->GetRunWorkerStatus(&ctx, req, &reply);
    if (!status.ok())
        return d->toError(status);
    WorkerStatus st;
    switch (reply.state()) {
    case lifdag::v1::RunWorkerStatus::RUNNING:
        st.state = WorkerStatus::State::Running;
        break;
    case lifdag::v1::RunWorkerStatus::EXITED:
        st.state = WorkerStatus::State::Exited;
        break;
    default:
        st.state = WorkerStatus::State::Unknown;
        break;
    }
    st.pid = reply.pid();
    st.exitCode = reply.exit_code();
    st.signal = reply.signal();
    if (reply.started_at_unix_ms())
        st.startedAt = QDateTime::fromMSecsSinceEpoch(reply.started_at_unix_ms(), Qt::UTC);
    if (reply.ended_at_unix_ms())
        st.endedAt = QDateTime::fromMSecsSinceEpoch(reply.ended_at_unix_ms(), Qt::UTC);
    return st;
}

Result<RunLaunchContext> Client::runLaunchContext(const QString &runId) const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::GetRunLaunchContextRequest req;
    req.set_run_id(runId.toStdString());
    lifdag::v1::RunLaunchContext reply;
    const grpc::Status status = d->stub->GetRunLaunchContext(&ctx, req, &reply);
    if (!status.ok())
        return d->toError(status);
    RunLaunchContext out;
    out.image = QString::fromStdString(reply.image());
    out.locationName = QString::fromStdString(reply.location_name());
    for (const auto &entry : reply.env())
        out.env.append(QString::fromStdString(entry));
    return out;
}

Result<int> Client::reload() const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ReloadResponse reply;
    const grpc::Status status = d->stub->Reload(&ctx, {}, &reply);
    if (!status.ok())
        return d->toError(status);
    return int(reply.job_count());
}

Status Client::shutdown() const
{
    grpc::ClientContext ctx;
    d->prepare(ctx, d->deadline);
    lifdag::v1::ShutdownResponse reply;
    const grpc::Status status = d->stub->Shutdown(&ctx, {}, &reply);
    if (!status.ok())
        return d->toError(status);
    return {};
}

Status Client::waitUntilServing(std::chrono::milliseconds timeout) const
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    grpc::Status last;
    while (true) {
        grpc::ClientContext ctx;
        const auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        ctx.set_deadline(std::chrono::system_clock::now() + std::max(remaining, 50ms));
        ctx.set_wait_for_ready(true);
        grpc::health::v1::HealthCheckResponse reply;
        last = d->health->Check(&ctx, {}, &reply);
        if (last.ok() && reply.status() == grpc::health::v1::HealthCheckResponse::SERVING)
            return {};
        if (std::chrono::steady_clock::now() >= end)
            break;
        std::this_thread::sleep_for(20ms);
    }
    if (!last.ok())
        return d->toError(last);
    return Error { QStringLiteral("codelocation.unavailable"),
                   QStringLiteral("code location at %1 is not serving").arg(d->address) };
}

} // namespace lifdag::codelocation
