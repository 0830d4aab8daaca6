// Validation: every case of data/validation.cases (messages authored from graphql-js) gives the
// same errors; limits; hostile documents stay bounded.
#include "casefile.h"
#include "testschema.h"

#include <QtTest>

using namespace lifdag::graphql;

class TestGraphqlValidation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { m_schema = testschema::build(); }

    void matchesGraphqlJsMessages_data()
    {
        QTest::addColumn<QString>("document");
        QTest::addColumn<QStringList>("expected");
        const auto cases = readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/validation.cases"));
        QVERIFY(cases.size() > 50);
        for (const GraphqlCase &c : cases)
            QTest::newRow(qPrintable(c.name)) << c.document << c.errors;
    }

    void matchesGraphqlJsMessages()
    {
        QFETCH(QString, document);
        QFETCH(QStringList, expected);
        const Document doc = Document::parse(document);
        QStringList actual;
        if (doc.isNull()) {
            actual.append(doc.error().message);
        } else {
            Limits limits;
            limits.maxComplexity = 0;
            limits.maxDepth = 0;
            for (const GraphQLError &e : validate(m_schema, doc, limits))
                actual.append(e.message);
        }
        // graphql-js interleaves its rules' reports; the set of messages is what must agree.
        actual.sort();
        expected.sort();
        QCOMPARE(actual, expected);
    }

    void reportsLocations()
    {
        const Document doc = Document::parse(QStringLiteral("query Q {\n  hero { nme }\n  echo(n: $x)\n}"));
        const QList<GraphQLError> errors = validate(m_schema, doc);
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors[0].message,
                 QStringLiteral("Cannot query field \"nme\" on type \"Character\". Did you mean \"name\"?"));
        QCOMPARE(errors[0].locations, (QList<SourceLocation> { { 2, 10 } }));
        QCOMPARE(errors[1].message, QStringLiteral("Variable \"$x\" is not defined by operation \"Q\"."));
        QCOMPARE(errors[1].locations, (QList<SourceLocation> { { 3, 11 }, { 1, 1 } }));
    }

    void boundsDeepFragmentChains()
    {
        // 400 fragments each spreading the next: nesting beyond the hard limit is one error.
        QString doc = QStringLiteral("{ hero { ...F0 } }\n");
        for (int i = 0; i < 400; ++i)
            doc += QStringLiteral("fragment F%1 on Character { id ...F%2 }\n").arg(i).arg(i + 1);
        doc += QStringLiteral("fragment F400 on Character { id }\n");
        const QList<GraphQLError> errors = validate(m_schema, Document::parse(doc));
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors[0].message.contains(QLatin1StringView("deeper than 256 levels")));
    }

    void boundsExponentialFragmentExpansion()
    {
        // Each fragment spreads the next twice: 2^40 fields if expanded naively.
        QString doc = QStringLiteral("{ hero { ...F0 } }\n");
        for (int i = 0; i < 40; ++i)
            doc += QStringLiteral("fragment F%1 on Character { friends { ...F%2 } friends { ...F%2 } }\n")
                       .arg(i)
                       .arg(i + 1);
        doc += QStringLiteral("fragment F40 on Character { id }\n");
        Limits limits;
        limits.maxDepth = 0;
        const QList<GraphQLError> errors = validate(m_schema, Document::parse(doc), limits);
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors[0].message.startsWith(QLatin1StringView("The operation selects")),
                 qPrintable(errors[0].message));
    }

    void boundsWideOverlapComparisons()
    {
        // Many fields with one response name compare pairwise: the work is capped, and the
        // document is rejected rather than validated for minutes.
        QString doc = QStringLiteral("{ ");
        for (int i = 0; i < 3000; ++i)
            doc += QStringLiteral("a: hero { id } ");
        doc += QLatin1Char('}');
        Limits limits;
        limits.maxComplexity = 0;
        const QList<GraphQLError> errors = validate(m_schema, Document::parse(doc), limits);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.last().message,
                 QStringLiteral("The document is too complex to validate (field merging)."));
    }

private:
    Schema m_schema;
};

QTEST_GUILESS_MAIN(TestGraphqlValidation)
#include "tst_graphql_validation.moc"
