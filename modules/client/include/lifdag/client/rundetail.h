// One run as the detail view shows it: its record (status kept live), its event log, its steps
// and its results document, and the actions on it (terminate, re-execute, delete).
#pragma once

#include "lifdag/client/apiclient.h"
#include "lifdag/client/eventsmodel.h"
#include "lifdag/client/jsontreemodel.h"
#include "lifdag/client/stepsmodel.h"

#include <QPointer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class RunDetail : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString runId READ runId WRITE setRunId NOTIFY runIdChanged)
    Q_PROPERTY(QVariantMap run READ run NOTIFY runChanged)
    Q_PROPERTY(QString status READ status NOTIFY runChanged)
    Q_PROPERTY(bool isLive READ isLive NOTIFY runChanged)
    Q_PROPERTY(QString runConfigText READ runConfigText NOTIFY runChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(lifdag::client::EventsModel *events READ events CONSTANT)
    Q_PROPERTY(lifdag::client::StepsModel *steps READ steps CONSTANT)
    Q_PROPERTY(lifdag::client::JsonTreeModel *result READ result CONSTANT)
    Q_PROPERTY(bool resultLoaded READ resultLoaded NOTIFY resultChanged)
    Q_PROPERTY(QString resultText READ resultText NOTIFY resultChanged)

public:
    explicit RunDetail(QObject *parent = nullptr);
    ~RunDetail() override;

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QString runId() const { return m_runId; }
    void setRunId(const QString &runId);
    QVariantMap run() const { return m_run; }
    QString status() const { return m_run.value(QStringLiteral("status")).toString(); }
    bool isLive() const;
    QString runConfigText() const { return m_runConfigText; }
    bool loading() const { return m_loading; }
    QString error() const { return m_error; }
    EventsModel *events() const { return m_events; }
    StepsModel *steps() const { return m_steps; }
    JsonTreeModel *result() const { return m_result; }
    bool resultLoaded() const { return m_resultLoaded; }
    QString resultText() const { return m_resultText; }

    Q_INVOKABLE void reload();
    Q_INVOKABLE void loadResult();
    Q_INVOKABLE void terminate();
    // strategy: ALL_STEPS (default) or FROM_FAILURE (a failed run: its failed and skipped steps).
    Q_INVOKABLE void reexecute(const QString &strategy = QStringLiteral("ALL_STEPS"));
    Q_INVOKABLE void deleteRun();

Q_SIGNALS:
    void clientChanged();
    void runIdChanged();
    void runChanged();
    void loadingChanged();
    void errorChanged();
    void resultChanged();
    // An action's outcome, for the status line; `newRunId` for re-executions.
    void actionFinished(const QString &action, bool ok, const QString &message, const QString &newRunId);
    void finished(const QString &status);

private:
    void applyRun(const QJsonObject &run);
    void setError(const QString &error);
    void subscribe();

    QPointer<ApiClient> m_client;
    QString m_runId;
    QVariantMap m_run;
    QString m_runConfigText;
    bool m_loading = false;
    QString m_error;
    QString m_subscription;
    quint64 m_generation = 0;
    EventsModel *m_events;
    StepsModel *m_steps;
    JsonTreeModel *m_result;
    bool m_resultLoaded = false;
    QString m_resultText;
};

} // namespace lifdag::client
