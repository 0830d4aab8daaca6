// Runs the user watches: a notification (the app shows it in the system tray) when one ends.
#pragma once

#include "lifdag/client/apiclient.h"

#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class RunWatcher : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QStringList watched READ watched NOTIFY watchedChanged)

public:
    explicit RunWatcher(QObject *parent = nullptr);
    ~RunWatcher() override;

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QStringList watched() const { return m_jobs.keys(); }

    Q_INVOKABLE void watch(const QString &runId, const QString &jobName = {});
    Q_INVOKABLE void unwatch(const QString &runId);
    Q_INVOKABLE bool isWatched(const QString &runId) const { return m_jobs.contains(runId); }
    Q_INVOKABLE void toggle(const QString &runId, const QString &jobName = {});

Q_SIGNALS:
    void clientChanged();
    void watchedChanged();
    // A watched run ended (it is no longer watched).
    void runFinished(const QString &runId, const QString &jobName, const QString &status,
                     const QString &message);

private:
    void resubscribe();

    QPointer<ApiClient> m_client;
    QMap<QString, QString> m_jobs; // run id -> job name
    QString m_subscription;
};

} // namespace lifdag::client
