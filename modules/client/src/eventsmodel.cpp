#include "lifdag/client/eventsmodel.h"

#include "format_p.h"

#include <QFuture>
#include <QJsonDocument>
#include <QtConcurrent/QtConcurrentRun>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace lifdag::client {

using namespace detail;

namespace {

struct Page
{
    QList<EventsModel::Event> events;
    qint64 cursor = 0;
    bool hasMore = false;
    QString error;
};

Page parsePage(const QByteArray &body)
{
    Page page;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject()) {
        page.error = QStringLiteral("the server sent an unreadable event page: %1").arg(error.errorString());
        return page;
    }
    const QJsonObject o = doc.object();
    page.events = EventsModel::parseEvents(o.value(QStringLiteral("events")).toArray());
    page.cursor = qint64(o.value(QStringLiteral("cursor")).toDouble());
    page.hasMore = o.value(QStringLiteral("hasMore")).toBool();
    return page;
}

bool isErrorEvent(const QString &type, const QString &level)
{
    return level == QLatin1StringView("ERROR") || level == QLatin1StringView("CRITICAL")
        || type.endsWith(QLatin1StringView("_FAILURE"));
}

} // namespace

EventsModel::EventsModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

EventsModel::~EventsModel()
{
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
}

QList<EventsModel::Event> EventsModel::parseEvents(const QJsonArray &events)
{
    QList<Event> out;
    out.reserve(events.size());
    for (const QJsonValue &v : events) {
        const QJsonObject o = v.toObject();
        Event e;
        e.storageId = qint64(o.value(QStringLiteral("storageId")).toDouble());
        e.timestampMs = parseIsoMs(o.value(QStringLiteral("timestamp")));
        e.eventType = o.value(QStringLiteral("eventType")).toString();
        e.stepKey = o.value(QStringLiteral("stepKey")).toString();
        e.level = o.value(QStringLiteral("level")).toString();
        e.message = o.value(QStringLiteral("message")).toString();
        const QJsonValue payload = o.value(QStringLiteral("payload"));
        if (payload.isObject() && !payload.toObject().isEmpty())
            e.payload = QJsonDocument(payload.toObject()).toJson(QJsonDocument::Compact);
        out.append(std::move(e));
    }
    return out;
}

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> EventsModel::roleNames() const
{
    return { { StorageIdRole, "storageId" }, { TimestampRole, "timestamp" },   { TimeTextRole, "timeText" },
             { EventTypeRole, "eventType" }, { StepKeyRole, "stepKey" },       { LevelRole, "level" },
             { MessageRole, "message" },     { HasPayloadRole, "hasPayload" }, { IsErrorRole, "isError" } };
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || size_t(index.row()) >= m_rows.size())
        return {};
    const Row &r = m_rows[size_t(index.row())];
    switch (role) {
    case StorageIdRole:
        return r.storageId;
    case TimestampRole:
        return r.timestampMs;
    case TimeTextRole:
        return formatTimeOfDay(r.timestampMs);
    case EventTypeRole:
        return m_types.value(r.type);
    case StepKeyRole:
        return m_steps.value(r.step);
    case LevelRole:
        return m_levels.value(r.level);
    case Qt::DisplayRole:
    case MessageRole:
        return r.message;
    case HasPayloadRole:
        return !r.payload.isEmpty();
    case IsErrorRole:
        return isErrorEvent(m_types.value(r.type), m_levels.value(r.level));
    }
    return {};
}

EventsModel::Event EventsModel::event(int row) const
{
    Event e;
    if (row < 0 || size_t(row) >= m_rows.size())
        return e;
    const Row &r = m_rows[size_t(row)];
    e.storageId = r.storageId;
    e.timestampMs = r.timestampMs;
    e.eventType = m_types.value(r.type);
    e.stepKey = m_steps.value(r.step);
    e.level = m_levels.value(r.level);
    e.message = r.message;
    e.payload = r.payload;
    return e;
}

QVariantMap EventsModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || size_t(row) >= m_rows.size())
        return out;
    const auto names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    out.insert(QStringLiteral("payloadText"), payloadText(row));
    return out;
}

QString EventsModel::payloadText(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size() || m_rows[size_t(row)].payload.isEmpty())
        return {};
    return prettyJson(QJsonDocument::fromJson(m_rows[size_t(row)].payload).object());
}

QString EventsModel::rowText(int row) const
{
    const Event e = event(row);
    if (e.storageId == 0)
        return {};
    QString line =
        formatTimeOfDay(e.timestampMs) + QLatin1Char(' ') + e.level + QLatin1Char(' ') + e.eventType;
    if (!e.stepKey.isEmpty())
        line += QStringLiteral(" [") + e.stepKey + QLatin1Char(']');
    line += QStringLiteral(": ") + e.message;
    return line;
}

int EventsModel::findNext(const QString &text, int from, bool forward) const
{
    const int n = count();
    if (text.isEmpty() || n == 0)
        return -1;
    // Types and steps that match once, instead of comparing their text on every row.
    QSet<quint16> types;
    for (int i = 0; i < m_types.size(); ++i) {
        if (m_types[i].contains(text, Qt::CaseInsensitive))
            types.insert(quint16(i));
    }
    QSet<quint32> steps;
    for (int i = 1; i < m_steps.size(); ++i) {
        if (m_steps[i].contains(text, Qt::CaseInsensitive))
            steps.insert(quint32(i));
    }
    for (int k = 1; k <= n; ++k) {
        const int row = ((forward ? from + k : from - k) % n + n) % n;
        const Row &r = m_rows[size_t(row)];
        if (types.contains(r.type) || steps.contains(r.step) || r.message.contains(text, Qt::CaseInsensitive))
            return row;
    }
    return -1;
}

QStringList EventsModel::stepKeys() const
{
    return m_steps.mid(1);
}

void EventsModel::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    ApiClient::release(m_client, this, m_subscription);
    m_client = client;
    if (m_client) {
        // History paging that failed while offline goes on after a reconnect; live subscriptions
        // resume by themselves (the client resubscribes after their cursor).
        connect(m_client, &ApiClient::reconnected, this, [this] {
            if (!m_complete && !m_loading && m_follow)
                requestPage();
        });
        connect(m_client, &ApiClient::stateChanged, this, [this] {
            if (m_client->isOnline() && m_rows.empty() && !m_loading && !m_complete && !m_runId.isEmpty()
                && m_follow)
                requestPage();
        });
    }
    Q_EMIT clientChanged();
    reload();
}

void EventsModel::setRunId(const QString &runId)
{
    if (runId == m_runId)
        return;
    m_runId = runId;
    Q_EMIT runIdChanged();
    reload();
}

void EventsModel::setPageSize(int size)
{
    size = std::clamp(size, 1, 10000);
    if (size == m_pageSize)
        return;
    m_pageSize = size;
    Q_EMIT pageSizeChanged();
}

void EventsModel::setFollow(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    Q_EMIT followChanged();
    if (m_follow && !m_complete && !m_loading)
        requestPage();
}

void EventsModel::clearRows()
{
    beginResetModel();
    m_rows.clear();
    m_rows.shrink_to_fit();
    m_types.clear();
    m_typeIds.clear();
    m_steps = QStringList { QString() };
    m_stepIds.clear();
    m_levels.clear();
    endResetModel();
}

void EventsModel::reload()
{
    ++m_generation;
    if (m_client && !m_subscription.isEmpty())
        m_client->unsubscribe(m_subscription);
    m_subscription.clear();
    const bool had = !m_rows.empty();
    clearRows();
    m_cursor = 0;
    m_complete = m_live = m_loading = false;
    setError({});
    Q_EMIT stateChanged();
    if (had)
        Q_EMIT countChanged();
    Q_EMIT stepKeysChanged();
    if (m_follow)
        requestPage();
}

bool EventsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_client && !m_runId.isEmpty() && !m_complete && !m_loading;
}

void EventsModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage();
}

void EventsModel::requestPage()
{
    if (!m_client || m_runId.isEmpty() || m_complete || m_loading || m_client->baseUrl().isEmpty())
        return;
    m_loading = true;
    Q_EMIT stateChanged();
    const quint64 generation = m_generation;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("after"), QString::number(m_cursor));
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    m_client->get(
        QStringLiteral("/api/v1/runs/%1/events").arg(QString::fromLatin1(QUrl::toPercentEncoding(m_runId))),
        query, this, [this, generation](const ApiReply &r) {
            if (generation != m_generation)
                return;
            if (!r.ok()) {
                m_loading = false;
                setError(r.error.message);
                Q_EMIT stateChanged();
                return;
            }
            // Large pages are parsed on a pool thread; rows are added here.
            QtConcurrent::run(parsePage, r.body).then(this, [this, generation](const Page &page) {
                if (generation != m_generation)
                    return;
                m_loading = false;
                if (!page.error.isEmpty()) {
                    setError(page.error);
                    Q_EMIT stateChanged();
                    return;
                }
                setError({});
                append(page.events, false);
#ifdef __GLIBC__
                // A large page's JSON was parsed on a pool thread (its own malloc arena): give
                // that transient memory back now, or the log's RSS keeps a page's peak per thread.
                if (page.events.size() >= 2000)
                    malloc_trim(0);
#endif
                if (page.cursor > m_cursor)
                    m_cursor = page.cursor;
                m_complete = !page.hasMore;
                Q_EMIT stateChanged();
                if (m_complete)
                    goLive();
                else if (m_follow)
                    requestPage();
            });
        });
}

void EventsModel::goLive()
{
    if (!m_client || !m_subscription.isEmpty())
        return;
    const quint64 generation = m_generation;
    m_subscription = m_client->subscribeEvents(
        m_runId, m_cursor, this,
        [this, generation](const QJsonArray &events, qint64) {
            if (generation != m_generation)
                return;
            const QList<Event> parsed = parseEvents(events);
            const int before = count();
            append(parsed, true);
            if (count() > before)
                Q_EMIT liveEventsArrived(count() - before);
        },
        [this](const ApiError &e) { setError(e.message); });
    m_live = true;
    Q_EMIT stateChanged();
}

quint16 EventsModel::internType(const QString &type)
{
    auto it = m_typeIds.constFind(type);
    if (it != m_typeIds.constEnd())
        return *it;
    const auto id = quint16(m_types.size());
    m_types.append(type);
    m_typeIds.insert(type, id);
    return id;
}

quint32 EventsModel::internStep(const QString &step)
{
    if (step.isEmpty())
        return 0;
    auto it = m_stepIds.constFind(step);
    if (it != m_stepIds.constEnd())
        return *it;
    const auto id = quint32(m_steps.size());
    m_steps.append(step);
    m_stepIds.insert(step, id);
    return id;
}

void EventsModel::append(const QList<Event> &events, bool live)
{
    Q_UNUSED(live)
    // Only events after the last one held: a page and the live channel never add one twice.
    qint64 last = m_rows.empty() ? 0 : m_rows.back().storageId;
    QList<const Event *> fresh;
    fresh.reserve(events.size());
    for (const Event &e : events) {
        if (e.storageId > last) {
            fresh.append(&e);
            last = e.storageId;
        }
    }
    if (fresh.isEmpty())
        return;
    const int stepsBefore = int(m_steps.size());
    const int first = count();
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    m_rows.reserve(m_rows.size() + size_t(fresh.size()));
    for (const Event *e : std::as_const(fresh)) {
        qsizetype level = m_levels.indexOf(e->level);
        if (level < 0) {
            m_levels.append(e->level);
            level = m_levels.size() - 1;
        }
        m_rows.push_back(Row { e->storageId, e->timestampMs, e->message, e->payload, internType(e->eventType),
                               quint16(level), internStep(e->stepKey) });
    }
    if (last > m_cursor)
        m_cursor = last;
    endInsertRows();
    Q_EMIT countChanged();
    if (m_steps.size() != stepsBefore)
        Q_EMIT stepKeysChanged();
}

void EventsModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace lifdag::client
