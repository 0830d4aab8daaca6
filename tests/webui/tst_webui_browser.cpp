// The web UI in a real browser: Debian's chromium, headless, driven by puppeteer-core (driver.mjs)
// against a real `lifdag dev` - its code location, daemon and webserver, run workers, SQLite -
// with `lifdag example-source` and a query-planner stand-in so LIF's job runs end to end, plus an
// authenticated `lifdag webserver` for the sign-in. Screenshots of every page land in
// <build>/webui-screenshots/.
#include "stubhttpserver.h"
#include "testsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using lifdag::test::StubHttpServer;
using lifdag::test::StubRequest;
using lifdag::test::StubResponse;

namespace {
const QString kSourceKey = u"browser-source-key-3317"_s;
const QString kPlannerToken = u"browser-planner-token-8812"_s;
const QString kNodeDir = QStringLiteral(WEBUI_NODE_DIR);
const QString kScreenshots = QStringLiteral(LIFDAG_BINARY_DIR "/webui-screenshots");
const QString kDriver = QStringLiteral(LIFDAG_SOURCE_DIR "/tests/webui/driver.mjs");

void addCredentials(QProcessEnvironment &env, const QString &adapter, const QString &source,
                    const QString &host)
{
    const QString prefix = u"ADAPTERS__"_s + QString(adapter).replace(u'-', u'_').toUpper() + u"__"_s
        + QString(source).replace(u'-', u'_').toUpper() + u"__CREDENTIALS__"_s;
    env.insert(prefix + u"HOST"_s, host);
    env.insert(prefix + u"SCHEME"_s, u"http"_s);
    env.insert(prefix + u"TOKEN"_s, kSourceKey);
}
} // namespace

class TestWebUiBrowser : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QTemporaryDir m_authHome;
    QProcess m_source;
    QProcess m_dev;
    QProcess m_authWeb;
    std::unique_ptr<StubHttpServer> m_planner;
    QHash<QString, QJsonObject> m_results;
    QString m_driverLog;

    void check(const QString &scenario)
    {
        if (!m_results.contains(scenario))
            QFAIL(qPrintable(u"the browser driver reported nothing for \""_s + scenario + u"\"; its log:\n"_s
                             + m_driverLog.right(4000)));
        const QJsonObject r = m_results.value(scenario);
        qInfo("%s: %lld ms", qPrintable(scenario), r.value(u"ms"_s).toInteger());
        QVERIFY2(r.value(u"ok"_s).toBool(),
                 qPrintable(r.value(u"error"_s).toString() + u" (screenshot: "_s + kScreenshots + u'/'
                            + scenario + u"-failure.png)"_s));
    }

private Q_SLOTS:
    void initTestCase()
    {
        // What CI installs (scripts/deps.sh) and the npm fixture provides; missing means a broken set-up.
        const QString chromium = QStandardPaths::findExecutable(u"chromium"_s);
        QVERIFY2(!chromium.isEmpty(), "chromium is not installed (scripts/deps.sh installs it)");
        const QString node = QStandardPaths::findExecutable(u"node"_s);
        QVERIFY2(!node.isEmpty(), "node is not installed (scripts/deps.sh installs nodejs)");
        QVERIFY2(QFileInfo::exists(kNodeDir + u"/node_modules/puppeteer-core/package.json"_s),
                 "puppeteer-core is missing: the webui_npm_install fixture runs npm ci first");

        QString error;
        const int sourcePort = lifdag::test::startLifdagServer(
            m_source,
            { u"example-source"_s, u"-H"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--key"_s, kSourceKey },
            &error);
        QVERIFY2(sourcePort > 0, qPrintable(error));
        const QString sourceHost = u"127.0.0.1:"_s + QString::number(sourcePort);
        m_planner = std::make_unique<StubHttpServer>([](const StubRequest &r) {
            if (r.method != "POST" || r.path() != u"/orchestration/results"_s)
                return StubResponse::json(404, R"({"detail":"Not Found"})");
            if (r.header("Authorization") != "Bearer " + kPlannerToken.toUtf8())
                return StubResponse::json(401, R"({"detail":"Invalid token"})");
            return StubResponse::json(200, R"({"status":"received"})");
        });

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        addCredentials(env, u"lif-to-lif"_s, u"org2"_s, sourceHost);
        addCredentials(env, u"example-data-source-rest-api-to-lif"_s, u"org1-example-data-source"_s,
                       sourceHost);
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_BASE_URL"_s, m_planner->baseUrl());
        env.insert(u"LIF_QUERY_PLANNER_RESULTS_TOKEN"_s, kPlannerToken);
        env.insert(u"LIF_TRANSLATOR_MAPPINGS_DIR"_s,
                   QStringLiteral(LIFDAG_SOURCE_DIR "/tests/lifjob/data/mappings"));
        env.remove(u"LIF_TRANSLATOR_BASE_URL"_s);
        env.remove(u"LIF_MDR_API_URL"_s);
        env.insert(u"DAGSTER_HOME"_s, m_home.path());
        m_dev.setProcessEnvironment(env);
        m_dev.setProcessChannelMode(QProcess::SeparateChannels);
        const int port = lifdag::test::startLifdagServer(m_dev,
                                                         { u"dev"_s, u"--home"_s, m_home.path(), u"-p"_s,
                                                           u"0"_s, u"--code-server-port"_s,
                                                           QString::number(StubHttpServer::unusedPort()) },
                                                         &error, 30000);
        QVERIFY2(port > 0, qPrintable(error));

        // A second instance with authentication on, and a viewer's token.
        QVERIFY(lifdag::test::writeTextFile(QDir(m_authHome.path()).filePath(u"dagster.yaml"_s),
                                            "lifdag:\n  auth:\n    enabled: true\n"));
        QProcess token;
        token.start(lifdag::test::lifdagExecutable(),
                    { u"token"_s, u"create"_s, u"--role"_s, u"viewer"_s, u"--name"_s, u"browser"_s,
                      u"--home"_s, m_authHome.path() });
        QVERIFY(token.waitForFinished(30000));
        QCOMPARE(token.exitCode(), 0);
        const QString viewerToken =
            QString::fromUtf8(token.readAllStandardOutput()).trimmed().split(u'\n').last();
        QVERIFY(!viewerToken.isEmpty());
        const int authPort = lifdag::test::startLifdagServer(
            m_authWeb,
            { u"webserver"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, u"0"_s, u"--home"_s, m_authHome.path() },
            &error);
        QVERIFY2(authPort > 0, qPrintable(error));

        // The scenarios, in one browser session.
        QDir(kScreenshots).removeRecursively();
        QProcess driver;
        QProcessEnvironment driverEnv = QProcessEnvironment::systemEnvironment();
        driverEnv.insert(u"NODE_PATH"_s, kNodeDir + u"/node_modules"_s);
        driverEnv.insert(u"WEBUI_BASE_URL"_s, u"http://127.0.0.1:"_s + QString::number(port));
        driverEnv.insert(u"WEBUI_AUTH_BASE_URL"_s, u"http://127.0.0.1:"_s + QString::number(authPort));
        driverEnv.insert(u"WEBUI_VIEWER_TOKEN"_s, viewerToken);
        driverEnv.insert(u"WEBUI_SCREENSHOT_DIR"_s, kScreenshots);
        driverEnv.insert(u"CHROMIUM"_s, chromium);
        driver.setProcessEnvironment(driverEnv);
        // Run from the npm directory so `import 'puppeteer-core'` resolves there.
        driver.setWorkingDirectory(kNodeDir);
        QFile::remove(kNodeDir + u"/driver.mjs"_s);
        QVERIFY(QFile::copy(kDriver, kNodeDir + u"/driver.mjs"_s));
        driver.start(node, { kNodeDir + u"/driver.mjs"_s });
        QVERIFY(driver.waitForStarted(10000));
        QString out;
        QElapsedTimer timer;
        timer.start();
        while (driver.state() == QProcess::Running && timer.elapsed() < 240000) {
            driver.waitForReadyRead(200);
            out += QString::fromUtf8(driver.readAllStandardOutput());
            m_driverLog += QString::fromUtf8(driver.readAllStandardError());
            // Keep the servers' pipes drained.
            (void)m_dev.readAllStandardError();
            (void)m_dev.readAllStandardOutput();
            (void)m_source.readAll();
            (void)m_authWeb.readAllStandardError();
        }
        if (driver.state() == QProcess::Running) {
            driver.kill();
            driver.waitForFinished(5000);
            QFAIL(qPrintable(u"the browser driver did not finish in 240 s; its log:\n"_s
                             + m_driverLog.right(4000)));
        }
        out += QString::fromUtf8(driver.readAllStandardOutput());
        m_driverLog += QString::fromUtf8(driver.readAllStandardError());
        QVERIFY2(driver.exitCode() == 0,
                 qPrintable(u"the browser driver failed:\n"_s + m_driverLog.right(4000)));
        for (const QString &line : out.split(u'\n')) {
            if (!line.startsWith(u"RESULT "_s))
                continue;
            const QJsonObject r = QJsonDocument::fromJson(line.mid(7).toUtf8()).object();
            m_results.insert(r.value(u"name"_s).toString(), r);
        }
    }

    void cleanupTestCase()
    {
        for (QProcess *p : { &m_authWeb, &m_dev, &m_source }) {
            if (p->state() == QProcess::Running) {
                p->terminate();
                if (!p->waitForFinished(15000))
                    p->kill();
            }
        }
        m_planner.reset();
    }

    void seedsRunsIncludingAFinishedLifJobAndARunningFanOut() { check(u"seed"_s); }
    void runsPageShowsStatusesCountsFiltersAndNewRunsLive() { check(u"runs"_s); }
    void runsPageTerminatesSelectedRuns() { check(u"bulk-terminate"_s); }
    void runPageStreamsEventsAndTimelineBarsLive() { check(u"run-live"_s); }
    void runPageTerminatesARunningRun() { check(u"run-terminate"_s); }
    void runPageShowsTheLifResultAndConfig() { check(u"run-lif-result"_s); }
    void timelineShowsRetriesAndReexecutionFromFailureOpensTheNewRun() { check(u"run-retries"_s); }
    void jobsPageDrawsOpGraphsWithFanOut() { check(u"jobs"_s); }
    void launchpadShowsErrorsAtTheirPathAndLaunchesOntoTheRunPage() { check(u"launchpad"_s); }
    void schedulesStartStopAndPreviewTicks() { check(u"schedules"_s); }
    void deploymentShowsLocationsDaemonsAndNoPassword() { check(u"deployment"_s); }
    void apiErrorsAreReadable() { check(u"api-errors"_s); }
    void launcherChangeIsValidatedDiffedSavedAndAudited() { check(u"launcher"_s); }
    void signInShowsTheRoleAndHidesWhatViewersCannotDo() { check(u"signin"_s); }
    void darkThemeAndLaptopWidth() { check(u"theme"_s); }

    void savesAScreenshotOfEveryPage()
    {
        for (const QString &name : { u"runs"_s,
                                     u"runs-filtered"_s,
                                     u"run-live"_s,
                                     u"run-running"_s,
                                     u"run-lif-result"_s,
                                     u"run-config"_s,
                                     u"run-retries"_s,
                                     u"jobs"_s,
                                     u"job-fanout"_s,
                                     u"job-lif"_s,
                                     u"launchpad-error"_s,
                                     u"launchpad"_s,
                                     u"schedules"_s,
                                     u"schedule"_s,
                                     u"deployment"_s,
                                     u"error-run"_s,
                                     u"launcher-error"_s,
                                     u"launcher-diff"_s,
                                     u"launcher"_s,
                                     u"signin-error"_s,
                                     u"signed-in-viewer"_s,
                                     u"runs-dark"_s,
                                     u"run-laptop"_s }) {
            const QFileInfo png(kScreenshots + u'/' + name + u".png"_s);
            QVERIFY2(png.exists() && png.size() > 5000, qPrintable(png.filePath()));
        }
    }
};

QTEST_GUILESS_MAIN(TestWebUiBrowser)
#include "tst_webui_browser.moc"
