// lifdag-desktop starts, loads its QML and keeps its window up (offscreen platform).
#include "testsupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDesktopSmoke : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void windowOpensAndStaysUp()
    {
        QProcess p;
        QTemporaryDir config; // its settings, not the user's
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, config.path());
        p.setProcessEnvironment(env);
        // A server that is not there: the window comes up offline and keeps trying.
        p.start(lifdag::test::lifdagExecutable() + u"-desktop"_s, { u"--server"_s, u"http://127.0.0.1:9"_s });
        QVERIFY(p.waitForStarted());
        QVERIFY2(!p.waitForFinished(1500), qPrintable(QString::fromUtf8(p.readAllStandardError())));
        p.terminate();
        QVERIFY(p.waitForFinished(5000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(!err.contains("QQmlApplicationEngine failed") && !err.contains(".qml:"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestDesktopSmoke)
#include "tst_desktop_smoke.moc"
