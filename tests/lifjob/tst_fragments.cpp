// Cutting requested fragments out of a translated person: every case of LIF's
// adjust_lif_fragments_for_initial_orchestrator_simplification and of run_translation's loop.
#include <lifdag/lifjob/fragments.h>

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag;
using lifdag::adapters::Fragment;

namespace {

QJsonValue json(const char *text)
{
    const QByteArray wrapped = QByteArray("[") + text + "]";
    return QJsonDocument::fromJson(wrapped).array().first();
}

QJsonArray toJson(const QList<Fragment> &fragments)
{
    QJsonArray out;
    for (const Fragment &f : fragments)
        out.append(f.toJson());
    return out;
}

const char *kPerson = R"({"Person":[{
    "Name":[{"firstName":"Ada","lastName":"Lovelace"}],
    "EmploymentPreferences":[{"identifier":"p1","organizationTypes":["Nonprofit"]}],
    "Contact":[{"Email":[{"emailAddress":["ada@example.org"]}]}],
    "Birth":{"birthDate":"1815-12-10"},
    "age":36,
    "titles":["Countess"],
    "Empty":[],
    "name":[{"nick":"AL"}]
}]})";

} // namespace

class TestFragments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestedFragments_data()
    {
        QTest::addColumn<QJsonValue>("translated");
        QTest::addColumn<QStringList>("paths");
        QTest::addColumn<QJsonValue>("expected"); // list of fragments, or a string: the error's start
        const QJsonValue person = json(kPerson);

        QTest::newRow("list found, Person root matched ignoring case")
            << person << QStringList { u"person.employmentPreferences"_s }
            << json(R"([{"fragment_path":"person.employmentPreferences",
                         "fragment":[{"identifier":"p1","organizationTypes":["Nonprofit"]}]}])");
        QTest::newRow("every level ignores case")
            << person << QStringList { u"person.employmentpreferences"_s }
            << json(R"([{"fragment_path":"person.employmentpreferences",
                         "fragment":[{"identifier":"p1","organizationTypes":["Nonprofit"]}]}])");
        QTest::newRow("PascalCase path")
            << person << QStringList { u"Person.Name"_s }
            << json(
                   R"([{"fragment_path":"Person.Name","fragment":[{"firstName":"Ada","lastName":"Lovelace"}]}])");
        QTest::newRow("exact key wins over one differing in case")
            << person << QStringList { u"person.name"_s }
            << json(R"([{"fragment_path":"person.name","fragment":[{"nick":"AL"}]}])");
        QTest::newRow("object wrapped in a list")
            << person << QStringList { u"person.birth"_s }
            << json(R"([{"fragment_path":"person.birth","fragment":[{"birthDate":"1815-12-10"}]}])");
        QTest::newRow("absent path gives an empty fragment")
            << person << QStringList { u"person.courseLearningExperience"_s }
            << json(R"([{"fragment_path":"person.courseLearningExperience","fragment":[]}])");
        QTest::newRow("empty list gives an empty fragment")
            << person << QStringList { u"person.empty"_s }
            << json(R"([{"fragment_path":"person.empty","fragment":[]}])");
        QTest::newRow("order and duplicates of the request kept")
            << person << QStringList { u"person.birth"_s, u"person.missing"_s, u"person.birth"_s }
            << json(R"([{"fragment_path":"person.birth","fragment":[{"birthDate":"1815-12-10"}]},
                        {"fragment_path":"person.missing","fragment":[]},
                        {"fragment_path":"person.birth","fragment":[{"birthDate":"1815-12-10"}]}])");
        QTest::newRow("digits index lists")
            << person << QStringList { u"person.contact.0.email"_s }
            << json(
                   R"([{"fragment_path":"person.contact.0.email","fragment":[{"emailAddress":["ada@example.org"]}]}])");
        QTest::newRow("a missing key on the way is passed over")
            << person << QStringList { u"person.nothing.birth"_s }
            << json(R"([{"fragment_path":"person.nothing.birth","fragment":[{"birthDate":"1815-12-10"}]}])");
        QTest::newRow("an earlier key equal to the last one is taken as the last")
            << json(R"({"person":[{"x":1}]})") << QStringList { u"person.person"_s }
            << json(R"([{"fragment_path":"person.person","fragment":[{"x":1}]}])");
        QTest::newRow("no person at all") << json(R"({"other":1})") << QStringList { u"person.name"_s }
                                          << json(R"([{"fragment_path":"person.name","fragment":[]}])");
        QTest::newRow("empty person list ends the walk")
            << json(R"({"person":[]})") << QStringList { u"person.name"_s }
            << json(R"([{"fragment_path":"person.name","fragment":[]}])");
        QTest::newRow("nothing requested") << person << QStringList() << json("[]");
        QTest::newRow("text does not contain the key")
            << person << QStringList { u"person.name.0.nick.zz"_s }
            << json(R"([{"fragment_path":"person.name.0.nick.zz","fragment":[]}])");

        QTest::newRow("scalar found")
            << person << QStringList { u"person.age"_s }
            << QJsonValue(u"Fragment 'person.age' item 0 is a number, not an object"_s);
        QTest::newRow("list of text found") << person << QStringList { u"person.titles"_s }
                                            << QJsonValue(u"Fragment 'person.titles' item 0 is a string"_s);
        QTest::newRow("index past the end") << person << QStringList { u"person.contact.3.email"_s }
                                            << QJsonValue(u"list index 3 out of range"_s);
        QTest::newRow("key found in text") << person << QStringList { u"person.name.0.nick.A"_s }
                                           << QJsonValue(u"cannot index text with 'A'"_s);
        QTest::newRow("key looked for in a number")
            << person << QStringList { u"person.age.x"_s } << QJsonValue(u"cannot look for 'x'"_s);
        QTest::newRow("path not under person")
            << person << QStringList { u"employmentPreferences"_s }
            << QJsonValue(u"Fragment path must start with 'person.' or 'Person.'"_s);
        QTest::newRow("short path") << person << QStringList { u"abc"_s }
                                    << QJsonValue(u"Fragment path must start with"_s);
        QTest::newRow("translation not an object")
            << json("[1,2]") << QStringList { u"person.name"_s }
            << QJsonValue(u"the translated record is not a JSON object"_s);
    }
    void requestedFragments()
    {
        QFETCH(QJsonValue, translated);
        QFETCH(QStringList, paths);
        QFETCH(QJsonValue, expected);
        const auto got = lifjob::requestedFragments(translated, paths);
        if (expected.isString()) {
            QVERIFY(!got.ok());
            QVERIFY2(got.error().message.startsWith(expected.toString())
                         || got.error().message.contains(expected.toString()),
                     qPrintable(got.error().message));
            return;
        }
        QVERIFY2(got.ok(), qPrintable(got.ok() ? QString() : got.error().message));
        QCOMPARE(QJsonValue(toJson(*got)), expected);
    }

    void adjustKeepsOtherFragmentsAndOnlyAddsWhatItFinds()
    {
        const Fragment other { u"person.name"_s, QJsonArray { QJsonObject { { u"n"_s, 1 } } } };
        const Fragment all { u"person.all"_s, QJsonArray { json(kPerson) } };
        QStringList notes;
        const auto got = lifjob::adjustFragmentsForInitialOrchestratorSimplification(
            { other, all }, { u"person.birth"_s, u"person.empty.x.y"_s, u"person.missing"_s }, &notes);
        QVERIFY(got.ok());
        QCOMPARE(got->size(), 2);
        QCOMPARE(got->at(0), other);
        QCOMPARE(got->at(1).fragmentPath, u"person.birth"_s);
        QVERIFY2(notes.contains(u"list in lif record is empty for key: x"_s), qPrintable(notes.join(u'|')));
        QVERIFY2(notes.contains(u"key in lif record has unexpected type: missing"_s) == false,
                 "last keys are not noted");
    }

    void adjustOfNothingIsNothing()
    {
        QStringList notes;
        const auto got =
            lifjob::adjustFragmentsForInitialOrchestratorSimplification({}, { u"person.a"_s }, &notes);
        QVERIFY(got.ok());
        QVERIFY(got->isEmpty());
        QCOMPARE(notes, QStringList { u"No LIF fragments provided for adjustment."_s });
    }
};

QTEST_GUILESS_MAIN(TestFragments)
#include "tst_fragments.moc"
