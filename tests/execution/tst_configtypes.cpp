#include <lifdag/execution/configtypes.h>
#include <lifdag/execution/examplejobs.h>

#include <QJsonDocument>
#include <QTest>

using namespace lifdag::execution;
using namespace Qt::StringLiterals;

namespace {

QJsonValue json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", text);
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

// The shape of LIF's job run config: a resource with a list of query plan parts.
ConfigField lifLikeRunConfig()
{
    const ConfigTypePtr part = cfg::Shape({
        { u"adapter_id"_s, cfg::field(cfg::String()) },
        { u"information_source_id"_s, cfg::field(cfg::String()) },
        { u"person_id"_s,
          cfg::field(cfg::Shape({ { u"identifier"_s, cfg::field(cfg::String()) },
                                  { u"identifierType"_s, cfg::field(cfg::String()) } })) },
        { u"lif_fragment_paths"_s, cfg::defaulted(cfg::Array(cfg::String()), QJsonArray()) },
        { u"translation"_s,
          cfg::field(cfg::Noneable(cfg::Shape({ { u"source_schema_id"_s, cfg::field(cfg::String()) },
                                                { u"target_schema_id"_s, cfg::field(cfg::String()) } }))) },
    });
    const ConfigTypePtr resource =
        cfg::Shape({ { u"config"_s,
                       cfg::field(cfg::Shape({
                           { u"lif_query_plan_parts"_s, cfg::field(cfg::Array(part)) },
                       })) } });
    return cfg::field(cfg::Shape({
        { u"resources"_s, cfg::field(cfg::Shape({ { u"config_resource"_s, cfg::field(resource) } })) },
        { u"execution"_s,
          cfg::defaulted(cfg::Selector({ { u"multiprocess"_s,
                                           cfg::field(cfg::Shape(
                                               { { u"max_concurrent"_s, cfg::defaulted(cfg::Int(), 0) } })) },
                                         { u"in_process"_s, cfg::field(cfg::Shape({})) } }),
                         QJsonObject { { u"multiprocess"_s, QJsonObject() } }) },
        { u"mode"_s, cfg::defaulted(cfg::Enum(u"Mode"_s, { u"FAST"_s, u"SAFE"_s }), u"SAFE"_s) },
        { u"ratio"_s, cfg::optionalField(cfg::Float()) },
        { u"flags"_s,
          cfg::optionalField(cfg::Permissive({ { u"verbose"_s, cfg::defaulted(cfg::Bool(), false) } })) },
        { u"anything"_s, cfg::optionalField(cfg::Any()) },
    }));
}

const char *kValidPart = R"({"adapter_id": "lif-to-lif", "information_source_id": "org2",
                            "person_id": {"identifier": "100001", "identifierType": "School-assigned number"}})";

} // namespace

class TestConfigTypes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reportsEveryViolationWithPathAndReason_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QStringList>("expected"); // "reason path"
        const QByteArray part = kValidPart;
        auto parts = [](const QByteArray &list) -> QByteArray {
            return R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": )" + list
                + "}}}}";
        };
        QTest::newRow("valid") << parts(QByteArray('[' + part + ']')) << QStringList {};
        QTest::newRow("missing adapter_id in a list item")
            << parts(
                   R"([{"information_source_id": "org2", "person_id": {"identifier": "1", "identifierType": "x"}}])")
            << QStringList {
                   u"MISSING_REQUIRED_FIELD resources.config_resource.config.lif_query_plan_parts[0].adapter_id"_s
               };
        QTest::newRow("two missing fields in the second item")
            << parts(
                   '[' + part
                   + R"(, {"adapter_id": "a", "person_id": {"identifier": "1", "identifierType": "x"}, "translation": null, "information_source_id": "o"}, {"person_id": {"identifier": "1", "identifierType": "x"}}])")
            << QStringList {
                   u"MISSING_REQUIRED_FIELDS resources.config_resource.config.lif_query_plan_parts[2]"_s
               };
        QTest::newRow("wrong scalar type deep inside")
            << parts(
                   R"([{"adapter_id": 7, "information_source_id": "org2", "person_id": {"identifier": "1", "identifierType": "x"}}])")
            << QStringList {
                   u"RUNTIME_TYPE_MISMATCH resources.config_resource.config.lif_query_plan_parts[0].adapter_id"_s
               };
        QTest::newRow("array item of the wrong type")
            << parts(
                   R"([{"adapter_id": "a", "information_source_id": "o", "lif_fragment_paths": ["person.all", 3], "person_id": {"identifier": "1", "identifierType": "x"}}])")
            << QStringList {
                   u"RUNTIME_TYPE_MISMATCH resources.config_resource.config.lif_query_plan_parts[0].lif_fragment_paths[1]"_s
               };
        QTest::newRow("list expected")
            << parts(R"({"adapter_id": "a"})")
            << QStringList {
                   u"RUNTIME_TYPE_MISMATCH resources.config_resource.config.lif_query_plan_parts"_s
               };
        QTest::newRow("unknown key in a strict shape")
            << parts(
                   R"([{"adapter_id": "a", "information_source_id": "o", "person_id": {"identifier": "1", "identifierType": "x"}, "adapter": "typo"}])")
            << QStringList {
                   u"FIELD_NOT_DEFINED resources.config_resource.config.lif_query_plan_parts[0].adapter"_s
               };
        QTest::newRow("several unknown top-level keys") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "solids": {}, "storage": {}})")
                                                        << QStringList { u"FIELDS_NOT_DEFINED "_s };
        QTest::newRow("missing resource section")
            << QByteArray("{}") << QStringList { u"MISSING_REQUIRED_FIELD resources"_s };
        QTest::newRow("two selector choices") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "execution": {"multiprocess": {}, "in_process": {}}})")
                                              << QStringList { u"SELECTOR_FIELD_ERROR execution"_s };
        QTest::newRow("empty selector without default choice") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "execution": {}})")
                                                               << QStringList {
                                                                      u"SELECTOR_FIELD_ERROR execution"_s
                                                                  };
        QTest::newRow("unknown selector choice") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "execution": {"docker": {}}})")
                                                 << QStringList { u"FIELD_NOT_DEFINED execution.docker"_s };
        QTest::newRow("float given for int") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "execution": {"multiprocess": {"max_concurrent": 2.5}}})")
                                             << QStringList {
                                                    u"RUNTIME_TYPE_MISMATCH execution.multiprocess.max_concurrent"_s
                                                };
        QTest::newRow("bool given for int") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "execution": {"multiprocess": {"max_concurrent": true}}})")
                                            << QStringList {
                                                   u"RUNTIME_TYPE_MISMATCH execution.multiprocess.max_concurrent"_s
                                               };
        QTest::newRow("enum value not allowed") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "mode": "QUICK"})")
                                                << QStringList { u"RUNTIME_TYPE_MISMATCH mode"_s };
        QTest::newRow("string given for float") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "ratio": "0.5"})")
                                                << QStringList { u"RUNTIME_TYPE_MISMATCH ratio"_s };
        QTest::newRow("permissive keeps unknown keys, checks known ones") << QByteArray(
            R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": []}}}, "flags": {"extra": 1, "verbose": "yes"}})")
                                                                          << QStringList {
                                                                                 u"RUNTIME_TYPE_MISMATCH flags.verbose"_s
                                                                             };
        QTest::newRow("violations in several places are all listed")
            << parts(
                   R"([{"adapter_id": 1, "information_source_id": "o", "person_id": {"identifierType": "x"}, "bogus": 1}])")
            << QStringList {
                   u"FIELD_NOT_DEFINED resources.config_resource.config.lif_query_plan_parts[0].bogus"_s,
                   u"RUNTIME_TYPE_MISMATCH resources.config_resource.config.lif_query_plan_parts[0].adapter_id"_s,
                   u"MISSING_REQUIRED_FIELD resources.config_resource.config.lif_query_plan_parts[0].person_id.identifier"_s
               };
    }
    void reportsEveryViolationWithPathAndReason()
    {
        QFETCH(QByteArray, config);
        QFETCH(QStringList, expected);
        const ConfigValidation v = validateConfig(lifLikeRunConfig(), json(config.constData()));
        QStringList got;
        for (const ConfigError &e : v.errors) {
            got.append(configErrorReasonName(e.reason) + u' ' + e.path);
            QVERIFY2(!e.message.isEmpty(), "every violation has a message");
        }
        QCOMPARE(got, expected);
        QCOMPARE(v.ok(), expected.isEmpty());
    }

    void violationJsonHasDagsterShape()
    {
        const ConfigValidation v =
            validateConfig(lifLikeRunConfig(), json(R"({"resources": {}, "extra": 1, "more": 2})"));
        QCOMPARE(v.errors.size(), 2);
        const QJsonObject first = v.errorsToJson().at(0).toObject();
        QCOMPARE(first[u"reason"_s].toString(), u"FIELDS_NOT_DEFINED"_s);
        QCOMPARE(first[u"path"_s].toString(), QString());
        QCOMPARE(first[u"fields"_s].toArray(), (QJsonArray { u"extra"_s, u"more"_s }));
        QVERIFY(first[u"message"_s].toString().contains(u"\"extra\", \"more\""_s));
        const QJsonObject second = v.errorsToJson().at(1).toObject();
        QCOMPARE(second[u"reason"_s].toString(), u"MISSING_REQUIRED_FIELD"_s);
        QCOMPARE(second[u"path"_s].toString(), u"resources.config_resource"_s);
        QVERIFY2(second[u"message"_s].toString().contains(u"\"config_resource\" at path resources"_s),
                 qPrintable(second[u"message"_s].toString()));
    }

    void typeMismatchMessageSaysExpectedAndFound()
    {
        const ConfigValidation v =
            validateConfig(cfg::field(cfg::Shape({ { u"count"_s, cfg::field(cfg::Int()) } })),
                           json(R"({"count": "ten"})"), u"ops.fan_out.config"_s);
        QCOMPARE(v.errors.size(), 1);
        QCOMPARE(v.errors[0].path, u"ops.fan_out.config.count"_s);
        QCOMPARE(v.errors[0].message,
                 u"Invalid value at path ops.fan_out.config.count: expected Int, got string \"ten\"."_s);
    }

    void appliesDefaultsAtEveryLevel()
    {
        const ConfigValidation v = validateConfig(
            lifLikeRunConfig(),
            json(
                R"({"resources": {"config_resource": {"config": {"lif_query_plan_parts": [)"
                R"({"adapter_id": "a", "information_source_id": "o", "person_id": {"identifier": "1", "identifierType": "x"}}]}}}})"));
        QVERIFY2(v.ok(), qPrintable(v.summary()));
        const QJsonObject out = v.value.toObject();
        const QJsonObject part =
            out[u"resources"_s][u"config_resource"_s][u"config"_s][u"lif_query_plan_parts"_s][0].toObject();
        QCOMPARE(part[u"lif_fragment_paths"_s].toArray(), QJsonArray()); // default
        QVERIFY(part[u"translation"_s].isNull()); // Noneable without default → null
        QCOMPARE(out[u"execution"_s].toObject(),
                 (QJsonObject {
                     { u"multiprocess"_s,
                       QJsonObject { { u"max_concurrent"_s, 0 } } } })); // selector default, nested default
        QCOMPARE(out[u"mode"_s].toString(), u"SAFE"_s);
        QVERIFY(!out.contains(u"ratio"_s)); // optional, no default: stays absent
        QVERIFY(!out.contains(u"flags"_s));
    }

    void emptyYamlEntryCountsAsEmptyObject()
    {
        const ConfigField f = cfg::field(cfg::Shape(
            { { u"config"_s, cfg::field(cfg::Shape({ { u"n"_s, cfg::defaulted(cfg::Int(), 3) } })) } }));
        const ConfigValidation v = validateConfig(f, json(R"({"config": null})"));
        QVERIFY2(v.ok(), qPrintable(v.summary()));
        QCOMPARE(v.value[u"config"_s][u"n"_s].toInt(), 3);
    }

    void allOptionalShapeIsNotRequired()
    {
        const ConfigTypePtr inner = cfg::Shape({ { u"a"_s, cfg::defaulted(cfg::Int(), 1) } });
        QVERIFY(!cfg::field(inner).isRequired());
        QVERIFY(cfg::field(cfg::Shape({ { u"a"_s, cfg::field(cfg::Int()) } })).isRequired());
        QVERIFY(!cfg::field(cfg::Noneable(cfg::Int())).isRequired());
        const ConfigValidation v =
            validateConfig(cfg::field(cfg::Shape({ { u"inner"_s, cfg::field(inner) } })), QJsonObject());
        QVERIFY(v.ok());
        QCOMPARE(v.value[u"inner"_s][u"a"_s].toInt(), 1);
    }

    void missingTopLevelValueIsReported()
    {
        const ConfigValidation v =
            validateConfig(cfg::field(cfg::Int()), QJsonValue(QJsonValue::Undefined), u"x"_s);
        QCOMPARE(v.errors.size(), 1);
        QCOMPARE(v.errors[0].reason, ConfigErrorReason::MissingRequiredField);
        QCOMPARE(v.errors[0].path, u"x"_s);
    }

    void exportsJsonSchema()
    {
        const QJsonObject schema = toJsonSchema(lifLikeRunConfig());
        QCOMPARE(schema[u"$schema"_s].toString(), u"https://json-schema.org/draft/2020-12/schema"_s);
        QCOMPARE(schema[u"type"_s].toString(), u"object"_s);
        QCOMPARE(schema[u"required"_s].toArray(), QJsonArray { u"resources"_s });
        QCOMPARE(schema[u"additionalProperties"_s].toBool(), false);
        const QJsonObject parts =
            schema[u"properties"_s][u"resources"_s][u"properties"_s][u"config_resource"_s][u"properties"_s]
                  [u"config"_s][u"properties"_s][u"lif_query_plan_parts"_s]
                      .toObject();
        QCOMPARE(parts[u"type"_s].toString(), u"array"_s);
        const QJsonObject item = parts[u"items"_s].toObject();
        QCOMPARE(item[u"properties"_s][u"adapter_id"_s][u"type"_s].toString(), u"string"_s);
        QCOMPARE(item[u"properties"_s][u"lif_fragment_paths"_s][u"default"_s].toArray(), QJsonArray());
        QCOMPARE(item[u"properties"_s][u"translation"_s][u"anyOf"_s].toArray().size(), 2);
        QCOMPARE(schema[u"properties"_s][u"execution"_s][u"oneOf"_s].toArray().size(), 2);
        QCOMPARE(schema[u"properties"_s][u"mode"_s][u"enum"_s].toArray(),
                 (QJsonArray { u"FAST"_s, u"SAFE"_s }));
        QCOMPARE(schema[u"properties"_s][u"flags"_s][u"additionalProperties"_s].toBool(), true);
        QCOMPARE(schema[u"properties"_s][u"ratio"_s][u"type"_s].toString(), u"number"_s);
    }

    void skeletonHasEveryFieldWithDefaults()
    {
        const QJsonObject skeleton = configSkeleton(lifLikeRunConfig()).toObject();
        QCOMPARE(skeleton[u"mode"_s].toString(), u"SAFE"_s);
        QCOMPARE(skeleton[u"execution"_s].toObject(), (QJsonObject { { u"multiprocess"_s, QJsonObject() } }));
        QCOMPARE(
            skeleton[u"resources"_s][u"config_resource"_s][u"config"_s][u"lif_query_plan_parts"_s].toArray(),
            QJsonArray());
        QVERIFY(skeleton[u"ratio"_s].isDouble());
        QVERIFY(skeleton[u"anything"_s].isNull());
    }

    void mergeLayersObjectsAndReplacesLists()
    {
        const QJsonValue merged = mergeConfig(json(R"({"a": {"x": 1, "y": [1, 2]}, "b": 1})"),
                                              json(R"({"a": {"y": [3]}, "c": 2})"));
        QCOMPARE(merged, json(R"({"a": {"x": 1, "y": [3]}, "b": 1, "c": 2})"));
    }

    void exampleJobRunConfigIsValidatedWithDefaults()
    {
        auto job = examples::fanoutJob().build();
        QVERIFY(job.ok());
        const ConfigValidation defaults = (*job)->validateRunConfig({});
        QVERIFY2(defaults.ok(), qPrintable(defaults.summary()));
        QCOMPARE(
            defaults.value[u"ops"_s][u"fan_out"_s][u"config"_s].toObject(),
            (QJsonObject { { u"count"_s, 10 }, { u"sleep_ms"_s, 0 }, { u"fail_keys"_s, QJsonArray() } }));
        QVERIFY(defaults.value[u"execution"_s][u"config"_s][u"multiprocess"_s][u"max_concurrent"_s].isNull());
        QCOMPARE(defaults.value[u"loggers"_s][u"console"_s][u"config"_s][u"log_level"_s].toString(),
                 u"DEBUG"_s);

        const ConfigValidation bad = (*job)->validateRunConfig(
            json(
                R"({"ops": {"fan_out": {"config": {"count": "x", "sleep": 1}}, "fan_in": {}}, "execution": {"config": {"multiprocess": {"max_concurrent": 4}}}})")
                .toObject());
        QStringList got;
        for (const ConfigError &e : bad.errors)
            got.append(configErrorReasonName(e.reason) + u' ' + e.path);
        QCOMPARE(
            got,
            (QStringList { u"FIELD_NOT_DEFINED ops.fan_in"_s, u"FIELD_NOT_DEFINED ops.fan_out.config.sleep"_s,
                           u"RUNTIME_TYPE_MISMATCH ops.fan_out.config.count"_s }));
    }
};

QTEST_GUILESS_MAIN(TestConfigTypes)
#include "tst_configtypes.moc"
