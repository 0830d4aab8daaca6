// The desktop's API client and models against a real `lifdag dev`: identity, runs paged with the
// API's cursor and filters, new runs and status changes arriving live, an event log paged and
// then followed live in storage order, resuming after a server restart and after dropped sockets
// without gaps or duplicates, steps derived from a real run, config violations at their paths,
// the launcher-config editor (diff, save, audit) and run watching.
#include "devserver.h"

#include <lifdag/client/apiclient.h>
#include <lifdag/client/eventsmodel.h>
#include <lifdag/client/launcherconfigeditor.h>
#include <lifdag/client/launchform.h>
#include <lifdag/client/listmodels.h>
#include <lifdag/client/rundetail.h>
#include <lifdag/client/runsmodel.h>
#include <lifdag/client/runwatcher.h>
#include <lifdag/client/stepsmodel.h>

#include <QAtomicInt>
#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <thread>

using namespace lifdag;
using namespace lifdag::client;
using namespace lifdag::test;
using namespace Qt::StringLiterals;

namespace {

QList<qint64> modelIds(const EventsModel &m)
{
    QList<qint64> ids;
    for (int i = 0; i < m.count(); ++i)
        ids.append(m.event(i).storageId);
    return ids;
}

// One call, waited for.
ApiReply call(ApiClient &client, const QByteArray &method, const QString &path, const QJsonValue &body = {})
{
    ApiReply out;
    bool done = false;
    client.send(method, path, body, nullptr, [&](const ApiReply &r) {
        out = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 30000))
        out.error.message = u"no answer within 30 s"_s;
    return out;
}

} // namespace

class TestClientApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<DevServer> m_server;
    std::unique_ptr<ApiClient> m_client;

    bool connectClient(ApiClient &client)
    {
        client.connectToServer();
        return QTest::qWaitFor([&] { return client.isOnline(); }, 20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<DevServer>("run_monitoring:\n  enabled: false\n");
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        QVERIFY2(m_server->instance(), qPrintable(m_server->error()));
        m_client = std::make_unique<ApiClient>();
        m_client->setBaseUrl(QUrl(m_server->url()));
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

    void connectsAndReportsIdentityAndVersion()
    {
        QSignalSpy states(m_client.get(), &ApiClient::stateChanged);
        QVERIFY2(connectClient(*m_client), qPrintable(m_client->errorString()));
        QVERIFY(m_client->liveConnected());
        QCOMPARE(m_client->role(), u"admin"_s); // authentication off: anonymous admin
        QVERIFY(!m_client->authEnabled());
        QVERIFY(m_client->canLaunch());
        QTRY_VERIFY(!m_client->serverVersion().isEmpty());
        QVERIFY(states.count() >= 2); // Connecting, Online
    }

    void runsArePagedNewestFirstWithoutDuplicates()
    {
        // 120 ended runs of two jobs, a second apart so their order is known.
        const QDateTime base = QDateTime::currentDateTimeUtc().addDays(-1);
        QStringList created;
        for (int i = 0; i < 120; ++i)
            created.prepend(m_server->addRun(i % 3 == 0 ? u"paging_b"_s : u"paging_a"_s,
                                             i % 4 == 0 ? RunStatus::Failure : RunStatus::Success,
                                             { { u"batch"_s, u"paging"_s } }, base.addSecs(i)));
        QVERIFY(!created.contains(QString()));

        RunsModel model;
        model.setPageSize(50);
        model.setTags({ u"batch=paging"_s });
        model.setClient(m_client.get());
        QTRY_COMPARE(model.count(), 50);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QTRY_COMPARE(model.count(), 100);
        model.fetchMore({});
        QTRY_COMPARE(model.count(), 120);
        QVERIFY(!model.canFetchMore({}));
        QStringList shown;
        for (int i = 0; i < model.count(); ++i)
            shown << model.data(model.index(i), RunsModel::RunIdRole).toString();
        QCOMPARE(shown, created); // newest first, each once

        // Filters go to the server: statuses and job.
        model.setStatuses({ u"FAILURE"_s });
        QTRY_VERIFY(!model.loading() && model.count() == 30);
        for (int i = 0; i < model.count(); ++i)
            QCOMPARE(model.data(model.index(i), RunsModel::StatusRole).toString(), u"FAILURE"_s);
        model.setStatuses({});
        model.setJobName(u"paging_b"_s);
        QTRY_VERIFY(!model.loading() && model.count() == 40);
        QCOMPARE(model.data(model.index(0), RunsModel::JobNameRole).toString(), u"paging_b"_s);
        QVERIFY(model.error().isEmpty());
    }

    void newRunsAndStatusChangesArriveLive()
    {
        RunsModel model;
        model.setClient(m_client.get());
        QTRY_VERIFY(!model.loading() && model.count() > 0);
        const ApiReply launched =
            call(*m_client, "POST", u"/api/v1/runs"_s, QJsonObject { { u"job"_s, u"hello_job"_s } });
        QVERIFY2(launched.status == 201, launched.body.constData());
        const QString runId = launched.json().value(u"run"_s).toObject().value(u"runId"_s).toString();
        // No reload: the run appears at the top through the live channel and ends SUCCESS.
        QTRY_COMPARE_WITH_TIMEOUT(model.indexOfRun(runId), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            model.data(model.index(model.indexOfRun(runId)), RunsModel::StatusRole).toString(), u"SUCCESS"_s,
            30000);
        QVERIFY(!model.data(model.index(model.indexOfRun(runId)), RunsModel::DurationTextRole)
                     .toString()
                     .isEmpty());

        // A filtered list takes only runs that match.
        RunsModel failures;
        failures.setStatuses({ u"FAILURE"_s });
        failures.setClient(m_client.get());
        QTRY_VERIFY(!failures.loading() && failures.count() > 0);
        const QString other = m_server->addRun(u"live_filtered"_s, RunStatus::Success);
        const QString failed = m_server->addRun(u"live_filtered"_s, RunStatus::Failure);
        QTRY_COMPARE_WITH_TIMEOUT(failures.indexOfRun(failed), 0, 10000);
        QCOMPARE(failures.indexOfRun(other), -1);
    }

    void eventLogPagesThenFollowsLiveInOrder()
    {
        const QString runId = m_server->addRun(u"events_job"_s);
        QCOMPARE(m_server->appendEvents(runId, 2500).size(), 2500);

        EventsModel model;
        model.setPageSize(1000);
        model.setClient(m_client.get());
        model.setRunId(runId);
        QCOMPARE(model.count(), 0);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({});
        QTRY_COMPARE(model.count(), 1000);
        QVERIFY(!model.complete());
        model.fetchMore({});
        QTRY_COMPARE(model.count(), 2000);
        model.fetchMore({});
        QTRY_COMPARE(model.count(), 2500);
        QTRY_VERIFY(model.complete() && model.live());
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.data(model.index(0), EventsModel::MessageRole).toString(), u"event 0"_s);
        QCOMPARE(model.data(model.index(3), EventsModel::StepKeyRole).toString(), u"step_3"_s);
        QCOMPARE(model.stepKeys().size(), 7);

        // Appended in three batches by another writer: inserted live, in storage order.
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int b = 0; b < 3; ++b)
            QCOMPARE(m_server->appendEvents(runId, 10, 10, u"live %1 "_s.arg(b)).size(), 10);
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 2530, 10000);
        QCOMPARE(modelIds(model), m_server->storedEventIds(runId));
        QCOMPARE(model.data(model.index(2529), EventsModel::MessageRole).toString(), u"live 2 event 9"_s);
        for (const auto &args : std::as_const(inserted))
            QVERIFY(args.at(1).toInt() >= 2500); // only ever appended at the end

        QCOMPARE(model.findNext(u"live 1 event 4"_s, 0), 2514);
        QCOMPARE(model.findNext(u"event 2499"_s, 2514, false), 2499);
        QCOMPARE(model.findNext(u"no such text"_s, 0), -1);
    }

    void followLoadsTheWholeLogAndStepsFollow()
    {
        const QString runId = m_server->addRun(u"follow_job"_s);
        QCOMPARE(m_server->appendEvents(runId, 5000).size(), 5000);
        EventsModel model;
        StepsModel steps;
        steps.setEvents(&model);
        model.setPageSize(1500);
        model.setClient(m_client.get());
        model.setRunId(runId);
        model.setFollow(true);
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 5000, 20000);
        QTRY_VERIFY(model.live());
        QCOMPARE(steps.count(), 7);
        QCOMPARE(modelIds(model), m_server->storedEventIds(runId));
    }

    void liveEventsResumeAfterAServerRestartWithoutGapsOrDuplicates()
    {
        const QString runId = m_server->addRun(u"restart_job"_s);
        QCOMPARE(m_server->appendEvents(runId, 300).size(), 300);
        EventsModel model;
        model.setClient(m_client.get());
        model.setRunId(runId);
        model.setFollow(true);
        QTRY_VERIFY(model.live() && model.count() == 300);

        QSignalSpy reconnected(m_client.get(), &ApiClient::reconnected);
        m_server->stop();
        QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ApiClient::State::Offline, 10000);
        QVERIFY(!m_client->errorString().isEmpty());
        // Written while the webserver is away: nobody is told.
        QCOMPARE(m_server->appendEvents(runId, 250, 50, u"offline "_s).size(), 250);
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));
        QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ApiClient::State::Online, 30000);
        QTRY_COMPARE(reconnected.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 550, 10000);
        QCOMPARE(m_server->appendEvents(runId, 5, 5, u"after "_s).size(), 5);
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 555, 10000);
        QCOMPARE(modelIds(model), m_server->storedEventIds(runId));
        QCOMPARE(model.data(model.index(300), EventsModel::MessageRole).toString(), u"offline event 0"_s);
    }

    void droppedSocketsDuringAStreamLoseNothing()
    {
        const QString runId = m_server->addRun(u"drop_job"_s);
        EventsModel model;
        model.setClient(m_client.get());
        model.setRunId(runId);
        model.setFollow(true);
        QTRY_VERIFY(model.live());
        QTRY_VERIFY(m_client->isOnline());

        // A writer streams events while the socket is dropped twice.
        QAtomicInt written = 0;
        std::thread writer([&] {
            auto inst = instance::Instance::open(m_server->home());
            if (!inst)
                return;
            for (int i = 0; i < 60; ++i) {
                QList<Event> batch;
                for (int k = 0; k < 10; ++k)
                    batch.append(runEvent(runId, EventType::LogMessage, u"stream %1"_s.arg(i * 10 + k)));
                if ((*inst)->storage().events().append(batch).ok())
                    written.fetchAndAddOrdered(10);
                QThread::msleep(15);
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(model.count() >= 100, 10000);
        m_client->dropLiveConnection();
        QTRY_VERIFY_WITH_TIMEOUT(m_client->isOnline(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(model.count() >= 300, 10000);
        m_client->dropLiveConnection();
        QTRY_VERIFY_WITH_TIMEOUT(m_client->isOnline(), 15000);
        writer.join();
        QCOMPARE(written.loadRelaxed(), 600);
        QTRY_COMPARE_WITH_TIMEOUT(model.count(), 600, 15000);
        const QList<qint64> ids = modelIds(model);
        QCOMPARE(ids, m_server->storedEventIds(runId));
        QCOMPARE(QSet<qint64>(ids.begin(), ids.end()).size(), 600);
        QVERIFY(m_client->liveConnectCount() >= 3);
    }

    void runDetailFollowsARealRunWithStepsAndResult()
    {
        RunsModel runs;
        runs.setClient(m_client.get());
        const ApiReply launched = call(
            *m_client, "POST", u"/api/v1/runs"_s,
            QJsonObject {
                { u"job"_s, u"fanout_job"_s },
                { u"runConfig"_s,
                  QJsonObject {
                      { u"ops"_s,
                        QJsonObject {
                            { u"fan_out"_s,
                              QJsonObject { { u"config"_s, QJsonObject { { u"count"_s, 4 } } } } } } } } } });
        QVERIFY2(launched.status == 201, launched.body.constData());
        const QString runId = launched.json().value(u"run"_s).toObject().value(u"runId"_s).toString();

        RunDetail detail;
        QSignalSpy finished(&detail, &RunDetail::finished);
        detail.setClient(m_client.get());
        detail.setRunId(runId);
        QTRY_COMPARE_WITH_TIMEOUT(detail.status(), u"SUCCESS"_s, 60000);
        QVERIFY(detail.runConfigText().contains(u"\"count\": 4"_s));
        QTRY_VERIFY_WITH_TIMEOUT(detail.steps()->finished(), 10000);
        // fan_out, four work[item_n] steps, gather
        QCOMPARE(detail.steps()->count(), 6);
        for (int i = 0; i < detail.steps()->count(); ++i)
            QCOMPARE(detail.steps()->data(detail.steps()->index(i), StepsModel::StatusRole).toString(),
                     u"SUCCESS"_s);
        QVERIFY(detail.steps()->indexOfStep(u"work[item_3]"_s) >= 0);
        QVERIFY(detail.steps()->endMs() >= detail.steps()->startMs());
        QCOMPARE(detail.events()->event(detail.events()->count() - 1).eventType, u"RUN_SUCCESS"_s);
        detail.loadResult();
        QTRY_VERIFY(detail.resultLoaded());
    }

    void launchFormLocatesViolationsAtTheirPaths()
    {
        JobsModel jobs;
        jobs.setClient(m_client.get());
        QTRY_VERIFY(jobs.count() > 0);
        QVERIFY(jobs.names().contains(u"fanout_job"_s));
        const QString location =
            jobs.get(jobs.indexOfJob(u"fanout_job"_s)).value(u"locationName"_s).toString();
        QCOMPARE(location, u"dev_location"_s);

        LaunchForm form;
        form.setClient(m_client.get());
        form.setJobName(u"fanout_job"_s);
        form.setLocationName(location);
        form.loadJob();
        QTRY_VERIFY(form.configText().contains(u"fan_out"_s));
        QVERIFY(!form.configSchemaText().isEmpty());

        // Syntax errors stay on this side, with their line.
        form.setConfigText(u"{\n  \"ops\": {\n    \"fan_out\": oops\n  }\n}"_s);
        QVERIFY(!form.validateLocally());
        QCOMPARE(form.violations()->count(), 1);
        QCOMPARE(form.violations()->get(0).value(u"line"_s).toInt(), 3);

        // The code location's violations, each at its place in the text.
        const QString text =
            u"{\n  \"ops\": {\n    \"fan_out\": {\n      \"config\": {\n        \"count\": \"many\",\n"
            u"        \"colour\": 1\n      }\n    }\n  }\n}"_s;
        form.setConfigText(text);
        QSignalSpy launched(&form, &LaunchForm::launched);
        form.launch();
        QTRY_VERIFY(!form.busy() && form.violations()->count() > 0);
        QCOMPARE(launched.count(), 0);
        bool sawCount = false;
        for (int i = 0; i < form.violations()->count(); ++i) {
            const QVariantMap v = form.violations()->get(i);
            if (v.value(u"path"_s).toString() == u"ops.fan_out.config.count"_s) {
                sawCount = true;
                QCOMPARE(v.value(u"line"_s).toInt(), 5);
                QVERIFY(v.value(u"exact"_s).toBool());
                QCOMPARE(text.mid(v.value(u"offset"_s).toInt(), 7), u"\"count\""_s);
            }
        }
        QVERIFY2(sawCount, qPrintable(form.error()));

        // Checked as it is typed (without launching): the code location's verdict arrives by itself.
        form.setConfigText(u"{\"ops\": {\"fan_out\": {\"config\": {\"count\": -1.5}}}}"_s);
        QTRY_VERIFY(!form.checking() && form.violations()->count() == 1);
        QVERIFY(!form.checkedValid());
        QCOMPARE(form.violations()->get(0).value(u"path"_s).toString(), u"ops.fan_out.config.count"_s);
        form.setConfigText(u"{\"ops\": {\"fan_out\": {\"config\": {\"count\": 1}}}}"_s);
        QTRY_VERIFY(form.checkedValid());
        QCOMPARE(form.violations()->count(), 0);
        QCOMPARE(launched.count(), 0);
        form.setTagsText(u"team=desktop\nnote = from the test"_s);
        form.launch();
        QTRY_COMPARE(launched.count(), 1);
        QCOMPARE(form.violations()->count(), 0);
        const QString runId = launched.first().first().toString();
        const ApiReply run = call(*m_client, "GET", u"/api/v1/runs/"_s + runId);
        QCOMPARE(
            run.json().value(u"run"_s).toObject().value(u"tags"_s).toObject().value(u"team"_s).toString(),
            u"desktop"_s);
    }

    void healthModelsShowDaemonsAndLocations()
    {
        DaemonsModel daemons;
        daemons.setClient(m_client.get());
        QTRY_VERIFY_WITH_TIMEOUT(daemons.count() > 0, 10000);
        QVERIFY(!daemons.get(0).value(u"daemonType"_s).toString().isEmpty());
        LocationsModel locations;
        locations.setClient(m_client.get());
        QTRY_COMPARE(locations.count(), 1);
        QCOMPARE(locations.get(0).value(u"name"_s).toString(), u"dev_location"_s);
        QCOMPARE(locations.get(0).value(u"status"_s).toString(), u"ok"_s);
        QVERIFY(locations.allAvailable());
    }

    void launcherEditorShowsDiffSavesAndAudits()
    {
        LauncherConfigEditor editor;
        editor.setClient(m_client.get());
        QTRY_VERIFY(!editor.serverText().isEmpty());
        QVERIFY(editor.serverText().contains(u"DefaultRunCoordinator"_s));
        QVERIFY(!editor.dirty());
        QCOMPARE(editor.diff()->added(), 0);

        QString edited = editor.serverText();
        edited.replace(
            u"\"class\": \"DefaultRunCoordinator\""_s,
            u"\"class\": \"QueuedRunCoordinator\",\n        \"config\": {\"max_concurrent_runs\": 7}"_s);
        QVERIFY(edited != editor.serverText());
        editor.setEditText(edited);
        QVERIFY(editor.dirty());
        QVERIFY(editor.diff()->added() >= 1);
        QVERIFY(editor.diff()->removed() >= 1);

        // Checked as it is typed: the server accepts this one...
        QTRY_VERIFY(editor.checkedValid());
        QVERIFY(editor.error().isEmpty());
        QVERIFY(!editor.overrideExists()); // checking saves nothing
        // ...and names the key of this one, which the editor finds in the text.
        QString bad = edited;
        bad.replace(u"\"max_concurrent_runs\": 7"_s, u"\"max_concurrent_runz\": 7"_s);
        editor.setEditText(bad);
        QTRY_VERIFY(!editor.error().isEmpty());
        QVERIFY(!editor.checkedValid());
        QVERIFY2(editor.errorOffset() >= 0, qPrintable(editor.error()));
        QVERIFY(bad.mid(editor.errorOffset(), 30).contains(u"max_concurrent_runz"_s)
                || bad.mid(editor.errorOffset(), 30).contains(u"config"_s));
        editor.save();
        QTRY_VERIFY(!editor.saving());
        QVERIFY(!editor.error().isEmpty());
        QVERIFY2(editor.error().contains(u"max_concurrent_runz"_s), qPrintable(editor.error()));

        QSignalSpy saved(&editor, &LauncherConfigEditor::saved);
        editor.setEditText(edited);
        editor.save();
        QTRY_COMPARE(saved.count(), 1);
        QVERIFY2(editor.error().isEmpty(), qPrintable(editor.error()));
        QVERIFY(editor.overrideExists());
        QVERIFY(editor.serverText().contains(u"QueuedRunCoordinator"_s));
        QVERIFY(editor.sourcesText().contains(u"override"_s));
        QTRY_VERIFY(editor.audit()->count() >= 1);
        const QVariantMap entry = editor.audit()->get(0);
        QCOMPARE(entry.value(u"action"_s).toString(), u"launcher_config.update"_s);
        QVERIFY(entry.value(u"afterText"_s).toString().contains(u"QueuedRunCoordinator"_s));
        QVERIFY(!entry.value(u"diff"_s).toList().isEmpty());

        editor.resetToDagsterYaml();
        QTRY_COMPARE(saved.count(), 2);
        QVERIFY(!editor.overrideExists());
        QVERIFY(editor.serverText().contains(u"DefaultRunCoordinator"_s));
        QTRY_VERIFY(editor.audit()->count() >= 2);
    }

    void watchedRunReportsItsEnd()
    {
        RunWatcher watcher;
        watcher.setClient(m_client.get());
        QSignalSpy finished(&watcher, &RunWatcher::runFinished);
        const ApiReply launched =
            call(*m_client, "POST", u"/api/v1/runs"_s, QJsonObject { { u"job"_s, u"hello_job"_s } });
        const QString runId = launched.json().value(u"run"_s).toObject().value(u"runId"_s).toString();
        watcher.watch(runId, u"hello_job"_s);
        QVERIFY(watcher.isWatched(runId));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.first().at(0).toString(), runId);
        QCOMPARE(finished.first().at(2).toString(), u"SUCCESS"_s);
        QVERIFY(!watcher.isWatched(runId));
        // A run that already ended is reported at once.
        const QString ended = m_server->addRun(u"ended_job"_s, RunStatus::Failure);
        watcher.watch(ended);
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(finished.last().at(2).toString(), u"FAILURE"_s);
    }
};

QTEST_GUILESS_MAIN(TestClientApi)
#include "tst_client_api.moc"
