// The client's text helpers and the results viewer's tree: config paths located in JSON text,
// line diffs, and a JSON document expanded, collapsed and searched.
#include <lifdag/client/desktop.h>
#include <lifdag/client/jsontreemodel.h>
#include <lifdag/client/textutil.h>

#include <QJsonDocument>
#include <QTest>

using namespace lifdag::client;
using namespace Qt::StringLiterals;

class TestClientText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void locatesConfigPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("line");
        QTest::addColumn<bool>("exact");
        QTest::addColumn<QString>("matched");
        QTest::newRow("root") << u""_s << 1 << true << u""_s;
        QTest::newRow("top key") << u"ops"_s << 2 << true << u"ops"_s;
        QTest::newRow("nested") << u"ops.fan_out.config.count"_s << 5 << true
                                << u"ops.fan_out.config.count"_s;
        QTest::newRow("array element")
            << u"ops.fan_out.config.fail_keys[1]"_s << 7 << true << u"ops.fan_out.config.fail_keys[1]"_s;
        QTest::newRow("missing leaf -> parent")
            << u"ops.fan_out.config.sleep_ms"_s << 4 << false << u"ops.fan_out.config"_s;
        QTest::newRow("missing op -> ops") << u"ops.gather.config"_s << 2 << false << u"ops"_s;
        QTest::newRow("root word") << u"root"_s << 1 << true << u""_s;
    }

    void locatesConfigPaths()
    {
        QFETCH(QString, path);
        QFETCH(int, line);
        QFETCH(bool, exact);
        QFETCH(QString, matched);
        const QString text =
            u"{\n  \"ops\": {\n    \"fan_out\": {\n      \"config\": {\n        \"count\": \"x\",\n"
            u"        \"fail_keys\": [\"a\",\n          \"b\"]\n      }\n    }\n  }\n}"_s;
        const TextLocation loc = locateJsonPath(text, path);
        QVERIFY(loc.found);
        QCOMPARE(loc.line, line);
        QCOMPARE(loc.exact, exact);
        QCOMPARE(loc.matchedPath, matched);
    }

    void locatesInBrokenTextUpToTheBreak()
    {
        const QString text = u"{\"a\": {\"b\": 1, \"c\": oops"_s;
        QVERIFY(locateJsonPath(text, u"a.b"_s).exact);
        QCOMPARE(locateJsonPath(text, u"a.b"_s).offset, 7);
        QVERIFY(!locateJsonPath(u""_s, u"a"_s).found);
    }

    void diffsLines()
    {
        const QList<DiffLine> d = diffLines(u"a\nb\nc\nd"_s, u"a\nB\nc\nd\ne"_s);
        QString kinds;
        for (const DiffLine &l : d)
            kinds += QLatin1Char(l.kind);
        QCOMPARE(kinds, u" -+  +"_s);
        QCOMPARE(d[1].text, u"b"_s);
        QCOMPARE(d[1].oldLine, 2);
        QCOMPARE(d[2].text, u"B"_s);
        QCOMPARE(d[2].newLine, 2);
        QCOMPARE(d.last().newLine, 5);
        QCOMPARE(diffLines(u"same"_s, u"same"_s).size(), 1);
    }

    void themeOverrideFromTheEnvironment()
    {
        qputenv("LIFDAG_DESKTOP_THEME", "dark");
        QVERIFY(Desktop::systemPrefersDark());
        qputenv("LIFDAG_DESKTOP_THEME", "light");
        QVERIFY(!Desktop::systemPrefersDark());
        qunsetenv("LIFDAG_DESKTOP_THEME");
        QVERIFY(Desktop::darkPalette().color(QPalette::Window).lightness() < 64);
        QVERIFY(Desktop::darkPalette().color(QPalette::Text).lightness() > 192);
    }

    void jsonTreeExpandsCollapsesAndFinds()
    {
        JsonTreeModel m;
        m.loadText(
            uR"({"person": [{"name": "Ada", "ids": [1, 2]}, {"name": "Grace"}], "count": 2, "odd key": null})"_s);
        QVERIFY(m.error().isEmpty());
        QCOMPARE(m.nodeCount(), 11);
        QCOMPARE(m.count(), 4); // $ and its three keys
        QCOMPARE(m.data(m.index(1), JsonTreeModel::KeyRole).toString(), u"count"_s);
        const int person = 3; // keys sort: count, odd key, person
        QCOMPARE(m.data(m.index(person), JsonTreeModel::KeyRole).toString(), u"person"_s);
        QCOMPARE(m.data(m.index(person), JsonTreeModel::ValueTextRole).toString(), u"[2 items]"_s);
        m.toggle(person);
        QCOMPARE(m.count(), 6);
        QCOMPARE(m.path(4), u"$.person[0]"_s);
        QCOMPARE(m.path(2), u"$[\"odd key\"]"_s);
        m.toggle(person);
        QCOMPARE(m.count(), 4);

        const int row = m.find(u"grace"_s, 0);
        QVERIFY(row > 0);
        QCOMPARE(m.path(row), u"$.person[1].name"_s);
        QCOMPARE(m.valueText(row), u"\"Grace\""_s);
        QCOMPARE(m.find(u"nothing like it"_s, 0), -1);

        m.expandAll();
        QCOMPARE(m.count(), 11);
        m.collapseAll();
        QCOMPARE(m.count(), 1);
        m.loadText(u"{broken"_s);
        QVERIFY(!m.error().isEmpty());
        QVERIFY(m.empty());
    }
};

QTEST_GUILESS_MAIN(TestClientText)
#include "tst_client_text.moc"
