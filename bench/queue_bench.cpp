// queue_bench: the QueuedRunCoordinator through the DefaultRunLauncher, with real processes.
//   queue_bench [--runs 200] [--drain 1000] [--max-concurrent 10] [--backend sqlite|postgres|both]
// Figures: QUEUED → STARTED latency with the daemon idle (a run is submitted, the daemon wakes on
// the storage notification, claims it and launches a worker, which marks it STARTED), and the drain
// rate of a backlog of no-op runs under max_concurrent_runs. The daemon runs in this process
// (daemon::Daemon, the same loops `lifdag daemon run` starts); PostgreSQL coordinates as for
// launch_bench (scripts/bench.sh queue_bench starts a throwaway server).
#include "benchinstance.h"
#include "benchutil.h"

#include <lifdag/daemon/daemon.h>
#include <lifdag/launcher/launcher.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSet>
#include <QThread>
#include <QUuid>

#include <condition_variable>
#include <mutex>

using namespace lifdag;
using namespace Qt::StringLiterals;

namespace {

// Wakes a waiter when the storage announces a status change of the run it waits for.
class StatusWaiter
{
public:
    explicit StatusWaiter(storage::Storage &storage)
    {
        auto sub = storage.subscribeWithPayload(storage::kRunStatusChannel, [this](const QString &payload) {
            std::lock_guard lock(m_mutex);
            m_changed.insert(payload);
            m_cv.notify_all();
        });
        if (sub)
            m_subscription = *sub;
    }
    // Returns at the next change of `runId` (or one seen since the last call), or after `timeout`.
    void wait(const QString &runId, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, timeout, [&] { return m_changed.contains(runId); });
        m_changed.remove(runId);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    QSet<QString> m_changed;
    std::shared_ptr<void> m_subscription;
};

std::optional<QString> submitHello(instance::Instance &inst, const QString &batch)
{
    launcher::SubmitRequest request;
    request.jobName = u"hello_job"_s;
    request.tags = { { u"bench/batch"_s, batch } };
    const auto outcome = launcher::submitRun(inst, request);
    if (!outcome || !outcome->run)
        return std::nullopt;
    return outcome->run->runId;
}

int runBench(const char *name, bench::Backend backend, int runs, int drain, int maxConcurrent)
{
    bench::BenchInstance bi(
        backend,
        u"run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
        u"    max_concurrent_runs: %1\n    dequeue_interval_seconds: 5\n"_s.arg(maxConcurrent));
    if (!bi.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(bi.error()));
        return 1;
    }
    instance::Instance &inst = bi.instance();
    storage::RunStorage &runStorage = inst.storage().runs();

    {
        daemon::Daemon daemon(bi.shared(), u"queue-bench"_s);
        daemon.addConfiguredLoops();
        daemon.start();
        const QString batch = QUuid::createUuid().toString(QUuid::Id128);
        QList<double> samples;
        // Woken by the storage's run status notifications (the worker's move to STARTED), not by
        // polling: a tight poll would take CPU from the processes being measured.
        StatusWaiter statusChanges(inst.storage());
        for (int i = 0; i < runs + 5; ++i) {
            QElapsedTimer t;
            t.start();
            const auto runId = submitHello(inst, batch);
            if (!runId) {
                std::fprintf(stderr, "submit failed\n");
                return 1;
            }
            double startedMs = -1;
            while (t.elapsed() < 30000) {
                const auto run = runStorage.run(*runId);
                if (run && run->has_value() && (*run)->status != RunStatus::Queued
                    && (*run)->status != RunStatus::Starting) {
                    startedMs = t.nsecsElapsed() / 1e6;
                    break;
                }
                statusChanges.wait(*runId, std::chrono::milliseconds(20));
            }
            if (startedMs < 0 || bi.waitForEnd(*runId) != RunStatus::Success) {
                std::fprintf(stderr, "run %s did not start and succeed\n", qPrintable(*runId));
                return 1;
            }
            if (i >= 5)
                samples.append(startedMs);
        }
        bench::row(name, qPrintable(u"submit (QUEUED) -> STARTED, p50 (%1 runs)"_s.arg(runs)),
                   bench::percentile(samples, 50), "ms");
        bench::row(name, qPrintable(u"submit (QUEUED) -> STARTED, p99 (%1 runs)"_s.arg(runs)),
                   bench::percentile(samples, 99), "ms");
    }

    // A backlog queued while no daemon runs, then drained by one.
    const QString batch = QUuid::createUuid().toString(QUuid::Id128);
    for (int i = 0; i < drain; ++i) {
        if (!submitHello(inst, batch)) {
            std::fprintf(stderr, "submit failed\n");
            return 1;
        }
    }
    storage::RunFilter filter;
    filter.tags = { { u"bench/batch"_s, batch } };
    filter.statuses = { RunStatus::Success, RunStatus::Failure, RunStatus::Canceled };
    daemon::Daemon daemon(bi.shared(), u"queue-bench-drain"_s);
    daemon.addConfiguredLoops();
    QElapsedTimer t;
    t.start();
    const qint64 startedAtMs = QDateTime::currentMSecsSinceEpoch();
    daemon.start();
    // Checked every 100 ms (cheap for the processes measured); the drain ends when the last run's
    // stored end time says so.
    qint64 ended = 0;
    while (t.elapsed() < 600000) {
        const auto counts = runStorage.countByStatus(filter);
        ended = 0;
        if (counts) {
            for (auto it = counts->cbegin(); it != counts->cend(); ++it)
                ended += it.value();
        }
        if (ended >= drain)
            break;
        QThread::msleep(100);
    }
    double seconds = t.nsecsElapsed() / 1e9;
    daemon.stop();
    if (const auto page = runStorage.runs(filter, drain + 1); page && page->runs.size() == drain) {
        qint64 lastEnd = 0;
        for (const storage::RunRecord &run : page->runs)
            lastEnd = std::max(lastEnd, run.endedAt.toMSecsSinceEpoch());
        if (lastEnd > startedAtMs)
            seconds = (lastEnd - startedAtMs) / 1e3;
    }
    filter.statuses = { RunStatus::Success };
    const auto ok = runStorage.countByStatus(filter);
    const qint64 succeeded = ok ? ok->value(RunStatus::Success) : 0;
    bench::row(name,
               qPrintable(u"drain %1 hello_job runs, max_concurrent %2"_s.arg(drain).arg(maxConcurrent)),
               drain / seconds, "runs/s");
    if (succeeded != drain) {
        std::fprintf(stderr, "only %lld of %d runs succeeded\n", static_cast<long long>(succeeded), drain);
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"lifdag.*.info=false"_s);
    QCommandLineParser p;
    p.setApplicationDescription(u"Queue latency and drain rate through the daemon's run coordinator."_s);
    p.addHelpOption();
    p.addOption({ u"runs"_s, u"runs to time one by one (default 200)."_s, u"n"_s, u"200"_s });
    p.addOption({ u"drain"_s, u"backlog of runs to drain (default 1000)."_s, u"n"_s, u"1000"_s });
    p.addOption({ u"max-concurrent"_s, u"max_concurrent_runs (default 10)."_s, u"n"_s, u"10"_s });
    p.addOption({ u"backend"_s, u"sqlite, postgres or both (default both)."_s, u"name"_s, u"both"_s });
    p.process(app);
    const int runs = p.value(u"runs"_s).toInt();
    const int drain = p.value(u"drain"_s).toInt();
    const int maxConcurrent = p.value(u"max-concurrent"_s).toInt();
    const QString backend = p.value(u"backend"_s);
    std::printf("%-10s %-48s %14s\n", "backend", "figure", "value");
    int rc = 0;
    if (backend == u"sqlite"_s || backend == u"both"_s)
        rc |= runBench("sqlite", bench::Backend::Sqlite, runs, drain, maxConcurrent);
    if (backend == u"postgres"_s || backend == u"both"_s)
        rc |= runBench("postgres", bench::Backend::Postgres, runs, drain, maxConcurrent);
    return rc;
}
