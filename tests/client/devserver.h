// A real `lifdag dev` for the desktop client's tests: a temporary DAGSTER_HOME (SQLite), the
// webserver on a port of its own that survives restarts, and the instance opened in the test
// process to seed runs and events through storage.
#pragma once

#include "testsupport.h"

#include <lifdag/core/event.h>
#include <lifdag/instance/instance.h>

#include <QDir>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

namespace lifdag::test {

class DevServer
{
public:
    // `dagsterYaml`: extra dagster.yaml text (e.g. authentication on).
    explicit DevServer(const QByteArray &dagsterYaml = {})
    {
        if (!dagsterYaml.isEmpty())
            writeTextFile(QDir(m_home.path()).filePath(QStringLiteral("dagster.yaml")), dagsterYaml);
        m_codePort = freePort();
    }
    ~DevServer() { stop(); }

    QString home() const { return m_home.path(); }
    int port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    const QString &error() const { return m_error; }

    // Starts `lifdag dev` (again on the same ports after a stop). False with error() set.
    bool start()
    {
        if (m_port > 0)
            return startOnce();
        // First start: the code server's port was only probed free; another test may take it
        // first, so try a few.
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (startOnce())
                return true;
            stop();
            m_port = 0;
            m_codePort = freePort();
        }
        return false;
    }

private:
    bool startOnce()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DAGSTER_HOME"), m_home.path());
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("lifdag.*.info=false"));
        m_process.setProcessEnvironment(env);
        m_process.setWorkingDirectory(m_home.path());
        m_port = startLifdagServer(m_process,
                                   { QStringLiteral("dev"), QStringLiteral("--home"), m_home.path(),
                                     QStringLiteral("-p"), QString::number(m_port),
                                     QStringLiteral("--code-server-port"), QString::number(m_codePort) },
                                   &m_error, 30000);
        return m_port > 0;
    }

public:
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(15000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool running() const { return m_process.state() == QProcess::Running; }

    // The instance, opened in this process (after start(): the dev server created the storage).
    instance::Instance *instance()
    {
        if (!m_instance) {
            auto opened = instance::Instance::open(m_home.path());
            if (!opened) {
                m_error = opened.error().message;
                return nullptr;
            }
            m_instance = *opened;
        }
        return m_instance.get();
    }

    // A run in storage (no worker), STARTED unless told otherwise.
    QString addRun(const QString &jobName, RunStatus status = RunStatus::Started,
                   const QMap<QString, QString> &tags = {}, const QDateTime &created = {})
    {
        storage::RunRecord r;
        r.runId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        r.jobName = jobName;
        r.locationName = QStringLiteral("dev_location");
        r.repositoryName = QStringLiteral("__repository__");
        r.status = status;
        r.tags = tags;
        r.createdAt = created.isValid() ? created : QDateTime::currentDateTimeUtc();
        if (status != RunStatus::Queued && status != RunStatus::NotStarted)
            r.startedAt = r.createdAt;
        if (isTerminal(status))
            r.endedAt = r.createdAt.addSecs(3);
        return instance()->storage().runs().addRun(r).ok() ? r.runId : QString();
    }

    // Appends `n` events to a run in batches of `batch`; returns their storage ids.
    QList<qint64> appendEvents(const QString &runId, int n, int batch = 500, const QString &prefix = {})
    {
        QList<qint64> ids;
        for (int done = 0; done < n;) {
            QList<Event> events;
            const int k = std::min(batch, n - done);
            for (int i = 0; i < k; ++i) {
                Event e = runEvent(runId, EventType::LogMessage,
                                   QStringLiteral("%1event %2").arg(prefix).arg(done + i));
                if ((done + i) % 10 == 3)
                    e.stepKey = QStringLiteral("step_%1").arg((done + i) % 7);
                events.append(e);
            }
            const auto appended = instance()->storage().events().append(events);
            if (!appended)
                return {};
            ids += *appended;
            done += k;
        }
        return ids;
    }

    QList<qint64> storedEventIds(const QString &runId)
    {
        QList<qint64> ids;
        qint64 after = 0;
        while (true) {
            const auto page = instance()->storage().events().events(runId, after, 10000);
            if (!page || page->isEmpty())
                return ids;
            for (const Event &e : *page)
                ids.append(e.storageId);
            after = page->last().storageId;
        }
    }

    static int freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

private:
    QTemporaryDir m_home;
    QProcess m_process;
    int m_port = 0;
    int m_codePort = 0;
    QString m_error;
    std::shared_ptr<instance::Instance> m_instance;
};

} // namespace lifdag::test
