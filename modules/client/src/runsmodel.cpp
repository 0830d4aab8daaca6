#include "lifdag/client/runsmodel.h"

#include "format_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

namespace lifdag::client {

using namespace detail;

namespace {

bool isLiveStatus(const QString &status)
{
    return status != QLatin1StringView("SUCCESS") && status != QLatin1StringView("FAILURE")
        && status != QLatin1StringView("CANCELED");
}

} // namespace

RunsModel::RunsModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_reloadTimer(new QTimer(this))
    , m_tick(new QTimer(this))
    , m_countsTimer(new QTimer(this))
{
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(1000);
    connect(m_countsTimer, &QTimer::timeout, this, &RunsModel::fetchCounts);
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(0);
    connect(m_reloadTimer, &QTimer::timeout, this, &RunsModel::reload);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        bool any = false;
        for (int i = 0; i < m_rows.size(); ++i) {
            if (isLiveStatus(m_rows[i].status) && m_rows[i].startedMs > 0) {
                any = true;
                const QModelIndex at = index(i);
                Q_EMIT dataChanged(at, at, { DurationTextRole });
            }
        }
        if (!any)
            m_tick->stop();
    });
}

RunsModel::~RunsModel()
{
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
}

int RunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> RunsModel::roleNames() const
{
    return { { RunIdRole, "runId" },
             { ShortIdRole, "shortId" },
             { JobNameRole, "jobName" },
             { LocationNameRole, "locationName" },
             { StatusRole, "status" },
             { IsLiveRole, "isLive" },
             { TagsRole, "tags" },
             { TagsTextRole, "tagsText" },
             { CreatedAtRole, "createdAt" },
             { CreatedTextRole, "createdText" },
             { StartedAtRole, "startedAt" },
             { EndedAtRole, "endedAt" },
             { DurationTextRole, "durationText" },
             { HasResultRole, "hasResult" },
             { ParentRunIdRole, "parentRunId" } };
}

QVariant RunsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case RunIdRole:
        return r.runId;
    case ShortIdRole:
        return r.runId.left(8);
    case JobNameRole:
        return r.jobName;
    case LocationNameRole:
        return r.locationName;
    case StatusRole:
        return r.status;
    case IsLiveRole:
        return isLiveStatus(r.status);
    case TagsRole: {
        QVariantMap m;
        for (auto it = r.tags.cbegin(); it != r.tags.cend(); ++it)
            m.insert(it.key(), it.value());
        return m;
    }
    case TagsTextRole: {
        QStringList parts;
        for (auto it = r.tags.cbegin(); it != r.tags.cend(); ++it) {
            if (!it.key().startsWith(QLatin1StringView("dagster/"))
                && !it.key().startsWith(QLatin1StringView("lifdag/")))
                parts << QString(it.key() + QLatin1Char('=') + it.value());
        }
        return parts.join(QStringLiteral("  "));
    }
    case CreatedAtRole:
        return r.createdMs;
    case CreatedTextRole:
        return formatDateTime(r.createdMs);
    case StartedAtRole:
        return r.startedMs;
    case EndedAtRole:
        return r.endedMs;
    case DurationTextRole:
        if (r.startedMs <= 0)
            return QString();
        return formatDuration((r.endedMs > 0 ? r.endedMs : QDateTime::currentMSecsSinceEpoch())
                              - r.startedMs);
    case HasResultRole:
        return r.hasResult;
    case ParentRunIdRole:
        return r.parentRunId;
    }
    return {};
}

QVariantMap RunsModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    const auto names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

int RunsModel::indexOfRun(const QString &runId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].runId == runId)
            return i;
    }
    return -1;
}

void RunsModel::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    ApiClient::release(m_client, this, m_subscription);
    m_client = client;
    if (m_client) {
        connect(m_client, &ApiClient::reconnected, this, &RunsModel::scheduleReload);
        connect(m_client, &ApiClient::stateChanged, this, [this] {
            if (m_client->isOnline() && !m_loaded && !m_loading)
                scheduleReload();
        });
        subscribe();
    }
    Q_EMIT clientChanged();
    scheduleReload();
}

void RunsModel::subscribe()
{
    m_subscription = m_client->subscribeRuns(
        {}, this, [this](const QJsonObject &run) { onRun(run); },
        [this](const QString &runId) { onDeleted(runId); });
}

void RunsModel::setStatuses(const QStringList &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    Q_EMIT filterChanged();
    scheduleReload();
}

void RunsModel::setJobName(const QString &jobName)
{
    if (jobName == m_jobName)
        return;
    m_jobName = jobName;
    Q_EMIT filterChanged();
    scheduleReload();
}

void RunsModel::setTags(const QStringList &tags)
{
    QStringList clean;
    for (const QString &t : tags) {
        if (t.trimmed().contains(QLatin1Char('=')))
            clean << t.trimmed();
    }
    if (clean == m_tags)
        return;
    m_tags = clean;
    Q_EMIT filterChanged();
    scheduleReload();
}

void RunsModel::setPageSize(int size)
{
    size = std::clamp(size, 1, 1000);
    if (size == m_pageSize)
        return;
    m_pageSize = size;
    Q_EMIT pageSizeChanged();
}

void RunsModel::scheduleReload()
{
    m_reloadTimer->start();
}

void RunsModel::reload()
{
    m_reloadTimer->stop();
    request(true);
    fetchCounts();
}

void RunsModel::fetchCounts()
{
    if (!m_client || m_client->baseUrl().isEmpty())
        return;
    m_client->get(QStringLiteral("/api/v1/runs/counts"), {}, this, [this](const ApiReply &r) {
        if (!r.ok())
            return; // the list shows the error; counts are a bonus
        const QVariantMap counts = r.json().value(QStringLiteral("counts")).toObject().toVariantMap();
        if (counts == m_statusCounts)
            return;
        m_statusCounts = counts;
        Q_EMIT statusCountsChanged();
    });
}

bool RunsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_client && m_loaded && !m_loading && !m_cursor.isEmpty();
}

void RunsModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        request(false);
}

void RunsModel::request(bool reset)
{
    if (!m_client || m_client->baseUrl().isEmpty())
        return;
    const quint64 generation = ++m_generation;
    QUrlQuery query;
    if (!m_statuses.isEmpty())
        query.addQueryItem(QStringLiteral("status"), m_statuses.join(QLatin1Char(',')));
    if (!m_jobName.isEmpty())
        query.addQueryItem(QStringLiteral("job"), m_jobName);
    for (const QString &t : std::as_const(m_tags))
        query.addQueryItem(QStringLiteral("tag"), QString::fromLatin1(QUrl::toPercentEncoding(t)));
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    if (!reset)
        query.addQueryItem(QStringLiteral("cursor"), m_cursor);
    setLoading(true);
    m_client->get(QStringLiteral("/api/v1/runs"), query, this, [this, generation, reset](const ApiReply &r) {
        if (generation != m_generation)
            return;
        setLoading(false);
        if (!r.ok()) {
            setError(r.error.message);
            return;
        }
        setError({});
        const QJsonObject page = r.json();
        QList<Row> rows;
        for (const QJsonValue &v : page.value(QStringLiteral("runs")).toArray())
            rows.append(rowFromJson(v.toObject()));
        const int before = count();
        if (reset) {
            beginResetModel();
            m_rows = rows;
            endResetModel();
        } else {
            // A run that arrived live may also be on the page: skip it.
            QList<Row> fresh;
            for (const Row &row : std::as_const(rows)) {
                if (indexOfRun(row.runId) < 0)
                    fresh.append(row);
            }
            if (!fresh.isEmpty()) {
                beginInsertRows({}, count(), count() + int(fresh.size()) - 1);
                m_rows += fresh;
                endInsertRows();
            }
        }
        m_cursor = page.value(QStringLiteral("cursor")).toString();
        m_loaded = true;
        Q_EMIT loadingChanged();
        if (before != count())
            Q_EMIT countChanged();
        for (const Row &row : std::as_const(m_rows)) {
            if (isLiveStatus(row.status)) {
                m_tick->start();
                break;
            }
        }
    });
}

RunsModel::Row RunsModel::rowFromJson(const QJsonObject &run)
{
    Row r;
    r.runId = run.value(QStringLiteral("runId")).toString();
    r.jobName = run.value(QStringLiteral("jobName")).toString();
    r.locationName = run.value(QStringLiteral("locationName")).toString();
    r.status = run.value(QStringLiteral("status")).toString();
    const QJsonObject tags = run.value(QStringLiteral("tags")).toObject();
    for (auto it = tags.begin(); it != tags.end(); ++it)
        r.tags.insert(it.key(), it.value().toString());
    r.parentRunId = run.value(QStringLiteral("parentRunId")).toString();
    r.createdMs = parseIsoMs(run.value(QStringLiteral("createdAt")));
    r.startedMs = parseIsoMs(run.value(QStringLiteral("startedAt")));
    r.endedMs = parseIsoMs(run.value(QStringLiteral("endedAt")));
    r.hasResult = run.value(QStringLiteral("hasResult")).toBool();
    return r;
}

bool RunsModel::matches(const Row &row) const
{
    if (!m_statuses.isEmpty() && !m_statuses.contains(row.status))
        return false;
    if (!m_jobName.isEmpty() && row.jobName != m_jobName)
        return false;
    for (const QString &t : m_tags) {
        const qsizetype eq = t.indexOf(QLatin1Char('='));
        const auto it = row.tags.constFind(t.left(eq));
        if (it == row.tags.constEnd() || *it != t.mid(eq + 1))
            return false;
    }
    return true;
}

void RunsModel::onRun(const QJsonObject &run)
{
    if (!m_countsTimer->isActive())
        m_countsTimer->start();
    if (!m_loaded)
        return; // the first page is on its way and will show it
    const Row row = rowFromJson(run);
    const int at = indexOfRun(row.runId);
    if (at >= 0) {
        const QString before = m_rows[at].status;
        if (!matches(row)) {
            beginRemoveRows({}, at, at);
            m_rows.removeAt(at);
            endRemoveRows();
            Q_EMIT countChanged();
        } else {
            m_rows[at] = row;
            Q_EMIT dataChanged(index(at), index(at));
        }
        if (before != row.status)
            Q_EMIT runStatusChanged(row.runId, row.status);
    } else if (matches(row)) {
        // Newest first: a new run goes where its creation time puts it, unless that is past the
        // loaded pages (then the next page brings it).
        int pos = 0;
        while (pos < m_rows.size() && m_rows[pos].createdMs > row.createdMs)
            ++pos;
        if (pos == m_rows.size() && hasMore())
            return;
        beginInsertRows({}, pos, pos);
        m_rows.insert(pos, row);
        endInsertRows();
        Q_EMIT countChanged();
        Q_EMIT runStatusChanged(row.runId, row.status);
    }
    if (isLiveStatus(row.status) && !m_tick->isActive())
        m_tick->start();
}

void RunsModel::onDeleted(const QString &runId)
{
    if (!m_countsTimer->isActive())
        m_countsTimer->start();
    const int at = indexOfRun(runId);
    if (at < 0)
        return;
    beginRemoveRows({}, at, at);
    m_rows.removeAt(at);
    endRemoveRows();
    Q_EMIT countChanged();
}

void RunsModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

void RunsModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace lifdag::client
