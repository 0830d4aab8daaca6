// External adapters without rebuilding lifdag: the example Qt plugin (adapters/examples/plugin) is
// found through LIFDAG_ADAPTER_PLUGIN_PATH, loaded and run; what is not a plugin of ours is reported.
#include "stubhttpserver.h"

#include <lifdag/adapters/plugin.h>
#include <lifdag/adapters/registry.h>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace lifdag;
using namespace lifdag::adapters;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {
const QString kPluginDir = QStringLiteral(LIFDAG_BINARY_DIR "/adapter-plugins");
const QString kPluginAdapter = u"example-two-step-lookup-to-lif"_s;
} // namespace

class TestAdapterPlugin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsTheExamplePluginFromTheConfiguredPath()
    {
        QProcessEnvironment env;
        env.insert(QString(kPluginPathVariable), u"/nonexistent/lifdag-plugins:"_s + kPluginDir);
        QStringList problems;
        const auto registry = AdapterRegistry::fromEnvironment(&problems, env);
        QVERIFY2(registry->find(kPluginAdapter), qPrintable(problems.join(u'\n')));
        QCOMPARE(problems,
                 QStringList { u"adapter plugin directory /nonexistent/lifdag-plugins does not exist"_s });
        QVERIFY(registry->origin(kPluginAdapter).startsWith(u"plugin "_s + kPluginDir + u'/'));
        QVERIFY(registry->find(u"lif-to-lif"_s)); // built-ins stay
        const AdapterPtr adapter = registry->find(kPluginAdapter);
        QCOMPARE(adapter->type(), AdapterType::LifToLif);
        QCOMPARE(adapter->credentialKeys(), (QStringList { u"host"_s, u"scheme"_s, u"token"_s }));
    }

    void pluginAdapterRuns()
    {
        AdapterRegistry registry;
        QCOMPARE(registry.loadPlugins(kPluginDir), QStringList());
        const AdapterPtr adapter = registry.find(kPluginAdapter);
        QVERIFY(adapter);
        const QJsonObject person { { u"person"_s,
                                     QJsonArray { QJsonObject { { u"Name"_s, QJsonArray {} } } } } };
        StubHttpServer server([&](const StubRequest &r) {
            if (r.header("Authorization") != "Bearer plug-token")
                return StubResponse::json(401, R"({"detail":"no"})");
            if (r.path() == u"/people"_s) {
                const QUrlQuery q(r.url);
                if (q.queryItemValue(u"identifier"_s) == u"100001"_s
                    && q.queryItemValue(u"identifierType"_s) == u"SCHOOL_ASSIGNED_NUMBER"_s)
                    return StubResponse::json(200, R"({"matches":[{"id":"p-17"}]})");
                return StubResponse::json(200, R"({"matches":[]})");
            }
            if (r.path() == u"/people/p-17/lif"_s)
                return StubResponse::json(200, QJsonDocument(person).toJson());
            return StubResponse::json(404, "{}");
        });
        QueryPlanPart part;
        part.adapterId = kPluginAdapter;
        part.informationSourceId = u"org7"_s;
        part.personId = { u"100001"_s, u"School-assigned number"_s };
        const Credentials credentials { { u"host"_s, server.hostAndPort() },
                                        { u"scheme"_s, u"http"_s },
                                        { u"token"_s, u"plug-token"_s } };
        const auto out = adapter->run(part, credentials, {});
        QVERIFY2(out.ok(), qPrintable(out.ok() ? QString() : out.error().message));
        QVERIFY(out->isPartResult());
        QCOMPARE(out->result().fragments.first().fragmentPath, u"person.all"_s);
        QCOMPARE(out->result().fragments.first().fragment, QJsonArray { person });
        QCOMPARE(server.requestCount(), 2);

        part.personId.identifier = u"999"_s;
        const auto missing = adapter->run(part, credentials, {});
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.contains(u"knows no person"_s), qPrintable(missing.error().message));
    }

    void reportsFilesThatAreNotAdapterPluginsAndDuplicates()
    {
        QTemporaryDir dir;
        QFile junk(dir.filePath(u"libjunk.so"_s));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not an ELF file");
        junk.close();
        QFile text(dir.filePath(u"README.txt"_s)); // not a library name: ignored silently
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.close();
        AdapterRegistry registry;
        const QStringList problems = registry.loadPlugins(dir.path());
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().startsWith(dir.filePath(u"libjunk.so"_s) + u": not a Qt plugin"_s),
                 qPrintable(problems.first()));

        QCOMPARE(registry.loadPlugins(kPluginDir), QStringList());
        const QStringList again = registry.loadPlugins(kPluginDir);
        QCOMPARE(again.size(), 1);
        QVERIFY2(
            again.first().contains(u"adapter id '"_s + kPluginAdapter + u"' is already taken by plugin "_s),
            qPrintable(again.first()));
    }
};

QTEST_GUILESS_MAIN(TestAdapterPlugin)
#include "tst_adapterplugin.moc"
