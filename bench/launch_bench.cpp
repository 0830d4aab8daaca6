// launch_bench: launch → SUCCESS latency through a real code server and run worker processes,
// and fan-out throughput, on SQLite and PostgreSQL.
//   launch_bench [--runs 200] [--keys 1000] [--backend sqlite|postgres|both]
// Needs the `lifdag` executable beside bench/ (../bin/lifdag); PostgreSQL coordinates as for
// storage_bench (scripts/bench.sh launch_bench starts a throwaway server).
#include "benchutil.h"
#include "benchinstance.h"

#include <lifdag/instance/instance.h>
#include <lifdag/launcher/launcher.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

int runBench(const char *name, bench::Backend backend, int runs, int keys)
{
    bench::BenchInstance bi(backend);
    if (!bi.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(bi.error()));
        return 1;
    }
    instance::Instance &inst = bi.instance();

    QList<double> samples;
    for (int i = 0; i < runs + 5; ++i) {
        launcher::SubmitRequest request;
        request.jobName = u"hello_job"_s;
        QElapsedTimer t;
        t.start();
        const auto outcome = launcher::submitRun(inst, request);
        if (!outcome || !outcome->run) {
            std::fprintf(stderr, "launch failed\n");
            return 1;
        }
        if (bi.waitForEnd(outcome->run->runId) != RunStatus::Success) {
            std::fprintf(stderr, "run failed\n");
            return 1;
        }
        if (i >= 5) // the first runs warm caches (page cache, connections)
            samples.append(t.nsecsElapsed() / 1e6);
    }
    bench::row(name, qPrintable(u"hello_job launch -> SUCCESS, p50 (%1 runs)"_s.arg(runs)),
               bench::percentile(samples, 50), "ms");
    bench::row(name, qPrintable(u"hello_job launch -> SUCCESS, p99 (%1 runs)"_s.arg(runs)),
               bench::percentile(samples, 99), "ms");

    launcher::SubmitRequest fan;
    fan.jobName = u"fanout_job"_s;
    fan.runConfig = QJsonObject {
        { u"ops"_s,
          QJsonObject {
              { u"fan_out"_s, QJsonObject { { u"config"_s, QJsonObject { { u"count"_s, keys } } } } } } }
    };
    QElapsedTimer t;
    t.start();
    const auto outcome = launcher::submitRun(inst, fan);
    if (!outcome || !outcome->run || bi.waitForEnd(outcome->run->runId) != RunStatus::Success) {
        std::fprintf(stderr, "fanout run failed\n");
        return 1;
    }
    const double wallMs = t.nsecsElapsed() / 1e6;
    const auto events = inst.storage().events().events(outcome->run->runId, 0, 1000000);
    QDateTime start, end;
    for (const Event &e : *events) {
        if (e.eventType == u"RUN_START"_s)
            start = e.timestamp;
        if (e.eventType == u"RUN_SUCCESS"_s)
            end = e.timestamp;
    }
    const double runMs = double(start.msecsTo(end));
    const int steps = keys + 2;
    bench::row(name, qPrintable(u"fanout_job %1 keys: launch -> SUCCESS"_s.arg(keys)), wallMs, "ms");
    bench::row(name, qPrintable(u"fanout_job %1 keys: per-step time (RUN_START..RUN_SUCCESS)"_s.arg(keys)),
               runMs * 1000.0 / steps, "us/step");
    bench::row(name, qPrintable(u"fanout_job %1 keys: events stored/s"_s.arg(keys)),
               events->size() / (qMax(1.0, runMs) / 1000.0), "events/s");
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"lifdag.*.info=false"_s);
    QCommandLineParser p;
    p.setApplicationDescription(u"Launch latency and fan-out throughput through real processes."_s);
    p.addHelpOption();
    p.addOption({ u"runs"_s, u"hello_job runs to time (default 200)."_s, u"n"_s, u"200"_s });
    p.addOption({ u"keys"_s, u"fanout_job mapping keys (default 1000)."_s, u"n"_s, u"1000"_s });
    p.addOption({ u"backend"_s, u"sqlite, postgres or both (default both)."_s, u"name"_s, u"both"_s });
    p.process(app);
    const int runs = p.value(u"runs"_s).toInt();
    const int keys = p.value(u"keys"_s).toInt();
    const QString backend = p.value(u"backend"_s);
    std::printf("%-10s %-48s %14s\n", "backend", "figure", "value");
    int rc = 0;
    if (backend == u"sqlite"_s || backend == u"both"_s)
        rc |= runBench("sqlite", bench::Backend::Sqlite, runs, keys);
    if (backend == u"postgres"_s || backend == u"both"_s)
        rc |= runBench("postgres", bench::Backend::Postgres, runs, keys);
    return rc;
}
