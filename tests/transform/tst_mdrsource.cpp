// The MDR API client against a local HTTP server: the requests it sends, the answers it parses,
// and the Transformer's cache when the MDR goes away.
#include <lifdag/transform/mappingsource.h>
#include <lifdag/transform/transformer.h>

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace lifdag::transform;

class TestMdrSource : public QObject
{
    Q_OBJECT
    std::unique_ptr<QHttpServer> m_server;
    quint16 m_port = 0;
    QList<QUrl> m_urls;
    QList<QByteArray> m_apiKeys;
    QList<QByteArray> m_tenants;
    QString m_mapping = u"{\"name\": first}"_s;

    void startServer()
    {
        m_server = std::make_unique<QHttpServer>();
        m_server->route(u"/mdr/transformation_groups/transformations_for_data_models/"_s,
                        [this](const QHttpServerRequest &request) {
                            record(request);
                            const QJsonArray data { QJsonObject { { u"TransformationExpression"_s, m_mapping } },
                                                    QJsonObject { { u"TransformationExpression"_s, u""_s } } };
                            return QHttpServerResponse(QJsonObject { { u"total"_s, 2 }, { u"data"_s, data } });
                        });
        m_server->route(u"/mdr/datamodels/open_api_schema/<arg>"_s,
                        [this](const QString &id, const QHttpServerRequest &request) {
                            record(request);
                            if (id == u"404"_s)
                                return QHttpServerResponse(QHttpServerResponse::StatusCode::NotFound);
                            return QHttpServerResponse(QJsonObject { { u"type"_s, u"object"_s } });
                        });
        m_port = m_server->listen(QHostAddress::LocalHost, m_port);
        QVERIFY(m_port != 0);
    }
    void record(const QHttpServerRequest &request)
    {
        m_urls.append(request.url());
        m_apiKeys.append(request.value("X-API-Key"));
        m_tenants.append(request.value("X-API-Tenant-Schema"));
    }
    MdrOptions options() const
    {
        MdrOptions o;
        o.baseUrl = QUrl(u"http://127.0.0.1:%1/mdr/"_s.arg(m_port));
        o.apiKey = u"secret-key"_s;
        o.tenantSchema = u"tenant_a"_s;
        o.timeoutMs = 5000;
        return o;
    }

private Q_SLOTS:
    void init()
    {
        m_urls.clear();
        m_apiKeys.clear();
        m_tenants.clear();
        m_port = 0;
        startServer();
    }

    void sendsAuthHeadersAndLifQueries()
    {
        MdrMappingSource source(options());
        auto spec = source.load(u"6"_s, u"17"_s);
        if (!spec.ok())
            QFAIL(qPrintable(spec.error().message));
        QCOMPARE(spec->mappings, QStringList { m_mapping }); // the empty expression is dropped
        QCOMPARE(spec->sourceSchema.value(u"type"_s).toString(), u"object"_s);
        QCOMPARE(m_urls.size(), 3);
        for (qsizetype i = 0; i < m_urls.size(); ++i) {
            QCOMPARE(m_apiKeys.at(i), QByteArray("secret-key"));
            QCOMPARE(m_tenants.at(i), QByteArray("tenant_a"));
        }
        QCOMPARE(m_urls.at(0).path(), u"/mdr/datamodels/open_api_schema/6"_s);
        QCOMPARE(m_urls.at(0).query(), u"include_attr_md=true&include_entity_md=false"_s);
        QCOMPARE(m_urls.at(1).path(), u"/mdr/datamodels/open_api_schema/17"_s);
        QCOMPARE(m_urls.at(2).path(), u"/mdr/transformation_groups/transformations_for_data_models/"_s);
        QCOMPARE(m_urls.at(2).query(), u"source_data_model_id=6&target_data_model_id=17&size=1000"_s);
    }

    void reportsUnknownModelAsNotFound()
    {
        auto spec = MdrMappingSource(options()).load(u"404"_s, u"17"_s);
        QVERIFY(!spec.ok());
        QCOMPARE(spec.error().code, u"transform.not_found"_s);
        QVERIFY2(!spec.error().message.contains(u"secret-key"_s), qPrintable(spec.error().message));
    }

    void servesCachedMappingsDuringAnOutage()
    {
        Transformer transformer(std::make_shared<MdrMappingSource>(options()),
                                { std::chrono::milliseconds(0), false }); // always stale: reload each time
        const QJsonObject record { { u"first"_s, u"Ada"_s } };
        auto first = transformer.translate(u"6"_s, u"17"_s, record);
        if (!first.ok())
            QFAIL(qPrintable(first.error().message));
        QCOMPARE(first->value(u"name"_s).toString(), u"Ada"_s);

        m_server.reset(); // the MDR goes away
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"MDR .* unavailable for 6 -> 17 .*serving the cached mappings"_s));
        auto during = transformer.translate(u"6"_s, u"17"_s, record);
        if (!during.ok())
            QFAIL(qPrintable(during.error().message));
        QCOMPARE(during->value(u"name"_s).toString(), u"Ada"_s);

        // A pair never loaded has no cache to fall back on.
        auto uncached = transformer.translate(u"6"_s, u"18"_s, record);
        QVERIFY(!uncached.ok());
        QCOMPARE(uncached.error().code, u"transform.unavailable"_s);
    }

    void refreshesInTheBackgroundAfterTheTtl()
    {
        Transformer transformer(std::make_shared<MdrMappingSource>(options()),
                                { std::chrono::milliseconds(50), true });
        const QJsonObject record { { u"first"_s, u"Ada"_s }, { u"age"_s, 3 } };
        QCOMPARE(transformer.translate(u"6"_s, u"17"_s, record)->value(u"name"_s).toString(), u"Ada"_s);
        m_mapping = u"{\"years\": age}"_s; // the MDR's mapping changes
        QTest::qWait(80);
        // Stale: served as cached while the reload runs on a pool thread (this loop serves the MDR).
        QCOMPARE(transformer.translate(u"6"_s, u"17"_s, record)->value(u"name"_s).toString(), u"Ada"_s);
        QTRY_COMPARE_WITH_TIMEOUT(transformer.translate(u"6"_s, u"17"_s, record)->value(u"years"_s).toInt(), 3, 5000);
        transformer.waitForRefreshes();
    }
};

QTEST_GUILESS_MAIN(TestMdrSource)
#include "tst_mdrsource.moc"
