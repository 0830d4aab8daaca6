#include "lifdag/webserver/launcheradmin.h"

#include "webserver_log_p.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/core/redaction.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSaveFile>

namespace lifdag::webserver {

namespace {

const QString kMask = QStringLiteral("***");
const QStringList kSections { QStringLiteral("run_coordinator"), QStringLiteral("run_launcher") };

QJsonObject defaultSection(const QString &key)
{
    return QJsonObject { { QStringLiteral("class"),
                           key == kSections[0] ? QStringLiteral("DefaultRunCoordinator")
                                               : QStringLiteral("DefaultRunLauncher") } };
}

// "NAME=value" with a secret-looking NAME.
bool isSecretAssignment(const QString &entry, QString *name)
{
    const qsizetype eq = entry.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return false;
    *name = entry.left(eq);
    return redaction::isSecretName(*name);
}

// Puts back the stored values where `now` says "***" (or "NAME=***"), from `before` at the same place.
Result<QJsonValue> unmask(const QJsonValue &now, const QJsonValue &before, const QString &path)
{
    if (now.isObject()) {
        QJsonObject out = now.toObject();
        const QJsonObject prev = before.toObject();
        for (auto it = out.begin(); it != out.end(); ++it) {
            const QString childPath = path + QLatin1Char('.') + it.key();
            if (it.value().isString() && it.value().toString() == kMask) {
                const QJsonValue old = prev.value(it.key());
                if (!old.isString() && !old.isObject())
                    return Error { QStringLiteral("launcher_config.invalid"),
                                   QStringLiteral(
                                       "%1: \"***\" keeps a stored secret, but none is stored here; "
                                       "give the value")
                                       .arg(childPath) };
                it.value() = old;
                continue;
            }
            auto inner = unmask(it.value(), prev.value(it.key()), childPath);
            if (!inner)
                return inner.error();
            it.value() = *inner;
        }
        return QJsonValue(out);
    }
    if (now.isArray()) {
        QJsonArray out;
        const QJsonArray prev = before.toArray();
        const QJsonArray items = now.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QJsonValue item = items[i];
            QString name;
            if (item.isString() && isSecretAssignment(item.toString(), &name)
                && item.toString().mid(name.size() + 1) == kMask) {
                QString found;
                for (const QJsonValue &p : prev) {
                    if (p.toString().startsWith(name + QLatin1Char('=')))
                        found = p.toString();
                }
                if (found.isEmpty())
                    return Error { QStringLiteral("launcher_config.invalid"),
                                   QStringLiteral(
                                       "%1[%2]: %3=*** keeps a stored value, but none is stored; give "
                                       "the value")
                                       .arg(path)
                                       .arg(i)
                                       .arg(name) };
                out.append(found);
                continue;
            }
            auto inner = unmask(item, i < prev.size() ? prev[i] : QJsonValue(),
                                QStringLiteral("%1[%2]").arg(path).arg(i));
            if (!inner)
                return inner.error();
            out.append(*inner);
        }
        return QJsonValue(out);
    }
    return now;
}

Result<QJsonObject> readSections(const QString &path, bool *exists, QByteArray *text)
{
    QFile f(path);
    *exists = !path.isEmpty() && f.exists();
    if (!*exists)
        return QJsonObject();
    if (!f.open(QIODevice::ReadOnly))
        return Error { QStringLiteral("launcher_config.io"),
                       QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()) };
    const QByteArray bytes = f.readAll();
    if (text)
        *text = bytes;
    return config::rawLauncherSections(bytes, path);
}

} // namespace

LauncherAdmin::LauncherAdmin(std::shared_ptr<instance::Instance> instance, std::function<void()> onChanged)
    : m_instance(std::move(instance))
    , m_onChanged(std::move(onChanged))
{ }

QJsonValue LauncherAdmin::mask(const QJsonValue &value, const QString &key)
{
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = mask(it.value(), it.key());
        return o;
    }
    if (value.isArray()) {
        QJsonArray a;
        for (const QJsonValue &item : value.toArray()) {
            QString name;
            if (item.isString() && isSecretAssignment(item.toString(), &name))
                a.append(QString(name + QLatin1Char('=') + kMask));
            else
                a.append(mask(item));
        }
        return a;
    }
    if (value.isString() && !key.isEmpty() && redaction::isSecretName(key))
        return kMask;
    return value;
}

Result<LauncherAdmin::Documents> LauncherAdmin::load() const
{
    Documents docs;
    const config::InstanceConfig &cfg = m_instance->config();
    bool exists = false;
    auto base = readSections(cfg.path, &exists, &docs.dagsterYaml);
    if (!base)
        return base.error();
    docs.base = *base;
    docs.overridePath = config::launcherOverridePath(cfg);
    auto override = readSections(docs.overridePath, &docs.overrideExists, nullptr);
    if (!override)
        return override.error();
    docs.override = *override;
    return docs;
}

QJsonObject LauncherAdmin::effectiveSections(const Documents &docs)
{
    QJsonObject out;
    for (const QString &key : kSections) {
        if (docs.override.contains(key))
            out.insert(key, docs.override.value(key));
        else if (docs.base.contains(key))
            out.insert(key, docs.base.value(key));
        else
            out.insert(key, defaultSection(key));
    }
    return out;
}

Result<config::InstanceConfig> LauncherAdmin::effectiveConfig(const Documents &docs,
                                                              const QByteArray &overrideYaml) const
{
    const config::InstanceConfig &cfg = m_instance->config();
    auto ic = config::parseInstance(docs.dagsterYaml,
                                    cfg.path.isEmpty() ? QStringLiteral("dagster.yaml") : cfg.path, cfg.home);
    if (!ic)
        return ic.error();
    if (const Status s = config::applyLauncherOverride(*ic, overrideYaml, docs.overridePath); !s)
        return Error { QStringLiteral("launcher_config.invalid"), s.error().message };
    return ic;
}

Result<QJsonObject> LauncherAdmin::describe(const Documents &docs) const
{
    const QJsonObject sections = effectiveSections(docs);
    QJsonObject sources;
    for (const QString &key : kSections)
        sources.insert(key,
                       docs.override.contains(key)   ? QStringLiteral("override")
                           : docs.base.contains(key) ? QStringLiteral("dagster.yaml")
                                                     : QStringLiteral("default"));
    auto ic = effectiveConfig(docs, config::launcherOverrideYaml(docs.override));
    if (!ic)
        return ic.error();
    QJsonObject coordinator { { QStringLiteral("class"), ic->runCoordinator.className() } };
    if (ic->runCoordinator.kind == config::RunCoordinatorConfig::Kind::Queued) {
        coordinator.insert(QStringLiteral("max_concurrent_runs"), ic->runCoordinator.maxConcurrentRuns);
        coordinator.insert(QStringLiteral("dequeue_interval_seconds"),
                           ic->runCoordinator.dequeueIntervalSeconds);
        coordinator.insert(QStringLiteral("tag_concurrency_limits"),
                           int(ic->runCoordinator.tagConcurrencyLimits.size()));
    }
    QJsonObject launcher { { QStringLiteral("class"), ic->runLauncher.className() } };
    if (ic->runLauncher.kind == config::RunLauncherConfig::Kind::Docker) {
        launcher.insert(QStringLiteral("image"), ic->runLauncher.docker.image);
        QStringList networks = ic->runLauncher.docker.networks;
        if (!ic->runLauncher.docker.network.isEmpty())
            networks.prepend(ic->runLauncher.docker.network);
        launcher.insert(QStringLiteral("networks"), QJsonArray::fromStringList(networks));
    }
    QJsonObject out;
    for (const QString &key : kSections)
        out.insert(key, mask(sections.value(key)));
    out.insert(QStringLiteral("sources"), sources);
    out.insert(QStringLiteral("override_file"), docs.overridePath);
    out.insert(QStringLiteral("override_exists"), docs.overrideExists);
    out.insert(QStringLiteral("dagster_yaml"), m_instance->config().path);
    out.insert(QStringLiteral("effective"),
               QJsonObject { { kSections[0], coordinator }, { kSections[1], launcher } });
    return out;
}

Result<QJsonObject> LauncherAdmin::read() const
{
    auto docs = load();
    if (!docs)
        return docs.error();
    return describe(*docs);
}

Status LauncherAdmin::record(const Principal &who, const QString &action, const QJsonObject &before,
                             const QJsonObject &after)
{
    storage::AuditEntry entry;
    entry.actor = who.describe();
    entry.action = action;
    entry.target = config::launcherOverridePath(m_instance->config());
    entry.before = before;
    entry.after = after;
    const auto id = m_instance->storage().admin().addAudit(entry);
    if (!id)
        return id.error();
    qCInfo(lcWebserver, "%s by %s (audit entry %lld)", qPrintable(action), qPrintable(entry.actor),
           static_cast<long long>(*id));
    return {};
}

Result<LauncherAdmin::Documents> LauncherAdmin::applyChange(const QJsonObject &change,
                                                            QJsonObject *before) const
{
    if (change.isEmpty())
        return Error { QStringLiteral("launcher_config.invalid"),
                       QStringLiteral("nothing to change: send run_coordinator and/or run_launcher") };
    for (auto it = change.begin(); it != change.end(); ++it) {
        if (!kSections.contains(it.key()))
            return Error {
                QStringLiteral("launcher_config.invalid"),
                QStringLiteral("%1: only run_coordinator and run_launcher can be changed here").arg(it.key())
            };
        if (!it.value().isObject() && !it.value().isNull())
            return Error { QStringLiteral("launcher_config.invalid"),
                           QStringLiteral(
                               "%1: expected a section like dagster.yaml's ({class, config}) or null")
                               .arg(it.key()) };
    }
    auto docs = load();
    if (!docs)
        return docs.error();
    *before = effectiveSections(*docs);
    Documents next = *docs;
    for (auto it = change.begin(); it != change.end(); ++it) {
        if (it.value().isNull()) {
            next.override.remove(it.key());
            continue;
        }
        auto unmasked = unmask(it.value(), before->value(it.key()), it.key());
        if (!unmasked)
            return unmasked.error();
        next.override.insert(it.key(), *unmasked);
    }
    if (auto ic = effectiveConfig(next, config::launcherOverrideYaml(next.override)); !ic)
        return ic.error();
    return next;
}

Result<QJsonObject> LauncherAdmin::validate(const QJsonObject &change) const
{
    QJsonObject before;
    auto next = applyChange(change, &before);
    if (!next)
        return next.error();
    return describe(*next);
}

Result<QJsonObject> LauncherAdmin::update(const QJsonObject &change, const Principal &who)
{
    std::lock_guard lock(m_mutex);
    QJsonObject before;
    auto changed = applyChange(change, &before);
    if (!changed)
        return changed.error();
    Documents next = *changed;
    const QByteArray yaml = config::launcherOverrideYaml(next.override);

    QSaveFile file(next.overridePath); // a temporary file renamed over the old one on commit
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size() || !file.commit())
        return Error { QStringLiteral("launcher_config.io"),
                       QStringLiteral("%1: cannot write: %2").arg(next.overridePath, file.errorString()) };
    // It may hold registry credentials: owner only.
    QFile::setPermissions(next.overridePath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    next.overrideExists = true;
    const QJsonObject after = effectiveSections(next);
    if (const Status s = record(who, QStringLiteral("launcher_config.update"), mask(before).toObject(),
                                mask(after).toObject());
        !s)
        qCWarning(lcWebserver, "launcher settings changed but not audited: %s",
                  qPrintable(s.error().message));
    if (m_onChanged)
        m_onChanged();
    return describe(next);
}

Result<QJsonObject> LauncherAdmin::reset(const Principal &who)
{
    std::lock_guard lock(m_mutex);
    auto docs = load();
    if (!docs)
        return docs.error();
    const QJsonObject before = effectiveSections(*docs);
    if (docs->overrideExists && !QFile::remove(docs->overridePath))
        return Error { QStringLiteral("launcher_config.io"),
                       QStringLiteral("%1: cannot delete the override file").arg(docs->overridePath) };
    Documents next = *docs;
    next.override = {};
    next.overrideExists = false;
    if (docs->overrideExists) {
        if (const Status s = record(who, QStringLiteral("launcher_config.reset"), mask(before).toObject(),
                                    mask(effectiveSections(next)).toObject());
            !s)
            qCWarning(lcWebserver, "launcher settings reset but not audited: %s",
                      qPrintable(s.error().message));
        if (m_onChanged)
            m_onChanged();
    }
    return describe(next);
}

} // namespace lifdag::webserver
