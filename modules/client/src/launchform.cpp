#include "lifdag/client/launchform.h"

#include "format_p.h"
#include "lifdag/client/textutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace lifdag::client {

LaunchForm::LaunchForm(QObject *parent)
    : QObject(parent)
    , m_violations(new RowListModel(
          { "path", "reason", "message", "line", "column", "offset", "length", "exact" }, this))
    , m_checkTimer(new QTimer(this))
{
    // Typing pauses for a moment before the code location is asked.
    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(400);
    connect(m_checkTimer, &QTimer::timeout, this, &LaunchForm::check);
}

void LaunchForm::setAutoCheck(bool on)
{
    if (on == m_autoCheck)
        return;
    m_autoCheck = on;
    Q_EMIT checkChanged();
}

void LaunchForm::check()
{
    m_checkTimer->stop();
    if (!m_client || m_jobName.isEmpty() || m_locationName.isEmpty() || !validateLocally())
        return;
    const QString text = m_configText.trimmed().isEmpty() ? QStringLiteral("{}") : m_configText;
    const quint64 generation = ++m_checkGeneration;
    m_checking = true;
    Q_EMIT checkChanged();
    m_client->send(
        "POST",
        QStringLiteral("/api/v1/locations/%1/jobs/%2/validate")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_locationName)),
                 QString::fromLatin1(QUrl::toPercentEncoding(m_jobName))),
        QJsonObject { { QStringLiteral("runConfig"), QJsonDocument::fromJson(text.toUtf8()).object() } },
        this, [this, generation](const ApiReply &r) {
            if (generation != m_checkGeneration)
                return; // the text changed meanwhile
            m_checking = false;
            if (!r.ok()) {
                m_checkedValid = false;
                setError(r.error.message);
                Q_EMIT checkChanged();
                return;
            }
            const QJsonObject answer = r.json();
            m_checkedValid = answer.value(QStringLiteral("valid")).toBool();
            const QJsonArray violations = answer.value(QStringLiteral("violations")).toArray();
            showViolations(violations);
            setError(m_checkedValid ? QString()
                         : violations.size() == 1
                         ? tr("the run config has 1 error")
                         : tr("the run config has %1 errors").arg(violations.size()));
            Q_EMIT checkChanged();
        });
}

void LaunchForm::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    m_client = client;
    Q_EMIT clientChanged();
}

void LaunchForm::setJobName(const QString &name)
{
    if (name == m_jobName)
        return;
    m_jobName = name;
    Q_EMIT jobChanged();
}

void LaunchForm::setLocationName(const QString &name)
{
    if (name == m_locationName)
        return;
    m_locationName = name;
    Q_EMIT jobChanged();
}

void LaunchForm::setConfigText(const QString &text)
{
    if (text == m_configText)
        return;
    m_configText = text;
    Q_EMIT configTextChanged();
    ++m_checkGeneration; // an answer about the old text is stale
    if (m_checkedValid || m_checking) {
        m_checkedValid = m_checking = false;
        Q_EMIT checkChanged();
    }
    if (m_autoCheck && m_client && !m_jobName.isEmpty())
        m_checkTimer->start();
}

void LaunchForm::setTagsText(const QString &text)
{
    if (text == m_tagsText)
        return;
    m_tagsText = text;
    Q_EMIT tagsTextChanged();
}

void LaunchForm::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void LaunchForm::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

void LaunchForm::loadJob()
{
    if (!m_client || m_jobName.isEmpty() || m_locationName.isEmpty())
        return;
    setBusy(true);
    const QString job = m_jobName;
    m_client->get(QStringLiteral("/api/v1/locations/%1/jobs/%2")
                      .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_locationName)),
                           QString::fromLatin1(QUrl::toPercentEncoding(m_jobName))),
                  {}, this, [this, job](const ApiReply &r) {
                      if (job != m_jobName)
                          return;
                      setBusy(false);
                      if (!r.ok()) {
                          setError(r.error.message);
                          return;
                      }
                      setError({});
                      const QJsonObject j = r.json();
                      m_description = j.value(QStringLiteral("description")).toString();
                      m_schemaText = detail::prettyJson(j.value(QStringLiteral("configSchema")));
                      const QJsonValue skeleton = j.value(QStringLiteral("configSkeleton"));
                      setConfigText(skeleton.isObject() ? detail::prettyJson(skeleton)
                                                        : QStringLiteral("{}"));
                      m_violations->clear();
                      Q_EMIT jobLoaded();
                  });
}

bool LaunchForm::parseTags(QJsonObject *tags)
{
    const QStringList lines =
        m_tagsText.split(QRegularExpression(QStringLiteral("[\\n,]")), Qt::SkipEmptyParts);
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            setError(tr("tags: \"%1\" is not key=value").arg(line));
            return false;
        }
        tags->insert(line.left(eq).trimmed(), line.mid(eq + 1).trimmed());
    }
    return true;
}

bool LaunchForm::validateLocally()
{
    m_violations->clear();
    if (m_jobName.isEmpty()) {
        setError(tr("choose a job"));
        return false;
    }
    const QString text = m_configText.trimmed().isEmpty() ? QStringLiteral("{}") : m_configText;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        // The parser's offset is in UTF-8 bytes; the editor counts characters.
        const int offset = int(QString::fromUtf8(text.toUtf8().left(error.offset)).size());
        int line = 1;
        int column = 1;
        lineAndColumn(text, offset, &line, &column);
        const QString message = error.error != QJsonParseError::NoError
            ? tr("not JSON: %1").arg(error.errorString())
            : tr("the run config must be a JSON object");
        m_violations->setRows({ { { QStringLiteral("path"), QStringLiteral("root") },
                                  { QStringLiteral("reason"), QStringLiteral("SYNTAX") },
                                  { QStringLiteral("message"), message },
                                  { QStringLiteral("line"), line },
                                  { QStringLiteral("column"), column },
                                  { QStringLiteral("offset"), offset },
                                  { QStringLiteral("length"), 1 },
                                  { QStringLiteral("exact"), true } } });
        setError(tr("line %1, column %2: %3").arg(line).arg(column).arg(message));
        return false;
    }
    QJsonObject tags;
    if (!parseTags(&tags))
        return false;
    setError({});
    return true;
}

void LaunchForm::showViolations(const QJsonArray &violations)
{
    QList<QVariantMap> rows;
    for (const QJsonValue &v : violations) {
        const QJsonObject o = v.toObject();
        const QString path = o.value(QStringLiteral("path")).toString();
        const TextLocation loc = locateJsonPath(m_configText, path);
        rows.append({ { QStringLiteral("path"), path.isEmpty() ? QStringLiteral("root") : path },
                      { QStringLiteral("reason"), o.value(QStringLiteral("reason")).toString() },
                      { QStringLiteral("message"), o.value(QStringLiteral("message")).toString() },
                      { QStringLiteral("line"), loc.line },
                      { QStringLiteral("column"), loc.column },
                      { QStringLiteral("offset"), loc.offset },
                      { QStringLiteral("length"), loc.length },
                      { QStringLiteral("exact"), loc.exact } });
    }
    m_violations->setRows(rows);
}

void LaunchForm::launch()
{
    if (!m_client || m_busy || !validateLocally())
        return;
    QJsonObject tags;
    parseTags(&tags);
    const QString text = m_configText.trimmed().isEmpty() ? QStringLiteral("{}") : m_configText;
    QJsonObject body { { QStringLiteral("job"), m_jobName },
                       { QStringLiteral("runConfig"), QJsonDocument::fromJson(text.toUtf8()).object() } };
    if (!m_locationName.isEmpty())
        body.insert(QStringLiteral("location"), m_locationName);
    if (!tags.isEmpty())
        body.insert(QStringLiteral("tags"), tags);
    setBusy(true);
    m_client->send("POST", QStringLiteral("/api/v1/runs"), body, this, [this](const ApiReply &r) {
        setBusy(false);
        if (r.ok()) {
            setError({});
            m_violations->clear();
            Q_EMIT launched(
                r.json().value(QStringLiteral("run")).toObject().value(QStringLiteral("runId")).toString());
            return;
        }
        const QJsonArray violations = r.error.details.value(QStringLiteral("violations")).toArray();
        if (!violations.isEmpty()) {
            showViolations(violations);
            setError(violations.size() == 1 ? tr("the run config has 1 error")
                                            : tr("the run config has %1 errors").arg(violations.size()));
        } else {
            m_violations->clear();
            setError(r.error.message);
        }
    });
}

} // namespace lifdag::client
