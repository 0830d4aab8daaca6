#include "cli.h"

#include <lifdag/core/logging.h>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>

namespace lifdag::cli {

void addCommonOptions(QCommandLineParser &parser)
{
    parser.addOption({ QStringLiteral("log-level"),
                       QStringLiteral("Log level: debug, info, warning, error, critical (default info)."),
                       QStringLiteral("level"), QStringLiteral("info") });
    parser.addOption({ QStringLiteral("log-format"),
                       QStringLiteral("Log line format on stderr: text or json (JSON lines for containers)."),
                       QStringLiteral("format"), QStringLiteral("text") });
}

bool applyCommonOptions(const QCommandLineParser &parser)
{
    logging::Options options;
    options.level = parser.value(QStringLiteral("log-level"));
    if (!logging::isValidLevel(options.level)) {
        fail(QStringLiteral("unknown --log-level \"%1\" (expected debug, info, warning, error or critical)")
                 .arg(options.level));
        return false;
    }
    if (!logging::parseFormat(parser.value(QStringLiteral("log-format")), &options.format)) {
        fail(QStringLiteral("unknown --log-format \"%1\" (expected text or json)")
                 .arg(parser.value(QStringLiteral("log-format"))));
        return false;
    }
    logging::install(options);
    return true;
}

bool parse(QCommandLineParser &parser, const QStringList &args, const QString &description)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption help = parser.addHelpOption();
    addCommonOptions(parser);
    if (!parser.parse(args)) {
        fail(parser.errorText(), 2);
        return false;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        std::exit(0);
    }
    return applyCommonOptions(parser);
}

void onTerminationSignal(std::function<void(int signal)> onSignal)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set, onSignal = std::move(onSignal)]() mutable {
        int sig = 0;
        while (sigwait(&set, &sig) == 0)
            onSignal(sig);
    }).detach();
}

int fail(const QString &message, int code)
{
    std::fprintf(stderr, "lifdag: %s\n", qPrintable(message));
    std::fflush(stderr);
    return code;
}

void out(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

bool workerZygoteEnabled()
{
    return qEnvironmentVariable("LIFDAG_WORKER_ZYGOTE") != QLatin1StringView("0");
}

} // namespace lifdag::cli
