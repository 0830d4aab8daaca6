// Private: how the desktop reads the API's times and shows times and durations.
#pragma once

#include <QJsonValue>
#include <QString>

namespace lifdag::client::detail {

// Milliseconds since the epoch from the API's ISO 8601 UTC text; 0 for null or unreadable.
qint64 parseIsoMs(const QJsonValue &value);
// "2026-11-26 14:02:03" in local time; empty for 0.
QString formatDateTime(qint64 ms);
// "14:02:03.123" in local time.
QString formatTimeOfDay(qint64 ms);
// "850 ms", "12.3 s", "4m 05s", "2h 03m".
QString formatDuration(qint64 ms);
// A JSON value as indented text (objects and arrays), or the scalar's JSON text.
QString prettyJson(const QJsonValue &value);

} // namespace lifdag::client::detail
