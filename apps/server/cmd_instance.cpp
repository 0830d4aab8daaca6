// `lifdag instance check|migrate`
#include "cli.h"

namespace lifdag::cli {

int runInstance(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("check | migrate"));
    if (!parse(parser, args, QStringLiteral("Validate the instance configuration or migrate its storage.")))
        return 2;
    return fail(QStringLiteral("not built yet"));
}

} // namespace lifdag::cli
