// Test helper for the webserver suites: a whole instance in a temporary DAGSTER_HOME - storage
// (SQLite, or the throwaway PostgreSQL when LIFDAG_TEST_BACKEND=postgres), an in-process code
// location serving the example jobs whose runs execute in real `lifdag execute-run` workers, and
// the webserver on a free port - plus a raw HTTP client to talk to it.
#pragma once

#include "../http/rawhttp.h"
#include "testsupport.h"

#include <lifdag/codelocation/server.h>
#include <lifdag/execution/examplejobs.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/webserver.h>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

namespace lifdag::test {

class WebFixture
{
public:
    QTemporaryDir home;
    bool postgres = false;
    PgServer pg;
    QString database;
    std::unique_ptr<codelocation::Server> codeServer;
    std::shared_ptr<instance::Instance> instance;
    std::unique_ptr<webserver::WebServer> web;
    quint16 port = 0;

    ~WebFixture() { stop(); }

    // Returns an empty string on success, else what went wrong.
    QString start(webserver::WebServerOptions options = {}, const QByteArray &extraDagsterYaml = {})
    {
        postgres = qEnvironmentVariable("LIFDAG_TEST_BACKEND") == QLatin1StringView("postgres");
        QByteArray yaml = extraDagsterYaml;
        if (postgres) {
            pg = pgServer();
            if (!pg.ok())
                return pg.error;
            database = QStringLiteral("lifdag_web_") + QUuid::createUuid().toString(QUuid::Id128).left(10);
            if (const QString e = pgAdmin(pg, QStringLiteral("CREATE DATABASE ") + database); !e.isEmpty())
                return e;
            qputenv("LIFDAG_WEB_PG_PASSWORD", pg.password.toUtf8());
            yaml += postgresInstanceYaml(pg, database, QStringLiteral("LIFDAG_WEB_PG_PASSWORD")).toUtf8();
        }
        if (!writeTextFile(QDir(home.path()).filePath(QStringLiteral("dagster.yaml")), yaml))
            return QStringLiteral("cannot write dagster.yaml");
        qputenv("DAGSTER_HOME", home.path().toUtf8()); // the run workers open the same instance

        auto registry = std::make_shared<execution::JobRegistry>();
        if (const Status s = execution::examples::registerExampleJobs(*registry); !s)
            return s.error().message;
        codelocation::ServerOptions codeOptions;
        codeOptions.host = QStringLiteral("127.0.0.1");
        codeOptions.port = 0;
        codeOptions.locationName = QStringLiteral("test_location");
        codeOptions.workerProgram = lifdagExecutable();
        codeOptions.cancelGraceSeconds = 5;
        codeServer = std::make_unique<codelocation::Server>(codeOptions, registry);
        if (const Status s = codeServer->start(); !s)
            return s.error().message;
        if (!writeTextFile(QDir(home.path()).filePath(QStringLiteral("workspace.yaml")),
                           grpcWorkspaceYaml(codeServer->port(), QStringLiteral("test_location")).toUtf8()))
            return QStringLiteral("cannot write workspace.yaml");
        auto opened = instance::Instance::open(home.path());
        if (!opened)
            return opened.error().message;
        instance = *opened;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        web = std::make_unique<webserver::WebServer>(instance, options);
        if (const Status s = web->start(); !s)
            return s.error().message;
        port = web->port();
        return {};
    }

    void stop()
    {
        if (web)
            web->stop();
        web.reset();
        if (codeServer)
            codeServer->shutdown();
        codeServer.reset();
        instance.reset();
        if (postgres && !database.isEmpty()) {
            pgAdmin(pg,
                    QStringLiteral("DROP DATABASE IF EXISTS ") + database + QStringLiteral(" WITH (FORCE)"));
            database.clear();
        }
    }

    // One request on a fresh connection.
    RawResponse call(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                     const QString &token = {}, const QByteArray &extraHeaders = {})
    {
        RawClient c;
        if (!c.connectTo(port))
            return {};
        QByteArray headers = extraHeaders;
        if (!token.isEmpty())
            headers += "Authorization: Bearer " + token.toUtf8() + "\r\n";
        const QByteArray request = body.isNull() && method != "POST" && method != "PUT"
            ? method + ' ' + target + " HTTP/1.1\r\nHost: test\r\n" + headers + "\r\n"
            : bodyRequest(method, target, body, headers);
        const auto r = c.request(request, 60000, method == "HEAD");
        return r.value_or(RawResponse {});
    }

    RawResponse callJson(const QByteArray &method, const QByteArray &target, const QJsonObject &body,
                         const QString &token = {})
    {
        return call(method, target, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
    }

    // Waits until the run is in a terminal state (or the timeout); returns its status name.
    QString waitForEnd(const QString &runId, int timeoutMs = 60000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            const auto run = instance->storage().runs().run(runId);
            if (run.ok() && run->has_value() && isTerminal((*run)->status))
                return runStatusName((*run)->status);
            QThread::msleep(20);
        }
        return QStringLiteral("TIMEOUT");
    }

    storage::RunRecord addRun(const QString &job, RunStatus status, const QMap<QString, QString> &tags = {},
                              const QDateTime &createdAt = {})
    {
        storage::RunRecord r;
        r.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        r.jobName = job;
        r.locationName = QStringLiteral("test_location");
        r.repositoryName = QStringLiteral("__repository__");
        r.status = status;
        r.tags = tags;
        r.createdAt = createdAt;
        r.runConfig = QJsonObject { { QStringLiteral("ops"), QJsonObject {} } };
        (void)instance->storage().runs().addRun(r);
        return r;
    }
};

} // namespace lifdag::test
