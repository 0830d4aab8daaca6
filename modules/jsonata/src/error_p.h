// The error JSONata raises inside the engine (thrown, then turned into a value at the API).
#pragma once

#include <lifdag/jsonata/value.h>

#include <QString>

namespace lifdag::jsonata::detail {

struct JsonataError
{
    QString code;
    int position = -1;
    bool hasToken = false;
    QString token;
    bool hasValue = false;
    Value value;
    bool hasValue2 = false;
    Value value2;
    int index = -1; // argument index (T0410...)
    QString type; // T0412 array member type
    QString functionName; // D3140
    QString message; // D3137/D3141 user message, or a preset message
    Value exp; // D3061 exponent

    JsonataError() = default;
    explicit JsonataError(QString c, int pos = -1)
        : code(std::move(c))
        , position(pos)
    { }
    JsonataError &withToken(QString t)
    {
        hasToken = true;
        token = std::move(t);
        return *this;
    }
    JsonataError &withValue(Value v)
    {
        hasValue = true;
        value = std::move(v);
        return *this;
    }
    JsonataError &withValue2(Value v)
    {
        hasValue2 = true;
        value2 = std::move(v);
        return *this;
    }
    JsonataError &withIndex(int i)
    {
        index = i;
        return *this;
    }
};

[[noreturn]] inline void raise(JsonataError e)
{
    throw e;
}

// The reference implementation's message for the error's code, with its inserts filled in.
QString errorMessage(const JsonataError &e);

} // namespace lifdag::jsonata::detail
