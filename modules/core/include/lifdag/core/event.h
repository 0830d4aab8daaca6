// One entry of a run's event log, as the executor emits it and storage keeps it.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace lifdag {

struct Event
{
    qint64 storageId = 0; // assigned by the event log; monotonic, what clients page on
    QString runId;
    QDateTime timestamp; // UTC
    QString eventType; // a lifdag::EventType name (runstatus.h)
    QString stepKey; // empty for run-level events; "op[mapping_key]" for dynamic steps
    QString level = QStringLiteral("INFO"); // DEBUG, INFO, WARNING, ERROR, CRITICAL
    QString message;
    QJsonObject payload; // event-specific data (errors, outputs, retry info…); never credentials
};

// A run-level event (no step) stamped now.
inline Event runEvent(const QString &runId, const char *eventType, const QString &message,
                      const QString &level = QStringLiteral("INFO"))
{
    Event e;
    e.runId = runId;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.eventType = QString::fromLatin1(eventType);
    e.level = level;
    e.message = message;
    return e;
}

} // namespace lifdag
