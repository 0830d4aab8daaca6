#include "mappingsource_cli.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace lifdag::cli {

void addMappingSourceOptions(QCommandLineParser &parser)
{
    parser.addOption(
        { u"mappings"_s,
          u"A directory of MDR transformation-group exports (see modules/transform/README.md)."_s,
          u"DIR"_s });
    parser.addOption({ u"mdr"_s,
                       u"MDR API base URL (default: $LIF_MDR_API_URL; key from $LIF_MDR_API_AUTH_TOKEN)."_s,
                       u"URL"_s });
}

Result<std::shared_ptr<transform::MappingSource>> mappingSourceFromOptions(const QCommandLineParser &parser)
{
    if (parser.isSet(u"mappings"_s) && parser.isSet(u"mdr"_s))
        return Error { u"cli.usage"_s, u"--mappings and --mdr exclude each other"_s };
    if (parser.isSet(u"mappings"_s))
        return std::shared_ptr<transform::MappingSource>(
            std::make_shared<transform::DirectoryMappingSource>(parser.value(u"mappings"_s)));
    auto options = transform::MdrOptions::fromEnvironment();
    if (parser.isSet(u"mdr"_s))
        options.baseUrl = QUrl(parser.value(u"mdr"_s));
    if (options.baseUrl.isEmpty())
        return Error { u"cli.usage"_s,
                       u"no mapping source: pass --mappings DIR or --mdr URL (or set LIF_MDR_API_URL)"_s };
    return std::shared_ptr<transform::MappingSource>(std::make_shared<transform::MdrMappingSource>(options));
}

} // namespace lifdag::cli
