// Serving the web UI: files under /ui/<version>/ with their types, caching, ETags and gzip; the SPA
// fallback to index.html; the server's own paths keeping their JSON 404s; every module a module
// imports is really there - through a real webserver.
#include "../http/rawhttp.h"
#include "testsupport.h"

#include <lifdag/instance/instance.h>
#include <lifdag/webserver/webserver.h>
#include <lifdag/webui/webui.h>

#include <QDir>
#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <zlib.h>

using namespace lifdag;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray gunzip(const QByteArray &data)
{
    z_stream zs {};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return {};
    QByteArray out;
    char buffer[16384];
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(buffer);
        zs.avail_out = sizeof buffer;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buffer, qsizetype(sizeof buffer - zs.avail_out));
    }
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

} // namespace

class TestWebUiAssets : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    std::shared_ptr<instance::Instance> m_instance;
    std::unique_ptr<webserver::WebServer> m_web;
    QByteArray m_version;

    RawResponse get(const QByteArray &target, const QByteArray &headers = {},
                    const QByteArray &method = "GET")
    {
        RawClient c;
        if (!c.connectTo(m_web->port()))
            return {};
        return c
            .request(method + ' ' + target + " HTTP/1.1\r\nHost: test\r\n" + headers + "\r\n", 10000,
                     method == "HEAD")
            .value_or(RawResponse {});
    }

private Q_SLOTS:
    void initTestCase()
    {
        qunsetenv("LIFDAG_WEBUI_DIR"); // the compiled-in files
        auto opened = instance::Instance::open(m_home.path());
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_instance = *opened;
        webserver::WebServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        m_web = std::make_unique<webserver::WebServer>(m_instance, options);
        webui::mount(*m_web);
        QVERIFY(m_web->start().ok());
        m_version = webui::version().toLatin1();
        QCOMPARE(m_version.size(), 12);
    }

    void cleanupTestCase()
    {
        m_web.reset();
        m_instance.reset();
    }

    void clientSideRoutesGetTheIndex_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("root") << QByteArray("/");
        QTest::newRow("runs") << QByteArray("/runs?status=FAILURE");
        QTest::newRow("run") << QByteArray("/runs/4d2a6b3e-0000-4000-8000-000000000000");
        QTest::newRow("job") << QByteArray("/locations/dev_location/jobs/fanout_job");
        QTest::newRow("launchpad") << QByteArray("/locations/dev_location/jobs/fanout_job/launchpad");
        QTest::newRow("unknown page") << QByteArray("/no/such/page");
    }

    void clientSideRoutesGetTheIndex()
    {
        QFETCH(QByteArray, target);
        const RawResponse r = get(target);
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/html"));
        QCOMPARE(r.header("cache-control"), QByteArray("no-cache"));
        QVERIFY(r.header("content-security-policy").contains("script-src 'self'"));
        QVERIFY(r.body.contains(QByteArray("/ui/" + m_version + "/app.js")));
        QVERIFY(!r.body.contains("{{VERSION}}"));
    }

    void serverPathsKeepTheirJsonAnswers_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<int>("status");
        QTest::newRow("unknown api") << QByteArray("GET") << QByteArray("/api/v1/nothing") << 404;
        QTest::newRow("api root") << QByteArray("GET") << QByteArray("/api") << 404;
        QTest::newRow("graphql subpath") << QByteArray("GET") << QByteArray("/graphql/x") << 404;
        QTest::newRow("health subpath") << QByteArray("GET") << QByteArray("/health/x") << 404;
        QTest::newRow("metrics subpath") << QByteArray("GET") << QByteArray("/metrics/x") << 404;
        QTest::newRow("post to a page") << QByteArray("POST") << QByteArray("/runs") << 404;
        QTest::newRow("missing file") << QByteArray("GET") << QByteArray("/missing.png") << 404;
        QTest::newRow("missing asset") << QByteArray("GET") << QByteArray("/ui/abc/nope.js") << 404;
        QTest::newRow("index as asset") << QByteArray("GET") << QByteArray("/ui/abc/index.html") << 404;
    }

    void serverPathsKeepTheirJsonAnswers()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(int, status);
        RawClient c;
        QVERIFY(c.connectTo(m_web->port()));
        const auto r = c.request(method == "POST" ? bodyRequest(method, target, "{}", {})
                                                  : method + ' ' + target + " HTTP/1.1\r\nHost: test\r\n\r\n",
                                 10000, false);
        QVERIFY(r.has_value());
        QCOMPARE(r->status, status);
        QVERIFY(r->header("content-type").startsWith("application/json"));
        QCOMPARE(r->errorCode(), u"not_found"_s);
        // The API itself still answers.
        QCOMPARE(get("/health").status, 200);
        QCOMPARE(get("/api/v1/runs").status, 200);
    }

    void filesHaveTypesCachingAndEtags_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("module") << QByteArray("app.js") << QByteArray("text/javascript; charset=utf-8");
        QTest::newRow("page module") << QByteArray("pages/runs.js")
                                     << QByteArray("text/javascript; charset=utf-8");
        QTest::newRow("stylesheet") << QByteArray("app.css") << QByteArray("text/css; charset=utf-8");
        QTest::newRow("icon") << QByteArray("favicon.svg") << QByteArray("image/svg+xml");
    }

    void filesHaveTypesCachingAndEtags()
    {
        QFETCH(QByteArray, file);
        QFETCH(QByteArray, type);
        RawResponse r = get("/ui/" + m_version + '/' + file);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), type);
        QCOMPARE(r.header("cache-control"), QByteArray("public, max-age=31536000, immutable"));
        QCOMPARE(r.header("x-content-type-options"), QByteArray("nosniff"));
        const QByteArray etag = r.header("etag");
        QVERIFY(etag.startsWith('"') && etag.endsWith('"'));
        QVERIFY(!r.body.isEmpty());
        // Revalidation: 304 without a body.
        r = get("/ui/" + m_version + '/' + file, "If-None-Match: " + etag + "\r\n");
        QCOMPARE(r.status, 304);
        QVERIFY(r.body.isEmpty());
        // A page loaded before an upgrade asks with its old version: today's file, revalidated.
        r = get("/ui/0123456789ab/" + file);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("cache-control"), QByteArray("no-cache"));
    }

    void compressesForClientsThatAcceptGzip()
    {
        const QByteArray target = "/ui/" + m_version + "/pages/run.js";
        const RawResponse plain = get(target);
        const RawResponse zipped = get(target, "Accept-Encoding: gzip, deflate, br\r\n");
        QCOMPARE(zipped.status, 200);
        QCOMPARE(zipped.header("content-encoding"), QByteArray("gzip"));
        QCOMPARE(zipped.header("vary"), QByteArray("Accept-Encoding"));
        QVERIFY(zipped.body.size() < plain.body.size() / 2);
        QCOMPARE(gunzip(zipped.body), plain.body);
        QVERIFY(zipped.header("etag") != plain.header("etag"));
        QVERIFY(get(target, "Accept-Encoding: gzip;q=0\r\n").header("content-encoding").isEmpty());
        QCOMPARE(get(target, {}, "HEAD").status, 200);
    }

    void everyImportedModuleIsServed()
    {
        // Relative imports ("./lib/api.js", "../components/gantt.js") and the router's page modules.
        static const QRegularExpression importRe(
            u"(?:from\\s+|import\\s*\\(\\s*)['\"](\\.{1,2}/[^'\"$]+)['\"]"_s);
        static const QRegularExpression pageRe(u"page:\\s*'([a-z]+)'"_s);
        int checked = 0;
        QDirIterator it(QStringLiteral(LIFDAG_SOURCE_DIR "/web"), { u"*.js"_s }, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            const QString dir = QFileInfo(path).absolutePath();
            QStringList targets;
            for (auto m = importRe.globalMatch(text); m.hasNext();)
                targets << QDir::cleanPath(dir + u'/' + m.next().captured(1));
            for (auto m = pageRe.globalMatch(text); m.hasNext();)
                targets << QDir::cleanPath(dir + u"/pages/"_s + m.next().captured(1) + u".js"_s);
            for (const QString &target : std::as_const(targets)) {
                const QString relative =
                    QDir(QStringLiteral(LIFDAG_SOURCE_DIR "/web")).relativeFilePath(target);
                const RawResponse r = get("/ui/" + m_version + '/' + relative.toUtf8());
                QVERIFY2(r.status == 200, qPrintable(path + u" imports "_s + relative));
                ++checked;
            }
        }
        QVERIFY(checked > 30);
    }
};

QTEST_GUILESS_MAIN(TestWebUiAssets)
#include "tst_webui_assets.moc"
