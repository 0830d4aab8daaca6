// `lifdag token create|list|revoke`: the webserver's API tokens (stored as salted hashes).
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>
#include <lifdag/webserver/auth.h>

#include <QHostInfo>
#include <cstdio>

namespace lifdag::cli {

int runToken(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("create: make a token and print it once; list; revoke ID"));
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The token id (revoke)."),
                                 QStringLiteral("[id]"));
    parser.addOption({ QStringLiteral("role"), QStringLiteral("viewer, launcher or admin (create)."),
                       QStringLiteral("role") });
    parser.addOption({ QStringLiteral("name"),
                       QStringLiteral("What the token is for (create; default: cli)."),
                       QStringLiteral("name"), QStringLiteral("cli") });
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    if (!parse(parser, args,
               QStringLiteral("API tokens for the webserver (authentication is on when dagster.yaml has "
                              "lifdag: {auth: {enabled: true}}).")))
        return 2;
    const QStringList pos = parser.positionalArguments();
    const QString action = pos.value(0);
    if (action != QLatin1StringView("create") && action != QLatin1StringView("list")
        && action != QLatin1StringView("revoke"))
        return fail(
            QStringLiteral("expected: lifdag token create --role ROLE | token list | token revoke ID"), 2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);
    const auto instance = instance::Instance::open(home);
    if (!instance)
        return fail(instance.error().message);
    storage::AdminStorage &admin = (*instance)->storage().admin();

    if (action == QLatin1StringView("create")) {
        const auto role = webserver::roleFromName(parser.value(QStringLiteral("role")));
        if (!role)
            return fail(QStringLiteral("--role: expected viewer, launcher or admin"), 2);
        const QString by =
            QStringLiteral("cli:%1@%2")
                .arg(qEnvironmentVariable("USER", QStringLiteral("?")), QHostInfo::localHostName());
        const auto created =
            webserver::createToken((*instance)->storage(), *role, parser.value(QStringLiteral("name")), by);
        if (!created)
            return fail(created.error().message);
        // The token on stdout (alone, for scripts); what it is on stderr. It is not shown again.
        out(created->token);
        std::fprintf(stderr, "token %s (%s, role %s) created; store it now: only its hash is kept\n",
                     qPrintable(created->record.id), qPrintable(created->record.name),
                     qPrintable(created->record.role));
        return 0;
    }
    if (action == QLatin1StringView("list")) {
        const auto tokens = admin.tokens();
        if (!tokens)
            return fail(tokens.error().message);
        for (const storage::ApiToken &t : *tokens)
            out(QStringLiteral("%1  %2  %3  created %4 by %5%6")
                    .arg(t.id, t.role.leftJustified(8), t.name, t.createdAt.toString(Qt::ISODate),
                         t.createdBy,
                         t.revokedAt.isValid()
                             ? QStringLiteral("  REVOKED ") + t.revokedAt.toString(Qt::ISODate)
                             : QString()));
        return 0;
    }
    if (pos.size() != 2)
        return fail(QStringLiteral("expected: lifdag token revoke ID"), 2);
    const auto revoked = webserver::revokeToken((*instance)->storage(), pos[1]);
    if (!revoked)
        return fail(revoked.error().message);
    if (!*revoked)
        return fail(QStringLiteral("no valid token with id %1").arg(pos[1]));
    out(QStringLiteral("token %1 revoked").arg(pos[1]));
    return 0;
}

} // namespace lifdag::cli
