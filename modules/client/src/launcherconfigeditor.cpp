#include "lifdag/client/launcherconfigeditor.h"

#include "format_p.h"
#include "lifdag/client/textutil.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace lifdag::client {

using namespace detail;

LauncherConfigEditor::LauncherConfigEditor(QObject *parent)
    : QObject(parent)
    , m_diff(new DiffModel(this))
    , m_audit(new AuditModel(this))
    , m_checkTimer(new QTimer(this))
{
    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(400);
    connect(m_checkTimer, &QTimer::timeout, this, &LauncherConfigEditor::check);
}

bool LauncherConfigEditor::parseEdit(QJsonObject *out)
{
    QJsonParseError parseError;
    const QByteArray bytes = m_editText.toUtf8();
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        const int offset = int(QString::fromUtf8(bytes.left(parseError.offset)).size());
        setError(parseError.error != QJsonParseError::NoError
                     ? tr("not JSON: %1").arg(parseError.errorString())
                     : tr("expected an object with run_coordinator and/or run_launcher"),
                 offset);
        return false;
    }
    *out = doc.object();
    return true;
}

// A refusal: the message, and the place in the text of the key path the server names.
void LauncherConfigEditor::showServerError(const ApiReply &r)
{
    QString path = r.error.details.value(QStringLiteral("path")).toString();
    if (path.isEmpty()) {
        static const QRegularExpression leadingPath(QStringLiteral("^([A-Za-z_][\\w.\\[\\]]*):"));
        path = leadingPath.match(r.error.message).captured(1);
    }
    int offset = -1;
    if (!path.isEmpty()) {
        const TextLocation loc = locateJsonPath(m_editText, path);
        if (loc.found)
            offset = loc.offset;
    }
    setError(r.error.message, offset);
}

void LauncherConfigEditor::check()
{
    m_checkTimer->stop();
    QJsonObject change;
    if (!m_client || !dirty() || !parseEdit(&change))
        return;
    const quint64 generation = ++m_checkGeneration;
    m_client->send("POST", QStringLiteral("/api/v1/instance/launcher/validate"), change, this,
                   [this, generation](const ApiReply &r) {
                       if (generation != m_checkGeneration)
                           return;
                       m_checkedValid = r.ok();
                       if (r.ok())
                           setError({});
                       else
                           showServerError(r);
                   });
}

void LauncherConfigEditor::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    if (m_client)
        m_client->disconnect(this);
    m_client = client;
    m_audit->setClient(client);
    if (m_client)
        connect(m_client, &ApiClient::reconnected, this, [this] {
            if (!dirty())
                reload();
        });
    Q_EMIT clientChanged();
    reload();
}

void LauncherConfigEditor::setEditText(const QString &text)
{
    if (text == m_editText)
        return;
    m_editText = text;
    m_diff->compare(m_serverText, m_editText);
    Q_EMIT editTextChanged();
    ++m_checkGeneration;
    if (m_checkedValid) {
        m_checkedValid = false;
        Q_EMIT errorChanged();
    }
    if (dirty() && m_client)
        m_checkTimer->start();
}

void LauncherConfigEditor::setError(const QString &message, int offset)
{
    m_error = message;
    m_errorOffset = offset;
    m_errorLine = 0;
    if (offset >= 0) {
        int column = 0;
        lineAndColumn(m_editText, offset, &m_errorLine, &column);
    }
    Q_EMIT errorChanged();
}

void LauncherConfigEditor::setStatus(const QString &status)
{
    m_status = status;
    Q_EMIT statusChanged();
}

void LauncherConfigEditor::apply(const QJsonObject &state)
{
    QJsonObject sections { { QStringLiteral("run_coordinator"),
                             state.value(QStringLiteral("run_coordinator")) },
                           { QStringLiteral("run_launcher"), state.value(QStringLiteral("run_launcher")) } };
    m_serverText = prettyJson(sections);
    const QJsonObject sources = state.value(QStringLiteral("sources")).toObject();
    QStringList parts;
    for (auto it = sources.begin(); it != sources.end(); ++it)
        parts << QStringLiteral("%1 from %2").arg(it.key(), it.value().toString());
    m_sourcesText = parts.join(QStringLiteral(", "));
    m_effectiveText = prettyJson(state.value(QStringLiteral("effective")));
    m_overrideFile = state.value(QStringLiteral("override_file")).toString();
    m_overrideExists = state.value(QStringLiteral("override_exists")).toBool();
    Q_EMIT loaded();
    m_editText.clear(); // make setEditText announce the change even when the text is the same
    setEditText(m_serverText);
}

void LauncherConfigEditor::reload()
{
    if (!m_client || m_client->baseUrl().isEmpty())
        return;
    m_loading = true;
    Q_EMIT busyChanged();
    m_client->get(QStringLiteral("/api/v1/instance/launcher"), {}, this, [this](const ApiReply &r) {
        m_loading = false;
        Q_EMIT busyChanged();
        if (!r.ok()) {
            setError(
                r.status == 403
                    ? tr("only administrators can see the launcher configuration (%1)").arg(r.error.message)
                    : r.error.message);
            return;
        }
        setError({});
        apply(r.json());
    });
    m_audit->reload();
}

void LauncherConfigEditor::revert()
{
    setEditText(m_serverText);
    setError({});
}

void LauncherConfigEditor::save()
{
    QJsonObject change;
    if (!m_client || m_saving || !parseEdit(&change))
        return;
    m_checkTimer->stop();
    ++m_checkGeneration;
    m_saving = true;
    Q_EMIT busyChanged();
    m_client->send("PUT", QStringLiteral("/api/v1/instance/launcher"), change, this,
                   [this](const ApiReply &r) {
                       m_saving = false;
                       Q_EMIT busyChanged();
                       if (!r.ok()) {
                           showServerError(r);
                           setStatus({});
                           return;
                       }
                       setError({});
                       apply(r.json());
                       setStatus(tr("saved to %1").arg(m_overrideFile));
                       m_audit->reload();
                       Q_EMIT saved();
                   });
}

void LauncherConfigEditor::resetToDagsterYaml()
{
    if (!m_client || m_saving)
        return;
    m_saving = true;
    Q_EMIT busyChanged();
    m_client->send("DELETE", QStringLiteral("/api/v1/instance/launcher"), QJsonValue(), this,
                   [this](const ApiReply &r) {
                       m_saving = false;
                       Q_EMIT busyChanged();
                       if (!r.ok()) {
                           setError(r.error.message);
                           return;
                       }
                       setError({});
                       apply(r.json());
                       setStatus(tr("override removed: dagster.yaml applies"));
                       m_audit->reload();
                       Q_EMIT saved();
                   });
}

} // namespace lifdag::client
