// Bounded random-expression testing of the parser and evaluator: random well-formed expressions
// over random documents, mutated expressions and token soup must end in a value or a JSONata error,
// never a crash, a hang or a stack overflow. LIFDAG_JSONATA_FUZZ_COUNT (default 100000) and
// LIFDAG_JSONATA_FUZZ_SEED choose the run; build with LIFDAG_SANITIZE=ON for the ASan/UBSan run.
#include <lifdag/jsonata/expression.h>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

#include <random>

using namespace lifdag::jsonata;
using lifdag::Result;
using namespace Qt::StringLiterals;

namespace {

class Generator
{
public:
    explicit Generator(quint64 seed)
        : m_rng(seed)
    { }

    int pick(int n) { return int(m_rng() % quint64(n)); }
    bool chance(int percent) { return pick(100) < percent; }

    QString name()
    {
        static const char *const names[] = { "a",     "b",    "c", "name",      "price",
                                             "items", "tags", "x", "`odd key`", "id" };
        return QString::fromLatin1(names[pick(10)]);
    }

    QString variable()
    {
        static const char *const vars[] = { "$", "$$", "$v", "$i", "$acc", "$f", "$x" };
        return QString::fromLatin1(vars[pick(7)]);
    }

    QString literal()
    {
        switch (pick(7)) {
        case 0:
            return QString::number(pick(1000) - 100);
        case 1:
            return QString::number((pick(20000) - 10000) / 7.0, 'g', 6);
        case 2:
            return u"'s%1'"_s.arg(pick(50));
        case 3:
            return chance(50) ? u"true"_s : u"false"_s;
        case 4:
            return u"null"_s;
        case 5:
            return u"\"\\u00e9\\n\""_s;
        default:
            return u"''"_s;
        }
    }

    QString function()
    {
        static const char *const fns[] = { "$sum",
                                           "$count",
                                           "$max",
                                           "$min",
                                           "$average",
                                           "$string",
                                           "$substring",
                                           "$substringBefore",
                                           "$substringAfter",
                                           "$lowercase",
                                           "$uppercase",
                                           "$length",
                                           "$trim",
                                           "$pad",
                                           "$contains",
                                           "$split",
                                           "$join",
                                           "$match",
                                           "$replace",
                                           "$number",
                                           "$abs",
                                           "$floor",
                                           "$ceil",
                                           "$round",
                                           "$power",
                                           "$sqrt",
                                           "$formatNumber",
                                           "$formatBase",
                                           "$formatInteger",
                                           "$parseInteger",
                                           "$boolean",
                                           "$not",
                                           "$exists",
                                           "$keys",
                                           "$lookup",
                                           "$append",
                                           "$spread",
                                           "$merge",
                                           "$reverse",
                                           "$sort",
                                           "$distinct",
                                           "$zip",
                                           "$map",
                                           "$filter",
                                           "$reduce",
                                           "$sift",
                                           "$each",
                                           "$single",
                                           "$type",
                                           "$base64encode",
                                           "$base64decode",
                                           "$encodeUrl",
                                           "$decodeUrlComponent",
                                           "$fromMillis",
                                           "$toMillis",
                                           "$eval",
                                           "$clone",
                                           "$error",
                                           "$assert",
                                           "$shuffle" };
        return QString::fromLatin1(fns[pick(int(sizeof fns / sizeof fns[0]))]);
    }

    QString expr(int depth)
    {
        if (depth <= 0)
            return chance(50) ? literal() : (chance(50) ? name() : variable());
        switch (pick(22)) {
        case 0:
        case 1:
            return name() + u'.' + expr(depth - 1);
        case 2:
            return expr(depth - 1) + u'[' + expr(depth - 1) + u']';
        case 3: {
            static const char *const ops[] = { "+", "-",  "*", "/",   "%",  "=",  "!=", "<",  "<=",
                                               ">", ">=", "&", "and", "or", "in", "..", "?:", "??" };
            const QString op = QString::fromLatin1(ops[pick(18)]);
            if (op == u".."_s)
                return u"["_s + expr(depth - 1) + u".."_s + expr(depth - 1) + u"]"_s;
            return expr(depth - 1) + u' ' + op + u' ' + expr(depth - 1);
        }
        case 4: {
            QString call = function() + u'(';
            const int n = pick(4);
            for (int i = 0; i < n; ++i)
                call += (i ? u", "_s : QString()) + expr(depth - 1);
            return call + u')';
        }
        case 5:
            return u"function($v, $i) { "_s + expr(depth - 1) + u" }"_s;
        case 6:
            return u"("_s + expr(depth - 1) + u"; "_s + expr(depth - 1) + u")"_s;
        case 7:
            return expr(depth - 1) + u" ? "_s + expr(depth - 1) + u" : "_s + expr(depth - 1);
        case 8:
            return u"{"_s + expr(depth - 1) + u": "_s + expr(depth - 1) + u"}"_s;
        case 9:
            return u"["_s + expr(depth - 1) + u", "_s + expr(depth - 1) + u"]"_s;
        case 10:
            return name() + u"^(>"_s + name() + u")"_s;
        case 11:
            return name() + u"#$i."_s + expr(depth - 1);
        case 12:
            return name() + u"@$x."_s + expr(depth - 1);
        case 13:
            return name() + u".%."_s + name();
        case 14:
            return u"$ ~> |"_s + name() + u"|{'n': "_s + expr(depth - 1) + u"}, ['"_s + name() + u"']|"_s;
        case 15:
            return expr(depth - 1) + u" ~> "_s + function() + u"()"_s;
        case 16:
            return u"$x := "_s + expr(depth - 1);
        case 17:
            return u"/[a-z]+\\d*/i"_s;
        case 18:
            return u"**."_s + name();
        case 19:
            return name() + u".*"_s;
        case 20:
            return u"($f := function($n) { $n > 0 ? $f($n - 1) : "_s + expr(depth - 1) + u" }; $f("_s
                + QString::number(pick(50)) + u"))"_s;
        default:
            return u"-"_s + expr(depth - 1);
        }
    }

    QString mutate(QString s)
    {
        static const QString alphabet = u"()[]{}.,;:?$@#%^&|~<>=!+-*/\"'`0123456789abcxyz \\"_s;
        const int edits = 1 + pick(3);
        for (int e = 0; e < edits && !s.isEmpty(); ++e) {
            const int pos = pick(int(s.size()));
            switch (pick(3)) {
            case 0:
                s.remove(pos, 1);
                break;
            case 1:
                s.insert(pos, alphabet.at(pick(int(alphabet.size()))));
                break;
            default:
                s[pos] = alphabet.at(pick(int(alphabet.size())));
            }
        }
        return s;
    }

    QString soup()
    {
        static const char *const tokens[] = { "(", ")",   "[",   "]",  "{",  "}",     ".", ",",        ";",
                                              ":", "?",   "$",   "$x", "a",  "'s'",   "1", "function", "λ",
                                              "=", ":=",  "~>",  "..", "**", "%",     "#", "@",        "^(",
                                              "|", "/x/", "and", "or", "in", "<s-:s>" };
        QString s;
        const int n = 1 + pick(12);
        for (int i = 0; i < n; ++i)
            s += QString::fromUtf8(tokens[pick(int(sizeof tokens / sizeof tokens[0]))])
                + (chance(30) ? u" "_s : QString());
        return s;
    }

    Value document(int depth)
    {
        if (depth <= 0 || chance(30)) {
            switch (pick(5)) {
            case 0:
                return Value(double(pick(200) - 50));
            case 1:
                return Value(u"s%1"_s.arg(pick(10)));
            case 2:
                return Value(chance(50));
            case 3:
                return Value(nullptr);
            default:
                return Value((pick(1000) - 500) / 8.0);
            }
        }
        if (chance(50)) {
            std::vector<Value> items;
            const int n = pick(4);
            for (int i = 0; i < n; ++i)
                items.push_back(document(depth - 1));
            return Value::array(std::move(items));
        }
        Object o;
        const int n = pick(5);
        for (int i = 0; i < n; ++i)
            o.insert(name().remove(u'`'), document(depth - 1));
        return Value::object(std::move(o));
    }

private:
    std::mt19937_64 m_rng;
};

} // namespace

class TestJsonataFuzz : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void randomExpressionsEndInAValueOrAnError()
    {
        const int count = qEnvironmentVariableIsSet("LIFDAG_JSONATA_FUZZ_COUNT")
            ? qEnvironmentVariableIntValue("LIFDAG_JSONATA_FUZZ_COUNT")
            : 100000;
        const quint64 seed = qEnvironmentVariableIsSet("LIFDAG_JSONATA_FUZZ_SEED")
            ? quint64(qEnvironmentVariable("LIFDAG_JSONATA_FUZZ_SEED").toULongLong())
            : 20240501;
        Generator gen(seed);
        std::vector<Value> documents;
        for (int i = 0; i < 32; ++i)
            documents.push_back(gen.document(4));
        static const QRegularExpression codePattern(u"^[STDU][0-9]{4}$"_s);
        EvaluateOptions options;
        options.timeLimitMs = 200;
        int values = 0;
        int errors = 0;
        QHash<QString, int> codes;
        QElapsedTimer timer;
        timer.start();
        QString last;
        for (int i = 0; i < count; ++i) {
            QString text;
            switch (i % 4) {
            case 0:
            case 1:
                text = gen.expr(1 + gen.pick(5));
                break;
            case 2:
                text = gen.mutate(gen.expr(1 + gen.pick(4)));
                break;
            default:
                text = gen.soup();
            }
            last = text;
            const JResult<Expression> e = Expression::compile(text);
            JResult<Value> r = e.ok() ? e.value().evaluate(documents[size_t(i) % documents.size()], options)
                                      : JResult<Value>(e.error());
            if (r.ok()) {
                ++values;
                QByteArray out;
                r.value().appendJson(out);
                QVERIFY(!out.isEmpty());
            } else {
                ++errors;
                ++codes[r.error().code];
                QVERIFY2(codePattern.match(r.error().code).hasMatch(),
                         qPrintable(u"unexpected error code '%1' (%2) for %3"_s.arg(
                             r.error().code, r.error().message, text)));
            }
        }
        qInfo("%d expressions in %lld ms (seed %llu): %d values, %d errors, %d distinct codes", count,
              timer.elapsed(), seed, values, errors, int(codes.size()));
        QVERIFY(values > count / 10);
        QVERIFY(errors > count / 10);
    }

    void deepNestingEndsInAnError_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QString>("input");
        const int n = 50000;
        QTest::newRow("parentheses") << QString(n, u'(') + u"1"_s + QString(n, u')') << u"null"_s;
        QTest::newRow("array constructors") << QString(n, u'[') + QString(n, u']') << u"null"_s;
        QTest::newRow("object constructors")
            << QString().fill(u'x', 0) + u"{'a':"_s.repeated(n) + u"1"_s + QString(n, u'}') << u"null"_s;
        QTest::newRow("unary minus") << QString(n, u'-') + u"1"_s << u"null"_s;
        QTest::newRow("conditionals") << u"true ? "_s.repeated(n) + u"1"_s << u"null"_s;
        QTest::newRow("path steps") << u"a."_s.repeated(n) + u"a"_s << u"{}"_s;
        QTest::newRow("non-tail recursion") << u"($f := function($n) { [$f($n + 1)] }; $f(0))"_s << u"null"_s;
        QTest::newRow("recursion through map")
            << u"($f := function($n) { $map([$n], function($v) { $f($v) }) }; $f(0))"_s << u"null"_s;
        // "deep:N" stands for arrays nested N levels, built directly (deeper than JSON text may nest)
        QTest::newRow("deep input descendants") << u"$count(**)"_s << u"deep:200000"_s;
        QTest::newRow("deep input stringified") << u"$string($)"_s << u"deep:200000"_s;
        QTest::newRow("deep input navigated") << u"a.b.c"_s << u"deep:200000"_s;
        QTest::newRow("deep input compared") << u"$ = $"_s << u"deep:200000"_s;
        QTest::newRow("deep input wildcard") << u"*"_s << u"deep:200000"_s;
        QTest::newRow("deep input transformed") << u"$ ~> |$|{}|"_s << u"deep:200000"_s;
        QTest::newRow("deep value built by reduce")
            << u"$string($reduce([1..20000], function($a, $v) { [$a] }, []))"_s << u"null"_s;
    }
    void deepNestingEndsInAnError()
    {
        QFETCH(QString, expr);
        QFETCH(QString, input);
        Result<Value> doc = Value();
        if (input.startsWith(u"deep:"_s)) {
            Value nested = Value::array({ Value(1) });
            for (int i = input.mid(5).toInt(); i > 0; --i)
                nested = Value::array({ nested });
            doc = nested;
        } else {
            doc = Value::fromJson(input.toUtf8());
        }
        QVERIFY(doc.ok());
        const JResult<Expression> e = Expression::compile(expr);
        if (!e.ok()) {
            QVERIFY(!e.error().code.isEmpty());
            return;
        }
        EvaluateOptions options;
        options.timeLimitMs = 5000;
        const JResult<Value> r = e.value().evaluate(doc.value(), options);
        // either an error, or a value that could be computed within the limits
        if (!r.ok()) {
            QVERIFY(!r.error().code.isEmpty());
        } else {
            QByteArray out;
            r.value().appendJson(out); // values too deep to write become null, never a crash
            QVERIFY(!out.isEmpty());
        }
    }

    void hugeInputsAreHandled()
    {
        std::vector<Value> items;
        for (int i = 0; i < 200000; ++i) {
            Object o;
            o.insert(u"n"_s, Value(i));
            o.insert(u"s"_s, Value(u"item%1"_s.arg(i)));
            items.push_back(Value::object(std::move(o)));
        }
        const Value doc = Value::array(std::move(items));
        const JResult<Expression> e =
            Expression::compile(u"$sum(n[$ % 2 = 0]) + $count(s[$contains($, '99')])"_s);
        const JResult<Value> r = e.value().evaluate(doc);
        QVERIFY(r.ok());
        QVERIFY(r.value().toNumber() > 0);
        const JResult<Value> big = Expression::compile(u"[1..10000001]"_s).value().evaluate(Value());
        QCOMPARE(big.error().code, u"D2014"_s);
    }
};

QTEST_GUILESS_MAIN(TestJsonataFuzz)
#include "tst_jsonata_fuzz.moc"
