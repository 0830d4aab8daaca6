// One run's event log, oldest first: history in pages from the REST API (fetchMore, parsed off the
// UI thread), then live from the WebSocket after the last storage id - no gaps, no duplicates, also
// across reconnects. Rows are compact (interned types and steps) so 100k events stay small.
#pragma once

#include "lifdag/client/apiclient.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>
#include <vector>

namespace lifdag::client {

class EventsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString runId READ runId WRITE setRunId NOTIFY runIdChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)
    // Keep loading pages until the history is complete, then follow live (the run detail view).
    Q_PROPERTY(bool follow READ follow WRITE setFollow NOTIFY followChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY stateChanged)
    Q_PROPERTY(bool complete READ complete NOTIFY stateChanged)
    Q_PROPERTY(bool live READ live NOTIFY stateChanged)
    Q_PROPERTY(qint64 cursor READ cursor NOTIFY countChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QStringList stepKeys READ stepKeys NOTIFY stepKeysChanged)

public:
    enum Role {
        StorageIdRole = Qt::UserRole + 1,
        TimestampRole,
        TimeTextRole,
        EventTypeRole,
        StepKeyRole,
        LevelRole,
        MessageRole,
        HasPayloadRole,
        IsErrorRole,
    };
    Q_ENUM(Role)

    struct Event
    {
        qint64 storageId = 0;
        qint64 timestampMs = 0;
        QString eventType;
        QString stepKey;
        QString level;
        QString message;
        QByteArray payload; // compact JSON, empty when none
    };

    explicit EventsModel(QObject *parent = nullptr);
    ~EventsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QString runId() const { return m_runId; }
    void setRunId(const QString &runId);
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    bool follow() const { return m_follow; }
    void setFollow(bool follow);
    bool loading() const { return m_loading; }
    bool complete() const { return m_complete; }
    bool live() const { return m_live; }
    qint64 cursor() const { return m_cursor; }
    int count() const { return int(m_rows.size()); }
    QString error() const { return m_error; }
    QStringList stepKeys() const;

    // The event at `row` as the API has it (tests and the detail pane).
    Event event(int row) const;
    Q_INVOKABLE QVariantMap get(int row) const;
    Q_INVOKABLE QString payloadText(int row) const; // indented JSON, empty when none
    Q_INVOKABLE QString rowText(int row) const; // one line for the clipboard
    // The next row from `from` (exclusive) whose message, type or step contains `text`
    // (case-insensitive), wrapping around; -1 when none.
    Q_INVOKABLE int findNext(const QString &text, int from, bool forward = true) const;
    Q_INVOKABLE void reload();

    static QList<Event> parseEvents(const QJsonArray &events);

Q_SIGNALS:
    void clientChanged();
    void runIdChanged();
    void pageSizeChanged();
    void followChanged();
    void stateChanged();
    void countChanged();
    void errorChanged();
    void stepKeysChanged();
    void liveEventsArrived(int count);

private:
    struct Row
    {
        qint64 storageId;
        qint64 timestampMs;
        QString message;
        QByteArray payload;
        quint16 type;
        quint16 level;
        quint32 step; // 0: none
    };
    quint16 internType(const QString &type);
    quint32 internStep(const QString &step);
    void append(const QList<Event> &events, bool live);
    void requestPage();
    void goLive();
    void clearRows();
    void setError(const QString &error);

    QPointer<ApiClient> m_client;
    QString m_runId;
    int m_pageSize = 2000;
    bool m_follow = false;
    bool m_loading = false;
    bool m_complete = false;
    bool m_live = false;
    qint64 m_cursor = 0;
    QString m_error;
    QString m_subscription;
    quint64 m_generation = 0;
    std::vector<Row> m_rows;
    QStringList m_types;
    QHash<QString, quint16> m_typeIds;
    QStringList m_steps { QString() };
    QHash<QString, quint32> m_stepIds;
    QStringList m_levels;
};

} // namespace lifdag::client
