#include "apijson_p.h"

#include <lifdag/core/redaction.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

namespace lifdag::webserver::detail {

namespace {

// "YYYY-MM-DDTHH:MM:SS.mmmZ" from milliseconds since the epoch (proleptic Gregorian, UTC), without
// QDateTime's general formatting.
void appendIsoTime(QByteArray &out, qint64 ms)
{
    qint64 days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    qint64 rest = ms - days * 86400000;
    // days since 1970-01-01 -> civil date (Howard Hinnant's algorithm)
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 doe = days - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    qint64 year = yoe + era * 400;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    year += month <= 2 ? 1 : 0;
    char buf[32];
    auto two = [](char *p, qint64 v) {
        p[0] = char('0' + v / 10);
        p[1] = char('0' + v % 10);
    };
    if (year < 0 || year > 9999) {
        out += QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs).toLatin1();
        return;
    }
    buf[0] = char('0' + year / 1000);
    buf[1] = char('0' + year / 100 % 10);
    two(buf + 2, year % 100);
    buf[4] = '-';
    two(buf + 5, month);
    buf[7] = '-';
    two(buf + 8, day);
    buf[10] = 'T';
    two(buf + 11, rest / 3600000);
    rest %= 3600000;
    buf[13] = ':';
    two(buf + 14, rest / 60000);
    rest %= 60000;
    buf[16] = ':';
    two(buf + 17, rest / 1000);
    buf[19] = '.';
    buf[20] = char('0' + rest % 1000 / 100);
    two(buf + 21, rest % 100);
    buf[23] = 'Z';
    out.append(buf, 24);
}

void appendString(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    out += '"';
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static const char hex[] = "0123456789abcdef";
            switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 15];
            }
        } else {
            out += c;
        }
    }
    out += '"';
}

void appendTime(QByteArray &out, const QDateTime &t)
{
    if (!t.isValid()) {
        out += "null";
        return;
    }
    out += '"';
    appendIsoTime(out, t.toMSecsSinceEpoch());
    out += '"';
}

void appendNullableString(QByteArray &out, const QString &s)
{
    if (s.isEmpty())
        out += "null";
    else
        appendString(out, s);
}

void appendRun(QByteArray &out, const storage::RunRecord &run)
{
    out += "{\"runId\":";
    appendString(out, run.runId);
    out += ",\"jobName\":";
    appendString(out, run.jobName);
    out += ",\"locationName\":";
    appendString(out, run.locationName);
    out += ",\"repositoryName\":";
    appendString(out, run.repositoryName);
    out += ",\"status\":\"";
    out += runStatusName(run.status).toLatin1();
    out += "\",\"tags\":{";
    bool first = true;
    for (auto it = run.tags.cbegin(); it != run.tags.cend(); ++it) {
        if (!first)
            out += ',';
        first = false;
        appendString(out, it.key());
        out += ':';
        appendString(out, it.value());
    }
    out += "},\"priority\":";
    out += QByteArray::number(run.priority);
    out += ",\"parentRunId\":";
    appendNullableString(out, run.parentRunId);
    out += ",\"rootRunId\":";
    appendNullableString(out, run.rootRunId);
    out += ",\"createdAt\":";
    appendTime(out, run.createdAt);
    out += ",\"updatedAt\":";
    appendTime(out, run.updatedAt);
    out += ",\"startedAt\":";
    appendTime(out, run.startedAt);
    out += ",\"endedAt\":";
    appendTime(out, run.endedAt);
    out += run.result.isEmpty() ? ",\"hasResult\":false}" : ",\"hasResult\":true}";
}

} // namespace

QJsonValue isoTime(const QDateTime &t)
{
    if (!t.isValid())
        return QJsonValue::Null;
    QByteArray out;
    appendIsoTime(out, t.toMSecsSinceEpoch());
    return QString::fromLatin1(out);
}

QByteArray runListJson(const QList<storage::RunRecord> &runs, const QString &nextCursor)
{
    QByteArray out;
    out.reserve(64 + runs.size() * 600);
    out += "{\"runs\":[";
    for (qsizetype i = 0; i < runs.size(); ++i) {
        if (i)
            out += ',';
        appendRun(out, runs[i]);
    }
    out += "],\"cursor\":";
    appendNullableString(out, nextCursor);
    out += nextCursor.isEmpty() ? ",\"hasMore\":false}" : ",\"hasMore\":true}";
    return redactJson(out);
}

QByteArray eventPageJson(const QString &runId, const QList<Event> &events, qint64 cursor, bool hasMore)
{
    QByteArray out;
    out.reserve(64 + events.size() * 300);
    out += "{\"runId\":";
    appendString(out, runId);
    out += ",\"events\":[";
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Event &e = events[i];
        if (i)
            out += ',';
        out += "{\"storageId\":";
        out += QByteArray::number(e.storageId);
        out += ",\"runId\":";
        appendString(out, e.runId);
        out += ",\"timestamp\":";
        appendTime(out, e.timestamp);
        out += ",\"eventType\":";
        appendString(out, e.eventType);
        out += ",\"stepKey\":";
        appendNullableString(out, e.stepKey);
        out += ",\"level\":";
        appendString(out, e.level);
        out += ",\"message\":";
        appendString(out, e.message);
        out += ",\"payload\":";
        out += e.payload.isEmpty() ? QByteArray("null")
                                   : QJsonDocument(e.payload).toJson(QJsonDocument::Compact);
        out += '}';
    }
    out += "],\"cursor\":";
    out += QByteArray::number(cursor);
    out += hasMore ? ",\"hasMore\":true}" : ",\"hasMore\":false}";
    return redactJson(out);
}

QDateTime parseTime(const QString &text)
{
    bool isNumber = false;
    const qint64 ms = text.toLongLong(&isNumber);
    if (isNumber)
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeZone(QTimeZone::utc()); // no zone given: UTC, like every time the API writes
    return t;
}

QJsonObject tagsJson(const QMap<QString, QString> &tags)
{
    QJsonObject o;
    for (auto it = tags.cbegin(); it != tags.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject runJson(const storage::RunRecord &run, bool withConfig)
{
    QJsonObject o {
        { QStringLiteral("runId"), run.runId },
        { QStringLiteral("jobName"), run.jobName },
        { QStringLiteral("locationName"), run.locationName },
        { QStringLiteral("repositoryName"), run.repositoryName },
        { QStringLiteral("status"), runStatusName(run.status) },
        { QStringLiteral("tags"), tagsJson(run.tags) },
        { QStringLiteral("priority"), run.priority },
        { QStringLiteral("parentRunId"),
          run.parentRunId.isEmpty() ? QJsonValue() : QJsonValue(run.parentRunId) },
        { QStringLiteral("rootRunId"), run.rootRunId.isEmpty() ? QJsonValue() : QJsonValue(run.rootRunId) },
        { QStringLiteral("createdAt"), isoTime(run.createdAt) },
        { QStringLiteral("updatedAt"), isoTime(run.updatedAt) },
        { QStringLiteral("startedAt"), isoTime(run.startedAt) },
        { QStringLiteral("endedAt"), isoTime(run.endedAt) },
        { QStringLiteral("hasResult"), !run.result.isEmpty() },
    };
    if (withConfig)
        o.insert(QStringLiteral("runConfig"), run.runConfig);
    return o;
}

QJsonObject eventJson(const Event &e)
{
    return QJsonObject {
        { QStringLiteral("storageId"), e.storageId },
        { QStringLiteral("runId"), e.runId },
        { QStringLiteral("timestamp"), isoTime(e.timestamp) },
        { QStringLiteral("eventType"), e.eventType },
        { QStringLiteral("stepKey"), e.stepKey.isEmpty() ? QJsonValue() : QJsonValue(e.stepKey) },
        { QStringLiteral("level"), e.level },
        { QStringLiteral("message"), e.message },
        { QStringLiteral("payload"), e.payload.isEmpty() ? QJsonValue() : QJsonValue(e.payload) },
    };
}

QJsonObject tickJson(const storage::Tick &t)
{
    return QJsonObject {
        { QStringLiteral("id"), t.id },
        { QStringLiteral("scheduleName"), t.instigatorName },
        { QStringLiteral("locationName"), t.locationName },
        { QStringLiteral("timestamp"), isoTime(t.timestamp) },
        { QStringLiteral("status"), t.status },
        { QStringLiteral("runIds"), QJsonArray::fromStringList(t.runIds) },
        { QStringLiteral("error"), t.error.isEmpty() ? QJsonValue() : QJsonValue(t.error) },
        { QStringLiteral("skipReason"), t.skipReason.isEmpty() ? QJsonValue() : QJsonValue(t.skipReason) },
    };
}

QJsonObject heartbeatJson(const storage::Heartbeat &b, const QDateTime &now, int healthySeconds)
{
    const qint64 age = b.timestamp.isValid() ? b.timestamp.secsTo(now) : -1;
    return QJsonObject {
        { QStringLiteral("daemonType"), b.daemonType },
        { QStringLiteral("daemonId"), b.daemonId },
        { QStringLiteral("lastHeartbeat"), isoTime(b.timestamp) },
        { QStringLiteral("ageSeconds"), age },
        { QStringLiteral("healthy"), age >= 0 && age <= healthySeconds },
        { QStringLiteral("errors"), QJsonArray::fromStringList(b.errors) },
    };
}

QByteArray toRedactedJson(const QJsonObject &object)
{
    return redactJson(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QByteArray redactJson(const QByteArray &json)
{
    const QString text = QString::fromUtf8(json);
    const QString redacted = redaction::redact(text);
    return redacted.size() == text.size() && redacted == text ? json : redacted.toUtf8();
}

} // namespace lifdag::webserver::detail
