// `lifdag-desktop`: the QML run viewer. Wiring only: the models and views live in modules/client
// (Lifdag.Client) and qml/ (Lifdag.Views).
#include <lifdag/client/connectionmanager.h>
#include <lifdag/client/runwatcher.h>
#include <lifdag/core/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QMenu>
#include <QPainter>
#include <QPointer>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSystemTrayIcon>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Lifdag_ViewsPlugin)
Q_IMPORT_QML_PLUGIN(Lifdag_ClientPlugin)

namespace {

QIcon trayIcon()
{
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(0x1a, 0x6f, 0xd6));
    p.setPen(Qt::NoPen);
    p.drawEllipse(4, 4, 56, 56);
    p.setPen(Qt::white);
    QFont f = p.font();
    f.setPixelSize(38);
    f.setBold(true);
    p.setFont(f);
    p.drawText(pixmap.rect(), Qt::AlignCenter, QStringLiteral("l"));
    return QIcon(pixmap);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("lifdag-desktop"));
    QApplication::setOrganizationName(QStringLiteral("lifdag"));
    QApplication::setApplicationVersion(lifdag::version());
    QApplication::setWindowIcon(trayIcon());
    QApplication::setQuitOnLastWindowClosed(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("lifdag's desktop run viewer."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(
        { QStringLiteral("server"),
          QStringLiteral("Connect to this webserver (not saved), e.g. http://localhost:3000; the token "
                         "comes from $LIFDAG_TOKEN."),
          QStringLiteral("url") });
    parser.addOption({ QStringLiteral("run"), QStringLiteral("Open this run."), QStringLiteral("id") });
    parser.process(app);

    QQuickStyle::setStyle(QStringLiteral("Fusion"));

    auto *connections = new lifdag::client::ConnectionManager(&app);
    auto *watcher = new lifdag::client::RunWatcher(&app);

    // Watched runs that end: a tray notification when the desktop has a tray (the window shows its
    // own notice either way).
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        auto *tray = new QSystemTrayIcon(trayIcon(), &app);
        tray->setToolTip(QStringLiteral("lifdag"));
        auto *menu = new QMenu;
        QObject::connect(&app, &QObject::destroyed, menu, [menu] { delete menu; });
        QObject::connect(menu->addAction(QObject::tr("Quit")), &QAction::triggered, &app,
                         &QApplication::quit);
        tray->setContextMenu(menu);
        tray->show();
        QObject::connect(
            watcher, &lifdag::client::RunWatcher::runFinished, tray,
            [tray](const QString &, const QString &, const QString &status, const QString &message) {
                tray->showMessage(QObject::tr("Run %1").arg(status.toLower()), message,
                                  status == QLatin1StringView("SUCCESS") ? QSystemTrayIcon::Information
                                                                         : QSystemTrayIcon::Warning);
            });
    }

    QQmlApplicationEngine engine;
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.setInitialProperties({ { QStringLiteral("connections"), QVariant::fromValue(connections) },
                                  { QStringLiteral("watcher"), QVariant::fromValue(watcher) },
                                  { QStringLiteral("startUrl"), parser.value(QStringLiteral("server")) },
                                  { QStringLiteral("startToken"), qEnvironmentVariable("LIFDAG_TOKEN") },
                                  { QStringLiteral("startRunId"), parser.value(QStringLiteral("run")) } });
    engine.load(QUrl(QStringLiteral("qrc:/Lifdag/Views/Main.qml")));
    // A click on the tray icon (or its "Show" entry) brings the window back.
    if (auto *tray = app.findChild<QSystemTrayIcon *>(); tray && !engine.rootObjects().isEmpty()) {
        QPointer<QWindow> window = qobject_cast<QWindow *>(engine.rootObjects().constFirst());
        auto raise = [window] {
            if (!window)
                return;
            window->show();
            window->raise();
            window->requestActivate();
        };
        QAction *show = new QAction(QObject::tr("Show lifdag"), tray);
        QObject::connect(show, &QAction::triggered, tray, raise);
        tray->contextMenu()->insertAction(tray->contextMenu()->actions().value(0), show);
        QObject::connect(tray, &QSystemTrayIcon::activated, tray,
                         [raise](QSystemTrayIcon::ActivationReason why) {
                             if (why == QSystemTrayIcon::Trigger)
                                 raise();
                         });
        QObject::connect(tray, &QSystemTrayIcon::messageClicked, tray, raise);
    }
    return app.exec();
}
