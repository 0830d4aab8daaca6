#include <lifdag/core/runstatus.h>

#include <QTest>

using namespace lifdag;
using namespace Qt::StringLiterals;

class TestRunStatus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTripLikeDagster_data()
    {
        QTest::addColumn<QString>("name");
        for (RunStatus s : allRunStatuses())
            QTest::newRow(qPrintable(runStatusName(s))) << runStatusName(s);
    }
    void namesRoundTripLikeDagster()
    {
        QFETCH(QString, name);
        const auto status = runStatusFromName(name);
        QVERIFY(status.has_value());
        QCOMPARE(runStatusName(*status), name);
    }
    void dagsterNamesAreExact()
    {
        QStringList names;
        for (RunStatus s : allRunStatuses())
            names << runStatusName(s);
        QCOMPARE(names,
                 (QStringList { u"QUEUED"_s, u"NOT_STARTED"_s, u"STARTING"_s, u"STARTED"_s, u"SUCCESS"_s,
                                u"FAILURE"_s, u"CANCELING"_s, u"CANCELED"_s }));
        QVERIFY(!runStatusFromName(u"RUNNING").has_value());
    }
    void terminalStatesNeverGoBackToLive()
    {
        for (RunStatus from : { RunStatus::Success, RunStatus::Failure, RunStatus::Canceled })
            for (RunStatus to : allRunStatuses())
                QVERIFY2(!isAllowedTransition(from, to),
                         qPrintable(runStatusName(from) + u" -> "_s + runStatusName(to)));
    }
    void liveStatesMoveForward()
    {
        QVERIFY(isAllowedTransition(RunStatus::Queued, RunStatus::Starting));
        QVERIFY(isAllowedTransition(RunStatus::Starting, RunStatus::Started));
        QVERIFY(isAllowedTransition(RunStatus::Started, RunStatus::Success));
        QVERIFY(isAllowedTransition(RunStatus::Started, RunStatus::Canceling));
        QVERIFY(isAllowedTransition(RunStatus::Canceling, RunStatus::Canceled));
        QVERIFY(!isAllowedTransition(RunStatus::Started, RunStatus::Queued));
        QVERIFY(!isAllowedTransition(RunStatus::Started, RunStatus::Starting));
    }
};

QTEST_GUILESS_MAIN(TestRunStatus)
#include "tst_runstatus.moc"
