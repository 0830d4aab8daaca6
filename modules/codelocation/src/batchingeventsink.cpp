#include "lifdag/codelocation/batchingeventsink.h"

#include "codelocation_log_p.h"

#include <lifdag/core/runstatus.h>

namespace lifdag::codelocation {

using namespace std::chrono_literals;

BatchingEventSink::BatchingEventSink(WriteBatch write, std::chrono::milliseconds interval,
                                     std::function<void()> warmUp, Writer writer)
    : m_write(std::move(write))
    , m_interval(interval)
    , m_writerKind(writer)
    , m_owner(std::this_thread::get_id())
{
    if (m_writerKind == Writer::Owner)
        return;
    m_writer = std::thread([this, warmUp = std::move(warmUp)] {
        if (warmUp)
            warmUp();
        writerLoop({}, std::chrono::steady_clock::time_point::max());
    });
}

BatchingEventSink::~BatchingEventSink()
{
    flush();
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_writer.joinable())
        m_writer.join();
}

void BatchingEventSink::serveUntil(const std::function<bool()> &done)
{
    Q_ASSERT(m_writerKind == Writer::Owner && std::this_thread::get_id() == m_owner);
    writerLoop(done, std::chrono::steady_clock::time_point::max());
}

void BatchingEventSink::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

bool BatchingEventSink::isBoundary(const Event &event)
{
    const QString &t = event.eventType;
    return t == QLatin1StringView(EventType::StepSuccess) || t == QLatin1StringView(EventType::StepFailure)
        || t == QLatin1StringView(EventType::StepSkipped) || t == QLatin1StringView(EventType::StepUpForRetry)
        || t.startsWith(QLatin1StringView("RUN_"));
}

void BatchingEventSink::append(Event event)
{
    const bool boundary = isBoundary(event);
    {
        std::lock_guard lock(m_mutex);
        m_pending.append(std::move(event));
        ++m_appended;
        m_urgent = m_urgent || boundary;
    }
    if (boundary)
        m_wake.notify_all();
}

void BatchingEventSink::flush()
{
    if (m_writerKind == Writer::Owner && std::this_thread::get_id() == m_owner) {
        {
            std::lock_guard lock(m_mutex);
            m_urgent = true;
        }
        const auto deadline = std::chrono::steady_clock::now() + 120s;
        writerLoop([] { return true; }, deadline);
        std::lock_guard lock(m_mutex);
        if (!m_pending.isEmpty())
            qCCritical(lcCodeLocation, "gave up storing %lld event(s)",
                       static_cast<long long>(m_pending.size()));
        return;
    }
    std::unique_lock lock(m_mutex);
    const qint64 target = m_appended;
    m_urgent = true;
    m_wake.notify_all();
    // Waits for the writer; a storage outage makes this wait as long as the writer retries,
    // which is what a run worker wants (it must not exit before its events are stored).
    if (!m_drained.wait_for(lock, 120s,
                            [&] { return m_written >= target || (m_stopping && m_pending.isEmpty()); }))
        qCCritical(lcCodeLocation, "gave up waiting for %lld event(s) to be stored",
                   static_cast<long long>(target - m_written));
}

qint64 BatchingEventSink::writtenCount() const
{
    std::lock_guard lock(m_mutex);
    return m_written;
}

qint64 BatchingEventSink::batchCount() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

std::optional<Error> BatchingEventSink::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void BatchingEventSink::writerLoop(const std::function<bool()> &done,
                                   std::chrono::steady_clock::time_point deadline)
{
    std::unique_lock lock(m_mutex);
    auto backoff = 50ms;
    while (true) {
        m_wake.wait_for(lock, m_interval, [&] { return m_urgent || m_stopping || m_woken; });
        m_woken = false;
        if (m_pending.isEmpty()) {
            m_urgent = false;
            if (m_stopping)
                return;
            if (done) {
                // Not under the lock: done() may take locks of threads that append.
                lock.unlock();
                const bool finished = done();
                lock.lock();
                if (finished && m_pending.isEmpty())
                    return;
            }
            continue;
        }
        QList<Event> batch;
        batch.swap(m_pending);
        m_urgent = false;
        lock.unlock();
        const Status s = m_write(batch);
        lock.lock();
        if (s.ok()) {
            m_written += batch.size();
            ++m_batches;
            m_lastError.reset();
            backoff = 50ms;
            m_drained.notify_all();
            continue;
        }
        // Keep the events, in order, ahead of anything appended meanwhile, and retry.
        m_lastError = s.error();
        qCWarning(lcCodeLocation, "storing %d event(s) failed, retrying in %lld ms: %s", int(batch.size()),
                  static_cast<long long>(backoff.count()), qPrintable(s.error().message));
        batch.append(m_pending);
        m_pending.swap(batch);
        m_drained.notify_all();
        if (std::chrono::steady_clock::now() + backoff > deadline)
            return; // the caller reports what is left
        m_wake.wait_for(lock, backoff, [&] { return m_stopping; });
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        m_urgent = true;
        if (m_stopping) {
            // Last attempts before giving up at shutdown.
            lock.unlock();
            const Status last = m_write(m_pending);
            lock.lock();
            if (last.ok())
                m_written += m_pending.size();
            else
                qCCritical(lcCodeLocation, "%d event(s) could not be stored: %s", int(m_pending.size()),
                           qPrintable(last.error().message));
            m_pending.clear();
            m_drained.notify_all();
            return;
        }
    }
}

} // namespace lifdag::codelocation
