// Notifications between the services: LISTEN/NOTIFY on PostgreSQL, an in-process registry on SQLite.
#include "notifications_p.h"

#include <QEventLoop>
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

void notifyLocal(const QString &key, const QString &payload)
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

std::shared_ptr<void> subscribeLocal(const QString &key, PayloadCallback callback)
{
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
class PgListener
{
public:
    PgListener(const Settings &settings, const QString &channel, PayloadCallback callback)
    {
        const QString name = QStringLiteral("lifdag-listen-%1").arg(g_listenerCounter.fetch_add(1));
        std::promise<QString> ready;
        auto readyFuture = ready.get_future();
        m_thread.reset(QThread::create([this, settings, channel, callback, name,
                                        ready = std::move(ready)]() mutable {
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
                db.setHostName(settings.host);
                db.setPort(settings.port);
                db.setUserName(settings.user);
                db.setPassword(settings.password);
                db.setDatabaseName(settings.database);
                if (!db.open() || !db.driver()->subscribeToNotification(channel)) {
                    ready.set_value(db.lastError().text().isEmpty() ? QStringLiteral("LISTEN failed")
                                                                    : db.lastError().text());
                } else {
                    QEventLoop loop;
                    QObject::connect(db.driver(), &QSqlDriver::notification, &loop,
                                     [callback](const QString &, QSqlDriver::NotificationSource,
                                                const QVariant &payload) { callback(payload.toString()); });
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
