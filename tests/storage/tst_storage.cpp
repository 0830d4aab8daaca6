// One suite for both storage backends: LIFDAG_TEST_BACKEND=sqlite or postgres (the throwaway
// server of the `postgres` ctest fixture). Every test starts from a fresh, empty database.
#include "testsupport.h"

#include <lifdag/core/redaction.h>
#include <lifdag/storage/storage.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <atomic>
#include <cstring>
#include <mutex>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace lifdag;
using namespace lifdag::storage;
using namespace Qt::StringLiterals;

// Verifies a Status/Result and shows its error message when it failed.
#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto &res_ = (expr);                                                                           \
        QVERIFY2(res_.ok(), qPrintable(res_.ok() ? QString() : res_.error().message));                       \
    } while (false)

namespace {
QStringList g_logLines;
QtMessageHandler g_previous = nullptr;
void captureLog(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    g_logLines.append(msg);
    if (g_previous)
        g_previous(type, ctx, msg);
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}
} // namespace

class TestStorage : public QObject
{
    Q_OBJECT

    bool m_pg = false;
    test::PgServer m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_database;
    Settings m_settings;
    std::shared_ptr<Storage> m_storage;

    // A fresh database: a new file for SQLite, CREATE DATABASE on the test server for Postgres.
    Settings freshSettings()
    {
        Settings s;
        if (!m_pg) {
            m_dir = std::make_unique<QTemporaryDir>();
            s.backend = Settings::Backend::Sqlite;
            s.sqliteDirectory = m_dir->path();
            return s;
        }
        m_database = u"lifdag_t_"_s + QUuid::createUuid().toString(QUuid::Id128).left(12);
        admin(u"CREATE DATABASE "_s + m_database);
        s.backend = Settings::Backend::Postgres;
        s.host = m_server.host;
        s.port = m_server.port;
        s.user = m_server.user;
        s.password = m_server.password;
        s.database = m_database;
        return s;
    }

    void admin(const QString &sql)
    {
        const QString error = test::pgAdmin(m_server, sql);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    RunRecord makeRun(const QString &job, QMap<QString, QString> tags = {},
                      RunStatus status = RunStatus::Queued)
    {
        RunRecord r;
        r.runId = newId();
        r.jobName = job;
        r.locationName = u"loc"_s;
        r.repositoryName = u"__repository__"_s;
        r.status = status;
        r.tags = std::move(tags);
        r.runConfig =
            QJsonObject { { u"ops"_s, QJsonObject { { u"a"_s, QJsonObject { { u"config"_s, 1 } } } } } };
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString backend = qEnvironmentVariable("LIFDAG_TEST_BACKEND", u"sqlite"_s);
        m_pg = backend == u"postgres"_s;
        qInfo("storage backend under test: %s", qPrintable(backend));
        if (m_pg) {
            m_server = test::pgServer();
            QVERIFY2(m_server.ok(), qPrintable(m_server.error));
        }
        g_previous = qInstallMessageHandler(captureLog);
    }

    void init()
    {
        m_settings = freshSettings();
        auto opened = open(m_settings);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_storage = *opened;
    }

    void cleanup()
    {
        m_storage.reset();
        if (m_pg && !m_database.isEmpty())
            admin(u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
    }

    void storesAndReadsRunsWithTags()
    {
        RunRecord r = makeRun(u"job_a"_s, { { u"team"_s, u"lif"_s }, { u"dagster/priority"_s, u"5"_s } });
        r.priority = 5;
        r.parentRunId = u"parent"_s;
        VERIFY_OK(m_storage->runs().addRun(r));
        const auto read = m_storage->runs().run(r.runId);
        QVERIFY(read.ok());
        QVERIFY(read->has_value());
        const RunRecord &x = **read;
        QCOMPARE(x.jobName, u"job_a"_s);
        QCOMPARE(x.status, RunStatus::Queued);
        QCOMPARE(x.tags, r.tags);
        QCOMPARE(x.priority, 5);
        QCOMPARE(x.parentRunId, u"parent"_s);
        QCOMPARE(x.runConfig, r.runConfig);
        QVERIFY(x.createdAt.isValid());
        QVERIFY(!x.startedAt.isValid());
        QVERIFY(!m_storage->runs().run(u"missing"_s)->has_value());
        QVERIFY(!m_storage->runs().addRun(r).ok()); // same id twice
    }

    // Values are bound, never spliced: quotes, backslashes, placeholders, SQL and non-ASCII text
    // come back exactly (on PostgreSQL the driver formats them into the statement, see Query).
    void awkwardValuesRoundTrip()
    {
        const QString nasty = u"it's a \\'quote\\' ? ?? $1 -- ; DROP TABLE runs; \"x\" \\n é 你好 🙂"_s;
        RunRecord r = makeRun(nasty.left(20), { { u"k'?"_s, nasty }, { u"empty"_s, QString() } });
        r.runId = u"run-with-'quote'-and-?"_s;
        r.parentRunId = nasty;
        r.runConfig = QJsonObject { { u"ops"_s, QJsonObject { { u"a"_s, nasty } } } };
        VERIFY_OK(m_storage->runs().addRun(r));
        const auto read = m_storage->runs().run(r.runId);
        QVERIFY(read.ok() && read->has_value());
        QCOMPARE((*read)->jobName, nasty.left(20));
        QCOMPARE((*read)->parentRunId, nasty);
        QCOMPARE((*read)->tags.value(u"k'?"_s), nasty);
        QCOMPARE((*read)->tags.value(u"empty"_s), QString());
        QCOMPARE((*read)->runConfig, r.runConfig);
        QVERIFY((*read)->rootRunId.isEmpty());
        Event e;
        e.runId = r.runId;
        e.eventType = u"LOG_MESSAGE"_s;
        e.message = nasty;
        e.payload = QJsonObject { { u"v"_s, nasty } };
        VERIFY_OK(m_storage->events().append({ e }));
        const auto events = m_storage->events().events(r.runId, 0, 10);
        QVERIFY(events.ok());
        QCOMPARE(events->size(), 1);
        QCOMPARE(events->first().message, nasty);
        QCOMPARE(events->first().payload.value(u"v"_s).toString(), nasty);
        RunFilter filter;
        filter.tags = { { u"k'?"_s, nasty } };
        const auto page = m_storage->runs().runs(filter, 10);
        QVERIFY(page.ok());
        QCOMPARE(page->runs.size(), 1);
        QCOMPARE(*m_storage->runs().transition(r.runId, RunStatus::Canceled), true);
        QCOMPARE((*m_storage->runs().run(r.runId))->status, RunStatus::Canceled);
    }

    // SQLite's notifications reach other processes as datagrams, and a listener's queue holds only
    // a few (net.unix.max_dgram_qlen, 10 by default): a burst must wait for room, not be lost.
    void sqliteNotificationsToOtherProcessesSurviveABurst()
    {
        if (m_settings.backend != Settings::Backend::Sqlite)
            QSKIP("datagrams are SQLite's notification path; PostgreSQL uses LISTEN/NOTIFY (tested above)");
        // A listener of "another process": a datagram socket in the database's notification
        // directory, named with a pid prefix that is not ours.
        const QString directory = QDir::tempPath() + u"/lifdag-notify-"_s
            + QString::fromLatin1(QCryptographicHash::hash(m_storage->settings().describe().toUtf8(),
                                                           QCryptographicHash::Sha1)
                                      .toHex()
                                      .left(16));
        QVERIFY(QDir().mkpath(directory));
        const QByteArray path = QFile::encodeName(directory) + "/999999999-burst-test";
        ::unlink(path.constData());
        const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        sockaddr_un addr {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        QVERIFY(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
        constexpr int kBurst = 200;
        std::atomic<int> received { 0 };
        std::thread reader([&] {
            char buffer[4096];
            timeval timeout { 5, 0 };
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            while (received < kBurst) {
                if (::recv(fd, buffer, sizeof buffer, 0) <= 0)
                    return; // nothing for 5 s: the rest was lost
                if (++received % 5 == 0)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2)); // slower than the sender
            }
        });
        for (int i = 0; i < kBurst; ++i)
            VERIFY_OK(m_storage->notify(u"lifdag_test_burst"_s, QString::number(i)));
        reader.join();
        ::close(fd);
        ::unlink(path.constData());
        QCOMPARE(received.load(), kBurst);
    }

    void transitionsAreCompareAndSet()
    {
        const RunRecord r = makeRun(u"job"_s);
        VERIFY_OK(m_storage->runs().addRun(r));
        auto &runs = m_storage->runs();
        QCOMPARE(*runs.transition(r.runId, RunStatus::Started, { RunStatus::Starting }),
                 false); // not STARTING yet
        QCOMPARE(*runs.transition(r.runId, RunStatus::Starting), true);
        QCOMPARE(*runs.transition(r.runId, RunStatus::Started, { RunStatus::Starting }), true);
        QVERIFY((*runs.run(r.runId))->startedAt.isValid());
        QCOMPARE(*runs.transition(r.runId, RunStatus::Success), true);
        QVERIFY((*runs.run(r.runId))->endedAt.isValid());
        for (RunStatus to : allRunStatuses())
            QCOMPARE(*runs.transition(r.runId, to), false); // terminal: never back to live
        QCOMPARE((*runs.run(r.runId))->status, RunStatus::Success);
        QCOMPARE(*runs.transition(u"missing"_s, RunStatus::Starting), false);
    }

    void concurrentTransitionsHaveOneWinner()
    {
        const RunRecord r = makeRun(u"job"_s);
        VERIFY_OK(m_storage->runs().addRun(r));
        std::atomic<int> winners { 0 }, errors { 0 };
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&] {
                const auto won =
                    m_storage->runs().transition(r.runId, RunStatus::Starting, { RunStatus::Queued });
                if (!won.ok())
                    ++errors;
                else if (*won)
                    ++winners;
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(errors.load(), 0);
        QCOMPARE(winners.load(), 1);
    }

    void filtersAndPagesNewestFirstWithoutGapsOrDuplicates()
    {
        QStringList ids;
        for (int i = 0; i < 25; ++i) {
            RunRecord r =
                makeRun(i % 2 ? u"odd"_s : u"even"_s,
                        { { u"k"_s, i % 5 == 0 ? u"v"_s : u"w"_s }, { u"n"_s, QString::number(i) } });
            VERIFY_OK(m_storage->runs().addRun(r));
            ids.prepend(r.runId); // newest first
        }
        QStringList seen;
        QString cursor;
        do {
            const auto page = m_storage->runs().runs({}, 10, cursor);
            QVERIFY(page.ok());
            for (const RunRecord &r : page->runs)
                seen << r.runId;
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        QCOMPARE(seen, ids);

        RunFilter byTag;
        byTag.tags = { { u"k"_s, u"v"_s } };
        const auto tagged = m_storage->runs().runs(byTag, 50);
        QVERIFY(tagged.ok());
        QCOMPARE(tagged->runs.size(), 5);
        for (const RunRecord &r : tagged->runs)
            QCOMPARE(r.tags.value(u"k"_s), u"v"_s);
        byTag.tags.insert(u"n"_s, u"10"_s);
        QCOMPARE(m_storage->runs().runs(byTag, 50)->runs.size(), 1);

        RunFilter byJob;
        byJob.jobName = u"odd"_s;
        byJob.tags = { { u"k"_s, u"w"_s } };
        const auto odd = m_storage->runs().runs(byJob, 3);
        QCOMPARE(odd->runs.size(), 3);
        QVERIFY(!odd->nextCursor.isEmpty());
        const auto rest = m_storage->runs().runs(byJob, 50, odd->nextCursor);
        QCOMPARE(odd->runs.size() + rest->runs.size(), 10);
    }

    void countsByStatus()
    {
        for (int i = 0; i < 6; ++i)
            VERIFY_OK(m_storage->runs().addRun(
                makeRun(u"j"_s, {}, i < 4 ? RunStatus::Queued : RunStatus::Failure)));
        const auto counts = m_storage->runs().countByStatus();
        QVERIFY(counts.ok());
        QCOMPARE(counts->value(RunStatus::Queued), 4);
        QCOMPARE(counts->value(RunStatus::Failure), 2);
        RunFilter f;
        f.statuses = { RunStatus::Failure };
        QCOMPARE(m_storage->runs().runs(f, 10)->runs.size(), 2);
    }

    void appendsEventBatchesAndReadsAfterCursor()
    {
        const RunRecord r = makeRun(u"j"_s);
        VERIFY_OK(m_storage->runs().addRun(r));
        QList<Event> batch;
        for (int i = 0; i < 2500; ++i) {
            Event e;
            e.runId = r.runId;
            e.eventType = u"LOG_MESSAGE"_s;
            e.stepKey = i % 2 ? u"op[k_%1]"_s.arg(i) : QString();
            e.message = QString::number(i);
            e.payload = QJsonObject { { u"i"_s, i } };
            batch.append(e);
        }
        const auto ids = m_storage->events().append(batch);
        QVERIFY2(ids.ok(), qPrintable(ids.ok() ? QString() : ids.error().message));
        QCOMPARE(ids->size(), 2500);
        QVERIFY(std::is_sorted(ids->begin(), ids->end()));
        QCOMPARE(*m_storage->events().latestId(), ids->last());

        QList<Event> all;
        qint64 cursor = 0;
        while (true) {
            const auto page = m_storage->events().events(r.runId, cursor, 700);
            QVERIFY(page.ok());
            if (page->isEmpty())
                break;
            all.append(*page);
            cursor = page->last().storageId;
        }
        QCOMPARE(all.size(), 2500);
        for (int i = 0; i < 2500; ++i) {
            QCOMPARE(all[i].message, QString::number(i));
            QCOMPARE(all[i].payload.value(u"i"_s).toInt(), i);
        }
        QCOMPARE(all[1].stepKey, u"op[k_1]"_s);
        QVERIFY(all[0].timestamp.isValid());
    }

    void deletingARunDeletesItsEventsAndTags()
    {
        const RunRecord r = makeRun(u"j"_s, { { u"a"_s, u"b"_s } });
        const RunRecord keep = makeRun(u"j"_s, { { u"a"_s, u"b"_s } });
        VERIFY_OK(m_storage->runs().addRun(r));
        VERIFY_OK(m_storage->runs().addRun(keep));
        Event e;
        e.runId = r.runId;
        e.eventType = u"RUN_START"_s;
        VERIFY_OK(m_storage->events().append({ e, e }));
        QCOMPARE(*m_storage->runs().deleteRun(r.runId), true);
        QVERIFY(!m_storage->runs().run(r.runId)->has_value());
        QVERIFY(m_storage->events().events(r.runId)->isEmpty());
        RunFilter f;
        f.tags = { { u"a"_s, u"b"_s } };
        QCOMPARE(m_storage->runs().runs(f, 10)->runs.size(), 1);
        QCOMPARE(*m_storage->runs().deleteRun(r.runId), false);
    }

    void workerInfoResultAndTags()
    {
        const RunRecord r = makeRun(u"j"_s);
        VERIFY_OK(m_storage->runs().addRun(r));
        VERIFY_OK(m_storage->runs().setWorkerInfo(r.runId, { 4242, u"host-a"_s, u"c0ffee"_s }));
        VERIFY_OK(m_storage->runs().setResult(r.runId, QJsonObject { { u"parts"_s, 3 } }));
        VERIFY_OK(m_storage->runs().addTags(r.runId, { { u"x"_s, u"y"_s } }));
        const RunRecord x = **m_storage->runs().run(r.runId);
        QCOMPARE(x.workerPid, 4242);
        QCOMPARE(x.workerHost, u"host-a"_s);
        QCOMPARE(x.containerId, u"c0ffee"_s);
        QCOMPARE(x.result.value(u"parts"_s).toInt(), 3);
        QCOMPARE(x.tags.value(u"x"_s), u"y"_s);
        QVERIFY(!m_storage->runs().setResult(u"missing"_s, {}).ok());
    }

    void schedulesAndTicks()
    {
        auto &s = m_storage->schedules();
        VERIFY_OK(s.upsertInstigator({ u"nightly"_s, u"loc"_s, u"0 3 * * *"_s, u"UTC"_s, u"RUNNING"_s, {} }));
        VERIFY_OK(s.upsertInstigator(
            { u"nightly"_s, u"loc"_s, u"0 4 * * *"_s, u"Europe/Berlin"_s, u"STOPPED"_s, {} }));
        const auto list = s.instigators(u"loc"_s);
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().cron, u"0 4 * * *"_s);
        QCOMPARE(list->first().status, u"STOPPED"_s);
        Tick t { 0, u"nightly"_s, u"loc"_s, QDateTime::currentDateTimeUtc(), u"STARTED"_s, {}, {}, {} };
        const auto id = s.addTick(t);
        QVERIFY(id.ok());
        t.id = *id;
        t.status = u"SUCCESS"_s;
        t.runIds = { u"r1"_s, u"r2"_s };
        VERIFY_OK(s.updateTick(t));
        VERIFY_OK(s.addTick({ 0, u"nightly"_s, u"loc"_s, {}, u"SKIPPED"_s, {}, {}, u"already ran"_s }));
        const auto ticks = s.ticks(u"loc"_s, u"nightly"_s, 10);
        QCOMPARE(ticks->size(), 2);
        QCOMPARE(ticks->at(0).skipReason, u"already ran"_s); // newest first
        QCOMPARE(ticks->at(1).runIds, (QStringList { u"r1"_s, u"r2"_s }));
    }

    QStringList claimIds(const ClaimPolicy &policy)
    {
        const auto claimed = m_storage->runs().claimQueuedRuns(policy);
        if (!claimed.ok())
            qWarning("%s", qPrintable(claimed.error().message));
        QStringList ids;
        for (const RunRecord &r : claimed.ok() ? *claimed : QList<RunRecord>())
            ids << r.runId;
        return ids;
    }

    void claimHonoursPriorityThenAgeAndMaxConcurrentRuns()
    {
        RunRecord a = makeRun(u"j"_s), b = makeRun(u"j"_s), c = makeRun(u"j"_s);
        c.priority = 5;
        for (const RunRecord &r : { a, b, c })
            VERIFY_OK(m_storage->runs().addRun(r));
        RunRecord running = makeRun(u"j"_s, {}, RunStatus::Started);
        VERIFY_OK(m_storage->runs().addRun(running));
        ClaimPolicy policy;
        policy.maxConcurrentRuns = 3; // one slot is taken by the running run
        QCOMPARE(claimIds(policy), (QStringList { c.runId, a.runId }));
        QCOMPARE((*m_storage->runs().run(c.runId))->status, RunStatus::Starting);
        QCOMPARE(m_storage->events().events(c.runId)->first().eventType, u"RUN_DEQUEUED"_s);
        QVERIFY(claimIds(policy).isEmpty()); // full
        QVERIFY(*m_storage->runs().transition(running.runId, RunStatus::Success));
        QCOMPARE(claimIds(policy), QStringList { b.runId });
    }

    void claimHonoursEveryKindOfTagLimit_data()
    {
        QTest::addColumn<QString>("limitValue"); // "" any value, "*" per unique value, else exact
        QTest::addColumn<int>("expected");
        // Queued: 3 runs op=a, 2 runs op=b, 1 run without the tag; live: one op=a; limit 2.
        QTest::newRow("exact value op=a") << u"a"_s << 1 + 2 + 1;
        QTest::newRow("any value of op") << QString() << 1 + 0 + 1;
        QTest::newRow("per unique value") << u"*"_s << 1 + 2 + 1;
    }
    void claimHonoursEveryKindOfTagLimit()
    {
        QFETCH(QString, limitValue);
        QFETCH(int, expected);
        VERIFY_OK(m_storage->runs().addRun(makeRun(u"j"_s, { { u"op"_s, u"a"_s } }, RunStatus::Started)));
        QStringList opB;
        for (int i = 0; i < 3; ++i)
            VERIFY_OK(m_storage->runs().addRun(makeRun(u"j"_s, { { u"op"_s, u"a"_s } })));
        for (int i = 0; i < 2; ++i) {
            RunRecord r = makeRun(u"j"_s, { { u"op"_s, u"b"_s } });
            opB << r.runId;
            VERIFY_OK(m_storage->runs().addRun(r));
        }
        const RunRecord untagged = makeRun(u"j"_s);
        VERIFY_OK(m_storage->runs().addRun(untagged));
        ClaimPolicy policy;
        TagLimit limit;
        limit.key = u"op"_s;
        limit.limit = 2;
        if (limitValue == u"*"_s)
            limit.perUniqueValue = true;
        else if (!limitValue.isEmpty())
            limit.value = limitValue;
        policy.tagLimits = { limit };
        const QStringList claimed = claimIds(policy);
        QCOMPARE(claimed.size(), expected);
        QVERIFY(claimed.contains(untagged.runId)); // a blocked run never blocks the runs behind it
        if (limitValue != QString())
            QVERIFY(claimed.contains(opB[1]));
    }

    void concurrentClaimsNeverExceedALimitNorClaimTwice()
    {
        for (int i = 0; i < 40; ++i)
            VERIFY_OK(m_storage->runs().addRun(makeRun(u"j"_s, { { u"team"_s, u"t%1"_s.arg(i % 2) } })));
        ClaimPolicy policy;
        policy.maxConcurrentRuns = 7;
        policy.maxClaims = 3;
        std::mutex m;
        QStringList all;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                for (int round = 0; round < 5; ++round) {
                    const auto claimed = m_storage->runs().claimQueuedRuns(policy);
                    if (!claimed.ok())
                        continue;
                    std::lock_guard lock(m);
                    for (const RunRecord &r : *claimed)
                        all << r.runId;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(all.size(), 7);
        QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), 7);
        RunFilter live;
        live.statuses = { RunStatus::Starting };
        QCOMPARE(m_storage->runs().runs(live, 100)->runs.size(), 7);
    }

    void heartbeatsUpsertPerDaemon()
    {
        auto &h = m_storage->heartbeats();
        VERIFY_OK(h.beat({ u"SCHEDULER"_s, u"d1"_s, {}, {} }));
        VERIFY_OK(h.beat({ u"SCHEDULER"_s, u"d1"_s, {}, { u"boom"_s } }));
        VERIFY_OK(h.beat({ u"QUEUED_RUN_COORDINATOR"_s, u"d1"_s, {}, {} }));
        const auto all = h.all();
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(1).errors, QStringList { u"boom"_s });
    }

    void concurrentOpensMigrateOnce()
    {
        m_storage.reset();
        if (m_pg)
            admin(u"DROP DATABASE IF EXISTS "_s + m_database + u" WITH (FORCE)"_s);
        m_settings = freshSettings();
        std::atomic<int> failures { 0 };
        std::vector<std::thread> threads;
        for (int i = 0; i < 6; ++i) {
            threads.emplace_back([&] {
                const auto s = open(m_settings);
                if (!s.ok()) {
                    qWarning("open failed: %s", qPrintable(s.error().message));
                    ++failures;
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        m_storage = *open(m_settings);
        QCOMPARE(*m_storage->schemaVersion(), currentSchemaVersion());
        QCOMPARE(m_storage->migrate()->fromVersion, currentSchemaVersion()); // nothing left to do
    }

    void newerSchemaIsAClearError()
    {
        // Records a version from the future, as a newer lifdag would.
        {
            const auto v = m_storage->schemaVersion();
            QVERIFY(v.ok());
        }
        Event marker; // make sure this thread's connection exists, then write through SQL
        if (m_pg) {
            admin(u"SELECT 1"_s);
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"future"_s);
            db.setHostName(m_server.host);
            db.setPort(m_server.port);
            db.setUserName(m_server.user);
            db.setPassword(m_server.password);
            db.setDatabaseName(m_database);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"INSERT INTO lifdag_schema (version) VALUES (999)"_s));
            db.close();
        } else {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"future"_s);
            db.setDatabaseName(m_settings.sqliteDirectory + u"/lifdag.db"_s);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"INSERT INTO lifdag_schema (version) VALUES (999)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"future"_s);
        const auto again = open(m_settings);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, u"storage.schema_too_new"_s);
        QVERIFY(again.error().message.contains(u"999"_s));
    }

    void reconnectsAfterTheServerDropsTheConnection()
    {
        if (!m_pg) {
            qInfo("SQLite has no server connection to lose; covered by the postgres variant");
            return;
        }
        VERIFY_OK(m_storage->runs().addRun(makeRun(u"before"_s)));
        admin(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"_s + m_database
              + u"'"_s);
        const auto r = m_storage->runs().runs({}, 10);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->runs.size(), 1);
    }

    // A PostgreSQL restart (or an administrator) drops the LISTEN connection: the listener notices
    // and listens again, so wake-ups and live events resume without restarting the service.
    void listenersReconnectAfterTheServerDropsTheirConnection()
    {
        if (!m_pg) {
            qInfo("SQLite notifications use no server connection; covered by the postgres variant");
            return;
        }
        std::atomic<int> got { 0 };
        auto sub = m_storage->subscribeWithPayload(u"lifdag_test_reconnect"_s, [&](const QString &p) {
            if (p == u"after"_s)
                ++got;
        });
        VERIFY_OK(sub);
        admin(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"_s + m_database
              + u"' AND query ILIKE 'LISTEN%'"_s);
        // Sent until one arrives: those sent while the listener is away are lost, as on a restart.
        auto sendAndCheck = [&] {
            (void)m_storage->notify(u"lifdag_test_reconnect"_s, u"after"_s);
            return got.load() > 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sendAndCheck(), 20000);
    }

    void unreachableServerNamesHostButNeverPassword()
    {
        if (!m_pg) {
            qInfo("SQLite has no server; covered by the postgres variant");
            return;
        }
        g_logLines.clear();
        Settings bad = m_settings;
        bad.password = u"wrong-pass-xyzzy"_s;
        const auto s = open(bad);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(u"%1:%2"_s.arg(m_server.host).arg(m_server.port)),
                 qPrintable(s.error().message));
        QVERIFY(!s.error().message.contains(u"wrong-pass-xyzzy"_s));
        for (const QString &line : std::as_const(g_logLines))
            QVERIFY2(!line.contains(u"wrong-pass-xyzzy"_s) && !line.contains(m_server.password),
                     qPrintable(line));
    }

    void secretsInEventsAreMasked()
    {
        redaction::addSecret(u"event-secret-123"_s);
        const RunRecord r = makeRun(u"j"_s);
        VERIFY_OK(m_storage->runs().addRun(r));
        Event e;
        e.runId = r.runId;
        e.eventType = u"LOG_MESSAGE"_s;
        e.message = u"token event-secret-123 used"_s;
        e.payload = QJsonObject { { u"header"_s, u"Bearer event-secret-123"_s } };
        VERIFY_OK(m_storage->events().append({ e }));
        const Event stored = m_storage->events().events(r.runId)->first();
        QVERIFY(!stored.message.contains(u"event-secret"_s));
        QVERIFY(!stored.payload.value(u"header"_s).toString().contains(u"event-secret"_s));
    }

    // The webserver's live events rely on these: every append and status change names its run.
    void appendsAndStatusChangesNotifyWithTheRunId()
    {
        std::mutex m;
        QStringList events, statuses;
        auto subEvents = m_storage->subscribeWithPayload(kEventsChannel, [&](const QString &p) {
            std::lock_guard lock(m);
            events << p;
        });
        VERIFY_OK(subEvents);
        auto subStatus = m_storage->subscribeWithPayload(kRunStatusChannel, [&](const QString &p) {
            std::lock_guard lock(m);
            statuses << p;
        });
        VERIFY_OK(subStatus);
        const RunRecord a = makeRun(u"a"_s);
        const RunRecord b = makeRun(u"b"_s);
        VERIFY_OK(m_storage->runs().addRun(a));
        VERIFY_OK(m_storage->runs().addRun(b));
        VERIFY_OK(m_storage->events().append({ runEvent(a.runId, EventType::EngineEvent, u"one"_s),
                                               runEvent(a.runId, EventType::EngineEvent, u"two"_s),
                                               runEvent(b.runId, EventType::EngineEvent, u"three"_s) }));
        VERIFY_OK(m_storage->runs().transition(a.runId, RunStatus::Canceled));
        VERIFY_OK(m_storage->runs().deleteRun(b.runId));
        auto has = [&](const QStringList &list, const QString &id, int times) {
            std::lock_guard lock(m);
            return list.count(id) == times;
        };
        QTRY_VERIFY(has(events, a.runId, 1)); // one notification per run and append
        QTRY_VERIFY(has(events, b.runId, 1));
        QTRY_VERIFY(has(statuses, a.runId, 2)); // added, canceled
        QTRY_VERIFY(has(statuses, b.runId, 2)); // added, deleted
        VERIFY_OK(m_storage->notify(u"lifdag_test_channel"_s, u"hello"_s));
    }

    void tokensAreStoredAsGivenAndRevokedOnce()
    {
        auto &admin = m_storage->admin();
        ApiToken t { u"abc123"_s, u"ci"_s, u"launcher"_s, QByteArray(16, '\x01'), QByteArray(32, '\x7f'), {},
                     u"cli"_s,    {} };
        VERIFY_OK(admin.addToken(t));
        QVERIFY(!admin.addToken(t).ok()); // the id is unique
        auto list = admin.tokens();
        VERIFY_OK(list);
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().salt, t.salt);
        QCOMPARE(list->first().hash, t.hash);
        QCOMPARE(list->first().role, u"launcher"_s);
        QVERIFY(!list->first().revokedAt.isValid());
        QCOMPARE(*admin.revokeToken(u"abc123"_s), true);
        QCOMPARE(*admin.revokeToken(u"abc123"_s), false);
        QVERIFY(admin.tokens()->first().revokedAt.isValid());
    }

    void auditLogPagesNewestFirst()
    {
        auto &admin = m_storage->admin();
        for (int i = 0; i < 5; ++i)
            VERIFY_OK(admin.addAudit({ 0,
                                       {},
                                       u"admin-token"_s,
                                       u"launcher_config.update"_s,
                                       u"run_launcher"_s,
                                       QJsonObject { { u"n"_s, i } },
                                       QJsonObject { { u"n"_s, i + 1 } } }));
        const auto first = admin.audit(3);
        VERIFY_OK(first);
        QCOMPARE(first->size(), 3);
        QCOMPARE(first->at(0).after.value(u"n"_s).toInt(), 5);
        const auto rest = admin.audit(10, first->last().id);
        QCOMPARE(rest->size(), 2);
        QCOMPARE(rest->last().before.value(u"n"_s).toInt(), 0);
        QCOMPARE(rest->last().actor, u"admin-token"_s);
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
