// `lifdag-desktop`: the QML run viewer. Wiring only.
#include <lifdag/core/version.h>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Lifdag_ViewsPlugin)

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("lifdag-desktop"));
    QGuiApplication::setOrganizationName(QStringLiteral("lifdag"));
    QGuiApplication::setApplicationVersion(lifdag::version());

    QQmlApplicationEngine engine;
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/Lifdag/Views/Main.qml")));
    return app.exec();
}
