// storage_bench: throughput and latency of the run and event storage on SQLite and PostgreSQL.
//   storage_bench [--runs N] [--backend sqlite|postgres|both] [--sqlite-dir DIR]
// PostgreSQL coordinates: LIFDAG_BENCH_PG_HOST, _PORT, _USER, _PASSWORD, _DB (scripts/bench.sh
// starts a throwaway server and sets them). Prints one line per figure.
#include "benchutil.h"

#include <lifdag/storage/storage.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QUuid>

using namespace lifdag;
using namespace lifdag::storage;
using namespace Qt::StringLiterals;

namespace {

Event makeEvent(const QString &runId, int i)
{
    Event e;
    e.runId = runId;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.eventType = i % 3 ? u"LOG_MESSAGE"_s : u"STEP_SUCCESS"_s;
    e.stepKey = u"op[item_%1]"_s.arg(i % 50);
    e.message = u"Finished execution of step in 12 ms (event %1)."_s.arg(i);
    e.payload = QJsonObject { { u"duration_ms"_s, 12 }, { u"i"_s, i } };
    return e;
}

int runBench(const char *name, const Settings &settings, int runCount)
{
    auto opened = open(settings);
    if (!opened) {
        std::fprintf(stderr, "%s: %s\n", name, qPrintable(opened.error().message));
        return 1;
    }
    Storage &st = **opened;

    // Events appended per second, per batch size.
    const QString eventRun = QUuid::createUuid().toString(QUuid::WithoutBraces);
    for (int batch : { 1, 100, 1000 }) {
        const int total = batch == 1 ? 3000 : 100000;
        QList<Event> events;
        for (int i = 0; i < batch; ++i)
            events.append(makeEvent(eventRun, i));
        QElapsedTimer t;
        t.start();
        for (int done = 0; done < total; done += batch) {
            if (const auto r = st.events().append(events); !r) {
                std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
                return 1;
            }
        }
        bench::row(name, qPrintable(u"events appended/s, batch %1"_s.arg(batch)),
                   total / (t.nsecsElapsed() / 1e9), "events/s");
    }

    // Runs inserted per second (each with its tags, one transaction per run).
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < runCount; ++i) {
        RunRecord r;
        r.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        r.jobName = i % 2 ? u"lif_dynamic_pipeline_job"_s : u"fanout_job"_s;
        r.status = i % 10 ? RunStatus::Success : RunStatus::Failure;
        r.tags = { { u"k"_s, u"v%1"_s.arg(i % 100) }, { u"team"_s, u"t%1"_s.arg(i % 7) } };
        r.runConfig = QJsonObject { { u"ops"_s, QJsonObject {} } };
        if (const Status s = st.runs().addRun(r); !s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
            return 1;
        }
    }
    bench::row(name, "runs inserted/s (with 2 tags each)", runCount / (t.nsecsElapsed() / 1e9), "runs/s");

    // 50 newest runs with tag k=v: each value matches 1% of the runs.
    QList<double> samples;
    for (int i = 0; i < 300; ++i) {
        RunFilter f;
        f.tags = { { u"k"_s, u"v%1"_s.arg(QRandomGenerator::global()->bounded(100)) } };
        QElapsedTimer q;
        q.start();
        const auto page = st.runs().runs(f, 50);
        samples.append(q.nsecsElapsed() / 1e6);
        if (!page || page->runs.size() != qMin(50, runCount / 100)) {
            std::fprintf(stderr, "unexpected page\n");
            return 1;
        }
    }
    bench::row(name, qPrintable(u"50 newest runs with tag k=v at %1 runs, p50"_s.arg(runCount)),
               bench::percentile(samples, 50), "ms");
    bench::row(name, qPrintable(u"50 newest runs with tag k=v at %1 runs, p99"_s.arg(runCount)),
               bench::percentile(samples, 99), "ms");

    // A page of one run's events after a cursor (the run holds ~200k events).
    const qint64 latest = *st.events().latestId();
    samples.clear();
    for (int i = 0; i < 300; ++i) {
        const qint64 cursor = QRandomGenerator::global()->bounded(latest / 2);
        QElapsedTimer q;
        q.start();
        const auto page = st.events().events(eventRun, cursor, 100);
        samples.append(q.nsecsElapsed() / 1e6);
        if (!page || page->size() != 100) {
            std::fprintf(stderr, "unexpected event page\n");
            return 1;
        }
    }
    bench::row(name, "100 events of one run after a cursor, p50", bench::percentile(samples, 50), "ms");
    bench::row(name, "100 events of one run after a cursor, p99", bench::percentile(samples, 99), "ms");
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(u"Storage throughput and latency on SQLite and PostgreSQL."_s);
    p.addHelpOption();
    p.addOption(
        { u"runs"_s, u"Runs to insert before the latency queries (default 100000)."_s, u"n"_s, u"100000"_s });
    p.addOption({ u"backend"_s, u"sqlite, postgres or both (default both)."_s, u"name"_s, u"both"_s });
    p.addOption(
        { u"sqlite-dir"_s, u"Directory for the SQLite file (default: a temporary one)."_s, u"dir"_s });
    p.process(app);
    const int runs = p.value(u"runs"_s).toInt();
    const QString backend = p.value(u"backend"_s);
    std::printf("%-10s %-48s %14s\n", "backend", "figure", "value");
    int rc = 0;
    if (backend == u"sqlite"_s || backend == u"both"_s) {
        QTemporaryDir tmp;
        Settings s;
        s.backend = Settings::Backend::Sqlite;
        s.sqliteDirectory = p.isSet(u"sqlite-dir"_s) ? p.value(u"sqlite-dir"_s) : tmp.path();
        rc |= runBench("sqlite", s, runs);
    }
    if (backend == u"postgres"_s || backend == u"both"_s) {
        Settings s;
        s.backend = Settings::Backend::Postgres;
        s.host = qEnvironmentVariable("LIFDAG_BENCH_PG_HOST", u"127.0.0.1"_s);
        s.port = qEnvironmentVariable("LIFDAG_BENCH_PG_PORT", u"5432"_s).toInt();
        s.user = qEnvironmentVariable("LIFDAG_BENCH_PG_USER", u"postgres"_s);
        s.password = qEnvironmentVariable("LIFDAG_BENCH_PG_PASSWORD");
        s.database = qEnvironmentVariable("LIFDAG_BENCH_PG_DB", u"lifdag_bench"_s);
        rc |= runBench("postgres", s, runs);
    }
    return rc;
}
