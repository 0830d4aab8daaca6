// Functions, environments (frames) and the evaluator's interface for the built-in functions.
#pragma once

#include "ast_p.h"
#include "value_p.h"

#include <QVarLengthArray>

#include <chrono>
#include <functional>

namespace lifdag::jsonata::detail {

class Evaluator;
struct Frame;

// Intrusive, non-atomic reference to a frame: frames never leave the evaluation that made them.
class FramePtr
{
public:
    FramePtr() = default;
    FramePtr(Frame *f);
    FramePtr(const FramePtr &o);
    FramePtr(FramePtr &&o) noexcept
        : m_f(o.m_f)
    {
        o.m_f = nullptr;
    }
    FramePtr &operator=(const FramePtr &o);
    FramePtr &operator=(FramePtr &&o) noexcept;
    ~FramePtr();
    Frame *get() const { return m_f; }
    Frame *operator->() const { return m_f; }
    explicit operator bool() const { return m_f != nullptr; }

private:
    Frame *m_f = nullptr;
};

struct EvalContext;

// One scope of variable bindings.
struct Frame
{
    int refs = 0;
    FramePtr parent;
    EvalContext *ctx = nullptr;
    Frame *prevAlive = nullptr;
    Frame *nextAlive = nullptr;
    QVarLengthArray<std::pair<QString, Value>, 4> vars;

    void bind(const QString &name, Value v)
    {
        for (auto &p : vars) {
            if (p.first == name) {
                p.second = std::move(v);
                return;
            }
        }
        vars.emplace_back(name, std::move(v));
    }
    // Returns nullptr when not bound anywhere in the chain (built-ins are looked up by the caller).
    const Value *lookupLocal(const QString &name) const
    {
        for (const Frame *f = this; f; f = f->parent.get()) {
            for (const auto &p : f->vars) {
                if (p.first == name)
                    return &p.second;
            }
        }
        return nullptr;
    }
};

struct CallContext
{
    Value input;
    Frame *env = nullptr;
};

using NativeFn = Value (*)(Evaluator &ev, const CallContext &cc, std::vector<Value> &args);

struct Builtin
{
    QString name;
    std::shared_ptr<const Signature> signature;
    int arity = 0; // the JavaScript function's declared parameter count
    QStringList params; // its parameter names (for partial application)
    NativeFn impl = nullptr;
};

enum class FnKind : std::uint8_t { Lambda, Builtin, Transformer, Regex, MatchNext, Detached };

struct EvalContext;

struct FunctionData final : Heap
{
    FnKind kind = FnKind::Lambda;
    // Lambda (and partial applications, which are lambdas over a frame of bound arguments)
    std::vector<QString> params;
    const Node *body = nullptr;
    const Builtin *nativeBody = nullptr; // a partially applied built-in
    bool thunk = false;
    std::shared_ptr<const Signature> signature;
    FramePtr env;
    Value input;
    // Builtin
    const Builtin *builtin = nullptr;
    // Transformer
    const Node *transform = nullptr;
    // Regex / MatchNext
    std::shared_ptr<const RegexData> regex;
    int position = 0;
    QString subject;
    int lastIndex = 0;
    // closures are listed in their evaluation so that cycles through them can be broken at its end
    EvalContext *ctx = nullptr;
    FunctionData *prevAlive = nullptr;
    FunctionData *nextAlive = nullptr;
    ~FunctionData() override;
    // error reporting: the name the function was invoked by and where
    QString token;
    bool hasToken = false;
    int callPosition = -1;
};

// A double as an int within [lo, hi] (NaN gives lo): user numbers never overflow a conversion.
inline int clampToInt(double v, int lo, int hi)
{
    if (!(v >= lo))
        return lo;
    if (v > hi)
        return hi;
    return int(v);
}

// Built-ins, looked up by name at the root of every environment.
const Builtin *findBuiltin(const QString &name);
const Value *builtinValue(const QString &name);
// The JSONata names of the built-ins and the functions they share with the evaluator.
bool toBoolean(const Value &v, bool *defined = nullptr); // $boolean
bool jsTruthy(const Value &v); // JavaScript truthiness (where the reference tests a raw value)
QString toJsString(const Value &v, bool prettify = false); // $string (throws D3001)
Value appendValues(const Value &a, const Value &b); // $append
Value lookupValue(const Value &input, const QString &key); // field navigation
bool isNumeric(const Value &v); // number (throws D1001 for non-finite)
int functionArity(const Value &f);
Value deepClone(const Value &v);
Value sortValues(Evaluator &ev, const Value &arr,
                 const std::function<bool(const Value &, const Value &)> &swap); // merge sort
std::vector<char32_t> toCodePoints(const QString &s);
QString fromCodePoints(const char32_t *cps, qsizetype n);
qsizetype codePointLength(const QString &s);

// Formatting helpers (numbers and date/time).
QString formatNumberPicture(double value, const QString &picture, const Value &options);
QString formatBase(double value, double radix, bool hasRadix);
QString formatInteger(double value, const QString &picture);
Value parseInteger(const QString &value, const QString &picture);
QString fromMillis(double millis, const QString *picture, const QString *timezone);
Value toMillis(const QString &timestamp, const QString *picture, double nowMillis);
double roundHalfEven(double arg, int precision);
QString jsToFixed(double v, int digits);
QString jsToPrecision(double v, int digits);

// Per-evaluation state.
struct EvalContext
{
    Frame *aliveFrames = nullptr; // intrusive list of frames still referenced
    FunctionData *aliveFunctions = nullptr; // intrusive list of closures still referenced
    int depth = 0;
    int maxDepth = 0; // harness-style depth guard (U1001), 0 = off
    qint64 timeLimitMs = 0; // 0 = off
    std::chrono::steady_clock::time_point start;
    unsigned tick = 0;
    bool madeClosures = false;
    const char *stackFloor = nullptr;
    // $now()/$millis(): one timestamp per evaluation, taken on first use
    double now();

private:
    double m_now = 0;
    bool m_haveNow = false;

public:
    std::vector<std::shared_ptr<const Ast>> evalAsts; // ASTs compiled by $eval during this evaluation
};

class Evaluator
{
public:
    explicit Evaluator(EvalContext &ctx)
        : m_ctx(ctx)
    { }

    EvalContext &context() { return m_ctx; }
    FramePtr createFrame(Frame *parent);
    // Lists a closure in this evaluation (see EvalContext::aliveFunctions).
    void track(FunctionData *fn);
    Value evaluate(const Node *expr, const Value &input, Frame *env);
    Value apply(const Value &proc, std::vector<Value> args, const Value &input, Frame *env);
    Value lookupVariable(Frame *env, const QString &name) const;
    // $eval
    Value evalExpression(const QString &expr, const Value &focus, bool hasFocus, const CallContext &cc);

private:
    Value evaluatePath(const Node *expr, const Value &input, Frame *env);
    Value evaluateStep(const Node *expr, const Value *items, size_t count, Frame *env, bool lastStep);
    Value evaluateStages(const std::vector<Stage> &stages, Value input, Frame *env);
    Value evaluateTupleStep(const Node *expr, const Value &input, Value tupleBindings, Frame *env);
    Value evaluateFilter(const Node *predicate, const Value &input, Frame *env);
    Value evaluateBinary(const Node *expr, const Value &input, Frame *env);
    Value evaluateUnary(const Node *expr, const Value &input, Frame *env);
    Value evaluateWildcard(const Value &input);
    Value evaluateDescendants(const Value &input);
    Value evaluateGroupExpression(const Group &group, const Value &input, Frame *env);
    Value evaluateGroupPairs(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                             const Value &input, Frame *env);
    Value sortStep(const Node *expr, const Value &input, Frame *env);
    Value evaluateSingleGroup(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                              const Value &item, Frame *env);
    Value evaluateCondition(const Node *expr, const Value &input, Frame *env);
    Value evaluateBlock(const Node *expr, const Value &input, Frame *env);
    Value evaluateFunction(const Node *expr, const Value &input, Frame *env, const Value *applyTo);
    Value evaluateLambda(const Node *expr, const Value &input, Frame *env);
    Value evaluatePartialApplication(const Node *expr, const Value &input, Frame *env);
    Value evaluateApply(const Node *expr, const Value &input, Frame *env);
    Value evaluateTransform(const Node *expr, Frame *env);
    Value evaluateSort(const Node *expr, const Value &input, Frame *env);
    Value applyInner(const Value &proc, std::vector<Value> &args, const Value &input, Frame *env);
    Value applyProcedure(FunctionData *proc, std::vector<Value> &args);
    Value applyTransformer(FunctionData *fn, std::vector<Value> &args, Frame *env);
    Value partialApply(const Value &proc, const std::vector<Value> &args, const std::vector<bool> &holes,
                       Frame *env);
    FramePtr frameFromTuple(Frame *env, const Value &tuple);
    void guard(const Node *expr);

    EvalContext &m_ctx;
};

// Applies a regex matcher function to `str` (from `fromIndex`): a match object or undefined.
Value regexMatch(const std::shared_ptr<const RegexData> &re, const QString &str, int fromIndex, int position);
// Validates (and coerces) arguments against a signature; throws T0410/T0411/T0412.
std::vector<Value> validateArguments(const Signature &sig, std::vector<Value> &args, const Value &context);
char typeSymbol(const Value &v);

} // namespace lifdag::jsonata::detail
