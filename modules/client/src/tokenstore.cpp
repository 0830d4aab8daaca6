#include "lifdag/client/tokenstore.h"

#include "client_log_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace lifdag::client {

namespace {

constexpr auto kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QJsonObject readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if ((f.permissions() & ~(kOwnerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) != 0) {
        // Someone widened it: narrow it again before trusting it.
        qCWarning(lcClient, "%s was readable by others; its permissions are reset to 0600", qPrintable(path));
        f.setPermissions(kOwnerOnly);
    }
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

TokenStore::TokenStore(QString path)
    : m_path(path.isEmpty() ? defaultPath() : std::move(path))
{ }

QString TokenStore::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("lifdag/desktop-tokens.json"));
}

QString TokenStore::description() const
{
    return QStringLiteral("%1 (readable by you only)").arg(QDir::toNativeSeparators(m_path));
}

QString TokenStore::token(const QString &serverId) const
{
    return readAll(m_path).value(serverId).toString();
}

bool TokenStore::setToken(const QString &serverId, const QString &token, QString *error)
{
    QJsonObject all = readAll(m_path);
    if (token.isEmpty()) {
        if (!all.contains(serverId))
            return true;
        all.remove(serverId);
    } else {
        all.insert(serverId, token);
    }
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        if (error)
            *error = QStringLiteral("%1: cannot create the directory").arg(info.absolutePath());
        return false;
    }
    QFile::setPermissions(info.absolutePath(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                              | QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
    QSaveFile file(m_path);
    // The temporary file gets owner-only permissions before the token is written into it.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(m_path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(all).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("%1: cannot write: %2").arg(m_path, file.errorString());
        return false;
    }
    if (!QFile::setPermissions(m_path, kOwnerOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot make it private to you").arg(m_path);
        return false;
    }
    return true;
}

} // namespace lifdag::client
