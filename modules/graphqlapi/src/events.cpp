// Stored events as the members of Dagster's DagsterRunEvent union.
#include "api_p.h"

#include <lifdag/core/runstatus.h>

#include <QJsonDocument>

namespace lifdag::graphqlapi::detail {

namespace {

const char *typeNameFor(const QString &eventType)
{
    static const QHash<QString, const char *> names {
        { QStringLiteral("RUN_ENQUEUED"), "RunEnqueuedEvent" },
        { QStringLiteral("RUN_DEQUEUED"), "RunDequeuedEvent" },
        { QStringLiteral("RUN_STARTING"), "RunStartingEvent" },
        { QStringLiteral("RUN_START"), "RunStartEvent" },
        { QStringLiteral("RUN_SUCCESS"), "RunSuccessEvent" },
        { QStringLiteral("RUN_FAILURE"), "RunFailureEvent" },
        { QStringLiteral("RUN_CANCELING"), "RunCancelingEvent" },
        { QStringLiteral("RUN_CANCELED"), "RunCanceledEvent" },
        { QStringLiteral("STEP_START"), "ExecutionStepStartEvent" },
        { QStringLiteral("STEP_OUTPUT"), "ExecutionStepOutputEvent" },
        { QStringLiteral("STEP_SUCCESS"), "ExecutionStepSuccessEvent" },
        { QStringLiteral("STEP_FAILURE"), "ExecutionStepFailureEvent" },
        { QStringLiteral("STEP_SKIPPED"), "ExecutionStepSkippedEvent" },
        { QStringLiteral("STEP_UP_FOR_RETRY"), "ExecutionStepUpForRetryEvent" },
        { QStringLiteral("STEP_RESTARTED"), "ExecutionStepRestartEvent" },
        { QStringLiteral("ENGINE_EVENT"), "EngineEvent" },
        { QStringLiteral("LOGS_CAPTURED"), "LogsCapturedEvent" },
    };
    return names.value(eventType, "LogMessageEvent");
}

// Event payload members as Dagster metadata entries (the error has its own field).
QJsonArray metadataEntries(const QJsonObject &payload)
{
    QJsonArray out;
    for (auto it = payload.begin(); it != payload.end(); ++it) {
        if (it.key() == QLatin1StringView("error"))
            continue;
        QJsonObject e { { QStringLiteral("label"), it.key() },
                        { QStringLiteral("description"), QJsonValue() } };
        const QJsonValue v = it.value();
        if (v.isString()) {
            e.insert(QStringLiteral("__typename"), QStringLiteral("TextMetadataEntry"));
            e.insert(QStringLiteral("text"), v);
        } else if (v.isBool()) {
            e.insert(QStringLiteral("__typename"), QStringLiteral("BoolMetadataEntry"));
            e.insert(QStringLiteral("boolValue"), v);
        } else if (v.isDouble() && v.toDouble() == double(qint64(v.toDouble()))) {
            const qint64 i = qint64(v.toDouble());
            e.insert(QStringLiteral("__typename"), QStringLiteral("IntMetadataEntry"));
            e.insert(QStringLiteral("intValue"),
                     i >= INT_MIN && i <= INT_MAX ? QJsonValue(int(i)) : QJsonValue());
            e.insert(QStringLiteral("intRepr"), QString::number(i));
        } else if (v.isDouble()) {
            e.insert(QStringLiteral("__typename"), QStringLiteral("FloatMetadataEntry"));
            e.insert(QStringLiteral("floatValue"), v);
        } else if (v.isNull()) {
            e.insert(QStringLiteral("__typename"), QStringLiteral("NullMetadataEntry"));
        } else {
            e.insert(QStringLiteral("__typename"), QStringLiteral("JsonMetadataEntry"));
            const QByteArray json = v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                                : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
            e.insert(QStringLiteral("jsonString"), QString::fromUtf8(json));
        }
        out.append(e);
    }
    return out;
}

bool isDagsterEventType(const QString &type)
{
    // Everything lifdag stores except user log lines is one of Dagster's event types.
    return !type.isEmpty() && type != QLatin1StringView(EventType::LogMessage);
}

} // namespace

QJsonObject eventJson(const Event &event, const QString &jobName)
{
    const char *typeName = typeNameFor(event.eventType);
    QJsonObject o = typed(typeName);
    o.insert(QStringLiteral("runId"), event.runId);
    o.insert(QStringLiteral("message"), event.message);
    o.insert(QStringLiteral("timestamp"), QString::number(event.timestamp.toMSecsSinceEpoch()));
    static const QStringList levels { QStringLiteral("CRITICAL"), QStringLiteral("ERROR"),
                                      QStringLiteral("INFO"), QStringLiteral("WARNING"),
                                      QStringLiteral("DEBUG") };
    o.insert(QStringLiteral("level"), levels.contains(event.level) ? event.level : QStringLiteral("INFO"));
    o.insert(QStringLiteral("stepKey"), event.stepKey.isEmpty() ? QJsonValue() : QJsonValue(event.stepKey));
    o.insert(QStringLiteral("solidHandleID"),
             event.stepKey.isEmpty() ? QJsonValue()
                                     : QJsonValue(event.stepKey.section(QLatin1Char('['), 0, 0)));
    o.insert(QStringLiteral("eventType"),
             isDagsterEventType(event.eventType) ? QJsonValue(event.eventType) : QJsonValue());
    const QJsonObject &payload = event.payload;
    const QJsonObject error = payload.value(QLatin1StringView("error")).toObject();
    const QJsonValue errorValue =
        error.isEmpty() ? QJsonValue() : QJsonValue(pythonErrorFromErrorInfo(error));
    const QByteArray type(typeName);
    if (type.startsWith("Run") && type.endsWith("Event"))
        o.insert(QStringLiteral("pipelineName"), jobName);
    if (type == "RunFailureEvent" || type == "RunCanceledEvent" || type == "ExecutionStepFailureEvent"
        || type == "ExecutionStepUpForRetryEvent" || type == "EngineEvent")
        o.insert(QStringLiteral("error"), errorValue);
    if (type == "ExecutionStepFailureEvent") {
        const QString source = payload.value(QLatin1StringView("error_source")).toString();
        static const QStringList sources { QStringLiteral("FRAMEWORK_ERROR"),
                                           QStringLiteral("USER_CODE_ERROR"),
                                           QStringLiteral("UNEXPECTED_ERROR"), QStringLiteral("INTERRUPT") };
        o.insert(QStringLiteral("errorSource"), sources.contains(source) ? QJsonValue(source) : QJsonValue());
        o.insert(QStringLiteral("failureMetadata"), QJsonValue());
    }
    if (type == "ExecutionStepUpForRetryEvent") {
        const QJsonValue wait = payload.value(QLatin1StringView("seconds_to_wait"));
        o.insert(QStringLiteral("secondsToWait"),
                 wait.isDouble() ? QJsonValue(int(wait.toDouble())) : QJsonValue());
    }
    if (type == "ExecutionStepOutputEvent" || type == "EngineEvent") {
        o.insert(QStringLiteral("label"), QJsonValue());
        o.insert(QStringLiteral("description"), QJsonValue());
        o.insert(QStringLiteral("metadataEntries"), metadataEntries(payload));
    }
    if (type == "ExecutionStepOutputEvent") {
        o.insert(QStringLiteral("outputName"),
                 payload.value(QLatin1StringView("output_name")).toString(QStringLiteral("result")));
        o.insert(QStringLiteral("typeCheck"),
                 QJsonObject { { QStringLiteral("label"), QStringLiteral("Any") },
                               { QStringLiteral("description"), QJsonValue() },
                               { QStringLiteral("metadataEntries"), QJsonArray() },
                               { QStringLiteral("success"),
                                 payload.value(QLatin1StringView("type_check_passed")).toBool(true) } });
    }
    if (type == "EngineEvent") {
        o.insert(QStringLiteral("markerStart"), payload.value(QLatin1StringView("marker_start")));
        o.insert(QStringLiteral("markerEnd"), payload.value(QLatin1StringView("marker_end")));
    }
    if (type == "LogsCapturedEvent") {
        const QString key =
            payload.value(QLatin1StringView("file_key"))
                .toString(event.stepKey.isEmpty() ? QStringLiteral("compute_logs") : event.stepKey);
        o.insert(QStringLiteral("fileKey"), key);
        o.insert(QStringLiteral("logKey"), payload.value(QLatin1StringView("log_key")).toString(key));
        o.insert(QStringLiteral("stepKeys"),
                 payload.contains(QLatin1StringView("step_keys"))
                     ? payload.value(QLatin1StringView("step_keys"))
                     : (event.stepKey.isEmpty() ? QJsonValue() : QJsonValue(QJsonArray { event.stepKey })));
        o.insert(QStringLiteral("externalUrl"), payload.value(QLatin1StringView("external_url")));
        o.insert(QStringLiteral("externalStdoutUrl"),
                 payload.value(QLatin1StringView("external_stdout_url")));
        o.insert(QStringLiteral("externalStderrUrl"),
                 payload.value(QLatin1StringView("external_stderr_url")));
        o.insert(QStringLiteral("pid"), payload.value(QLatin1StringView("pid")));
    }
    return o;
}

void addEventResolvers(SchemaBuilder &)
{
    // Events are plain JSON objects; the default resolvers read them.
}

} // namespace lifdag::graphqlapi::detail
