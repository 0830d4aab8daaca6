// What the desktop's view tests share: a `lifdag dev` with runs that really ran (a fan-out that
// succeeded, one that failed, a diamond, a run with a LIF-like results document) and a launcher
// change in the audit log.
#pragma once

#include "../client/devserver.h"

#include <lifdag/client/apiclient.h>

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace lifdag::test {

struct SeededRuns
{
    QString fanout; // fanout_job, 6 items, SUCCESS
    QString failed; // fanout_job with a failing item, FAILURE
    QString diamond; // diamond_job, SUCCESS
    QString withResult; // hello_job with a results document
    QString error;
};

inline client::ApiReply syncCall(client::ApiClient &c, const QByteArray &method, const QString &path,
                                 const QJsonValue &body = {})
{
    client::ApiReply out;
    bool done = false;
    c.send(method, path, body, nullptr, [&](const client::ApiReply &r) {
        out = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        out.error.message = QStringLiteral("no answer within 30 s");
    return out;
}

inline QJsonObject fanoutConfig(int count, const QJsonArray &failKeys = {})
{
    return QJsonObject {
        { QStringLiteral("ops"),
          QJsonObject { { QStringLiteral("fan_out"),
                          QJsonObject { { QStringLiteral("config"),
                                          QJsonObject { { QStringLiteral("count"), count },
                                                        { QStringLiteral("sleep_ms"), 150 },
                                                        { QStringLiteral("fail_keys"), failKeys } } } } } } }
    };
}

// Launches the seed runs through the API and waits until they ended.
inline SeededRuns seedRuns(DevServer &server)
{
    SeededRuns s;
    client::ApiClient c;
    c.setBaseUrl(QUrl(server.url()));
    auto launch = [&](const QString &job, const QJsonObject &config, const QJsonObject &tags) -> QString {
        const client::ApiReply r = syncCall(c, "POST", QStringLiteral("/api/v1/runs"),
                                            QJsonObject { { QStringLiteral("job"), job },
                                                          { QStringLiteral("runConfig"), config },
                                                          { QStringLiteral("tags"), tags } });
        if (r.status != 201)
            s.error = QStringLiteral("launching %1: %2").arg(job, QString::fromUtf8(r.body));
        return r.json().value(QStringLiteral("run")).toObject().value(QStringLiteral("runId")).toString();
    };
    const QJsonObject team { { QStringLiteral("team"), QStringLiteral("desktop") } };
    s.diamond = launch(QStringLiteral("diamond_job"), {}, team);
    s.failed =
        launch(QStringLiteral("fanout_job"), fanoutConfig(4, QJsonArray { QStringLiteral("item_2") }), team);
    s.withResult = launch(QStringLiteral("hello_job"), {}, {});
    s.fanout = launch(QStringLiteral("fanout_job"), fanoutConfig(6), team);
    if (!s.error.isEmpty())
        return s;
    for (const QString &id : { s.diamond, s.failed, s.withResult, s.fanout }) {
        const bool ended = QTest::qWaitFor(
            [&] {
                const auto run = server.instance()->storage().runs().run(id);
                return run && run->has_value() && isTerminal((*run)->status);
            },
            90000);
        if (!ended) {
            s.error = QStringLiteral("run %1 did not end").arg(id);
            return s;
        }
    }
    // A results document like the one LIF's job hands back, stored with the run.
    const QJsonObject result = QJsonDocument::fromJson(R"({
      "person": [{
        "identifier": [{"identifier": "100001", "identifierType": "SCHOOL_ASSIGNED_NUMBER"}],
        "name": [{"firstName": "Ada", "lastName": "Lovelace"}],
        "credentialAward": [{"name": "Analytical Engines", "awardedDate": "1843-09-01"},
                            {"name": "Notes on the Engine", "awardedDate": "1843-10-01"}],
        "employmentPreferences": {"organizationTypes": ["Research", "Education"], "remote": true}
      }],
      "sources": {"org1": "ok", "org2": "ok", "org3": {"status": "partial", "missing": 2}},
      "elapsedMs": 412
    })")
                                   .object();
    if (!server.instance()->storage().runs().setResult(s.withResult, result).ok())
        s.error = QStringLiteral("could not store the results document");
    // One launcher change, so the audit log has an entry with a diff.
    const client::ApiReply put = syncCall(
        c, "PUT", QStringLiteral("/api/v1/instance/launcher"),
        QJsonObject { { QStringLiteral("run_coordinator"),
                        QJsonObject { { QStringLiteral("class"), QStringLiteral("QueuedRunCoordinator") },
                                      { QStringLiteral("config"),
                                        QJsonObject { { QStringLiteral("max_concurrent_runs"), 4 } } } } } });
    if (!put.ok())
        s.error = QStringLiteral("launcher change: %1").arg(QString::fromUtf8(put.body));
    return s;
}

} // namespace lifdag::test
