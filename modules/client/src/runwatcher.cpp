#include "lifdag/client/runwatcher.h"

#include "format_p.h"

namespace lifdag::client {

RunWatcher::RunWatcher(QObject *parent)
    : QObject(parent)
{ }

RunWatcher::~RunWatcher()
{
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
}

void RunWatcher::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
    m_subscription.clear();
    m_client = client;
    Q_EMIT clientChanged();
    resubscribe();
}

void RunWatcher::watch(const QString &runId, const QString &jobName)
{
    if (runId.isEmpty() || m_jobs.contains(runId))
        return;
    m_jobs.insert(runId, jobName);
    resubscribe();
    Q_EMIT watchedChanged();
}

void RunWatcher::unwatch(const QString &runId)
{
    if (!m_jobs.remove(runId))
        return;
    resubscribe();
    Q_EMIT watchedChanged();
}

void RunWatcher::toggle(const QString &runId, const QString &jobName)
{
    if (isWatched(runId))
        unwatch(runId);
    else
        watch(runId, jobName);
}

void RunWatcher::resubscribe()
{
    if (!m_client)
        return;
    if (!m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
    m_subscription.clear();
    if (m_jobs.isEmpty())
        return;
    // The server answers a named-run subscription with each run's current state first, so a run
    // that ended while we were away is reported too.
    m_subscription = m_client->subscribeRuns(m_jobs.keys(), this, [this](const QJsonObject &run) {
        const QString runId = run.value(QStringLiteral("runId")).toString();
        const QString status = run.value(QStringLiteral("status")).toString();
        if (!m_jobs.contains(runId))
            return;
        if (status != QLatin1StringView("SUCCESS") && status != QLatin1StringView("FAILURE")
            && status != QLatin1StringView("CANCELED"))
            return;
        const QString job = m_jobs.value(runId).isEmpty() ? run.value(QStringLiteral("jobName")).toString()
                                                          : m_jobs.value(runId);
        const qint64 started = detail::parseIsoMs(run.value(QStringLiteral("startedAt")));
        const qint64 ended = detail::parseIsoMs(run.value(QStringLiteral("endedAt")));
        QString message = tr("%1 (%2) ended %3").arg(job, runId.left(8), status);
        if (started > 0 && ended >= started)
            message += tr(" after %1").arg(detail::formatDuration(ended - started));
        unwatch(runId);
        Q_EMIT runFinished(runId, job, status, message);
    });
}

} // namespace lifdag::client
