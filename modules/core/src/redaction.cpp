#include "lifdag/core/redaction.h"

#include <QMutex>
#include <QProcessEnvironment>
#include <QReadWriteLock>
#include <QRegularExpression>
#include <algorithm>

namespace lifdag::redaction {

namespace {
struct Registry
{
    QReadWriteLock lock;
    QStringList secrets; // longest first, so a secret containing another is masked whole
};

Registry &registry()
{
    static Registry r;
    return r;
}
} // namespace

bool isSecretName(QStringView name)
{
    // An adapter's endpoint (…__CREDENTIALS__HOST / SCHEME / PORT) is configuration that error
    // messages must be able to name ("GET http://host/… answered 401"); other credentials are secrets.
    static const QStringList endpointKeys { QStringLiteral("__CREDENTIALS__HOST"),
                                            QStringLiteral("__CREDENTIALS__SCHEME"),
                                            QStringLiteral("__CREDENTIALS__PORT") };
    for (const QString &key : endpointKeys) {
        if (name.endsWith(key, Qt::CaseInsensitive))
            return false;
    }
    static const QStringList markers { QStringLiteral("__CREDENTIALS__"), QStringLiteral("PASSWORD"),
                                       QStringLiteral("TOKEN"),           QStringLiteral("SECRET"),
                                       QStringLiteral("API_KEY"),         QStringLiteral("PASSWD") };
    for (const QString &marker : markers) {
        if (name.contains(marker, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void addSecret(const QString &value)
{
    const QString v = value.trimmed();
    if (v.size() < 4)
        return;
    Registry &r = registry();
    QWriteLocker locker(&r.lock);
    if (r.secrets.contains(v))
        return;
    r.secrets.append(v);
    std::sort(r.secrets.begin(), r.secrets.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

void addSecretsFromEnvironment()
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        if (isSecretName(key))
            addSecret(env.value(key));
    }
}

QString redact(const QString &text)
{
    QString out = text;
    {
        Registry &r = registry();
        QReadLocker locker(&r.lock);
        for (const QString &secret : std::as_const(r.secrets)) {
            if (out.contains(secret))
                out.replace(secret, kMask);
        }
    }
    // user:password@ in URLs (postgresql://, http://) even when the password was never registered.
    if (out.contains(QLatin1Char('@')) && out.contains(QLatin1StringView("://"))) {
        static const QRegularExpression userInfo(
            QStringLiteral(R"(([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]+):([^@\s/]+)@)"));
        out.replace(userInfo, QStringLiteral("\\1:***@"));
    }
    return out;
}

void clearForTesting()
{
    Registry &r = registry();
    QWriteLocker locker(&r.lock);
    r.secrets.clear();
}

} // namespace lifdag::redaction
