// `lifdag translator`: HTTP drop-in for LIF's translator service (port 8007).
#include "cli.h"
#include "mappingsource_cli.h"

#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/translatorservice.h>

#include <QCoreApplication>
#include <QMetaObject>

using namespace Qt::StringLiterals;

namespace lifdag::cli {

int runTranslator(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(
        { { u"H"_s, u"host"_s }, u"Address to listen on (default 0.0.0.0)."_s, u"HOST"_s, u"0.0.0.0"_s });
    parser.addOption({ { u"p"_s, u"port"_s }, u"Port (default 8007)."_s, u"PORT"_s, u"8007"_s });
    addMappingSourceOptions(parser);
    parser.addOption({ u"token-env"_s,
                       u"Environment variable holding the bearer token clients must send "
                       "(default LIF_TRANSLATOR_TOKEN; unset or empty: no authentication)."_s,
                       u"NAME"_s, u"LIF_TRANSLATOR_TOKEN"_s });
    parser.addOption({ u"max-body"_s, u"Largest accepted request body in bytes (default 10485760)."_s,
                       u"BYTES"_s, u"10485760"_s });
    parser.addOption({ u"ttl"_s,
                       u"Seconds a loaded mapping set is fresh before a background reload (default 300)."_s,
                       u"SECONDS"_s, u"300"_s });
    if (!parse(parser, args,
               u"Serves POST /translate/source/{source_id}/target/{target_id}: the JSON record in, the "
               u"translated "
               "JSON out, as LIF's translator service does."_s))
        return 2;
    if (!applyCommonOptions(parser))
        return 2;
    bool ok = false;
    const uint port = parser.value(u"port"_s).toUInt(&ok);
    if (!ok || port > 65535)
        return fail(u"--port: expected a port number, found \"%1\""_s.arg(parser.value(u"port"_s)), 2);
    const qint64 maxBody = parser.value(u"max-body"_s).toLongLong(&ok);
    if (!ok || maxBody <= 0)
        return fail(u"--max-body: expected a positive byte count"_s, 2);
    const int ttl = parser.value(u"ttl"_s).toInt(&ok);
    if (!ok || ttl < 0)
        return fail(u"--ttl: expected seconds (0 or more)"_s, 2);
    QHostAddress address;
    if (!address.setAddress(parser.value(u"host"_s)))
        return fail(u"--host: expected an IP address, found \"%1\""_s.arg(parser.value(u"host"_s)), 2);

    const auto source = mappingSourceFromOptions(parser);
    if (!source)
        return fail(source.error().message, 2);

    auto transformer = std::make_shared<transform::Transformer>(
        *source, transform::TransformerOptions { std::chrono::seconds(ttl), true });
    transform::TranslatorServiceOptions options;
    options.bearerToken = qEnvironmentVariable(parser.value(u"token-env"_s).toUtf8().constData());
    options.maxBodyBytes = maxBody;
    onTerminationSignal(
        [](int) { QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit); });
    transform::TranslatorService service(transformer, options);
    QString error;
    const quint16 bound = service.listen(address, quint16(port), &error);
    if (bound == 0)
        return fail(error);
    out(u"translator listening on %1:%2 (%3, %4)"_s.arg(
        address.toString(), QString::number(bound), (*source)->describe(),
        options.bearerToken.isEmpty() ? u"no authentication"_s : u"bearer token required"_s));
    return QCoreApplication::exec();
}

} // namespace lifdag::cli
