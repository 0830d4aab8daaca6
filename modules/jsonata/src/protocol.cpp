#include <lifdag/jsonata/expression.h>
#include <lifdag/jsonata/protocol.h>

#include <cstdlib>

namespace lifdag::jsonata {

using namespace Qt::StringLiterals;

namespace {

void appendError(QByteArray &out, const QString &code, const QString &message)
{
    out += "\"error\":{\"code\":";
    Value(code).appendJson(out);
    out += ",\"message\":";
    Value(message).appendJson(out);
    out += '}';
}

} // namespace

QByteArray answerRequest(const QByteArray &line)
{
    QByteArray out = "{\"id\":";
    Result<Value> request = Value::fromJson(line);
    if (!request.ok() || !request->isObject()) {
        out += "null,";
        appendError(out, QString(),
                    u"bad request line: "_s
                        + (request.ok() ? u"not a JSON object"_s : request.error().message));
        out += '}';
        return out;
    }
    const Value &req = request.value();
    const Value id = req.member(u"id"_s);
    if (id.isDefined())
        id.appendJson(out);
    else
        out += "null";
    out += ',';
    const Value expr = req.member(u"expr"_s);
    if (!expr.isString()) {
        appendError(out, QString(), u"request has no \"expr\" string"_s);
        out += '}';
        return out;
    }
    JResult<Expression> compiled = Expression::compileCached(expr.toStr());
    if (!compiled.ok()) {
        appendError(out, compiled.error().code, compiled.error().message);
        out += '}';
        return out;
    }
    EvaluateOptions options;
    const Value bindings = req.member(u"bindings"_s);
    if (bindings.isObject()) {
        for (const auto &[name, value] : bindings.members())
            options.bindings.emplace_back(name, value);
    }
    const Value inputUndefined = req.member(u"inputUndefined"_s);
    options.inputUndefined = inputUndefined.isBool() && inputUndefined.toBool();
    const Value timelimit = req.member(u"timelimit"_s);
    if (timelimit.isNumber())
        options.timeLimitMs = qint64(timelimit.toNumber());
    const Value depth = req.member(u"depth"_s);
    if (depth.isNumber())
        options.maxDepth = int(depth.toNumber());
    const JResult<Value> result = compiled.value().evaluate(req.member(u"input"_s), options);
    if (!result.ok()) {
        appendError(out, result.error().code, result.error().message);
    } else if (result.value().isUndefined()) {
        out += "\"undefined\":true";
    } else {
        const Result<QByteArray> json = result.value().toJson();
        if (json.ok()) {
            out += "\"result\":";
            out += json.value();
        } else {
            appendError(out, u"D1011"_s, json.error().message);
        }
    }
    out += '}';
    return out;
}

long runJsonlProtocol(std::FILE *in, std::FILE *out)
{
    long answered = 0;
    char *buf = nullptr;
    size_t cap = 0;
    for (;;) {
        const ssize_t n = getline(&buf, &cap, in);
        if (n < 0)
            break;
        QByteArray line(buf, n);
        while (!line.isEmpty() && (line.endsWith('\n') || line.endsWith('\r')))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        const QByteArray answer = answerRequest(line);
        std::fwrite(answer.constData(), 1, size_t(answer.size()), out);
        std::fputc('\n', out);
        std::fflush(out);
        ++answered;
    }
    std::free(buf);
    return answered;
}

} // namespace lifdag::jsonata
