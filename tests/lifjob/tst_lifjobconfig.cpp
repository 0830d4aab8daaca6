// lif_dynamic_pipeline_job's definition: LIF's mapping keys, the run config and its validation
// paths, the graph and retry policies.
#include <lifdag/lifjob/lifjob.h>

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::execution;

namespace {

QJsonObject runConfig(const QJsonArray &parts)
{
    return QJsonObject {
        { u"resources"_s,
          QJsonObject {
              { u"config_resource"_s,
                QJsonObject { { u"config"_s, QJsonObject { { u"lif_query_plan_parts"_s, parts } } } } } } }
    };
}

QJsonObject goodPart()
{
    return QJsonDocument::fromJson(R"({"information_source_id":"org1-example-data-source",
        "adapter_id":"example-data-source-rest-api-to-lif",
        "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
        "lif_fragment_paths":["person.employmentPreferences"],
        "translation":{"source_schema_id":"26","target_schema_id":"17"}})")
        .object();
}

JobPtr job()
{
    lifjob::Options options;
    options.adapters = std::make_shared<adapters::AdapterRegistry>();
    auto built = lifjob::lifDynamicPipelineJob(options).build();
    if (!built)
        qFatal("%s", qPrintable(built.error().message));
    return *built;
}

} // namespace

class TestLifJobConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pythonFloatReprMatchesStrOfTime_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("microseconds") << 1712345678.123456 << u"1712345678.123456"_s;
        QTest::newRow("whole") << 1712345678.0 << u"1712345678.0"_s;
        QTest::newRow("half") << 1700000000.5 << u"1700000000.5"_s;
        QTest::newRow("shortest round trip") << 1712345678.1234567 << u"1712345678.1234567"_s;
    }
    void pythonFloatReprMatchesStrOfTime()
    {
        QFETCH(double, value);
        QFETCH(QString, text);
        QCOMPARE(lifjob::pythonFloatRepr(value), text);
    }

    void mappingKeyIsComputedAsLifDoes_data()
    {
        QTest::addColumn<QString>("adapter");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("identifier");
        QTest::addColumn<double>("time");
        QTest::addColumn<QString>("key");
        // Hashes: hashlib.sha256(str(t).replace(".", "_").encode()).hexdigest()[:8]
        QTest::newRow("lif-to-lif") << u"lif-to-lif"_s << u"org2"_s << u"100001"_s << 1712345678.123456
                                    << u"lif_to_lif__org2__100001__7348508f"_s;
        QTest::newRow("example source")
            << u"example-data-source-rest-api-to-lif"_s << u"org1-example-data-source"_s << u"100001"_s
            << 1712345678.0
            << u"example_data_source_rest_api_to_lif__org1_example_data_source__100001__0d5b7ef1"_s;
        QTest::newRow("identifier kept as it is")
            << u"a"_s << u"b"_s << u"x-1"_s << 1700000000.5 << u"a__b__x-1__702bd5b3"_s;
    }
    void mappingKeyIsComputedAsLifDoes()
    {
        QFETCH(QString, adapter);
        QFETCH(QString, source);
        QFETCH(QString, identifier);
        QFETCH(double, time);
        QFETCH(QString, key);
        adapters::QueryPlanPart part;
        part.adapterId = adapter;
        part.informationSourceId = source;
        part.personId.identifier = identifier;
        QCOMPARE(lifjob::generateMappingKey(part, time), key);
    }

    void graphIsLifsWithTheResultStep()
    {
        const JobPtr j = job();
        QCOMPARE(j->name(), u"lif_dynamic_pipeline_job"_s);
        QStringList names;
        for (const JobNode &n : j->nodes())
            names << n.op.name;
        QCOMPARE(names,
                 (QStringList { u"create_dynamic_pipelines"_s, u"run_lif_adapter"_s, u"run_translation"_s,
                                u"collect_query_plan_part_results"_s, u"send_results_to_query_planner"_s }));
        QVERIFY(j->node(u"run_lif_adapter"_s)->isMapped());
        QVERIFY(j->node(u"run_translation"_s)->isMapped());
        QCOMPARE(j->node(u"collect_query_plan_part_results"_s)->inputs.value(u"results"_s).kind,
                 InputSource::Kind::Collect);
        QCOMPARE(j->tags().value(QString(kResultStepTag)), u"collect_query_plan_part_results"_s);
        for (const char *op : { "run_lif_adapter", "run_translation", "send_results_to_query_planner" }) {
            const auto policy = j->retryPolicyFor(*j->node(QString::fromLatin1(op)));
            QVERIFY(policy);
            QCOMPARE(policy->toJson(),
                     (QJsonObject { { u"max_retries"_s, 3 },
                                    { u"delay"_s, 0.2 },
                                    { u"backoff"_s, u"EXPONENTIAL"_s },
                                    { u"jitter"_s, u"PLUS_MINUS"_s } }));
        }
        QVERIFY(!j->retryPolicyFor(*j->node(u"create_dynamic_pipelines"_s)));
    }

    void acceptsLifsConfig()
    {
        QJsonObject extra = goodPart();
        extra.insert(u"future_member"_s, 1); // pydantic ignores unknown members
        QJsonObject noTranslation = goodPart();
        noTranslation.remove(u"translation"_s);
        QJsonObject nullTranslation = goodPart();
        nullTranslation.insert(u"translation"_s, QJsonValue::Null);
        const ConfigValidation v =
            job()->validateRunConfig(runConfig({ goodPart(), extra, noTranslation, nullTranslation }));
        QVERIFY2(v.ok(), qPrintable(v.summary()));
        QCOMPARE(v.value[u"resources"_s][u"config_resource"_s][u"config"_s][u"lif_query_plan_parts"_s]
                     .toArray()
                     .size(),
                 4);
        // No config: LIF's three example parts, as its job's default run config.
        const ConfigValidation defaults = job()->validateRunConfig({});
        QVERIFY2(defaults.ok(), qPrintable(defaults.summary()));
        const QJsonArray parts =
            defaults.value[u"resources"_s][u"config_resource"_s][u"config"_s][u"lif_query_plan_parts"_s]
                .toArray();
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts[2][u"translation"_s][u"target_schema_id"_s].toString(), u"17"_s);
        // A plan given replaces the default one.
        const ConfigValidation empty = job()->validateRunConfig(runConfig({}));
        QCOMPARE(empty.value[u"resources"_s][u"config_resource"_s][u"config"_s][u"lif_query_plan_parts"_s]
                     .toArray(),
                 QJsonArray());
    }

    void rejectsInvalidPartsWithPaths_data()
    {
        QTest::addColumn<QJsonObject>("config");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reason");
        const QString parts = u"resources.config_resource.config.lif_query_plan_parts"_s;
        QJsonObject noAdapter = goodPart();
        noAdapter.remove(u"adapter_id"_s);
        QTest::newRow("missing adapter_id") << runConfig({ goodPart(), noAdapter })
                                            << parts + u"[1].adapter_id"_s << u"MISSING_REQUIRED_FIELD"_s;
        QJsonObject numericId = goodPart();
        numericId.insert(u"person_id"_s,
                         QJsonObject { { u"identifier"_s, 100001 }, { u"identifierType"_s, u"x"_s } });
        QTest::newRow("identifier not text")
            << runConfig({ numericId }) << parts + u"[0].person_id.identifier"_s
            << u"RUNTIME_TYPE_MISMATCH"_s;
        QJsonObject badPaths = goodPart();
        badPaths.insert(u"lif_fragment_paths"_s, u"person.name"_s);
        QTest::newRow("paths not a list")
            << runConfig({ badPaths }) << parts + u"[0].lif_fragment_paths"_s << u"RUNTIME_TYPE_MISMATCH"_s;
        QJsonObject badTranslation = goodPart();
        badTranslation.insert(u"translation"_s, QJsonObject { { u"source_schema_id"_s, u"26"_s } });
        QTest::newRow("translation without target")
            << runConfig({ badTranslation }) << parts + u"[0].translation.target_schema_id"_s
            << u"MISSING_REQUIRED_FIELD"_s;
        QTest::newRow("part not an object")
            << runConfig({ u"org2"_s }) << parts + u"[0]"_s << u"RUNTIME_TYPE_MISMATCH"_s;
        QTest::newRow("parts not a list") << QJsonObject {
            { u"resources"_s,
              QJsonObject {
                  { u"config_resource"_s,
                    QJsonObject { { u"config"_s, QJsonObject { { u"lif_query_plan_parts"_s, 3 } } } } } } }
        } << parts << u"RUNTIME_TYPE_MISMATCH"_s;
        QTest::newRow("unknown resource member")
            << QJsonObject { { u"resources"_s,
                               QJsonObject {
                                   { u"config_resource"_s,
                                     QJsonObject { { u"config"_s,
                                                     QJsonObject { { u"parts"_s, QJsonArray() } } } } } } } }
            << u"resources.config_resource.config.parts"_s << u"FIELD_NOT_DEFINED"_s;
    }
    void rejectsInvalidPartsWithPaths()
    {
        QFETCH(QJsonObject, config);
        QFETCH(QString, path);
        QFETCH(QString, reason);
        const ConfigValidation v = job()->validateRunConfig(config);
        QVERIFY(!v.ok());
        QCOMPARE(v.errors.size(), 1);
        QCOMPARE(v.errors.first().path, path);
        QCOMPARE(configErrorReasonName(v.errors.first().reason), reason);
    }

    void settingsComeFromLifsVariables()
    {
        QProcessEnvironment env;
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s, u" http://qp:8002 "_s);
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_TOKEN"_s, u"qp-token"_s);
        env.insert(u"LIF_TRANSLATOR_BASE_URL"_s, u"http://translator:8007"_s);
        env.insert(u"LIF_TRANSLATOR_MAPPINGS_DIR"_s, u"/mappings"_s);
        env.insert(u"LIF_MDR_API_URL"_s, u"http://mdr:8012"_s);
        env.insert(u"LIF_HTTP_TIMEOUT_SECONDS"_s, u"2.5"_s);
        const lifjob::Settings s = lifjob::Settings::fromEnvironment(env);
        QCOMPARE(s.queryPlannerResultsBaseUrl, u"http://qp:8002"_s);
        QCOMPARE(s.queryPlannerResultsToken, u"qp-token"_s);
        QCOMPARE(s.translatorBaseUrl, u"http://translator:8007"_s);
        QCOMPARE(s.mappingsDirectory, u"/mappings"_s);
        QCOMPARE(s.mdr.baseUrl, QUrl(u"http://mdr:8012"_s));
        QCOMPARE(s.httpTimeout, std::chrono::milliseconds(2500));
        QCOMPARE(lifjob::Settings::fromEnvironment(QProcessEnvironment()).httpTimeout,
                 std::chrono::milliseconds(30000));
    }
};

QTEST_GUILESS_MAIN(TestLifJobConfig)
#include "tst_lifjobconfig.moc"
