// Query.instance: run launcher, run queue configuration and daemon health.
#include "api_p.h"

#include <QCoreApplication>
#include <QDateTime>

namespace lifdag::graphqlapi::detail {

namespace {

constexpr qint64 kHeartbeatToleranceSeconds = 300; // Dagster's default tolerance

// The daemons this instance's configuration needs (lifdag daemon run starts exactly these).
QStringList requiredDaemons(const config::InstanceConfig &c)
{
    QStringList out { QStringLiteral("SCHEDULER") };
    if (c.runCoordinator.kind == config::RunCoordinatorConfig::Kind::Queued)
        out.append(QStringLiteral("QUEUED_RUN_COORDINATOR"));
    if (c.runRetries.enabled)
        out.append(QStringLiteral("EVENT_LOG_CONSUMER"));
    if (c.runMonitoring.enabled)
        out.append(QStringLiteral("MONITORING"));
    return out;
}

QJsonObject daemonStatus(const QString &type, bool required, const QList<storage::Heartbeat> &beats)
{
    const storage::Heartbeat *latest = nullptr;
    for (const storage::Heartbeat &h : beats)
        if (h.daemonType == type && (!latest || h.timestamp > latest->timestamp))
            latest = &h;
    QJsonArray errors;
    if (latest)
        for (const QString &e : latest->errors)
            errors.append(pythonError(e, QStringLiteral("lifdag::daemon::Error")));
    const bool fresh =
        latest && latest->timestamp.secsTo(QDateTime::currentDateTimeUtc()) <= kHeartbeatToleranceSeconds;
    return QJsonObject { { QStringLiteral("daemonType"), type },
                         { QStringLiteral("id"), type },
                         { QStringLiteral("required"), required },
                         { QStringLiteral("healthy"), required || latest ? QJsonValue(fresh) : QJsonValue() },
                         { QStringLiteral("lastHeartbeatTime"),
                           latest ? QJsonValue(epochSeconds(latest->timestamp)) : QJsonValue() },
                         { QStringLiteral("lastHeartbeatErrors"), errors } };
}

QString tagLimitsYaml(const config::RunCoordinatorConfig &rc)
{
    if (rc.tagConcurrencyLimits.isEmpty())
        return {};
    QJsonArray limits;
    for (const config::TagConcurrencyLimit &l : rc.tagConcurrencyLimits) {
        QJsonObject o { { QStringLiteral("key"), l.key }, { QStringLiteral("limit"), l.limit } };
        if (l.applyLimitPerUniqueValue)
            o.insert(QStringLiteral("value"),
                     QJsonObject { { QStringLiteral("applyLimitPerUniqueValue"), true } });
        else if (l.value)
            o.insert(QStringLiteral("value"), *l.value);
        limits.append(o);
    }
    return toYaml(limits);
}

} // namespace

void addInstanceResolvers(SchemaBuilder &b)
{
    using Args = const QJsonObject &;
    b.resolve(QStringLiteral("Query"), QStringLiteral("instance"),
              [](const Value &, Args, const Context &ctx) -> FieldResult {
                  const config::InstanceConfig &c = state(ctx).instance->config();
                  const bool queued = c.runCoordinator.kind == config::RunCoordinatorConfig::Kind::Queued;
                  QJsonValue queueConfig;
                  if (queued) {
                      const QString limits = tagLimitsYaml(c.runCoordinator);
                      queueConfig = QJsonObject { { QStringLiteral("maxConcurrentRuns"),
                                                    c.runCoordinator.maxConcurrentRuns },
                                                  { QStringLiteral("tagConcurrencyLimitsYaml"),
                                                    limits.isEmpty() ? QJsonValue() : QJsonValue(limits) },
                                                  { QStringLiteral("isOpConcurrencyAware"), false } };
                  }
                  const QString info =
                      QStringLiteral(
                          "run_coordinator: %1\nrun_launcher: %2\nrun_storage: %3\nevent_log_storage: %4\n")
                          .arg(c.runCoordinator.className(), c.runLauncher.className(),
                               c.runStorage.describe(), c.eventLogStorage.describe());
                  return Value(QJsonObject {
                      { QStringLiteral("id"), QStringLiteral("instance") },
                      { QStringLiteral("info"), info },
                      { QStringLiteral("hasInfo"), true },
                      { QStringLiteral("runLauncher"),
                        QJsonObject { { QStringLiteral("name"), c.runLauncher.className() } } },
                      { QStringLiteral("runQueuingSupported"), queued },
                      { QStringLiteral("runQueueConfig"), queueConfig },
                      { QStringLiteral("executablePath"), QCoreApplication::applicationFilePath() },
                      { QStringLiteral("daemonHealth"),
                        QJsonObject { { QStringLiteral("id"), QStringLiteral("daemonHealth") } } },
                      { QStringLiteral("autoMaterializePaused"), true },
                      { QStringLiteral("supportsConcurrencyLimits"), false },
                      { QStringLiteral("minConcurrencyLimitValue"), 1 },
                      { QStringLiteral("maxConcurrencyLimitValue"), 1000 },
                      { QStringLiteral("useAutoMaterializeSensors"), false } });
              });
    b.resolve(QStringLiteral("DaemonHealth"), QStringLiteral("allDaemonStatuses"),
              [](const Value &, Args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const auto beats = s.instance->storage().heartbeats().all();
                  if (!beats.ok())
                      return beats.error();
                  const QStringList required = requiredDaemons(s.instance->config());
                  QStringList types = required;
                  for (const storage::Heartbeat &h : *beats)
                      if (!types.contains(h.daemonType))
                          types.append(h.daemonType);
                  QJsonArray out;
                  for (const QString &t : types)
                      out.append(daemonStatus(t, required.contains(t), *beats));
                  return Value(out);
              });
    b.resolve(QStringLiteral("DaemonHealth"), QStringLiteral("daemonStatus"),
              [](const Value &, Args args, const Context &ctx) -> FieldResult {
                  RequestState &s = state(ctx);
                  const auto beats = s.instance->storage().heartbeats().all();
                  if (!beats.ok())
                      return beats.error();
                  const QString type = args.value(QLatin1StringView("daemonType")).toString();
                  return Value(
                      daemonStatus(type, requiredDaemons(s.instance->config()).contains(type), *beats));
              });
}

} // namespace lifdag::graphqlapi::detail
