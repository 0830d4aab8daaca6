// A filtered view of an EventsModel: errors only and/or one step's events. The log switches to it
// only while a filter is on, so the unfiltered 100k-row log pays nothing for it.
#pragma once

#include "lifdag/client/eventsmodel.h"

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class EventFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::EventsModel *events READ events WRITE setEvents NOTIFY eventsChanged)
    Q_PROPERTY(bool errorsOnly READ errorsOnly WRITE setErrorsOnly NOTIFY filterChanged)
    Q_PROPERTY(QString stepKey READ stepKey WRITE setStepKey NOTIFY filterChanged)
    Q_PROPERTY(bool active READ active NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit EventFilterModel(QObject *parent = nullptr);

    EventsModel *events() const { return m_events; }
    void setEvents(EventsModel *events);
    bool errorsOnly() const { return m_errorsOnly; }
    void setErrorsOnly(bool on);
    QString stepKey() const { return m_stepKey; }
    void setStepKey(const QString &stepKey);
    bool active() const { return m_errorsOnly || !m_stepKey.isEmpty(); }
    int count() const { return rowCount(); }

    Q_INVOKABLE int sourceRow(int row) const; // the EventsModel row of a filtered row
    Q_INVOKABLE int rowForSource(int sourceRow) const; // -1 when filtered out
    // EventsModel::findNext over the rows this view shows: `from` and the answer are rows of this
    // model while a filter is on, of the EventsModel otherwise; -1 when nothing shown matches.
    Q_INVOKABLE int findNext(const QString &text, int from, bool forward = true) const;

Q_SIGNALS:
    void eventsChanged();
    void filterChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QPointer<EventsModel> m_events;
    bool m_errorsOnly = false;
    QString m_stepKey;
};

} // namespace lifdag::client
