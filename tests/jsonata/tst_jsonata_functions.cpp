// JSONata functions: Every built-in function (string, numeric, aggregation, boolean, array, object,
// higher-order, date/time).
#include "casetable.h"

#include <QTest>

using namespace lifdag::jsonata;

class TestJsonataFunctions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void callsLikeTheReference_data()
    {
        test::addCaseRows(QStringLiteral(LIFDAG_TEST_DATA_DIR), QStringLiteral("functions"));
    }
    void callsLikeTheReference()
    {
        QFETCH(QString, expr);
        QFETCH(Value, input);
        QFETCH(EvaluateOptions, options);
        QFETCH(Value, expect);
        test::verifyCase(expr, input, options, expect);
    }
};

QTEST_GUILESS_MAIN(TestJsonataFunctions)
#include "tst_jsonata_functions.moc"
