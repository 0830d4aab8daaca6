// Every REST route of the webserver, with its errors, against a real instance: storage, an
// in-process code location and real run workers. Authentication is off here (tst_webserver_auth
// covers roles).
#include "webfixture.h"

#include <lifdag/config/instanceconfig.h>

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace lifdag;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

namespace {
QByteArray enc(const QString &s)
{
    return QUrl::toPercentEncoding(s);
}
} // namespace

class TestWebserverApi : public QObject
{
    Q_OBJECT

    WebFixture f;

    QString launch(const QJsonObject &body)
    {
        const RawResponse r = f.callJson("POST", "/api/v1/runs", body);
        if (r.status != 201)
            qWarning("launch answered %d: %s", r.status, r.body.constData());
        return r.json().value(u"run"_s).toObject().value(u"runId"_s).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString error = f.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase() { f.stop(); }

    void healthAndReadiness()
    {
        RawResponse r = f.call("GET", "/health");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"status"_s).toString(), u"ok"_s);
        r = f.call("GET", "/ready");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"status"_s).toString(), u"ready"_s);
        const QJsonObject checks = r.json().value(u"checks"_s).toObject();
        QVERIFY(checks.value(u"database"_s).toObject().value(u"ok"_s).toBool());
        QCOMPARE(checks.value(u"locations"_s).toArray().size(), 1);
        r = f.call("HEAD", "/health");
        QCOMPARE(r.status, 200);
    }

    void openApiDocumentDescribesExactlyTheRoutes()
    {
        const RawResponse r = f.call("GET", "/api/v1/openapi.json");
        QCOMPARE(r.status, 200);
        const QJsonObject doc = r.json();
        QCOMPARE(doc.value(u"openapi"_s).toString(), u"3.0.3"_s);
        const QJsonObject paths = doc.value(u"paths"_s).toObject();
        const QJsonObject schemas = doc.value(u"components"_s).toObject().value(u"schemas"_s).toObject();
        int routes = 0;
        QSet<QString> operationIds;
        for (const http::Route &route : f.web->router().routes()) {
            ++routes;
            const QString method = QString::fromLatin1(route.method).toLower();
            const QJsonObject op = paths.value(route.pattern).toObject().value(method).toObject();
            QVERIFY2(!op.isEmpty(), qPrintable(u"undocumented route "_s + method + u' ' + route.pattern));
            QVERIFY2(!operationIds.contains(op.value(u"operationId"_s).toString()),
                     "operation ids are unique");
            operationIds.insert(op.value(u"operationId"_s).toString());
            QVERIFY(!op.value(u"responses"_s).toObject().isEmpty());
            // Path parameters are exactly the pattern's.
            QStringList fromPattern, fromDoc;
            static const QRegularExpression re(u"\\{([^}]+)\\}"_s);
            for (auto it = re.globalMatch(route.pattern); it.hasNext();)
                fromPattern << it.next().captured(1);
            for (const QJsonValue &p : op.value(u"parameters"_s).toArray()) {
                if (p.toObject().value(u"in"_s).toString() == u"path"_s)
                    fromDoc << p.toObject().value(u"name"_s).toString();
            }
            QCOMPARE(fromDoc, fromPattern);
            // Every schema referenced exists.
            const QByteArray json = QJsonDocument(op).toJson(QJsonDocument::Compact);
            static const QRegularExpression refRe(u"#/components/schemas/([A-Za-z]+)"_s);
            for (auto it = refRe.globalMatch(QString::fromUtf8(json)); it.hasNext();) {
                const QString name = it.next().captured(1);
                QVERIFY2(schemas.contains(name), qPrintable(u"missing schema "_s + name));
            }
        }
        // …and nothing is documented that is not routed.
        int documented = 0;
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            const QJsonObject item = it.value().toObject();
            for (auto m = item.begin(); m != item.end(); ++m) {
                ++documented;
                const auto match = f.web->router().match(
                    m.key().toUpper().toLatin1(), it.key().toUtf8().replace('{', "x").replace('}', "x"));
                QVERIFY2(match.kind == http::Router::Match::Kind::Found,
                         qPrintable(m.key() + u' ' + it.key()));
            }
        }
        QCOMPARE(documented, routes);
        QVERIFY(routes >= 30);
    }

    void listsRunsWithFiltersAndACursor()
    {
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addDays(-10);
        QStringList filtered;
        for (int i = 0; i < 7; ++i) {
            const auto r =
                f.addRun(u"list_job"_s, i % 2 ? RunStatus::Success : RunStatus::Failure,
                         { { u"team"_s, i < 5 ? u"lif"_s : u"other"_s }, { u"n"_s, QString::number(i) } },
                         t0.addSecs(i * 60));
            if (i < 5)
                filtered.prepend(r.runId);
        }
        // Pages of 2 through the 5 runs tagged team=lif, newest first, without gaps.
        QStringList seen;
        QString cursor;
        for (int page = 0; page < 5; ++page) {
            const RawResponse r = f.call("GET",
                                         "/api/v1/runs?job=list_job&tag=team%3Dlif&limit=2"
                                             + (cursor.isEmpty() ? QByteArray() : "&cursor=" + enc(cursor)));
            QCOMPARE(r.status, 200);
            for (const QJsonValue &v : r.json().value(u"runs"_s).toArray())
                seen << v.toObject().value(u"runId"_s).toString();
            cursor = r.json().value(u"cursor"_s).toString();
            QCOMPARE(r.json().value(u"hasMore"_s).toBool(), !cursor.isEmpty());
            if (cursor.isEmpty())
                break;
        }
        QCOMPARE(seen, filtered);
        RawResponse r = f.call("GET", "/api/v1/runs?job=list_job&status=SUCCESS");
        QCOMPARE(r.json().value(u"runs"_s).toArray().size(), 3);
        r = f.call("GET", "/api/v1/runs?job=list_job&status=success,failure&tag=n%3D6");
        QCOMPARE(r.json().value(u"runs"_s).toArray().size(), 1);
        QVERIFY(!r.json().value(u"runs"_s).toArray().first().toObject().contains(u"runConfig"_s));
        r = f.call("GET",
                   "/api/v1/runs?job=list_job&created_after=" + enc(t0.addSecs(150).toString(Qt::ISODate))
                       + "&created_before=" + QByteArray::number(t0.addSecs(330).toMSecsSinceEpoch()));
        QCOMPARE(r.json().value(u"runs"_s).toArray().size(), 3); // minutes 3, 4, 5
    }

    void rejectsBadListParameters_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("parameter");
        QTest::newRow("status") << QByteArray("status=RUNNING") << u"status"_s;
        QTest::newRow("tag") << QByteArray("tag=nokey") << u"tag"_s;
        QTest::newRow("limit zero") << QByteArray("limit=0") << u"limit"_s;
        QTest::newRow("limit text") << QByteArray("limit=ten") << u"limit"_s;
        QTest::newRow("limit huge") << QByteArray("limit=100000") << u"limit"_s;
        QTest::newRow("time") << QByteArray("created_after=yesterday") << u"created_after"_s;
        QTest::newRow("cursor") << QByteArray("cursor=no-such-run") << u"cursor"_s;
    }

    void rejectsBadListParameters()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, parameter);
        const RawResponse r = f.call("GET", "/api/v1/runs?" + query);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), u"invalid_parameter"_s);
        QCOMPARE(r.json().value(u"error"_s).toObject().value(u"parameter"_s).toString(), parameter);
    }

    void launchesARunAndServesItsEventsAndResult()
    {
        const QString runId = launch(QJsonObject {
            { u"job"_s, u"diamond_job"_s },
            { u"runConfig"_s,
              QJsonObject { { u"ops"_s,
                              QJsonObject { { u"start"_s,
                                              QJsonObject { { u"config"_s,
                                                              QJsonObject { { u"value"_s, 5 } } } } } } } } },
            { u"tags"_s, QJsonObject { { u"origin"_s, u"api-test"_s } } } });
        QVERIFY(!runId.isEmpty());
        QCOMPARE(f.waitForEnd(runId), u"SUCCESS"_s);
        RawResponse r = f.call("GET", "/api/v1/runs/" + runId.toUtf8());
        QCOMPARE(r.status, 200);
        const QJsonObject run = r.json().value(u"run"_s).toObject();
        QCOMPARE(run.value(u"status"_s).toString(), u"SUCCESS"_s);
        QCOMPARE(run.value(u"tags"_s).toObject().value(u"origin"_s).toString(), u"api-test"_s);
        QCOMPARE(run.value(u"runConfig"_s)
                     .toObject()
                     .value(u"ops"_s)
                     .toObject()
                     .value(u"start"_s)
                     .toObject()
                     .value(u"config"_s)
                     .toObject()
                     .value(u"value"_s)
                     .toInt(),
                 5);
        QVERIFY(!run.value(u"startedAt"_s).isNull());
        // The list spells a run exactly as the single-run route does (it is written by other code).
        r = f.call("GET", "/api/v1/runs?limit=1&tag=origin%3Dapi-test");
        QJsonObject listed = r.json().value(u"runs"_s).toArray().first().toObject();
        QJsonObject single = run;
        single.remove(u"runConfig"_s);
        QCOMPARE(listed, single);
        static const QRegularExpression iso(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"_s);
        QVERIFY2(iso.match(listed.value(u"createdAt"_s).toString()).hasMatch(),
                 qPrintable(listed.value(u"createdAt"_s).toString()));
        QCOMPARE(QDateTime::fromString(listed.value(u"endedAt"_s).toString(), Qt::ISODateWithMs),
                 (*f.instance->storage().runs().run(runId))->endedAt);

        // Events page by storage id without overlap.
        r = f.call("GET", "/api/v1/runs/" + runId.toUtf8() + "/events?limit=3");
        QCOMPARE(r.status, 200);
        QJsonArray first = r.json().value(u"events"_s).toArray();
        QCOMPARE(first.size(), 3);
        QVERIFY(r.json().value(u"hasMore"_s).toBool());
        const qint64 cursor = r.json().value(u"cursor"_s).toInteger();
        QCOMPARE(cursor, first.last().toObject().value(u"storageId"_s).toInteger());
        r = f.call("GET", "/api/v1/runs/" + runId.toUtf8() + "/events?after=" + QByteArray::number(cursor));
        const QJsonArray rest = r.json().value(u"events"_s).toArray();
        QVERIFY(rest.first().toObject().value(u"storageId"_s).toInteger() > cursor);
        QCOMPARE(rest.last().toObject().value(u"eventType"_s).toString(), u"RUN_SUCCESS"_s);
        QVERIFY(!r.json().value(u"hasMore"_s).toBool());

        r = f.call("GET", "/api/v1/runs/" + runId.toUtf8() + "/result");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"status"_s).toString(), u"SUCCESS"_s);
        QVERIFY(r.json().value(u"result"_s).isObject()); // join's output: (5+1) + (5*2)
        QVERIFY(QString::fromUtf8(r.body).contains(u"16"_s));
    }

    void launchErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray json = "application/json";
        QTest::newRow("unknown job") << QByteArray(R"({"job":"nope_job"})") << json << 404
                                     << u"job_not_found"_s;
        QTest::newRow("unknown location") << QByteArray(R"({"job":"hello_job","location":"elsewhere"})")
                                          << json << 404 << u"location_not_found"_s;
        QTest::newRow("invalid config") << QByteArray(
            R"({"job":"diamond_job","runConfig":{"ops":{"start":{"config":{"value":"five"}}}}})")
                                        << json << 422 << u"invalid_run_config"_s;
        QTest::newRow("unknown field")
            << QByteArray(R"({"job":"hello_job","jbo":1})") << json << 400 << u"invalid_field"_s;
        QTest::newRow("no job") << QByteArray(R"({"runConfig":{}})") << json << 400 << u"invalid_field"_s;
        QTest::newRow("config not object")
            << QByteArray(R"({"job":"hello_job","runConfig":[]})") << json << 400 << u"invalid_field"_s;
        QTest::newRow("tag not string")
            << QByteArray(R"({"job":"hello_job","tags":{"a":1}})") << json << 400 << u"invalid_field"_s;
        QTest::newRow("bad json") << QByteArray(R"({"job":)") << json << 400 << u"invalid_json"_s;
        QTest::newRow("not an object") << QByteArray(R"(["hello_job"])") << json << 400 << u"invalid_json"_s;
        QTest::newRow("empty body") << QByteArray() << json << 400 << u"invalid_json"_s;
        QTest::newRow("form body") << QByteArray("job=hello_job")
                                   << QByteArray("application/x-www-form-urlencoded") << 415
                                   << u"unsupported_media_type"_s;
        QTest::newRow("invalid utf-8")
            << QByteArray("{\"job\":\"\xff\xfe\"}") << json << 400 << u"invalid_json"_s;
        QTest::newRow("deep nesting")
            << (QByteArray(5000, '[') + QByteArray(5000, ']')) << json << 400 << u"invalid_json"_s;
    }

    void launchErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        RawClient c;
        QVERIFY(c.connectTo(f.port));
        const auto r =
            c.request("POST /api/v1/runs HTTP/1.1\r\nHost: t\r\nContent-Type: " + contentType
                      + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(r);
        QCOMPARE(r->status, status);
        QCOMPARE(r->errorCode(), code);
        if (code == u"invalid_run_config"_s) {
            const QJsonArray violations =
                r->json().value(u"error"_s).toObject().value(u"violations"_s).toArray();
            QCOMPARE(violations.size(), 1);
            QCOMPARE(violations.first().toObject().value(u"path"_s).toString(), u"ops.start.config.value"_s);
        }
    }

    void runRoutesAnswer404ForUnknownRuns_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("suffix");
        QTest::newRow("get") << QByteArray("GET") << QByteArray();
        QTest::newRow("events") << QByteArray("GET") << QByteArray("/events");
        QTest::newRow("result") << QByteArray("GET") << QByteArray("/result");
        QTest::newRow("terminate") << QByteArray("POST") << QByteArray("/terminate");
        QTest::newRow("reexecute") << QByteArray("POST") << QByteArray("/reexecute");
        QTest::newRow("delete") << QByteArray("DELETE") << QByteArray();
    }

    void runRoutesAnswer404ForUnknownRuns()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, suffix);
        const RawResponse r = f.call(method, "/api/v1/runs/00000000-0000-0000-0000-000000000000" + suffix);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.errorCode(), u"run_not_found"_s);
    }

    void terminatesQueuedAndLiveRuns()
    {
        // Not started yet: canceled at once.
        const auto queued = f.addRun(u"hello_job"_s, RunStatus::Queued);
        RawResponse r = f.call("POST", "/api/v1/runs/" + queued.runId.toUtf8() + "/terminate");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(u"run"_s).toObject().value(u"status"_s).toString(), u"CANCELED"_s);
        QCOMPARE(f.instance->storage().events().events(queued.runId)->last().eventType, u"RUN_CANCELED"_s);
        // Ended: a conflict.
        r = f.call("POST", "/api/v1/runs/" + queued.runId.toUtf8() + "/terminate");
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), u"run_not_terminable"_s);

        // Running: CANCELING, then the worker ends it CANCELED.
        const QString runId = launch(QJsonObject {
            { u"job"_s, u"fanout_job"_s },
            { u"runConfig"_s,
              QJsonObject {
                  { u"ops"_s,
                    QJsonObject { { u"fan_out"_s,
                                    QJsonObject { { u"config"_s,
                                                    QJsonObject { { u"count"_s, 2 },
                                                                  { u"sleep_ms"_s, 20000 } } } } } } } } } });
        QVERIFY(!runId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT((*f.instance->storage().runs().run(runId))->status == RunStatus::Started,
                                 20000);
        r = f.call("POST", "/api/v1/runs/" + runId.toUtf8() + "/terminate");
        QCOMPARE(r.status, 202);
        // CANCELING - or already CANCELED when the worker stopped before the answer was written.
        const QString status = r.json().value(u"run"_s).toObject().value(u"status"_s).toString();
        QVERIFY2(status == u"CANCELING"_s || status == u"CANCELED"_s, qPrintable(status));
        QCOMPARE(f.waitForEnd(runId, 30000), u"CANCELED"_s);
        QStringList types;
        const auto events = f.instance->storage().events().events(runId);
        for (const Event &e : *events)
            types << e.eventType;
        QVERIFY2(types.contains(u"RUN_CANCELING"_s) && types.last() == u"RUN_CANCELED"_s,
                 qPrintable(types.join(u", "_s)));
    }

    void reexecutesWithTheSameConfigAndTags()
    {
        const QString parent = launch(QJsonObject {
            { u"job"_s, u"hello_job"_s },
            { u"runConfig"_s,
              QJsonObject {
                  { u"ops"_s,
                    QJsonObject { { u"hello"_s,
                                    QJsonObject { { u"config"_s,
                                                    QJsonObject { { u"name"_s, u"again"_s } } } } } } } } },
            { u"tags"_s, QJsonObject { { u"team"_s, u"lif"_s } } } });
        QCOMPARE(f.waitForEnd(parent), u"SUCCESS"_s);
        const RawResponse r =
            f.callJson("POST", "/api/v1/runs/" + parent.toUtf8() + "/reexecute",
                       QJsonObject { { u"tags"_s, QJsonObject { { u"attempt"_s, u"2"_s } } } });
        QCOMPARE(r.status, 201);
        const QJsonObject child = r.json().value(u"run"_s).toObject();
        QVERIFY(child.value(u"runId"_s).toString() != parent);
        QCOMPARE(child.value(u"parentRunId"_s).toString(), parent);
        QCOMPARE(child.value(u"rootRunId"_s).toString(), parent);
        QCOMPARE(child.value(u"tags"_s).toObject().value(u"team"_s).toString(), u"lif"_s);
        QCOMPARE(child.value(u"tags"_s).toObject().value(u"attempt"_s).toString(), u"2"_s);
        QCOMPARE(child.value(u"tags"_s).toObject().value(u"dagster/parent_run_id"_s).toString(), parent);
        QCOMPARE(child.value(u"runConfig"_s).toObject(),
                 (*f.instance->storage().runs().run(parent))->runConfig);
        QCOMPARE(f.waitForEnd(child.value(u"runId"_s).toString()), u"SUCCESS"_s);
    }

    void deletesOnlyEndedRuns()
    {
        const auto live = f.addRun(u"hello_job"_s, RunStatus::Started);
        RawResponse r = f.call("DELETE", "/api/v1/runs/" + live.runId.toUtf8());
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), u"run_in_progress"_s);
        const auto ended = f.addRun(u"hello_job"_s, RunStatus::Failure);
        r = f.call("DELETE", "/api/v1/runs/" + ended.runId.toUtf8());
        QCOMPARE(r.status, 204);
        QCOMPARE(f.call("GET", "/api/v1/runs/" + ended.runId.toUtf8()).status, 404);
    }

    void locationsAndJobs()
    {
        RawResponse r = f.call("GET", "/api/v1/locations");
        QCOMPARE(r.status, 200);
        const QJsonObject loc = r.json().value(u"locations"_s).toArray().first().toObject();
        QCOMPARE(loc.value(u"name"_s).toString(), u"test_location"_s);
        QCOMPARE(loc.value(u"status"_s).toString(), u"ok"_s);
        r = f.call("GET", "/api/v1/locations/test_location");
        QVERIFY(r.json().value(u"jobs"_s).toArray().contains(u"fanout_job"_s));
        QCOMPARE(f.call("GET", "/api/v1/locations/nowhere").errorCode(), u"location_not_found"_s);
        r = f.call("GET", "/api/v1/jobs");
        QCOMPARE(r.status, 200);
        QVERIFY(r.json().value(u"jobs"_s).toArray().size() >= 5);
        QVERIFY(r.json().value(u"errors"_s).toArray().isEmpty());
        QCOMPARE(f.call("GET", "/api/v1/jobs?location=nowhere").status, 404);
        r = f.call("GET", "/api/v1/locations/test_location/jobs/diamond_job");
        QCOMPARE(r.status, 200);
        QVERIFY(r.json().value(u"configSchema"_s).toObject().contains(u"properties"_s));
        QCOMPARE(r.json().value(u"ops"_s).toArray().size(), 4);
        QCOMPARE(f.call("GET", "/api/v1/locations/test_location/jobs/nope").errorCode(), u"job_not_found"_s);
        r = f.call("POST", "/api/v1/locations/test_location/reload");
        QCOMPARE(r.status, 200);
        QVERIFY(r.json().value(u"jobCount"_s).toInt() >= 5);
    }

    void schedulesStartStopAndTicks()
    {
        RawResponse r = f.call("GET", "/api/v1/schedules");
        QCOMPARE(r.status, 200);
        QJsonObject hello;
        for (const QJsonValue &v : r.json().value(u"schedules"_s).toArray()) {
            if (v.toObject().value(u"name"_s).toString() == u"hello_schedule"_s)
                hello = v.toObject();
        }
        QCOMPARE(hello.value(u"status"_s).toString(), u"STOPPED"_s);
        QCOMPARE(hello.value(u"jobName"_s).toString(), u"hello_job"_s);
        r = f.call("POST", "/api/v1/locations/test_location/schedules/hello_schedule/start");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"status"_s).toString(), u"RUNNING"_s);
        QVERIFY(!r.json().value(u"nextFireTime"_s).isNull());
        r = f.call("GET", "/api/v1/locations/test_location/schedules/hello_schedule");
        QCOMPARE(r.json().value(u"status"_s).toString(), u"RUNNING"_s);
        r = f.call("POST", "/api/v1/locations/test_location/schedules/hello_schedule/stop");
        QCOMPARE(r.json().value(u"status"_s).toString(), u"STOPPED"_s);
        storage::Tick tick;
        tick.instigatorName = u"hello_schedule"_s;
        tick.locationName = u"test_location"_s;
        tick.status = u"SKIPPED"_s;
        tick.skipReason = u"test"_s;
        QVERIFY(f.instance->storage().schedules().addTick(tick).ok());
        r = f.call("GET", "/api/v1/locations/test_location/schedules/hello_schedule/ticks?limit=5");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"ticks"_s).toArray().first().toObject().value(u"skipReason"_s).toString(),
                 u"test"_s);
        QCOMPARE(f.call("POST", "/api/v1/locations/test_location/schedules/nope/start").errorCode(),
                 u"schedule_not_found"_s);
        QCOMPARE(f.call("GET", "/api/v1/locations/test_location/schedules/nope").status, 404);
        QCOMPARE(
            f.call("GET", "/api/v1/locations/test_location/schedules/hello_schedule/ticks?limit=-1").status,
            400);
    }

    void daemonHealthFromHeartbeats()
    {
        RawResponse r = f.call("GET", "/api/v1/daemon/health");
        QCOMPARE(r.status, 200);
        QVERIFY(!r.json().value(u"healthy"_s).toBool()); // no daemon yet
        QVERIFY(
            f.instance->storage().heartbeats().beat({ u"QUEUED_RUN_COORDINATOR"_s, u"d1"_s, {}, {} }).ok());
        r = f.call("GET", "/api/v1/daemon/health");
        QVERIFY(r.json().value(u"healthy"_s).toBool());
        QCOMPARE(r.json().value(u"daemons"_s).toArray().first().toObject().value(u"daemonType"_s).toString(),
                 u"QUEUED_RUN_COORDINATOR"_s);
    }

    void instanceConfigurationIsReadable()
    {
        const RawResponse r = f.call("GET", "/api/v1/instance");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"runCoordinator"_s).toObject().value(u"class"_s).toString(),
                 u"DefaultRunCoordinator"_s);
        QCOMPARE(r.json().value(u"locations"_s).toArray().size(), 1);
        QVERIFY(!r.json().value(u"auth"_s).toObject().value(u"enabled"_s).toBool());
        if (f.postgres)
            QVERIFY(!QString::fromUtf8(r.body).contains(f.pg.password));
    }

    void launcherConfigurationIsValidatedWrittenAndAudited()
    {
        RawResponse r = f.call("GET", "/api/v1/instance/launcher");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"sources"_s).toObject().value(u"run_launcher"_s).toString(), u"default"_s);
        const QString overridePath = r.json().value(u"override_file"_s).toString();

        // A rule broken: 422 naming the key path; nothing written.
        r = f.callJson(
            "PUT", "/api/v1/instance/launcher",
            QJsonObject {
                { u"run_coordinator"_s,
                  QJsonObject { { u"class"_s, u"QueuedRunCoordinator"_s },
                                { u"config"_s, QJsonObject { { u"max_concurent_runs"_s, 3 } } } } } });
        QCOMPARE(r.status, 422);
        QCOMPARE(r.errorCode(), u"invalid_launcher_config"_s);
        QVERIFY2(r.json()
                     .value(u"error"_s)
                     .toObject()
                     .value(u"message"_s)
                     .toString()
                     .contains(u"run_coordinator.config.max_concurent_runs: unknown key"_s),
                 r.body.constData());
        QVERIFY(!QFile::exists(overridePath));
        QCOMPARE(
            f.callJson("PUT", "/api/v1/instance/launcher", QJsonObject { { u"storage"_s, QJsonObject {} } })
                .status,
            422);

        // A valid change: written, audited, reported with its source.
        const QJsonObject docker {
            { u"class"_s, u"DockerRunLauncher"_s },
            { u"module"_s, u"dagster_docker"_s },
            { u"config"_s,
              QJsonObject { { u"image"_s, u"lif/code:2"_s },
                            { u"network"_s, u"lif-net"_s },
                            { u"env_vars"_s, QJsonArray { u"LIF_API_TOKEN=tok-value-xyz"_s, u"PLAIN=1"_s } },
                            { u"registry"_s,
                              QJsonObject { { u"url"_s, u"reg.example"_s },
                                            { u"username"_s, u"u"_s },
                                            { u"password"_s, u"registry-pass-123"_s } } } } }
        };
        r = f.callJson(
            "PUT", "/api/v1/instance/launcher",
            QJsonObject {
                { u"run_launcher"_s, docker },
                { u"run_coordinator"_s,
                  QJsonObject { { u"class"_s, u"QueuedRunCoordinator"_s },
                                { u"config"_s, QJsonObject { { u"max_concurrent_runs"_s, 3 } } } } } });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"sources"_s).toObject().value(u"run_launcher"_s).toString(), u"override"_s);
        QCOMPARE(r.json()
                     .value(u"effective"_s)
                     .toObject()
                     .value(u"run_coordinator"_s)
                     .toObject()
                     .value(u"max_concurrent_runs"_s)
                     .toInt(),
                 3);
        // This process follows at once (the daemon does the same each pass): a launch is now queued.
        QCOMPARE(f.instance->launchConfig().runCoordinator.maxConcurrentRuns, 3);
        QCOMPARE(f.instance->launchConfig().runLauncher.kind, config::RunLauncherConfig::Kind::Docker);
        const RawResponse queued =
            f.callJson("POST", "/api/v1/runs", QJsonObject { { u"job"_s, u"hello_job"_s } });
        QCOMPARE(queued.status, 201);
        QCOMPARE(queued.json().value(u"run"_s).toObject().value(u"status"_s).toString(), u"QUEUED"_s);
        QCOMPARE(f.call("POST",
                        "/api/v1/runs/"
                            + queued.json().value(u"run"_s).toObject().value(u"runId"_s).toString().toUtf8()
                            + "/terminate")
                     .status,
                 202);
        // Secrets come back masked…
        QVERIFY(!r.body.contains("registry-pass-123"));
        QVERIFY(!r.body.contains("tok-value-xyz"));
        QVERIFY(r.body.contains("LIF_API_TOKEN=***"));
        // …and the file holds them, readable by the owner only; every process loading the instance sees it.
        QFile file(overridePath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("registry-pass-123"));
        QCOMPARE(file.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());
        const auto loaded = config::loadInstance(f.home.path());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->runLauncher.kind, config::RunLauncherConfig::Kind::Docker);
        QCOMPARE(loaded->runLauncher.docker.registry.value(u"password"_s).toString(), u"registry-pass-123"_s);

        // Sending the masked document back keeps the secrets.
        QJsonObject edited = r.json().value(u"run_launcher"_s).toObject();
        QJsonObject cfg = edited.value(u"config"_s).toObject();
        cfg.insert(u"image"_s, u"lif/code:3"_s);
        edited.insert(u"config"_s, cfg);
        r = f.callJson("PUT", "/api/v1/instance/launcher", QJsonObject { { u"run_launcher"_s, edited } });
        QCOMPARE(r.status, 200);
        const auto reloaded = config::loadInstance(f.home.path());
        QCOMPARE(reloaded->runLauncher.docker.image, u"lif/code:3"_s);
        QCOMPARE(reloaded->runLauncher.docker.registry.value(u"password"_s).toString(),
                 u"registry-pass-123"_s);
        QVERIFY(reloaded->runLauncher.docker.envVars.contains(u"LIF_API_TOKEN=tok-value-xyz"_s));

        // The audit log says who, when, before and after - masked too.
        r = f.call("GET", "/api/v1/instance/audit?limit=10");
        QCOMPARE(r.status, 200);
        const QJsonArray entries = r.json().value(u"entries"_s).toArray();
        QVERIFY(entries.size() >= 2);
        const QJsonObject last = entries.first().toObject();
        QCOMPARE(last.value(u"action"_s).toString(), u"launcher_config.update"_s);
        QCOMPARE(last.value(u"actor"_s).toString(), u"anonymous"_s);
        QVERIFY(!last.value(u"timestamp"_s).toString().isEmpty());
        QCOMPARE(last.value(u"before"_s)
                     .toObject()
                     .value(u"run_launcher"_s)
                     .toObject()
                     .value(u"config"_s)
                     .toObject()
                     .value(u"image"_s)
                     .toString(),
                 u"lif/code:2"_s);
        QCOMPARE(last.value(u"after"_s)
                     .toObject()
                     .value(u"run_launcher"_s)
                     .toObject()
                     .value(u"config"_s)
                     .toObject()
                     .value(u"image"_s)
                     .toString(),
                 u"lif/code:3"_s);
        QVERIFY(!r.body.contains("registry-pass-123"));

        // Back to dagster.yaml.
        r = f.call("DELETE", "/api/v1/instance/launcher");
        QCOMPARE(r.status, 200);
        QVERIFY(!QFile::exists(overridePath));
        QCOMPARE(r.json().value(u"sources"_s).toObject().value(u"run_launcher"_s).toString(), u"default"_s);
    }

    void tokensCanBeManagedThroughTheApi()
    {
        RawResponse r = f.callJson("POST", "/api/v1/tokens",
                                   QJsonObject { { u"name"_s, u"ci"_s }, { u"role"_s, u"viewer"_s } });
        QCOMPARE(r.status, 201);
        const QString token = r.json().value(u"token"_s).toString();
        const QString id = r.json().value(u"id"_s).toString();
        QVERIFY(token.startsWith(u"lifdag_"_s + id + u'_'));
        r = f.call("GET", "/api/v1/tokens");
        QVERIFY(!r.body.contains(token.toUtf8()));
        QVERIFY(r.body.contains(id.toUtf8()));
        QCOMPARE(f.callJson("POST", "/api/v1/tokens",
                            QJsonObject { { u"name"_s, u"x"_s }, { u"role"_s, u"root"_s } })
                     .status,
                 400);
        QCOMPARE(f.call("DELETE", "/api/v1/tokens/" + id.toUtf8()).status, 204);
        QCOMPARE(f.call("DELETE", "/api/v1/tokens/" + id.toUtf8()).status, 404);
    }

    void metricsInPrometheusFormat()
    {
        f.call("GET", "/api/v1/runs?limit=1");
        const RawResponse r = f.call("GET", "/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/plain"));
        const QString text = QString::fromUtf8(r.body);
        for (const QString &family :
             { u"lifdag_runs{status=\"SUCCESS\"}"_s, u"lifdag_run_queue_depth "_s,
               u"lifdag_run_launch_latency_seconds_bucket{le=\"+Inf\"}"_s, u"lifdag_events_written_total "_s,
               u"lifdag_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/runs\""_s,
               u"lifdag_http_requests_total{method=\"GET\",route=\"/api/v1/runs\",code=\"200\"}"_s,
               u"# TYPE lifdag_run_launch_latency_seconds histogram"_s })
            QVERIFY2(text.contains(family), qPrintable(family));
        // Launch latency was observed for the runs this test started.
        static const QRegularExpression count(u"lifdag_run_launch_latency_seconds_count (\\d+)"_s);
        QVERIFY(count.match(text).captured(1).toInt() >= 1);
    }

    void servesDagstersGraphQL()
    {
        const auto run = f.addRun(u"hello_job"_s, RunStatus::Success);
        const QString query =
            u"query Q($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { runId status "
            u"jobName } } }"_s;
        RawResponse r =
            f.callJson("POST", "/graphql",
                       QJsonObject { { u"query"_s, query },
                                     { u"variables"_s, QJsonObject { { u"runId"_s, run.runId } } } });
        QCOMPARE(r.status, 200);
        const QJsonObject got = r.json().value(u"data"_s).toObject().value(u"runOrError"_s).toObject();
        QCOMPARE(got.value(u"__typename"_s).toString(), u"Run"_s);
        QCOMPARE(got.value(u"status"_s).toString(), u"SUCCESS"_s);
        // GET: queries only; variables as JSON text.
        r = f.call("GET",
                   "/graphql?query=" + enc(query)
                       + "&variables=" + enc(u"{\"runId\":\"%1\"}"_s.arg(run.runId)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()
                     .value(u"data"_s)
                     .toObject()
                     .value(u"runOrError"_s)
                     .toObject()
                     .value(u"runId"_s)
                     .toString(),
                 run.runId);
        r = f.call("GET", "/graphql?query=" + enc(u"mutation { deleteRun(runId: \"x\") { __typename } }"_s));
        QVERIFY(r.status == 400 || !r.json().value(u"errors"_s).toArray().isEmpty());
        // Syntax errors never reach execution: 400 with GraphQL's error shape.
        r = f.callJson("POST", "/graphql", QJsonObject { { u"query"_s, u"{ runsOrError( }"_s } });
        QCOMPARE(r.status, 400);
        QVERIFY(!r.json()
                     .value(u"errors"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"message"_s)
                     .toString()
                     .isEmpty());
        QCOMPARE(f.call("GET", "/graphql").status, 400);
    }

    void countsRunsByStatus()
    {
        const RawResponse before = f.call("GET", "/api/v1/runs/counts");
        QCOMPARE(before.status, 200);
        f.addRun(u"count_job"_s, RunStatus::Queued);
        f.addRun(u"count_job"_s, RunStatus::Queued);
        f.addRun(u"count_job"_s, RunStatus::Started);
        const RawResponse r = f.call("GET", "/api/v1/runs/counts");
        QCOMPARE(r.status, 200);
        const QJsonObject a = before.json(), b = r.json();
        QCOMPARE(b.value(u"queued"_s).toInteger() - a.value(u"queued"_s).toInteger(), 2);
        QCOMPARE(b.value(u"inProgress"_s).toInteger() - a.value(u"inProgress"_s).toInteger(), 1);
        QCOMPARE(b.value(u"total"_s).toInteger() - a.value(u"total"_s).toInteger(), 3);
        QCOMPARE(b.value(u"counts"_s).toObject().value(u"QUEUED"_s).toInteger(),
                 b.value(u"queued"_s).toInteger());
        QCOMPARE(b.value(u"counts"_s).toObject().size(), 8);
    }

    void validatesRunConfigsWithoutLaunching_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reason");
        const auto fanout = [](const QJsonValue &count) {
            return QJsonObject {
                { u"ops"_s,
                  QJsonObject { { u"fan_out"_s,
                                  QJsonObject { { u"config"_s, QJsonObject { { u"count"_s, count } } } } } } }
            };
        };
        QTest::newRow("json valid") << QJsonObject { { u"runConfig"_s, fanout(3) } } << true << QString()
                                    << QString();
        QTest::newRow("json wrong type") << QJsonObject { { u"runConfig"_s, fanout(u"three"_s) } } << false
                                         << u"ops.fan_out.config.count"_s << QString();
        QTest::newRow("yaml valid") << QJsonObject {
            { u"runConfigYaml"_s, u"ops:\n  fan_out:\n    config:\n      count: 4\n"_s }
        } << true << QString() << QString();
        QTest::newRow("yaml unknown key")
            << QJsonObject { { u"runConfigYaml"_s, u"ops:\n  fan_out:\n    config:\n      cuont: 4\n"_s } }
            << false << u"ops.fan_out.config"_s << QString();
        QTest::newRow("yaml syntax") << QJsonObject { { u"runConfigYaml"_s, u"ops: [1, 2\n"_s } } << false
                                     << QString() << u"yaml"_s;
        QTest::newRow("yaml not a mapping")
            << QJsonObject { { u"runConfigYaml"_s, u"- 1\n"_s } } << false << QString() << u"yaml"_s;
        QTest::newRow("empty yaml") << QJsonObject { { u"runConfigYaml"_s, QString() } } << true << QString()
                                    << QString();
    }

    void validatesRunConfigsWithoutLaunching()
    {
        QFETCH(QJsonObject, body);
        QFETCH(bool, valid);
        QFETCH(QString, path);
        QFETCH(QString, reason);
        const qint64 runsBefore = f.call("GET", "/api/v1/runs/counts").json().value(u"total"_s).toInteger();
        const RawResponse r =
            f.callJson("POST", "/api/v1/locations/test_location/jobs/fanout_job/validate", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"valid"_s).toBool(), valid);
        const QJsonArray violations = r.json().value(u"violations"_s).toArray();
        QCOMPARE(violations.isEmpty(), valid);
        if (!path.isEmpty())
            QVERIFY2(violations.first().toObject().value(u"path"_s).toString().startsWith(path),
                     r.body.constData());
        if (!reason.isEmpty()) {
            QCOMPARE(violations.first().toObject().value(u"reason"_s).toString(), reason);
            QVERIFY(r.json().value(u"yamlError"_s).toObject().value(u"line"_s).toInt() >= 1);
        }
        if (valid)
            QVERIFY(r.json().value(u"runConfig"_s).isObject());
        QCOMPARE(f.call("GET", "/api/v1/runs/counts").json().value(u"total"_s).toInteger(), runsBefore);
    }

    void validationNamesUnknownJobsAndLocations()
    {
        QCOMPARE(
            f.callJson("POST", "/api/v1/locations/test_location/jobs/nope/validate", QJsonObject {}).status,
            404);
        QCOMPARE(f.callJson("POST", "/api/v1/locations/nowhere/jobs/hello_job/validate", QJsonObject {})
                     .errorCode(),
                 u"location_not_found"_s);
        QCOMPARE(f.callJson("POST", "/api/v1/locations/test_location/jobs/hello_job/validate",
                            QJsonObject { { u"runConfigYaml"_s, 3 } })
                     .status,
                 400);
    }

    void reexecutesFromFailureReusingSuccessfulSteps()
    {
        const QString parent = launch(QJsonObject {
            { u"job"_s, u"fanout_job"_s },
            { u"runConfig"_s,
              QJsonObject {
                  { u"ops"_s,
                    QJsonObject {
                        { u"fan_out"_s,
                          QJsonObject { { u"config"_s,
                                          QJsonObject { { u"count"_s, 3 },
                                                        { u"fail_keys"_s,
                                                          QJsonArray { u"item_1"_s } } } } } } } } } } });
        QCOMPARE(f.waitForEnd(parent), u"FAILURE"_s);
        RawResponse r = f.callJson("POST", "/api/v1/runs/" + parent.toUtf8() + "/reexecute",
                                   QJsonObject { { u"strategy"_s, u"FROM_FAILURE"_s } });
        QCOMPARE(r.status, 201);
        const QJsonObject child = r.json().value(u"run"_s).toObject();
        QCOMPARE(child.value(u"tags"_s).toObject().value(u"lifdag/reexecute_from_failure"_s).toString(),
                 parent);
        QCOMPARE(child.value(u"tags"_s).toObject().value(u"lifdag/launched_by"_s).toString(), u"anonymous"_s);
        const QString childId = child.value(u"runId"_s).toString();
        QCOMPARE(f.waitForEnd(childId), u"FAILURE"_s); // item_1 fails again, the others are reused
        // All steps of a run that did not fail; from failure only for failed runs.
        const QString ok = launch(QJsonObject { { u"job"_s, u"hello_job"_s } });
        QCOMPARE(f.waitForEnd(ok), u"SUCCESS"_s);
        r = f.callJson("POST", "/api/v1/runs/" + ok.toUtf8() + "/reexecute",
                       QJsonObject { { u"strategy"_s, u"FROM_FAILURE"_s } });
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), u"run_not_failed"_s);
        r = f.callJson("POST", "/api/v1/runs/" + ok.toUtf8() + "/reexecute",
                       QJsonObject { { u"strategy"_s, u"SOME"_s } });
        QCOMPARE(r.status, 400);
        r = f.callJson("POST", "/api/v1/runs/" + childId.toUtf8() + "/reexecute",
                       QJsonObject { { u"strategy"_s, u"ALL_STEPS"_s } });
        QCOMPARE(r.status, 201);
        // The grandchild re-executes everything: no tag inherited from its parent's from-failure run.
        QVERIFY(!r.json().value(u"run"_s).toObject().value(u"tags"_s).toObject().contains(
            u"lifdag/reexecute_from_failure"_s));
        QCOMPARE(f.waitForEnd(r.json().value(u"run"_s).toObject().value(u"runId"_s).toString()),
                 u"FAILURE"_s);
    }

    void schedulesPreviewTheirNextTicks()
    {
        const RawResponse r = f.call("GET", "/api/v1/locations/test_location/schedules/hello_schedule");
        QCOMPARE(r.status, 200);
        const QJsonArray ticks = r.json().value(u"nextTicks"_s).toArray();
        QCOMPARE(ticks.size(), 5);
        QDateTime previous = QDateTime::currentDateTimeUtc();
        for (const QJsonValue &t : ticks) {
            const QDateTime at = QDateTime::fromString(t.toString(), Qt::ISODateWithMs);
            QVERIFY(at > previous);
            QCOMPARE(at.time().minute() % 5, 0); // */5 * * * *
            previous = at;
        }
    }

    void launcherChangesCanBeCheckedWithoutSaving()
    {
        const QString overridePath =
            f.call("GET", "/api/v1/instance/launcher").json().value(u"override_file"_s).toString();
        RawResponse r = f.callJson(
            "POST", "/api/v1/instance/launcher/validate",
            QJsonObject {
                { u"run_launcher"_s,
                  QJsonObject { { u"class"_s, u"DockerRunLauncher"_s },
                                { u"config"_s, QJsonObject { { u"imag"_s, u"lif/code:1"_s } } } } } });
        QCOMPARE(r.status, 422);
        QCOMPARE(r.json().value(u"error"_s).toObject().value(u"path"_s).toString(),
                 u"run_launcher.config.imag"_s);
        r = f.callJson(
            "POST", "/api/v1/instance/launcher/validate",
            QJsonObject {
                { u"run_coordinator"_s,
                  QJsonObject { { u"class"_s, u"QueuedRunCoordinator"_s },
                                { u"config"_s, QJsonObject { { u"max_concurrent_runs"_s, 7 } } } } } });
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()
                     .value(u"effective"_s)
                     .toObject()
                     .value(u"run_coordinator"_s)
                     .toObject()
                     .value(u"max_concurrent_runs"_s)
                     .toInt(),
                 7);
        QVERIFY(!QFile::exists(overridePath)); // nothing written…
        QVERIFY(f.instance->launchConfig().runCoordinator.kind
                != config::RunCoordinatorConfig::Kind::Queued); // …nor applied
        // The PUT's 422 names the path too.
        r = f.callJson(
            "PUT", "/api/v1/instance/launcher",
            QJsonObject {
                { u"run_coordinator"_s,
                  QJsonObject { { u"class"_s, u"QueuedRunCoordinator"_s },
                                { u"config"_s, QJsonObject { { u"max_concurrent_runs"_s, u"x"_s } } } } } });
        QCOMPARE(r.status, 422);
        QCOMPARE(r.json().value(u"error"_s).toObject().value(u"path"_s).toString(),
                 u"run_coordinator.config.max_concurrent_runs"_s);
    }

    void unknownRoutesAndMethodsAreJsonErrors()
    {
        RawResponse r = f.call("GET", "/api/v1/nothing");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.errorCode(), u"not_found"_s);
        r = f.call("PATCH", "/api/v1/runs");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("allow"), QByteArray("GET, POST, HEAD, OPTIONS"));
        r = f.call("OPTIONS", "/api/v1/runs/abc");
        QCOMPARE(r.status, 204);
        QVERIFY(r.header("allow").contains("DELETE"));
    }
};

QTEST_GUILESS_MAIN(TestWebserverApi)
#include "tst_webserver_api.moc"
