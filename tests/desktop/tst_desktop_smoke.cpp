// lifdag-desktop starts, loads its QML and keeps its window up (offscreen platform).
#include "testsupport.h"

#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDesktopSmoke : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void windowOpensAndStaysUp()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        p.setProcessEnvironment(env);
        p.start(lifdag::test::lifdagExecutable() + u"-desktop"_s, {});
        QVERIFY(p.waitForStarted());
        QVERIFY2(!p.waitForFinished(1500), qPrintable(QString::fromUtf8(p.readAllStandardError())));
        p.terminate();
        QVERIFY(p.waitForFinished(5000));
        QVERIFY(!p.readAllStandardError().contains("QQmlApplicationEngine failed"));
    }
};

QTEST_GUILESS_MAIN(TestDesktopSmoke)
#include "tst_desktop_smoke.moc"
