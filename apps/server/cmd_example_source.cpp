// `lifdag example-source`: LIF's Example Data Source (REST, x-key) plus a LIF GraphQL source
// (Bearer) over lifdag's own demo data, so LIF's job runs on one machine without Python.
#include "cli.h"

#include <lifdag/examplesource/examplesourceserver.h>

#include <QCoreApplication>
#include <QHostAddress>
#include <QMetaObject>

using namespace Qt::StringLiterals;

namespace lifdag::cli {

int runExampleSource(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({ { u"H"_s, u"host"_s },
                       u"Address to listen on: an IP address or localhost (default 0.0.0.0)."_s,
                       u"HOST"_s,
                       u"0.0.0.0"_s });
    parser.addOption(
        { { u"p"_s, u"port"_s }, u"Port (default 8011; 0 picks a free one)."_s, u"PORT"_s, u"8011"_s });
    parser.addOption({ u"key"_s,
                       u"Key clients must send: header x-key for the REST API, Authorization: Bearer for "
                       "/graphql (default $LIF_EXAMPLE_SOURCE_KEY, else changeme)."_s,
                       u"KEY"_s });
    parser.addOption({ u"max-body"_s, u"Largest accepted request body in bytes (default 1048576)."_s,
                       u"BYTES"_s, u"1048576"_s });
    parser.addOption({ u"idle-timeout"_s,
                       u"Seconds before an idle keep-alive connection is closed (default 60)."_s,
                       u"SECONDS"_s, u"60"_s });
    // -h is Dagster's short form of --host; --help remains available.
    QStringList fixed = args;
    for (qsizetype i = 1; i < fixed.size(); ++i) {
        if (fixed[i] == "-h"_L1)
            fixed[i] = u"--host"_s;
    }
    if (!parse(
            parser, fixed,
            u"Serves LIF's Example Data Source REST API (/health, /r1-demo/users/{id}, /users/, /students/, "
            "/teachers/, courses, /ob3clr2, /lif1, /campusapi) and a LIF GraphQL person source at POST "
            "/graphql, "
            "over lifdag's own demo data."_s))
        return 2;

    bool ok = false;
    const uint port = parser.value(u"port"_s).toUInt(&ok);
    if (!ok || port > 65535)
        return fail(u"--port: expected a port number (0-65535), found \"%1\""_s.arg(parser.value(u"port"_s)),
                    2);
    const qint64 maxBody = parser.value(u"max-body"_s).toLongLong(&ok);
    if (!ok || maxBody <= 0)
        return fail(
            u"--max-body: expected a positive byte count, found \"%1\""_s.arg(parser.value(u"max-body"_s)),
            2);
    const int idle = parser.value(u"idle-timeout"_s).toInt(&ok);
    if (!ok || idle <= 0 || idle > 86400)
        return fail(u"--idle-timeout: expected seconds (1-86400), found \"%1\""_s.arg(
                        parser.value(u"idle-timeout"_s)),
                    2);

    const QString host = parser.value(u"host"_s);
    if (host != u"localhost"_s && !QHostAddress().setAddress(host))
        return fail(u"--host: expected an IP address or localhost, found \"%1\""_s.arg(host), 2);

    examplesource::ExampleSourceOptions options;
    options.host = host;
    options.port = quint16(port);
    options.key =
        parser.isSet(u"key"_s) ? parser.value(u"key"_s) : examplesource::ExampleSourceServer::defaultKey();
    if (options.key.isEmpty())
        return fail(u"--key: the key must not be empty"_s, 2);
    options.maxBodyBytes = maxBody;
    options.idleTimeoutMs = idle * 1000;

    onTerminationSignal(
        [](int) { QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit); });
    examplesource::ExampleSourceServer server(options);
    if (const Status status = server.listen(); !status)
        return fail(status.error().message);
    out(u"example-source listening on %1"_s.arg(server.url()));
    return QCoreApplication::exec();
}

} // namespace lifdag::cli
