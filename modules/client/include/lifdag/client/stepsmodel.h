// The steps of a run and their timing, derived from its event log as events arrive (STEP_START,
// STEP_SUCCESS, STEP_FAILURE, retries…): what the step timeline draws.
#pragma once

#include "lifdag/client/eventsmodel.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class StepsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::EventsModel *events READ events WRITE setEvents NOTIFY eventsChanged)
    Q_PROPERTY(qint64 startMs READ startMs NOTIFY timesChanged)
    Q_PROPERTY(qint64 endMs READ endMs NOTIFY timesChanged)
    Q_PROPERTY(bool finished READ finished NOTIFY timesChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int runningCount READ runningCount NOTIFY timesChanged)
    Q_PROPERTY(int failedCount READ failedCount NOTIFY timesChanged)

public:
    enum Role {
        StepKeyRole = Qt::UserRole + 1,
        StatusRole, // RUNNING, SUCCESS, FAILURE, SKIPPED, RETRYING
        StartMsRole,
        EndMsRole, // 0 while running
        AttemptsRole,
        DurationTextRole,
        ErrorRole,
    };
    Q_ENUM(Role)

    explicit StepsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    EventsModel *events() const { return m_events; }
    void setEvents(EventsModel *events);
    qint64 startMs() const { return m_runStartMs > 0 ? m_runStartMs : m_firstMs; }
    qint64 endMs() const { return m_runEndMs > 0 ? m_runEndMs : m_lastMs; }
    bool finished() const { return m_runEndMs > 0; }
    int count() const { return int(m_steps.size()); }
    int runningCount() const;
    int failedCount() const;

    Q_INVOKABLE int indexOfStep(const QString &stepKey) const;
    Q_INVOKABLE QVariantMap get(int row) const;

Q_SIGNALS:
    void eventsChanged();
    void timesChanged();
    void countChanged();

private:
    struct Step
    {
        QString key;
        QString status;
        qint64 startMs = 0;
        qint64 endMs = 0;
        int attempts = 0;
        QString error;
    };
    void rebuild();
    void consume(int first, int last);

    QPointer<EventsModel> m_events;
    QList<Step> m_steps;
    QHash<QString, int> m_index;
    qint64 m_runStartMs = 0;
    qint64 m_runEndMs = 0;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
};

} // namespace lifdag::client
