// Keeps credentials (passwords, tokens, `…__CREDENTIALS__…` values) out of logs, events and API answers.
#pragma once

#include <QString>
#include <QStringList>

namespace lifdag::redaction {

inline constexpr QLatin1StringView kMask("***");

// True for environment variable names whose values are secrets:
// ADAPTERS__…__CREDENTIALS__… (except the endpoint keys HOST, SCHEME and PORT), *PASSWORD*,
// *TOKEN*, *SECRET*, *API_KEY*.
bool isSecretName(QStringView name);

// Registers a secret value; every later redact() replaces it with "***". Values shorter than
// 4 characters are ignored (they would mask ordinary words). Thread-safe.
void addSecret(const QString &value);

// Registers the values of every secret-named variable in the current environment.
void addSecretsFromEnvironment();

// Replaces every registered secret in `text`, and the password part of URLs like
// postgresql://user:password@host, with "***".
QString redact(const QString &text);

// Clears the registry (tests only).
void clearForTesting();

} // namespace lifdag::redaction
