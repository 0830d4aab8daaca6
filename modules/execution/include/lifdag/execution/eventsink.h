// Where the executor sends a run's events: storage (the run worker's batching sink), memory (tests),
// or a callback (the CLI). The executor knows nothing else about what happens to them.
#pragma once

#include <lifdag/core/event.h>

#include <QDeadlineTimer>
#include <QList>
#include <QStringList>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace lifdag::execution {

class EventSink
{
public:
    virtual ~EventSink();
    // Called from the executor's threads, concurrently: implementations must be thread-safe and
    // should return quickly (a step waits for its own events).
    virtual void append(Event event) = 0;
    // Called once after the run's terminal event (RUN_SUCCESS / RUN_FAILURE / RUN_CANCELED).
    virtual void flush();
};

// Keeps every event in memory, in the order appended.
class MemoryEventSink : public EventSink
{
public:
    void append(Event event) override;

    QList<Event> events() const;
    QStringList eventTypes() const; // all event types, in order
    QList<Event> eventsFor(const QString &stepKey) const; // one step's events, in order
    QStringList eventTypesFor(const QString &stepKey) const;
    qsizetype size() const;
    void clear();
    // Blocks until `predicate` holds for the events so far, or the deadline passes (returns false).
    bool waitFor(const std::function<bool(const QList<Event> &)> &predicate,
                 QDeadlineTimer deadline = QDeadlineTimer(10000));

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    QList<Event> m_events;
};

// Hands every event to a function (which must be thread-safe).
class CallbackEventSink : public EventSink
{
public:
    explicit CallbackEventSink(std::function<void(const Event &)> callback);
    void append(Event event) override;

private:
    std::function<void(const Event &)> m_callback;
};

} // namespace lifdag::execution
