#include "lifdag/client/stepsmodel.h"

#include "format_p.h"

#include <QDateTime>

namespace lifdag::client {

StepsModel::StepsModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int StepsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

QHash<int, QByteArray> StepsModel::roleNames() const
{
    return { { StepKeyRole, "stepKey" }, { StatusRole, "status" },     { StartMsRole, "startMs" },
             { EndMsRole, "endMs" },     { AttemptsRole, "attempts" }, { DurationTextRole, "durationText" },
             { ErrorRole, "error" } };
}

QVariant StepsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_steps.size())
        return {};
    const Step &s = m_steps[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case StepKeyRole:
        return s.key;
    case StatusRole:
        return s.status;
    case StartMsRole:
        return s.startMs;
    case EndMsRole:
        return s.endMs;
    case AttemptsRole:
        return s.attempts;
    case DurationTextRole:
        if (s.startMs <= 0)
            return QString();
        return detail::formatDuration((s.endMs > 0 ? s.endMs : QDateTime::currentMSecsSinceEpoch())
                                      - s.startMs);
    case ErrorRole:
        return s.error;
    }
    return {};
}

QVariantMap StepsModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_steps.size())
        return out;
    const auto names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

int StepsModel::indexOfStep(const QString &stepKey) const
{
    return m_index.value(stepKey, -1);
}

int StepsModel::runningCount() const
{
    int n = 0;
    for (const Step &s : m_steps)
        n += s.status == QLatin1StringView("RUNNING") || s.status == QLatin1StringView("RETRYING");
    return n;
}

int StepsModel::failedCount() const
{
    int n = 0;
    for (const Step &s : m_steps)
        n += s.status == QLatin1StringView("FAILURE");
    return n;
}

void StepsModel::setEvents(EventsModel *events)
{
    if (m_events == events)
        return;
    if (m_events)
        m_events->disconnect(this);
    m_events = events;
    if (m_events) {
        connect(m_events, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex &, int first, int last) { consume(first, last); });
        connect(m_events, &QAbstractItemModel::modelReset, this, &StepsModel::rebuild);
    }
    Q_EMIT eventsChanged();
    rebuild();
}

void StepsModel::rebuild()
{
    const int before = count();
    beginResetModel();
    m_steps.clear();
    m_index.clear();
    m_runStartMs = m_runEndMs = m_firstMs = m_lastMs = 0;
    endResetModel();
    if (m_events && m_events->count() > 0)
        consume(0, m_events->count() - 1);
    if (before != count())
        Q_EMIT countChanged();
    Q_EMIT timesChanged();
}

void StepsModel::consume(int first, int last)
{
    const int before = count();
    QSet<int> changed;
    bool timesMoved = false;
    for (int row = first; row <= last; ++row) {
        const EventsModel::Event e = m_events->event(row);
        if (m_firstMs == 0 || (e.timestampMs > 0 && e.timestampMs < m_firstMs))
            m_firstMs = e.timestampMs;
        if (e.timestampMs > m_lastMs)
            m_lastMs = e.timestampMs;
        timesMoved = true;
        const QString &type = e.eventType;
        if (e.stepKey.isEmpty()) {
            if (type == QLatin1StringView("RUN_START") && m_runStartMs == 0)
                m_runStartMs = e.timestampMs;
            else if (type == QLatin1StringView("RUN_SUCCESS") || type == QLatin1StringView("RUN_FAILURE")
                     || type == QLatin1StringView("RUN_CANCELED"))
                m_runEndMs = e.timestampMs;
            continue;
        }
        int at = m_index.value(e.stepKey, -1);
        if (at < 0) {
            at = int(m_steps.size());
            beginInsertRows({}, at, at);
            Step s;
            s.key = e.stepKey;
            s.status = QStringLiteral("RUNNING");
            s.startMs = e.timestampMs;
            m_steps.append(s);
            m_index.insert(e.stepKey, at);
            endInsertRows();
        }
        Step &s = m_steps[at];
        if (type == QLatin1StringView("STEP_START")) {
            if (s.attempts == 0)
                s.startMs = e.timestampMs;
            s.attempts = std::max(1, s.attempts);
            s.status = QStringLiteral("RUNNING");
        } else if (type == QLatin1StringView("STEP_RESTARTED")) {
            ++s.attempts;
            s.status = QStringLiteral("RUNNING");
        } else if (type == QLatin1StringView("STEP_UP_FOR_RETRY")) {
            s.status = QStringLiteral("RETRYING");
        } else if (type == QLatin1StringView("STEP_SUCCESS")) {
            s.status = QStringLiteral("SUCCESS");
            s.endMs = e.timestampMs;
        } else if (type == QLatin1StringView("STEP_FAILURE")) {
            s.status = QStringLiteral("FAILURE");
            s.endMs = e.timestampMs;
            s.error = e.message;
        } else if (type == QLatin1StringView("STEP_SKIPPED")) {
            s.status = QStringLiteral("SKIPPED");
            s.endMs = e.timestampMs;
        }
        changed.insert(at);
    }
    for (int at : std::as_const(changed))
        Q_EMIT dataChanged(index(at), index(at));
    if (before != count())
        Q_EMIT countChanged();
    if (timesMoved)
        Q_EMIT timesChanged();
}

} // namespace lifdag::client
