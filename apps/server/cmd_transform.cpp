// `lifdag transform`: translate one JSON record with the MDR's mappings and print the result.
#include "cli.h"
#include "mappingsource_cli.h"

#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/transformer.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace lifdag::cli {

int runTransform(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({ u"source"_s, u"Source data model id."_s, u"ID"_s });
    parser.addOption({ u"target"_s, u"Target data model id."_s, u"ID"_s });
    addMappingSourceOptions(parser);
    parser.addPositionalArgument(u"file"_s, u"The JSON record to translate ('-' or none: stdin)."_s,
                                 u"[FILE|-]"_s);
    if (!parse(parser, args,
               u"Translates a JSON record from one data model to another with the MDR's JSONata mappings, "
               "exactly as LIF's translator does, and prints the result."_s))
        return 2;
    if (!applyCommonOptions(parser))
        return 2;
    const QString sourceId = parser.value(u"source"_s), targetId = parser.value(u"target"_s);
    if (sourceId.isEmpty() || targetId.isEmpty())
        return fail(u"--source and --target are required"_s, 2);
    if (parser.positionalArguments().size() > 1)
        return fail(u"expected at most one input file"_s, 2);

    const auto source = mappingSourceFromOptions(parser);
    if (!source)
        return fail(source.error().message, 2);

    const QString file = parser.positionalArguments().value(0, u"-"_s);
    QFile input;
    const bool opened = file == u"-"_s ? input.open(stdin, QIODevice::ReadOnly)
                                       : (input.setFileName(file), input.open(QIODevice::ReadOnly));
    if (!opened)
        return fail(u"cannot read %1: %2"_s.arg(file, input.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(input.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(u"%1: invalid JSON at byte %2: %3"_s.arg(file, QString::number(parseError.offset),
                                                             parseError.errorString()));
    if (!doc.isObject())
        return fail(u"%1: expected a JSON object (the record)"_s.arg(file));

    transform::Transformer transformer(*source, { std::chrono::hours(1), false });
    auto result = transformer.translate(sourceId, targetId, doc.object());
    if (!result)
        return fail(result.error().message);
    const QByteArray json = QJsonDocument(result.value()).toJson(QJsonDocument::Indented);
    std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
    return 0;
}

} // namespace lifdag::cli
