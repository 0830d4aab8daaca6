#include <lifdag/core/logging.h>
#include <lifdag/core/redaction.h>

#include <QTest>

using namespace lifdag;
using namespace Qt::StringLiterals;

class TestRedaction : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { redaction::clearForTesting(); }

    void secretNamesAreRecognised_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        QTest::newRow("adapter credential") << u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN"_s << true;
        QTest::newRow("adapter host") << u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__HOST"_s << false;
        QTest::newRow("adapter scheme") << u"ADAPTERS__LIF_TO_LIF__TOKEN_SVC__CREDENTIALS__SCHEME"_s << false;
        QTest::newRow("adapter key named like a host") << u"ADAPTERS__A__B__CREDENTIALS__HOST_KEY"_s << true;
        QTest::newRow("postgres password") << u"DAGSTER_POSTGRES_PASSWORD"_s << true;
        QTest::newRow("results token") << u"LIF_QUERY_PLANNER_RESULTS_BASE_URL_TOKEN"_s << true;
        QTest::newRow("mdr token") << u"LIF_MDR_API_AUTH_TOKEN"_s << true;
        QTest::newRow("user name") << u"DAGSTER_POSTGRES_USER"_s << false;
        QTest::newRow("base url") << u"LIF_MDR_API_URL"_s << false;
    }
    void secretNamesAreRecognised()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(redaction::isSecretName(name), secret);
    }
    void registeredSecretsAreMaskedInEveryFormat()
    {
        redaction::addSecret(u"s3cr3t-value"_s);
        const QString msg = u"connecting with s3cr3t-value to host"_s;
        QCOMPARE(redaction::redact(msg), u"connecting with *** to host"_s);
        for (auto format : { logging::Format::Text, logging::Format::Json }) {
            const QString line = logging::formatRecord(format, QtWarningMsg, "lifdag.test", msg);
            QVERIFY2(!line.contains(u"s3cr3t"_s), qPrintable(line));
        }
    }
    void environmentSecretsAreRegistered()
    {
        qputenv("ADAPTERS__EXAMPLE__ORG1__CREDENTIALS__TOKEN", "tok-from-env-123");
        redaction::addSecretsFromEnvironment();
        QVERIFY(!redaction::redact(u"token tok-from-env-123 used"_s).contains(u"tok-from-env"_s));
        qunsetenv("ADAPTERS__EXAMPLE__ORG1__CREDENTIALS__TOKEN");
    }
    void urlPasswordsAreMaskedWithoutRegistration()
    {
        QCOMPARE(redaction::redact(u"postgresql://lif:hunter22@db:5432/d"_s),
                 u"postgresql://lif:***@db:5432/d"_s);
    }
    void shortValuesAreNotRegistered()
    {
        redaction::addSecret(u"ab"_s);
        QCOMPARE(redaction::redact(u"about"_s), u"about"_s);
    }
};

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
