#include "lifdag/client/listmodels.h"

#include "format_p.h"

#include <QJsonArray>
#include <QTimer>

namespace lifdag::client {

using namespace detail;

ServerListModel::ServerListModel(const QList<QByteArray> &roles, QObject *parent)
    : RowListModel(roles, parent)
    , m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_client && m_client->isOnline() && !m_loading)
            reload();
    });
}

void ServerListModel::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    if (m_client)
        m_client->disconnect(this);
    m_client = client;
    if (m_client) {
        connect(m_client, &ApiClient::reconnected, this, &ServerListModel::reload);
        connect(m_client, &ApiClient::stateChanged, this, [this] {
            if (m_client->isOnline() && m_loadedAt == 0 && !m_loading)
                reload();
        });
    }
    Q_EMIT clientChanged();
    QTimer::singleShot(0, this, [this] {
        if (m_client && m_loadedAt == 0 && !m_loading)
            reload();
    });
}

int ServerListModel::refreshInterval() const
{
    return m_timer->isActive() ? m_timer->interval() : 0;
}

void ServerListModel::setRefreshInterval(int ms)
{
    if (ms == refreshInterval())
        return;
    if (ms > 0)
        m_timer->start(ms);
    else
        m_timer->stop();
    Q_EMIT refreshIntervalChanged();
}

void ServerListModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

void ServerListModel::reload()
{
    if (!m_client || m_client->baseUrl().isEmpty())
        return;
    const quint64 generation = ++m_generation;
    m_loading = true;
    Q_EMIT loadingChanged();
    m_client->get(path(), query(), this, [this, generation](const ApiReply &r) {
        if (generation != m_generation)
            return;
        m_loading = false;
        if (!r.ok()) {
            setError(r.error.message);
            Q_EMIT loadingChanged();
            return;
        }
        setError({});
        setRows(rowsFrom(r.json()));
        m_loadedAt = QDateTime::currentMSecsSinceEpoch();
        Q_EMIT loadingChanged();
        Q_EMIT loaded();
    });
}

// ---- jobs ----------------------------------------------------------------------------------------

JobsModel::JobsModel(QObject *parent)
    : ServerListModel({ "name", "locationName", "description", "tagsText" }, parent)
{ }

QList<QVariantMap> JobsModel::rowsFrom(const QJsonObject &answer)
{
    QList<QVariantMap> rows;
    for (const QJsonValue &v : answer.value(QStringLiteral("jobs")).toArray()) {
        const QJsonObject j = v.toObject();
        QStringList tags;
        const QJsonObject t = j.value(QStringLiteral("tags")).toObject();
        for (auto it = t.begin(); it != t.end(); ++it)
            tags << QString(it.key() + QLatin1Char('=') + it.value().toString());
        rows.append({ { QStringLiteral("name"), j.value(QStringLiteral("name")).toString() },
                      { QStringLiteral("locationName"), j.value(QStringLiteral("locationName")).toString() },
                      { QStringLiteral("description"), j.value(QStringLiteral("description")).toString() },
                      { QStringLiteral("tagsText"), tags.join(QStringLiteral("  ")) } });
    }
    QStringList errors;
    for (const QJsonValue &v : answer.value(QStringLiteral("errors")).toArray()) {
        const QJsonObject e = v.toObject();
        errors << QStringLiteral("%1: %2").arg(e.value(QStringLiteral("location")).toString(),
                                               e.value(QStringLiteral("message")).toString());
    }
    setError(errors.join(QStringLiteral("; ")));
    return rows;
}

QStringList JobsModel::names() const
{
    QStringList out;
    for (int i = 0; i < count(); ++i) {
        const QString name = get(i).value(QStringLiteral("name")).toString();
        if (!out.contains(name))
            out << name;
    }
    return out;
}

int JobsModel::indexOfJob(const QString &name, const QString &location) const
{
    for (int i = 0; i < count(); ++i) {
        const QVariantMap row = get(i);
        if (row.value(QStringLiteral("name")).toString() == name
            && (location.isEmpty() || row.value(QStringLiteral("locationName")).toString() == location))
            return i;
    }
    return -1;
}

// ---- daemons -------------------------------------------------------------------------------------

DaemonsModel::DaemonsModel(QObject *parent)
    : ServerListModel({ "daemonType", "daemonId", "lastHeartbeat", "ageSeconds", "healthy", "errors" },
                      parent)
{ }

QList<QVariantMap> DaemonsModel::rowsFrom(const QJsonObject &answer)
{
    m_healthy = answer.value(QStringLiteral("healthy")).toBool();
    QList<QVariantMap> rows;
    for (const QJsonValue &v : answer.value(QStringLiteral("daemons")).toArray()) {
        const QJsonObject d = v.toObject();
        QStringList errors;
        for (const QJsonValue &e : d.value(QStringLiteral("errors")).toArray())
            errors << e.toString();
        rows.append({ { QStringLiteral("daemonType"), d.value(QStringLiteral("daemonType")).toString() },
                      { QStringLiteral("daemonId"), d.value(QStringLiteral("daemonId")).toString() },
                      { QStringLiteral("lastHeartbeat"),
                        formatDateTime(parseIsoMs(d.value(QStringLiteral("lastHeartbeat")))) },
                      { QStringLiteral("ageSeconds"), d.value(QStringLiteral("ageSeconds")).toInt() },
                      { QStringLiteral("healthy"), d.value(QStringLiteral("healthy")).toBool() },
                      { QStringLiteral("errors"), errors.join(QLatin1Char('\n')) } });
    }
    return rows;
}

// ---- locations -----------------------------------------------------------------------------------

LocationsModel::LocationsModel(QObject *parent)
    : ServerListModel(
        { "name", "address", "status", "error", "version", "image", "runningWorkers", "startedAt" }, parent)
{ }

QList<QVariantMap> LocationsModel::rowsFrom(const QJsonObject &answer)
{
    QList<QVariantMap> rows;
    bool all = true;
    for (const QJsonValue &v : answer.value(QStringLiteral("locations")).toArray()) {
        const QJsonObject l = v.toObject();
        all = all && l.value(QStringLiteral("status")).toString() == QLatin1StringView("ok");
        rows.append({ { QStringLiteral("name"), l.value(QStringLiteral("name")).toString() },
                      { QStringLiteral("address"), l.value(QStringLiteral("address")).toString() },
                      { QStringLiteral("status"), l.value(QStringLiteral("status")).toString() },
                      { QStringLiteral("error"), l.value(QStringLiteral("error")).toString() },
                      { QStringLiteral("version"), l.value(QStringLiteral("version")).toString() },
                      { QStringLiteral("image"), l.value(QStringLiteral("image")).toString() },
                      { QStringLiteral("runningWorkers"), l.value(QStringLiteral("runningWorkers")).toInt() },
                      { QStringLiteral("startedAt"),
                        formatDateTime(parseIsoMs(l.value(QStringLiteral("startedAt")))) } });
    }
    m_allAvailable = all && !rows.isEmpty();
    return rows;
}

void LocationsModel::reloadLocation(const QString &name)
{
    if (!client())
        return;
    client()->send(
        "POST",
        QStringLiteral("/api/v1/locations/%1/reload").arg(QString::fromLatin1(QUrl::toPercentEncoding(name))),
        QJsonValue(), this, [this, name](const ApiReply &r) {
            if (r.ok())
                Q_EMIT locationReloaded(name,
                                        tr("%1 reloaded: %2 jobs")
                                            .arg(name)
                                            .arg(r.json().value(QStringLiteral("jobCount")).toInt()));
            else
                Q_EMIT locationReloaded(name, r.error.message);
            reload();
        });
}

// ---- instance ------------------------------------------------------------------------------------

InstanceModel::InstanceModel(QObject *parent)
    : ServerListModel({ "name", "value" }, parent)
{ }

QList<QVariantMap> InstanceModel::rowsFrom(const QJsonObject &answer)
{
    auto describe = [](const QJsonValue &section) -> QString {
        const QJsonObject o = section.toObject();
        QStringList parts { o.value(QStringLiteral("class")).toString() };
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() != QLatin1StringView("class"))
                parts << QStringLiteral("%1: %2").arg(it.key(), prettyJson(it.value()));
        }
        return parts.join(QStringLiteral(", "));
    };
    const QJsonObject monitoring = answer.value(QStringLiteral("runMonitoring")).toObject();
    const QJsonObject retries = answer.value(QStringLiteral("runRetries")).toObject();
    const QJsonObject override = answer.value(QStringLiteral("launcherOverride")).toObject();
    auto row = [](const QString &name, const QString &value) {
        return QVariantMap { { QStringLiteral("name"), name }, { QStringLiteral("value"), value } };
    };
    return {
        row(tr("lifdag version"), answer.value(QStringLiteral("version")).toString()),
        row(tr("Storage"), answer.value(QStringLiteral("storage")).toString()),
        row(tr("Run coordinator"), describe(answer.value(QStringLiteral("runCoordinator")))),
        row(tr("Run launcher"), describe(answer.value(QStringLiteral("runLauncher")))),
        row(tr("Launcher override"),
            override.value(QStringLiteral("exists")).toBool()
                ? override.value(QStringLiteral("path")).toString()
                : tr("none")),
        row(tr("Scheduler"), describe(answer.value(QStringLiteral("scheduler")))),
        row(tr("Run monitoring"),
            monitoring.value(QStringLiteral("enabled")).toBool()
                ? tr("on (start timeout %1 s)")
                      .arg(monitoring.value(QStringLiteral("startTimeoutSeconds")).toInt())
                : tr("off")),
        row(tr("Run retries"),
            retries.value(QStringLiteral("enabled")).toBool()
                ? tr("up to %1").arg(retries.value(QStringLiteral("maxRetries")).toInt())
                : tr("off")),
        row(tr("Authentication"),
            answer.value(QStringLiteral("auth")).toObject().value(QStringLiteral("enabled")).toBool()
                ? tr("API tokens required")
                : tr("off")),
        row(tr("Workspace"), answer.value(QStringLiteral("workspace")).toString()),
    };
}

// ---- audit ---------------------------------------------------------------------------------------

AuditModel::AuditModel(QObject *parent)
    : ServerListModel(
        { "entryId", "timestamp", "actor", "action", "target", "beforeText", "afterText", "diff", "summary" },
        parent)
{ }

QUrlQuery AuditModel::query() const
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("limit"), QStringLiteral("100"));
    return q;
}

QList<QVariantMap> AuditModel::rowsFrom(const QJsonObject &answer)
{
    QList<QVariantMap> rows;
    for (const QJsonValue &v : answer.value(QStringLiteral("entries")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString before = e.value(QStringLiteral("before")).toObject().isEmpty()
            ? QString()
            : prettyJson(e.value(QStringLiteral("before")));
        const QString after = e.value(QStringLiteral("after")).toObject().isEmpty()
            ? QString()
            : prettyJson(e.value(QStringLiteral("after")));
        QVariantList diff;
        int added = 0;
        int removed = 0;
        for (const DiffLine &line : diffLines(before, after)) {
            added += line.kind == '+';
            removed += line.kind == '-';
            diff.append(QVariantMap { { QStringLiteral("kind"), QString(QLatin1Char(line.kind)) },
                                      { QStringLiteral("text"), line.text } });
        }
        rows.append({ { QStringLiteral("entryId"), e.value(QStringLiteral("id")).toInteger() },
                      { QStringLiteral("timestamp"),
                        formatDateTime(parseIsoMs(e.value(QStringLiteral("timestamp")))) },
                      { QStringLiteral("actor"), e.value(QStringLiteral("actor")).toString() },
                      { QStringLiteral("action"), e.value(QStringLiteral("action")).toString() },
                      { QStringLiteral("target"), e.value(QStringLiteral("target")).toString() },
                      { QStringLiteral("beforeText"), before },
                      { QStringLiteral("afterText"), after },
                      { QStringLiteral("diff"), diff },
                      { QStringLiteral("summary"), QStringLiteral("+%1 −%2").arg(added).arg(removed) } });
    }
    return rows;
}

// ---- diff ----------------------------------------------------------------------------------------

DiffModel::DiffModel(QObject *parent)
    : RowListModel({ "kind", "text", "oldLine", "newLine" }, parent)
{ }

void DiffModel::setDiff(const QList<DiffLine> &lines)
{
    QList<QVariantMap> rows;
    m_added = m_removed = 0;
    for (const DiffLine &l : lines) {
        m_added += l.kind == '+';
        m_removed += l.kind == '-';
        rows.append({ { QStringLiteral("kind"), QString(QLatin1Char(l.kind)) },
                      { QStringLiteral("text"), l.text },
                      { QStringLiteral("oldLine"), l.oldLine },
                      { QStringLiteral("newLine"), l.newLine } });
    }
    setRows(rows);
    Q_EMIT countChanged();
}

void DiffModel::compare(const QString &before, const QString &after)
{
    setDiff(diffLines(before, after));
}

} // namespace lifdag::client
