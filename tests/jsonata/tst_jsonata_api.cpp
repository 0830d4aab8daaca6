// The engine's API: compile/cache, bindings, guards, thread safety, field paths and the JSONL protocol.
#include <lifdag/jsonata/expression.h>
#include <lifdag/jsonata/protocol.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace lifdag::jsonata;
using namespace Qt::StringLiterals;

namespace {
Value json(const char *text)
{
    return Value::fromJson(QByteArray(text)).value();
}

JResult<Value> run(const QString &expr, const Value &input = Value(), const EvaluateOptions &options = {})
{
    JResult<Expression> e = Expression::compile(expr);
    if (!e.ok())
        return e.error();
    return e.value().evaluate(input, options);
}
} // namespace

class TestJsonataApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reportsSyntaxErrorsWithCodeAndPosition_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("position");
        QTest::newRow("unterminated string") << u"\"abc"_s << u"S0101"_s << 4;
        QTest::newRow("missing bracket") << u"a[0"_s << u"S0203"_s << 3;
        QTest::newRow("unexpected token") << u"a b"_s << u"S0201"_s << 3;
        QTest::newRow("unknown operator") << u"a ~ b"_s << u"S0204"_s << 3;
    }
    void reportsSyntaxErrorsWithCodeAndPosition()
    {
        QFETCH(QString, expr);
        QFETCH(QString, code);
        QFETCH(int, position);
        const JResult<Expression> e = Expression::compile(expr);
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, code);
        QCOMPARE(e.error().position, position);
        QVERIFY(e.error().toString().startsWith(code + u" at "_s));
    }

    void reportsEvaluationErrorsWithTheOperatorPosition()
    {
        const JResult<Value> r = run(u"1 + 'a'"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"T2002"_s);
        QCOMPARE(r.error().position, 3);
        QCOMPARE(r.error().token, u"+"_s);
        QCOMPARE(r.error().message, u"The right side of the \"+\" operator must evaluate to a number"_s);
    }

    void fillsMessageInsertsFromTheError()
    {
        const JResult<Value> r = run(u"$number('12a')"_s);
        QCOMPARE(r.error().code, u"D3030"_s);
        QCOMPARE(r.error().message, u"Unable to cast value to a number: \"12a\""_s);
        const JResult<Value> custom = run(u"$error('stop here')"_s);
        QCOMPARE(custom.error().message, u"stop here"_s);
    }

    void cachesCompiledExpressionsByText()
    {
        clearCompileCache();
        const JResult<Expression> a = Expression::compileCached(u"$sum(x)"_s);
        const JResult<Expression> b = Expression::compileCached(u"$sum(x)"_s);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b.value().evaluate(json(R"({"x":[1,2]})")).value().toNumber(), 3.0);
        const JResult<Expression> bad = Expression::compileCached(u"$sum("_s);
        QVERIFY(!bad.ok());
        QCOMPARE(Expression::compileCached(u"$sum("_s).error().code, bad.error().code);
    }

    void bindsVariablesFromTheCaller()
    {
        EvaluateOptions o;
        o.bindings = { { u"rate"_s, Value(0.5) }, { u"name"_s, Value(u"x"_s) } };
        QCOMPARE(run(u"price * $rate"_s, json(R"({"price":10})"), o).value().toNumber(), 5.0);
        QCOMPARE(run(u"$name & '!'"_s, Value(), o).value().toStr(), u"x!"_s);
    }

    void distinguishesUndefinedInputFromNull()
    {
        EvaluateOptions undefinedInput;
        undefinedInput.inputUndefined = true;
        QVERIFY(run(u"$"_s, Value(nullptr), undefinedInput).value().isUndefined());
        QVERIFY(run(u"$"_s, Value(nullptr)).value().isNull());
        QVERIFY(run(u"$exists($)"_s, Value(), undefinedInput).value().toBool() == false);
    }

    void acceptsQJsonInput()
    {
        const QJsonObject doc { { u"a"_s, QJsonArray { 1, 2, 3 } } };
        const JResult<Expression> e = Expression::compile(u"$count(a)"_s);
        QCOMPARE(e.value().evaluate(QJsonValue(doc)).value().toNumber(), 3.0);
    }

    void depthGuardStopsRunawayRecursion()
    {
        EvaluateOptions o;
        o.maxDepth = 200;
        const JResult<Value> r = run(u"($f := function($n) { $n + $f($n + 1) }; $f(0))"_s, Value(), o);
        QCOMPARE(r.error().code, u"U1001"_s);
        // the same recursion, shallower, passes under the same guard
        const JResult<Value> ok =
            run(u"($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(30))"_s, Value(), o);
        QCOMPARE(ok.value().toNumber(), 30.0);
    }

    void timeGuardStopsInfiniteLoops()
    {
        EvaluateOptions o;
        o.timeLimitMs = 100;
        const JResult<Value> r = run(u"($loop := function() { $loop() }; $loop())"_s, Value(), o);
        QCOMPARE(r.error().code, u"U1001"_s);
        QVERIFY(r.error().message.contains(u"timeout"_s));
    }

    void deepRecursionEndsInAnErrorNotACrash()
    {
        const JResult<Value> r = run(u"($f := function($n) { 1 + $f($n + 1) }; $f(0))"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"D1011"_s);
    }

    void deeplyNestedExpressionsEndInAnError()
    {
        const QString nested = QString(100000, u'(') + u"1"_s + QString(100000, u')');
        const JResult<Expression> e = Expression::compile(nested);
        QVERIFY(!e.ok());
        QCOMPARE(e.error().code, u"D1011"_s);
        const QString arrays = QString(100000, u'[') + QString(100000, u']');
        QVERIFY(!Expression::compile(arrays).ok());
    }

    void tailCallsRunInConstantStack()
    {
        const JResult<Value> r = run(
            u"($count := function($n, $acc) { $n = 0 ? $acc : $count($n - 1, $acc + 1) }; $count(200000, 0))"_s);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(r.value().toNumber(), 200000.0);
    }

    void returnsFunctionsAsDetachedValues()
    {
        const JResult<Value> r = run(u"{'f': function($x) { $x }, 'g': $sum}"_s);
        QVERIFY(r.ok());
        QVERIFY(r.value().member(u"f"_s).isFunction());
        QCOMPARE(r.value().toJson().value(), QByteArray(R"({"f":"","g":""})"));
    }

    void closuresDoNotLeakAcrossEvaluations()
    {
        // a self-referencing closure forms a cycle that the evaluation releases at the end
        const JResult<Expression> e =
            Expression::compile(u"($f := function($n) { $n > 0 ? $f($n - 1) : 'done' }; $f(3))"_s);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(e.value().evaluate(Value()).value().toStr(), u"done"_s);
    }

    void evaluatesOneExpressionFromManyThreadsAtOnce()
    {
        const JResult<Expression> e = Expression::compile(
            u"customers.{'name': $uppercase(name), 'total': $sum(orders.(price * qty)), 'tags': $distinct(orders.tags)}"_s);
        const Value input = json(R"({"customers":[
            {"name":"a","orders":[{"price":2,"qty":3,"tags":["x","y"]},{"price":1,"qty":1,"tags":["x"]}]},
            {"name":"b","orders":[{"price":5,"qty":2,"tags":["z"]}]}]})");
        const QByteArray expected = e.value().evaluate(input).value().toJson().value();
        std::atomic<int> mismatches { 0 };
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 2000; ++i) {
                    if (e.value().evaluate(input).value().toJson().value() != expected)
                        ++mismatches;
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(mismatches.load(), 0);
    }

    void listsTheFieldPathsAnExpressionReads()
    {
        const JResult<Expression> e = Expression::compile(
            u"{'Person': Person.{'name': Name.first & ' ' & Name.last, 'id': $string(Id)}}"_s);
        const std::vector<QStringList> paths = e.value().fieldPaths();
        const std::vector<QStringList> expected { { u"Person"_s },
                                                  { u"Person"_s, u"Name"_s },
                                                  { u"Person"_s, u"Name"_s, u"first"_s },
                                                  { u"Person"_s, u"Name"_s, u"last"_s },
                                                  { u"Person"_s, u"Id"_s } };
        QCOMPARE(paths, expected);
    }

    void answersProtocolRequests_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("answer");
        QTest::newRow("result") << QByteArray(R"({"id":"r1","expr":"a + 1","input":{"a":1},"bindings":{}})")
                                << QByteArray(R"({"id":"r1","result":2})");
        QTest::newRow("undefined") << QByteArray(R"({"id":7,"expr":"nothing","input":{}})")
                                   << QByteArray(R"({"id":7,"undefined":true})");
        QTest::newRow("bindings") << QByteArray(
            R"({"id":"b","expr":"$v * 2","input":null,"bindings":{"v":21}})")
                                  << QByteArray(R"({"id":"b","result":42})");
        QTest::newRow("input undefined")
            << QByteArray(R"j({"id":"u","expr":"$string()","input":null,"inputUndefined":true})j")
            << QByteArray(R"({"id":"u","undefined":true})");
        QTest::newRow("compile error")
            << QByteArray(R"({"id":"c","expr":"1 +","input":null})")
            << QByteArray(R"({"id":"c","error":{"code":"S0207","message":"Unexpected end of expression"}})");
        QTest::newRow("depth guard")
            << QByteArray(R"j({"id":"d","expr":"($f:=function(){$f()+1};$f())","input":null,"depth":50})j")
            << QByteArray(
                   R"({"id":"d","error":{"code":"U1001","message":"Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."}})");
        QTest::newRow("not json")
            << QByteArray("{oops")
            << QByteArray(
                   R"({"id":null,"error":{"code":"","message":"bad request line: invalid JSON at byte 1: expected a member name in double quotes"}})");
    }
    void answersProtocolRequests()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, answer);
        QCOMPARE(answerRequest(request), answer);
    }

    void protocolAnswersEveryLineInOrder()
    {
        const QByteArray input =
            "{\"id\":1,\"expr\":\"1\"}\n\n{\"id\":2,\"expr\":\"'x'\"}\r\n{\"id\":3,\"expr\":\"[\"}\n";
        std::FILE *in = fmemopen(const_cast<char *>(input.constData()), size_t(input.size()), "r");
        char *outBuf = nullptr;
        size_t outSize = 0;
        std::FILE *out = open_memstream(&outBuf, &outSize);
        QCOMPARE(runJsonlProtocol(in, out), 3L);
        std::fclose(in);
        std::fclose(out);
        const QList<QByteArray> lines = QByteArray(outBuf, qsizetype(outSize)).split('\n');
        std::free(outBuf);
        QCOMPARE(lines.size(), 4); // three answers and the final newline
        QCOMPARE(lines.at(0), QByteArray(R"({"id":1,"result":1})"));
        QCOMPARE(lines.at(1), QByteArray(R"({"id":2,"result":"x"})"));
        QVERIFY(lines.at(2).startsWith(R"j({"id":3,"error":{"code":"S0203")j"));
    }
};

QTEST_GUILESS_MAIN(TestJsonataApi)
#include "tst_jsonata_api.moc"
