// The merge rules of LIF's translator (translator_utils.deep_merge), one row per rule.
#include <lifdag/transform/deepmerge.h>

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using lifdag::transform::deepMerge;

namespace {
QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}
} // namespace

class TestDeepMerge : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void mergesByTheTranslatorRules_data()
    {
        QTest::addColumn<QJsonObject>("dst");
        QTest::addColumn<QJsonObject>("src");
        QTest::addColumn<QJsonObject>("expected");
        QTest::newRow("new key is added") << obj(R"({"a":1})") << obj(R"({"b":2})") << obj(R"({"a":1,"b":2})");
        QTest::newRow("objects recurse") << obj(R"({"p":{"x":1,"y":{"k":1}}})") << obj(R"({"p":{"y":{"l":2},"z":3}})")
                                         << obj(R"({"p":{"x":1,"y":{"k":1,"l":2},"z":3}})");
        QTest::newRow("lists of objects merge by index")
            << obj(R"({"l":[{"caption":"a"},{"caption":"b"}]})") << obj(R"({"l":[{"imageId":1}]})")
            << obj(R"({"l":[{"caption":"a","imageId":1},{"caption":"b"}]})");
        QTest::newRow("longer list of objects appends the rest")
            << obj(R"({"l":[{"a":1}]})") << obj(R"({"l":[{"b":1},{"c":2}]})") << obj(R"({"l":[{"a":1,"b":1},{"c":2}]})");
        QTest::newRow("objects by index recurse and overwrite scalars")
            << obj(R"({"l":[{"a":{"x":1},"s":1}]})") << obj(R"({"l":[{"a":{"y":2},"s":2}]})")
            << obj(R"({"l":[{"a":{"x":1,"y":2},"s":2}]})");
        QTest::newRow("scalar lists append only new items")
            << obj(R"({"l":[1,"x"]})") << obj(R"({"l":["x",2,2]})") << obj(R"({"l":[1,"x",2]})");
        QTest::newRow("mixed lists append unique items, objects by equality")
            << obj(R"({"l":[{"a":1},2]})") << obj(R"({"l":[{"a":1},{"b":2}]})") << obj(R"({"l":[{"a":1},2,{"b":2}]})");
        QTest::newRow("python equality: true equals 1") << obj(R"({"l":[1]})") << obj(R"({"l":[true,1.0]})")
                                                        << obj(R"({"l":[1]})");
        QTest::newRow("empty list takes list of objects") << obj(R"({"l":[]})") << obj(R"({"l":[{"a":1}]})")
                                                          << obj(R"({"l":[{"a":1}]})");
        QTest::newRow("scalar overwrites") << obj(R"({"a":1})") << obj(R"({"a":"two"})") << obj(R"({"a":"two"})");
        QTest::newRow("different types overwrite: list over object")
            << obj(R"({"a":{"x":1}})") << obj(R"({"a":[1]})") << obj(R"({"a":[1]})");
        QTest::newRow("different types overwrite: object over list")
            << obj(R"({"a":[1]})") << obj(R"({"a":{"x":1}})") << obj(R"({"a":{"x":1}})");
        QTest::newRow("null overwrites") << obj(R"({"a":{"x":1}})") << obj(R"({"a":null})") << obj(R"({"a":null})");
    }
    void mergesByTheTranslatorRules()
    {
        QFETCH(QJsonObject, dst);
        QFETCH(QJsonObject, src);
        QFETCH(QJsonObject, expected);
        deepMerge(dst, src);
        QCOMPARE(QJsonDocument(dst).toJson(QJsonDocument::Compact),
                 QJsonDocument(expected).toJson(QJsonDocument::Compact));
    }
};

QTEST_GUILESS_MAIN(TestDeepMerge)
#include "tst_deepmerge.moc"
