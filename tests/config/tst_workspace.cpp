#include <lifdag/config/workspace.h>

#include <QTest>

using namespace lifdag;
using namespace lifdag::config;
using namespace Qt::StringLiterals;

class TestWorkspace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void loadsSeveralGrpcLocations()
    {
        const auto ws = loadWorkspace(QStringLiteral(LIFDAG_TEST_DATA_DIR "/queued_postgres/workspace.yaml"));
        QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.error().message));
        QCOMPARE(ws->locations.size(), 2);
        QCOMPARE(ws->locations[0].locationName, u"location_a"_s);
        QCOMPARE(ws->locations[0].address(), u"code-location-a:4000"_s);
        QCOMPARE(ws->locations[1].port, 4001);
        QVERIFY(ws->location(u"location_b"_s));
        QVERIFY(!ws->location(u"nope"_s));
    }

    void unnamedLocationIsNamedByAddress()
    {
        const auto ws =
            parseWorkspace("load_from:\n  - grpc_server: {host: h, port: 4100}\n", u"workspace.yaml"_s);
        QVERIFY(ws.ok());
        QCOMPARE(ws->locations[0].locationName, u"h:4100"_s);
    }

    void rejectsBadWorkspaces_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray("") << u"workspace.yaml: empty workspace"_s;
        QTest::newRow("python file")
            << QByteArray("load_from:\n  - python_file: repo.py\n")
            << u"workspace.yaml:2:18: load_from[0].python_file: python_file loads Python code"_s;
        QTest::newRow("unknown key") << QByteArray(
            "load_from:\n  - grpc_server: {host: h, port: 1, name: x}\n")
                                     << u"workspace.yaml:2:37: load_from[0].grpc_server.name: unknown key"_s;
        QTest::newRow("no port") << QByteArray("load_from:\n  - grpc_server: {host: h}\n")
                                 << u"load_from[0].grpc_server: missing required key \"port\""_s;
        QTest::newRow("port type")
            << QByteArray("load_from:\n  - grpc_server: {host: h, port: four}\n")
            << u"workspace.yaml:2:34: load_from[0].grpc_server.port: expected an integer, got \"four\""_s;
        QTest::newRow("duplicate name")
            << QByteArray("load_from:\n  - grpc_server: {port: 1, location_name: a}\n"
                          "  - grpc_server: {port: 2, location_name: a}\n")
            << u"workspace.yaml:3:43: load_from[1].grpc_server.location_name: duplicate location name"_s;
        QTest::newRow("not a list") << QByteArray("load_from: {grpc_server: {port: 1}}\n")
                                    << u"load_from: expected a list, got a mapping"_s;
    }
    void rejectsBadWorkspaces()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const auto ws = parseWorkspace(yaml, u"workspace.yaml"_s);
        QVERIFY(!ws.ok());
        QVERIFY2(ws.error().message.contains(expected),
                 qPrintable(u"got: "_s + ws.error().message + u"\nexpected: "_s + expected));
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
