// `lifdag jsonata`: the JSONL batch evaluator (protocol in
// modules/jsonata/include/lifdag/jsonata/protocol.h).
#include "cli.h"

#include <lifdag/jsonata/protocol.h>

#include <cstdio>

namespace lifdag::cli {

int runJsonata(const QStringList &args)
{
    QCommandLineParser parser;
    if (!parse(parser, args,
               QStringLiteral(
                   "Evaluates JSONata requests read from stdin, one JSON object per line "
                   "({\"id\",\"expr\",\"input\",\"bindings\"[,\"inputUndefined\",\"timelimit\",\"depth\"]}), "
                   "and writes one answer per line to stdout ({\"id\",\"result\"} | "
                   "{\"id\",\"undefined\":true} | {\"id\",\"error\":{\"code\",\"message\"}}).")))
        return 2;
    jsonata::runJsonlProtocol(stdin, stdout);
    return 0;
}

} // namespace lifdag::cli
