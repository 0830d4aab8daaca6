#include "lifdag/execution/eventsink.h"

#include <chrono>

namespace lifdag::execution {

EventSink::~EventSink() = default;

void EventSink::flush()
{ }

void MemoryEventSink::append(Event event)
{
    {
        std::lock_guard lock(m_mutex);
        m_events.append(std::move(event));
    }
    m_changed.notify_all();
}

QList<Event> MemoryEventSink::events() const
{
    std::lock_guard lock(m_mutex);
    return m_events;
}

QStringList MemoryEventSink::eventTypes() const
{
    std::lock_guard lock(m_mutex);
    QStringList out;
    out.reserve(m_events.size());
    for (const Event &e : m_events)
        out.append(e.eventType);
    return out;
}

QList<Event> MemoryEventSink::eventsFor(const QString &stepKey) const
{
    std::lock_guard lock(m_mutex);
    QList<Event> out;
    for (const Event &e : m_events) {
        if (e.stepKey == stepKey)
            out.append(e);
    }
    return out;
}

QStringList MemoryEventSink::eventTypesFor(const QString &stepKey) const
{
    QStringList out;
    for (const Event &e : eventsFor(stepKey))
        out.append(e.eventType);
    return out;
}

qsizetype MemoryEventSink::size() const
{
    std::lock_guard lock(m_mutex);
    return m_events.size();
}

void MemoryEventSink::clear()
{
    std::lock_guard lock(m_mutex);
    m_events.clear();
}

bool MemoryEventSink::waitFor(const std::function<bool(const QList<Event> &)> &predicate,
                              QDeadlineTimer deadline)
{
    std::unique_lock lock(m_mutex);
    while (!predicate(m_events)) {
        if (deadline.hasExpired())
            return false;
        const auto remaining =
            std::chrono::milliseconds(deadline.isForever() ? 100 : deadline.remainingTime());
        m_changed.wait_for(lock, std::min(remaining, std::chrono::milliseconds(100)));
    }
    return true;
}

CallbackEventSink::CallbackEventSink(std::function<void(const Event &)> callback)
    : m_callback(std::move(callback))
{ }

void CallbackEventSink::append(Event event)
{
    m_callback(event);
}

} // namespace lifdag::execution
