// QtQuickTest for the desktop's views (qml/tst_*.qml) with their models attached to a real
// `lifdag dev` that this setup starts and seeds (see desktopfixture.h). QML reaches it as
// `testServer`: its url, the seeded run ids, a settings directory, and stop/start for the
// offline banner.
#include "desktopfixture.h"

#include <lifdag/client/desktop.h>

#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(Lifdag_ViewsPlugin)
Q_IMPORT_QML_PLUGIN(Lifdag_ClientPlugin)

using namespace lifdag::test;

class Setup : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString url READ url CONSTANT)
    Q_PROPERTY(QString fanoutRun READ fanoutRun CONSTANT)
    Q_PROPERTY(QString failedRun READ failedRun CONSTANT)
    Q_PROPERTY(QString diamondRun READ diamondRun CONSTANT)
    Q_PROPERTY(QString resultRun READ resultRun CONSTANT)
    Q_PROPERTY(QString configDir READ configDir CONSTANT)
    Q_PROPERTY(QString error READ error CONSTANT)

public:
    QString url() const { return m_server ? m_server->url() : QString(); }
    QString fanoutRun() const { return m_runs.fanout; }
    QString failedRun() const { return m_runs.failed; }
    QString diamondRun() const { return m_runs.diamond; }
    QString resultRun() const { return m_runs.withResult; }
    QString configDir() const { return m_config.path(); }
    QString error() const { return m_error; }

    Q_INVOKABLE void stopServer() { m_server->stop(); }
    // A run (STARTED, no worker) with `n` events written through storage; its id.
    Q_INVOKABLE QString runWithEvents(int n)
    {
        const QString runId = m_server->addRun(QStringLiteral("many_events_job"));
        return m_server->appendEvents(runId, n, 5000).size() == n ? runId : QString();
    }
    Q_INVOKABLE int appendEvents(const QString &runId, int n)
    {
        return int(m_server->appendEvents(runId, n, n, QStringLiteral("late ")).size());
    }
    Q_INVOKABLE bool startServer() { return m_server->start(); }
    // A fresh directory for one test's saved servers.
    Q_INVOKABLE QString newConfigDir()
    {
        const QString dir = m_config.filePath(QStringLiteral("c%1").arg(++m_dirs));
        QDir().mkpath(dir);
        return dir;
    }

public Q_SLOTS:
    void applicationAvailable()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        lifdag::client::Desktop::setSettingsFile(m_config.filePath(QStringLiteral("desktop.ini")));
        m_server = std::make_unique<DevServer>("run_monitoring:\n  enabled: false\n");
        if (!m_server->start()) {
            m_error = m_server->error();
            return;
        }
        m_runs = seedRuns(*m_server);
        m_error = m_runs.error;
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/"));
        engine->rootContext()->setContextProperty(QStringLiteral("testServer"), this);
    }

    void cleanupTestCase() { m_server.reset(); }

private:
    std::unique_ptr<DevServer> m_server;
    SeededRuns m_runs;
    QTemporaryDir m_config;
    QString m_error;
    int m_dirs = 0;
};

QUICK_TEST_MAIN_WITH_SETUP(desktop_views, Setup)

#include "tst_desktop_qml.moc"
