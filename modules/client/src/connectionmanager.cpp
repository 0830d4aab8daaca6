#include "lifdag/client/connectionmanager.h"

#include <QDir>
#include <QSettings>
#include <QUuid>

namespace lifdag::client {

ConnectionManager::ConnectionManager(QObject *parent)
    : QObject(parent)
    , m_client(new ApiClient(this))
    , m_servers(new RowListModel({ "serverId", "name", "url", "hasToken" }, this))
{
    setConfigDir({});
}

ConnectionManager::~ConnectionManager() = default;

QString ConnectionManager::settingsPath() const
{
    return m_configDir.isEmpty() ? QString() : QDir(m_configDir).filePath(QStringLiteral("desktop.ini"));
}

void ConnectionManager::setConfigDir(const QString &dir)
{
    if (m_settings && dir == m_configDir)
        return;
    m_configDir = dir;
    m_settings = m_configDir.isEmpty() ? std::make_unique<QSettings>()
                                       : std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    m_tokens = std::make_unique<TokenStore>(
        m_configDir.isEmpty() ? QString()
                              : QDir(m_configDir).filePath(QStringLiteral("desktop-tokens.json")));
    load();
    Q_EMIT configDirChanged();
}

void ConnectionManager::load()
{
    QList<QVariantMap> rows;
    m_settings->beginGroup(QStringLiteral("servers"));
    const QStringList ids = m_settings->childGroups();
    for (const QString &id : ids) {
        rows.append({ { QStringLiteral("serverId"), id },
                      { QStringLiteral("name"), m_settings->value(id + QStringLiteral("/name")).toString() },
                      { QStringLiteral("url"), m_settings->value(id + QStringLiteral("/url")).toString() },
                      { QStringLiteral("hasToken"), !m_tokens->token(id).isEmpty() } });
    }
    m_settings->endGroup();
    std::sort(rows.begin(), rows.end(), [](const QVariantMap &a, const QVariantMap &b) {
        return a.value(QStringLiteral("name"))
                   .toString()
                   .compare(b.value(QStringLiteral("name")).toString(), Qt::CaseInsensitive)
            < 0;
    });
    m_servers->setRows(rows);
}

void ConnectionManager::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

int ConnectionManager::indexOfServer(const QString &serverId) const
{
    for (int i = 0; i < m_servers->count(); ++i) {
        if (m_servers->get(i).value(QStringLiteral("serverId")).toString() == serverId)
            return i;
    }
    return -1;
}

QString ConnectionManager::saveServer(const QString &serverId, const QString &name, const QString &url,
                                      const QString &token, bool keepToken)
{
    const QUrl parsed = QUrl::fromUserInput(url.trimmed());
    if (!parsed.isValid()
        || (parsed.scheme() != QLatin1StringView("http") && parsed.scheme() != QLatin1StringView("https"))
        || parsed.host().isEmpty()) {
        setError(tr("\"%1\" is not a server address like http://localhost:3000").arg(url));
        return {};
    }
    if (!parsed.userInfo().isEmpty()) {
        setError(tr("put credentials in the token field, not in the address"));
        return {};
    }
    const QString id = serverId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : serverId;
    if (!token.isEmpty() || !keepToken) {
        QString error;
        if (!m_tokens->setToken(id, token.trimmed(), &error)) {
            setError(tr("the token was not saved: %1").arg(error));
            return {};
        }
    }
    const QString key = QStringLiteral("servers/") + id;
    m_settings->setValue(key + QStringLiteral("/name"),
                         name.trimmed().isEmpty() ? parsed.host() : name.trimmed());
    m_settings->setValue(key + QStringLiteral("/url"), parsed.toString(QUrl::StripTrailingSlash));
    m_settings->sync();
    setError({});
    load();
    return id;
}

void ConnectionManager::removeServer(const QString &serverId)
{
    m_settings->remove(QStringLiteral("servers/") + serverId);
    m_settings->sync();
    QString error;
    if (!m_tokens->setToken(serverId, {}, &error))
        setError(error);
    if (serverId == m_currentId) {
        m_client->disconnectFromServer();
        m_currentId.clear();
        m_currentName.clear();
        Q_EMIT currentChanged();
    }
    load();
}

void ConnectionManager::connectTo(const QString &serverId)
{
    const int row = indexOfServer(serverId);
    if (row < 0) {
        setError(tr("no saved server %1").arg(serverId));
        return;
    }
    const QVariantMap s = m_servers->get(row);
    m_currentId = serverId;
    m_currentName = s.value(QStringLiteral("name")).toString();
    m_settings->setValue(QStringLiteral("lastServer"), serverId);
    m_settings->sync();
    Q_EMIT currentChanged();
    m_client->setBaseUrl(QUrl(s.value(QStringLiteral("url")).toString()));
    m_client->setToken(m_tokens->token(serverId));
    m_client->connectToServer();
}

void ConnectionManager::connectToUrl(const QString &url, const QString &token)
{
    m_currentId.clear();
    m_currentName = QUrl::fromUserInput(url).host();
    Q_EMIT currentChanged();
    m_client->setBaseUrl(QUrl::fromUserInput(url));
    m_client->setToken(token);
    m_client->connectToServer();
}

QString ConnectionManager::lastServerId() const
{
    const QString id = m_settings->value(QStringLiteral("lastServer")).toString();
    return indexOfServer(id) >= 0 ? id : QString();
}

} // namespace lifdag::client
