#include <lifdag/codelocation/containercontext.h>

#include <QTest>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;

class TestContainerContext : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesWhatLifsEntrypointProduces()
    {
        // code_location_entrypoint.sh quotes each `env` line and joins them with commas.
        const auto ctx = parseContainerContext(QStringLiteral(
            "{\"env_vars\": [\"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__HOST=lif-graphql-api-org2:8000\","
            "\"LIF_X=a=b, c \\\"q\\\"\",\"USER_CODE_FLAG\"]}"));
        QVERIFY(ctx.ok());
        QCOMPARE(ctx->envVars.size(), 3);
        QCOMPARE(ctx->envVars[1], u"LIF_X=a=b, c \"q\""_s);
    }

    void rejectsBadContexts_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << u"{env_vars: [}"_s << u"invalid JSON at offset"_s;
        QTest::newRow("unknown key") << QStringLiteral("{\"env\": []}") << u"unknown key \"env\""_s;
        QTest::newRow("not a string") << QStringLiteral("{\"env_vars\": [1]}") << u"env_vars[0]"_s;
        QTest::newRow("empty name") << QStringLiteral("{\"env_vars\": [\"=x\"]}") << u"env_vars[0]"_s;
    }
    void rejectsBadContexts()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const auto ctx = parseContainerContext(json);
        QVERIFY(!ctx.ok());
        QVERIFY2(ctx.error().message.contains(expected), qPrintable(ctx.error().message));
    }

    void runsGetPrefixedVariablesAndContextEntries()
    {
        QProcessEnvironment base;
        base.insert(u"ADAPTERS__A__B__CREDENTIALS__TOKEN"_s, u"tok"_s);
        base.insert(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s, u"http://qp:8002"_s);
        base.insert(u"USER_CODE_MODE"_s, u"x"_s);
        base.insert(u"HOME"_s, u"/root"_s);
        base.insert(u"DAGSTER_POSTGRES_USER"_s, u"pg"_s);
        ContainerContext ctx;
        ctx.envVars = { u"DAGSTER_POSTGRES_USER"_s, u"EXTRA=with spaces, commas=and \"quotes\""_s,
                        u"NOT_SET_ANYWHERE"_s, u"USER_CODE_MODE=override"_s };
        const QStringList vars = runEnvironment(base, ctx);
        QVERIFY(vars.contains(u"ADAPTERS__A__B__CREDENTIALS__TOKEN=tok"_s));
        QVERIFY(vars.contains(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL=http://qp:8002"_s));
        QVERIFY(vars.contains(u"DAGSTER_POSTGRES_USER=pg"_s));
        QVERIFY(vars.contains(u"EXTRA=with spaces, commas=and \"quotes\""_s));
        QVERIFY(vars.contains(u"USER_CODE_MODE=override"_s));
        QVERIFY(!vars.join(u'\n').contains(u"HOME="_s));
        QVERIFY(!vars.join(u'\n').contains(u"NOT_SET_ANYWHERE"_s));

        const QProcessEnvironment worker = workerEnvironment(base, ctx);
        QCOMPARE(worker.value(u"HOME"_s), u"/root"_s);
        QCOMPARE(worker.value(u"EXTRA"_s), u"with spaces, commas=and \"quotes\""_s);
        QCOMPARE(worker.value(u"USER_CODE_MODE"_s), u"override"_s);
    }
};

QTEST_GUILESS_MAIN(TestContainerContext)
#include "tst_containercontext.moc"
