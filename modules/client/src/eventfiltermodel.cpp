#include "lifdag/client/eventfiltermodel.h"

namespace lifdag::client {

EventFilterModel::EventFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    connect(this, &QAbstractItemModel::rowsInserted, this, &EventFilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &EventFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &EventFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &EventFilterModel::countChanged);
}

void EventFilterModel::setEvents(EventsModel *events)
{
    if (m_events == events)
        return;
    m_events = events;
    setSourceModel(events);
    Q_EMIT eventsChanged();
    Q_EMIT countChanged();
}

void EventFilterModel::setErrorsOnly(bool on)
{
    if (on == m_errorsOnly)
        return;
    m_errorsOnly = on;
    invalidateFilter();
    Q_EMIT filterChanged();
    Q_EMIT countChanged();
}

void EventFilterModel::setStepKey(const QString &stepKey)
{
    if (stepKey == m_stepKey)
        return;
    m_stepKey = stepKey;
    invalidateFilter();
    Q_EMIT filterChanged();
    Q_EMIT countChanged();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_events || !active())
        return true;
    const QModelIndex at = m_events->index(sourceRow, 0, sourceParent);
    if (m_errorsOnly && !at.data(EventsModel::IsErrorRole).toBool())
        return false;
    return m_stepKey.isEmpty() || at.data(EventsModel::StepKeyRole).toString() == m_stepKey;
}

int EventFilterModel::sourceRow(int row) const
{
    return mapToSource(index(row, 0)).row();
}

int EventFilterModel::rowForSource(int sourceRow) const
{
    return m_events ? mapFromSource(m_events->index(sourceRow, 0)).row() : -1;
}

int EventFilterModel::findNext(const QString &text, int from, bool forward) const
{
    if (!m_events)
        return -1;
    if (!active())
        return m_events->findNext(text, from, forward);
    const int start = from >= 0 && from < rowCount() ? sourceRow(from) : (forward ? -1 : 0);
    // Hits the filter hides are passed over; one lap of the log at most.
    int row = m_events->findNext(text, start, forward);
    const int first = row;
    while (row >= 0) {
        const int shown = rowForSource(row);
        if (shown >= 0)
            return shown;
        row = m_events->findNext(text, row, forward);
        if (row == first)
            return -1;
    }
    return -1;
}

} // namespace lifdag::client
