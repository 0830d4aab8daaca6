// docker/code_location_entrypoint.sh: the variables it hands to `lifdag code-server start`
// survive any value intact.
#include <lifdag/codelocation/containercontext.h>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace lifdag;
using namespace Qt::StringLiterals;

class TestEntrypoint : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void passesTrickyValuesIntact_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::newRow("spaces") << u"LIF_SPACES"_s << u"a value with  spaces"_s;
        QTest::newRow("quotes") << u"LIF_QUOTES"_s << u"say \"hi\" and 'bye'"_s;
        QTest::newRow("equals") << u"ADAPTERS__A__B__CREDENTIALS__TOKEN"_s << u"k=v=w=="_s;
        QTest::newRow("commas") << u"USER_CODE_LIST"_s << u"a,b,,c"_s;
        QTest::newRow("backslash") << u"LIF_PATH"_s << u"C:\\dir\\n"_s;
        QTest::newRow("newline") << u"LIF_MULTI"_s << u"line1\nline2"_s;
        QTest::newRow("json") << u"LIF_JSON"_s << uR"({"x": [1, "y"]})"_s;
        QTest::newRow("empty") << u"LIF_EMPTY"_s << QString();
    }
    void passesTrickyValuesIntact()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QTemporaryDir dir;
        const QString argsFile = dir.filePath(u"args"_s);
        const QString fake = dir.filePath(u"fake-lifdag"_s);
        QFile f(fake);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > \"$ARGS_FILE\"\n");
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

        QProcessEnvironment env;
        env.insert(u"PATH"_s, qEnvironmentVariable("PATH"));
        env.insert(u"LIFDAG_BIN"_s, fake);
        env.insert(u"ARGS_FILE"_s, argsFile);
        env.insert(name, value);
        env.insert(u"UNRELATED_SECRET"_s, u"must not pass"_s);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(u"bash"_s,
                { QStringLiteral(LIFDAG_SOURCE_DIR "/docker/code_location_entrypoint.sh"), u"--log-level"_s,
                  u"info"_s });
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);

        QFile a(argsFile);
        QVERIFY(a.open(QIODevice::ReadOnly));
        const QList<QByteArray> args = a.readAll().split('\0');
        const qsizetype at = args.indexOf("--container-context");
        QVERIFY(at >= 0);
        QCOMPARE(args[0], QByteArray("code-server"));
        QVERIFY(args.contains("--log-level")); // extra arguments are passed on
        const auto ctx = codelocation::parseContainerContext(QString::fromUtf8(args[at + 1]));
        QVERIFY2(ctx.ok(), ctx.ok() ? "" : qPrintable(ctx.error().message));
        QVERIFY2(ctx->envVars.contains(name + u'=' + value), qPrintable(ctx->envVars.join(u" | "_s)));
        for (const QString &e : ctx->envVars)
            QVERIFY(!e.startsWith(u"UNRELATED_SECRET"_s));
    }
};

QTEST_GUILESS_MAIN(TestEntrypoint)
#include "tst_entrypoint.moc"
