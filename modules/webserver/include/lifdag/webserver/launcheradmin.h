// Launcher configuration administration: admins read and change dagster.yaml's run_coordinator and
// run_launcher through the API. A change is validated with dagster.yaml's own rules, written
// atomically (temporary file + rename) to the managed override file (config::launcherOverridePath,
// which loadInstance applies over dagster.yaml - dagster.yaml itself is never rewritten, so its
// comments and layout stay the operator's), and recorded in the audit log with who, when, before
// and after. Secrets in the sections (registry password, secret-named environment values) are
// shown as "***"; sending "***" back keeps the stored value.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/auth.h>

#include <QJsonObject>
#include <functional>
#include <memory>
#include <mutex>

namespace lifdag::webserver {

class LauncherAdmin
{
public:
    // `onChanged` runs after every successful change (e.g. to reload the settings in this process).
    LauncherAdmin(std::shared_ptr<instance::Instance> instance, std::function<void()> onChanged = {});

    // {run_coordinator, run_launcher (as written, secrets masked), sources {…: override |
    //  dagster.yaml | default}, override_file, dagster_yaml, effective {run_coordinator: {class, …},
    //  run_launcher: {class, …}}}
    Result<QJsonObject> read() const;
    // `change`: {run_coordinator?: section | null, run_launcher?: section | null}; null removes the
    // section from the override (dagster.yaml's applies again). Error codes: launcher_config.invalid
    // (the change breaks a rule; the message names the key path), launcher_config.io.
    Result<QJsonObject> update(const QJsonObject &change, const Principal &who);
    // Checks a change as update() does, without writing or auditing it: read()'s answer after it.
    Result<QJsonObject> validate(const QJsonObject &change) const;
    // Deletes the override file: dagster.yaml's sections apply again.
    Result<QJsonObject> reset(const Principal &who);

    // Masks secret values (keys named like secrets, NAME=value entries with secret names).
    static QJsonValue mask(const QJsonValue &value, const QString &key = {});

private:
    struct Documents
    {
        QByteArray dagsterYaml;
        QJsonObject base; // dagster.yaml's sections
        QJsonObject override; // the override file's sections
        QString overridePath;
        bool overrideExists = false;
    };
    Result<Documents> load() const;
    Result<config::InstanceConfig> effectiveConfig(const Documents &docs,
                                                   const QByteArray &overrideYaml) const;
    Result<QJsonObject> describe(const Documents &docs) const;
    // The documents after `change`, checked; `before` gets the sections in force now.
    Result<Documents> applyChange(const QJsonObject &change, QJsonObject *before) const;
    static QJsonObject effectiveSections(const Documents &docs);
    Status record(const Principal &who, const QString &action, const QJsonObject &before,
                  const QJsonObject &after);

    std::shared_ptr<instance::Instance> m_instance;
    std::function<void()> m_onChanged;
    std::mutex m_mutex; // one change at a time in this process; the file is replaced atomically
};

} // namespace lifdag::webserver
