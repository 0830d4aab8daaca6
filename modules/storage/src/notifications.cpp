// Notifications between the services: LISTEN/NOTIFY on PostgreSQL; on SQLite an in-process
// registry plus Unix datagram sockets that carry notifications to the other processes using the
// same database file (run workers, `lifdag job launch`, a separate daemon).
#include "notifications_p.h"

#include <lifdag/core/redaction.h>
#include <lifdag/storage/storage.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <map>

namespace lifdag::storage::detail {

namespace {
std::atomic<quint64> g_listenerCounter { 0 };

// SQLite: subscribers of this process, per database file and channel.
struct LocalRegistry
{
    QMutex mutex;
    std::multimap<QString, std::pair<quint64, PayloadCallback>> subscribers; // key: file + channel
    quint64 next = 1;
};
LocalRegistry &localRegistry()
{
    static LocalRegistry r;
    return r;
}
} // namespace

namespace {

void deliverLocal(const QString &key, const QString &payload);

// Cross-process delivery for SQLite: every process that subscribes to a database binds one
// datagram socket in a directory named after that database; notify() sends to every other socket
// there (a dead process's socket refuses and is removed).
QString socketDirectory(const QString &key)
{
    const QString database = key.section(QLatin1Char('#'), 0, 0);
    const QByteArray hash =
        QCryptographicHash::hash(database.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return QDir::tempPath() + QStringLiteral("/lifdag-notify-") + QString::fromLatin1(hash);
}

bool fillAddress(sockaddr_un &addr, const QByteArray &path)
{
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.size() >= qsizetype(sizeof addr.sun_path))
        return false;
    std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    return true;
}

struct CrossProcessListener
{
    QMutex mutex;
    QStringList directories; // those this process listens in
};
CrossProcessListener &listener()
{
    static CrossProcessListener l;
    return l;
}

QByteArray ownPrefix()
{
    return QByteArray::number(qint64(::getpid())) + '-';
}

void listenIn(const QString &directory)
{
    CrossProcessListener &l = listener();
    {
        QMutexLocker lock(&l.mutex);
        if (l.directories.contains(directory))
            return;
        l.directories << directory;
    }
    QDir().mkpath(directory);
    QFile::setPermissions(directory,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    const QByteArray path =
        QFile::encodeName(directory) + '/' + ownPrefix() + QByteArray::number(quint64(fd));
    sockaddr_un addr;
    if (!fillAddress(addr, path) || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return;
    }
    // Lives as long as the process; the socket file goes with it (or with the next sender).
    std::thread([fd] {
        QByteArray buffer(64 * 1024, Qt::Uninitialized);
        while (true) {
            const ssize_t n = ::recv(fd, buffer.data(), size_t(buffer.size()), 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            const QString message = QString::fromUtf8(buffer.constData(), qsizetype(n));
            const qsizetype nl = message.indexOf(QLatin1Char('\n'));
            if (nl > 0)
                deliverLocal(message.left(nl), message.mid(nl + 1));
        }
    }).detach();
}

void notifyOtherProcesses(const QString &key, const QString &payload)
{
    const QString directory = socketDirectory(key);
    const QByteArray dirPath = QFile::encodeName(directory);
    DIR *dir = ::opendir(dirPath.constData());
    if (!dir)
        return; // nobody listens
    const QByteArray message = key.toUtf8() + '\n' + payload.toUtf8();
    const QByteArray own = ownPrefix();
    // A listener's queue holds only net.unix.max_dgram_qlen datagrams (10 by default): a burst of
    // notifications would overflow it and be lost (a missed "run ended" leaves a daemon waiting for
    // its next poll). So a send waits for room - at most 100 ms; a listener that was that slow is
    // sent to without waiting for the next second.
    static thread_local int fd = [] {
        const int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        timeval timeout { 0, 100 * 1000 };
        if (s >= 0)
            ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        return s;
    }();
    static thread_local QHash<QByteArray, qint64> slowUntil; // socket path → steady ms
    const qint64 now = QDeadlineTimer::current().deadline();
    while (dirent *entry = ::readdir(dir)) {
        const QByteArray name(entry->d_name);
        if (name.startsWith('.') || name.startsWith(own))
            continue;
        const QByteArray path = dirPath + '/' + name;
        sockaddr_un addr;
        if (fd < 0 || !fillAddress(addr, path))
            continue;
        const auto slow = slowUntil.constFind(path);
        const bool wait = slow == slowUntil.cend() || *slow <= now;
        ssize_t sent = 0;
        do {
            sent = ::sendto(fd, message.constData(), size_t(message.size()), wait ? 0 : MSG_DONTWAIT,
                            reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        } while (sent < 0 && errno == EINTR);
        if (sent >= 0)
            continue;
        if (errno == ECONNREFUSED || errno == ENOENT) {
            ::unlink(path.constData()); // its process is gone
            slowUntil.remove(path);
        } else if (errno == EAGAIN && wait) {
            slowUntil.insert(path, now + 1000);
        }
    }
    ::closedir(dir);
}

void deliverLocal(const QString &key, const QString &payload)
{
    LocalRegistry &r = localRegistry();
    std::vector<PayloadCallback> callbacks;
    {
        QMutexLocker lock(&r.mutex);
        auto [a, b] = r.subscribers.equal_range(key);
        for (auto it = a; it != b; ++it)
            callbacks.push_back(it->second.second);
    }
    for (auto &cb : callbacks)
        cb(payload);
}

} // namespace

void notifyLocal(const QString &key, const QString &payload)
{
    deliverLocal(key, payload);
    notifyOtherProcesses(key, payload);
}

std::shared_ptr<void> subscribeLocal(const QString &key, PayloadCallback callback)
{
    listenIn(socketDirectory(key));
    LocalRegistry &r = localRegistry();
    quint64 id = 0;
    {
        QMutexLocker lock(&r.mutex);
        id = r.next++;
        r.subscribers.emplace(key, std::make_pair(id, std::move(callback)));
    }
    return std::shared_ptr<void>(nullptr, [key, id](void *) {
        LocalRegistry &reg = localRegistry();
        QMutexLocker lock(&reg.mutex);
        auto [a, b] = reg.subscribers.equal_range(key);
        for (auto it = a; it != b; ++it) {
            if (it->second.first == id) {
                reg.subscribers.erase(it);
                break;
            }
        }
    });
}

namespace {
// A thread with its own connection LISTENing on one channel; Qt's PSQL driver delivers
// notifications through its socket notifier, hence the event loop.
// How often a PostgreSQL listener checks its connection (and retries after losing it).
constexpr int kListenerCheckMs = 2000;

class PgListener
{
public:
    PgListener(const Settings &settings, const QString &channel, PayloadCallback callback)
    {
        const QString name = QStringLiteral("lifdag-listen-%1").arg(g_listenerCounter.fetch_add(1));
        std::promise<QString> ready;
        auto readyFuture = ready.get_future();
        m_thread.reset(
            QThread::create([this, settings, channel, callback, name, ready = std::move(ready)]() mutable {
                {
                    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
                    db.setHostName(settings.host);
                    db.setPort(settings.port);
                    db.setUserName(settings.user);
                    db.setPassword(settings.password);
                    db.setDatabaseName(settings.database);
                    QString options = QStringLiteral("connect_timeout=5");
                    if (!settings.params.isEmpty())
                        options += QLatin1Char(';') + settings.params;
                    db.setConnectOptions(options);
                    QEventLoop loop;
                    QObject::connect(db.driver(), &QSqlDriver::notification, &loop,
                                     [callback](const QString &, QSqlDriver::NotificationSource,
                                                const QVariant &payload) { callback(payload.toString()); });
                    auto listen = [&db, &channel]() -> QString {
                        if (db.open() && db.driver()->subscribeToNotification(channel))
                            return {};
                        const QString why = db.lastError().text().trimmed();
                        db.close();
                        return why.isEmpty() ? QStringLiteral("LISTEN failed") : redaction::redact(why);
                    };
                    if (const QString error = listen(); !error.isEmpty()) {
                        ready.set_value(error);
                    } else {
                        // A server restart drops the connection without a word to the driver: check it
                        // now and then, and LISTEN again on a new one (notifications sent meanwhile are
                        // lost; every subscriber also polls, so it only waits a little longer).
                        QTimer check;
                        bool lost = false;
                        QObject::connect(&check, &QTimer::timeout, &loop, [&] {
                            if (!lost) {
                                QSqlQuery ping(db);
                                if (ping.exec(QStringLiteral("SELECT 1")))
                                    return;
                                lost = true;
                                qCWarning(lcStorage, "LISTEN %s at %s: connection lost; reconnecting",
                                          qPrintable(channel), qPrintable(settings.describe()));
                                db.close();
                            }
                            if (m_stopping)
                                return;
                            if (const QString error = listen(); error.isEmpty()) {
                                lost = false;
                                qCInfo(lcStorage, "LISTEN %s at %s: listening again", qPrintable(channel),
                                       qPrintable(settings.describe()));
                            }
                        });
                        check.start(kListenerCheckMs);
                        {
                            QMutexLocker lock(&m_mutex);
                            m_loop = &loop;
                        }
                        ready.set_value(QString());
                        if (!m_stopping)
                            loop.exec();
                        QMutexLocker lock(&m_mutex);
                        m_loop = nullptr;
                    }
                    db.close();
                }
                QSqlDatabase::removeDatabase(name);
            }));
        m_thread->start();
        m_error = readyFuture.get();
    }

    ~PgListener()
    {
        {
            QMutexLocker lock(&m_mutex);
            m_stopping = true;
            if (m_loop)
                QMetaObject::invokeMethod(m_loop, &QEventLoop::quit, Qt::QueuedConnection);
        }
        m_thread->wait();
    }

    const QString &error() const { return m_error; }

private:
    QMutex m_mutex;
    QEventLoop *m_loop = nullptr;
    std::atomic<bool> m_stopping { false };
    std::unique_ptr<QThread> m_thread;
    QString m_error;
};
} // namespace

Result<std::shared_ptr<void>> subscribePostgres(const Settings &settings, const QString &channel,
                                                PayloadCallback callback)
{
    auto listener = std::make_shared<PgListener>(settings, channel, std::move(callback));
    if (!listener->error().isEmpty())
        return Error { QStringLiteral("storage.listen"),
                       QStringLiteral("cannot LISTEN on %1 at %2: %3")
                           .arg(channel, settings.describe(), listener->error()) };
    return std::shared_ptr<void>(listener);
}

} // namespace lifdag::storage::detail
