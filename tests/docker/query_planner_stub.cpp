// A stand-in for LIF's query planner in the compose smoke test (scripts/compose-smoke.sh): it takes
// lif_dynamic_pipeline_job's results (POST /orchestration/results, JSON) on every IPv4 address, so
// that containers reach it through the engine's gateway, and appends each document to a file as
// one JSON line. Runs until SIGTERM or SIGINT.
//   query_planner_stub --out FILE [--port N] [--token TOKEN]
#include "stubhttpserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <mutex>
#include <pthread.h>
#include <signal.h>

using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

int main(int argc, char **argv)
{
    // Blocked in every thread started from here on; the main thread waits for them below.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Receives LIF job results at POST /orchestration/results, one JSON line each to --out."));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("out"), QStringLiteral("File the results are appended to."),
                       QStringLiteral("file") });
    parser.addOption({ QStringLiteral("port"), QStringLiteral("Port (default 0: a free one)."),
                       QStringLiteral("port"), QStringLiteral("0") });
    parser.addOption({ QStringLiteral("token"), QStringLiteral("Bearer token the caller must send."),
                       QStringLiteral("token") });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("out"))) {
        std::fprintf(stderr, "query_planner_stub: --out FILE is required\n");
        return 2;
    }
    QFile out(parser.value(QStringLiteral("out")));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Append)) {
        std::fprintf(stderr, "query_planner_stub: %s: %s\n", qPrintable(out.fileName()),
                     qPrintable(out.errorString()));
        return 1;
    }
    const QByteArray token = parser.value(QStringLiteral("token")).toUtf8();
    std::mutex outMutex;

    StubHttpServer server(
        [&](const StubRequest &r) {
            if (r.path() != QLatin1StringView("/orchestration/results"))
                return StubResponse::json(404, R"({"detail":"Not Found"})");
            if (r.method != "POST")
                return StubResponse::json(405, R"({"detail":"Method Not Allowed"})");
            if (!token.isEmpty() && r.header("Authorization") != "Bearer " + token)
                return StubResponse::json(401, R"({"detail":"Unauthorized"})");
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject())
                return StubResponse::json(400, R"({"detail":"expected a JSON object"})");
            std::lock_guard lock(outMutex);
            out.write(doc.toJson(QJsonDocument::Compact) + '\n');
            out.flush();
            return StubResponse::json(200, R"({"status":"ok"})");
        },
        quint16(parser.value(QStringLiteral("port")).toUInt()), QHostAddress(QHostAddress::AnyIPv4));
    std::printf("query planner stub listening on http://0.0.0.0:%u\n", unsigned(server.port()));
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stopSignals, &signal);
    return 0;
}
