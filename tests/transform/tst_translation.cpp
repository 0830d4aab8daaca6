// LIF's translator semantics: source validation, ordered mappings, skips, rollback, final validation;
// and the mapping directory loader feeding a Transformer.
#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/transformer.h>
#include <lifdag/transform/translation.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag::transform;

namespace {
QJsonObject obj(const char *json)
{
    QJsonParseError e;
    const auto doc = QJsonDocument::fromJson(QByteArray(json), &e);
    if (e.error != QJsonParseError::NoError)
        qFatal("bad fixture JSON: %s", json);
    return doc.object();
}
QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

const char *kSourceSchema = R"({"type":"object","required":["first"], "properties":{"first":{"type":"string"},"age":{"type":"integer"}, "items":{"type":"array","items":{"type":"integer"}}}})";
const char *kTargetSchema = R"({"type":"object","additionalProperties":false, "properties":{"name":{"type":"string"},"age":{"type":"number","maximum":150}, "tags":{"type":"array","items":{"type":"string"}}}})";

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}
} // namespace

class TestTranslation : public QObject
{
    Q_OBJECT
private Q_SLOTS:

    void rollsBackOnlyTheViolatingMappingsAndSkipsFailingOnes()
    {
        TranslationSpec spec { u"S"_s, u"T"_s, obj(kSourceSchema), obj(kTargetSchema),
                               { u"{\"name\": first}"_s, // 0 kept
                                 u"{\"age\": 200}"_s, // 1 violates maximum: rolled back
                                 u"{\"age\": age}"_s, // 2 kept
                                 u"$error(\"boom\")"_s, // 3 evaluation error: skipped
                                 u"\"just text\""_s, // 4 not an object: skipped
                                 u"{\"unknown\": 1}"_s, // 5 additionalProperties: rolled back
                                 u"{{"_s, // 6 does not compile: skipped
                                 u"{\"tags\": [\"a\", \"b\"]}"_s, // 7 kept
                                 u"{\"tags\": [\"b\", \"c\"]}"_s } }; // 8 kept, appends "c"
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"mapping 6 .* does not compile"_s));
        auto translation = Translation::compile(spec);
        if (!translation.ok())
            QFAIL(qPrintable(translation.error().message));
        QCOMPARE(translation->mappingCount(), 9);

        for (const char *index : { "1", "3", "4", "5", "6" })
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"mapping "_s + QLatin1StringView(index) + u":"_s));
        TranslationReport report;
        auto result = translation->run(obj(R"({"first":"Ada","age":36})"), &report);
        if (!result.ok())
            QFAIL(qPrintable(result.error().message));
        QCOMPARE(compact(result.value()), QByteArray(R"({"age":36,"name":"Ada","tags":["a","b","c"]})"));
        QCOMPARE(report.failed, (QList<int> { 3, 6 }));
        QCOMPARE(report.nonObject, (QList<int> { 4 }));
        QCOMPARE(report.discarded, (QList<int> { 1, 5 }));
        QVERIFY(report.warnings.at(0).contains(u"\"/age\""_s)); // mapping 1 names the pointer
        for (const QString &w : report.warnings)
            QVERIFY2(!w.contains(u"Ada"_s) && !w.contains(u"boom"_s), qPrintable(w)); // no data in warnings
    }

    void rejectsSourceThatDoesNotConform_data()
    {
        QTest::addColumn<QJsonObject>("input");
        QTest::addColumn<QString>("pointer");
        QTest::newRow("wrong item type") << obj(R"({"first":"Ada","items":[1,"x"]})") << u"\"/items/1\""_s;
        QTest::newRow("missing required") << obj(R"({"age":3})") << u"\"\""_s;
        QTest::newRow("wrong member type") << obj(R"({"first":7})") << u"\"/first\""_s;
    }
    void rejectsSourceThatDoesNotConform()
    {
        QFETCH(QJsonObject, input);
        QFETCH(QString, pointer);
        auto translation = Translation::compile({ u"S"_s, u"T"_s, obj(kSourceSchema), obj(kTargetSchema),
                                                  { u"{\"name\": first}"_s } });
        QVERIFY(translation.ok());
        auto result = translation->run(input);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, u"transform.invalid_source"_s);
        QVERIFY2(result.error().message.contains(u"does not conform"_s), qPrintable(result.error().message));
        QVERIFY2(result.error().message.contains(u"at "_s + pointer), qPrintable(result.error().message));
    }

    void rejectsFinalResultThatDoesNotConform()
    {
        // Every merge misses "name", so each is rolled back and the empty result fails too.
        const QJsonObject target = obj(R"({"type":"object","required":["name"]})");
        auto translation = Translation::compile({ u"S"_s, u"T"_s, QJsonObject(), target, { u"{\"age\": 1}"_s } });
        QVERIFY(translation.ok());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"discarding mapping 0"_s));
        auto result = translation->run(obj(R"({"first":"Ada"})"));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, u"transform.invalid_result"_s);
        QVERIFY2(result.error().message.contains(u"does not conform to the schema of target data model T"_s),
                 qPrintable(result.error().message));
    }

    void rejectsSchemaThatDoesNotCompile()
    {
        auto translation = Translation::compile(
            { u"S"_s, u"T"_s, obj("{\"$ref\":\"#/definitions/missing\"}"), QJsonObject(), {} });
        QVERIFY(!translation.ok());
        QVERIFY2(translation.error().message.contains(u"source data model S"_s),
                 qPrintable(translation.error().message));
    }

    void loadsMappingDirectoryInFileAndListOrder()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"a-group.json"_s),
                  "{\"SourceDataModelId\":6,\"TargetDataModelId\":17,\"Transformations\":[ {\"Expression\":\"{\\\"name\\\": first}\",\"ExpressionLanguage\":\"JSONata\"}, {\"Expression\":\"\"}, {\"Expression\":\"{\\\"tags\\\": [\\\"x\\\"]}\"}]}");
        writeFile(dir.filePath(u"b-group.json"_s),
                  "{\"SourceDataModelId\":\"6\",\"TargetDataModelId\":\"17\",\"Transformations\":[ {\"Expression\":\"{\\\"age\\\": age}\"}]}");
        writeFile(dir.filePath(u"other-pair.json"_s),
                  R"({"SourceDataModelId":6,"TargetDataModelId":99,"Transformations":[{"Expression":"{}"}]})");
        writeFile(dir.filePath(u"not-a-group.json"_s), R"({"something":"else"})");
        writeFile(dir.filePath(u"schemas/6.json"_s), kSourceSchema);
        writeFile(dir.filePath(u"schemas/17.json"_s), kTargetSchema);

        DirectoryMappingSource source(dir.path());
        auto spec = source.load(u"6"_s, u"17"_s);
        if (!spec.ok())
            QFAIL(qPrintable(spec.error().message));
        QCOMPARE(spec->mappings,
                 (QStringList { u"{\"name\": first}"_s, u"{\"tags\": [\"x\"]}"_s, u"{\"age\": age}"_s }));
        QCOMPARE(spec->sourceSchema, obj(kSourceSchema));
        QCOMPARE(spec->targetSchema, obj(kTargetSchema));

        auto missingSchema = source.load(u"6"_s, u"99"_s);
        QVERIFY(!missingSchema.ok());
        QCOMPARE(missingSchema.error().code, u"transform.not_found"_s);
        QVERIFY2(missingSchema.error().message.contains(u"schemas/99.json"_s), qPrintable(missingSchema.error().message));

        auto unknownPair = source.load(u"17"_s, u"6"_s);
        QVERIFY(!unknownPair.ok());
        QCOMPARE(unknownPair.error().code, u"transform.not_found"_s);

        Transformer transformer(std::make_shared<DirectoryMappingSource>(dir.path()));
        auto result = transformer.translate(u"6"_s, u"17"_s, obj(R"({"first":"Ada","age":36})"));
        if (!result.ok())
            QFAIL(qPrintable(result.error().message));
        QCOMPARE(compact(result.value()), QByteArray(R"({"age":36,"name":"Ada","tags":["x"]})"));
    }

    void reportsMalformedDirectoryFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("invalid JSON") << QByteArray("{\"Transformations\": [") << u"invalid JSON at byte"_s;
        QTest::newRow("not an object") << QByteArray("[1]") << u"expected a JSON object"_s;
        QTest::newRow("transformations not a list")
            << QByteArray(R"({"SourceDataModelId":1,"TargetDataModelId":2,"Transformations":{}})")
            << u"\"Transformations\" must be an array"_s;
        QTest::newRow("other language")
            << QByteArray(R"({"SourceDataModelId":1,"TargetDataModelId":2, "Transformations":[{"Expression":"x","ExpressionLanguage":"XSLT"}]})")
            << u"Transformations[0].ExpressionLanguage is \"XSLT\", expected JSONata"_s;
    }
    void reportsMalformedDirectoryFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        writeFile(dir.filePath(u"group.json"_s), content);
        auto spec = DirectoryMappingSource(dir.path()).load(u"1"_s, u"2"_s);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().message.contains(expected), qPrintable(spec.error().message));
        QVERIFY2(spec.error().message.contains(u"group.json"_s), qPrintable(spec.error().message));
    }
};

QTEST_GUILESS_MAIN(TestTranslation)
#include "tst_translation.moc"
