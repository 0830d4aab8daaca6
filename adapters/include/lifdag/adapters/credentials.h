// Adapter credentials from the environment, named as LIF's Dagster code location names them:
// ADAPTERS__<ADAPTER_ID>__<INFORMATION_SOURCE_ID>__CREDENTIALS__<KEY>.
#pragma once

#include <lifdag/adapters/adapter.h>

#include <QProcessEnvironment>
#include <QStringList>

namespace lifdag::adapters {

// "ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN" for ("lif-to-lif", "org2", "token"): ids
// upper-cased with '-' → '_', the key upper-cased.
QString credentialVariableName(const QString &adapterId, const QString &informationSourceId,
                               const QString &key);

struct CredentialLookup
{
    Credentials credentials; // key → trimmed value, for every key whose variable is set and non-empty
    QStringList missingVariables; // variable names of the keys that are not set (or empty)
    // One line per missing key, naming the variable and never a value:
    // "Missing expected credential key 'token' for adapter 'lif-to-lif' and source 'org2' (set ADAPTERS__…)".
    QStringList warnings;
};

// Reads `keys` for (adapter, source) from `environment`. Values are trimmed (secrets from files and
// parameter stores often end in a newline, which is not a valid header value).
CredentialLookup
lookupCredentials(const QString &adapterId, const QString &informationSourceId, const QStringList &keys,
                  const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

} // namespace lifdag::adapters
