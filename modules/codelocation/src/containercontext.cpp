#include "lifdag/codelocation/containercontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

namespace lifdag::codelocation {

Result<ContainerContext> parseContainerContext(const QString &json)
{
    if (json.trimmed().isEmpty())
        return ContainerContext {};
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return Error {
            QStringLiteral("codelocation.container_context"),
            QStringLiteral(
                "--container-context: expected a JSON object like {\"env_vars\": [\"NAME=value\"]}, "
                "got invalid JSON at offset %1 (%2)")
                .arg(perr.offset)
                .arg(perr.errorString())
        };
    ContainerContext ctx;
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() != QLatin1StringView("env_vars") && it.key() != QLatin1StringView("docker"))
            return Error {
                QStringLiteral("codelocation.container_context"),
                QStringLiteral("--container-context: unknown key \"%1\" (expected env_vars)").arg(it.key())
            };
    }
    QJsonArray vars = o.value(QLatin1StringView("env_vars")).toArray();
    // Dagster also accepts {"docker": {"env_vars": [...]}}.
    const QJsonArray dockerVars =
        o.value(QLatin1StringView("docker")).toObject().value(QLatin1StringView("env_vars")).toArray();
    for (const QJsonValue &v : dockerVars)
        vars.append(v);
    int i = 0;
    for (const QJsonValue &v : std::as_const(vars)) {
        if (!v.isString() || v.toString().isEmpty() || v.toString().startsWith(QLatin1Char('=')))
            return Error { QStringLiteral("codelocation.container_context"),
                           QStringLiteral(
                               "--container-context: env_vars[%1]: expected \"NAME=value\" or \"NAME\"")
                               .arg(i) };
        ctx.envVars.append(v.toString());
        ++i;
    }
    return ctx;
}

const QStringList &passthroughPrefixes()
{
    static const QStringList prefixes { QStringLiteral("ADAPTERS__"), QStringLiteral("LIF_"),
                                        QStringLiteral("USER_CODE_") };
    return prefixes;
}

QStringList runEnvironment(const QProcessEnvironment &base, const ContainerContext &context)
{
    QMap<QString, QString> vars;
    const QStringList keys = base.keys();
    for (const QString &key : keys) {
        for (const QString &prefix : passthroughPrefixes()) {
            if (key.startsWith(prefix)) {
                vars.insert(key, base.value(key));
                break;
            }
        }
    }
    for (const QString &entry : context.envVars) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq < 0) {
            if (base.contains(entry))
                vars.insert(entry, base.value(entry));
        } else {
            vars.insert(entry.left(eq), entry.mid(eq + 1));
        }
    }
    QStringList out;
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        out.append(it.key() + QLatin1Char('=') + it.value());
    return out;
}

QProcessEnvironment workerEnvironment(const QProcessEnvironment &base, const ContainerContext &context)
{
    QProcessEnvironment env = base;
    for (const QString &entry : runEnvironment(base, context)) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        env.insert(entry.left(eq), entry.mid(eq + 1));
    }
    return env;
}

} // namespace lifdag::codelocation
