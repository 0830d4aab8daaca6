#include "lifdag/client/rundetail.h"

#include "format_p.h"

#include <QJsonDocument>

namespace lifdag::client {

using namespace detail;

namespace {

bool terminal(const QString &status)
{
    return status == QLatin1StringView("SUCCESS") || status == QLatin1StringView("FAILURE")
        || status == QLatin1StringView("CANCELED");
}

QString encoded(const QString &runId)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(runId));
}

} // namespace

RunDetail::RunDetail(QObject *parent)
    : QObject(parent)
    , m_events(new EventsModel(this))
    , m_steps(new StepsModel(this))
    , m_result(new JsonTreeModel(this))
{
    // The detail shows the whole log (and the steps need all of it): load every page, then follow.
    // Large pages: a 100k-event log arrives in twenty requests, each parsed off
    // the UI thread.
    m_events->setPageSize(5000);
    m_events->setFollow(true);
    m_steps->setEvents(m_events);
}

RunDetail::~RunDetail()
{
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
}

bool RunDetail::isLive() const
{
    return !m_run.isEmpty() && !terminal(status());
}

void RunDetail::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    ApiClient::release(m_client, this, m_subscription);
    m_client = client;
    m_events->setClient(client);
    if (m_client)
        connect(m_client, &ApiClient::reconnected, this, &RunDetail::reload);
    Q_EMIT clientChanged();
    reload();
}

void RunDetail::setRunId(const QString &runId)
{
    if (runId == m_runId)
        return;
    m_runId = runId;
    m_run.clear();
    m_runConfigText.clear();
    m_resultLoaded = false;
    m_resultText.clear();
    m_result->clear();
    m_events->setRunId(runId);
    Q_EMIT runIdChanged();
    Q_EMIT runChanged();
    Q_EMIT resultChanged();
    reload();
}

void RunDetail::subscribe()
{
    if (!m_client || m_runId.isEmpty())
        return;
    if (!m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
    m_subscription = m_client->subscribeRuns(
        { m_runId }, this, [this](const QJsonObject &run) { applyRun(run); },
        [this](const QString &) {
            setError(tr("run %1 was deleted").arg(m_runId));
            m_run.insert(QStringLiteral("deleted"), true);
            Q_EMIT runChanged();
        });
}

void RunDetail::reload()
{
    if (!m_client || m_runId.isEmpty() || m_client->baseUrl().isEmpty())
        return;
    const quint64 generation = ++m_generation;
    m_loading = true;
    Q_EMIT loadingChanged();
    // A history page that failed (the server was away) is asked for again.
    if (m_events->canFetchMore({}) && !m_events->error().isEmpty())
        m_events->fetchMore({});
    m_client->get(QStringLiteral("/api/v1/runs/%1").arg(encoded(m_runId)), {}, this,
                  [this, generation](const ApiReply &r) {
                      if (generation != m_generation)
                          return;
                      m_loading = false;
                      Q_EMIT loadingChanged();
                      if (!r.ok()) {
                          setError(r.error.message);
                          return;
                      }
                      setError({});
                      const QJsonObject run = r.json().value(QStringLiteral("run")).toObject();
                      m_runConfigText = prettyJson(run.value(QStringLiteral("runConfig")));
                      applyRun(run);
                      if (m_subscription.isEmpty())
                          subscribe();
                  });
}

void RunDetail::applyRun(const QJsonObject &run)
{
    if (run.value(QStringLiteral("runId")).toString() != m_runId)
        return;
    const QString before = status();
    QVariantMap m = run.toVariantMap();
    m.remove(QStringLiteral("runConfig"));
    const qint64 created = parseIsoMs(run.value(QStringLiteral("createdAt")));
    const qint64 started = parseIsoMs(run.value(QStringLiteral("startedAt")));
    const qint64 ended = parseIsoMs(run.value(QStringLiteral("endedAt")));
    m.insert(QStringLiteral("createdText"), formatDateTime(created));
    m.insert(QStringLiteral("startedText"), formatDateTime(started));
    m.insert(QStringLiteral("endedText"), formatDateTime(ended));
    m.insert(QStringLiteral("startedMs"), started);
    m.insert(QStringLiteral("endedMs"), ended);
    m.insert(QStringLiteral("durationText"),
             started > 0 && ended > 0 ? formatDuration(ended - started) : QString());
    m_run = m;
    Q_EMIT runChanged();
    const QString now = status();
    if (before != now && terminal(now) && !before.isEmpty()) {
        Q_EMIT finished(now);
        if (m_resultLoaded || run.value(QStringLiteral("hasResult")).toBool())
            loadResult();
    }
}

void RunDetail::loadResult()
{
    if (!m_client || m_runId.isEmpty())
        return;
    const QString runId = m_runId;
    m_client->get(QStringLiteral("/api/v1/runs/%1/result").arg(encoded(runId)), {}, this,
                  [this, runId](const ApiReply &r) {
                      if (runId != m_runId)
                          return;
                      if (!r.ok()) {
                          setError(r.error.message);
                          return;
                      }
                      const QJsonValue result = r.json().value(QStringLiteral("result"));
                      if (result.isNull() || result.isUndefined()) {
                          m_result->clear();
                          m_resultText.clear();
                      } else {
                          m_result->setDocument(result);
                          m_resultText = prettyJson(result);
                      }
                      m_resultLoaded = true;
                      Q_EMIT resultChanged();
                  });
}

void RunDetail::terminate()
{
    if (!m_client)
        return;
    m_client->send("POST", QStringLiteral("/api/v1/runs/%1/terminate").arg(encoded(m_runId)), QJsonValue(),
                   this, [this](const ApiReply &r) {
                       if (r.ok())
                           applyRun(r.json().value(QStringLiteral("run")).toObject());
                       Q_EMIT actionFinished(QStringLiteral("terminate"), r.ok(),
                                             r.ok() ? tr("termination requested") : r.error.message, {});
                   });
}

void RunDetail::reexecute(const QString &strategy)
{
    if (!m_client)
        return;
    m_client->send(
        "POST", QStringLiteral("/api/v1/runs/%1/reexecute").arg(encoded(m_runId)),
        QJsonObject { { QStringLiteral("strategy"), strategy } }, this, [this](const ApiReply &r) {
            const QString newRun =
                r.json().value(QStringLiteral("run")).toObject().value(QStringLiteral("runId")).toString();
            Q_EMIT actionFinished(QStringLiteral("reexecute"), r.ok(),
                                  r.ok() ? tr("re-executed as %1").arg(newRun.left(8)) : r.error.message,
                                  newRun);
        });
}

void RunDetail::deleteRun()
{
    if (!m_client)
        return;
    m_client->send("DELETE", QStringLiteral("/api/v1/runs/%1").arg(encoded(m_runId)), QJsonValue(), this,
                   [this](const ApiReply &r) {
                       Q_EMIT actionFinished(QStringLiteral("delete"), r.ok(),
                                             r.ok() ? tr("run deleted") : r.error.message, {});
                   });
}

void RunDetail::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace lifdag::client
