#include "lifdag/core/logging.h"

#include "lifdag/core/redaction.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <cstdio>

Q_LOGGING_CATEGORY(lcCore, "lifdag.core")

namespace lifdag::logging {

namespace {
Format g_format = Format::Text;
QMutex g_writeMutex;

QLatin1StringView levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return QLatin1StringView("debug");
    case QtInfoMsg:
        return QLatin1StringView("info");
    case QtWarningMsg:
        return QLatin1StringView("warning");
    case QtCriticalMsg:
        return QLatin1StringView("error");
    case QtFatalMsg:
        return QLatin1StringView("fatal");
    }
    return QLatin1StringView("info");
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray line = formatRecord(g_format, type, context.category, message).toUtf8();
    QMutexLocker locker(&g_writeMutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}
} // namespace

bool isValidLevel(const QString &level)
{
    static const QStringList levels { QStringLiteral("debug"), QStringLiteral("info"),
                                      QStringLiteral("warning"), QStringLiteral("error"),
                                      QStringLiteral("critical") };
    return levels.contains(level.toLower());
}

bool parseFormat(const QString &text, Format *format)
{
    if (text.compare(QLatin1StringView("text"), Qt::CaseInsensitive) == 0) {
        *format = Format::Text;
        return true;
    }
    if (text.compare(QLatin1StringView("json"), Qt::CaseInsensitive) == 0) {
        *format = Format::Json;
        return true;
    }
    return false;
}

QString formatRecord(Format format, QtMsgType type, const char *category, const QString &message)
{
    const QString safe = redaction::redact(message);
    const QString ts = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString cat = category ? QString::fromLatin1(category) : QStringLiteral("default");
    if (format == Format::Json) {
        QJsonObject o;
        o.insert(QLatin1StringView("ts"), ts);
        o.insert(QLatin1StringView("level"), QString(levelName(type)));
        o.insert(QLatin1StringView("category"), cat);
        o.insert(QLatin1StringView("msg"), safe);
        return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    }
    return ts + QLatin1Char(' ') + QString(levelName(type)).toUpper() + QLatin1Char(' ') + cat
        + QLatin1StringView(": ") + safe;
}

void install(const Options &options)
{
    g_format = options.format;
    redaction::addSecretsFromEnvironment();
    const QString level = options.level.toLower();
    QString rules = QStringLiteral("lifdag.*.debug=false\n");
    if (level == QLatin1StringView("debug"))
        rules = QStringLiteral("lifdag.*.debug=true\n");
    if (level == QLatin1StringView("warning") || level == QLatin1StringView("error")
        || level == QLatin1StringView("critical"))
        rules += QStringLiteral("lifdag.*.info=false\n");
    if (level == QLatin1StringView("error") || level == QLatin1StringView("critical"))
        rules += QStringLiteral("lifdag.*.warning=false\n");
    QLoggingCategory::setFilterRules(rules);
    qInstallMessageHandler(handler);
}

} // namespace lifdag::logging
