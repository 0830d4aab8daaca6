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

    // Who writes: a thread of the sink's own, or the thread that made the sink (the owner), which
    // then calls serveUntil() while other threads append - so a process whose storage connection
    // belongs to its main thread (a run worker) needs no second connection for its events.
    enum class Writer { OwnThread, Owner };

    // `warmUp` runs first on the writer thread (e.g. to open its database connection while the
    // run is still starting, so the first batch does not pay for it); OwnThread only.
    explicit BatchingEventSink(WriteBatch write,
                               std::chrono::milliseconds interval = std::chrono::milliseconds(50),
                               std::function<void()> warmUp = {}, Writer writer = Writer::OwnThread);
    ~BatchingEventSink() override; // flushes what is left (Owner mode: destroy it on the owner thread)

    // Owner mode, on the owner thread: writes batches as they are due until `done()` holds (checked
    // at every wake-up: call wake() when it may have changed). Events appended later wait for flush().
    void serveUntil(const std::function<bool()> &done);
    void wake(); // thread-safe
    void append(Event event) override; // thread-safe; wakes the writer at step and run boundaries
    // Blocks until everything appended so far is stored; gives up (logged) after two minutes of
    // failing writes, so a worker facing a dead database still ends.
    void flush() override;

    qint64 writtenCount() const;
    qint64 batchCount() const;
    // The last write error, if a batch could not be stored after retries (events are kept and retried).
    std::optional<Error> lastError() const;

private:
    // Writes until `done()` holds with nothing pending (OwnThread: until stopping), retrying failed
    // batches; gives up at `deadline` with the events kept.
    void writerLoop(const std::function<bool()> &done, std::chrono::steady_clock::time_point deadline);
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
    bool m_woken = false;
    const Writer m_writerKind;
    const std::thread::id m_owner;
    std::optional<Error> m_lastError;
    std::thread m_writer;
};

} // namespace lifdag::codelocation
