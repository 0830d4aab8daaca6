// Adapter credentials from ADAPTERS__<ADAPTER>__<SOURCE>__CREDENTIALS__<KEY>, as LIF names them.
#include <lifdag/adapters/credentials.h>

#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag::adapters;

class TestCredentials : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void variableNameUpperCasesIdsAndReplacesDashes_data()
    {
        QTest::addColumn<QString>("adapter");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        QTest::newRow("lif-to-lif") << u"lif-to-lif"_s << u"org2"_s << u"token"_s
                                    << u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN"_s;
        QTest::newRow("example source")
            << u"example-data-source-rest-api-to-lif"_s << u"org1-example-data-source"_s << u"host"_s
            << u"ADAPTERS__EXAMPLE_DATA_SOURCE_REST_API_TO_LIF__ORG1_EXAMPLE_DATA_SOURCE__CREDENTIALS__HOST"_s;
        QTest::newRow("underscores stay") << u"my_adapter"_s << u"org_3"_s << u"scheme"_s
                                          << u"ADAPTERS__MY_ADAPTER__ORG_3__CREDENTIALS__SCHEME"_s;
        // LIF upper-cases the key but does not replace its dashes.
        QTest::newRow("key dash kept")
            << u"a"_s << u"b"_s << u"api-key"_s << u"ADAPTERS__A__B__CREDENTIALS__API-KEY"_s;
        QTest::newRow("mixed case") << u"Lif-To-Lif"_s << u"Org2"_s << u"Token"_s
                                    << u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN"_s;
    }
    void variableNameUpperCasesIdsAndReplacesDashes()
    {
        QFETCH(QString, adapter);
        QFETCH(QString, source);
        QFETCH(QString, key);
        QFETCH(QString, expected);
        QCOMPARE(credentialVariableName(adapter, source, key), expected);
    }

    void readsTrimmedValuesOfTheExpectedKeys()
    {
        QProcessEnvironment env;
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__HOST"_s, u"  lif.example.org:8443 \n"_s);
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__SCHEME"_s, u"http"_s);
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN"_s, u"s3cret-token\n"_s);
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__EXTRA"_s, u"not asked for"_s);
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG3__CREDENTIALS__TOKEN"_s, u"other source"_s);
        const CredentialLookup found =
            lookupCredentials(u"lif-to-lif"_s, u"org2"_s, { u"host"_s, u"scheme"_s, u"token"_s }, env);
        QCOMPARE(found.credentials,
                 (Credentials { { u"host"_s, u"lif.example.org:8443"_s },
                                { u"scheme"_s, u"http"_s },
                                { u"token"_s, u"s3cret-token"_s } }));
        QVERIFY(found.missingVariables.isEmpty());
        QVERIFY(found.warnings.isEmpty());
    }

    void missingOrEmptyKeyIsAWarningNamingTheVariableNeverAValue()
    {
        QProcessEnvironment env;
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__HOST"_s, u"lif.example.org"_s);
        env.insert(u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__SCHEME"_s,
                   QString()); // empty counts as missing
        const CredentialLookup found =
            lookupCredentials(u"lif-to-lif"_s, u"org2"_s, { u"host"_s, u"scheme"_s, u"token"_s }, env);
        QCOMPARE(found.credentials.keys(), QStringList { u"host"_s });
        QCOMPARE(found.missingVariables,
                 (QStringList { u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__SCHEME"_s,
                                u"ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN"_s }));
        QCOMPARE(found.warnings.size(), 2);
        QCOMPARE(found.warnings.at(1),
                 u"Missing expected credential key 'token' for adapter 'lif-to-lif' and source 'org2' "
                 "(set ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN)"_s);
        for (const QString &w : found.warnings)
            QVERIFY(!w.contains(u"lif.example.org"_s));
    }

    void whitespaceOnlyValueIsSetButEmpty()
    {
        // Python: `if value:` is true for "  ", then strip() leaves "".
        QProcessEnvironment env;
        env.insert(u"ADAPTERS__A__B__CREDENTIALS__TOKEN"_s, u"   "_s);
        const CredentialLookup found = lookupCredentials(u"a"_s, u"b"_s, { u"token"_s }, env);
        QVERIFY(found.credentials.contains(u"token"_s));
        QCOMPARE(found.credentials.value(u"token"_s), QString());
        QVERIFY(found.warnings.isEmpty());
    }

    void adapterWithoutKeysNeedsNothing()
    {
        const CredentialLookup found = lookupCredentials(u"a"_s, u"b"_s, {}, QProcessEnvironment());
        QVERIFY(found.credentials.isEmpty());
        QVERIFY(found.warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
