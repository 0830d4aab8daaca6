// Runs of a server, newest first: filtered by status, job and tags on the server, paged with the
// API's cursor (fetchMore), kept current by the live "runs" channel (new runs appear, statuses move).
#pragma once

#include "lifdag/client/apiclient.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class QTimer;

namespace lifdag::client {

class RunsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QStringList statuses READ statuses WRITE setStatuses NOTIFY filterChanged)
    Q_PROPERTY(QString jobName READ jobName WRITE setJobName NOTIFY filterChanged)
    Q_PROPERTY(QStringList tags READ tags WRITE setTags NOTIFY filterChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    // Runs on the server by status (all runs, unfiltered): {"SUCCESS": 12, …}; kept current.
    Q_PROPERTY(QVariantMap statusCounts READ statusCounts NOTIFY statusCountsChanged)

public:
    enum Role {
        RunIdRole = Qt::UserRole + 1,
        ShortIdRole,
        JobNameRole,
        LocationNameRole,
        StatusRole,
        IsLiveRole,
        TagsRole,
        TagsTextRole,
        CreatedAtRole,
        CreatedTextRole,
        StartedAtRole,
        EndedAtRole,
        DurationTextRole,
        HasResultRole,
        ParentRunIdRole,
    };
    Q_ENUM(Role)

    explicit RunsModel(QObject *parent = nullptr);
    ~RunsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QStringList statuses() const { return m_statuses; }
    void setStatuses(const QStringList &statuses);
    QString jobName() const { return m_jobName; }
    void setJobName(const QString &jobName);
    QStringList tags() const { return m_tags; }
    void setTags(const QStringList &tags); // "key=value" each
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    bool loading() const { return m_loading; }
    bool hasMore() const { return !m_cursor.isEmpty(); }
    QString error() const { return m_error; }
    int count() const { return int(m_rows.size()); }
    QVariantMap statusCounts() const { return m_statusCounts; }

    Q_INVOKABLE void reload();
    Q_INVOKABLE int indexOfRun(const QString &runId) const;
    Q_INVOKABLE QVariantMap get(int row) const;

Q_SIGNALS:
    void clientChanged();
    void filterChanged();
    void pageSizeChanged();
    void loadingChanged();
    void errorChanged();
    void countChanged();
    void statusCountsChanged();
    // A run of the list changed status (live).
    void runStatusChanged(const QString &runId, const QString &status);

private:
    struct Row
    {
        QString runId;
        QString jobName;
        QString locationName;
        QString status;
        QMap<QString, QString> tags;
        QString parentRunId;
        qint64 createdMs = 0;
        qint64 startedMs = 0;
        qint64 endedMs = 0;
        bool hasResult = false;
    };
    static Row rowFromJson(const QJsonObject &run);
    bool matches(const Row &row) const;
    void onRun(const QJsonObject &run);
    void onDeleted(const QString &runId);
    void request(bool reset);
    void setLoading(bool loading);
    void setError(const QString &error);
    void scheduleReload();
    void subscribe();
    void fetchCounts();

    QPointer<ApiClient> m_client;
    QList<Row> m_rows;
    QStringList m_statuses;
    QString m_jobName;
    QStringList m_tags;
    int m_pageSize = 50;
    QString m_cursor;
    bool m_loading = false;
    bool m_loaded = false;
    QString m_error;
    QString m_subscription;
    quint64 m_generation = 0;
    QTimer *m_reloadTimer = nullptr;
    QTimer *m_tick = nullptr; // live rows' durations
    QTimer *m_countsTimer = nullptr; // status counts after live changes, at most once a second
    QVariantMap m_statusCounts;
};

} // namespace lifdag::client
