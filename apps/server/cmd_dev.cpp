// `lifdag dev`: every service on one machine with SQLite storage in $DAGSTER_HOME.
#include "cli.h"
#include "registry.h"

#include <lifdag/codelocation/server.h>
#include <lifdag/config/instanceconfig.h>
#include <lifdag/daemon/daemon.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/webserver.h>
#include <lifdag/webui/webui.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace lifdag::cli {

namespace {

// Writes `text` to `path` unless the file exists (an operator's own files are never replaced).
Status writeDefault(const QString &path, const QByteArray &text)
{
    if (QFile::exists(path))
        return {};
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return Error { QStringLiteral("dev.io"),
                       QStringLiteral("%1: cannot write: %2").arg(path, f.errorString()) };
    return {};
}

} // namespace

int runDev(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("home"),
                       QStringLiteral("Instance directory (default: $DAGSTER_HOME, else ./.lifdag_home)."),
                       QStringLiteral("dir") });
    parser.addOption({ { QStringLiteral("p"), QStringLiteral("port") },
                       QStringLiteral("Webserver port (default 3000)."),
                       QStringLiteral("port"),
                       QStringLiteral("3000") });
    parser.addOption({ QStringLiteral("code-server-port"),
                       QStringLiteral("Code location gRPC port (default 4000)."), QStringLiteral("port"),
                       QStringLiteral("4000") });
    if (!parse(parser, args, QStringLiteral("Run the code location, daemon and webserver on this machine.")))
        return 2;
    onTerminationSignal([](int) {
        QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit,
                                  Qt::QueuedConnection);
    });

    const QString home =
        QDir(parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home"))
                                                  : config::dagsterHome(QStringLiteral(".lifdag_home")))
            .absolutePath();
    if (!QDir().mkpath(home))
        return fail(QStringLiteral("%1: cannot create the instance directory").arg(home));
    qputenv("DAGSTER_HOME", home.toLocal8Bit());
    const int codePort = parser.value(QStringLiteral("code-server-port")).toInt();
    const Status ws =
        writeDefault(QDir(home).filePath(QStringLiteral("workspace.yaml")),
                     QStringLiteral("load_from:\n  - grpc_server:\n      host: localhost\n      port: %1\n"
                                    "      location_name: \"dev_location\"\n")
                         .arg(codePort)
                         .toUtf8());
    if (!ws)
        return fail(ws.error().message);
    const auto instance = instance::Instance::open(home); // creates or migrates the storage
    if (!instance)
        return fail(instance.error().message);

    auto registry = buildRegistry();
    if (!registry)
        return fail(registry.error().message);
    codelocation::ServerOptions options;
    options.host = QStringLiteral("127.0.0.1");
    options.port = codePort;
    options.locationName = QStringLiteral("dev_location");
    options.workerProgram = QCoreApplication::applicationFilePath();
    options.workerZygote = workerZygoteEnabled();
    options.storage = (*instance)->storagePtr(); // forked workers store through the code server
    codelocation::Server codeServer(options, *registry);
    if (const Status s = codeServer.start(); !s)
        return fail(s.error().message);
    // The daemon's loops (the run queue under a QueuedRunCoordinator) run in this process too.
    daemon::Daemon daemon(*instance, QStringLiteral("dev"));
    daemon.addConfiguredLoops();
    daemon.start();

    // The webserver (REST API, GraphQL, live events, metrics) in this process too, on localhost.
    webserver::WebServerOptions webOptions;
    webOptions.address = QHostAddress::LocalHost;
    webOptions.port = quint16(parser.value(QStringLiteral("port")).toUInt());
    webserver::WebServer web(*instance, webOptions);
    webui::mount(web); // the web UI at /
    if (const Status s = web.start(); !s) {
        daemon.stop();
        codeServer.shutdown();
        return fail(s.error().message);
    }

    out(QStringLiteral("lifdag dev: instance %1 (%2)")
            .arg(home, (*instance)->storage().settings().describe()));
    out(QStringLiteral("lifdag dev: code location dev_location on 127.0.0.1:%1 (%2 jobs)")
            .arg(codeServer.port())
            .arg((*registry)->size()));
    out(QStringLiteral("lifdag dev: try  DAGSTER_HOME=%1 lifdag job launch hello_job --wait").arg(home));
    out(QStringLiteral("webserver listening on http://127.0.0.1:%1").arg(web.port()));
    out(QStringLiteral("lifdag dev: API at http://localhost:%1/api/v1 (OpenAPI: /api/v1/openapi.json); press "
                       "Ctrl-C to stop")
            .arg(web.port()));
    const int rc = QCoreApplication::exec();
    out(QStringLiteral("lifdag dev: stopping"));
    web.stop();
    daemon.stop();
    codeServer.shutdown();
    return rc;
}

} // namespace lifdag::cli
