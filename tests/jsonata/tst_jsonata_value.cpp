// The JSONata value type: JSON text in and out, JavaScript number printing, member order, limits.
#include <lifdag/jsonata/value.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace lifdag::jsonata;
using lifdag::Result;
using namespace Qt::StringLiterals;

class TestJsonataValue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void printsNumbersLikeJavaScript_data()
    {
        QTest::addColumn<double>("number");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << 0.0 << u"0"_s;
        QTest::newRow("negative zero") << -0.0 << u"0"_s;
        QTest::newRow("integer") << 42.0 << u"42"_s;
        QTest::newRow("negative integer") << -7.0 << u"-7"_s;
        QTest::newRow("fraction") << 0.1 << u"0.1"_s;
        QTest::newRow("float sum") << 0.1 + 0.2 << u"0.30000000000000004"_s;
        QTest::newRow("max safe integer") << 9007199254740991.0 << u"9007199254740991"_s;
        QTest::newRow("beyond 2^53") << 9007199254740993.0 << u"9007199254740992"_s;
        QTest::newRow("1e20 stays fixed") << 1e20 << u"100000000000000000000"_s;
        QTest::newRow("1e21 is exponential") << 1e21 << u"1e+21"_s;
        QTest::newRow("1.5e21") << 1.5e21 << u"1.5e+21"_s;
        QTest::newRow("1e-6 stays fixed") << 1e-6 << u"0.000001"_s;
        QTest::newRow("1e-7 is exponential") << 1e-7 << u"1e-7"_s;
        QTest::newRow("1.5e-7") << 1.5e-7 << u"1.5e-7"_s;
        QTest::newRow("large fraction") << 123456.789 << u"123456.789"_s;
        QTest::newRow("max double") << std::numeric_limits<double>::max() << u"1.7976931348623157e+308"_s;
        QTest::newRow("min subnormal") << std::numeric_limits<double>::denorm_min() << u"5e-324"_s;
        QTest::newRow("third") << 1.0 / 3 << u"0.3333333333333333"_s;
        QTest::newRow("negative small") << -0.000123 << u"-0.000123"_s;
    }
    void printsNumbersLikeJavaScript()
    {
        QFETCH(double, number);
        QFETCH(QString, text);
        QCOMPARE(jsNumberToString(number), text);
    }

    void roundTripsJsonText_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("object") << QByteArray(R"({ "a" : 1, "b" : [true, false, null] })")
                                << QByteArray(R"({"a":1,"b":[true,false,null]})");
        QTest::newRow("escapes") << QByteArray("\"a\\\"b\\\\c\\/d\\n\\t\\u0001\"")
                                 << QByteArray("\"a\\\"b\\\\c/d\\n\\t\\u0001\"");
        QTest::newRow("unicode") << QByteArray("\"\xc3\xa9\xf0\x9f\x98\x80\"")
                                 << QByteArray("\"\xc3\xa9\xf0\x9f\x98\x80\"");
        QTest::newRow("surrogate pair escape")
            << QByteArray("\"\\ud83d\\ude00\"") << QByteArray("\"\xf0\x9f\x98\x80\"");
        QTest::newRow("lone surrogate kept escaped")
            << QByteArray("\"\\ud800\"") << QByteArray("\"\\ud800\"");
        QTest::newRow("numbers") << QByteArray("[1.0, -0, 2.5e3, 1E-7, 1e400]")
                                 << QByteArray("[1,0,2500,1e-7,null]");
        QTest::newRow("nested empty") << QByteArray("[[], {}, [{}]]") << QByteArray("[[],{},[{}]]");
        QTest::newRow("duplicate key keeps last")
            << QByteArray(R"({"a":1,"a":2})") << QByteArray(R"({"a":2})");
    }
    void roundTripsJsonText()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, expected);
        const Result<Value> v = Value::fromJson(json);
        QVERIFY2(v.ok(), qPrintable(v.ok() ? QString() : v.error().message));
        QCOMPARE(v->toJson().value(), expected);
    }

    void rejectsInvalidJsonNamingTheOffset_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("where");
        QTest::newRow("trailing comma") << QByteArray("[1,]") << u"byte 3"_s;
        QTest::newRow("single quotes") << QByteArray("{'a':1}") << u"byte 1"_s;
        QTest::newRow("unterminated string") << QByteArray("\"abc") << u"byte 4"_s;
        QTest::newRow("bare word") << QByteArray("nope") << u"byte 0"_s;
        QTest::newRow("two values") << QByteArray("1 2") << u"byte 2"_s;
        QTest::newRow("leading zero") << QByteArray("01") << u"byte 1"_s;
        QTest::newRow("control character") << QByteArray("\"a\nb\"") << u"byte 2"_s;
    }
    void rejectsInvalidJsonNamingTheOffset()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, where);
        const Result<Value> v = Value::fromJson(json);
        QVERIFY(!v.ok());
        QVERIFY2(v.error().message.contains(where), qPrintable(v.error().message));
    }

    void rejectsNestingBeyondTheLimitInsteadOfOverflowing()
    {
        const QByteArray deep = QByteArray(200000, '[') + QByteArray(200000, ']');
        const Result<Value> v = Value::fromJson(deep);
        QVERIFY(!v.ok());
        QVERIFY(v.error().message.contains(u"nesting deeper"_s));
    }

    void destroysDeeplyNestedValuesWithoutRecursion()
    {
        Value v = Value::array({});
        for (int i = 0; i < 1000000; ++i)
            v = Value::array({ v });
        QCOMPARE(v.size(), 1);
        v = Value(); // must not overflow the stack
        QVERIFY(v.isUndefined());
    }

    void refusesToWriteValuesNestedTooDeeply()
    {
        Value v = Value::array({});
        for (int i = 0; i < 20000; ++i)
            v = Value::array({ v });
        QVERIFY(!v.toJson().ok());
    }

    void keepsJavaScriptMemberOrder()
    {
        Object o;
        o.insert(u"b"_s, Value(1));
        o.insert(u"10"_s, Value(2));
        o.insert(u"a"_s, Value(3));
        o.insert(u"2"_s, Value(4));
        o.insert(u"b"_s, Value(5)); // replacing keeps the position
        QCOMPARE(Value::object(o).toJson().value(), QByteArray(R"({"2":4,"10":2,"b":5,"a":3})"));
    }

    void findsMembersOfLargeObjectsThroughTheIndex()
    {
        Object o;
        for (int i = 0; i < 100; ++i)
            o.insert(u"key%1"_s.arg(i), Value(i));
        QCOMPARE(o.size(), 100);
        QCOMPARE(o.find(u"key57"_s)->toNumber(), 57.0);
        QVERIFY(o.remove(u"key57"_s));
        QVERIFY(!o.contains(u"key57"_s));
        QCOMPARE(o.find(u"key99"_s)->toNumber(), 99.0);
    }

    void writesUndefinedAndNonFiniteLikeJsonStringify()
    {
        Object o;
        o.insert(u"gone"_s, Value());
        o.insert(u"inf"_s, Value(std::numeric_limits<double>::infinity()));
        o.insert(u"list"_s, Value::array({ Value(), Value(1) }));
        QCOMPARE(Value::object(o).toJson().value(), QByteArray(R"({"inf":null,"list":[null,1]})"));
    }

    void prettyPrintsWithIndent()
    {
        const Value v = Value::fromJson(R"({"a":[1,{}],"b":{}})").value();
        QCOMPARE(v.toJson(2).value(), QByteArray("{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {}\n}"));
    }

    void convertsToAndFromQJsonValue()
    {
        const QJsonObject o { { u"s"_s, u"x"_s },
                              { u"n"_s, 1.5 },
                              { u"a"_s, QJsonArray { true, QJsonValue::Null } } };
        const Value v = Value::fromQJsonValue(o);
        QCOMPARE(v.member(u"n"_s).toNumber(), 1.5);
        QCOMPARE(v.member(u"a"_s).size(), 2);
        QCOMPARE(v.toQJsonValue().toObject(), o);
        QVERIFY(Value().toQJsonValue().isUndefined());
    }

    void deepEqualityIgnoresMemberOrder()
    {
        const Value a = Value::fromJson(R"({"x":[1,{"p":1,"q":2}],"y":null})").value();
        const Value b = Value::fromJson(R"({"y":null,"x":[1,{"q":2,"p":1}]})").value();
        const Value c = Value::fromJson(R"({"y":null,"x":[{"q":2,"p":1},1]})").value();
        QVERIFY(deepEqual(a, b));
        QVERIFY(!deepEqual(a, c));
        QVERIFY(!deepEqual(Value(1), Value(u"1"_s)));
    }

    void copiesShareThePayloadAndFlagsStayOnTheHandle()
    {
        Value a = Value::array({ Value(1) });
        Value b = a;
        QCOMPARE(a.payload(), b.payload());
        b.setFlag(Value::Sequence);
        QVERIFY(b.isSequence());
        QVERIFY(!a.isSequence());
    }
};

QTEST_GUILESS_MAIN(TestJsonataValue)
#include "tst_jsonata_value.moc"
