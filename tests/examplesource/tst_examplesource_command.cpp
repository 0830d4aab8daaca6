// `lifdag example-source` as a real process: the line it prints once listening (other tests
// parse it), the key from --key / $LIF_EXAMPLE_SOURCE_KEY / the default, clean stops on SIGTERM
// and SIGINT, one-line failures for bad options — and the key never on its output.
#include "testsupport.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

class TestExampleSourceCommand : public QObject
{
    Q_OBJECT
    QNetworkAccessManager m_nam;

    // Starts the command and returns the port of its "example-source listening on http://HOST:PORT" line.
    int start(QProcess &process, const QStringList &args,
              const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        process.setProcessEnvironment(env);
        process.start(lifdag::test::lifdagExecutable(), QStringList { u"example-source"_s } + args);
        if (!process.waitForStarted(10000))
            return 0;
        static const QRegularExpression line(uR"(^example-source listening on http://127\.0\.0\.1:(\d+)$)"_s);
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 15000 && process.state() == QProcess::Running) {
            process.waitForReadyRead(100);
            out += process.readAllStandardOutput();
            if (out.contains('\n')) {
                const auto match = line.match(QString::fromUtf8(out.left(out.indexOf('\n'))));
                return match.hasMatch() ? match.captured(1).toInt() : -1;
            }
        }
        return 0;
    }

    int status(int port, const QString &path, const QByteArray &key)
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)));
        request.setRawHeader("x-key", key);
        std::unique_ptr<QNetworkReply> reply(m_nam.get(request));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(10000))
            return 0;
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    static void stop(QProcess &process, int signal)
    {
        ::kill(pid_t(process.processId()), signal);
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }

private Q_SLOTS:
    void printsItsPortAndServesWithTheGivenKey()
    {
        QProcess process;
        const int port =
            start(process, { u"-p"_s, u"0"_s, u"-h"_s, u"127.0.0.1"_s, u"--key"_s, u"cli-key-31337"_s });
        QVERIFY2(port > 0, process.readAllStandardError().constData());
        QCOMPARE(status(port, u"/health"_s, {}), 200);
        QCOMPARE(status(port, u"/r1-demo/users/100001"_s, "cli-key-31337"), 200);
        QCOMPARE(status(port, u"/r1-demo/users/100001"_s, "changeme"), 401);
        stop(process, SIGTERM);
        const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
        QVERIFY2(!output.contains("cli-key-31337"), output.constData());
    }

    void takesTheKeyFromTheEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LIF_EXAMPLE_SOURCE_KEY"_s, u"env-key-2718"_s);
        QProcess process;
        const int port = start(
            process, { u"--port"_s, u"0"_s, u"--host"_s, u"127.0.0.1"_s, u"--log-level"_s, u"debug"_s }, env);
        QVERIFY2(port > 0, process.readAllStandardError().constData());
        QCOMPARE(status(port, u"/users/1"_s, "env-key-2718"), 200);
        QCOMPARE(status(port, u"/users/1"_s, "changeme"), 401);
        stop(process, SIGINT);
        const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
        QVERIFY2(!output.contains("env-key-2718"), output.constData());
    }

    void defaultsToLifsComposeKey()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"LIF_EXAMPLE_SOURCE_KEY"_s);
        QProcess process;
        const int port = start(process, { u"-p"_s, u"0"_s, u"-h"_s, u"127.0.0.1"_s }, env);
        QVERIFY2(port > 0, process.readAllStandardError().constData());
        QCOMPARE(status(port, u"/students/"_s, "changeme"), 200);
        stop(process, SIGTERM);
    }

    void failsWithOneLineOnBadOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("port") << QStringList { u"-p"_s, u"99999"_s } << u"--port"_s;
        QTest::newRow("host") << QStringList { u"-p"_s, u"0"_s, u"-h"_s, u"example.invalid"_s }
                              << u"example.invalid"_s;
        QTest::newRow("empty key") << QStringList { u"-p"_s, u"0"_s, u"--key"_s, u""_s } << u"--key"_s;
        QTest::newRow("max body") << QStringList { u"--max-body"_s, u"0"_s } << u"--max-body"_s;
        QTest::newRow("unknown option") << QStringList { u"--nope"_s } << u"nope"_s;
    }
    void failsWithOneLineOnBadOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess process;
        process.start(lifdag::test::lifdagExecutable(), QStringList { u"example-source"_s } + args);
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 2);
        const QString err = QString::fromUtf8(process.readAllStandardError()).trimmed();
        QVERIFY2(err.startsWith(u"lifdag: "_s) && err.contains(message) && !err.contains(u'\n'),
                 qPrintable(err));
    }

    void failsWhenThePortIsTaken()
    {
        QProcess first;
        const int port = start(first, { u"-p"_s, u"0"_s, u"-h"_s, u"127.0.0.1"_s });
        QVERIFY(port > 0);
        QProcess second;
        second.start(lifdag::test::lifdagExecutable(),
                     { u"example-source"_s, u"-p"_s, QString::number(port), u"-h"_s, u"127.0.0.1"_s });
        QVERIFY(second.waitForFinished(10000));
        QCOMPARE(second.exitCode(), 1);
        QVERIFY(second.readAllStandardError().contains(QByteArray::number(port)));
        stop(first, SIGTERM);
    }
};

QTEST_GUILESS_MAIN(TestExampleSourceCommand)
#include "tst_examplesource_command.moc"
