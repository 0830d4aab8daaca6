// Saved servers (name and address in the settings, tokens in the TokenStore) and the one client
// the desktop talks through.
#pragma once

#include "lifdag/client/apiclient.h"
#include "lifdag/client/rowlistmodel.h"
#include "lifdag/client/tokenstore.h"

#include <QtQml/qqmlregistration.h>
#include <memory>

class QSettings;

namespace lifdag::client {

class ConnectionManager : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(lifdag::client::ApiClient *client READ client CONSTANT)
    // Rows: serverId, name, url, hasToken.
    Q_PROPERTY(lifdag::client::RowListModel *servers READ servers CONSTANT)
    Q_PROPERTY(QString currentServerId READ currentServerId NOTIFY currentChanged)
    Q_PROPERTY(QString currentName READ currentName NOTIFY currentChanged)
    Q_PROPERTY(QString tokenStorage READ tokenStorage NOTIFY configDirChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // Where settings and tokens live (tests); empty: the user's configuration directory.
    Q_PROPERTY(QString configDir READ configDir WRITE setConfigDir NOTIFY configDirChanged)

public:
    explicit ConnectionManager(QObject *parent = nullptr);
    ~ConnectionManager() override;

    ApiClient *client() const { return m_client; }
    RowListModel *servers() const { return m_servers; }
    QString currentServerId() const { return m_currentId; }
    QString currentName() const { return m_currentName; }
    QString tokenStorage() const { return m_tokens->description(); }
    QString error() const { return m_error; }
    QString configDir() const { return m_configDir; }
    void setConfigDir(const QString &dir);

    // Adds (empty `serverId`) or changes a saved server; an empty `token` with `keepToken` keeps
    // the stored one. Returns the server's id, or empty with `error` set.
    Q_INVOKABLE QString saveServer(const QString &serverId, const QString &name, const QString &url,
                                   const QString &token, bool keepToken = true);
    Q_INVOKABLE void removeServer(const QString &serverId);
    Q_INVOKABLE void connectTo(const QString &serverId);
    // A server that is not saved (command line).
    Q_INVOKABLE void connectToUrl(const QString &url, const QString &token = {});
    Q_INVOKABLE QString lastServerId() const;
    Q_INVOKABLE int indexOfServer(const QString &serverId) const;

Q_SIGNALS:
    void currentChanged();
    void errorChanged();
    void configDirChanged();

private:
    void load();
    void setError(const QString &error);
    QString settingsPath() const;

    ApiClient *m_client;
    RowListModel *m_servers;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<TokenStore> m_tokens;
    QString m_configDir;
    QString m_currentId;
    QString m_currentName;
    QString m_error;
};

} // namespace lifdag::client
