// JSONata errors: Syntax (S0xxx), type (T0xxx-T2xxx) and dynamic (D1xxx-D3xxx) errors carry the reference's
// codes.
#include "casetable.h"

#include <QTest>

using namespace lifdag::jsonata;

class TestJsonataErrors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void raisesTheReferenceErrorCode_data()
    {
        test::addCaseRows(QStringLiteral(LIFDAG_TEST_DATA_DIR), QStringLiteral("errors"));
    }
    void raisesTheReferenceErrorCode()
    {
        QFETCH(QString, expr);
        QFETCH(Value, input);
        QFETCH(EvaluateOptions, options);
        QFETCH(Value, expect);
        test::verifyCase(expr, input, options, expect);
    }
};

QTEST_GUILESS_MAIN(TestJsonataErrors)
#include "tst_jsonata_errors.moc"
