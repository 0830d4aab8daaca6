#include "lifdag/client/tokenstore.h"

#include "client_log_p.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

#ifdef LIFDAG_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

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

#ifdef LIFDAG_HAVE_QTKEYCHAIN
const QString kKeychainService = QStringLiteral("lifdag-desktop");

// Runs a keychain job to its end (they answer within milliseconds; a stuck one is abandoned).
bool runJob(QKeychain::Job *job, QString *error)
{
    QEventLoop loop;
    bool finished = false;
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    job->setAutoDelete(false);
    job->start();
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    if (!finished) {
        if (error)
            *error = QStringLiteral("the keychain did not answer");
        job->deleteLater();
        return false;
    }
    const bool ok = job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound;
    if (!ok && error)
        *error = job->errorString();
    job->deleteLater();
    return ok;
}
#endif

} // namespace

bool TokenStore::keychainAvailable()
{
#ifdef LIFDAG_HAVE_QTKEYCHAIN
    static const bool available = [] {
        if (qEnvironmentVariableIsSet("LIFDAG_DESKTOP_NO_KEYCHAIN"))
            return false;
        // Only a session that runs a secret service: never let the keychain library start one.
        QDBusConnection bus = QDBusConnection::sessionBus();
        if (!bus.isConnected() || !bus.interface())
            return false;
        for (const char *service : { "org.freedesktop.secrets", "org.kde.kwalletd6", "org.kde.kwalletd5" }) {
            if (bus.interface()->isServiceRegistered(QString::fromLatin1(service)))
                return true;
        }
        return false;
    }();
    return available;
#else
    return false;
#endif
}

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
    if (keychainAvailable())
        return QStringLiteral("the system keychain");
    return QStringLiteral("%1 (readable by you only)").arg(QDir::toNativeSeparators(m_path));
}

QString TokenStore::token(const QString &serverId) const
{
#ifdef LIFDAG_HAVE_QTKEYCHAIN
    if (keychainAvailable()) {
        auto *job = new QKeychain::ReadPasswordJob(kKeychainService);
        job->setKey(serverId);
        QString error;
        if (runJob(job, &error) && !job->textData().isEmpty())
            return job->textData();
        if (!error.isEmpty())
            qCWarning(lcClient, "keychain: %s; trying the token file", qPrintable(error));
    }
#endif
    return readAll(m_path).value(serverId).toString();
}

bool TokenStore::setToken(const QString &serverId, const QString &token, QString *error)
{
#ifdef LIFDAG_HAVE_QTKEYCHAIN
    if (keychainAvailable()) {
        QKeychain::Job *job = nullptr;
        if (token.isEmpty()) {
            job = new QKeychain::DeletePasswordJob(kKeychainService);
        } else {
            auto *write = new QKeychain::WritePasswordJob(kKeychainService);
            write->setTextData(token);
            job = write;
        }
        job->setKey(serverId);
        QString keychainError;
        if (runJob(job, &keychainError)) {
            // Not in the file as well (an older copy there would outlive a change).
            return readAll(m_path).contains(serverId) ? setFileToken(serverId, {}, error) : true;
        }
        qCWarning(lcClient, "keychain: %s; the token goes to %s", qPrintable(keychainError),
                  qPrintable(m_path));
    }
#endif
    return setFileToken(serverId, token, error);
}

bool TokenStore::setFileToken(const QString &serverId, const QString &token, QString *error)
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
