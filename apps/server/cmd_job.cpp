// `lifdag job launch JOB`: submit a run from the shell, optionally following it to the end.
#include "cli.h"

#include <lifdag/config/instanceconfig.h>
#include <lifdag/instance/instance.h>
#include <lifdag/launcher/launcher.h>

#include <QFile>
#include <QJsonDocument>
#include <QThread>
#include <yaml-cpp/yaml.h>

namespace lifdag::cli {

namespace {

QJsonValue yamlToJson(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        QJsonObject o;
        for (const auto &kv : node)
            o.insert(QString::fromStdString(kv.first.as<std::string>()), yamlToJson(kv.second));
        return o;
    }
    case YAML::NodeType::Sequence: {
        QJsonArray a;
        for (const auto &item : node)
            a.append(yamlToJson(item));
        return a;
    }
    case YAML::NodeType::Scalar: {
        const std::string s = node.Scalar();
        if (node.Tag() != "!") { // unquoted: YAML 1.2 core types
            if (s == "true" || s == "false")
                return s == "true";
            if (s == "null" || s == "~")
                return QJsonValue::Null;
            bool ok = false;
            const qlonglong i = QString::fromStdString(s).toLongLong(&ok);
            if (ok)
                return i;
            const double d = QString::fromStdString(s).toDouble(&ok);
            if (ok)
                return d;
        }
        return QString::fromStdString(s);
    }
    default:
        return QJsonValue::Null;
    }
}

// A run config file: JSON, or YAML (Dagster's usual form).
Result<QJsonObject> readRunConfig(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error { QStringLiteral("cli.io"),
                       QStringLiteral("%1: cannot read: %2").arg(path, f.errorString()) };
    const QByteArray text = f.readAll();
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &perr);
    if (perr.error == QJsonParseError::NoError) {
        if (!doc.isObject())
            return Error { QStringLiteral("cli.config"),
                           QStringLiteral("%1: expected a JSON object").arg(path) };
        return doc.object();
    }
    try {
        const YAML::Node node = YAML::Load(text.toStdString());
        if (node.IsNull())
            return QJsonObject {};
        if (!node.IsMap())
            return Error { QStringLiteral("cli.config"),
                           QStringLiteral("%1: expected a mapping at the top").arg(path) };
        return yamlToJson(node).toObject();
    } catch (const YAML::ParserException &e) {
        return Error { QStringLiteral("cli.config"),
                       QStringLiteral("%1:%2:%3: invalid YAML: %4")
                           .arg(path)
                           .arg(e.mark.line + 1)
                           .arg(e.mark.column + 1)
                           .arg(QString::fromStdString(e.msg)) };
    }
}

void printEvent(const Event &e)
{
    QString line = e.timestamp.toString(QStringLiteral("HH:mm:ss.zzz")) + QLatin1Char(' ')
        + e.eventType.leftJustified(18);
    if (!e.stepKey.isEmpty())
        line += QLatin1Char(' ') + e.stepKey;
    if (!e.message.isEmpty())
        line += QStringLiteral(" - ") + e.message;
    out(line);
}

// Streams the run's events as they are stored until the run ends; returns its final status.
Result<RunStatus> follow(instance::Instance &instance, const QString &runId)
{
    qint64 cursor = 0;
    while (true) {
        const auto run = instance.storage().runs().run(runId);
        if (!run)
            return run.error();
        const auto events = instance.storage().events().events(runId, cursor, 1000);
        if (!events)
            return events.error();
        for (const Event &e : *events) {
            printEvent(e);
            cursor = e.storageId;
        }
        if (run->has_value() && isTerminal((*run)->status) && events->size() < 1000) {
            // One more read: events stored between the two queries above.
            const auto tail = instance.storage().events().events(runId, cursor, 100000);
            if (tail)
                for (const Event &e : *tail)
                    printEvent(e);
            return (*run)->status;
        }
        if (events->isEmpty())
            QThread::msleep(20);
    }
}

} // namespace

int runJob(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("launch"), QStringLiteral("Launch a run of JOB."));
    parser.addPositionalArgument(QStringLiteral("job"), QStringLiteral("Job name."));
    parser.addOption({ { QStringLiteral("c"), QStringLiteral("config") },
                       QStringLiteral("Run config file (YAML or JSON)."),
                       QStringLiteral("file") });
    parser.addOption({ QStringLiteral("tag"), QStringLiteral("A run tag key=value (repeatable)."),
                       QStringLiteral("k=v") });
    parser.addOption({ QStringLiteral("location"),
                       QStringLiteral("Code location name (default: the only one)."),
                       QStringLiteral("name") });
    parser.addOption({ QStringLiteral("home"), QStringLiteral("Instance directory (default: $DAGSTER_HOME)."),
                       QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("wait"),
                       QStringLiteral("Stream the run's events and exit 0 on SUCCESS, 1 otherwise.") });
    if (!parse(parser, args, QStringLiteral("Launch a job from the shell.")))
        return 2;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 2 || pos[0] != QLatin1StringView("launch"))
        return fail(QStringLiteral("expected: lifdag job launch JOB [options]"), 2);
    const QString home =
        parser.isSet(QStringLiteral("home")) ? parser.value(QStringLiteral("home")) : config::dagsterHome();
    if (home.isEmpty())
        return fail(QStringLiteral("DAGSTER_HOME is not set; pass --home DIR"), 2);

    launcher::SubmitRequest request;
    request.jobName = pos[1];
    request.locationName = parser.value(QStringLiteral("location"));
    if (parser.isSet(QStringLiteral("config"))) {
        auto cfg = readRunConfig(parser.value(QStringLiteral("config")));
        if (!cfg)
            return fail(cfg.error().message, 2);
        request.runConfig = *cfg;
    }
    for (const QString &tag : parser.values(QStringLiteral("tag"))) {
        const qsizetype eq = tag.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(QStringLiteral("--tag \"%1\": expected key=value").arg(tag), 2);
        request.tags.insert(tag.left(eq), tag.mid(eq + 1));
    }

    auto instance = instance::Instance::open(home);
    if (!instance)
        return fail(instance.error().message);
    const auto outcome = launcher::submitRun(**instance, request);
    if (!outcome)
        return fail(outcome.error().message);
    if (!outcome->violations.isEmpty()) {
        std::fprintf(stderr, "lifdag: invalid run config for %s:\n", qPrintable(request.jobName));
        for (const codelocation::Violation &v : outcome->violations)
            std::fprintf(stderr, "  %s: %s (%s)\n",
                         qPrintable(v.path.isEmpty() ? QStringLiteral("<root>") : v.path),
                         qPrintable(v.message), qPrintable(v.reason));
        return 1;
    }
    out(outcome->run->runId);
    if (outcome->run->status == RunStatus::Queued)
        std::fprintf(
            stderr,
            "lifdag: run queued (QueuedRunCoordinator): the daemon (`lifdag daemon run`) launches it\n");
    if (!parser.isSet(QStringLiteral("wait")))
        return 0;
    const auto status = follow(**instance, outcome->run->runId);
    if (!status)
        return fail(status.error().message);
    out(QStringLiteral("run %1 %2").arg(outcome->run->runId, runStatusName(*status)));
    return *status == RunStatus::Success ? 0 : 1;
}

} // namespace lifdag::cli
