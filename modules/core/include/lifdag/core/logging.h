// Process-wide logging set-up: level, text or JSON-lines output, and credential redaction.
#pragma once

#include <QLoggingCategory>
#include <QString>

Q_DECLARE_LOGGING_CATEGORY(lcCore)

namespace lifdag::logging {

enum class Format { Text, Json };

struct Options
{
    QString level = QStringLiteral("info"); // debug | info | warning | error | critical
    Format format = Format::Text;
};

// Parses "--log-level"; returns false for an unknown level name.
bool isValidLevel(const QString &level);
bool parseFormat(const QString &text, Format *format);

// Installs the message handler (stderr; every line passes through the redactor) and the
// category filter rules for `level`. QT_LOGGING_RULES still refines them.
void install(const Options &options);

// Formats one record the way the installed handler writes it (used by tests).
QString formatRecord(Format format, QtMsgType type, const char *category, const QString &message);

} // namespace lifdag::logging
