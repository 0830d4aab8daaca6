// The run store a forked worker uses: calls through the code server's RunStoreServer reach
// storage; a worker may only touch its own run (and read what the run it re-executes kept); a
// worker whose server is gone goes on with a connection of its own.
#include <lifdag/codelocation/runstore.h>
#include <lifdag/execution/executor.h>

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>
#include <unistd.h>

using namespace lifdag;
using namespace lifdag::codelocation;
using namespace Qt::StringLiterals;

class TestRunStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<storage::Storage> m_storage;

    storage::RunRecord addRun(const QString &runId, const QMap<QString, QString> &tags = {})
    {
        storage::RunRecord run;
        run.runId = runId;
        run.jobName = u"hello_job"_s;
        run.status = RunStatus::Starting;
        run.runConfig = QJsonObject { { u"ops"_s, QJsonObject {} } };
        run.tags = tags;
        run.priority = 3;
        [&] {
            QVERIFY(m_storage->runs().addRun(run).ok());
        }();
        return run;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        storage::Settings s;
        s.backend = storage::Settings::Backend::Sqlite;
        s.sqliteDirectory = m_dir.path();
        auto opened = storage::open(s);
        QVERIFY2(opened.ok(), opened ? "" : qPrintable(opened.error().message));
        m_storage = *opened;
    }

    void callsThroughTheServerReachStorage()
    {
        RunStoreServer server(m_storage, 2);
        const storage::RunRecord added = addRun(u"r-through"_s, { { u"team"_s, u"a"_s } });
        const auto fd = server.connect(added.runId);
        QVERIFY(fd.ok());
        QCOMPARE(server.connectedCount(), 1);
        auto store = makeServerRunStore(*fd, {});

        const auto loaded = store->run(added.runId);
        QVERIFY(loaded.ok() && loaded->has_value());
        QCOMPARE((*loaded)->jobName, added.jobName);
        QCOMPARE((*loaded)->status, RunStatus::Starting);
        QCOMPARE((*loaded)->tags, added.tags);
        QCOMPARE((*loaded)->runConfig, added.runConfig);
        QCOMPARE((*loaded)->priority, 3);
        QVERIFY((*loaded)->createdAt.isValid());

        QCOMPARE(*store->transition(added.runId, RunStatus::Started, { RunStatus::Starting }), true);
        QCOMPARE(*store->transition(added.runId, RunStatus::Started, { RunStatus::Starting }), false);
        QVERIFY(store->setWorkerInfo(added.runId, { 4242, u"host-1"_s, {} }).ok());
        QList<Event> events;
        for (int i = 0; i < 3; ++i) {
            Event e = runEvent(added.runId, EventType::EngineEvent, u"message %1"_s.arg(i));
            e.payload = QJsonObject { { u"n"_s, i } };
            events.append(e);
        }
        QVERIFY(store->appendEvents(events).ok());
        QVERIFY(store->setResult(added.runId, QJsonObject { { u"answer"_s, 42 } }).ok());
        QVERIFY(store->setStepOutputs(added.runId, QJsonObject { { u"step"_s, QJsonObject {} } }).ok());
        QVERIFY(store->notify(storage::kRunsEndedChannel).ok());
        QCOMPARE(*store->transition(added.runId, RunStatus::Success), true);

        const storage::RunRecord stored = **m_storage->runs().run(added.runId);
        QCOMPARE(stored.status, RunStatus::Success);
        QCOMPARE(stored.workerPid, 4242);
        QCOMPARE(stored.workerHost, u"host-1"_s);
        QCOMPARE(stored.result.value(u"answer"_s).toInt(), 42);
        QVERIFY(stored.endedAt.isValid());
        const auto kept = m_storage->events().events(added.runId, 0, 100);
        QVERIFY(kept.ok());
        QCOMPARE(kept->size(), 3);
        QCOMPARE(kept->at(2).message, u"message 2"_s);
        QCOMPARE(kept->at(2).payload.value(u"n"_s).toInt(), 2);
        QCOMPARE(server.callCount(), 9); // every call above went through the server

        store.reset(); // the worker ends: the server forgets its socket
        QTRY_COMPARE(server.connectedCount(), 0);
    }

    void aWorkerTouchesOnlyItsRun()
    {
        RunStoreServer server(m_storage, 1);
        const storage::RunRecord mine = addRun(u"r-mine"_s);
        const storage::RunRecord other = addRun(u"r-other"_s);
        const storage::RunRecord reexecution =
            addRun(u"r-reexec"_s, { { QString(execution::kReexecuteFromFailureTag), other.runId } });
        QVERIFY(m_storage->runs().setStepOutputs(other.runId, QJsonObject { { u"kept"_s, true } }).ok());

        auto store = makeServerRunStore(*server.connect(mine.runId), {});
        const auto read = store->run(other.runId);
        QVERIFY(!read.ok());
        QCOMPARE(read.error().code, u"runstore.forbidden"_s);
        QVERIFY(!store->transition(other.runId, RunStatus::Failure).ok());
        QVERIFY(!store->appendEvents({ runEvent(other.runId, EventType::EngineEvent, u"x"_s) }).ok());
        QVERIFY(!store->stepOutputs(other.runId).ok()); // mine re-executes nothing
        const auto notified = store->notify(storage::kRunStatusChannel);
        QVERIFY(!notified.ok());
        QCOMPARE(m_storage->runs().run(other.runId)->value().status, RunStatus::Starting);
        QCOMPARE(m_storage->events().events(other.runId, 0, 100)->size(), 0);
        QVERIFY(store->run(mine.runId).ok()); // the socket still serves after refusals

        // A re-execution from failure reads what its parent kept.
        auto reexecStore = makeServerRunStore(*server.connect(reexecution.runId), {});
        const auto outputs = reexecStore->stepOutputs(other.runId);
        QVERIFY(outputs.ok() && outputs->has_value());
        QCOMPARE((*outputs)->value(u"kept"_s).toBool(), true);
    }

    void aWorkerWhoseServerIsGoneGoesOnAlone()
    {
        const storage::RunRecord run = addRun(u"r-alone"_s);
        std::atomic<int> opened { 0 };
        std::unique_ptr<RunStore> store;
        {
            RunStoreServer server(m_storage, 1);
            store = makeServerRunStore(*server.connect(run.runId),
                                       [&]() -> Result<std::shared_ptr<storage::Storage>> {
                                           ++opened;
                                           return m_storage;
                                       });
            QVERIFY(store->transition(run.runId, RunStatus::Started).ok());
            QCOMPARE(opened.load(), 0);
        } // the code server ends
        QVERIFY(store->appendEvents({ runEvent(run.runId, EventType::EngineEvent, u"after"_s) }).ok());
        QCOMPARE(*store->transition(run.runId, RunStatus::Success), true);
        QCOMPARE(opened.load(), 1);
        QCOMPARE(m_storage->runs().run(run.runId)->value().status, RunStatus::Success);
        QCOMPARE(m_storage->events().events(run.runId, 0, 100)->size(), 1);
    }

    void manyWorkersAtOnce()
    {
        RunStoreServer server(m_storage, 3);
        constexpr int kWorkers = 16;
        std::vector<std::thread> threads;
        std::atomic<int> failures { 0 };
        for (int w = 0; w < kWorkers; ++w) {
            const QString runId = u"r-many-%1"_s.arg(w);
            addRun(runId);
            threads.emplace_back([&, runId, fd = *server.connect(runId)] {
                auto store = makeServerRunStore(fd, {});
                for (int i = 0; i < 20; ++i) {
                    if (!store->appendEvents({ runEvent(runId, EventType::EngineEvent, QString::number(i)) })
                             .ok())
                        ++failures;
                }
                if (!store->transition(runId, RunStatus::Success).ok())
                    ++failures;
            });
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        for (int w = 0; w < kWorkers; ++w) {
            const QString runId = u"r-many-%1"_s.arg(w);
            QCOMPARE(m_storage->runs().run(runId)->value().status, RunStatus::Success);
            const auto events = m_storage->events().events(runId, 0, 100);
            QCOMPARE(events->size(), 20);
            for (int i = 0; i < 20; ++i)
                QCOMPARE(events->at(i).message, QString::number(i)); // in order
        }
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_runstore.moc"
