// Parser: every case of data/parser.cases (errors and locations authored from graphql-js) and the
// guards against hostile documents.
#include "casefile.h"
#include "testschema.h"

#include <QtTest>

using namespace lifdag::graphql;

class TestGraphqlParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesGraphqlJs_data()
    {
        QTest::addColumn<QString>("document");
        QTest::addColumn<QString>("expected"); // "message @line:column" or empty
        const auto cases = readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/parser.cases"));
        QVERIFY(cases.size() > 25);
        for (const GraphqlCase &c : cases)
            QTest::newRow(qPrintable(c.name)) << c.document << c.errors.value(0);
    }

    void matchesGraphqlJs()
    {
        QFETCH(QString, document);
        QFETCH(QString, expected);
        const Document doc = Document::parse(document);
        if (expected.isEmpty()) {
            QVERIFY2(!doc.isNull(), qPrintable(doc.error().message));
            return;
        }
        QVERIFY(doc.isNull());
        const SourceLocation loc = doc.error().locations.value(0);
        QCOMPARE(QStringLiteral("%1 @%2:%3").arg(doc.error().message).arg(loc.line).arg(loc.column),
                 expected);
    }

    void countsLinesAcrossTerminatorsAndBlockStrings()
    {
        const QString source = QStringLiteral("\xFEFF{\r\n  a\r  b\n  c(s: \"\"\"x\n\n\"\"\") %\n}");
        const Document doc = Document::parse(source);
        QVERIFY(doc.isNull());
        QCOMPARE(doc.error().message, QStringLiteral("Syntax Error: Unexpected character: \"%\"."));
        QCOMPARE(doc.error().locations.value(0), (SourceLocation { 6, 6 }));
    }

    void reportsOperationTypesAndNames()
    {
        const Document doc =
            Document::parse(QStringLiteral("query A { a } mutation B { b } subscription C { c }"));
        QCOMPARE(doc.operationNames(),
                 (QStringList { QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C") }));
        QCOMPARE(doc.operationType(QStringLiteral("B")),
                 std::optional<OperationType>(OperationType::Mutation));
        QCOMPARE(doc.operationType(QStringLiteral("C")),
                 std::optional<OperationType>(OperationType::Subscription));
        QVERIFY(!doc.operationType().has_value());
        QCOMPARE(Document::parse(QStringLiteral("{ a }")).operationType(),
                 std::optional<OperationType>(OperationType::Query));
    }

    void limitsTokens()
    {
        ParseOptions options;
        options.maxTokens = 100;
        QString many = QStringLiteral("{ ");
        for (int i = 0; i < 200; ++i)
            many += QStringLiteral("a ");
        many += QLatin1Char('}');
        const Document doc = Document::parse(many, options);
        QVERIFY(doc.isNull());
        QCOMPARE(doc.error().message,
                 QStringLiteral("Syntax Error: Document contains more than 100 tokens. Parsing aborted."));
    }

    void limitsLength()
    {
        ParseOptions options;
        options.maxLength = 10;
        const Document doc = Document::parse(QStringLiteral("{ version }   "), options);
        QVERIFY(doc.isNull());
        QVERIFY(doc.error().message.contains(QLatin1StringView("longer than 10 characters")));
    }

    void limitsNesting_data()
    {
        QTest::addColumn<QString>("open");
        QTest::addColumn<QString>("close");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("selection sets") << QStringLiteral("a { ") << QStringLiteral("} ")
                                        << QStringLiteral("{ ") << QStringLiteral("b }");
        QTest::newRow("list values") << QStringLiteral("[") << QStringLiteral("]")
                                     << QStringLiteral("{ a(x: ") << QStringLiteral(") }");
        QTest::newRow("object values") << QStringLiteral("{a: ") << QStringLiteral("}")
                                       << QStringLiteral("{ f(x: ") << QStringLiteral("1) }");
        QTest::newRow("list types") << QStringLiteral("[") << QStringLiteral("]")
                                    << QStringLiteral("query ($v: ") << QStringLiteral("Int) { a }");
        QTest::newRow("inline fragments") << QStringLiteral("... { ") << QStringLiteral("} ")
                                          << QStringLiteral("{ ") << QStringLiteral("a }");
    }

    void limitsNesting()
    {
        QFETCH(QString, open);
        QFETCH(QString, close);
        QFETCH(QString, prefix);
        QFETCH(QString, suffix);
        // 100000 levels would overflow any recursive parser's stack; the guard stops at 128.
        const int depth = 100000;
        QString doc = prefix;
        doc.reserve(depth * (open.size() + close.size()) + 64);
        for (int i = 0; i < depth; ++i)
            doc += open;
        doc += suffix.startsWith(QLatin1Char(')')) || suffix.startsWith(QLatin1StringView("Int"))
            ? QStringLiteral("1")
            : QString();
        for (int i = 0; i < depth; ++i)
            doc += close;
        doc += suffix;
        ParseOptions options;
        options.maxTokens = 1 << 22;
        options.maxLength = qsizetype(1) << 24;
        const Document parsed = Document::parse(doc, options);
        QVERIFY(parsed.isNull());
        QVERIFY2(parsed.error().message.contains(QLatin1StringView("nesting exceeds 128 levels")),
                 qPrintable(parsed.error().message));
    }

    void acceptsNestingWithinTheLimit()
    {
        QString doc = QStringLiteral("{ ");
        for (int i = 0; i < 100; ++i)
            doc += QStringLiteral("a { ");
        doc += QStringLiteral("b ");
        for (int i = 0; i < 100; ++i)
            doc += QStringLiteral("} ");
        doc += QLatin1Char('}');
        QVERIFY(!Document::parse(doc).isNull());
    }

    void keepsDescriptionsAndDefaultsOfTypeSystemDefinitions()
    {
        // The SDL path shares the parser: a schema built from SDL exposes what it parsed.
        SchemaBuilder b;
        const auto status = b.addSdl(
            QStringLiteral("\"\"\"\n  Root.\n    Indented.\n\"\"\"\ntype Query {\n"
                           "  \"the field\" f(a: [Int!] = [1, 2] b: Dir = UP): String @deprecated\n}\n"
                           "enum Dir { UP DOWN @deprecated(reason: \"gone\") }"));
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message));
        b.resolve(QStringLiteral("Query"), QStringLiteral("f"),
                  [](const Value &, const QJsonObject &, const Context &) -> FieldResult { return Value(); });
        auto schema = b.build();
        QVERIFY(schema.ok());
        QCOMPARE(schema->printSdl(),
                 QStringLiteral("\"\"\"\nRoot.\n  Indented.\n\"\"\"\ntype Query {\n  \"\"\"the field\"\"\"\n"
                                "  f(a: [Int!] = [1, 2], b: Dir = UP): String @deprecated\n}\n\n"
                                "enum Dir {\n  UP\n  DOWN @deprecated(reason: \"gone\")\n}"));
    }

    void rejectsBadSdl()
    {
        SchemaBuilder b;
        const auto status = b.addSdl(QStringLiteral("type Query {\n  f: \n}"));
        QVERIFY(!status.ok());
        QCOMPARE(status.error().message,
                 QStringLiteral("Syntax Error: Expected Name, found \"}\". (line 3, column 1)"));
    }
};

QTEST_GUILESS_MAIN(TestGraphqlParser)
#include "tst_graphql_parser.moc"
