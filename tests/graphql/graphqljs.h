// Runs tests/graphql/js/check.cjs: graphql-js judges a schema's introspection result, its printed
// SDL and a set of documents. Shared by the engine's and the Dagster API's conformance tests.
#pragma once

#include "casefile.h"

#include <lifdag/graphql/graphql.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTemporaryDir>

struct GraphqlJsReport
{
    QString failure; // set when graphql-js could not run at all
    QJsonObject output; // check.cjs's answer
    QString sdl; // lifdag's printSdl()
};

inline QByteArray runNode(const QStringList &args, QString *failure)
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty()) {
        *failure = QStringLiteral("node is not installed (needed to run graphql-js)");
        return {};
    }
    const QString dir = qEnvironmentVariable("GRAPHQL_JS_DIR");
    if (dir.isEmpty()) {
        *failure = QStringLiteral("GRAPHQL_JS_DIR is not set (ctest sets it; run through ctest)");
        return {};
    }
    QProcess p;
    p.setProgram(node);
    p.setArguments(QStringList { QStringLiteral(LIFDAG_SOURCE_DIR "/tests/graphql/js/check.cjs") } + args);
    p.start();
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
        *failure = QStringLiteral("node check.cjs %1 failed: %2")
                       .arg(args.join(QLatin1Char(' ')), QString::fromUtf8(p.readAllStandardError()));
        return {};
    }
    return p.readAllStandardOutput();
}

inline GraphqlJsReport checkWithGraphqlJs(const lifdag::graphql::Schema &schema,
                                          const QList<GraphqlCase> &documents)
{
    using namespace lifdag::graphql;
    GraphqlJsReport report;
    const QByteArray queriesText = runNode({ QStringLiteral("queries") }, &report.failure);
    if (!report.failure.isEmpty())
        return report;
    const QJsonObject queries = QJsonDocument::fromJson(queriesText).object();
    auto introspect = [&](const QString &query) -> QJsonValue {
        Request request;
        request.query = query;
        Limits limits;
        Engine engine(schema, limits);
        const ExecutionResult result = engine.run(request);
        if (!result.errors.isEmpty())
            report.failure = QStringLiteral("introspection failed: ") + result.errors.first().message;
        return result.data();
    };
    QJsonObject input;
    input.insert(QStringLiteral("introspectionFull"),
                 introspect(queries.value(QLatin1StringView("full")).toString()));
    input.insert(QStringLiteral("introspectionDefault"),
                 introspect(queries.value(QLatin1StringView("default")).toString()));
    if (!report.failure.isEmpty())
        return report;
    report.sdl = schema.printSdl();
    input.insert(QStringLiteral("sdl"), report.sdl);
    QJsonArray docs;
    for (const GraphqlCase &c : documents)
        docs.append(
            QJsonObject { { QStringLiteral("name"), c.name }, { QStringLiteral("query"), c.document } });
    input.insert(QStringLiteral("documents"), docs);
    QTemporaryDir tmp;
    const QString inputPath = tmp.filePath(QStringLiteral("input.json"));
    QFile f(inputPath);
    if (!f.open(QIODevice::WriteOnly)) {
        report.failure = QStringLiteral("cannot write ") + inputPath;
        return report;
    }
    f.write(QJsonDocument(input).toJson(QJsonDocument::Compact));
    f.close();
    const QByteArray out = runNode({ QStringLiteral("check"), inputPath }, &report.failure);
    if (report.failure.isEmpty())
        report.output = QJsonDocument::fromJson(out).object();
    return report;
}

// lifdag's verdict on each document: its parse or validation messages.
inline QStringList lifdagMessages(const lifdag::graphql::Schema &schema, const QString &document)
{
    using namespace lifdag::graphql;
    QStringList messages;
    const Document doc = Document::parse(document);
    if (doc.isNull()) {
        messages.append(doc.error().message);
        return messages;
    }
    Limits limits;
    limits.maxDepth = 0;
    limits.maxComplexity = 0;
    for (const GraphQLError &e : validate(schema, doc, limits))
        messages.append(e.message);
    return messages;
}
