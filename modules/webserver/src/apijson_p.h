// Private: how the API spells lifdag's records in JSON (one place for REST and WebSocket).
#pragma once

#include <lifdag/core/event.h>
#include <lifdag/storage/storage.h>

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>

namespace lifdag::webserver::detail {

// ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.123Z"), null when invalid.
QJsonValue isoTime(const QDateTime &t);
// Parses ISO 8601 (with zone; none means UTC) or milliseconds since the epoch.
QDateTime parseTime(const QString &text);

QJsonObject runJson(const storage::RunRecord &run, bool withConfig = true);
QJsonObject eventJson(const Event &event);
QJsonObject tickJson(const storage::Tick &tick);
QJsonObject heartbeatJson(const storage::Heartbeat &beat, const QDateTime &now, int healthySeconds);
QJsonObject tagsJson(const QMap<QString, QString> &tags);

// Serialises compactly and masks registered secrets (run configs and payloads are user data).
QByteArray toRedactedJson(const QJsonObject &object);
QByteArray redactJson(const QByteArray &json);

// The hot list responses written straight to JSON text (what QJsonObject would make, several times
// faster): {"runs":[…],"cursor":…,"hasMore":…} and {"runId","events":[…],"cursor","hasMore"}.
QByteArray runListJson(const QList<storage::RunRecord> &runs, const QString &nextCursor);
QByteArray eventPageJson(const QString &runId, const QList<Event> &events, qint64 cursor, bool hasMore);

} // namespace lifdag::webserver::detail
