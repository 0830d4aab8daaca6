// `lifdag code-server start`: the code location (gRPC :4000).
#include "cli.h"

#include <lifdag/codelocation/containercontext.h>
#include <lifdag/codelocation/server.h>
#include <lifdag/execution/examplejobs.h>

#include <QCoreApplication>

namespace lifdag::cli {

namespace {
// Every job this build of lifdag ships; later issues add LIF's job and external adapters here.
Result<std::shared_ptr<const execution::JobRegistry>> buildRegistry()
{
    auto registry = std::make_shared<execution::JobRegistry>();
    if (const Status s = execution::examples::registerExampleJobs(*registry); !s)
        return s.error();
    return std::shared_ptr<const execution::JobRegistry>(std::move(registry));
}
} // namespace

int runCodeServer(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("start"), QStringLiteral("Start the code location server."));
    parser.addOption({{QStringLiteral("H"), QStringLiteral("host")}, QStringLiteral("Address to listen on (default 0.0.0.0)."),
                      QStringLiteral("host"), QStringLiteral("0.0.0.0")});
    parser.addOption({{QStringLiteral("p"), QStringLiteral("port")}, QStringLiteral("Port (default 4000; 0 picks a free one)."),
                      QStringLiteral("port"), QStringLiteral("4000")});
    parser.addOption({QStringLiteral("location-name"), QStringLiteral("Name of this code location."),
                      QStringLiteral("name"), QStringLiteral("lif_code_location")});
    parser.addOption({QStringLiteral("container-context"),
                      QStringLiteral("JSON {\"env_vars\": [\"NAME=value\", \"NAME\"]}: variables passed on to every run."),
                      QStringLiteral("json")});
    parser.addOption({{QStringLiteral("m"), QStringLiteral("module-name")},
                      QStringLiteral("Accepted for Dagster compatibility and ignored: lifdag's jobs are built in."),
                      QStringLiteral("module")});
    // -h is Dagster's short form of --host; --help remains available.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    QStringList fixed = args;
    for (qsizetype i = 1; i < fixed.size(); ++i) {
        if (fixed[i] == QLatin1StringView("-h"))
            fixed[i] = QStringLiteral("--host");
    }
    if (!parse(parser, fixed, QStringLiteral("Serve the jobs of this code location over gRPC.")))
        return 2;
    if (parser.positionalArguments() != QStringList{QStringLiteral("start")})
        return fail(QStringLiteral("expected: lifdag code-server start [options]"), 2);

    bool portOk = false;
    const int port = parser.value(QStringLiteral("port")).toInt(&portOk);
    if (!portOk || port < 0 || port > 65535)
        return fail(QStringLiteral("--port: expected a port number, got \"%1\"").arg(parser.value(QStringLiteral("port"))), 2);
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
    options.reloadRegistry = buildRegistry;

    codelocation::Server server(options, *registry);
    onTerminationSignal([&server](int) { server.requestShutdown(); });
    if (const Status s = server.start(); !s)
        return fail(s.error().message);
    out(QStringLiteral("lifdag code location \"%1\" listening on %2:%3").arg(options.locationName, options.host).arg(server.port()));
    server.wait();
    server.shutdown();
    return 0;
}

} // namespace lifdag::cli
