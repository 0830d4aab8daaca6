// JSONata language: Operators, paths, sequences, constructors, variables, lambdas, order-by, transform, tuple
// bindings.
#include "casetable.h"

#include <QTest>

using namespace lifdag::jsonata;

class TestJsonataLanguage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void evaluatesLikeTheReference_data()
    {
        test::addCaseRows(QStringLiteral(LIFDAG_TEST_DATA_DIR), QStringLiteral("language"));
    }
    void evaluatesLikeTheReference()
    {
        QFETCH(QString, expr);
        QFETCH(Value, input);
        QFETCH(EvaluateOptions, options);
        QFETCH(Value, expect);
        test::verifyCase(expr, input, options, expect);
    }
};

QTEST_GUILESS_MAIN(TestJsonataLanguage)
#include "tst_jsonata_language.moc"
