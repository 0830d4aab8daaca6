// `lifdag webserver -h HOST -p PORT -w workspace.yaml`: the REST API, live events and metrics (:3000).
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/webserver.h>
#include <lifdag/webui/webui.h>

#include <QCoreApplication>
#include <QDir>
#include <sys/resource.h>

namespace lifdag::cli {

int runWebserver(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({ { QStringLiteral("H"), QStringLiteral("host") },
                       QStringLiteral("Address to listen on (default 0.0.0.0)."),
                       QStringLiteral("host"),
                       QStringLiteral("0.0.0.0") });
    parser.addOption({ { QStringLiteral("p"), QStringLiteral("port") },
                       QStringLiteral("Port (default 3000; 0 picks a free one)."),
                       QStringLiteral("port"),
                       QStringLiteral("3000") });
    parser.addOption(
        { { QStringLiteral("w"), QStringLiteral("workspace") },
          QStringLiteral("workspace.yaml naming the code locations (default: $DAGSTER_HOME/workspace.yaml)."),
          QStringLiteral("file") });
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("worker-threads"),
                       QStringLiteral("Threads running request handlers (default 8)."), QStringLiteral("n"),
                       QStringLiteral("8") });
    parser.addOption({ QStringLiteral("max-body-bytes"),
                       QStringLiteral("Largest request body accepted (default 1048576)."),
                       QStringLiteral("bytes"), QStringLiteral("1048576") });
    parser.addOption({ QStringLiteral("no-access-log"), QStringLiteral("Do not log one line per request.") });
    parser.addOption({ QStringLiteral("cors-origin"),
                       QStringLiteral("Allow browser requests from this origin (\"*\" for any)."),
                       QStringLiteral("origin") });
    // -h is Dagster's short form of --host; --help remains available.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    QStringList fixed = args;
    for (qsizetype i = 1; i < fixed.size(); ++i) {
        if (fixed[i] == QLatin1StringView("-h"))
            fixed[i] = QStringLiteral("--host");
    }
    if (!parse(parser, fixed,
               QStringLiteral("Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json), live events "
                              "(/api/v1/ws), /health, /ready and /metrics.")))
        return 2;
    onTerminationSignal([](int) {
        QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit,
                                  Qt::QueuedConnection);
    });

    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);
    bool ok = false;
    const int port = parser.value(QStringLiteral("port")).toInt(&ok);
    if (!ok || port < 0 || port > 65535)
        return fail(QStringLiteral("--port: expected a port number, got \"%1\"")
                        .arg(parser.value(QStringLiteral("port"))),
                    2);
    webserver::WebServerOptions options;
    const QString host = parser.value(QStringLiteral("host"));
    if (!options.address.setAddress(host == QLatin1StringView("localhost") ? QStringLiteral("127.0.0.1")
                                                                           : host))
        return fail(QStringLiteral("--host: expected an IP address, got \"%1\"").arg(host), 2);
    options.port = quint16(port);
    options.http.workerThreads = parser.value(QStringLiteral("worker-threads")).toInt(&ok);
    if (!ok || options.http.workerThreads < 1 || options.http.workerThreads > 256)
        return fail(QStringLiteral("--worker-threads: expected 1 to 256"), 2);
    options.http.maxBodyBytes = parser.value(QStringLiteral("max-body-bytes")).toLongLong(&ok);
    if (!ok || options.http.maxBodyBytes < 1024)
        return fail(QStringLiteral("--max-body-bytes: expected at least 1024"), 2);
    options.http.accessLog = !parser.isSet(QStringLiteral("no-access-log"));
    options.http.corsAllowOrigin = parser.value(QStringLiteral("cors-origin")).toUtf8();

    // One descriptor per client connection: allow as many as the hard limit does (often 1024 soft).
    rlimit files {};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    instance::Instance::Options instanceOptions;
    if (parser.isSet(QStringLiteral("workspace")))
        instanceOptions.workspacePath =
            QDir::current().absoluteFilePath(parser.value(QStringLiteral("workspace")));
    const auto instance = instance::Instance::open(home, instanceOptions);
    if (!instance)
        return fail(instance.error().message);

    webserver::WebServer server(*instance, options);
    webui::mount(server); // the web UI at /
    if (const Status s = server.start(); !s)
        return fail(s.error().message);
    out(QStringLiteral("webserver listening on http://%1:%2").arg(host).arg(server.port()));
    const int rc = QCoreApplication::exec();
    out(QStringLiteral("webserver: stopping"));
    server.stop();
    return rc;
}

} // namespace lifdag::cli
