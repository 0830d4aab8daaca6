// webui_bench: first render of the web UI's runs page over 100k stored runs - a `lifdag webserver`
// process on a seeded instance, the page loaded in headless chromium (puppeteer-core, webui_bench.mjs)
// cold (nothing cached) and warm; prints percentiles of navigation start -> first page of runs in
// the DOM, first contentful paint and the HTML's response time.
//   build/bench/webui_bench [--runs 100000] [--loads 15]
//   scripts/bench.sh webui_bench …   (adds PostgreSQL)
// Needs chromium and node (scripts/deps.sh); installs puppeteer-core with `npm ci` from
// tests/webui's lock file into the build tree on first use.
#include "benchinstance.h"
#include "benchutil.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QUuid>
#include <atomic>
#include <thread>

using namespace lifdag;
using namespace lifdag::bench;
using namespace Qt::StringLiterals;

namespace {

const QString kNodeDir = QStringLiteral(WEBUI_BENCH_NODE_DIR);

bool ensurePuppeteer(QString *error)
{
    if (QFile::exists(kNodeDir + u"/node_modules/puppeteer-core/package.json"_s))
        return true;
    QDir().mkpath(kNodeDir);
    for (const QString &f : { u"package.json"_s, u"package-lock.json"_s }) {
        QFile::remove(kNodeDir + u'/' + f);
        if (!QFile::copy(QStringLiteral(LIFDAG_SOURCE_DIR "/tests/webui/") + f, kNodeDir + u'/' + f)) {
            *error = u"cannot copy "_s + f + u" to "_s + kNodeDir;
            return false;
        }
    }
    QProcess npm;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PUPPETEER_SKIP_DOWNLOAD"_s, u"1"_s);
    npm.setProcessEnvironment(env);
    npm.setProcessChannelMode(QProcess::MergedChannels);
    npm.start(u"npm"_s, { u"ci"_s, u"--no-audit"_s, u"--no-fund"_s, u"--prefix"_s, kNodeDir });
    if (!npm.waitForFinished(300000) || npm.exitCode() != 0) {
        *error = u"npm ci failed: "_s + QString::fromUtf8(npm.readAll());
        return false;
    }
    return true;
}

void runBackend(Backend backend, int runs, int loads)
{
    const char *name = backend == Backend::Postgres ? "postgres" : "sqlite";
    BenchInstance bi(backend);
    if (!bi.ok()) {
        std::fprintf(stderr, "%s: %s\n", name, qPrintable(bi.error()));
        return;
    }
    storage::Storage &storage = bi.instance().storage();

    // Runs of the example jobs over the last 30 days, with tags and every status, from 4 threads.
    QElapsedTimer t;
    t.start();
    std::atomic<int> next { 0 };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&] {
            static const RunStatus statuses[] = { RunStatus::Success, RunStatus::Success,  RunStatus::Success,
                                                  RunStatus::Failure, RunStatus::Canceled, RunStatus::Queued,
                                                  RunStatus::Started };
            static const char *jobs[] = { "hello_job", "diamond_job", "fanout_job", "flaky_job",
                                          "lif_dynamic_pipeline_job" };
            int i;
            while ((i = next.fetch_add(1)) < runs) {
                storage::RunRecord r;
                r.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
                r.jobName = QString::fromLatin1(jobs[i % 5]);
                r.locationName = u"bench"_s;
                r.repositoryName = u"__repository__"_s;
                r.status = statuses[i % 7];
                r.createdAt = now.addMSecs(-qint64(runs - i) * 26000);
                if (r.status != RunStatus::Queued)
                    r.startedAt = r.createdAt.addMSecs(300);
                if (isTerminal(r.status))
                    r.endedAt = r.startedAt.addMSecs(200 + i % 5000);
                r.tags = { { u"team"_s, u"t%1"_s.arg(i % 7) },
                           { u"lifdag/launched_by"_s, u"admin:bench"_s } };
                r.runConfig = QJsonObject {
                    { u"ops"_s, QJsonObject { { u"fan_out"_s, QJsonObject { { u"count"_s, i % 50 } } } } }
                };
                (void)storage.runs().addRun(r);
            }
        });
    }
    for (auto &w : writers)
        w.join();
    row(name, "stored runs", double(runs), "");
    row(name, "seeding time", double(t.elapsed()) / 1000.0, "s");

    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DAGSTER_HOME"_s, bi.home());
    env.remove(u"LIFDAG_WEBUI_DIR"_s);
    server.setProcessEnvironment(env);
    QString error;
    const int port = test::startLifdagServer(server,
                                             { u"webserver"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s,
                                               u"--no-access-log"_s, u"--log-level"_s, u"warning"_s },
                                             &error);
    if (!port) {
        std::fprintf(stderr, "%s: webserver did not start: %s\n", name, qPrintable(error));
        return;
    }

    QProcess driver;
    QProcessEnvironment driverEnv = QProcessEnvironment::systemEnvironment();
    driverEnv.insert(u"WEBUI_BASE_URL"_s, u"http://127.0.0.1:"_s + QString::number(port));
    driverEnv.insert(u"WEBUI_LOADS"_s, QString::number(loads));
    driverEnv.insert(u"CHROMIUM"_s, QStandardPaths::findExecutable(u"chromium"_s));
    driver.setProcessEnvironment(driverEnv);
    driver.setWorkingDirectory(kNodeDir);
    QFile::remove(kNodeDir + u"/webui_bench.mjs"_s);
    QFile::copy(QStringLiteral(LIFDAG_SOURCE_DIR "/bench/webui_bench.mjs"), kNodeDir + u"/webui_bench.mjs"_s);
    driver.start(u"node"_s, { kNodeDir + u"/webui_bench.mjs"_s });
    if (!driver.waitForFinished(600000) || driver.exitCode() != 0) {
        std::fprintf(stderr, "%s: the browser driver failed: %s\n", name,
                     driver.readAllStandardError().constData());
        server.terminate();
        server.waitForFinished(10000);
        return;
    }
    QHash<QString, QList<double>> samples; // "cold rendered" -> ms
    int rows = 0;
    for (const QByteArray &line : driver.readAllStandardOutput().split('\n')) {
        if (!line.startsWith("SAMPLE "))
            continue;
        const QJsonObject s = QJsonDocument::fromJson(line.mid(7)).object();
        const QString kind = s.value(u"kind"_s).toString();
        for (const char *metric : { "rendered", "fcp", "html", "scripts", "runsApi", "countsApi" }) {
            const QJsonValue v = s.value(QLatin1StringView(metric));
            if (v.isDouble())
                samples[kind + u' ' + QLatin1StringView(metric)].append(v.toDouble());
        }
        rows = s.value(u"rows"_s).toInt();
    }
    row(name, "rows on the first page", double(rows), "");
    for (const QString &kind : { u"cold"_s, u"warm"_s }) {
        for (const auto &[metric, label] :
             { std::pair { "rendered", "runs page first render (navigation -> rows)" },
               std::pair { "fcp", "first contentful paint" }, std::pair { "html", "HTML response end" },
               std::pair { "scripts", "modules evaluated (DOMContentLoaded)" },
               std::pair { "runsApi", "GET /api/v1/runs?limit=50 (in the page)" },
               std::pair { "countsApi", "GET /api/v1/runs/counts (in the page)" } }) {
            QList<double> list = samples.value(kind + u' ' + QLatin1StringView(metric));
            if (list.isEmpty())
                continue;
            const QByteArray what = (kind + u": "_s + QLatin1StringView(label)).toUtf8();
            row(name, QByteArray(what + " p50").constData(), percentile(list, 50), "ms");
            row(name, QByteArray(what + " p95").constData(), percentile(list, 95), "ms");
        }
    }
    server.terminate();
    server.waitForFinished(10000);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int runs = 100000;
    int loads = 15;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--runs"_s)
            runs = args[i + 1].toInt();
        else if (args[i] == u"--loads"_s)
            loads = args[i + 1].toInt();
    }
    QString error;
    if (QStandardPaths::findExecutable(u"chromium"_s).isEmpty()
        || QStandardPaths::findExecutable(u"node"_s).isEmpty()) {
        std::fprintf(stderr, "webui_bench: needs chromium and node (scripts/deps.sh installs them)\n");
        return 1;
    }
    if (!ensurePuppeteer(&error)) {
        std::fprintf(stderr, "webui_bench: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("webui_bench: %d runs stored, %d page loads cold and warm\n", runs, loads);
    runBackend(Backend::Sqlite, runs, loads);
    if (!qEnvironmentVariableIsEmpty("LIFDAG_BENCH_PG_HOST"))
        runBackend(Backend::Postgres, runs, loads);
    return 0;
}
