// The JSONL batch protocol of `lifdag jsonata` (one request per line in, one answer per line out),
// as the conformance harness in shared/tools/jsonata speaks it.
#pragma once

#include <QByteArray>

#include <cstdio>

namespace lifdag::jsonata {

// Answers one request line, e.g. {"id":"a","expr":"1+1","input":null,"bindings":{}}, with one
// line (without the newline): {"id":"a","result":2} | {"id":..,"undefined":true} |
// {"id":..,"error":{"code":"T2001","message":"..."}}. Optional request members: "inputUndefined",
// "timelimit" (ms) and "depth" (evaluation nesting), both failing with code U1001.
QByteArray answerRequest(const QByteArray &line);

// Reads requests from `in` until end of input and writes each answer to `out`, flushed per line.
// Blank lines are skipped. Returns the number of requests answered.
long runJsonlProtocol(std::FILE *in, std::FILE *out);

} // namespace lifdag::jsonata
