// The administrators' editor of run_coordinator / run_launcher: the server's sections (secrets
// masked) as JSON text, a live diff of the edit, save (validated by the server with dagster.yaml's
// rules; errors located at their path), reset to dagster.yaml, and the audit log.
#pragma once

#include "lifdag/client/apiclient.h"
#include "lifdag/client/listmodels.h"

#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class LauncherConfigEditor : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString serverText READ serverText NOTIFY loaded)
    Q_PROPERTY(QString editText READ editText WRITE setEditText NOTIFY editTextChanged)
    Q_PROPERTY(bool dirty READ dirty NOTIFY editTextChanged)
    Q_PROPERTY(QString sourcesText READ sourcesText NOTIFY loaded)
    Q_PROPERTY(QString effectiveText READ effectiveText NOTIFY loaded)
    Q_PROPERTY(QString overrideFile READ overrideFile NOTIFY loaded)
    Q_PROPERTY(bool overrideExists READ overrideExists NOTIFY loaded)
    Q_PROPERTY(bool loading READ loading NOTIFY busyChanged)
    Q_PROPERTY(bool saving READ saving NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(int errorLine READ errorLine NOTIFY errorChanged)
    Q_PROPERTY(int errorOffset READ errorOffset NOTIFY errorChanged)
    Q_PROPERTY(QString status READ status NOTIFY statusChanged)
    // The server's verdict on the edit (checked as it is typed, without saving).
    Q_PROPERTY(bool checkedValid READ checkedValid NOTIFY errorChanged)
    Q_PROPERTY(lifdag::client::DiffModel *diff READ diff CONSTANT)
    Q_PROPERTY(lifdag::client::AuditModel *audit READ audit CONSTANT)

public:
    explicit LauncherConfigEditor(QObject *parent = nullptr);

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QString serverText() const { return m_serverText; }
    QString editText() const { return m_editText; }
    void setEditText(const QString &text);
    bool dirty() const { return m_editText != m_serverText; }
    QString sourcesText() const { return m_sourcesText; }
    QString effectiveText() const { return m_effectiveText; }
    QString overrideFile() const { return m_overrideFile; }
    bool overrideExists() const { return m_overrideExists; }
    bool loading() const { return m_loading; }
    bool saving() const { return m_saving; }
    QString error() const { return m_error; }
    int errorLine() const { return m_errorLine; }
    int errorOffset() const { return m_errorOffset; }
    QString status() const { return m_status; }
    bool checkedValid() const { return m_checkedValid; }
    DiffModel *diff() const { return m_diff; }
    AuditModel *audit() const { return m_audit; }

    Q_INVOKABLE void reload();
    Q_INVOKABLE void revert();
    Q_INVOKABLE void save();
    // Asks the server whether the edit would be accepted (POST /api/v1/instance/launcher/validate).
    Q_INVOKABLE void check();
    Q_INVOKABLE void resetToDagsterYaml();

Q_SIGNALS:
    void clientChanged();
    void loaded();
    void editTextChanged();
    void busyChanged();
    void errorChanged();
    void statusChanged();
    void saved();

private:
    void apply(const QJsonObject &state);
    void setError(const QString &message, int offset = -1);
    void setStatus(const QString &status);
    bool parseEdit(QJsonObject *out);
    void showServerError(const ApiReply &r);

    QPointer<ApiClient> m_client;
    QString m_serverText;
    QString m_editText;
    QString m_sourcesText;
    QString m_effectiveText;
    QString m_overrideFile;
    bool m_overrideExists = false;
    bool m_loading = false;
    bool m_saving = false;
    QString m_error;
    int m_errorLine = 0;
    int m_errorOffset = -1;
    QString m_status;
    DiffModel *m_diff;
    AuditModel *m_audit;
    QTimer *m_checkTimer;
    bool m_checkedValid = false;
    quint64 m_checkGeneration = 0;
};

} // namespace lifdag::client
