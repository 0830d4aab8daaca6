// Integers from query and path text the way FastAPI (pydantic 2.11 lax mode) reads them, so the
// example source accepts and rejects exactly what LIF's Python service does.
#pragma once

#include <QString>

#include <optional>

namespace lifdag::examplesource {

struct LaxInt
{
    enum class Status { Ok, Parsing, ParsingSize };
    Status status = Status::Parsing;
    QString digits; // canonical decimal text ("-12", "0", arbitrarily many digits)
    std::optional<qint64> value; // when it fits

    bool ok() const { return status == Status::Ok; }
    // -1, 0, 1 comparing this (ok) integer with `other`.
    int compare(qint64 other) const;
    // pydantic's error type and message for a failed parse.
    QString errorType() const;
    QString errorMessage() const;
};

// Accepts what pydantic-core's str_as_int accepts: JSON integers, surrounding whitespace, a
// leading '+', leading zeros, '_' between digits, and a zero fraction ("12.00"). Integers longer
// than 4300 characters are an int_parsing_size error.
LaxInt parseLaxInt(const QString &text);

} // namespace lifdag::examplesource
