#include "lifdag/codelocation/server.h"

#include "codelocation_log_p.h"
#include "protojson_p.h"

#include <lifdag/codelocation/runstore.h>
#include <lifdag/codelocation/workersupervisor.h>
#include <lifdag/core/version.h>

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <lifdag/v1/codelocation.grpc.pb.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace lifdag::codelocation {

using namespace std::chrono_literals;
namespace pb = lifdag::v1;

namespace {

grpc::Status notFound(const QString &message)
{
    return { grpc::StatusCode::NOT_FOUND, message.toStdString() };
}

grpc::Status invalid(const QString &message)
{
    return { grpc::StatusCode::INVALID_ARGUMENT, message.toStdString() };
}

bool isRunId(const QString &runId)
{
    static const QRegularExpression re(QStringLiteral(R"(^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$)"));
    return re.match(runId).hasMatch();
}

void fillJob(const execution::JobDefinition &job, pb::JobInfo *out)
{
    out->set_name(job.name().toStdString());
    out->set_description(job.description().toStdString());
    for (auto it = job.tags().cbegin(); it != job.tags().cend(); ++it)
        (*out->mutable_tags())[it.key().toStdString()] = it.value().toStdString();
    for (const execution::JobNode &node : job.nodes()) {
        pb::OpNode *op = out->add_ops();
        op->set_name(node.op.name.toStdString());
        op->set_description(node.op.description.toStdString());
        op->set_mapped(node.isMapped());
        if (const auto policy = job.retryPolicyFor(node))
            op->set_max_retries(policy->maxRetries);
        for (const execution::InputDefinition &in : node.op.inputs) {
            pb::OpInput *input = op->add_inputs();
            input->set_name(in.name.toStdString());
            const auto src = node.inputs.constFind(in.name);
            if (src != node.inputs.cend()) {
                input->set_from_op(src->node.toStdString());
                input->set_from_output(src->output.toStdString());
                input->set_collect(src->kind == execution::InputSource::Kind::Collect);
            }
        }
        for (const execution::OutputDefinition &o : node.op.outputs) {
            pb::OpOutput *output = op->add_outputs();
            output->set_name(o.name.toStdString());
            output->set_dynamic(o.isDynamic);
            output->set_is_required(o.isRequired);
        }
    }
    *out->mutable_config_schema() = detail::toStruct(job.runConfigJsonSchema());
    *out->mutable_config_skeleton() = detail::toStruct(job.runConfigSkeleton());
    *out->mutable_graph() = detail::toStruct(job.graphJson());
}

} // namespace

struct Server::Private final : pb::CodeLocation::Service
{
    ServerOptions options;
    std::shared_ptr<const execution::JobRegistry> registry;
    mutable std::mutex registryMutex;
    std::unique_ptr<WorkerSupervisor> workers;
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    QDateTime startedAt = QDateTime::currentDateTimeUtc();
    std::mutex stateMutex;
    std::condition_variable stopped;
    bool shutdownRequested = false;
    std::thread shutdownThread;

    std::shared_ptr<const execution::JobRegistry> currentRegistry() const
    {
        std::lock_guard lock(registryMutex);
        return registry;
    }

    void requestShutdown()
    {
        std::lock_guard lock(stateMutex);
        shutdownRequested = true;
        stopped.notify_all();
    }

    grpc::Status GetServerInfo(grpc::ServerContext *, const pb::GetServerInfoRequest *,
                               pb::ServerInfo *reply) override
    {
        reply->set_version(lifdag::version().toStdString());
        reply->set_location_name(options.locationName.toStdString());
        reply->set_repository_name(currentRegistry()->repositoryName().toStdString());
        reply->set_image(qEnvironmentVariable("DAGSTER_CURRENT_IMAGE").toStdString());
        for (const QString &entry : options.containerContext.envVars)
            reply->add_container_env_names(entry.section(QLatin1Char('='), 0, 0).toStdString());
        reply->set_started_at_unix_ms(startedAt.toMSecsSinceEpoch());
        reply->set_running_workers(workers->runningCount());
        return grpc::Status::OK;
    }

    grpc::Status ListJobs(grpc::ServerContext *, const pb::ListJobsRequest *,
                          pb::ListJobsResponse *reply) override
    {
        const auto reg = currentRegistry();
        reply->set_repository_name(reg->repositoryName().toStdString());
        for (const execution::JobPtr &job : reg->jobs())
            fillJob(*job, reply->add_jobs());
        return grpc::Status::OK;
    }

    grpc::Status ListSchedules(grpc::ServerContext *, const pb::ListSchedulesRequest *,
                               pb::ListSchedulesResponse *reply) override
    {
        const auto reg = currentRegistry();
        reply->set_repository_name(reg->repositoryName().toStdString());
        for (const execution::ScheduleDefinition &s : reg->schedules()) {
            pb::ScheduleInfo *out = reply->add_schedules();
            out->set_name(s.name.toStdString());
            out->set_cron_schedule(s.cronSchedule.toStdString());
            out->set_execution_timezone(s.executionTimezone.toStdString());
            out->set_job_name(s.jobName.toStdString());
            *out->mutable_run_config() = detail::toStruct(s.runConfig);
            for (auto it = s.tags.cbegin(); it != s.tags.cend(); ++it)
                (*out->mutable_tags())[it.key().toStdString()] = it.value().toStdString();
            out->set_description(s.description.toStdString());
            out->set_default_status(s.defaultStatus == execution::ScheduleDefinition::DefaultStatus::Running
                                        ? pb::ScheduleInfo::RUNNING
                                        : pb::ScheduleInfo::STOPPED);
            out->set_catch_up(s.catchUp);
        }
        return grpc::Status::OK;
    }

    grpc::Status ValidateRunConfig(grpc::ServerContext *, const pb::ValidateRunConfigRequest *request,
                                   pb::ValidateRunConfigResponse *reply) override
    {
        const QString name = QString::fromStdString(request->job_name());
        const execution::JobPtr job = currentRegistry()->job(name);
        if (!job)
            return notFound(
                QStringLiteral("job \"%1\" not found in location %2").arg(name, options.locationName));
        const execution::ConfigValidation v =
            job->validateRunConfig(detail::fromStruct(request->run_config()));
        reply->set_valid(v.ok());
        for (const execution::ConfigError &e : v.errors) {
            pb::ConfigViolation *out = reply->add_violations();
            out->set_path(e.path.toStdString());
            out->set_reason(execution::configErrorReasonName(e.reason).toStdString());
            out->set_message(e.message.toStdString());
        }
        return grpc::Status::OK;
    }

    grpc::Status StartRun(grpc::ServerContext *, const pb::StartRunRequest *request,
                          pb::StartRunResponse *reply) override
    {
        const QString runId = QString::fromStdString(request->run_id());
        if (!isRunId(runId))
            return invalid(QStringLiteral("\"%1\" is not a run id").arg(runId.left(80)));
        if (options.checkRun) {
            const Status ok = options.checkRun(runId);
            if (!ok) {
                if (ok.error().code.endsWith(QLatin1StringView("not_found")))
                    return notFound(ok.error().message);
                return { grpc::StatusCode::FAILED_PRECONDITION, ok.error().message.toStdString() };
            }
        }
        const auto pid = workers->start(runId, { QStringLiteral("execute-run"), runId });
        if (!pid) {
            if (pid.error().code == QLatin1StringView("codelocation.already_running"))
                return { grpc::StatusCode::ALREADY_EXISTS, pid.error().message.toStdString() };
            return { grpc::StatusCode::INTERNAL, pid.error().message.toStdString() };
        }
        reply->set_pid(*pid);
        return grpc::Status::OK;
    }

    grpc::Status CancelRun(grpc::ServerContext *, const pb::CancelRunRequest *request,
                           pb::CancelRunResponse *reply) override
    {
        const QString runId = QString::fromStdString(request->run_id());
        if (workers->status(runId).state == WorkerStatus::State::Unknown)
            return notFound(QStringLiteral("no worker for run %1 on this code location").arg(runId.left(80)));
        const int grace =
            request->grace_seconds() > 0 ? request->grace_seconds() : options.cancelGraceSeconds;
        reply->set_signalled(workers->cancel(runId, std::chrono::seconds(grace)));
        return grpc::Status::OK;
    }

    grpc::Status GetRunWorkerStatus(grpc::ServerContext *, const pb::GetRunWorkerStatusRequest *request,
                                    pb::RunWorkerStatus *reply) override
    {
        const WorkerStatus st = workers->status(QString::fromStdString(request->run_id()));
        switch (st.state) {
        case WorkerStatus::State::Unknown:
            reply->set_state(pb::RunWorkerStatus::UNKNOWN);
            break;
        case WorkerStatus::State::Running:
            reply->set_state(pb::RunWorkerStatus::RUNNING);
            break;
        case WorkerStatus::State::Exited:
            reply->set_state(pb::RunWorkerStatus::EXITED);
            break;
        }
        reply->set_pid(st.pid);
        reply->set_exit_code(st.exitCode);
        reply->set_signal(st.signal);
        if (st.startedAt.isValid())
            reply->set_started_at_unix_ms(st.startedAt.toMSecsSinceEpoch());
        if (st.endedAt.isValid())
            reply->set_ended_at_unix_ms(st.endedAt.toMSecsSinceEpoch());
        return grpc::Status::OK;
    }

    grpc::Status GetRunLaunchContext(grpc::ServerContext *, const pb::GetRunLaunchContextRequest *request,
                                     pb::RunLaunchContext *reply) override
    {
        const QString runId = QString::fromStdString(request->run_id());
        if (!isRunId(runId))
            return invalid(QStringLiteral("\"%1\" is not a run id").arg(runId.left(80)));
        if (!options.checkLaunching)
            return { grpc::StatusCode::FAILED_PRECONDITION,
                     QStringLiteral("code location %1 has no instance to check that run %2 is starting "
                                    "(DAGSTER_HOME is not set), so it does not hand out run environments")
                         .arg(options.locationName, runId)
                         .toStdString() };
        if (const Status ok = options.checkLaunching(runId); !ok) {
            if (ok.error().code.endsWith(QLatin1StringView("not_found")))
                return notFound(ok.error().message);
            return { grpc::StatusCode::FAILED_PRECONDITION, ok.error().message.toStdString() };
        }
        reply->set_image(qEnvironmentVariable("DAGSTER_CURRENT_IMAGE").toStdString());
        reply->set_location_name(options.locationName.toStdString());
        for (const QString &entry :
             runEnvironment(QProcessEnvironment::systemEnvironment(), options.containerContext))
            reply->add_env(entry.toStdString());
        return grpc::Status::OK;
    }

    grpc::Status Reload(grpc::ServerContext *, const pb::ReloadRequest *, pb::ReloadResponse *reply) override
    {
        if (options.reloadRegistry) {
            auto fresh = options.reloadRegistry();
            if (!fresh)
                return { grpc::StatusCode::INTERNAL, fresh.error().message.toStdString() };
            std::lock_guard lock(registryMutex);
            registry = *fresh;
        }
        reply->set_job_count(int(currentRegistry()->size()));
        qCInfo(lcCodeLocation, "reloaded: %d job(s)", reply->job_count());
        return grpc::Status::OK;
    }

    grpc::Status Shutdown(grpc::ServerContext *, const pb::ShutdownRequest *, pb::ShutdownResponse *) override
    {
        qCInfo(lcCodeLocation, "shutdown requested over gRPC");
        requestShutdown();
        return grpc::Status::OK;
    }
};

Server::Server(ServerOptions options, std::shared_ptr<const execution::JobRegistry> registry)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->registry = std::move(registry);
    const QProcessEnvironment env =
        workerEnvironment(QProcessEnvironment::systemEnvironment(), d->options.containerContext);
    WorkerSupervisor::Options workerOptions;
    workerOptions.zygote = d->options.workerZygote;
    if (d->options.workerZygote && d->options.storage)
        workerOptions.runStore = std::make_shared<RunStoreServer>(d->options.storage);
    d->workers = std::make_unique<WorkerSupervisor>(d->options.workerProgram, env, workerOptions);
}

Server::~Server()
{
    shutdown();
}

Status Server::start()
{
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    const std::string address =
        QStringLiteral("%1:%2").arg(d->options.host).arg(d->options.port).toStdString();
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &d->port);
    builder.RegisterService(d.get());
    builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    // gRPC's sync server lets a handler thread exit as soon as more than MAX_POLLERS wait for
    // work, and starts new ones under load; a handler that reads storage (StartRun's check) would
    // open a database connection on each new thread - on PostgreSQL a new server process each
    // time. Threads that stay keep their connections.
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 16);
    d->server = builder.BuildAndStart();
    if (!d->server || d->port == 0)
        return Error { QStringLiteral("codelocation.bind"),
                       QStringLiteral("cannot listen on %1:%2 (in use or not permitted)")
                           .arg(d->options.host)
                           .arg(d->options.port) };
    d->server->GetHealthCheckService()->SetServingStatus(true);
    qCInfo(lcCodeLocation, "code location %s serving %d job(s) on %s:%d", qPrintable(d->options.locationName),
           int(d->currentRegistry()->size()), qPrintable(d->options.host), d->port);
    return {};
}

int Server::port() const
{
    return d->port;
}

void Server::wait()
{
    std::unique_lock lock(d->stateMutex);
    d->stopped.wait(lock, [this] { return d->shutdownRequested; });
}

void Server::requestShutdown()
{
    d->requestShutdown();
}

void Server::shutdown()
{
    d->requestShutdown();
    if (d->server) {
        d->server->GetHealthCheckService()->SetServingStatus(false);
        d->server->Shutdown(std::chrono::system_clock::now() + 2s);
        d->server->Wait();
        d->server.reset();
    }
    d->workers->terminateAll(std::chrono::seconds(d->options.cancelGraceSeconds));
}

WorkerSupervisor &Server::workers()
{
    return *d->workers;
}

} // namespace lifdag::codelocation
