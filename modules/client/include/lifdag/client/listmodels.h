// The short lists of the desktop: jobs, daemon heartbeats, code locations, config violations,
// diff lines and the administrators' audit log.
#pragma once

#include "lifdag/client/apiclient.h"
#include "lifdag/client/rowlistmodel.h"
#include "lifdag/client/textutil.h"

#include <QPointer>
#include <QtQml/qqmlregistration.h>

class QTimer;

namespace lifdag::client {

// A list the server gives whole (GET path), reloaded on demand, on reconnect and optionally on a timer.
class ServerListModel : public RowListModel
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(
        int refreshInterval READ refreshInterval WRITE setRefreshInterval NOTIFY refreshIntervalChanged)
    Q_PROPERTY(qint64 loadedAt READ loadedAt NOTIFY loadingChanged)

public:
    ServerListModel(const QList<QByteArray> &roles, QObject *parent);

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    bool loading() const { return m_loading; }
    QString error() const { return m_error; }
    int refreshInterval() const;
    void setRefreshInterval(int ms); // 0: only on demand
    qint64 loadedAt() const { return m_loadedAt; }

    Q_INVOKABLE void reload();

Q_SIGNALS:
    void clientChanged();
    void loadingChanged();
    void errorChanged();
    void refreshIntervalChanged();
    void loaded();

protected:
    virtual QString path() const = 0;
    virtual QUrlQuery query() const { return {}; }
    // The rows of a successful answer.
    virtual QList<QVariantMap> rowsFrom(const QJsonObject &answer) = 0;
    void setError(const QString &error);

private:
    QPointer<ApiClient> m_client;
    QTimer *m_timer = nullptr;
    bool m_loading = false;
    QString m_error;
    qint64 m_loadedAt = 0;
    quint64 m_generation = 0;
};

class JobsModel : public ServerListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QStringList names READ names NOTIFY countChanged)
public:
    explicit JobsModel(QObject *parent = nullptr);
    QStringList names() const;
    Q_INVOKABLE int indexOfJob(const QString &name, const QString &location = {}) const;

protected:
    QString path() const override { return QStringLiteral("/api/v1/jobs"); }
    QList<QVariantMap> rowsFrom(const QJsonObject &answer) override;
};

// The daemon loops' heartbeats (GET /api/v1/daemon/health).
class DaemonsModel : public ServerListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool healthy READ healthy NOTIFY loaded)
public:
    explicit DaemonsModel(QObject *parent = nullptr);
    bool healthy() const { return m_healthy; }

protected:
    QString path() const override { return QStringLiteral("/api/v1/daemon/health"); }
    QList<QVariantMap> rowsFrom(const QJsonObject &answer) override;

private:
    bool m_healthy = false;
};

// The workspace's code locations and whether they answer (GET /api/v1/locations).
class LocationsModel : public ServerListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool allAvailable READ allAvailable NOTIFY loaded)
public:
    explicit LocationsModel(QObject *parent = nullptr);
    bool allAvailable() const { return m_allAvailable; }
    // Admins: ask a location to reload its jobs; the list reloads after.
    Q_INVOKABLE void reloadLocation(const QString &name);

Q_SIGNALS:
    void locationReloaded(const QString &name, const QString &message);

protected:
    QString path() const override { return QStringLiteral("/api/v1/locations"); }
    QList<QVariantMap> rowsFrom(const QJsonObject &answer) override;

private:
    bool m_allAvailable = false;
};

// The instance's configuration as name/value rows (GET /api/v1/instance; no credentials).
class InstanceModel : public ServerListModel
{
    Q_OBJECT
    QML_ELEMENT
public:
    explicit InstanceModel(QObject *parent = nullptr);

protected:
    QString path() const override { return QStringLiteral("/api/v1/instance"); }
    QList<QVariantMap> rowsFrom(const QJsonObject &answer) override;
};

// Administrators' audit log, newest first, paged with `before`.
class AuditModel : public ServerListModel
{
    Q_OBJECT
    QML_ELEMENT
public:
    explicit AuditModel(QObject *parent = nullptr);

protected:
    QString path() const override { return QStringLiteral("/api/v1/instance/audit"); }
    QUrlQuery query() const override;
    QList<QVariantMap> rowsFrom(const QJsonObject &answer) override;
};

// Rows of a line diff: kind ("+", "-", " "), text, oldLine, newLine.
class DiffModel : public RowListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int added READ added NOTIFY countChanged)
    Q_PROPERTY(int removed READ removed NOTIFY countChanged)
public:
    explicit DiffModel(QObject *parent = nullptr);
    void setDiff(const QList<DiffLine> &lines);
    Q_INVOKABLE void compare(const QString &before, const QString &after);
    int added() const { return m_added; }
    int removed() const { return m_removed; }

private:
    int m_added = 0;
    int m_removed = 0;
};

} // namespace lifdag::client
