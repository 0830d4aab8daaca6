#include <lifdag/execution/examplejobs.h>
#include <lifdag/execution/jobregistry.h>
#include <lifdag/execution/opcontext.h>

#include <QTest>

using namespace lifdag;
using namespace lifdag::execution;
using namespace Qt::StringLiterals;

namespace {

Status noop(OpContext &context)
{
    context.output(QJsonValue(1));
    return {};
}

OpDefinition op(const QString &name, const QStringList &inputs = {}, bool dynamic = false)
{
    OpDefinition def { .name = name, .compute = noop };
    for (const QString &in : inputs)
        def.inputs.append(InputDefinition { .name = in });
    def.outputs[0].isDynamic = dynamic;
    return def;
}

} // namespace

class TestJobDefinition : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ordersNodesTopologicallyKeepingAddOrderForTies()
    {
        JobBuilder b(u"j"_s);
        b.add(op(u"d"_s, { u"x"_s, u"y"_s }), { { u"x"_s, from(u"b"_s) }, { u"y"_s, from(u"c"_s) } });
        b.add(op(u"c"_s, { u"x"_s }), { { u"x"_s, from(u"a"_s) } });
        b.add(op(u"b"_s, { u"x"_s }), { { u"x"_s, from(u"a"_s) } });
        b.add(op(u"a"_s));
        b.add(op(u"e"_s));
        auto job = b.build();
        QVERIFY2(job.ok(), qPrintable(job.ok() ? QString() : job.error().message));
        QStringList order;
        for (const JobNode &n : (*job)->nodes())
            order.append(n.op.name);
        QCOMPARE(order, (QStringList { u"a"_s, u"c"_s, u"b"_s, u"d"_s, u"e"_s }));
    }

    void rejectsInvalidGraphs_data()
    {
        QTest::addColumn<int>("graph");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cycle") << 0 << u"the ops a, b form a cycle"_s;
        QTest::newRow("unknown upstream") << 1 << u"input \"a.x\" depends on unknown op \"nope\""_s;
        QTest::newRow("unknown output") << 2 << u"depends on \"a.other\", which op \"a\" does not declare"_s;
        QTest::newRow("unwired input")
            << 3 << u"input \"b.x\" is neither wired to an upstream output nor has a default value"_s;
        QTest::newRow("duplicate op") << 4 << u"op name \"a\" is used twice"_s;
        QTest::newRow("collect of a regular output")
            << 5
            << u"op \"b\" collects \"a.result\", which is neither a dynamic output nor the output of a mapped op"_s;
        QTest::newRow("nested dynamic")
            << 6
            << u"op \"m\" is mapped over a.result and declares dynamic output \"result\": nested dynamic outputs are not supported"_s;
        QTest::newRow("two dynamic scopes")
            << 7 << u"op \"m\" is downstream of more than one dynamic output"_s;
        QTest::newRow("missing resource")
            << 8 << u"op \"a\" requires resource \"db\", which the job does not define"_s;
        QTest::newRow("no compute") << 9 << u"op \"a\" has no compute function"_s;
        QTest::newRow("wiring an undeclared input") << 10 << u"op \"a\" has no input \"x\" to wire"_s;
        QTest::newRow("invalid op name") << 11 << u"op name \"fan out[1]\" is not valid"_s;
        QTest::newRow("invalid output name") << 12 << u"op \"a\" has an invalid output name \"re-sult\""_s;
    }
    void rejectsInvalidGraphs()
    {
        QFETCH(int, graph);
        QFETCH(QString, expected);
        JobBuilder b(u"bad_job"_s);
        switch (graph) {
        case 0:
            b.add(op(u"a"_s, { u"x"_s }), { { u"x"_s, from(u"b"_s) } });
            b.add(op(u"b"_s, { u"x"_s }), { { u"x"_s, from(u"a"_s) } });
            break;
        case 1:
            b.add(op(u"a"_s, { u"x"_s }), { { u"x"_s, from(u"nope"_s) } });
            break;
        case 2:
            b.add(op(u"a"_s));
            b.add(op(u"b"_s, { u"x"_s }), { { u"x"_s, from(u"a"_s, u"other"_s) } });
            break;
        case 3:
            b.add(op(u"b"_s, { u"x"_s }));
            break;
        case 4:
            b.add(op(u"a"_s));
            b.add(op(u"a"_s));
            break;
        case 5:
            b.add(op(u"a"_s));
            b.add(op(u"b"_s, { u"x"_s }), { { u"x"_s, collect(u"a"_s) } });
            break;
        case 6:
            b.add(op(u"a"_s, {}, true));
            b.add(op(u"m"_s, { u"x"_s }, true), { { u"x"_s, from(u"a"_s) } });
            break;
        case 7:
            b.add(op(u"a"_s, {}, true));
            b.add(op(u"b"_s, {}, true));
            b.add(op(u"m"_s, { u"x"_s, u"y"_s }), { { u"x"_s, from(u"a"_s) }, { u"y"_s, from(u"b"_s) } });
            break;
        case 8: {
            OpDefinition a = op(u"a"_s);
            a.requiredResources = { u"db"_s };
            b.add(a);
            break;
        }
        case 9:
            b.add(OpDefinition { .name = u"a"_s });
            break;
        case 11:
            b.add(op(u"fan out[1]"_s));
            break;
        case 12: {
            OpDefinition a = op(u"a"_s);
            a.outputs[0].name = u"re-sult"_s;
            b.add(a);
            break;
        }
        case 10:
            b.add(op(u"z"_s));
            b.add(op(u"a"_s), { { u"x"_s, from(u"z"_s) } });
            break;
        }
        const auto job = b.build();
        QVERIFY(!job.ok());
        QCOMPARE(job.error().code, u"execution.invalid_job"_s);
        QVERIFY2(job.error().message.contains(expected), qPrintable(job.error().message));
        QVERIFY2(job.error().message.contains(u"job \"bad_job\""_s), qPrintable(job.error().message));
    }

    void dottedOpNamesKeepFlattenedGraphStepKeys()
    {
        JobBuilder b(u"j"_s);
        b.add(op(u"process_pipeline_subgraph.run_lif_adapter"_s));
        QVERIFY(b.build().ok());
    }

    void unwiredInputWithDefaultIsAccepted()
    {
        OpDefinition a = op(u"a"_s);
        a.inputs.append(InputDefinition { .name = u"x"_s, .defaultValue = QJsonValue(5) });
        JobBuilder b(u"j"_s);
        b.add(a);
        QVERIFY(b.build().ok());
    }

    void describesTheGraphForListJobs()
    {
        auto job = examples::fanoutJob().build();
        QVERIFY(job.ok());
        const QJsonObject graph = (*job)->graphJson();
        const QJsonArray ops = graph[u"ops"_s].toArray();
        QCOMPARE(ops.size(), 3);
        QCOMPARE(ops[0][u"name"_s].toString(), u"fan_out"_s);
        QCOMPARE(ops[0][u"outputs"_s][0][u"isDynamic"_s].toBool(), true);
        QCOMPARE(ops[0][u"isMapped"_s].toBool(), false);
        QCOMPARE(ops[1][u"name"_s].toString(), u"work"_s);
        QCOMPARE(ops[1][u"isMapped"_s].toBool(), true);
        QCOMPARE(ops[1][u"dynamicScope"_s].toString(), u"fan_out.result"_s);
        QCOMPARE(ops[2][u"inputs"_s][0][u"dependsOn"_s][u"kind"_s].toString(), u"collect"_s);
        const QJsonArray deps = graph[u"dependencies"_s].toArray();
        QCOMPARE(deps.size(), 2);
        QCOMPARE(deps[0].toObject(),
                 (QJsonObject {
                     { u"from"_s, QJsonObject { { u"op"_s, u"fan_out"_s }, { u"output"_s, u"result"_s } } },
                     { u"to"_s, QJsonObject { { u"op"_s, u"work"_s }, { u"input"_s, u"item"_s } } },
                     { u"kind"_s, u"output"_s } }));

        auto flaky = examples::flakyJob().build();
        QVERIFY(flaky.ok());
        const QJsonObject policy = (*flaky)->graphJson()[u"ops"_s][0][u"retryPolicy"_s].toObject();
        QCOMPARE(policy[u"max_retries"_s].toInt(), 3);
        QCOMPARE(policy[u"jitter"_s].toString(), u"PLUS_MINUS"_s);
    }

    void exportsRunConfigSchemaAndSkeleton()
    {
        auto job = examples::fanoutJob().build();
        QVERIFY(job.ok());
        const QJsonObject json = (*job)->toJson();
        QCOMPARE(json[u"name"_s].toString(), u"fanout_job"_s);
        QCOMPARE(json[u"tags"_s][u"lifdag/example"_s].toString(), u"true"_s);
        const QJsonObject schema = json[u"runConfigSchema"_s].toObject();
        const QJsonObject count = schema[u"properties"_s][u"ops"_s][u"properties"_s][u"fan_out"_s]
                                        [u"properties"_s][u"config"_s][u"properties"_s][u"count"_s]
                                            .toObject();
        QCOMPARE(count[u"type"_s].toString(), u"integer"_s);
        QCOMPARE(count[u"default"_s].toInt(), 10);
        QVERIFY(!schema.contains(u"required"_s)); // nothing required: every op config has defaults
        const QJsonObject skeleton = json[u"runConfigSkeleton"_s].toObject();
        QCOMPARE(skeleton[u"ops"_s][u"fan_out"_s][u"config"_s][u"sleep_ms"_s].toInt(), 0);
        QCOMPARE(skeleton[u"execution"_s][u"config"_s].toObject(),
                 (QJsonObject { { u"multiprocess"_s, QJsonObject() } }));
    }

    void defaultRunConfigIsLayeredUnderRunConfig()
    {
        JobBuilder b(u"j"_s);
        b.resource(ResourceDefinition {
            .name = u"config_resource"_s,
            .config = cfg::field(cfg::Shape({ { u"parts"_s, cfg::field(cfg::Array(cfg::String())) },
                                              { u"label"_s, cfg::field(cfg::String()) } })) });
        b.defaultRunConfig(QJsonObject {
            { u"resources"_s,
              QJsonObject { { u"config_resource"_s,
                              QJsonObject { { u"config"_s,
                                              QJsonObject { { u"parts"_s, QJsonArray { u"a"_s } },
                                                            { u"label"_s, u"default"_s } } } } } } } });
        b.add(op(u"a"_s));
        auto job = b.build();
        QVERIFY(job.ok());
        const ConfigValidation none = (*job)->validateRunConfig({});
        QVERIFY2(none.ok(), qPrintable(none.summary()));
        const ConfigValidation over = (*job)->validateRunConfig(QJsonObject {
            { u"resources"_s,
              QJsonObject {
                  { u"config_resource"_s,
                    QJsonObject {
                        { u"config"_s, QJsonObject { { u"parts"_s, QJsonArray { u"b"_s } } } } } } } } });
        QVERIFY(over.ok());
        const QJsonObject resolved = over.value[u"resources"_s][u"config_resource"_s][u"config"_s].toObject();
        QCOMPARE(resolved[u"parts"_s].toArray(), QJsonArray { u"b"_s });
        QCOMPARE(resolved[u"label"_s].toString(), u"default"_s);
    }

    void registryHoldsTheExampleJobs()
    {
        JobRegistry registry;
        QCOMPARE(registry.repositoryName(), u"__repository__"_s);
        QVERIFY(examples::registerExampleJobs(registry).ok());
        QCOMPARE(registry.jobNames(),
                 (QStringList { u"diamond_job"_s, u"env_check_job"_s, u"fanout_job"_s, u"flaky_job"_s, u"hello_job"_s }));
        QVERIFY(registry.job(u"hello_job"_s));
        QVERIFY(!registry.job(u"nope"_s));
        const Status again = registry.add(examples::helloJob());
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, u"execution.duplicate_job"_s);
        const QJsonObject json = registry.toJson();
        QCOMPARE(json[u"repository"_s].toString(), u"__repository__"_s);
        QCOMPARE(json[u"jobs"_s].toArray().size(), 5);
        QVERIFY(!json[u"jobs"_s][0][u"description"_s].toString().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestJobDefinition)
#include "tst_jobdefinition.moc"
