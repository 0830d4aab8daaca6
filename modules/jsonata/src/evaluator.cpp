// The JSONata evaluator: sequences, paths, tuple streams, operators, functions and closures,
// following the reference implementation's evaluation order and sequence rules.
#include "function_p.h"
#include "stackguard_p.h"

#include <QSet>
#include <QVarLengthArray>

#include <cmath>
#include <cstring>
#include <limits>

namespace lifdag::jsonata::detail {

using namespace Qt::StringLiterals;

// ---------------------------------------------------------------------------------------------
// Frames

FramePtr::FramePtr(Frame *f)
    : m_f(f)
{
    if (m_f)
        ++m_f->refs;
}

FramePtr::FramePtr(const FramePtr &o)
    : m_f(o.m_f)
{
    if (m_f)
        ++m_f->refs;
}

FramePtr &FramePtr::operator=(const FramePtr &o)
{
    FramePtr tmp(o);
    std::swap(m_f, tmp.m_f);
    return *this;
}

FramePtr &FramePtr::operator=(FramePtr &&o) noexcept
{
    std::swap(m_f, o.m_f);
    return *this;
}

FramePtr::~FramePtr()
{
    if (m_f && --m_f->refs == 0) {
        Frame *f = m_f;
        m_f = nullptr;
        if (f->ctx) {
            if (f->prevAlive)
                f->prevAlive->nextAlive = f->nextAlive;
            else
                f->ctx->aliveFrames = f->nextAlive;
            if (f->nextAlive)
                f->nextAlive->prevAlive = f->prevAlive;
        }
        delete f;
    }
}

FramePtr Evaluator::createFrame(Frame *parent)
{
    Frame *f = new Frame();
    f->parent = FramePtr(parent);
    f->ctx = &m_ctx;
    f->nextAlive = m_ctx.aliveFrames;
    if (m_ctx.aliveFrames)
        m_ctx.aliveFrames->prevAlive = f;
    m_ctx.aliveFrames = f;
    return FramePtr(f);
}

FunctionData::~FunctionData()
{
    if (ctx) {
        if (prevAlive)
            prevAlive->nextAlive = nextAlive;
        else
            ctx->aliveFunctions = nextAlive;
        if (nextAlive)
            nextAlive->prevAlive = prevAlive;
    }
}

void Evaluator::track(FunctionData *fn)
{
    fn->ctx = &m_ctx;
    fn->nextAlive = m_ctx.aliveFunctions;
    if (m_ctx.aliveFunctions)
        m_ctx.aliveFunctions->prevAlive = fn;
    m_ctx.aliveFunctions = fn;
}

Value Evaluator::lookupVariable(Frame *env, const QString &name) const
{
    if (env) {
        if (const Value *v = env->lookupLocal(name))
            return *v;
    }
    if (const Value *b = builtinValue(name))
        return *b;
    return {};
}

namespace {

Value makeSequence()
{
    return Value::array({}, Value::Sequence);
}

Value sequenceOf(const Value &v)
{
    return Value::array({ v }, Value::Sequence);
}

const QString &atKey()
{
    static const QString k = u"@"_s;
    return k;
}

Value tupleContext(const Value &tuple)
{
    return tuple.member(atKey());
}

bool isFunctionValue(const Value &v)
{
    return v.isFunction();
}

FunctionData *newFunction(FnKind kind)
{
    auto *f = new FunctionData();
    f->kind = kind;
    return f;
}

const Ast &chainAst()
{
    static const std::unique_ptr<Ast> ast = parse(u"function($f, $g) { function($x){ $g($f($x)) } }"_s);
    return *ast;
}

void flattenInto(const Value &arg, std::vector<Value> &out)
{
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    if (arg.isArray()) {
        for (const Value &item : arg.items())
            flattenInto(item, out);
    } else {
        out.push_back(arg);
    }
}

void recurseDescendants(const Value &input, std::vector<Value> &results)
{
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    if (!input.isArray())
        results.push_back(input);
    if (input.isArray()) {
        for (const Value &member : input.items())
            recurseDescendants(member, results);
    } else if (input.isObject()) {
        for (const auto &[k, v] : input.members())
            recurseDescendants(v, results);
    }
}

bool isArrayOfNumbers(const Value &v)
{
    if (!v.isArray())
        return false;
    for (const Value &item : v.items()) {
        if (!isNumeric(item))
            return false;
    }
    return true;
}

bool isArrayOfStrings(const Value &v)
{
    if (!v.isArray())
        return false;
    for (const Value &item : v.items()) {
        if (!item.isString())
            return false;
    }
    return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// evaluate

void Evaluator::guard(const Node *expr)
{
    if (static_cast<const char *>(__builtin_frame_address(0)) < m_ctx.stackFloor)
        raise(JsonataError(u"D1011"_s, expr->position));
    if (m_ctx.maxDepth > 0 && m_ctx.depth > m_ctx.maxDepth) {
        JsonataError e(u"U1001"_s, expr->position);
        e.message =
            u"Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as "
            u"tail-recursive."_s;
        raise(e);
    }
    if (m_ctx.timeLimitMs > 0 && (++m_ctx.tick & 31) == 0) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - m_ctx.start);
        if (elapsed.count() > m_ctx.timeLimitMs) {
            JsonataError e(u"U1001"_s, expr->position);
            e.message = u"Expression evaluation timeout: Check for infinite loop"_s;
            raise(e);
        }
    }
}

Value Evaluator::evaluate(const Node *expr, const Value &input, Frame *env)
{
    struct DepthScope
    {
        int &d;
        explicit DepthScope(int &depth)
            : d(depth)
        {
            ++d;
        }
        ~DepthScope() { --d; }
    } scope(m_ctx.depth);
    guard(expr);

    Value result;
    switch (expr->type) {
    case NodeType::Path:
        result = evaluatePath(expr, input, env);
        break;
    case NodeType::Binary:
        result = evaluateBinary(expr, input, env);
        break;
    case NodeType::Unary:
        result = evaluateUnary(expr, input, env);
        break;
    case NodeType::Name:
        result = lookupValue(input, expr->value);
        break;
    case NodeType::String:
    case NodeType::Number:
    case NodeType::Literal:
        result = expr->literal;
        break;
    case NodeType::Wildcard:
        result = evaluateWildcard(input);
        break;
    case NodeType::Descendant:
        result = evaluateDescendants(input);
        break;
    case NodeType::Parent:
        result = lookupVariable(env, expr->slot->label);
        break;
    case NodeType::Condition:
        result = evaluateCondition(expr, input, env);
        break;
    case NodeType::Block:
        result = evaluateBlock(expr, input, env);
        break;
    case NodeType::Bind:
        result = evaluate(expr->rhs, input, env);
        env->bind(expr->lhs->value, result);
        break;
    case NodeType::Regex: {
        FunctionData *f = newFunction(FnKind::Regex);
        f->regex = expr->regex;
        f->position = expr->position;
        result = Value::fromFunction(f);
        break;
    }
    case NodeType::Function:
        result = evaluateFunction(expr, input, env, nullptr);
        break;
    case NodeType::Variable:
        if (expr->value.isEmpty())
            result = (input.isArray() && input.hasFlag(Value::OuterWrapper)) ? input.at(0) : input;
        else
            result = lookupVariable(env, expr->value);
        break;
    case NodeType::Lambda:
        result = evaluateLambda(expr, input, env);
        break;
    case NodeType::Partial:
        result = evaluatePartialApplication(expr, input, env);
        break;
    case NodeType::Apply:
        result = evaluateApply(expr, input, env);
        break;
    case NodeType::Transform:
        result = evaluateTransform(expr, env);
        break;
    case NodeType::Sort:
    case NodeType::Operator:
    case NodeType::End:
        break;
    }

    for (const Node *p : expr->predicate)
        result = evaluateFilter(p, result, env);

    if (expr->type != NodeType::Path && expr->group)
        result = evaluateGroupExpression(*expr->group, result, env);

    if (result.isSequence() && !result.hasFlag(Value::TupleStream)) {
        if (expr->keepArray)
            result.setFlag(Value::KeepSingleton);
        const size_t n = result.items().size();
        if (n == 0) {
            result = Value();
        } else if (n == 1 && !result.hasFlag(Value::KeepSingleton)) {
            Value only = result.items()[0];
            result = std::move(only);
        }
    }
    return result;
}

Value Evaluator::evaluatePath(const Node *expr, const Value &input, Frame *env)
{
    // The input sequence is held as a span: a single non-array input needs no wrapper array.
    const bool absolute = expr->steps[0]->type == NodeType::Variable;
    const bool inputIsSequence = input.isArray() && !absolute;
    Value holder; // owns the current input sequence when it is a step's result
    const Value *items = inputIsSequence ? input.items().data() : &input;
    size_t count = inputIsSequence ? input.items().size() : 1;
    auto inputSequenceValue = [&]() -> Value {
        if (holder.isDefined())
            return holder.isArray() ? holder : sequenceOf(holder);
        return inputIsSequence ? input : sequenceOf(input);
    };

    Value resultSequence;
    bool isTupleStream = false;
    Value tupleBindings;
    const size_t n = expr->steps.size();
    for (size_t ii = 0; ii < n; ++ii) {
        const Node *step = expr->steps[ii];
        if (step->tuple)
            isTupleStream = true;
        if (ii == 0 && step->consarray) {
            resultSequence = evaluate(step, inputSequenceValue(), env);
        } else if (isTupleStream) {
            tupleBindings = evaluateTupleStep(step, inputSequenceValue(), tupleBindings, env);
        } else if (step->type == NodeType::Sort) {
            resultSequence = sortStep(step, inputSequenceValue(), env);
        } else {
            resultSequence = evaluateStep(step, items, count, env, ii == n - 1);
        }
        if (!isTupleStream
            && (resultSequence.isUndefined() || (resultSequence.isArray() && resultSequence.items().empty())))
            break;
        if (!step->hasFocus) {
            holder = resultSequence;
            if (holder.isArray()) {
                items = holder.items().data();
                count = holder.items().size();
            } else {
                items = &holder;
                count = 1;
            }
        }
    }

    if (isTupleStream) {
        if (expr->tuple) {
            resultSequence = tupleBindings;
        } else {
            std::vector<Value> out;
            if (tupleBindings.isArray()) {
                out.reserve(tupleBindings.items().size());
                for (const Value &t : tupleBindings.items())
                    out.push_back(tupleContext(t));
            }
            resultSequence = Value::array(std::move(out), Value::Sequence);
        }
    }

    // steps return a lone non-array result bare; it stands for a singleton sequence
    if (!isTupleStream && resultSequence.isDefined() && !resultSequence.isArray()
        && (expr->keepSingletonArray || expr->keepArray))
        resultSequence = sequenceOf(resultSequence);

    if (expr->keepSingletonArray && resultSequence.isDefined()) {
        if (resultSequence.isArray() && resultSequence.hasFlag(Value::Cons)
            && !resultSequence.hasFlag(Value::Sequence))
            resultSequence = sequenceOf(resultSequence);
        resultSequence.setFlag(Value::KeepSingleton);
    }

    if (expr->group)
        resultSequence =
            evaluateGroupExpression(*expr->group, isTupleStream ? tupleBindings : resultSequence, env);

    return resultSequence;
}

Value Evaluator::sortStep(const Node *expr, const Value &input, Frame *env)
{
    Value result = evaluateSort(expr, input, env);
    if (expr->hasStages)
        result = evaluateStages(expr->stages, result, env);
    return result;
}

Value Evaluator::evaluateStep(const Node *expr, const Value *items, size_t count, Frame *env, bool lastStep)
{
    // Results are flattened as they come; the first one is kept whole until a second arrives,
    // because a lone array result of the last step is returned as it is.
    std::vector<Value> flat;
    Value first;
    size_t results = 0;
    auto flattenInto = [&flat](Value &&res) {
        if (!res.isArray() || res.hasFlag(Value::Cons)) {
            flat.push_back(std::move(res));
        } else {
            const auto &v = res.items();
            flat.insert(flat.end(), v.begin(), v.end());
        }
    };
    for (size_t ii = 0; ii < count; ++ii) {
        Value res = evaluate(expr, items[ii], env);
        if (expr->hasStages) {
            for (const Stage &stage : expr->stages) {
                if (stage.kind == Stage::Filter)
                    res = evaluateFilter(stage.expr, res, env);
            }
        }
        if (res.isUndefined())
            continue;
        if (results == 0) {
            first = std::move(res);
        } else {
            if (results == 1) {
                flat.reserve(count);
                flattenInto(std::move(first));
            }
            flattenInto(std::move(res));
        }
        ++results;
    }
    if (results == 1) {
        if (first.isArray()) {
            if (lastStep && !first.isSequence())
                return first;
            if (!first.hasFlag(Value::Cons)) {
                flat = first.items();
                return Value::array(std::move(flat), Value::Sequence);
            }
        }
        // a singleton sequence: returned bare (evaluatePath treats a non-array as one item)
        if (!first.isArray())
            return first;
        flattenInto(std::move(first));
    }
    return Value::array(std::move(flat), Value::Sequence);
}

Value Evaluator::evaluateStages(const std::vector<Stage> &stages, Value input, Frame *env)
{
    Value result = std::move(input);
    for (const Stage &stage : stages) {
        if (stage.kind == Stage::Filter) {
            result = evaluateFilter(stage.expr, result, env);
        } else if (result.isArray()) {
            auto &items = result.mutableItems();
            for (size_t ee = 0; ee < items.size(); ++ee) {
                if (items[ee].isObject())
                    items[ee].mutableMembers().insert(stage.value, Value(double(ee)));
            }
        }
    }
    return result;
}

FramePtr Evaluator::frameFromTuple(Frame *env, const Value &tuple)
{
    FramePtr frame = createFrame(env);
    if (tuple.isObject()) {
        frame->vars.reserve(size_t(tuple.members().size()));
        for (const auto &[k, v] : tuple.members())
            frame->vars.emplace_back(k, v);
    }
    return frame;
}

Value Evaluator::evaluateTupleStep(const Node *expr, const Value &input, Value tupleBindings, Frame *env)
{
    if (expr->type == NodeType::Sort) {
        Value result;
        if (tupleBindings.isDefined()) {
            result = evaluateSort(expr, tupleBindings, env);
        } else {
            Value sorted = evaluateSort(expr, input, env);
            std::vector<Value> tuples;
            if (sorted.isArray()) {
                for (size_t ss = 0; ss < sorted.items().size(); ++ss) {
                    Object t;
                    t.insert(atKey(), sorted.items()[ss]);
                    if (expr->hasIndex)
                        t.insert(expr->index, Value(double(ss)));
                    tuples.push_back(Value::object(std::move(t)));
                }
            }
            result = Value::array(std::move(tuples), Value::Sequence | Value::TupleStream);
        }
        if (expr->hasStages)
            result = evaluateStages(expr->stages, result, env);
        return result;
    }

    if (tupleBindings.isUndefined()) {
        std::vector<Value> tuples;
        if (input.isArray()) {
            tuples.reserve(input.items().size());
            for (const Value &item : input.items()) {
                Object t;
                t.insert(atKey(), item);
                tuples.push_back(Value::object(std::move(t)));
            }
        }
        tupleBindings = Value::array(std::move(tuples));
    }

    std::vector<Value> result;
    static const std::vector<Value> kNone;
    const std::vector<Value> &bindings = tupleBindings.isArray() ? tupleBindings.items() : kNone;
    for (const Value &binding : bindings) {
        FramePtr stepEnv = frameFromTuple(env, binding);
        Value res = evaluate(expr, tupleContext(binding), stepEnv.get());
        if (res.isUndefined())
            continue;
        const bool resIsTuples = res.isArray() && res.hasFlag(Value::TupleStream);
        if (!res.isArray())
            res = Value::array({ res });
        for (const Value &r : res.items()) {
            Object tuple = binding.isObject() ? binding.members() : Object();
            if (resIsTuples) {
                if (r.isObject()) {
                    for (const auto &[k, v] : r.members())
                        tuple.insert(k, v);
                }
            } else {
                if (expr->hasFocus && !expr->focus.isEmpty()) {
                    tuple.insert(expr->focus, r);
                    tuple.insert(atKey(), tupleContext(binding));
                } else {
                    tuple.insert(atKey(), r);
                }
                if (expr->hasIndex && !expr->index.isEmpty())
                    tuple.insert(expr->index, Value(double(&r - res.items().data())));
                if (expr->ancestor)
                    tuple.insert(expr->ancestor->label, tupleContext(binding));
            }
            result.push_back(Value::object(std::move(tuple)));
        }
    }
    Value out = Value::array(std::move(result), Value::Sequence | Value::TupleStream);
    if (expr->hasStages)
        out = evaluateStages(expr->stages, out, env);
    return out;
}

Value Evaluator::evaluateFilter(const Node *predicate, const Value &inputValue, Frame *env)
{
    std::uint8_t flags = Value::Sequence;
    if (inputValue.isArray() && inputValue.hasFlag(Value::TupleStream))
        flags |= Value::TupleStream;
    const Value input = inputValue.isArray() ? inputValue : sequenceOf(inputValue);
    const std::vector<Value> &items = input.items();
    std::vector<Value> results;
    if (predicate->type == NodeType::Number) {
        double index = std::floor(predicate->number);
        if (index < 0)
            index += double(items.size());
        if (index >= 0 && index < double(items.size())) {
            const Value &item = items[size_t(index)];
            if (item.isDefined()) {
                if (item.isArray())
                    return item;
                results.push_back(item);
            }
        }
        return Value::array(std::move(results), flags);
    }
    const bool tuples = input.hasFlag(Value::TupleStream);
    for (size_t index = 0; index < items.size(); ++index) {
        const Value &item = items[index];
        Value res;
        if (tuples) {
            FramePtr frame = frameFromTuple(env, item);
            res = evaluate(predicate, tupleContext(item), frame.get());
        } else {
            res = evaluate(predicate, item, env);
        }
        if (isNumeric(res))
            res = Value::array({ res });
        if (isArrayOfNumbers(res)) {
            for (const Value &ires : res.items()) {
                double ii = std::floor(ires.toNumber());
                if (ii < 0)
                    ii += double(items.size());
                if (ii == double(index))
                    results.push_back(item);
            }
        } else if (toBoolean(res)) {
            results.push_back(item);
        }
    }
    return Value::array(std::move(results), flags);
}

// ---------------------------------------------------------------------------------------------
// operators

namespace {

Value numericOp(const Value &lhs, const Value &rhs, char16_t op)
{
    if (lhs.isDefined() && !isNumeric(lhs))
        raise(JsonataError(u"T2001"_s).withValue(lhs));
    if (rhs.isDefined() && !isNumeric(rhs))
        raise(JsonataError(u"T2002"_s).withValue(rhs));
    if (lhs.isUndefined() || rhs.isUndefined())
        return {};
    const double a = lhs.toNumber();
    const double b = rhs.toNumber();
    switch (op) {
    case u'+':
        return Value(a + b);
    case u'-':
        return Value(a - b);
    case u'*':
        return Value(a * b);
    case u'/':
        return Value(a / b);
    default:
        return Value(std::fmod(a, b));
    }
}

Value comparisonOp(const Value &lhs, const Value &rhs, const QString &op)
{
    const bool lcomparable = lhs.isUndefined() || lhs.isString() || lhs.isNumber();
    const bool rcomparable = rhs.isUndefined() || rhs.isString() || rhs.isNumber();
    if (!lcomparable || !rcomparable) {
        const bool lOk = lhs.isString() || lhs.isNumber();
        raise(JsonataError(u"T2010"_s).withValue(!lOk ? lhs : rhs));
    }
    if (lhs.isUndefined() || rhs.isUndefined())
        return {};
    if (lhs.type() != rhs.type())
        raise(JsonataError(u"T2009"_s).withValue(lhs).withValue2(rhs));
    int c;
    if (lhs.isNumber()) {
        const double a = lhs.toNumber();
        const double b = rhs.toNumber();
        if (a != a || b != b)
            return Value(false);
        c = a < b ? -1 : (a > b ? 1 : 0);
    } else {
        c = QString::compare(lhs.toStr(), rhs.toStr());
    }
    if (op == u"<"_s)
        return Value(c < 0);
    if (op == u"<="_s)
        return Value(c <= 0);
    if (op == u">"_s)
        return Value(c > 0);
    return Value(c >= 0);
}

bool strictEquals(const Value &a, const Value &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        return true;
    case Value::Type::Boolean:
        return a.toBool() == b.toBool();
    case Value::Type::Number:
        return a.toNumber() == b.toNumber();
    case Value::Type::String:
        return a.toStr() == b.toStr();
    default:
        return a.payload() == b.payload();
    }
}

bool isInteger(const Value &v)
{
    return v.isNumber() && std::isfinite(v.toNumber()) && std::trunc(v.toNumber()) == v.toNumber();
}

} // namespace

Value Evaluator::evaluateBinary(const Node *expr, const Value &input, Frame *env)
{
    const Value lhs = evaluate(expr->lhs, input, env);
    const QString &op = expr->value;
    if (op == u"and"_s || op == u"or"_s) {
        try {
            const bool l = toBoolean(lhs);
            if (op == u"and"_s)
                return Value(l && toBoolean(evaluate(expr->rhs, input, env)));
            return Value(l || toBoolean(evaluate(expr->rhs, input, env)));
        } catch (JsonataError &e) {
            e.position = expr->position;
            e.withToken(op);
            throw;
        }
    }
    const Value rhs = evaluate(expr->rhs, input, env);
    try {
        const char16_t c0 = op.isEmpty() ? 0 : op.at(0).unicode();
        if (op.size() == 1 && (c0 == u'+' || c0 == u'-' || c0 == u'*' || c0 == u'/' || c0 == u'%'))
            return numericOp(lhs, rhs, c0);
        if (op == u"="_s || op == u"!="_s) {
            if (lhs.isUndefined() || rhs.isUndefined())
                return Value(false);
            const bool eq = deepEqual(lhs, rhs) && !(lhs.isNumber() && lhs.toNumber() != lhs.toNumber());
            return Value(op == u"="_s ? eq : !eq);
        }
        if (op == u"<"_s || op == u"<="_s || op == u">"_s || op == u">="_s)
            return comparisonOp(lhs, rhs, op);
        if (op == u"&"_s) {
            QString l = lhs.isDefined() ? toJsString(lhs) : QString();
            if (rhs.isDefined())
                l += toJsString(rhs);
            return Value(std::move(l));
        }
        if (op == u".."_s) {
            if (lhs.isDefined() && !isInteger(lhs))
                raise(JsonataError(u"T2003"_s).withValue(lhs));
            if (rhs.isDefined() && !isInteger(rhs))
                raise(JsonataError(u"T2004"_s).withValue(rhs));
            if (lhs.isUndefined() || rhs.isUndefined())
                return {};
            const double a = lhs.toNumber();
            const double b = rhs.toNumber();
            if (a > b)
                return {};
            const double size = b - a + 1;
            if (size > 1e7)
                raise(JsonataError(u"D2014"_s).withValue(Value(size)));
            std::vector<Value> out;
            out.reserve(size_t(size));
            for (double item = a; item <= b; item += 1)
                out.emplace_back(item);
            return Value::array(std::move(out), Value::Sequence);
        }
        if (op == u"in"_s) {
            if (lhs.isUndefined() || rhs.isUndefined())
                return Value(false);
            if (rhs.isArray()) {
                for (const Value &v : rhs.items()) {
                    if (strictEquals(v, lhs))
                        return Value(true);
                }
                return Value(false);
            }
            return Value(strictEquals(rhs, lhs));
        }
    } catch (JsonataError &e) {
        e.position = expr->position;
        e.withToken(op);
        throw;
    }
    return {};
}

Value Evaluator::evaluateUnary(const Node *expr, const Value &input, Frame *env)
{
    if (expr->value == u"-"_s) {
        Value result = evaluate(expr->expression, input, env);
        if (result.isUndefined())
            return {};
        if (isNumeric(result))
            return Value(-result.toNumber());
        raise(JsonataError(u"D1002"_s, expr->position).withToken(expr->value).withValue(result));
    }
    if (expr->value == u"["_s) {
        Value result = Value::array({});
        for (const Node *item : expr->expressions) {
            Value value = evaluate(item, input, env);
            if (value.isUndefined())
                continue;
            if (item->type == NodeType::Unary && item->value == u"["_s) {
                result.mutableItems().push_back(std::move(value));
            } else if (value.isArray()) {
                auto &out = result.mutableItems();
                out.insert(out.end(), value.items().begin(), value.items().end());
            } else {
                result.mutableItems().push_back(std::move(value));
            }
        }
        if (expr->consarray)
            result.setFlag(Value::Cons);
        return result;
    }
    if (expr->value == u"{"_s)
        return evaluateGroupPairs(expr->pairs, expr->position, input, env);
    return {};
}

Value Evaluator::evaluateWildcard(const Value &inputValue)
{
    Value input = inputValue;
    if (input.isArray() && input.hasFlag(Value::OuterWrapper) && !input.items().empty())
        input = input.at(0);
    Value results = makeSequence();
    auto add = [&](const Value &value) {
        if (value.isArray()) {
            std::vector<Value> flat;
            flattenInto(value, flat);
            results = appendValues(results, Value::array(std::move(flat)));
        } else if (results.isArray()) {
            // `results` may be a plain array after an append; pushing keeps its kind
            results.mutableItems().push_back(value);
        }
    };
    if (input.isObject()) {
        for (const auto &[k, v] : input.members())
            add(v);
    } else if (input.isArray()) {
        for (const Value &v : input.items())
            add(v);
    }
    return results;
}

Value Evaluator::evaluateDescendants(const Value &input)
{
    if (input.isUndefined())
        return {};
    std::vector<Value> out;
    recurseDescendants(input, out);
    if (out.size() == 1)
        return out[0];
    return Value::array(std::move(out), Value::Sequence);
}

Value Evaluator::evaluateGroupExpression(const Group &group, const Value &input, Frame *env)
{
    return evaluateGroupPairs(group.pairs, group.position, input, env);
}

namespace {
bool isArrayIndexKey(const QString &k, quint64 *v)
{
    if (k.isEmpty() || k.size() > 10 || k.at(0) < u'0' || k.at(0) > u'9' || (k.size() > 1 && k.at(0) == u'0'))
        return false;
    quint64 n = 0;
    for (QChar c : k) {
        if (c < u'0' || c > u'9')
            return false;
        n = n * 10 + (c.unicode() - u'0');
    }
    *v = n;
    return n < 4294967295ull;
}

inline bool sameKey(const QString &a, const QString &b)
{
    return a.size() == b.size()
        && (a.constData() == b.constData()
            || std::memcmp(a.constData(), b.constData(), size_t(a.size()) * 2) == 0);
}
} // namespace

// An object constructor applied to one item (the common case): keys are evaluated first, in
// order, then the values in JavaScript key order.
Value Evaluator::evaluateSingleGroup(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                                     const Value &item, Frame *env)
{
    const size_t n = pairs.size();
    QVarLengthArray<const QString *, 16> keys;
    QVarLengthArray<quint32, 16> exprOf;
    QVarLengthArray<Value, 4> evaluatedKeys; // owns keys that were computed
    evaluatedKeys.reserve(qsizetype(n));
    const bool exact = m_ctx.maxDepth > 0; // the harness guard counts key evaluations too
    for (size_t pairIndex = 0; pairIndex < n; ++pairIndex) {
        const Node *keyNode = pairs[pairIndex].first;
        const QString *key;
        if (keyNode->type == NodeType::String && !exact && keyNode->predicate.empty() && !keyNode->group) {
            key = &keyNode->literal.toStr();
        } else {
            Value k = evaluate(keyNode, item, env);
            if (k.isUndefined())
                continue;
            if (!k.isString())
                raise(JsonataError(u"T1003"_s, position).withValue(k));
            evaluatedKeys.push_back(std::move(k));
            key = &evaluatedKeys.back().toStr();
        }
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (sameKey(*keys[i], *key)) {
                if (exprOf[i] != pairIndex)
                    raise(JsonataError(u"D1009"_s, position).withValue(Value(*key)));
                // the same expression produced the key again for the same item: the data is appended
                key = nullptr;
                break;
            }
        }
        if (key) {
            keys.push_back(key);
            exprOf.push_back(quint32(pairIndex));
        }
    }
    QVarLengthArray<qsizetype, 16> order;
    order.resize(keys.size());
    for (qsizetype i = 0; i < keys.size(); ++i)
        order[i] = i;
    bool anyIndexKey = false;
    for (qsizetype i = 0; i < keys.size() && !anyIndexKey; ++i) {
        quint64 v = 0;
        anyIndexKey = isArrayIndexKey(*keys[i], &v);
    }
    if (anyIndexKey) {
        std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
            quint64 va = 0, vb = 0;
            const bool ia = isArrayIndexKey(*keys[a], &va);
            const bool ib = isArrayIndexKey(*keys[b], &vb);
            if (ia && ib)
                return va < vb;
            return ia && !ib;
        });
    }
    Object result;
    result.reserve(keys.size());
    for (qsizetype oi : order) {
        Value value = evaluate(pairs[exprOf[oi]].second, item, env);
        if (value.isDefined())
            result.appendUnique(*keys[oi], std::move(value));
    }
    return Value::object(std::move(result));
}

Value Evaluator::evaluateGroupPairs(const std::vector<std::pair<Node *, Node *>> &pairs, int position,
                                    const Value &inputValue, Frame *env)
{
    const bool reduce = inputValue.isArray() && inputValue.hasFlag(Value::TupleStream);
    static const Value undefinedItem;
    const Value *items = &inputValue;
    size_t count = 1;
    if (inputValue.isArray()) {
        items = inputValue.items().data();
        count = inputValue.items().size();
        if (count == 0 && !reduce) {
            items = &undefinedItem;
            count = 1;
        }
    }

    if (count == 1 && !reduce)
        return evaluateSingleGroup(pairs, position, items[0], env);

    struct Entry
    {
        QString key;
        Value data;
        size_t exprIndex;
    };
    std::vector<Entry> entries;
    entries.reserve(pairs.size());
    QHash<QString, size_t> index; // only for many keys
    auto findEntry = [&](const QString &key) -> Entry * {
        if (!index.isEmpty()) {
            auto it = index.constFind(key);
            return it == index.cend() ? nullptr : &entries[*it];
        }
        for (Entry &e : entries) {
            if (e.key == key)
                return &e;
        }
        return nullptr;
    };

    for (size_t itemIndex = 0; itemIndex < count; ++itemIndex) {
        const Value &item = items[itemIndex];
        FramePtr tupleFrame;
        Frame *itemEnv = env;
        if (reduce) {
            tupleFrame = frameFromTuple(env, item);
            itemEnv = tupleFrame.get();
        }
        const Value tupleCtx = reduce ? tupleContext(item) : Value();
        const Value &context = reduce ? tupleCtx : item;
        for (size_t pairIndex = 0; pairIndex < pairs.size(); ++pairIndex) {
            const Value key = evaluate(pairs[pairIndex].first, context, itemEnv);
            if (key.isUndefined())
                continue;
            if (!key.isString())
                raise(JsonataError(u"T1003"_s, position).withValue(key));
            if (Entry *entry = findEntry(key.toStr())) {
                if (entry->exprIndex != pairIndex)
                    raise(JsonataError(u"D1009"_s, position).withValue(key));
                entry->data = appendValues(entry->data, item);
            } else {
                entries.push_back(Entry { key.toStr(), item, pairIndex });
                if (!index.isEmpty() || entries.size() > 16) {
                    if (index.isEmpty()) {
                        for (size_t i = 0; i < entries.size(); ++i)
                            index.insert(entries[i].key, i);
                    } else {
                        index.insert(entries.back().key, entries.size() - 1);
                    }
                }
            }
        }
    }

    // JavaScript object key order: array-index keys first (ascending), then insertion order
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    auto indexKey = [](const QString &k, quint64 *v) {
        if (k.isEmpty() || k.size() > 10 || (k.size() > 1 && k.at(0) == u'0'))
            return false;
        quint64 n = 0;
        for (QChar c : k) {
            if (c < u'0' || c > u'9')
                return false;
            n = n * 10 + (c.unicode() - u'0');
        }
        *v = n;
        return n < 4294967295ull;
    };
    bool anyIndexKey = false;
    for (const Entry &e : entries) {
        quint64 v = 0;
        if (!e.key.isEmpty() && e.key.at(0).isDigit() && indexKey(e.key, &v)) {
            anyIndexKey = true;
            break;
        }
    }
    if (anyIndexKey) {
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            quint64 va = 0, vb = 0;
            const bool ia = indexKey(entries[a].key, &va);
            const bool ib = indexKey(entries[b].key, &vb);
            if (ia && ib)
                return va < vb;
            return ia && !ib;
        });
    }

    Object result;
    result.reserve(qsizetype(entries.size()));
    for (size_t oi : order) {
        const Entry &entry = entries[oi];
        Value context = entry.data;
        FramePtr tupleFrame;
        Frame *valueEnv = env;
        if (reduce) {
            // merge the tuples of the group: each binding becomes the sequence of its values
            Value tuple;
            if (!entry.data.isArray()) {
                tuple = entry.data;
            } else {
                const auto &tuples = entry.data.items();
                Object merged = tuples.empty() || !tuples[0].isObject() ? Object() : tuples[0].members();
                for (size_t ii = 1; ii < tuples.size(); ++ii) {
                    if (!tuples[ii].isObject())
                        continue;
                    for (const auto &[k, v] : tuples[ii].members()) {
                        const Value *prev = merged.find(k);
                        merged.insert(k, appendValues(prev ? *prev : Value(), v));
                    }
                }
                tuple = Value::object(std::move(merged));
            }
            Object bindings = tuple.isObject() ? tuple.members() : Object();
            const Value *at = bindings.find(atKey());
            context = at ? *at : Value();
            bindings.remove(atKey());
            tupleFrame = frameFromTuple(env, Value::object(std::move(bindings)));
            valueEnv = tupleFrame.get();
        }
        Value value = evaluate(pairs[entry.exprIndex].second, context, valueEnv);
        if (value.isDefined())
            result.appendUnique(entry.key, std::move(value));
    }
    return Value::object(std::move(result));
}

Value Evaluator::evaluateCondition(const Node *expr, const Value &input, Frame *env)
{
    const Value condition = evaluate(expr->condition, input, env);
    if (toBoolean(condition))
        return evaluate(expr->then, input, env);
    if (expr->otherwise)
        return evaluate(expr->otherwise, input, env);
    return {};
}

Value Evaluator::evaluateBlock(const Node *expr, const Value &input, Frame *env)
{
    FramePtr frame = createFrame(env);
    Value result;
    for (const Node *e : expr->expressions)
        result = evaluate(e, input, frame.get());
    return result;
}

// ---------------------------------------------------------------------------------------------
// sorting (order-by)

Value Evaluator::evaluateSort(const Node *expr, const Value &input, Frame *env)
{
    const bool isTupleSort = input.isArray() && input.hasFlag(Value::TupleStream);
    auto comparator = [&](const Value &a, const Value &b) -> bool {
        int comp = 0;
        for (size_t index = 0; comp == 0 && index < expr->sortTerms.size(); ++index) {
            const SortTerm &term = expr->sortTerms[index];
            Value aa;
            Value bb;
            if (isTupleSort) {
                FramePtr fa = frameFromTuple(env, a);
                aa = evaluate(term.expression, tupleContext(a), fa.get());
                FramePtr fb = frameFromTuple(env, b);
                bb = evaluate(term.expression, tupleContext(b), fb.get());
            } else {
                aa = evaluate(term.expression, a, env);
                bb = evaluate(term.expression, b, env);
            }
            if (aa.isUndefined()) {
                comp = bb.isUndefined() ? 0 : 1;
                continue;
            }
            if (bb.isUndefined()) {
                comp = -1;
                continue;
            }
            const bool aOk = aa.isString() || aa.isNumber();
            const bool bOk = bb.isString() || bb.isNumber();
            if (!aOk || !bOk)
                raise(JsonataError(u"T2008"_s, expr->position).withValue(!aOk ? aa : bb));
            if (aa.type() != bb.type())
                raise(JsonataError(u"T2007"_s, expr->position).withValue(aa).withValue2(bb));
            int c;
            if (aa.isNumber())
                c = aa.toNumber() == bb.toNumber() ? 0 : (aa.toNumber() < bb.toNumber() ? -1 : 1);
            else
                c = QString::compare(aa.toStr(), bb.toStr()) == 0 ? 0 : (aa.toStr() < bb.toStr() ? -1 : 1);
            if (c == 0)
                continue;
            comp = c;
            if (term.descending)
                comp = -comp;
        }
        return comp == 1;
    };
    return sortValues(*this, input, comparator);
}

// ---------------------------------------------------------------------------------------------
// functions

Value Evaluator::evaluateLambda(const Node *expr, const Value &input, Frame *env)
{
    FunctionData *f = newFunction(FnKind::Lambda);
    f->params.reserve(expr->arguments.size());
    for (const Node *a : expr->arguments)
        f->params.push_back(a->value);
    f->body = expr->body;
    f->signature = expr->signature;
    f->thunk = expr->thunk;
    f->env = FramePtr(env);
    f->input = input;
    m_ctx.madeClosures = true;
    track(f);
    return Value::fromFunction(f);
}

Value Evaluator::evaluateFunction(const Node *expr, const Value &input, Frame *env, const Value *applyTo)
{
    const Value proc = evaluate(expr->procedure, input, env);
    const bool procIsPath = expr->procedure->type == NodeType::Path;
    if (proc.isUndefined() && procIsPath && jsTruthy(lookupVariable(env, expr->procedure->steps[0]->value)))
        raise(JsonataError(u"T1005"_s, expr->position).withToken(expr->procedure->steps[0]->value));

    std::vector<Value> args;
    args.reserve(expr->arguments.size() + (applyTo ? 1 : 0));
    if (applyTo)
        args.push_back(*applyTo);
    for (const Node *arg : expr->arguments)
        args.push_back(evaluate(arg, input, env));

    const QString procName = procIsPath ? expr->procedure->steps[0]->value : expr->procedure->value;
    try {
        return apply(proc, std::move(args), input, env);
    } catch (JsonataError &e) {
        if (e.position < 0)
            e.position = expr->position;
        if (!e.hasToken)
            e.withToken(procName);
        throw;
    }
}

Value Evaluator::apply(const Value &proc, std::vector<Value> args, const Value &input, Frame *env)
{
    Value result = applyInner(proc, args, input, env);
    for (;;) {
        FunctionData *fn = result.function();
        if (!fn || fn->kind != FnKind::Lambda || !fn->thunk)
            break;
        // trampoline: the lambda returned a tail call
        const Node *call = fn->body;
        Frame *callEnv = fn->env.get();
        const Value callInput = fn->input;
        const Value next = evaluate(call->procedure, callInput, callEnv);
        std::vector<Value> nextArgs;
        nextArgs.reserve(call->arguments.size());
        for (const Node *a : call->arguments)
            nextArgs.push_back(evaluate(a, callInput, callEnv));
        const Value keep = result; // keeps the thunk's frame alive while its call runs
        try {
            result = applyInner(next, nextArgs, input, env);
        } catch (JsonataError &e) {
            if (call->procedure->type == NodeType::Variable && !e.hasToken)
                e.withToken(call->procedure->value);
            if (e.position < 0)
                e.position = call->procedure->position;
            throw;
        }
    }
    return result;
}

char typeSymbol(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Function:
        return 'f';
    case Value::Type::String:
        return 's';
    case Value::Type::Number:
        return 'n';
    case Value::Type::Boolean:
        return 'b';
    case Value::Type::Null:
        return 'l';
    case Value::Type::Array:
        return 'a';
    case Value::Type::Object:
        return 'o';
    case Value::Type::Undefined:
        return 'm';
    }
    return 'm';
}

namespace {

// Backtracking match of the supplied type symbols against the signature's parameters, the
// way the reference's generated regular expression does it. `counts` receives how many symbols
// each parameter consumed. With `prefix`, trailing symbols may remain.
bool matchParams(const std::vector<Signature::Param> &params, size_t pi, const QByteArray &sig, qsizetype pos,
                 std::vector<int> &counts, bool prefix, qsizetype *endPos)
{
    if (pi == params.size()) {
        if (prefix || pos == sig.size()) {
            if (endPos)
                *endPos = pos;
            return true;
        }
        return false;
    }
    const Signature::Param &p = params[pi];
    // greedy: how many symbols may this parameter take?
    int maxTake = 0;
    if (p.quant == '+') {
        while (pos + maxTake < sig.size() && p.matches(sig.at(pos + maxTake)))
            ++maxTake;
        for (int take = maxTake; take >= 1; --take) {
            counts[pi] = take;
            if (matchParams(params, pi + 1, sig, pos + take, counts, prefix, endPos))
                return true;
        }
        return false;
    }
    const bool can = pos < sig.size() && p.matches(sig.at(pos));
    if (can) {
        counts[pi] = 1;
        if (matchParams(params, pi + 1, sig, pos + 1, counts, prefix, endPos))
            return true;
    }
    if (p.quant == '?') {
        counts[pi] = 0;
        return matchParams(params, pi + 1, sig, pos, counts, prefix, endPos);
    }
    return false;
}

} // namespace

std::vector<Value> validateArguments(const Signature &sig, std::vector<Value> &args, const Value &context)
{
    QByteArray supplied;
    supplied.reserve(qsizetype(args.size()));
    for (const Value &a : args)
        supplied += typeSymbol(a);
    std::vector<int> counts(sig.params.size(), 0);
    if (matchParams(sig.params, 0, supplied, 0, counts, false, nullptr)) {
        std::vector<Value> validated;
        size_t argIndex = 0;
        for (size_t index = 0; index < sig.params.size(); ++index) {
            const Signature::Param &param = sig.params[index];
            const int count = counts[index];
            if (count == 0) {
                if (param.context) {
                    if (param.matchesContext(typeSymbol(context)))
                        validated.push_back(context);
                    else
                        raise(JsonataError(u"T0411"_s).withValue(context).withIndex(int(argIndex + 1)));
                } else {
                    validated.push_back(argIndex < args.size() ? args[argIndex] : Value());
                    ++argIndex;
                }
                continue;
            }
            for (int k = 0; k < count; ++k) {
                Value arg = argIndex < args.size() ? args[argIndex] : Value();
                const char single = supplied.at(qsizetype(argIndex));
                if (param.type == 'a') {
                    if (single == 'm') {
                        arg = Value();
                    } else {
                        bool arrayOK = true;
                        if (!param.subtype.isEmpty()) {
                            if (single != 'a' && QString(QLatin1Char(single)) != param.subtype) {
                                arrayOK = false;
                            } else if (single == 'a' && !arg.items().empty()) {
                                const char itemType = typeSymbol(arg.items()[0]);
                                if (QLatin1Char(itemType) != param.subtype.at(0)) {
                                    arrayOK = false;
                                } else {
                                    for (const Value &v : arg.items()) {
                                        if (typeSymbol(v) != itemType) {
                                            arrayOK = false;
                                            break;
                                        }
                                    }
                                }
                            }
                        }
                        if (!arrayOK) {
                            static const QHash<QString, QString> plural = {
                                { u"a"_s, u"arrays"_s },    { u"b"_s, u"booleans"_s },
                                { u"f"_s, u"functions"_s }, { u"n"_s, u"numbers"_s },
                                { u"o"_s, u"objects"_s },   { u"s"_s, u"strings"_s }
                            };
                            JsonataError e(u"T0412"_s);
                            e.withValue(arg).withIndex(int(argIndex + 1));
                            e.type = plural.value(param.subtype);
                            raise(e);
                        }
                        if (single != 'a')
                            arg = Value::array({ arg });
                    }
                }
                validated.push_back(std::move(arg));
                ++argIndex;
            }
        }
        return validated;
    }
    // locate the first parameter that cannot match
    qsizetype goodTo = 0;
    for (size_t index = 1; index <= sig.params.size(); ++index) {
        std::vector<Signature::Param> partial(sig.params.begin(), sig.params.begin() + qsizetype(index));
        std::vector<int> c(partial.size(), 0);
        qsizetype end = 0;
        if (!matchParams(partial, 0, supplied, 0, c, true, &end)) {
            raise(JsonataError(u"T0410"_s)
                      .withValue(goodTo < qsizetype(args.size()) ? args[size_t(goodTo)] : Value())
                      .withIndex(int(goodTo + 1)));
        }
        goodTo = end;
    }
    raise(JsonataError(u"T0410"_s)
              .withValue(goodTo < qsizetype(args.size()) ? args[size_t(goodTo)] : Value())
              .withIndex(int(goodTo + 1)));
}

Value Evaluator::applyInner(const Value &proc, std::vector<Value> &args, const Value &input, Frame *env)
{
    FunctionData *fn = proc.function();
    if (!fn)
        raise(JsonataError(u"T1006"_s));
    switch (fn->kind) {
    case FnKind::Lambda: {
        if (fn->signature) {
            std::vector<Value> validated = validateArguments(*fn->signature, args, input);
            return applyProcedure(fn, validated);
        }
        return applyProcedure(fn, args);
    }
    case FnKind::Builtin: {
        const Builtin *b = fn->builtin;
        CallContext cc { input, env };
        if (b->signature) {
            std::vector<Value> validated = validateArguments(*b->signature, args, input);
            return b->impl(*this, cc, validated);
        }
        return b->impl(*this, cc, args);
    }
    case FnKind::Transformer: {
        static const std::shared_ptr<const Signature> sig = parseSignature(u"<(oa):o>"_s);
        std::vector<Value> validated = validateArguments(*sig, args, input);
        return applyTransformer(fn, validated, env);
    }
    case FnKind::Regex: {
        const Value str = args.empty() ? Value() : args[0];
        const int from = args.size() > 1 && args[1].isNumber()
            ? clampToInt(args[1].toNumber(), 0, std::numeric_limits<int>::max())
            : 0;
        return regexMatch(fn->regex, str.isString() ? str.toStr() : toJsString(str), from, fn->position);
    }
    case FnKind::MatchNext: {
        if (fn->lastIndex >= fn->subject.size())
            return {};
        Value next = regexMatch(fn->regex, fn->subject, fn->lastIndex, fn->position);
        if (next.isObject()) {
            const Value *m = next.members().find(u"match"_s);
            if (m && m->isString() && m->toStr().isEmpty())
                raise(JsonataError(u"D1004"_s, fn->position).withValue(Value(fn->regex->source)));
        }
        return next;
    }
    case FnKind::Detached:
        raise(JsonataError(u"T1006"_s));
    }
    return {};
}

Value Evaluator::applyProcedure(FunctionData *proc, std::vector<Value> &args)
{
    FramePtr env = createFrame(proc->env.get());
    for (size_t i = 0; i < proc->params.size(); ++i)
        env->bind(proc->params[i], i < args.size() ? args[i] : Value());
    if (proc->nativeBody) {
        const Builtin *b = proc->nativeBody;
        std::vector<Value> nativeArgs;
        nativeArgs.reserve(size_t(b->params.size()));
        for (const QString &name : b->params)
            nativeArgs.push_back(lookupVariable(env.get(), name));
        CallContext cc { Value(), env.get() };
        return b->impl(*this, cc, nativeArgs);
    }
    return evaluate(proc->body, proc->input, env.get());
}

Value Evaluator::evaluatePartialApplication(const Node *expr, const Value &input, Frame *env)
{
    std::vector<Value> args;
    std::vector<bool> holes;
    for (const Node *arg : expr->arguments) {
        if (arg->type == NodeType::Operator && arg->value == u"?"_s) {
            args.emplace_back();
            holes.push_back(true);
        } else {
            args.push_back(evaluate(arg, input, env));
            holes.push_back(false);
        }
    }
    const Value proc = evaluate(expr->procedure, input, env);
    const bool procIsPath = expr->procedure->type == NodeType::Path;
    if (proc.isUndefined() && procIsPath && jsTruthy(lookupVariable(env, expr->procedure->steps[0]->value)))
        raise(JsonataError(u"T1007"_s, expr->position).withToken(expr->procedure->steps[0]->value));
    FunctionData *fn = proc.function();
    if (!fn || (fn->kind != FnKind::Lambda && fn->kind != FnKind::Builtin)) {
        raise(JsonataError(u"T1008"_s, expr->position)
                  .withToken(procIsPath ? expr->procedure->steps[0]->value : expr->procedure->value));
    }
    return partialApply(proc, args, holes, env);
}

Value Evaluator::partialApply(const Value &proc, const std::vector<Value> &args,
                              const std::vector<bool> &holes, Frame *env)
{
    FunctionData *fn = proc.function();
    FunctionData *out = newFunction(FnKind::Lambda);
    std::vector<QString> params;
    if (fn->kind == FnKind::Builtin) {
        for (const QString &p : fn->builtin->params)
            params.push_back(p);
        out->nativeBody = fn->builtin;
        out->env = createFrame(env);
    } else {
        params = fn->params;
        out->nativeBody = fn->nativeBody;
        out->body = fn->body;
        out->input = fn->input;
        out->env = createFrame(fn->env ? fn->env.get() : env);
    }
    for (size_t index = 0; index < params.size(); ++index) {
        if (index < holes.size() && holes[index])
            out->params.push_back(params[index]);
        else
            out->env->bind(params[index], index < args.size() ? args[index] : Value());
    }
    m_ctx.madeClosures = true;
    track(out);
    return Value::fromFunction(out);
}

Value Evaluator::evaluateApply(const Node *expr, const Value &input, Frame *env)
{
    const Value lhs = evaluate(expr->lhs, input, env);
    if (expr->rhs->type == NodeType::Function)
        return evaluateFunction(expr->rhs, input, env, &lhs);
    const Value func = evaluate(expr->rhs, input, env);
    if (!isFunctionValue(func))
        raise(JsonataError(u"T2006"_s, expr->position).withValue(func));
    if (isFunctionValue(lhs)) {
        const Value chain = evaluate(chainAst().root, Value(nullptr), env);
        return apply(chain, { lhs, func }, Value(nullptr), env);
    }
    return apply(func, { lhs }, Value(nullptr), env);
}

Value Evaluator::evaluateTransform(const Node *expr, Frame *env)
{
    FunctionData *f = newFunction(FnKind::Transformer);
    f->transform = expr;
    f->env = FramePtr(env);
    m_ctx.madeClosures = true;
    track(f);
    return Value::fromFunction(f);
}

namespace {
// A value about to be stored inside the copy a transform updates: parts that are themselves in
// the copy (e.g. `%` or `$` in the update) are copied, so that no object ends up containing itself.
Value unshare(const Value &v, const QSet<const void *> &copied)
{
    if (!v.isObject() && !v.isArray())
        return v;
    bool shared = false;
    std::vector<const Value *> work { &v };
    while (!work.empty() && !shared) {
        const Value *x = work.back();
        work.pop_back();
        if (x->isObject()) {
            shared = copied.contains(x->payload());
            for (const auto &[k, m] : x->members())
                work.push_back(&m);
        } else if (x->isArray()) {
            shared = copied.contains(x->payload());
            for (const Value &m : x->items())
                work.push_back(&m);
        }
    }
    if (!shared)
        return v;
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    if (v.isArray()) {
        std::vector<Value> items;
        items.reserve(v.items().size());
        for (const Value &m : v.items())
            items.push_back(unshare(m, copied));
        return Value::array(std::move(items), v.flags());
    }
    Object members;
    members.reserve(v.members().size());
    for (const auto &[k, m] : v.members())
        members.appendUnique(k, unshare(m, copied));
    return Value::object(std::move(members));
}
} // namespace

Value Evaluator::applyTransformer(FunctionData *fn, std::vector<Value> &args, Frame *)
{
    const Node *expr = fn->transform;
    Frame *env = fn->env.get();
    const Value obj = args.empty() ? Value() : args[0];
    if (obj.isUndefined())
        return {};
    const Value cloneFunction = lookupVariable(env, u"clone"_s);
    if (!isFunctionValue(cloneFunction))
        raise(JsonataError(u"T2013"_s, expr->position));
    Value result = apply(cloneFunction, { obj }, Value(), env);
    Value matches = evaluate(expr->pattern, result, env);
    if (matches.isUndefined())
        return result;
    // Only objects of the copy are updated in place: a pattern may also reach objects outside it
    // (the input via $$, bindings), which belong to the caller and may be shared between threads.
    QSet<const void *> copied;
    {
        std::vector<const Value *> work { &result };
        while (!work.empty()) {
            const Value *v = work.back();
            work.pop_back();
            if (v->isObject()) {
                copied.insert(v->payload());
                for (const auto &[k, m] : v->members())
                    work.push_back(&m);
            } else if (v->isArray()) {
                copied.insert(v->payload());
                for (const Value &m : v->items())
                    work.push_back(&m);
            }
        }
    }
    if (!matches.isArray())
        matches = Value::array({ matches });
    for (const Value &matchConst : matches.items()) {
        Value match = matchConst;
        const Value update = evaluate(expr->update, match, env);
        if (update.isDefined()) {
            if (!update.isObject())
                raise(JsonataError(u"T2011"_s, expr->update->position).withValue(update));
            if (match.isObject() && copied.contains(match.payload())) {
                Object &m = match.mutableMembers();
                for (const auto &[k, v] : update.members())
                    m.insert(k, unshare(v, copied));
            }
        }
        if (expr->deletion) {
            Value deletions = evaluate(expr->deletion, match, env);
            if (deletions.isDefined()) {
                const Value val = deletions;
                if (!deletions.isArray())
                    deletions = Value::array({ deletions });
                if (!isArrayOfStrings(deletions))
                    raise(JsonataError(u"T2012"_s, expr->deletion->position).withValue(val));
                if (match.isObject() && copied.contains(match.payload())) {
                    Object &m = match.mutableMembers();
                    for (const Value &d : deletions.items())
                        m.remove(d.toStr());
                }
            }
        }
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// regular expressions

Value regexMatch(const std::shared_ptr<const RegexData> &re, const QString &str, int fromIndex, int position)
{
    if (fromIndex > str.size())
        return {};
    const QRegularExpressionMatch m = re->re.match(str, fromIndex);
    if (!m.hasMatch())
        return {};
    Object result;
    const int start = int(m.capturedStart(0));
    const int end = int(m.capturedEnd(0));
    result.insert(u"match"_s, Value(m.captured(0)));
    result.insert(u"start"_s, Value(start));
    result.insert(u"end"_s, Value(end));
    std::vector<Value> groups;
    for (int i = 1; i <= re->re.captureCount(); ++i) {
        if (m.capturedStart(i) < 0)
            groups.emplace_back();
        else
            groups.emplace_back(m.captured(i));
    }
    result.insert(u"groups"_s, Value::array(std::move(groups)));
    auto *next = new FunctionData();
    next->kind = FnKind::MatchNext;
    next->regex = re;
    next->subject = str;
    next->lastIndex = end;
    next->position = position;
    result.insert(u"next"_s, Value::fromFunction(next));
    return Value::object(std::move(result));
}

} // namespace lifdag::jsonata::detail
