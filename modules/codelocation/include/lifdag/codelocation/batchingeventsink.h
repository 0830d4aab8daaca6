// The run worker's event sink: buffers events and writes them in batches (one multi-row insert),
// at every step boundary and at least every `interval`, keeping them until they are stored.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/eventsink.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lifdag::codelocation {

class BatchingEventSink : public execution::EventSink
{
public:
    using WriteBatch = std::function<Status(const QList<Event> &batch)>;

    // `warmUp` runs first on the writer thread (e.g. to open its database connection while the
    // run is still starting, so the first batch does not pay for it).
    explicit BatchingEventSink(WriteBatch write,
                               std::chrono::milliseconds interval = std::chrono::milliseconds(50),
                               std::function<void()> warmUp = {});
    ~BatchingEventSink() override; // flushes what is left

    void append(Event event) override; // thread-safe; wakes the writer at step and run boundaries
    // Blocks until everything appended so far is stored; gives up (logged) after two minutes of
    // failing writes, so a worker facing a dead database still ends.
    void flush() override;

    qint64 writtenCount() const;
    qint64 batchCount() const;
    // The last write error, if a batch could not be stored after retries (events are kept and retried).
    std::optional<Error> lastError() const;

private:
    void writerLoop();
    static bool isBoundary(const Event &event);

    WriteBatch m_write;
    const std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_drained;
    QList<Event> m_pending;
    qint64 m_appended = 0;
    qint64 m_written = 0;
    qint64 m_batches = 0;
    bool m_urgent = false;
    bool m_stopping = false;
    std::optional<Error> m_lastError;
    std::thread m_writer;
};

} // namespace lifdag::codelocation
