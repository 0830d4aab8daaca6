// A compiled JSONata expression: immutable after compile, safe to evaluate from many threads.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/jsonata/value.h>

#include <QString>

#include <memory>
#include <utility>
#include <vector>

namespace lifdag::jsonata {

namespace detail {
struct Ast;
}

// A JSONata error: the reference implementation's code (S0xxx syntax, T0xxx/T1xxx/T2xxx type,
// D1xxx/D2xxx/D3xxx dynamic, U1001 for the depth/time guards of EvaluateOptions), its message, and
// the character offset in the expression the error relates to (-1 when unknown).
struct EvaluationError
{
    QString code;
    QString message;
    int position = -1;
    QString token;

    // "<code> at <position>: <message>"
    QString toString() const;
    Error toError() const { return Error { code, toString() }; }
};

template<typename T> class JResult
{
public:
    JResult(T value)
        : m_value(std::move(value))
        , m_ok(true)
    { }
    JResult(EvaluationError error)
        : m_error(std::move(error))
    { }
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const T &value() const & { return m_value; }
    T &&value() && { return std::move(m_value); }
    const EvaluationError &error() const { return m_error; }

private:
    T m_value {};
    EvaluationError m_error;
    bool m_ok = false;
};

struct EvaluateOptions
{
    // Variables bound before evaluation ("name" is used as $name).
    std::vector<std::pair<QString, Value>> bindings;
    // Evaluate with no input at all (JSONata's `undefined`), not JSON null.
    bool inputUndefined = false;
    // Guards as the official test runner uses them: U1001 once evaluation nests deeper than
    // `maxDepth` steps or runs longer than `timeLimitMs`. 0 disables a guard. Independently of
    // these, nesting that would exhaust the thread's stack fails with D1011.
    int maxDepth = 0;
    qint64 timeLimitMs = 0;
};

class Expression
{
public:
    // Parses `text`; syntax errors carry S0xxx codes and positions.
    static JResult<Expression> compile(const QString &text);
    // Like compile(), but shares compiled expressions by text in a process-wide cache.
    static JResult<Expression> compileCached(const QString &text);

    Expression() = default;
    bool isValid() const { return m_ast != nullptr; }
    const QString &text() const { return m_text; }

    // Evaluates against `input`. Functions in the result come back as detached function values
    // (type "function", serialised as "" like the reference does).
    JResult<Value> evaluate(const Value &input, const EvaluateOptions &options = {}) const;
    // Convenience for callers holding Qt JSON values.
    JResult<Value> evaluate(const QJsonValue &input, const EvaluateOptions &options = {}) const;

    // The field paths the expression reads from its input, in order of appearance: a step `A.B`
    // inside `X.{ ... }` reads X.A.B. A static approximation (variables and functions are not
    // followed), e.g. for generating sample records or listing a mapping's source attributes.
    std::vector<QStringList> fieldPaths() const;

private:
    QString m_text;
    std::shared_ptr<const detail::Ast> m_ast;
};

// Clears the compile cache (for tests and memory-conscious callers).
void clearCompileCache();

} // namespace lifdag::jsonata
