// `lifdag`: every headless service is a subcommand. This file only dispatches.
#include "cli.h"

#include <lifdag/codelocation/zygote.h>
#include <lifdag/core/version.h>

#include <QCoreApplication>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

using namespace lifdag::cli;

namespace {
// Keep sorted by name; each entry lives in its own cmd_*.cpp.
const Command kCommands[] = {
    { "code-server", "Serve the jobs over gRPC and start one worker process per run (port 4000)",
      runCodeServer },
    { "daemon", "Run queue (QueuedRunCoordinator) loops and their heartbeats: daemon run | daemon status",
      runDaemon },
    { "dev", "Everything on one machine: code location, daemon, webserver (:3000), SQLite storage", runDev },
    { "example-source", "LIF's Example Data Source REST API (x-key) and a LIF GraphQL source (port 8011)",
      runExampleSource },
    { "execute-run", "Execute one stored run in this process (what a run launcher starts)", runExecuteRun },
    { "instance", "Check the instance configuration (dagster.yaml, workspace.yaml) and migrate storage",
      runInstance },
    { "job", "Launch a job from the shell (lifdag job launch JOB [--config FILE] [--tag k=v] [--wait])",
      runJob },
    { "jsonata", "JSONL batch evaluator of JSONata expressions (stdin -> stdout)", runJsonata },
    { "schedule", "Schedules of the code locations: schedule list | start NAME | stop NAME | ticks NAME",
      runSchedule },
    { "token", "API tokens for the webserver: token create --role ROLE | token list | token revoke ID",
      runToken },
    { "transform", "Translate a JSON record with the MDR's JSONata mappings (--source ID --target ID)",
      runTransform },
    { "translator", "HTTP drop-in for LIF's translator service (port 8007)", runTranslator },
    { "webserver",
      "REST API, live events and metrics (port 3000): webserver -h HOST -p PORT -w workspace.yaml",
      runWebserver },
};

void printUsage(FILE *to)
{
    std::fprintf(to,
                 "Usage: lifdag <command> [options]\n\nlifdag %s - orchestration for the Learner Information "
                 "Framework\n\nCommands:\n",
                 qPrintable(lifdag::version()));
    for (const Command &c : kCommands)
        std::fprintf(to, "  %-14s %s\n", c.name, c.summary);
    std::fprintf(to, "\nRun 'lifdag <command> --help' for a command's options.\n");
}
} // namespace

int main(int argc, char *argv[])
{
    // The worker zygote (started by a code server, see zygote.h) forks before anything else
    // exists; each forked worker continues below as `lifdag execute-run …`.
    std::vector<std::string> workerArgs;
    std::vector<char *> workerArgv;
    if (argc == 2 && std::strcmp(argv[1], lifdag::codelocation::kZygoteCommand) == 0) {
        lifdag::codelocation::ZygoteOutcome outcome = lifdag::codelocation::serveZygote(3);
        if (!outcome.workerArgv)
            return outcome.exitCode;
        workerArgs = std::move(*outcome.workerArgv);
        workerArgv.push_back(argv[0]);
        for (std::string &a : workerArgs)
            workerArgv.push_back(a.data());
        workerArgv.push_back(nullptr);
        argc = int(workerArgv.size()) - 1;
        argv = workerArgv.data();
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lifdag"));
    QCoreApplication::setApplicationVersion(lifdag::version());

    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == QLatin1StringView("--help") || args.at(1) == QLatin1StringView("-h")
        || args.at(1) == QLatin1StringView("help")) {
        printUsage(args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args.at(1) == QLatin1StringView("--version") || args.at(1) == QLatin1StringView("-V")) {
        std::printf("lifdag %s\n", qPrintable(lifdag::version()));
        return 0;
    }
    for (const Command &c : kCommands) {
        if (args.at(1) == QLatin1StringView(c.name)) {
            QStringList sub = args.mid(2);
            sub.prepend(QStringLiteral("lifdag ") + QLatin1StringView(c.name));
            return c.run(sub);
        }
    }
    return fail(QStringLiteral("unknown command \"%1\"; run 'lifdag --help' for the list").arg(args.at(1)),
                2);
}
