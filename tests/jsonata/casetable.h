// Loads the JSONata case tables in tests/jsonata/data/*.cases (one JSON object per line) into QtTest rows.
// Each case: {"name", "expr", "input" | "dataset" | "inputUndefined", ["bindings"],
//             "expect": {"result": <json>} | {"undefined": true} | {"error": "CODE"}}.
// The expectations were checked against jsonata-js 2.2.2 with shared/tools/jsonata/run-cases.js.
#pragma once

#include <lifdag/jsonata/expression.h>

#include <QFile>
#include <QTest>

#include <cmath>

namespace lifdag::jsonata::test {

struct Case
{
    QString expr;
    Value input;
    EvaluateOptions options;
    Value expect; // {"result":..} | {"undefined":true} | {"error":"CODE"}
};

inline Value loadJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    Result<Value> v = Value::fromJson(f.readAll());
    if (!v.ok())
        qFatal("%s: %s", qPrintable(path), qPrintable(v.error().message));
    return v.value();
}

// Adds one QTest row per case of `table` (columns: expr, input, options, expect).
inline void addCaseRows(const QString &dataDir, const QString &table)
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<Value>("input");
    QTest::addColumn<EvaluateOptions>("options");
    QTest::addColumn<Value>("expect");
    QFile f(dataDir + QStringLiteral("/") + table + QStringLiteral(".cases"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read case table %s", qPrintable(f.fileName()));
    QHash<QString, Value> datasets;
    int line = 0;
    while (!f.atEnd()) {
        const QByteArray text = f.readLine().trimmed();
        ++line;
        if (text.isEmpty())
            continue;
        Result<Value> parsed = Value::fromJson(text);
        if (!parsed.ok())
            qFatal("%s:%d: %s", qPrintable(f.fileName()), line, qPrintable(parsed.error().message));
        const Value &c = parsed.value();
        EvaluateOptions options;
        Value input = c.member(QStringLiteral("input"));
        const Value dataset = c.member(QStringLiteral("dataset"));
        if (dataset.isString()) {
            if (!datasets.contains(dataset.toStr()))
                datasets.insert(
                    dataset.toStr(),
                    loadJson(dataDir + QStringLiteral("/") + dataset.toStr() + QStringLiteral(".json")));
            input = datasets.value(dataset.toStr());
        }
        if (c.member(QStringLiteral("inputUndefined")).isBool())
            options.inputUndefined = true;
        const Value bindings = c.member(QStringLiteral("bindings"));
        if (bindings.isObject()) {
            for (const auto &[k, v] : bindings.members())
                options.bindings.emplace_back(k, v);
        }
        const QByteArray name = c.member(QStringLiteral("name")).toStr().toUtf8();
        QTest::newRow(name.constData()) << c.member(QStringLiteral("expr")).toStr() << input << options
                                        << c.member(QStringLiteral("expect"));
    }
}

// JSON equality with a relative tolerance for numbers (results are compared across libm versions).
inline bool sameJson(const Value &a, const Value &b)
{
    if (a.isNumber() && b.isNumber()) {
        const double x = a.toNumber();
        const double y = b.toNumber();
        return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
    }
    if (a.type() != b.type())
        return false;
    if (a.isArray()) {
        if (a.items().size() != b.items().size())
            return false;
        for (size_t i = 0; i < a.items().size(); ++i) {
            if (!sameJson(a.items()[i], b.items()[i]))
                return false;
        }
        return true;
    }
    if (a.isObject()) {
        if (a.members().size() != b.members().size())
            return false;
        for (const auto &[k, v] : a.members()) {
            const Value *o = b.members().find(k);
            if (!o || !sameJson(v, *o))
                return false;
        }
        return true;
    }
    return deepEqual(a, b);
}

inline QByteArray describe(const Value &v)
{
    return v.isUndefined() ? QByteArray("undefined") : v.toJson().value();
}

// Evaluates one row and checks it against its expectation.
inline void verifyCase(const QString &expr, const Value &input, const EvaluateOptions &options,
                       const Value &expect)
{
    const JResult<Expression> compiled = Expression::compile(expr);
    const Value expectedError = expect.member(QStringLiteral("error"));
    JResult<Value> result =
        compiled.ok() ? compiled.value().evaluate(input, options) : JResult<Value>(compiled.error());
    if (expectedError.isString()) {
        QVERIFY2(!result.ok(),
                 qPrintable(QStringLiteral("expected error %1, got %2")
                                .arg(expectedError.toStr(), QString::fromUtf8(describe(result.value())))));
        QCOMPARE(result.error().code, expectedError.toStr());
        QVERIFY2(!result.error().message.isEmpty(), "an error carries a message");
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    if (expect.member(QStringLiteral("undefined")).isBool()) {
        QVERIFY2(result.value().isUndefined(),
                 qPrintable(QStringLiteral("expected undefined, got ")
                            + QString::fromUtf8(describe(result.value()))));
        return;
    }
    const Value wanted = expect.member(QStringLiteral("result"));
    // compare the JSON form (functions print as "", as the reference's runner writes them)
    const Result<QByteArray> text = result.value().toJson();
    QVERIFY(text.ok());
    const Value got = Value::fromJson(text.value()).value();
    QVERIFY2(sameJson(got, wanted),
             qPrintable(
                 QStringLiteral("expected %1, got %2")
                     .arg(QString::fromUtf8(describe(wanted)), QString::fromUtf8(describe(result.value())))));
}

} // namespace lifdag::jsonata::test

Q_DECLARE_METATYPE(lifdag::jsonata::Value)
Q_DECLARE_METATYPE(lifdag::jsonata::EvaluateOptions)
