// `lifdag execute-run RUN_ID`: what a run launcher starts (one process per run).
#include "cli.h"
#include "registry.h"

#include <lifdag/codelocation/runstore.h>
#include <lifdag/codelocation/runworker.h>
#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>

#include <cstdio>
#include <unistd.h>

namespace lifdag::cli {

int runExecuteRun(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("run_id"), QStringLiteral("The stored run to execute."));
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("store-fd"),
                       QStringLiteral("Store through the code server on this socket (set by the code server "
                                      "for the workers it forks) instead of connecting to storage."),
                       QStringLiteral("fd") });
    if (!parse(parser, args,
               QStringLiteral("Execute one stored run in this process (started by a run launcher).")))
        return 2;
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("expected one run id"), 2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);
    // Signals first, so every thread started later has them blocked and a SIGTERM cancels cleanly.
    codelocation::RunWorker *current = nullptr;
    std::mutex currentMutex;
    onTerminationSignal([&](int) {
        std::lock_guard lock(currentMutex);
        if (current)
            current->cancel();
    });
    // A container run launcher passes its instance (storage) this way: the image's own
    // dagster.yaml may name another database than the daemon that launched the run.
    instance::Instance::Options options;
    options.instanceYaml = qgetenv("LIFDAG_INSTANCE_YAML");
    options.instanceYamlName = QStringLiteral("$LIFDAG_INSTANCE_YAML (set by the run launcher)");
    auto openStorage = [home, options]() -> Result<std::shared_ptr<storage::Storage>> {
        auto instance = instance::Instance::open(home, options);
        if (!instance)
            return instance.error();
        return (*instance)->storagePtr();
    };
    std::shared_ptr<codelocation::RunStore> store;
    if (parser.isSet(QStringLiteral("store-fd"))) {
        bool ok = false;
        const int fd = parser.value(QStringLiteral("store-fd")).toInt(&ok);
        if (!ok || fd < 0)
            return fail(QStringLiteral("--store-fd: expected a descriptor number"), 2);
        store = codelocation::makeServerRunStore(fd, openStorage);
    } else {
        auto storage = openStorage();
        if (!storage)
            return fail(storage.error().message, 2);
        store = codelocation::makeStorageRunStore(*storage);
    }
    auto registry = buildRegistry();
    if (!registry)
        return fail(registry.error().message, 2);
    codelocation::RunWorker worker(store, *registry);
    {
        std::lock_guard lock(currentMutex);
        current = &worker;
    }
    const int rc = worker.execute(parser.positionalArguments().first());
    {
        std::lock_guard lock(currentMutex);
        current = nullptr;
    }
    // Everything the run produced is stored (execute() flushed its events and wrote the final
    // status): end here, without tearing down the registry, the instance and every library's
    // globals one by one - a third of a short run's time.
    std::fflush(nullptr);
    ::_exit(rc);
}

} // namespace lifdag::cli
