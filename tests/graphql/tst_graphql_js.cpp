// graphql-js judges lifdag's engine: buildClientSchema accepts the introspection result (full and
// default options), printSchema of it equals lifdag's printSdl, graphql-js's own introspection of
// that SDL equals lifdag's, and graphql-js's validation messages equal lifdag's on every case.
#include "graphqljs.h"
#include "testschema.h"

#include <QtTest>

using namespace lifdag::graphql;

class TestGraphqlJs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_schema = testschema::build();
        m_cases = readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/validation.cases"))
            + readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/parser.cases"));
        m_cases.append(
            GraphqlCase { QStringLiteral("lifdag's introspection query"), introspectionQuery(), {} });
        m_report = checkWithGraphqlJs(m_schema, m_cases);
        QVERIFY2(m_report.failure.isEmpty(), qPrintable(m_report.failure));
    }

    void buildsClientSchemaAndRoundTrips()
    {
        const QJsonArray failures = m_report.output.value(QLatin1StringView("failures")).toArray();
        QVERIFY2(failures.isEmpty(), QJsonDocument(failures).toJson().constData());
        QCOMPARE(m_report.output.value(QLatin1StringView("printedFull")).toString(), m_report.sdl);
        // The default query (what Python's gql sends) leaves out specifiedByURL.
        QString withoutSpecifiedBy = m_report.sdl;
        withoutSpecifiedBy.remove(QRegularExpression(QStringLiteral(" @specifiedBy\\(url: \"[^\"]*\"\\)")));
        QCOMPARE(m_report.output.value(QLatin1StringView("printedDefault")).toString(), withoutSpecifiedBy);
        QCOMPARE(m_report.output.value(QLatin1StringView("reprintedSdl")).toString(), m_report.sdl);
    }

    void validatesLikeGraphqlJs()
    {
        const QJsonArray docs = m_report.output.value(QLatin1StringView("documents")).toArray();
        QCOMPARE(docs.size(), m_cases.size());
        int compared = 0;
        for (qsizetype i = 0; i < docs.size(); ++i) {
            QStringList theirs;
            for (const QJsonValue &m : docs[i].toObject().value(QLatin1StringView("errors")).toArray())
                theirs.append(m.toString());
            QStringList ours = lifdagMessages(m_schema, m_cases[i].document);
            theirs.sort();
            ours.sort();
            if (ours != theirs)
                QFAIL(qPrintable(QStringLiteral("%1:\n  graphql-js: %2\n  lifdag:     %3")
                                     .arg(m_cases[i].name, theirs.join(QStringLiteral(" | ")),
                                          ours.join(QStringLiteral(" | ")))));
            ++compared;
        }
        QVERIFY(compared > 100);
    }

private:
    Schema m_schema;
    QList<GraphqlCase> m_cases;
    GraphqlJsReport m_report;
};

QTEST_GUILESS_MAIN(TestGraphqlJs)
#include "tst_graphql_js.moc"
