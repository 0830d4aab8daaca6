// Compile, cache and evaluate: the boundary where engine exceptions become values.
#include <lifdag/jsonata/expression.h>

#include "function_p.h"
#include "stackguard_p.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QSet>

namespace lifdag::jsonata {

using namespace Qt::StringLiterals;
using detail::JsonataError;

QString EvaluationError::toString() const
{
    if (position >= 0)
        return u"%1 at %2: %3"_s.arg(code).arg(position).arg(message);
    return u"%1: %2"_s.arg(code, message);
}

namespace {

EvaluationError toEvaluationError(const JsonataError &e)
{
    EvaluationError out;
    out.code = e.code;
    out.message = detail::errorMessage(e);
    out.position = e.position;
    out.token = e.token;
    return out;
}

// Replaces closures (which refer to this evaluation's frames) by detached function values.
Value detachFunctions(const Value &v, bool *changed)
{
    if (detail::stackExhausted())
        return Value(); // beyond the stack's reach: dropped (the result could not be written anyway)
    switch (v.type()) {
    case Value::Type::Function: {
        detail::FunctionData *fn = v.function();
        if (fn->kind == detail::FnKind::Builtin || fn->kind == detail::FnKind::Detached)
            return v;
        *changed = true;
        auto *d = new detail::FunctionData();
        d->kind = detail::FnKind::Detached;
        return Value::fromFunction(d);
    }
    case Value::Type::Array: {
        bool any = false;
        std::vector<Value> items;
        items.reserve(v.items().size());
        for (const Value &item : v.items())
            items.push_back(detachFunctions(item, &any));
        if (!any)
            return v;
        *changed = true;
        return Value::array(std::move(items), v.flags());
    }
    case Value::Type::Object: {
        bool any = false;
        Object members;
        members.reserve(v.members().size());
        for (const auto &[k, m] : v.members())
            members.insert(k, detachFunctions(m, &any));
        if (!any)
            return v;
        *changed = true;
        Value out = Value::object(std::move(members));
        out.setFlags(v.flags());
        return out;
    }
    default:
        return v;
    }
}

// Breaks reference cycles between closures and frames left at the end of an evaluation.
void releaseFrames(detail::EvalContext &ctx)
{
    // closures: drop what they captured (a closure stored in the object it captured is a cycle)
    std::vector<Value> closures;
    for (detail::FunctionData *fn = ctx.aliveFunctions; fn; fn = fn->nextAlive) {
        detail::retain(fn);
        closures.push_back(Value::fromFunction(fn));
    }
    for (const Value &c : closures) {
        detail::FunctionData *fn = c.function();
        fn->ctx = nullptr;
        fn->env = detail::FramePtr();
        fn->input = Value();
    }
    ctx.aliveFunctions = nullptr;
    closures.clear();

    std::vector<detail::FramePtr> alive;
    for (detail::Frame *f = ctx.aliveFrames; f; f = f->nextAlive)
        alive.emplace_back(f);
    std::vector<std::pair<QString, Value>> dropped;
    for (detail::FramePtr &f : alive) {
        for (auto &v : f->vars)
            dropped.push_back(std::move(v));
        f->vars.clear();
    }
    dropped.clear();
    for (detail::FramePtr &f : alive)
        f->parent = detail::FramePtr();
    // frames still referenced from outside are detached from this context
    for (detail::Frame *f = ctx.aliveFrames; f; f = f->nextAlive)
        f->ctx = nullptr;
    alive.clear();
    ctx.aliveFrames = nullptr;
}

struct CompileCache
{
    QMutex mutex;
    QHash<QString, std::shared_ptr<const detail::Ast>> entries;
};

CompileCache &cache()
{
    static CompileCache c;
    return c;
}

constexpr qsizetype kMaxCacheEntries = 4096;

} // namespace

JResult<Expression> Expression::compile(const QString &text)
{
    try {
        Expression e;
        e.m_text = text;
        e.m_ast = detail::parse(text);
        return e;
    } catch (const JsonataError &err) {
        return toEvaluationError(err);
    }
}

JResult<Expression> Expression::compileCached(const QString &text)
{
    CompileCache &c = cache();
    {
        QMutexLocker lock(&c.mutex);
        auto it = c.entries.constFind(text);
        if (it != c.entries.cend()) {
            Expression e;
            e.m_text = text;
            e.m_ast = *it;
            return e;
        }
    }
    JResult<Expression> compiled = compile(text);
    if (compiled.ok()) {
        QMutexLocker lock(&c.mutex);
        if (c.entries.size() >= kMaxCacheEntries)
            c.entries.clear();
        c.entries.insert(text, compiled.value().m_ast);
    }
    return compiled;
}

void clearCompileCache()
{
    CompileCache &c = cache();
    QMutexLocker lock(&c.mutex);
    c.entries.clear();
}

JResult<Value> Expression::evaluate(const QJsonValue &input, const EvaluateOptions &options) const
{
    return evaluate(Value::fromQJsonValue(input), options);
}

JResult<Value> Expression::evaluate(const Value &inputValue, const EvaluateOptions &options) const
{
    if (!m_ast)
        return EvaluationError {
            u"S0500"_s, u"Attempted to evaluate an expression containing syntax error(s)"_s, 0, {}
        };
    detail::EvalContext ctx;
    ctx.maxDepth = options.maxDepth;
    ctx.timeLimitMs = options.timeLimitMs;
    if (ctx.timeLimitMs > 0)
        ctx.start = std::chrono::steady_clock::now();
    ctx.stackFloor = detail::stackFloor();
    JResult<Value> out = Value();
    {
        detail::Evaluator ev(ctx);
        try {
            detail::FramePtr env = ev.createFrame(nullptr);
            for (const auto &[name, value] : options.bindings)
                env->bind(name, value);
            Value input = options.inputUndefined ? Value() : inputValue;
            env->bind(u"$"_s, input);
            if (input.isArray() && !input.isSequence()) {
                input = Value::array({ input }, Value::Sequence | Value::OuterWrapper);
            }
            Value result = ev.evaluate(m_ast->root, input, env.get());
            if (ctx.madeClosures) {
                bool changed = false;
                result = detachFunctions(result, &changed);
            }
            out = JResult<Value>(std::move(result));
        } catch (const JsonataError &err) {
            out = JResult<Value>(toEvaluationError(err));
        }
    }
    releaseFrames(ctx);
    return out;
}

namespace {

void collectPaths(const detail::Node *node, const QStringList &ctx, std::vector<QStringList> &out,
                  QSet<QString> &seen);

void addPath(const QStringList &p, std::vector<QStringList> &out, QSet<QString> &seen)
{
    const QString key = p.join(QChar(1));
    if (!seen.contains(key)) {
        seen.insert(key);
        out.push_back(p);
    }
}

// every sub-expression of `node` except its path steps, in the context `ctx`
void collectChildren(const detail::Node *node, const QStringList &ctx, std::vector<QStringList> &out,
                     QSet<QString> &seen)
{
    auto visit = [&](const detail::Node *n) {
        if (n)
            collectPaths(n, ctx, out, seen);
    };
    visit(node->lhs);
    visit(node->rhs);
    visit(node->expression);
    for (const detail::Node *e : node->expressions)
        visit(e);
    for (const auto &[k, v] : node->pairs) {
        visit(k);
        visit(v);
    }
    for (const detail::SortTerm &t : node->sortTerms)
        visit(t.expression);
    visit(node->procedure);
    for (const detail::Node *a : node->arguments)
        visit(a);
    visit(node->body);
    visit(node->condition);
    visit(node->then);
    visit(node->otherwise);
    visit(node->pattern);
    visit(node->update);
    visit(node->deletion);
    for (const detail::Node *p : node->predicate)
        visit(p);
    for (const detail::Stage &st : node->stages)
        visit(st.expr);
    if (node->group) {
        for (const auto &[k, v] : node->group->pairs) {
            visit(k);
            visit(v);
        }
    }
}

void collectPaths(const detail::Node *node, const QStringList &ctx, std::vector<QStringList> &out,
                  QSet<QString> &seen)
{
    if (node->type == detail::NodeType::Path) {
        QStringList cur = ctx;
        for (const detail::Node *step : node->steps) {
            if (step->type == detail::NodeType::Name) {
                cur.append(step->value);
                addPath(cur, out, seen);
                collectChildren(step, cur, out, seen);
            } else {
                collectPaths(step, cur, out, seen);
            }
        }
        collectChildren(node, cur, out, seen);
        return;
    }
    if (node->type == detail::NodeType::Name) {
        QStringList p = ctx;
        p.append(node->value);
        addPath(p, out, seen);
        collectChildren(node, p, out, seen);
        return;
    }
    collectChildren(node, ctx, out, seen);
}

} // namespace

std::vector<QStringList> Expression::fieldPaths() const
{
    std::vector<QStringList> out;
    if (!m_ast)
        return out;
    QSet<QString> seen;
    collectPaths(m_ast->root, {}, out, seen);
    return out;
}

namespace detail {

double EvalContext::now()
{
    if (!m_haveNow) {
        m_now = double(QDateTime::currentMSecsSinceEpoch());
        m_haveNow = true;
    }
    return m_now;
}

Value Evaluator::evalExpression(const QString &expr, const Value &focus, bool hasFocus, const CallContext &cc)
{
    Value input = cc.input;
    if (hasFocus) {
        input = focus;
        if (input.isArray() && !input.isSequence())
            input = Value::array({ input }, Value::Sequence | Value::OuterWrapper);
    }
    std::shared_ptr<const Ast> ast;
    try {
        ast = parse(expr);
    } catch (const JsonataError &err) {
        raise(JsonataError(u"D3120"_s).withValue(Value(errorMessage(err))));
    }
    m_ctx.evalAsts.push_back(ast);
    try {
        return evaluate(ast->root, input, cc.env);
    } catch (const JsonataError &err) {
        if (err.code == u"U1001"_s)
            throw;
        raise(JsonataError(u"D3121"_s).withValue(Value(errorMessage(err))));
    }
}

} // namespace detail

} // namespace lifdag::jsonata
