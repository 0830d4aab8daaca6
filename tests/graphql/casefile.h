// Reads tests/graphql/data/*.cases: "### name", the document, then one "!!! message" line per
// expected error (graphql-js's messages).
#pragma once

#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

struct GraphqlCase
{
    QString name;
    QString document;
    QStringList errors;
};

inline QList<GraphqlCase> readGraphqlCases(const QString &path)
{
    QList<GraphqlCase> out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1StringView("### "))) {
            out.append(GraphqlCase { line.mid(4).trimmed(), {}, {} });
        } else if (out.isEmpty()) {
            continue;
        } else if (line.startsWith(QLatin1StringView("!!! "))) {
            out.last().errors.append(line.mid(4));
        } else {
            GraphqlCase &c = out.last();
            if (!c.document.isEmpty() || !line.isEmpty())
                c.document += (c.document.isEmpty() ? QString() : QStringLiteral("\n")) + line;
        }
    }
    for (GraphqlCase &c : out)
        while (c.document.endsWith(QLatin1Char('\n')))
            c.document.chop(1);
    return out;
}
