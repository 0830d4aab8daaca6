// Prints the executor's per-step scheduling overhead and event rate for fanout_job (1,000 keys,
// sleep 0 by default): the engine's cost with ops that do nothing.
//   execution_bench [--keys N] [--repeat R] [--max-concurrent C]
#include <lifdag/execution/examplejobs.h>
#include <lifdag/execution/executor.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>
#include <algorithm>
#include <atomic>
#include <cstdio>

using namespace lifdag;
using namespace lifdag::execution;
using namespace Qt::StringLiterals;

namespace {

// Counts events without keeping them: the executor's own cost, without a sink's.
class CountingSink : public EventSink
{
public:
    void append(Event) override { m_count.fetch_add(1, std::memory_order_relaxed); }
    qint64 count() const { return m_count.load(); }

private:
    std::atomic<qint64> m_count { 0 };
};

struct Sample
{
    double wallMs = 0;
    qint64 steps = 0;
    qint64 events = 0;
};

template<typename Sink>
Sample runOnce(const JobPtr &job, const QJsonObject &config, int maxConcurrent, Sink &sink,
               qint64 (*countEvents)(const Sink &))
{
    Executor executor(job, u"bench"_s, config, sink, ExecutorOptions { .maxConcurrent = maxConcurrent });
    QElapsedTimer timer;
    timer.start();
    const RunResult result = executor.run();
    const double wallMs = double(timer.nsecsElapsed()) / 1e6;
    if (result.status != RunStatus::Success) {
        std::fprintf(stderr, "run did not succeed\n");
        std::exit(1);
    }
    return Sample { wallMs, qint64(result.steps.size()), countEvents(sink) };
}

void report(const char *label, QList<Sample> samples)
{
    std::sort(samples.begin(), samples.end(),
              [](const Sample &a, const Sample &b) { return a.wallMs < b.wallMs; });
    const Sample &median = samples[samples.size() / 2];
    const Sample &best = samples.first();
    std::printf(
        "%-28s steps=%lld events=%lld  run median %.1f ms (best %.1f)  per step median %.1f us (best %.1f)  "
        "events/s median %.0f\n",
        label, static_cast<long long>(median.steps), static_cast<long long>(median.events), median.wallMs,
        best.wallMs, median.wallMs * 1000.0 / double(median.steps), best.wallMs * 1000.0 / double(best.steps),
        double(median.events) / (median.wallMs / 1000.0));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Per-step scheduling overhead of fanout_job (sleep 0)."_s);
    parser.addHelpOption();
    parser.addOption({ u"keys"_s, u"Dynamic outputs to fan out (default 1000)."_s, u"N"_s, u"1000"_s });
    parser.addOption({ u"repeat"_s, u"Runs per configuration (default 7)."_s, u"R"_s, u"7"_s });
    parser.addOption({ u"max-concurrent"_s, u"Thread pool size (default: cores)."_s, u"C"_s, u"0"_s });
    parser.process(app);
    const int keys = parser.value(u"keys"_s).toInt();
    const int repeat = std::max(1, parser.value(u"repeat"_s).toInt());
    const int cores = std::max(1, QThread::idealThreadCount());
    const int maxConcurrent =
        parser.value(u"max-concurrent"_s).toInt() > 0 ? parser.value(u"max-concurrent"_s).toInt() : cores;

    const JobPtr job = *examples::fanoutJob().build();
    const QJsonObject config {
        { u"ops"_s,
          QJsonObject { { u"fan_out"_s,
                          QJsonObject { { u"config"_s,
                                          QJsonObject { { u"count"_s, keys }, { u"sleep_ms"_s, 0 } } } } } } }
    };

    std::printf("fanout_job: %d keys, sleep_ms 0, max_concurrent %d (%d cores), %d runs each\n", keys,
                maxConcurrent, cores, repeat);
    for (const int concurrency : { maxConcurrent, 1 }) {
        QList<Sample> counting;
        QList<Sample> memory;
        for (int i = 0; i < repeat; ++i) {
            CountingSink c;
            counting.append(runOnce<CountingSink>(job, config, concurrency, c,
                                                  [](const CountingSink &s) { return s.count(); }));
            MemoryEventSink m;
            memory.append(runOnce<MemoryEventSink>(
                job, config, concurrency, m, [](const MemoryEventSink &s) { return qint64(s.size()); }));
        }
        const QByteArray suffix = " (max_concurrent " + QByteArray::number(concurrency) + ")";
        report(QByteArray("counting sink" + suffix).constData(), counting);
        report(QByteArray("in-memory sink" + suffix).constData(), memory);
    }
    return 0;
}
