#include <lifdag/adapters/credentials.h>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

namespace {
QString envId(QString id)
{
    return id.replace(u'-', u'_').toUpper();
}
} // namespace

QString credentialVariableName(const QString &adapterId, const QString &informationSourceId,
                               const QString &key)
{
    // As LIF's get_credentials_for_adapter: ids get '-' → '_' and upper case, the key upper case only.
    return u"ADAPTERS__"_s + envId(adapterId) + u"__"_s + envId(informationSourceId) + u"__CREDENTIALS__"_s
        + key.toUpper();
}

CredentialLookup lookupCredentials(const QString &adapterId, const QString &informationSourceId,
                                   const QStringList &keys, const QProcessEnvironment &environment)
{
    CredentialLookup out;
    for (const QString &key : keys) {
        const QString name = credentialVariableName(adapterId, informationSourceId, key);
        const QString value = environment.value(name);
        if (!value.isEmpty()) {
            out.credentials.insert(key, value.trimmed());
            continue;
        }
        out.missingVariables.append(name);
        out.warnings.append(u"Missing expected credential key '"_s + key + u"' for adapter '"_s + adapterId
                            + u"' and source '"_s + informationSourceId + u"' (set "_s + name + u")"_s);
    }
    return out;
}

} // namespace lifdag::adapters
