// graphql-js judges lifdag's Dagster schema: the introspection result Dagster's Python client
// fetches builds a client schema (printSchema round trip included), and every operation the
// client sends - plus queries written the way Dagster users write them - validates against it
// exactly as against lifdag's own validator.
#include "graphqljs.h"

#include <lifdag/graphqlapi/dagstergraphql.h>

#include <QtTest>

using namespace lifdag;

class TestGraphqlApiJs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_api = std::make_unique<graphqlapi::DagsterGraphQL>(std::shared_ptr<instance::Instance>());
        m_cases = readGraphqlCases(QStringLiteral(LIFDAG_TEST_DATA_DIR "/client_operations.cases"));
        QVERIFY(m_cases.size() >= 20);
        m_report = checkWithGraphqlJs(m_api->schema(), m_cases);
        QVERIFY2(m_report.failure.isEmpty(), qPrintable(m_report.failure));
    }

    void introspectionBuildsTheClientSchema()
    {
        const QJsonArray failures = m_report.output.value(QLatin1StringView("failures")).toArray();
        QVERIFY2(failures.isEmpty(), QJsonDocument(failures).toJson().constData());
        QCOMPARE(m_report.output.value(QLatin1StringView("printedFull")).toString(), m_report.sdl);
        QCOMPARE(m_report.output.value(QLatin1StringView("printedDefault")).toString(), m_report.sdl);
        QCOMPARE(m_report.output.value(QLatin1StringView("reprintedSdl")).toString(), m_report.sdl);
    }

    void keepsDagstersLegacyInterfaces()
    {
        // Old clients select on the pre-1.0 names; they must be interfaces the new types implement.
        for (const auto &[type, iface] :
             { std::pair { "Run", "PipelineRun" },
               std::pair { "LaunchRunSuccess", "LaunchPipelineRunSuccess" },
               std::pair { "RunConfigValidationInvalid", "PipelineConfigValidationInvalid" },
               std::pair { "RunNotFoundError", "PipelineRunNotFoundError" },
               std::pair { "RunConflict", "PipelineRunConflict" } }) {
            const QString line = QStringLiteral("type %1 implements ").arg(QString::fromLatin1(type));
            const qsizetype at = m_report.sdl.indexOf(line);
            QVERIFY2(at >= 0, type);
            const QString declaration = m_report.sdl.mid(at, m_report.sdl.indexOf(QLatin1Char('{'), at) - at);
            QVERIFY2(declaration.contains(QString::fromLatin1(iface)), qPrintable(declaration));
        }
    }

    void validatesClientOperationsLikeGraphqlJs()
    {
        const QJsonArray docs = m_report.output.value(QLatin1StringView("documents")).toArray();
        QCOMPARE(docs.size(), m_cases.size());
        for (qsizetype i = 0; i < docs.size(); ++i) {
            QStringList theirs;
            for (const QJsonValue &m : docs[i].toObject().value(QLatin1StringView("errors")).toArray())
                theirs.append(m.toString());
            QStringList ours = lifdagMessages(m_api->schema(), m_cases[i].document);
            QStringList expected = m_cases[i].errors;
            theirs.sort();
            ours.sort();
            expected.sort();
            QVERIFY2(ours == theirs,
                     qPrintable(QStringLiteral("%1:\n  graphql-js: %2\n  lifdag:     %3")
                                    .arg(m_cases[i].name, theirs.join(QStringLiteral(" | ")),
                                         ours.join(QStringLiteral(" | ")))));
            QVERIFY2(
                ours == expected,
                qPrintable(QStringLiteral("%1: %2").arg(m_cases[i].name, ours.join(QStringLiteral(" | ")))));
        }
    }

private:
    std::unique_ptr<graphqlapi::DagsterGraphQL> m_api;
    QList<GraphqlCase> m_cases;
    GraphqlJsReport m_report;
};

QTEST_GUILESS_MAIN(TestGraphqlApiJs)
#include "tst_graphqlapi_js.moc"
