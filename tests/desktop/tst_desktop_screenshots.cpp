// Renders each main view of lifdag-desktop (Main.qml, offscreen, software renderer) with real data
// from a `lifdag dev` and saves PNGs under <build>/desktop-screenshots/: runs with a run's step
// timeline, its event log, a results document, the launch dialog with config violations, daemon
// and location health, the launcher settings with a pending edit and the audit log, the server
// list, the offline banner, and the dark theme. Each image must show what the view was given.
#include "desktopfixture.h"

#include <lifdag/client/connectionmanager.h>
#include <lifdag/client/desktop.h>
#include <lifdag/client/eventsmodel.h>
#include <lifdag/client/rundetail.h>
#include <lifdag/client/runsmodel.h>
#include <lifdag/client/runwatcher.h>

#include <QDir>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSet>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Lifdag_ViewsPlugin)
Q_IMPORT_QML_PLUGIN(Lifdag_ClientPlugin)

using namespace lifdag;
using namespace lifdag::client;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

class TestDesktopScreenshots : public QObject
{
    Q_OBJECT

    std::unique_ptr<DevServer> m_server;
    SeededRuns m_runs;
    QTemporaryDir m_config;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    ConnectionManager *m_connections = nullptr;
    QDir m_out { QStringLiteral(LIFDAG_BINARY_DIR "/desktop-screenshots") };

    QObject *child(const char *property) const { return m_window->property(property).value<QObject *>(); }

    // Saves the window as NAME.png once it has settled; checks the image is a real rendering.
    void shoot(const QString &name)
    {
        QTest::qWait(350); // let bindings, layouts and the timeline's canvas settle
        const QImage image = m_window->grabWindow();
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size(), m_window->size() * m_window->devicePixelRatio());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 12,
                 qPrintable(u"%1 looks blank (%2 colours)"_s.arg(name).arg(colours.size())));
        const QString path = m_out.filePath(name + u".png"_s);
        QVERIFY2(image.save(path), qPrintable(path));
        qInfo("saved %s", qPrintable(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_out.mkpath(u"."_s));
        m_server = std::make_unique<DevServer>("run_monitoring:\n  enabled: false\n");
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        m_runs = seedRuns(*m_server);
        QVERIFY2(m_runs.error.isEmpty(), qPrintable(m_runs.error));

        Desktop::setSettingsFile(m_config.filePath(u"desktop.ini"_s));
        m_connections = new ConnectionManager(this);
        m_connections->setConfigDir(m_config.path());
        QVERIFY(!m_connections->saveServer({}, u"Local dev"_s, m_server->url(), {}).isEmpty());
        auto *watcher = new RunWatcher(this);
        m_engine = std::make_unique<QQmlApplicationEngine>();
        m_engine->setInitialProperties({ { u"connections"_s, QVariant::fromValue(m_connections) },
                                         { u"watcher"_s, QVariant::fromValue(watcher) },
                                         { u"restoreState"_s, false } });
        m_engine->load(QUrl(u"qrc:/Lifdag/Views/Main.qml"_s));
        QCOMPARE(m_engine->rootObjects().size(), 1);
        m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().first());
        QVERIFY(m_window);
        m_window->resize(1360, 820);
        // The first start offers the server list; connect to the saved server.
        QVERIFY(QTest::qWaitForWindowExposed(m_window));
        shoot(u"07-servers"_s);
        QMetaObject::invokeMethod(child("connectionDialog"), "close");
        m_connections->connectTo(m_connections->servers()->get(0).value(u"serverId"_s).toString());
        QTRY_VERIFY_WITH_TIMEOUT(m_connections->client()->isOnline(), 20000);
    }

    void runsAndStepTimeline()
    {
        auto *runs = child("runsView")->property("model").value<RunsModel *>();
        QTRY_VERIFY(runs->count() >= 4);
        QMetaObject::invokeMethod(m_window, "openRun", Q_ARG(QVariant, m_runs.fanout));
        auto *detail = child("detailView")->property("detail").value<RunDetail *>();
        QTRY_COMPARE(detail->status(), u"SUCCESS"_s);
        QTRY_VERIFY(detail->steps()->finished() && detail->steps()->count() == 8);
        shoot(u"01-runs-timeline"_s);
    }

    void eventLog()
    {
        QObject *detailView = child("detailView");
        detailView->property("tabs").value<QObject *>()->setProperty("currentIndex", 1);
        auto *detail = detailView->property("detail").value<RunDetail *>();
        QTRY_VERIFY(detail->events()->live());
        // Select a step's events as a click on its bar would.
        QMetaObject::invokeMethod(detailView->property("eventLog").value<QObject *>(), "showStep",
                                  Q_ARG(QVariant, u"work[item_3]"_s));
        shoot(u"02-event-log"_s);
    }

    void failedRunTimeline()
    {
        QMetaObject::invokeMethod(m_window, "openRun", Q_ARG(QVariant, m_runs.failed));
        QObject *detailView = child("detailView");
        detailView->property("tabs").value<QObject *>()->setProperty("currentIndex", 0);
        auto *detail = detailView->property("detail").value<RunDetail *>();
        QTRY_COMPARE(detail->status(), u"FAILURE"_s);
        QTRY_VERIFY(detail->steps()->failedCount() >= 1);
        shoot(u"03-failed-run"_s);
    }

    void resultsDocument()
    {
        QMetaObject::invokeMethod(m_window, "openRun", Q_ARG(QVariant, m_runs.withResult));
        QObject *detailView = child("detailView");
        auto *detail = detailView->property("detail").value<RunDetail *>();
        QTRY_COMPARE(detail->status(), u"SUCCESS"_s);
        detailView->property("tabs").value<QObject *>()->setProperty("currentIndex", 2);
        QTRY_VERIFY(detail->resultLoaded());
        QVERIFY(detail->result()->nodeCount() > 20);
        QVERIFY(detail->result()->find(u"Lovelace"_s, 0) > 0);
        shoot(u"04-results"_s);
    }

    void launchDialogWithViolations()
    {
        QObject *dialog = child("launchDialog");
        QMetaObject::invokeMethod(m_window, "openLaunch", Q_ARG(QVariant, u"fanout_job"_s));
        QObject *form = dialog->property("form").value<QObject *>();
        QTRY_VERIFY(form->property("configText").toString().contains(u"fan_out"_s));
        form->setProperty(
            "configText",
            u"{\n  \"ops\": {\n    \"fan_out\": {\n      \"config\": {\n        \"count\": \"six\",\n"
            u"        \"sleep_ms\": 10,\n        \"colour\": \"blue\"\n      }\n    }\n  }\n}"_s);
        QMetaObject::invokeMethod(form, "launch");
        auto *violations = form->property("violations").value<QAbstractItemModel *>();
        QTRY_VERIFY(violations->rowCount() >= 1);
        QMetaObject::invokeMethod(dialog, "showViolation", Q_ARG(QVariant, 0));
        shoot(u"05-launch-violations"_s);
        QMetaObject::invokeMethod(dialog, "close");
    }

    void health()
    {
        QMetaObject::invokeMethod(m_window, "showPage", Q_ARG(QVariant, 1));
        QObject *view = child("healthView");
        auto *daemons = view->property("daemons").value<QAbstractItemModel *>();
        auto *locations = view->property("locations").value<QAbstractItemModel *>();
        auto *instance = view->property("instance").value<QAbstractItemModel *>();
        QTRY_VERIFY(daemons->rowCount() > 0 && locations->rowCount() == 1 && instance->rowCount() == 10);
        shoot(u"06-health"_s);
    }

    void launcherSettings()
    {
        QMetaObject::invokeMethod(m_window, "showPage", Q_ARG(QVariant, 2));
        QObject *editor = child("launcherView")->property("editor").value<QObject *>();
        QTRY_VERIFY(editor->property("serverText").toString().contains(u"QueuedRunCoordinator"_s));
        QString edited = editor->property("serverText").toString();
        edited.replace(u"\"max_concurrent_runs\": 4"_s, u"\"max_concurrent_runs\": 8"_s);
        editor->setProperty("editText", edited);
        QVERIFY(editor->property("dirty").toBool());
        auto *audit = editor->property("audit").value<QAbstractItemModel *>();
        QTRY_VERIFY(audit->rowCount() >= 1);
        shoot(u"08-launcher-settings"_s);
    }

    void darkTheme()
    {
        QMetaObject::invokeMethod(m_window, "showPage", Q_ARG(QVariant, 0));
        QMetaObject::invokeMethod(m_window, "openRun", Q_ARG(QVariant, m_runs.diamond));
        auto *detail = child("detailView")->property("detail").value<RunDetail *>();
        QTRY_COMPARE(detail->status(), u"SUCCESS"_s);
        child("detailView")->property("tabs").value<QObject *>()->setProperty("currentIndex", 0);
        QObject *desktop =
            m_engine->singletonInstance<Desktop *>(qmlTypeId("Lifdag.Client", 1, 0, "Desktop"));
        QVERIFY(desktop);
        desktop->setProperty("themeMode", u"dark"_s);
        QVERIFY(desktop->property("dark").toBool());
        shoot(u"09-dark"_s);
        const QImage image = m_window->grabWindow();
        QVERIFY(qGray(image.pixel(image.width() / 2, image.height() - 40)) < 100); // a dark window
        desktop->setProperty("themeMode", u"light"_s);
    }

    void offlineBanner()
    {
        m_server->stop();
        QTRY_COMPARE_WITH_TIMEOUT(m_connections->client()->state(), ApiClient::State::Offline, 10000);
        QTRY_VERIFY(m_connections->client()->secondsUntilReconnect() > 0
                    || m_connections->client()->reconnectAttempt() > 0);
        shoot(u"10-offline"_s);
    }

    void cleanupTestCase()
    {
        m_engine.reset();
        m_server.reset();
    }
};

int main(int argc, char *argv[])
{
    qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    QQuickStyle::setStyle(u"Fusion"_s);
    TestDesktopScreenshots test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_desktop_screenshots.moc"
