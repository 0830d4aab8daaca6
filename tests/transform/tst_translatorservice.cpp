// The translator HTTP endpoint: LIF's route, status codes, bearer token and body limit.
#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/translatorservice.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag::transform;

class TestTranslatorService : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<TranslatorService> m_service;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    void write(const QString &name, const QByteArray &content)
    {
        QDir().mkpath(QFileInfo(m_dir.filePath(name)).path());
        QFile f(m_dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    struct Answer
    {
        int status = 0;
        QJsonObject body;
    };
    Answer post(const QString &path, const QByteArray &body, const QByteArray &token = "s3cret")
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        std::unique_ptr<QNetworkReply> reply(m_nam.post(request, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(10000))
            return {};
        return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                 QJsonDocument::fromJson(reply->readAll()).object() };
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        write(u"group.json"_s, "{\"SourceDataModelId\":6,\"TargetDataModelId\":17,\"Transformations\":[ {\"Expression\":\"{\\\"name\\\": first}\"},{\"Expression\":\"{\\\"age\\\": age}\"}]}");
        write(u"schemas/6.json"_s, R"({"type":"object","required":["first"]})");
        write(u"schemas/17.json"_s, R"({"type":"object","properties":{"age":{"type":"integer"}}})");
        auto transformer = std::make_shared<Transformer>(std::make_shared<DirectoryMappingSource>(m_dir.path()));
        TranslatorServiceOptions options;
        options.bearerToken = u"s3cret"_s;
        options.maxBodyBytes = 4096;
        m_service = std::make_unique<TranslatorService>(transformer, options);
        QString error;
        m_port = m_service->listen(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(m_port != 0, qPrintable(error));
    }

    void translatesARecord()
    {
        const Answer a = post(u"/translate/source/6/target/17"_s, R"({"first":"Ada","age":36})");
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, (QJsonObject { { u"name"_s, u"Ada"_s }, { u"age"_s, 36 } }));
    }

    void answersErrorsAsJson_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QString ok = u"/translate/source/6/target/17"_s;
        QTest::newRow("no token") << ok << QByteArray(R"({"first":"x"})") << QByteArray() << 401
                                  << u"transform.unauthorized"_s;
        QTest::newRow("wrong token") << ok << QByteArray(R"({"first":"x"})") << QByteArray("nope") << 401
                                     << u"transform.unauthorized"_s;
        QTest::newRow("not JSON") << ok << QByteArray("{nope") << QByteArray("s3cret") << 400
                                  << u"transform.bad_request"_s;
        QTest::newRow("not an object") << ok << QByteArray("[1]") << QByteArray("s3cret") << 400
                                       << u"transform.bad_request"_s;
        QTest::newRow("source does not conform") << ok << QByteArray(R"({"age":1})") << QByteArray("s3cret") << 422
                                                 << u"transform.invalid_source"_s;
        QTest::newRow("unknown pair") << u"/translate/source/6/target/99"_s << QByteArray(R"({"first":"x"})")
                                      << QByteArray("s3cret") << 404 << u"transform.not_found"_s;
        QTest::newRow("body too large") << ok << QByteArray(8192, ' ') << QByteArray("s3cret") << 413
                                        << u"transform.too_large"_s;
    }
    void answersErrorsAsJson()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, token);
        QFETCH(int, status);
        QFETCH(QString, code);
        if (status >= 404 && status != 413) // the size guard answers before any translation
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u".*"_s));
        const Answer a = post(path, body, token);
        QCOMPARE(a.status, status);
        QCOMPARE(a.body.value(u"code"_s).toString(), code);
        QVERIFY(!a.body.value(u"detail"_s).toString().isEmpty());
    }

    void rejectsUnknownRoutes()
    {
        const Answer a = post(u"/translate/6/17"_s, R"({"first":"x"})");
        QCOMPARE(a.status, 404);
    }
};

QTEST_GUILESS_MAIN(TestTranslatorService)
#include "tst_translatorservice.moc"
