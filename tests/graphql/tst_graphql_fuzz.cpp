// Random and mutated documents (and random variables) through parse, validate and execute:
// every request gets an answer, nothing crashes (run it under ASan/UBSan in the sanitizer pass).
// LIFDAG_GRAPHQL_FUZZ_COUNT (default 20000) and LIFDAG_GRAPHQL_FUZZ_SEED choose the run.
#include "casefile.h"
#include "testschema.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace lifdag::graphql;

namespace {

const char *const kTokens[] = { "{",
                                "}",
                                "(",
                                ")",
                                "[",
                                "]",
                                "...",
                                "$",
                                "@",
                                ":",
                                "=",
                                "!",
                                "|",
                                "&",
                                ",",
                                "\n",
                                "\"",
                                "\"\"\"",
                                "#",
                                "\\",
                                "on",
                                "fragment",
                                "query",
                                "mutation",
                                "subscription",
                                "hero",
                                "friends",
                                "name",
                                "id",
                                "__typename",
                                "__schema",
                                "__type",
                                "search",
                                "echo",
                                "input",
                                "text",
                                "null",
                                "true",
                                "false",
                                "EMPIRE",
                                "1",
                                "-0",
                                "1.5e3",
                                "2147483648",
                                "\\u00e9",
                                "\\u{1F600}",
                                "\\uD800",
                                "@skip(if: true)",
                                "@include(if: $v)",
                                "... on Human",
                                "... on Droid",
                                "...F",
                                "$v",
                                "Human",
                                "Int!",
                                "[ID!]!",
                                "\xC3\xA9",
                                "\xF0\x9F\x98\x80" };

QJsonValue randomJson(QRandomGenerator &rng, int depth = 0)
{
    switch (rng.bounded(depth > 3 ? 5 : 8)) {
    case 0:
        return QJsonValue();
    case 1:
        return QJsonValue(rng.bounded(2) == 0);
    case 2:
        return QJsonValue(int(rng.bounded(2000)) - 1000);
    case 3:
        return QJsonValue(rng.generateDouble() * 1e12);
    case 4: {
        static const char *const words[] = { "1000", "EMPIRE", "x", "", "2001", "FOOT", "\xC3\xA9" };
        return QJsonValue(QString::fromUtf8(words[rng.bounded(7)]));
    }
    case 5:
    case 6: {
        QJsonObject o;
        static const char *const keys[] = { "text", "times", "nested", "tags", "id", "v", "x" };
        for (int i = 0, n = int(rng.bounded(4)); i < n; ++i)
            o.insert(QString::fromLatin1(keys[rng.bounded(7)]), randomJson(rng, depth + 1));
        return o;
    }
    default: {
        QJsonArray a;
        for (int i = 0, n = int(rng.bounded(4)); i < n; ++i)
            a.append(randomJson(rng, depth + 1));
        return a;
    }
    }
}

QString mutate(const QString &input, QRandomGenerator &rng, int rounds)
{
    QString s = input;
    for (int round = 0; round < rounds; ++round) {
        const qsizetype at = s.isEmpty() ? 0 : qsizetype(rng.bounded(quint32(s.size() + 1)));
        switch (rng.bounded(7)) {
        case 0: // delete a range
            s.remove(at, qsizetype(rng.bounded(12)));
            break;
        case 1: // duplicate a range
            s.insert(at, s.mid(at, qsizetype(rng.bounded(40))));
            break;
        case 2:
        case 3: // insert a token
            s.insert(at, QString::fromUtf8(kTokens[rng.bounded(quint32(std::size(kTokens)))]));
            break;
        case 4: // a random UTF-16 unit, lone surrogates and controls included
            s.insert(at, QChar(char16_t(rng.bounded(0x10000))));
            break;
        case 5: // swap two characters
            if (s.size() > 2) {
                const qsizetype other = qsizetype(rng.bounded(quint32(s.size())));
                if (at < s.size())
                    std::swap(s[at], s[other]);
            }
            break;
        default: // splice a random slice of another place
            s.insert(at, s.mid(qsizetype(rng.bounded(quint32(s.size() + 1))), qsizetype(rng.bounded(20))));
        }
    }
    return s;
}

QString tokenSoup(QRandomGenerator &rng)
{
    QString s;
    for (int i = 0, n = 1 + int(rng.bounded(60)); i < n; ++i) {
        s += QString::fromUtf8(kTokens[rng.bounded(quint32(std::size(kTokens)))]);
        s += QLatin1Char(' ');
    }
    return s;
}

QString deepNesting(QRandomGenerator &rng)
{
    const int depth = 100 + int(rng.bounded(200));
    static const char *const opens[] = { "hero { friends { ", "[", "{a: ", "... { ", "...F " };
    const int kind = int(rng.bounded(5));
    QString s = kind == 1 || kind == 2 ? QStringLiteral("{ echo(s: ") : QStringLiteral("{ ");
    for (int i = 0; i < depth; ++i)
        s += QString::fromLatin1(opens[kind]);
    return s + QStringLiteral(" name }");
}

} // namespace

class TestGraphqlFuzz : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void survivesRandomDocuments()
    {
        const Schema schema = testschema::build();
        QStringList corpus;
        for (const char *file : { "/validation.cases", "/parser.cases" })
            for (const GraphqlCase &c :
                 readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR) + QString::fromLatin1(file)))
                corpus.append(c.document);
        corpus.append(introspectionQuery());
        const QStringList valid = {
            QStringLiteral("{ hero { name friends { name appearsIn ... on Human { homePlanet height(unit: "
                           "FOOT) } } } }"),
            QStringLiteral("query Q($v: Boolean = true) { search(text: \"\") { __typename ... on Character { "
                           "id name @include(if: $v) } ... on Starship { length } } }"),
            QStringLiteral("query Q($id: ID = \"1000\") { human(id: $id) { ...F } droid(id: \"2001\") { ...F "
                           "} } fragment F on Character { id name friends { id } }"),
            QStringLiteral("{ echo(input: {text: \"a\", nested: {text: \"b\", tags: [\"x\"]}}, list: [1, 2], "
                           "f: 1.5, b: true) failing json nonNullList { id } }"),
            QStringLiteral("mutation Q { a: increment b: increment(by: 3) }"),
            QStringLiteral("{ characters(ids: [\"1000\", \"2001\", \"x\"]) { id name } node(id: \"1002\") { "
                           "id } build { version commit } }"),
        };
        for (int i = 0; i < 20; ++i)
            corpus += valid;
        const int count = qEnvironmentVariableIsSet("LIFDAG_GRAPHQL_FUZZ_COUNT")
            ? qEnvironmentVariableIntValue("LIFDAG_GRAPHQL_FUZZ_COUNT")
            : 20000;
        const quint32 seed = qEnvironmentVariableIsSet("LIFDAG_GRAPHQL_FUZZ_SEED")
            ? quint32(qEnvironmentVariableIntValue("LIFDAG_GRAPHQL_FUZZ_SEED"))
            : QRandomGenerator::global()->generate();
        qInfo("seed %u, %d documents (LIFDAG_GRAPHQL_FUZZ_SEED / _COUNT to repeat)", seed, count);
        QRandomGenerator rng(seed);
        Limits limits;
        limits.maxComplexity = 2000;
        Engine engine(schema, limits);
        int executed = 0;
        int rejected = 0;
        for (int i = 0; i < count; ++i) {
            Request request;
            switch (rng.bounded(10)) {
            case 0:
                request.query = tokenSoup(rng);
                break;
            case 1:
                request.query = deepNesting(rng);
                break;
            case 2:
            case 3:
            case 4: // valid documents with random variables reach execution
                request.query = corpus[qsizetype(rng.bounded(quint32(corpus.size())))];
                break;
            default:
                request.query = mutate(corpus[qsizetype(rng.bounded(quint32(corpus.size())))], rng,
                                       1 + int(rng.bounded(rng.bounded(2) ? 1 : 4)));
            }
            if (rng.bounded(2)) {
                static const char *const names[] = { "v",  "id", "i", "a", "n",
                                                     "ep", "s",  "t", "u", "withFriends" };
                for (int v = 0, n = int(rng.bounded(4)); v < n; ++v)
                    request.variables.insert(QString::fromLatin1(names[rng.bounded(10)]), randomJson(rng));
            }
            if (rng.bounded(8) == 0)
                request.operationName = QStringLiteral("Q");
            const ExecutionResult result = engine.run(request);
            const QByteArray json = result.toJsonBytes();
            if (json.isEmpty() || (result.requestError && result.errors.isEmpty()))
                QFAIL(qPrintable(
                    QStringLiteral("no proper answer for document #%1: %2").arg(i).arg(request.query)));
            // The ordered writer's text is valid JSON and says what the QJsonObject form says
            // (unless a lone surrogate had to become U+FFFD).
            QJsonParseError parseError;
            const QJsonDocument reparsed = QJsonDocument::fromJson(json, &parseError);
            if (parseError.error != QJsonParseError::NoError)
                QFAIL(qPrintable(QStringLiteral("invalid JSON (%1) for: %2")
                                     .arg(parseError.errorString(), request.query)));
            if (!json.contains("\xEF\xBF\xBD") && reparsed.object() != result.toJson())
                QFAIL(qPrintable(
                    QStringLiteral("ordered and QJsonObject responses differ for: %1").arg(request.query)));
            for (const GraphQLError &e : result.errors)
                if (e.message.isEmpty())
                    QFAIL(qPrintable(QStringLiteral("empty error message for: %1").arg(request.query)));
            (result.requestError ? rejected : executed) += 1;
        }
        qInfo("%d executed, %d rejected", executed, rejected);
        QVERIFY(executed > 0);
        QVERIFY(rejected > 0);
    }
};

QTEST_GUILESS_MAIN(TestGraphqlFuzz)
#include "tst_graphql_fuzz.moc"
