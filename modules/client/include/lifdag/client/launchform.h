// The launch dialog's state: the job, its run config as JSON text (pre-filled with the job's config
// skeleton), tags, and the code location's validation errors located at their paths in the text.
#pragma once

#include "lifdag/client/apiclient.h"
#include "lifdag/client/rowlistmodel.h"

#include <QPointer>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class LaunchForm : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString jobName READ jobName WRITE setJobName NOTIFY jobChanged)
    Q_PROPERTY(QString locationName READ locationName WRITE setLocationName NOTIFY jobChanged)
    Q_PROPERTY(QString configText READ configText WRITE setConfigText NOTIFY configTextChanged)
    Q_PROPERTY(QString tagsText READ tagsText WRITE setTagsText NOTIFY tagsTextChanged)
    Q_PROPERTY(QString jobDescription READ jobDescription NOTIFY jobLoaded)
    Q_PROPERTY(QString configSchemaText READ configSchemaText NOTIFY jobLoaded)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // The code location's verdict on the current text (checked as it is typed, without launching).
    Q_PROPERTY(bool checking READ checking NOTIFY checkChanged)
    Q_PROPERTY(bool checkedValid READ checkedValid NOTIFY checkChanged)
    Q_PROPERTY(bool autoCheck READ autoCheck WRITE setAutoCheck NOTIFY checkChanged)
    // Rows: path, reason, message, line, column, offset, length, exact.
    Q_PROPERTY(lifdag::client::RowListModel *violations READ violations CONSTANT)

public:
    explicit LaunchForm(QObject *parent = nullptr);

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QString jobName() const { return m_jobName; }
    void setJobName(const QString &name);
    QString locationName() const { return m_locationName; }
    void setLocationName(const QString &name);
    QString configText() const { return m_configText; }
    void setConfigText(const QString &text);
    QString tagsText() const { return m_tagsText; }
    void setTagsText(const QString &text);
    QString jobDescription() const { return m_description; }
    QString configSchemaText() const { return m_schemaText; }
    bool busy() const { return m_busy; }
    QString error() const { return m_error; }
    RowListModel *violations() const { return m_violations; }
    bool checking() const { return m_checking; }
    bool checkedValid() const { return m_checkedValid; }
    bool autoCheck() const { return m_autoCheck; }
    void setAutoCheck(bool on);

    // Fetches the job (description, schema) and resets the config text to its skeleton.
    Q_INVOKABLE void loadJob();
    // Checks the text locally (JSON syntax, tags); true when it can be sent.
    Q_INVOKABLE bool validateLocally();
    Q_INVOKABLE void launch();
    // Asks the code location whether the text is a valid run config (POST …/validate).
    Q_INVOKABLE void check();

Q_SIGNALS:
    void clientChanged();
    void jobChanged();
    void configTextChanged();
    void tagsTextChanged();
    void jobLoaded();
    void busyChanged();
    void errorChanged();
    void launched(const QString &runId);
    void checkChanged();

private:
    void setBusy(bool busy);
    void setError(const QString &error);
    void showViolations(const QJsonArray &violations);
    bool parseTags(QJsonObject *tags);

    QPointer<ApiClient> m_client;
    QString m_jobName;
    QString m_locationName;
    QString m_configText;
    QString m_tagsText;
    QString m_description;
    QString m_schemaText;
    bool m_busy = false;
    QString m_error;
    RowListModel *m_violations;
    QTimer *m_checkTimer;
    bool m_checking = false;
    bool m_checkedValid = false;
    bool m_autoCheck = true;
    quint64 m_checkGeneration = 0;
};

} // namespace lifdag::client
