// The built-in function library of JSONata (jsonata-js 2.2 semantics).
#include "function_p.h"
#include "stackguard_p.h"

#include <QRandomGenerator>

#include <cmath>
#include <limits>

namespace lifdag::jsonata::detail {

using namespace Qt::StringLiterals;

// ---------------------------------------------------------------------------------------------
// helpers shared with the evaluator

bool isNumeric(const Value &v)
{
    if (!v.isNumber())
        return false;
    const double n = v.toNumber();
    if (n != n)
        return false;
    if (!std::isfinite(n))
        raise(JsonataError(u"D1001"_s).withValue(v));
    return true;
}

bool toBoolean(const Value &arg, bool *defined)
{
    if (defined)
        *defined = arg.isDefined();
    switch (arg.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
    case Value::Type::Function:
        return false;
    case Value::Type::Boolean:
        return arg.toBool();
    case Value::Type::String:
        return !arg.toStr().isEmpty();
    case Value::Type::Number:
        if (!isNumeric(arg))
            return false;
        return arg.toNumber() != 0;
    case Value::Type::Object:
        return !arg.members().isEmpty();
    case Value::Type::Array: {
        const auto &items = arg.items();
        if (items.size() == 1)
            return toBoolean(items[0]);
        for (const Value &v : items) {
            if (toBoolean(v))
                return true;
        }
        return false;
    }
    }
    return false;
}

namespace {

void stringifyInto(QString &out, const Value &v, bool pretty, int level);

void appendQuoted(QString &out, const QString &s)
{
    QByteArray b;
    Value(s).appendJson(b);
    out += QString::fromUtf8(b);
}

void indentTo(QString &out, int level)
{
    out += u'\n';
    out += QString(level * 2, u' ');
}

// JSON.stringify with $string's replacer: non-integers to 15 significant digits, functions as "".
void stringifyInto(QString &out, const Value &v, bool pretty, int level)
{
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    switch (v.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        out += u"null"_s;
        return;
    case Value::Type::Boolean:
        out += v.toBool() ? u"true"_s : u"false"_s;
        return;
    case Value::Type::Number: {
        double n = v.toNumber();
        if (isNumeric(v) && n != std::trunc(n))
            n = jsToPrecision(n, 15).toDouble();
        out += std::isfinite(n) ? jsNumberToString(n) : u"null"_s;
        return;
    }
    case Value::Type::String:
        appendQuoted(out, v.toStr());
        return;
    case Value::Type::Function:
        out += u"\"\""_s;
        return;
    case Value::Type::Array: {
        const auto &items = v.items();
        if (items.empty()) {
            out += u"[]"_s;
            return;
        }
        out += u'[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += u',';
            if (pretty)
                indentTo(out, level + 1);
            stringifyInto(out, items[i], pretty, level + 1);
        }
        if (pretty)
            indentTo(out, level);
        out += u']';
        return;
    }
    case Value::Type::Object: {
        out += u'{';
        bool first = true;
        for (const auto &[k, m] : v.members()) {
            if (m.isUndefined())
                continue;
            if (!first)
                out += u',';
            first = false;
            if (pretty)
                indentTo(out, level + 1);
            appendQuoted(out, k);
            out += pretty ? u": "_s : u":"_s;
            stringifyInto(out, m, pretty, level + 1);
        }
        if (pretty && !first)
            indentTo(out, level);
        out += u'}';
        return;
    }
    }
}

} // namespace

QString toJsString(const Value &arg, bool prettify)
{
    if (arg.isString())
        return arg.toStr();
    if (arg.isFunction())
        return QString();
    if (arg.isNumber() && !std::isfinite(arg.toNumber()))
        raise(JsonataError(u"D3001"_s).withValue(arg));
    Value v = arg;
    if (v.isArray() && v.hasFlag(Value::OuterWrapper) && !v.items().empty())
        v = v.at(0);
    QString out;
    stringifyInto(out, v, prettify, 0);
    return out;
}

Value appendValues(const Value &arg1, const Value &arg2)
{
    if (arg1.isUndefined())
        return arg2;
    if (arg2.isUndefined())
        return arg1;
    std::vector<Value> out;
    if (arg1.isArray())
        out = arg1.items();
    else
        out.push_back(arg1);
    if (arg2.isArray())
        out.insert(out.end(), arg2.items().begin(), arg2.items().end());
    else
        out.push_back(arg2);
    return Value::array(std::move(out));
}

Value lookupValue(const Value &input, const QString &key)
{
    if (input.isArray()) {
        if (stackExhausted())
            raise(JsonataError(u"D1011"_s));
        std::vector<Value> result;
        for (const Value &item : input.items()) {
            Value res = lookupValue(item, key);
            if (res.isUndefined())
                continue;
            if (res.isArray())
                result.insert(result.end(), res.items().begin(), res.items().end());
            else
                result.push_back(std::move(res));
        }
        return Value::array(std::move(result), Value::Sequence);
    }
    if (input.isObject()) {
        const Value *v = input.members().find(key);
        return v ? *v : Value();
    }
    return {};
}

int functionArity(const Value &f)
{
    FunctionData *fn = f.function();
    if (!fn)
        return 0;
    switch (fn->kind) {
    case FnKind::Lambda:
        return int(fn->params.size());
    case FnKind::Builtin:
        return fn->builtin->arity;
    case FnKind::Transformer:
        return 1;
    case FnKind::Regex:
        return 2;
    case FnKind::MatchNext:
    case FnKind::Detached:
        return 0;
    }
    return 0;
}

Value deepClone(const Value &v)
{
    Result<Value> parsed = Value::fromJson(toJsString(v).toUtf8());
    return parsed.ok() ? parsed.value() : Value();
}

Value sortValues(Evaluator &, const Value &arr, const std::function<bool(const Value &, const Value &)> &swap)
{
    if (!arr.isArray() || arr.items().size() <= 1)
        return arr;
    std::vector<Value> a = arr.items();
    std::vector<Value> tmp(a.size());
    // stable top-down merge sort, splitting at floor(n/2) like the reference
    std::function<void(size_t, size_t)> msort = [&](size_t lo, size_t hi) {
        const size_t n = hi - lo;
        if (n <= 1)
            return;
        const size_t mid = lo + n / 2;
        msort(lo, mid);
        msort(mid, hi);
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            if (swap(a[i], a[j]))
                tmp[k++] = a[j++];
            else
                tmp[k++] = a[i++];
        }
        while (i < mid)
            tmp[k++] = a[i++];
        while (j < hi)
            tmp[k++] = a[j++];
        for (size_t x = lo; x < hi; ++x)
            a[x] = std::move(tmp[x]);
    };
    msort(0, a.size());
    return Value::array(std::move(a));
}

std::vector<char32_t> toCodePoints(const QString &s)
{
    std::vector<char32_t> out;
    out.reserve(size_t(s.size()));
    const qsizetype n = s.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = s.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(s.at(i + 1).unicode())) {
            out.push_back(QChar::surrogateToUcs4(c, s.at(i + 1).unicode()));
            ++i;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

QString fromCodePoints(const char32_t *cps, qsizetype n)
{
    QString out;
    out.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const char32_t c = cps[i];
        if (c >= 0x10000) {
            out += QChar(QChar::highSurrogate(c));
            out += QChar(QChar::lowSurrogate(c));
        } else {
            out += QChar(char16_t(c));
        }
    }
    return out;
}

qsizetype codePointLength(const QString &s)
{
    qsizetype count = 0;
    const qsizetype n = s.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = s.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(s.at(i + 1).unicode()))
            ++i;
        ++count;
    }
    return count;
}

namespace {

// ---------------------------------------------------------------------------------------------
// argument access

const Value &arg(const std::vector<Value> &args, size_t i)
{
    static const Value undefinedValue;
    return i < args.size() ? args[i] : undefinedValue;
}

QString str(const std::vector<Value> &args, size_t i)
{
    const Value &v = arg(args, i);
    return v.isString() ? v.toStr() : (v.isDefined() ? toJsString(v) : QString());
}

double num(const std::vector<Value> &args, size_t i)
{
    const Value &v = arg(args, i);
    if (v.isNumber())
        return v.toNumber();
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace

bool jsTruthy(const Value &v)
{
    switch (v.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        return false;
    case Value::Type::Boolean:
        return v.toBool();
    case Value::Type::Number:
        return v.toNumber() != 0 && v.toNumber() == v.toNumber();
    case Value::Type::String:
        return !v.toStr().isEmpty();
    default:
        return true;
    }
}

namespace {

// ToIntegerOrInfinity + clamping, as String.prototype.slice / Array.prototype.slice do
qsizetype sliceIndex(double rel, qsizetype len)
{
    if (rel != rel)
        rel = 0;
    rel = std::trunc(rel);
    if (rel < 0)
        return qsizetype(std::max(double(len) + rel, 0.0));
    return qsizetype(std::min(rel, double(len)));
}

Value callFunction(Evaluator &ev, const CallContext &cc, const Value &func, std::vector<Value> args)
{
    return ev.apply(func, std::move(args), cc.input, cc.env);
}

std::vector<Value> hofArgs(const Value &func, const Value &a1, const Value &a2, const Value &a3)
{
    std::vector<Value> out { a1 };
    const int arity = functionArity(func);
    if (arity >= 2)
        out.push_back(a2);
    if (arity >= 3)
        out.push_back(a3);
    return out;
}

Value evaluateMatcher(Evaluator &ev, const CallContext &cc, const Value &matcher, const Value &s)
{
    Value result = callFunction(ev, cc, matcher, { s });
    if (jsTruthy(result)) {
        const Value start = result.member(u"start"_s);
        const Value groups = result.member(u"groups"_s);
        const Value next = result.member(u"next"_s);
        if (!(start.isNumber() || groups.isArray() || next.isFunction()))
            raise(JsonataError(u"T1010"_s));
    }
    return result;
}

// parseInt(s, 10): leading whitespace, sign, digits; NaN when none
double jsParseInt(const QString &s)
{
    qsizetype i = 0;
    while (i < s.size() && s.at(i).isSpace())
        ++i;
    bool neg = false;
    if (i < s.size() && (s.at(i) == u'-' || s.at(i) == u'+')) {
        neg = s.at(i) == u'-';
        ++i;
    }
    double v = 0;
    bool any = false;
    while (i < s.size() && s.at(i) >= u'0' && s.at(i) <= u'9') {
        v = v * 10 + (s.at(i).unicode() - u'0');
        any = true;
        ++i;
    }
    if (!any)
        return std::numeric_limits<double>::quiet_NaN();
    return neg ? -v : v;
}

// ---------------------------------------------------------------------------------------------
// aggregation

Value fnSum(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    double total = 0;
    for (const Value &v : a.items())
        total += v.toNumber();
    return Value(total);
}

Value fnCount(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return Value(0);
    return Value(double(a.items().size()));
}

Value fnMax(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined() || a.items().empty())
        return {};
    double m = -std::numeric_limits<double>::infinity();
    for (const Value &v : a.items())
        m = std::isnan(v.toNumber()) || std::isnan(m) ? std::numeric_limits<double>::quiet_NaN()
                                                      : std::max(m, v.toNumber());
    return Value(m);
}

Value fnMin(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined() || a.items().empty())
        return {};
    double m = std::numeric_limits<double>::infinity();
    for (const Value &v : a.items())
        m = std::isnan(v.toNumber()) || std::isnan(m) ? std::numeric_limits<double>::quiet_NaN()
                                                      : std::min(m, v.toNumber());
    return Value(m);
}

Value fnAverage(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined() || a.items().empty())
        return {};
    double total = 0;
    for (const Value &v : a.items())
        total += v.toNumber();
    return Value(total / double(a.items().size()));
}

// ---------------------------------------------------------------------------------------------
// strings

Value fnString(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    return Value(toJsString(a, arg(args, 1).isBool() && arg(args, 1).toBool()));
}

Value fnSubstring(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const std::vector<char32_t> cps = toCodePoints(str(args, 0));
    const qsizetype len = qsizetype(cps.size());
    double start = num(args, 1);
    if (double(len) + start < 0)
        start = 0;
    if (arg(args, 2).isDefined()) {
        const double length = num(args, 2);
        if (length <= 0)
            return Value(QString());
        const double end = start >= 0 ? start + length : double(len) + start + length;
        const qsizetype s = sliceIndex(start, len);
        const qsizetype e = sliceIndex(end, len);
        return Value(e > s ? fromCodePoints(cps.data() + s, e - s) : QString());
    }
    const qsizetype s = sliceIndex(start, len);
    return Value(fromCodePoints(cps.data() + s, len - s));
}

Value fnSubstringBefore(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    const qsizetype pos = s.indexOf(str(args, 1));
    return Value(pos > -1 ? s.left(pos) : s);
}

Value fnSubstringAfter(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    const QString chars = str(args, 1);
    const qsizetype pos = s.indexOf(chars);
    return Value(pos > -1 ? s.mid(pos + chars.size()) : s);
}

Value fnLowercase(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(str(args, 0).toLower());
}

Value fnUppercase(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(str(args, 0).toUpper());
}

Value fnLength(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(double(codePointLength(str(args, 0))));
}

Value fnTrim(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    QString result;
    result.reserve(s.size());
    bool inSpace = false;
    for (QChar c : s) {
        if (c == u' ' || c == u'\t' || c == u'\n' || c == u'\r') {
            if (!inSpace)
                result += u' ';
            inSpace = true;
        } else {
            result += c;
            inSpace = false;
        }
    }
    if (result.startsWith(u' '))
        result.remove(0, 1);
    if (result.endsWith(u' '))
        result.chop(1);
    return Value(result);
}

Value fnPad(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    QString ch = arg(args, 2).isDefined() ? str(args, 2) : QString();
    if (ch.isEmpty())
        ch = u" "_s;
    const double width = std::trunc(num(args, 1));
    const double padLength = std::fabs(width) - double(codePointLength(s));
    if (!(padLength > 0))
        return Value(s);
    if (padLength > 1e8)
        raise(JsonataError(u"D1001"_s).withValue(arg(args, 1)));
    QString padding = ch.repeated(qsizetype(padLength));
    if (ch.size() > 1) {
        const std::vector<char32_t> cps = toCodePoints(padding);
        padding = fromCodePoints(cps.data(), std::min(qsizetype(padLength), qsizetype(cps.size())));
    }
    return Value(width > 0 ? s + padding : padding + s);
}

Value fnContains(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &s = arg(args, 0);
    const Value &token = arg(args, 1);
    if (s.isUndefined() || token.isUndefined())
        return {};
    if (token.isString())
        return Value(str(args, 0).contains(token.toStr()));
    return Value(evaluateMatcher(ev, cc, token, Value(str(args, 0))).isDefined());
}

Value fnMatch(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const Value &limitV = arg(args, 2);
    const double limit = limitV.isDefined() ? num(args, 2) : 0;
    if (limitV.isDefined() && limit < 0)
        raise(JsonataError(u"D3040"_s).withValue(limitV).withIndex(3));
    std::vector<Value> result;
    if (limitV.isUndefined() || limit > 0) {
        double count = 0;
        Value matches = evaluateMatcher(ev, cc, arg(args, 1), Value(str(args, 0)));
        while (matches.isDefined() && (limitV.isUndefined() || count < limit)) {
            Object m;
            m.insert(u"match"_s, matches.member(u"match"_s));
            m.insert(u"index"_s, matches.member(u"start"_s));
            m.insert(u"groups"_s, matches.member(u"groups"_s));
            result.push_back(Value::object(std::move(m)));
            matches = evaluateMatcher(ev, cc, matches.member(u"next"_s), Value());
            ++count;
        }
    }
    return Value::array(std::move(result), Value::Sequence);
}

QString substituteReplacement(const QString &replacement, const Value &regexMatch)
{
    const Value groupsV = regexMatch.member(u"groups"_s);
    const std::vector<Value> noGroups;
    const std::vector<Value> &groups = groupsV.isArray() ? groupsV.items() : noGroups;
    const Value matchV = regexMatch.member(u"match"_s);
    QString substitute;
    qsizetype position = 0;
    qsizetype index = replacement.indexOf(u'$', position);
    while (index != -1 && position < replacement.size()) {
        substitute += replacement.mid(position, index - position);
        position = index + 1;
        const QChar dollarVal = position < replacement.size() ? replacement.at(position) : QChar();
        if (dollarVal == u'$') {
            substitute += u'$';
            ++position;
        } else if (dollarVal == u'0') {
            substitute += matchV.isString() ? matchV.toStr() : QString();
            ++position;
        } else {
            int maxDigits;
            if (groups.empty())
                maxDigits = 1;
            else
                maxDigits = int(std::floor(std::log(double(groups.size())) * (1.0 / std::log(10.0)))) + 1;
            double idx = jsParseInt(replacement.mid(position, maxDigits));
            if (maxDigits > 1 && idx > double(groups.size()))
                idx = jsParseInt(replacement.mid(position, maxDigits - 1));
            if (idx == idx) {
                if (!groups.empty()) {
                    const qsizetype gi = qsizetype(idx) - 1;
                    if (gi >= 0 && gi < qsizetype(groups.size()) && groups[size_t(gi)].isDefined())
                        substitute += toJsString(groups[size_t(gi)]);
                }
                position += jsNumberToString(idx).size();
            } else {
                substitute += u'$';
            }
        }
        index = replacement.indexOf(u'$', position);
    }
    substitute += replacement.mid(position);
    return substitute;
}

Value fnReplace(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    const Value &pattern = arg(args, 1);
    const Value &replacement = arg(args, 2);
    const Value &limitV = arg(args, 3);
    if (pattern.isString() && pattern.toStr().isEmpty())
        raise(JsonataError(u"D3010"_s).withValue(pattern).withIndex(2));
    const double limit = limitV.isDefined() ? num(args, 3) : 0;
    if (limitV.isDefined() && limit < 0)
        raise(JsonataError(u"D3011"_s).withValue(limitV).withIndex(4));
    if (!(limitV.isUndefined() || limit > 0))
        return Value(s);
    QString result;
    qsizetype position = 0;
    double count = 0;
    if (pattern.isString()) {
        const QString p = pattern.toStr();
        const QString rep = replacement.isString() ? replacement.toStr() : toJsString(replacement);
        qsizetype index = s.indexOf(p, position);
        while (index != -1 && (limitV.isUndefined() || count < limit)) {
            result += s.mid(position, index - position);
            result += rep;
            position = index + p.size();
            ++count;
            index = s.indexOf(p, position);
        }
        result += s.mid(position);
        return Value(result);
    }
    Value matches = evaluateMatcher(ev, cc, pattern, Value(s));
    if (matches.isUndefined())
        return Value(s);
    while (matches.isDefined() && (limitV.isUndefined() || count < limit)) {
        const double start = matches.member(u"start"_s).toNumber();
        const qsizetype matchStart = clampToInt(start, 0, int(s.size()));
        result += s.mid(position, std::max<qsizetype>(0, matchStart - position));
        Value replacedWith;
        if (replacement.isString())
            replacedWith = Value(substituteReplacement(replacement.toStr(), matches));
        else
            replacedWith = callFunction(ev, cc, replacement, { matches });
        if (!replacedWith.isString())
            raise(JsonataError(u"D3012"_s).withValue(replacedWith));
        result += replacedWith.toStr();
        const Value m = matches.member(u"match"_s);
        position = std::max(position, matchStart + (m.isString() ? m.toStr().size() : 0));
        ++count;
        matches = evaluateMatcher(ev, cc, matches.member(u"next"_s), Value());
    }
    result += s.mid(position);
    return Value(result);
}

Value fnSplit(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    const Value &separator = arg(args, 1);
    const Value &limitV = arg(args, 2);
    const double limit = limitV.isDefined() ? num(args, 2) : 0;
    if (limitV.isDefined() && limit < 0)
        raise(JsonataError(u"D3020"_s).withValue(limitV).withIndex(3));
    std::vector<Value> result;
    if (!(limitV.isUndefined() || limit > 0))
        return Value::array(std::move(result));
    const double maxItems = limitV.isUndefined() ? 4294967295.0 : std::floor(limit);
    if (separator.isString()) {
        const QString sep = separator.toStr();
        if (sep.isEmpty()) {
            for (qsizetype i = 0; i < s.size() && double(result.size()) < maxItems; ++i)
                result.emplace_back(QString(s.at(i)));
        } else {
            qsizetype pos = 0;
            for (;;) {
                if (double(result.size()) >= maxItems)
                    break;
                const qsizetype idx = s.indexOf(sep, pos);
                if (idx < 0) {
                    result.emplace_back(s.mid(pos));
                    break;
                }
                result.emplace_back(s.mid(pos, idx - pos));
                pos = idx + sep.size();
            }
        }
        return Value::array(std::move(result));
    }
    double count = 0;
    Value matches = evaluateMatcher(ev, cc, separator, Value(s));
    if (matches.isDefined()) {
        qsizetype start = 0;
        while (matches.isDefined() && (limitV.isUndefined() || count < limit)) {
            const qsizetype mstart = clampToInt(matches.member(u"start"_s).toNumber(), 0, int(s.size()));
            result.emplace_back(s.mid(start, mstart - start));
            start = clampToInt(matches.member(u"end"_s).toNumber(), 0, int(s.size()));
            matches = evaluateMatcher(ev, cc, matches.member(u"next"_s), Value());
            ++count;
        }
        if (limitV.isUndefined() || count < limit)
            result.emplace_back(s.mid(start));
    } else {
        result.emplace_back(s);
    }
    return Value::array(std::move(result));
}

Value fnJoin(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    const QString sep = arg(args, 1).isDefined() ? str(args, 1) : QString();
    QString out;
    bool first = true;
    for (const Value &v : a.items()) {
        if (!first)
            out += sep;
        first = false;
        if (v.isString())
            out += v.toStr();
        else if (!v.isNull() && v.isDefined())
            out += toJsString(v);
    }
    return Value(out);
}

Value fnFormatNumber(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(formatNumberPicture(num(args, 0), str(args, 1), arg(args, 2)));
}

Value fnFormatBase(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(formatBase(num(args, 0), num(args, 1), arg(args, 1).isDefined()));
}

Value fnFormatInteger(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(formatInteger(num(args, 0), str(args, 1)));
}

Value fnParseInteger(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return parseInteger(str(args, 0), str(args, 1));
}

// ---------------------------------------------------------------------------------------------
// numbers

bool matchesDecimal(const QString &s)
{
    // ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$
    qsizetype i = 0;
    const qsizetype n = s.size();
    auto digits = [&]() {
        const qsizetype st = i;
        while (i < n && s.at(i) >= u'0' && s.at(i) <= u'9')
            ++i;
        return i > st;
    };
    if (i < n && s.at(i) == u'-')
        ++i;
    if (!digits())
        return false;
    if (i < n && s.at(i) == u'.') {
        ++i;
        if (!digits())
            return false;
    }
    if (i < n && (s.at(i) == u'e' || s.at(i) == u'E')) {
        ++i;
        if (i < n && (s.at(i) == u'+' || s.at(i) == u'-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == n;
}

Value fnNumber(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    if (a.isNumber())
        return a;
    if (a.isString()) {
        const QString s = a.toStr();
        if (matchesDecimal(s)) {
            const double d = s.toDouble();
            if (std::isfinite(d))
                return Value(d);
        }
        // the reference tests ^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$, then calls Number()
        static const QRegularExpression hex(u"^0[xX][0-9A-Fa-f]+"_s);
        static const QRegularExpression oct(u"0[oO][0-7]+"_s);
        static const QRegularExpression bin(u"0[bB][0-1]+$"_s);
        if (hex.match(s).hasMatch() || oct.match(s).hasMatch() || bin.match(s).hasMatch()) {
            const QString t = s.trimmed();
            int base = 0;
            if (t.size() > 2 && t.at(0) == u'0') {
                const QChar p = t.at(1).toLower();
                base = p == u'x' ? 16 : (p == u'o' ? 8 : (p == u'b' ? 2 : 0));
            }
            if (base) {
                double v = 0;
                bool ok = true;
                for (QChar c : QStringView(t).mid(2)) {
                    const int d = c.isDigit()
                        ? c.digitValue()
                        : (c.toLower() >= u'a' && c.toLower() <= u'z' ? c.toLower().unicode() - u'a' + 10
                                                                      : 99);
                    if (d >= base) {
                        ok = false;
                        break;
                    }
                    v = v * base + d;
                }
                return Value(ok ? v : std::numeric_limits<double>::quiet_NaN());
            }
            return Value(matchesDecimal(t) ? t.toDouble() : std::numeric_limits<double>::quiet_NaN());
        }
    }
    if (a.isBool())
        return Value(a.toBool() ? 1.0 : 0.0);
    raise(JsonataError(u"D3030"_s).withValue(a).withIndex(1));
}

Value fnAbs(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(std::fabs(num(args, 0)));
}

Value fnFloor(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(std::floor(num(args, 0)) + 0.0);
}

Value fnCeil(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return Value(std::ceil(num(args, 0)) + 0.0);
}

Value fnRound(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const double precision = arg(args, 1).isDefined() ? num(args, 1) : 0;
    return Value(roundHalfEven(num(args, 0), clampToInt(precision, -1000, 1000)));
}

Value fnSqrt(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const double a = num(args, 0);
    if (a < 0)
        raise(JsonataError(u"D3060"_s).withValue(arg(args, 0)).withIndex(1));
    return Value(std::sqrt(a));
}

Value fnPower(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const double r = std::pow(num(args, 0), num(args, 1));
    if (!std::isfinite(r)) {
        JsonataError e(u"D3061"_s);
        e.withValue(arg(args, 0)).withIndex(1);
        e.exp = arg(args, 1);
        raise(e);
    }
    return Value(r);
}

Value fnRandom(Evaluator &, const CallContext &, std::vector<Value> &)
{
    return Value(QRandomGenerator::global()->generateDouble());
}

// ---------------------------------------------------------------------------------------------
// booleans

Value fnBoolean(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    return Value(toBoolean(a));
}

Value fnNot(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    return Value(!toBoolean(a));
}

Value fnExists(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return Value(arg(args, 0).isDefined());
}

// ---------------------------------------------------------------------------------------------
// higher-order functions

Value fnMap(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    const Value &func = arg(args, 1);
    if (arr.isUndefined())
        return {};
    std::vector<Value> result;
    const auto items = arr.items();
    for (size_t i = 0; i < items.size(); ++i) {
        Value res = callFunction(ev, cc, func, hofArgs(func, items[i], Value(double(i)), arr));
        if (res.isDefined())
            result.push_back(std::move(res));
    }
    return Value::array(std::move(result), Value::Sequence);
}

Value fnFilter(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    const Value &func = arg(args, 1);
    if (arr.isUndefined())
        return {};
    std::vector<Value> result;
    const auto items = arr.items();
    for (size_t i = 0; i < items.size(); ++i) {
        const Value res = callFunction(ev, cc, func, hofArgs(func, items[i], Value(double(i)), arr));
        if (toBoolean(res))
            result.push_back(items[i]);
    }
    return Value::array(std::move(result), Value::Sequence);
}

Value fnSingle(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    const Value &func = arg(args, 1);
    if (arr.isUndefined())
        return {};
    bool found = false;
    Value result;
    const auto items = arr.items();
    for (size_t i = 0; i < items.size(); ++i) {
        bool positive = true;
        if (func.isDefined())
            positive = toBoolean(callFunction(ev, cc, func, hofArgs(func, items[i], Value(double(i)), arr)));
        if (positive) {
            if (found)
                raise(JsonataError(u"D3138"_s).withIndex(int(i)));
            result = items[i];
            found = true;
        }
    }
    if (!found)
        raise(JsonataError(u"D3139"_s));
    return result;
}

Value fnReduce(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &seq = arg(args, 0);
    const Value &func = arg(args, 1);
    const Value &init = arg(args, 2);
    if (seq.isUndefined())
        return {};
    const int arity = functionArity(func);
    if (arity < 2)
        raise(JsonataError(u"D3050"_s).withIndex(1));
    const auto items = seq.items();
    Value result;
    size_t index;
    if (init.isUndefined() && !items.empty()) {
        result = items[0];
        index = 1;
    } else {
        result = init;
        index = 0;
    }
    while (index < items.size()) {
        std::vector<Value> a { result, items[index] };
        if (arity >= 3)
            a.emplace_back(double(index));
        if (arity >= 4)
            a.push_back(seq);
        result = callFunction(ev, cc, func, std::move(a));
        ++index;
    }
    return result;
}

Value fnSift(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &obj = arg(args, 0);
    const Value &func = arg(args, 1);
    Object result;
    if (obj.isObject()) {
        const Object members = obj.members();
        for (const auto &[k, v] : members) {
            const Value res = callFunction(ev, cc, func, hofArgs(func, v, Value(k), obj));
            if (toBoolean(res))
                result.insert(k, v);
        }
    }
    if (result.isEmpty())
        return {};
    return Value::object(std::move(result));
}

Value fnEach(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &obj = arg(args, 0);
    const Value &func = arg(args, 1);
    std::vector<Value> result;
    if (obj.isObject()) {
        const Object members = obj.members();
        for (const auto &[k, v] : members) {
            Value res = callFunction(ev, cc, func, hofArgs(func, v, Value(k), obj));
            if (res.isDefined())
                result.push_back(std::move(res));
        }
    }
    return Value::array(std::move(result), Value::Sequence);
}

Value fnZip(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    size_t length = args.empty() ? 0 : std::numeric_limits<size_t>::max();
    for (const Value &a : args)
        length = std::min(length, a.isArray() ? a.items().size() : size_t(0));
    std::vector<Value> result;
    for (size_t i = 0; i < length; ++i) {
        std::vector<Value> tuple;
        for (const Value &a : args)
            tuple.push_back(a.items()[i]);
        result.push_back(Value::array(std::move(tuple)));
    }
    return Value::array(std::move(result));
}

// ---------------------------------------------------------------------------------------------
// objects and arrays

void collectKeys(const Value &a, Object &merged)
{
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    if (a.isArray()) {
        for (const Value &item : a.items())
            collectKeys(item, merged);
    } else if (a.isObject()) {
        for (const auto &[k, v] : a.members())
            merged.insert(k, Value(true));
    }
}

Value fnKeys(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    std::vector<Value> result;
    if (a.isArray()) {
        Object merged;
        for (const Value &item : a.items()) {
            if (item.isObject())
                collectKeys(item, merged);
        }
        for (const auto &[k, v] : merged)
            result.emplace_back(k);
    } else if (a.isObject()) {
        for (const auto &[k, v] : a.members())
            result.emplace_back(k);
    }
    return Value::array(std::move(result), Value::Sequence);
}

Value fnLookup(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return lookupValue(arg(args, 0), str(args, 1));
}

Value fnAppend(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return appendValues(arg(args, 0), arg(args, 1));
}

Value spreadValue(const Value &a)
{
    if (stackExhausted())
        raise(JsonataError(u"D1011"_s));
    if (a.isArray()) {
        Value result = Value::sequence();
        for (const Value &item : a.items())
            result = appendValues(result, spreadValue(item));
        return result;
    }
    if (a.isObject()) {
        std::vector<Value> result;
        for (const auto &[k, v] : a.members()) {
            Object o;
            o.insert(k, v);
            result.push_back(Value::object(std::move(o)));
        }
        return Value::array(std::move(result), Value::Sequence);
    }
    return a;
}

Value fnSpread(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return spreadValue(arg(args, 0));
}

Value fnMerge(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    Object result;
    for (const Value &obj : a.items()) {
        if (!obj.isObject())
            continue;
        for (const auto &[k, v] : obj.members())
            result.insert(k, v);
    }
    return Value::object(std::move(result));
}

Value fnReverse(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &a = arg(args, 0);
    if (a.isUndefined())
        return {};
    if (a.items().size() <= 1)
        return a;
    std::vector<Value> out(a.items().rbegin(), a.items().rend());
    return Value::array(std::move(out));
}

Value fnError(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    JsonataError e(u"D3137"_s);
    const QString m = arg(args, 0).isDefined() ? str(args, 0) : QString();
    e.message = m.isEmpty() ? u"$error() function evaluated"_s : m;
    raise(e);
}

Value fnAssert(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (!jsTruthy(arg(args, 0))) {
        JsonataError e(u"D3141"_s);
        const QString m = arg(args, 1).isDefined() ? str(args, 1) : QString();
        e.message = m.isEmpty() ? u"$assert() statement failed"_s : m;
        raise(e);
    }
    return {};
}

Value fnType(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &v = arg(args, 0);
    switch (v.type()) {
    case Value::Type::Undefined:
        return {};
    case Value::Type::Null:
        return Value(u"null"_s);
    case Value::Type::Number:
        isNumeric(v);
        return Value(u"number"_s);
    case Value::Type::String:
        return Value(u"string"_s);
    case Value::Type::Boolean:
        return Value(u"boolean"_s);
    case Value::Type::Array:
        return Value(u"array"_s);
    case Value::Type::Function:
        return Value(u"function"_s);
    case Value::Type::Object:
        return Value(u"object"_s);
    }
    return {};
}

Value fnSort(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    const Value &comparator = arg(args, 1);
    if (arr.isUndefined())
        return {};
    if (arr.items().size() <= 1)
        return arr;
    if (comparator.isUndefined()) {
        bool allNumbers = true;
        bool allStrings = true;
        for (const Value &v : arr.items()) {
            allNumbers = allNumbers && isNumeric(v);
            allStrings = allStrings && v.isString();
        }
        if (!allNumbers && !allStrings)
            raise(JsonataError(u"D3070"_s).withIndex(1));
        if (allNumbers)
            return sortValues(ev, arr,
                              [](const Value &a, const Value &b) { return a.toNumber() > b.toNumber(); });
        return sortValues(ev, arr, [](const Value &a, const Value &b) { return a.toStr() > b.toStr(); });
    }
    return sortValues(ev, arr, [&](const Value &a, const Value &b) {
        return jsTruthy(callFunction(ev, cc, comparator, { a, b }));
    });
}

Value fnShuffle(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    if (arr.isUndefined())
        return {};
    if (arr.items().size() <= 1)
        return arr;
    const auto &items = arr.items();
    std::vector<Value> result(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        const size_t j = size_t(QRandomGenerator::global()->bounded(quint64(i + 1)));
        if (i != j)
            result[i] = result[j];
        result[j] = items[i];
    }
    return Value::array(std::move(result));
}

Value fnDistinct(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    const Value &arr = arg(args, 0);
    if (arr.isUndefined())
        return {};
    if (!arr.isArray() || arr.items().size() <= 1)
        return arr;
    std::vector<Value> results;
    for (const Value &v : arr.items()) {
        bool includes = false;
        for (const Value &r : results) {
            if (deepEqual(v, r)) {
                includes = true;
                break;
            }
        }
        if (!includes)
            results.push_back(v);
    }
    return Value::array(std::move(results), arr.isSequence() ? Value::Sequence : 0);
}

// ---------------------------------------------------------------------------------------------
// encoding

Value fnBase64Encode(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    QByteArray bytes;
    bytes.reserve(s.size());
    for (QChar c : s)
        bytes += char(c.unicode() & 0xff);
    return Value(QString::fromLatin1(bytes.toBase64()));
}

Value fnBase64Decode(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QByteArray bytes = QByteArray::fromBase64(str(args, 0).toLatin1());
    return Value(QString::fromLatin1(bytes));
}

bool encodeUri(const QString &s, bool component, QString *out)
{
    static const char hex[] = "0123456789ABCDEF";
    const QByteArrayView unreservedMarks = "-_.!~*'()";
    const QByteArrayView reserved = ";/?:@&=+$,#";
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = s.at(i).unicode();
        if (c < 0x80) {
            const char a = char(c);
            if ((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z') || (a >= '0' && a <= '9')
                || unreservedMarks.contains(a) || (!component && reserved.contains(a))) {
                *out += QChar(c);
                continue;
            }
        }
        char32_t cp = c;
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= s.size() || !QChar::isLowSurrogate(s.at(i + 1).unicode()))
                return false;
            cp = QChar::surrogateToUcs4(c, s.at(i + 1).unicode());
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return false;
        }
        const QByteArray utf8 = QString::fromUcs4(&cp, 1).toUtf8();
        for (char b : utf8) {
            *out += u'%';
            *out += QLatin1Char(hex[(uchar(b) >> 4) & 0xf]);
            *out += QLatin1Char(hex[uchar(b) & 0xf]);
        }
    }
    return true;
}

bool decodeUri(const QString &s, bool component, QString *out)
{
    const QByteArrayView reserved = ";/?:@&=+$,#";
    auto hexVal = [](QChar c) -> int {
        const char16_t u = c.unicode();
        if (u >= '0' && u <= '9')
            return u - '0';
        if (u >= 'a' && u <= 'f')
            return u - 'a' + 10;
        if (u >= 'A' && u <= 'F')
            return u - 'A' + 10;
        return -1;
    };
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s.at(i) != u'%') {
            *out += s.at(i);
            continue;
        }
        if (i + 2 >= s.size())
            return false;
        const int h = hexVal(s.at(i + 1));
        const int l = hexVal(s.at(i + 2));
        if (h < 0 || l < 0)
            return false;
        const uchar b = uchar(h * 16 + l);
        if (b < 0x80) {
            if (!component && reserved.contains(char(b)))
                *out += s.mid(i, 3);
            else
                *out += QChar(char16_t(b));
            i += 2;
            continue;
        }
        int n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            return false;
        QByteArray bytes;
        bytes += char(b);
        qsizetype j = i + 3;
        for (int k = 1; k < n; ++k) {
            if (j + 2 >= s.size() || s.at(j) != u'%')
                return false;
            const int hh = hexVal(s.at(j + 1));
            const int ll = hexVal(s.at(j + 2));
            if (hh < 0 || ll < 0)
                return false;
            const uchar cb = uchar(hh * 16 + ll);
            if ((cb & 0xC0) != 0x80)
                return false;
            bytes += char(cb);
            j += 3;
        }
        const QString decoded = QString::fromUtf8(bytes);
        if (decoded.contains(QChar(0xFFFD)))
            return false;
        *out += decoded;
        i = j - 1;
    }
    return true;
}

Value urlFunction(const std::vector<Value> &args, bool encode, bool component, const QString &name)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString s = str(args, 0);
    QString out;
    const bool ok = encode ? encodeUri(s, component, &out) : decodeUri(s, component, &out);
    if (!ok) {
        JsonataError e(u"D3140"_s);
        e.withValue(Value(s));
        e.functionName = name;
        raise(e);
    }
    return Value(out);
}

Value fnEncodeUrlComponent(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return urlFunction(args, true, true, u"encodeUrlComponent"_s);
}

Value fnEncodeUrl(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return urlFunction(args, true, false, u"encodeUrl"_s);
}

Value fnDecodeUrlComponent(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return urlFunction(args, false, true, u"decodeUrlComponent"_s);
}

Value fnDecodeUrl(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    return urlFunction(args, false, false, u"decodeUrl"_s);
}

// ---------------------------------------------------------------------------------------------
// evaluation, cloning, date/time

Value fnEval(Evaluator &ev, const CallContext &cc, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return ev.evalExpression(str(args, 0), arg(args, 1), arg(args, 1).isDefined(), cc);
}

Value fnClone(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    return deepClone(arg(args, 0));
}

Value fnToMillis(Evaluator &ev, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString picture = str(args, 1);
    return toMillis(str(args, 0), arg(args, 1).isDefined() ? &picture : nullptr, ev.context().now());
}

Value fnFromMillis(Evaluator &, const CallContext &, std::vector<Value> &args)
{
    if (arg(args, 0).isUndefined())
        return {};
    const QString picture = str(args, 1);
    const QString tz = str(args, 2);
    return Value(fromMillis(num(args, 0), arg(args, 1).isDefined() ? &picture : nullptr,
                            arg(args, 2).isDefined() ? &tz : nullptr));
}

Value fnNow(Evaluator &ev, const CallContext &, std::vector<Value> &args)
{
    const QString picture = str(args, 0);
    const QString tz = str(args, 1);
    return Value(fromMillis(ev.context().now(), arg(args, 0).isDefined() ? &picture : nullptr,
                            arg(args, 1).isDefined() ? &tz : nullptr));
}

Value fnMillis(Evaluator &ev, const CallContext &, std::vector<Value> &)
{
    return Value(ev.context().now());
}

// ---------------------------------------------------------------------------------------------
// registry

struct Registry
{
    std::vector<std::unique_ptr<Builtin>> builtins;
    QHash<QString, Value> values;
    QHash<QString, const Builtin *> byName;

    void add(const QString &name, NativeFn fn, const QString &signature, const QStringList &params,
             int arity = -1)
    {
        auto b = std::make_unique<Builtin>();
        b->name = name;
        b->impl = fn;
        if (!signature.isEmpty())
            b->signature = parseSignature(signature);
        b->params = params;
        b->arity = arity >= 0 ? arity : int(params.size());
        auto *f = new FunctionData();
        f->kind = FnKind::Builtin;
        f->builtin = b.get();
        values.insert(name, Value::fromFunction(f));
        byName.insert(name, b.get());
        builtins.push_back(std::move(b));
    }

    Registry()
    {
        add(u"sum"_s, fnSum, u"<a<n>:n>"_s, { u"args"_s });
        add(u"count"_s, fnCount, u"<a:n>"_s, { u"args"_s });
        add(u"max"_s, fnMax, u"<a<n>:n>"_s, { u"args"_s });
        add(u"min"_s, fnMin, u"<a<n>:n>"_s, { u"args"_s });
        add(u"average"_s, fnAverage, u"<a<n>:n>"_s, { u"args"_s });
        add(u"string"_s, fnString, u"<x-b?:s>"_s, { u"arg"_s, u"prettify"_s }, 1);
        add(u"substring"_s, fnSubstring, u"<s-nn?:s>"_s, { u"str"_s, u"start"_s, u"length"_s });
        add(u"substringBefore"_s, fnSubstringBefore, u"<s-s:s>"_s, { u"str"_s, u"chars"_s });
        add(u"substringAfter"_s, fnSubstringAfter, u"<s-s:s>"_s, { u"str"_s, u"chars"_s });
        add(u"lowercase"_s, fnLowercase, u"<s-:s>"_s, { u"str"_s });
        add(u"uppercase"_s, fnUppercase, u"<s-:s>"_s, { u"str"_s });
        add(u"length"_s, fnLength, u"<s-:n>"_s, { u"str"_s });
        add(u"trim"_s, fnTrim, u"<s-:s>"_s, { u"str"_s });
        add(u"pad"_s, fnPad, u"<s-ns?:s>"_s, { u"str"_s, u"width"_s, u"char"_s });
        add(u"match"_s, fnMatch, u"<s-f<s:o>n?:a<o>>"_s, { u"str"_s, u"regex"_s, u"limit"_s });
        add(u"contains"_s, fnContains, u"<s-(sf):b>"_s, { u"str"_s, u"token"_s });
        add(u"replace"_s, fnReplace, u"<s-(sf)(sf)n?:s>"_s,
            { u"str"_s, u"pattern"_s, u"replacement"_s, u"limit"_s });
        add(u"split"_s, fnSplit, u"<s-(sf)n?:a<s>>"_s, { u"str"_s, u"separator"_s, u"limit"_s });
        add(u"join"_s, fnJoin, u"<a<s>s?:s>"_s, { u"strs"_s, u"separator"_s });
        add(u"formatNumber"_s, fnFormatNumber, u"<n-so?:s>"_s, { u"value"_s, u"picture"_s, u"options"_s });
        add(u"formatBase"_s, fnFormatBase, u"<n-n?:s>"_s, { u"value"_s, u"radix"_s });
        add(u"formatInteger"_s, fnFormatInteger, u"<n-s:s>"_s, { u"value"_s, u"picture"_s });
        add(u"parseInteger"_s, fnParseInteger, u"<s-s:n>"_s, { u"value"_s, u"picture"_s });
        add(u"number"_s, fnNumber, u"<(nsb)-:n>"_s, { u"arg"_s });
        add(u"floor"_s, fnFloor, u"<n-:n>"_s, { u"arg"_s });
        add(u"ceil"_s, fnCeil, u"<n-:n>"_s, { u"arg"_s });
        add(u"round"_s, fnRound, u"<n-n?:n>"_s, { u"arg"_s, u"precision"_s });
        add(u"abs"_s, fnAbs, u"<n-:n>"_s, { u"arg"_s });
        add(u"sqrt"_s, fnSqrt, u"<n-:n>"_s, { u"arg"_s });
        add(u"power"_s, fnPower, u"<n-n:n>"_s, { u"arg"_s, u"exp"_s });
        add(u"random"_s, fnRandom, u"<:n>"_s, {});
        add(u"boolean"_s, fnBoolean, u"<x-:b>"_s, { u"arg"_s });
        add(u"not"_s, fnNot, u"<x-:b>"_s, { u"arg"_s });
        add(u"map"_s, fnMap, u"<af>"_s, { u"arr"_s, u"func"_s });
        add(u"zip"_s, fnZip, u"<a+>"_s, {});
        add(u"filter"_s, fnFilter, u"<af>"_s, { u"arr"_s, u"func"_s });
        add(u"single"_s, fnSingle, u"<af?>"_s, { u"arr"_s, u"func"_s });
        add(u"reduce"_s, fnReduce, u"<afj?:j>"_s, { u"sequence"_s, u"func"_s, u"init"_s });
        add(u"sift"_s, fnSift, u"<o-f?:o>"_s, { u"arg"_s, u"func"_s });
        add(u"keys"_s, fnKeys, u"<x-:a<s>>"_s, { u"arg"_s });
        add(u"lookup"_s, fnLookup, u"<x-s:x>"_s, { u"input"_s, u"key"_s });
        add(u"append"_s, fnAppend, u"<xx:a>"_s, { u"arg1"_s, u"arg2"_s });
        add(u"exists"_s, fnExists, u"<x:b>"_s, { u"arg"_s });
        add(u"spread"_s, fnSpread, u"<x-:a<o>>"_s, { u"arg"_s });
        add(u"merge"_s, fnMerge, u"<a<o>:o>"_s, { u"arg"_s });
        add(u"reverse"_s, fnReverse, u"<a:a>"_s, { u"arr"_s });
        add(u"each"_s, fnEach, u"<o-f:a>"_s, { u"obj"_s, u"func"_s });
        add(u"error"_s, fnError, u"<s?:x>"_s, { u"message"_s });
        add(u"assert"_s, fnAssert, u"<bs?:x>"_s, { u"condition"_s, u"message"_s });
        add(u"type"_s, fnType, u"<x:s>"_s, { u"value"_s });
        add(u"sort"_s, fnSort, u"<af?:a>"_s, { u"arr"_s, u"comparator"_s });
        add(u"shuffle"_s, fnShuffle, u"<a:a>"_s, { u"arr"_s });
        add(u"distinct"_s, fnDistinct, u"<x:x>"_s, { u"arr"_s });
        add(u"base64encode"_s, fnBase64Encode, u"<s-:s>"_s, { u"str"_s });
        add(u"base64decode"_s, fnBase64Decode, u"<s-:s>"_s, { u"str"_s });
        add(u"encodeUrlComponent"_s, fnEncodeUrlComponent, u"<s-:s>"_s, { u"str"_s });
        add(u"encodeUrl"_s, fnEncodeUrl, u"<s-:s>"_s, { u"str"_s });
        add(u"decodeUrlComponent"_s, fnDecodeUrlComponent, u"<s-:s>"_s, { u"str"_s });
        add(u"decodeUrl"_s, fnDecodeUrl, u"<s-:s>"_s, { u"str"_s });
        add(u"eval"_s, fnEval, u"<sx?:x>"_s, { u"expr"_s, u"focus"_s });
        add(u"toMillis"_s, fnToMillis, u"<s-s?:n>"_s, { u"timestamp"_s, u"picture"_s });
        add(u"fromMillis"_s, fnFromMillis, u"<n-s?s?:s>"_s, { u"millis"_s, u"picture"_s, u"timezone"_s });
        add(u"clone"_s, fnClone, u"<(oa)-:o>"_s, { u"arg"_s });
        add(u"now"_s, fnNow, u"<s?s?:s>"_s, { u"picture"_s, u"timezone"_s });
        add(u"millis"_s, fnMillis, u"<:n>"_s, {});
    }
};

const Registry &registry()
{
    static const Registry r;
    return r;
}

} // namespace

const Builtin *findBuiltin(const QString &name)
{
    return registry().byName.value(name, nullptr);
}

const Value *builtinValue(const QString &name)
{
    const Registry &r = registry();
    auto it = r.values.constFind(name);
    return it == r.values.cend() ? nullptr : &*it;
}

} // namespace lifdag::jsonata::detail
