// `lifdag code-server start`: the code location (gRPC :4000).
#include "cli.h"
#include "registry.h"

#include <lifdag/codelocation/containercontext.h>
#include <lifdag/codelocation/server.h>
#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>

#include <QCoreApplication>

namespace lifdag::cli {

int runCodeServer(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("start"), QStringLiteral("Start the code location server."));
    parser.addOption({ { QStringLiteral("H"), QStringLiteral("host") },
                       QStringLiteral("Address to listen on (default 0.0.0.0)."),
                       QStringLiteral("host"),
                       QStringLiteral("0.0.0.0") });
    parser.addOption({ { QStringLiteral("p"), QStringLiteral("port") },
                       QStringLiteral("Port (default 4000; 0 picks a free one)."),
                       QStringLiteral("port"),
                       QStringLiteral("4000") });
    parser.addOption({ QStringLiteral("location-name"), QStringLiteral("Name of this code location."),
                       QStringLiteral("name"), QStringLiteral("lif_code_location") });
    parser.addOption(
        { QStringLiteral("container-context"),
          QStringLiteral(
              "JSON {\"env_vars\": [\"NAME=value\", \"NAME\"]}: variables passed on to every run."),
          QStringLiteral("json") });
    parser.addOption(
        { { QStringLiteral("m"), QStringLiteral("module-name") },
          QStringLiteral("Accepted for Dagster compatibility and ignored: lifdag's jobs are built in."),
          QStringLiteral("module") });
    // -h is Dagster's short form of --host; --help remains available.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    QStringList fixed = args;
    for (qsizetype i = 1; i < fixed.size(); ++i) {
        if (fixed[i] == QLatin1StringView("-h"))
            fixed[i] = QStringLiteral("--host");
    }
    if (!parse(parser, fixed, QStringLiteral("Serve the jobs of this code location over gRPC.")))
        return 2;
    if (parser.positionalArguments() != QStringList { QStringLiteral("start") })
        return fail(QStringLiteral("expected: lifdag code-server start [options]"), 2);

    // Before any thread starts: SIGTERM/SIGINT are then handled on one thread, never by default.
    std::mutex serverMutex;
    codelocation::Server *current = nullptr;
    onTerminationSignal([&](int) {
        std::lock_guard lock(serverMutex);
        if (current)
            current->requestShutdown();
        else
            std::_Exit(0); // nothing started yet
    });
    bool portOk = false;
    const int port = parser.value(QStringLiteral("port")).toInt(&portOk);
    if (!portOk || port < 0 || port > 65535)
        return fail(QStringLiteral("--port: expected a port number, got \"%1\"")
                        .arg(parser.value(QStringLiteral("port"))),
                    2);
    auto context = codelocation::parseContainerContext(parser.value(QStringLiteral("container-context")));
    if (!context)
        return fail(context.error().message, 2);
    auto registry = buildRegistry();
    if (!registry)
        return fail(registry.error().message);

    codelocation::ServerOptions options;
    options.host = parser.value(QStringLiteral("host"));
    options.port = port;
    options.locationName = parser.value(QStringLiteral("location-name"));
    options.containerContext = *context;
    options.workerProgram = QCoreApplication::applicationFilePath();
    options.workerZygote = workerZygoteEnabled();
    options.reloadRegistry = buildRegistry;
    // With an instance, StartRun refuses runs that are not stored or not waiting to start.
    std::shared_ptr<instance::Instance> instance;
    if (const QString home = config::dagsterHome(); !home.isEmpty()) {
        auto opened = instance::Instance::open(home);
        if (!opened)
            return fail(opened.error().message);
        instance = *opened;
        options.storage = instance->storagePtr(); // forked workers store through this server
        options.checkRun = [instance](const QString &runId) -> Status {
            // The run's status only (one small query on the path of every launch).
            storage::RunFilter filter;
            filter.runIds = { runId };
            const auto counts = instance->storage().runs().countByStatus(filter);
            if (!counts)
                return counts.error();
            if (counts->isEmpty())
                return Error { QStringLiteral("codelocation.not_found"),
                               QStringLiteral("run %1 not found in %2")
                                   .arg(runId, instance->storage().settings().describe()) };
            const RunStatus status = counts->firstKey();
            if (isTerminal(status))
                return Error { QStringLiteral("codelocation.finished"),
                               QStringLiteral("run %1 already ended %2").arg(runId, runStatusName(status)) };
            return {};
        };
        options.checkLaunching = [instance](const QString &runId) -> Status {
            const auto run = instance->storage().runs().run(runId);
            if (!run)
                return run.error();
            if (!run->has_value())
                return Error { QStringLiteral("codelocation.not_found"),
                               QStringLiteral("run %1 not found in %2")
                                   .arg(runId, instance->storage().settings().describe()) };
            if ((*run)->status != RunStatus::Starting)
                return Error { QStringLiteral("codelocation.not_starting"),
                               QStringLiteral("run %1 is %2, not STARTING: its environment is only handed "
                                              "to the launcher that starts it")
                                   .arg(runId, runStatusName((*run)->status)) };
            return {};
        };
    }

    codelocation::Server server(options, *registry);
    auto publish = [&](codelocation::Server *s) {
        std::lock_guard lock(serverMutex);
        current = s;
    };
    publish(&server);
    // Unpublished before `server` is destroyed, on every path out of this function.
    const std::unique_ptr<void, std::function<void(void *)>> unpublish(&server,
                                                                       [&](void *) { publish(nullptr); });
    if (const Status s = server.start(); !s)
        return fail(s.error().message);
    out(QStringLiteral("lifdag code location \"%1\" listening on %2:%3")
            .arg(options.locationName, options.host)
            .arg(server.port()));
    server.wait();
    publish(nullptr);
    server.shutdown();
    return 0;
}

} // namespace lifdag::cli
