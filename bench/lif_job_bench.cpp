// lif_job_bench: lif_dynamic_pipeline_job end to end on local sources - launch until the results
// POST reaches the (stand-in) query planner - through a real code server, run workers, `lifdag
// example-source` (REST + GraphQL) and the in-process Transformer with the test mappings.
//   lif_job_bench [--runs 50] [--backend sqlite|postgres|both]
// Prints p50/p99 of the 3-part job (2 × lif-to-lif, 1 × example source + translation) and parts per
// second at 1, 10 and 100 parts. PostgreSQL coordinates as for storage_bench (scripts/bench.sh
// lif_job_bench starts a throwaway server).
#include "benchinstance.h"
#include "benchutil.h"
#include "stubhttpserver.h"
#include "testsupport.h"

#include <lifdag/launcher/launcher.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace lifdag;
using namespace Qt::StringLiterals;
using Clock = std::chrono::steady_clock;

namespace {

const QString kKey = u"bench-source-key"_s;
const QString kExampleAdapter = u"example-data-source-rest-api-to-lif"_s;

// The stand-in query planner: notes when each run's results arrive.
class Receiver
{
public:
    Receiver()
        : m_server([this](const test::StubRequest &r) {
            const QString runId = QJsonDocument::fromJson(r.body).object().value(u"run_id"_s).toString();
            {
                std::lock_guard lock(m_mutex);
                m_arrivals.insert(runId, Clock::now());
                m_wallClock.insert(runId, QDateTime::currentMSecsSinceEpoch());
                m_parts.insert(runId,
                               int(QJsonDocument::fromJson(r.body)
                                       .object()
                                       .value(u"query_plan_part_results"_s)
                                       .toArray()
                                       .size()));
            }
            m_arrived.notify_all();
            return test::StubResponse::json(200, R"({"status":"ok"})");
        })
    { }

    QString baseUrl() const { return m_server.baseUrl(); }

    // Waits for the results of `runId`; returns their arrival time, or nothing on timeout.
    std::optional<Clock::time_point> waitFor(const QString &runId, int *parts, std::chrono::seconds timeout)
    {
        std::unique_lock lock(m_mutex);
        if (!m_arrived.wait_for(lock, timeout, [&] { return m_arrivals.contains(runId); }))
            return std::nullopt;
        *parts = m_parts.value(runId);
        return m_arrivals.value(runId);
    }

    qint64 wallClockMs(const QString &runId)
    {
        std::lock_guard lock(m_mutex);
        return m_wallClock.value(runId);
    }

private:
    std::mutex m_mutex;
    QHash<QString, qint64> m_wallClock;
    std::condition_variable m_arrived;
    QHash<QString, Clock::time_point> m_arrivals;
    QHash<QString, int> m_parts;
    test::StubHttpServer m_server;
};

QString sourceId(int i)
{
    return u"org-"_s + QString::number(i);
}

// Part i: every third one reads the example source's REST API and is translated, the others read
// its LIF GraphQL source.
QJsonObject part(int i)
{
    const bool rest = i % 3 == 2;
    QJsonObject p { { u"information_source_id"_s, sourceId(i) },
                    { u"adapter_id"_s, rest ? kExampleAdapter : u"lif-to-lif"_s },
                    { u"person_id"_s,
                      QJsonObject { { u"identifier"_s, QString(u"10000"_s + QString::number(1 + i % 4)) },
                                    { u"identifierType"_s, u"School-assigned number"_s } } },
                    { u"lif_fragment_paths"_s,
                      QJsonArray { rest ? u"person.employmentPreferences"_s : u"person.name"_s } } };
    if (rest)
        p.insert(u"translation"_s,
                 QJsonObject { { u"source_schema_id"_s, u"26"_s }, { u"target_schema_id"_s, u"17"_s } });
    return p;
}

QJsonObject runConfig(int parts)
{
    QJsonArray list;
    for (int i = 0; i < parts; ++i)
        list.append(part(i));
    return QJsonObject {
        { u"resources"_s,
          QJsonObject {
              { u"config_resource"_s,
                QJsonObject { { u"config"_s, QJsonObject { { u"lif_query_plan_parts"_s, list } } } } } } }
    };
}

// Launch → results received, in ms; negative when the run did not deliver. `sinceRunStart`: from
// the run's RUN_START event (stamped by the worker) to the results' arrival, wall clock.
double timeOneRun(bench::BenchInstance &instance, Receiver &receiver, int parts,
                  double *sinceRunStart = nullptr)
{
    launcher::SubmitRequest request;
    request.jobName = u"lif_dynamic_pipeline_job"_s;
    request.runConfig = runConfig(parts);
    const auto start = Clock::now();
    const auto outcome = launcher::submitRun(instance.instance(), request);
    if (!outcome || !outcome->run) {
        std::fprintf(stderr, "launch failed: %s\n",
                     qPrintable(outcome ? u"invalid run config"_s : outcome.error().message));
        return -1;
    }
    int delivered = 0;
    const auto arrived = receiver.waitFor(outcome->run->runId, &delivered, std::chrono::seconds(120));
    if (!arrived || delivered != parts) {
        std::fprintf(stderr, "run %s delivered no results (status %s)\n", qPrintable(outcome->run->runId),
                     qPrintable(runStatusName(instance.waitForEnd(outcome->run->runId, 1000))));
        return -1;
    }
    const qint64 arrivedWallMs = receiver.wallClockMs(outcome->run->runId);
    // The next run should not overlap this one's tail (storing its end).
    instance.waitForEnd(outcome->run->runId, 30000);
    if (sinceRunStart) {
        const auto events = instance.instance().storage().events().events(outcome->run->runId, 0, 100);
        qint64 runStart = 0;
        for (const Event &e : events ? *events : QList<Event>()) {
            if (e.eventType == QLatin1StringView(EventType::RunStart))
                runStart = e.timestamp.toMSecsSinceEpoch();
        }
        *sinceRunStart = double(arrivedWallMs - runStart);
        if (qEnvironmentVariableIsSet("LIF_JOB_BENCH_TIMELINE")) { // where a run spends its time
            for (const Event &e : events ? *events : QList<Event>())
                std::printf("%+6lld ms  %-18s %-60s %s\n", e.timestamp.toMSecsSinceEpoch() - runStart,
                            qPrintable(e.eventType), qPrintable(e.stepKey.left(60)),
                            qPrintable(e.message.left(90)));
        }
    }
    return std::chrono::duration<double, std::milli>(*arrived - start).count();
}

int runBench(const char *name, bench::Backend backend, int runs)
{
    QProcess source;
    QString error;
    const int sourcePort = test::startLifdagServer(
        source, { u"example-source"_s, u"-H"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--key"_s, kKey }, &error);
    if (sourcePort == 0) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    Receiver receiver;
    QProcessEnvironment env;
    for (int i = 0; i < 100; ++i) {
        const QString adapter = i % 3 == 2 ? u"EXAMPLE_DATA_SOURCE_REST_API_TO_LIF"_s : u"LIF_TO_LIF"_s;
        const QString prefix =
            u"ADAPTERS__"_s + adapter + u"__ORG_"_s + QString::number(i) + u"__CREDENTIALS__"_s;
        env.insert(prefix + u"HOST"_s, u"127.0.0.1:"_s + QString::number(sourcePort));
        env.insert(prefix + u"SCHEME"_s, u"http"_s);
        env.insert(prefix + u"TOKEN"_s, kKey);
    }
    env.insert(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s, receiver.baseUrl());
    env.insert(u"LIF_TRANSLATOR_MAPPINGS_DIR"_s,
               QStringLiteral(LIFDAG_SOURCE_DIR "/tests/lifjob/data/mappings"));
    bench::BenchInstance instance(backend, {}, env);
    if (!instance.ok()) {
        std::fprintf(stderr, "%s\n", qPrintable(instance.error()));
        return 1;
    }

    if (timeOneRun(instance, receiver, 3) < 0) // warm-up: page cache, code server connections
        return 1;
    QList<double> samples;
    QList<double> inRun;
    for (int r = 0; r < runs; ++r) {
        double started = 0;
        const double ms = timeOneRun(instance, receiver, 3, &started);
        if (ms < 0)
            return 1;
        samples.append(ms);
        inRun.append(started);
    }
    bench::row(name, "3-part job, launch -> results POST p50", bench::percentile(samples, 50), "ms");
    bench::row(name, "3-part job, launch -> results POST p99", bench::percentile(samples, 99), "ms");
    bench::row(name, "3-part job, RUN_START -> results POST p50", bench::percentile(inRun, 50), "ms");

    // The same launch path with a job that does nothing: what the LIF job adds on this machine now.
    QList<double> baseline;
    for (int r = 0; r < std::min(runs, 20); ++r) {
        launcher::SubmitRequest request;
        request.jobName = u"hello_job"_s;
        const auto start = Clock::now();
        const auto outcome = launcher::submitRun(instance.instance(), request);
        if (!outcome || !outcome->run || instance.waitForEnd(outcome->run->runId) != RunStatus::Success)
            return 1;
        baseline.append(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    bench::row(name, "baseline: hello_job launch -> SUCCESS p50", bench::percentile(baseline, 50), "ms");

    for (const int parts : { 1, 10, 100 }) {
        const int repeat = parts == 100 ? 3 : 5;
        QList<double> times;
        for (int r = 0; r < repeat; ++r) {
            const double ms = timeOneRun(instance, receiver, parts);
            if (ms < 0)
                return 1;
            times.append(ms);
        }
        const double p50 = bench::percentile(times, 50);
        const QByteArray what = "parts/second at " + QByteArray::number(parts) + " part(s) (run p50 "
            + QByteArray::number(p50, 'f', 1) + " ms)";
        bench::row(name, what.constData(), double(parts) * 1000.0 / p50, "parts/s");
    }
    source.terminate();
    source.waitForFinished(10000);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_LOGGING_RULES", "lifdag.*.info=false");
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"lif_dynamic_pipeline_job latency and throughput on local sources"_s);
    parser.addHelpOption();
    parser.addOption({ u"runs"_s, u"Timed runs of the 3-part job (default 50)."_s, u"N"_s, u"50"_s });
    parser.addOption({ u"backend"_s, u"sqlite, postgres or both (default both)."_s, u"NAME"_s, u"both"_s });
    parser.process(app);
    const int runs = std::max(1, parser.value(u"runs"_s).toInt());
    const QString backend = parser.value(u"backend"_s);
    int status = 0;
    if (backend == u"sqlite"_s || backend == u"both"_s)
        status |= runBench("sqlite", bench::Backend::Sqlite, runs);
    if (backend == u"postgres"_s || backend == u"both"_s)
        status |= runBench("postgres", bench::Backend::Postgres, runs);
    return status;
}
