#include "transform_log_p.h"

#include <lifdag/transform/transformer.h>

#include <QHash>
#include <QThreadPool>

#include <mutex>

using namespace Qt::StringLiterals;

namespace lifdag::transform {

namespace {
using Clock = std::chrono::steady_clock;

struct Entry
{
    Translation translation;
    Clock::time_point loadedAt;
    bool refreshing = false;
};
} // namespace

struct Transformer::State
{
    TransformerOptions options;
    std::mutex mutex;
    QHash<QString, Entry> cache; // key: source + '\n' + target
    // One load per pair at a time: concurrent first requests wait for the same load.
    QHash<QString, std::shared_ptr<std::mutex>> loadLocks;
    QThreadPool pool;
};

namespace {
QString keyOf(const QString &source, const QString &target)
{
    return source + u'\n' + target;
}

Result<Translation> loadTranslation(MappingSource &source, const QString &sourceId, const QString &targetId)
{
    auto spec = source.load(sourceId, targetId);
    if (!spec)
        return spec.error();
    return Translation::compile(spec.value());
}
} // namespace

Transformer::Transformer(std::shared_ptr<MappingSource> source, TransformerOptions options)
    : m_source(std::move(source))
    , m_state(std::make_shared<State>())
{
    m_state->options = options;
    m_state->pool.setMaxThreadCount(2);
}

Transformer::~Transformer()
{
    m_state->pool.waitForDone();
}

void Transformer::waitForRefreshes()
{
    m_state->pool.waitForDone();
}

Status Transformer::refresh(const QString &sourceId, const QString &targetId)
{
    const QString key = keyOf(sourceId, targetId);
    auto loaded = loadTranslation(*m_source, sourceId, targetId);
    std::lock_guard lock(m_state->mutex);
    auto it = m_state->cache.find(key);
    if (it != m_state->cache.end())
        it->refreshing = false;
    if (!loaded) {
        if (it != m_state->cache.end()) {
            const auto age = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - it->loadedAt);
            qCWarning(lcTransform, "%s unavailable for %s -> %s (%s); serving the cached mappings loaded %llds ago",
                      qPrintable(m_source->describe()), qPrintable(sourceId), qPrintable(targetId),
                      qPrintable(loaded.error().message), static_cast<long long>(age.count()));
        }
        return loaded.error();
    }
    m_state->cache.insert(key, Entry { std::move(loaded.value()), Clock::now(), false });
    return {};
}

Result<Translation> Transformer::translation(const QString &sourceId, const QString &targetId)
{
    const QString key = keyOf(sourceId, targetId);
    std::shared_ptr<std::mutex> loadLock;
    {
        std::lock_guard lock(m_state->mutex);
        auto it = m_state->cache.find(key);
        if (it != m_state->cache.end()) {
            const bool stale = Clock::now() - it->loadedAt >= m_state->options.ttl;
            if (!stale || it->refreshing)
                return it->translation;
            if (m_state->options.backgroundRefresh) {
                it->refreshing = true;
                Translation cached = it->translation;
                // The destructor waits for the pool, so the task may use `this`.
                m_state->pool.start([this, sourceId, targetId] { (void)refresh(sourceId, targetId); });
                return cached;
            }
        }
        auto &slot = m_state->loadLocks[key];
        if (!slot)
            slot = std::make_shared<std::mutex>();
        loadLock = slot;
    }
    std::lock_guard load(*loadLock);
    {
        // Another thread may have loaded it while this one waited.
        std::lock_guard lock(m_state->mutex);
        auto it = m_state->cache.find(key);
        if (it != m_state->cache.end() && Clock::now() - it->loadedAt < m_state->options.ttl)
            return it->translation;
    }
    const Status status = refresh(sourceId, targetId);
    std::lock_guard lock(m_state->mutex);
    auto it = m_state->cache.find(key);
    if (it != m_state->cache.end())
        return it->translation; // fresh, or the cached one after a failed reload
    return status.error();
}

Result<QJsonObject> Transformer::translate(const QString &sourceId, const QString &targetId,
                                           const QJsonObject &input, TranslationReport *report)
{
    auto translation = this->translation(sourceId, targetId);
    if (!translation)
        return translation.error();
    return translation->run(input, report);
}

} // namespace lifdag::transform
