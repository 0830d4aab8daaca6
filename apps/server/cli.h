// Shared plumbing for `lifdag` subcommands: common options, one-line failures, the command table.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <functional>

namespace lifdag::cli {

// A subcommand: `args` starts with "lifdag <name>" so QCommandLineParser prints usage correctly.
struct Command
{
    const char *name;
    const char *summary;
    int (*run)(const QStringList &args);
};

// Adds --log-level and --log-format; call before parser.process().
void addCommonOptions(QCommandLineParser &parser);
// Validates and installs the logging options; prints a failure and returns false on bad values.
bool applyCommonOptions(const QCommandLineParser &parser);
// Parses args for a subcommand with --help; exits(0) on --help and returns false on bad options.
bool parse(QCommandLineParser &parser, const QStringList &args, const QString &description);

// Prints "lifdag: <message>" on stderr and returns `code` (for `return fail(...)`).
int fail(const QString &message, int code = 1);
// Prints one line on stdout.
void out(const QString &line);

// Blocks SIGINT/SIGTERM in every thread started afterwards and calls `onSignal` (on a dedicated
// thread) when one arrives. Call before starting any thread.
void onTerminationSignal(std::function<void(int signal)> onSignal);

// Whether code servers fork run workers from a zygote (on unless LIFDAG_WORKER_ZYGOTE=0).
bool workerZygoteEnabled();

// The commands, defined one per file in apps/server/cmd_*.cpp.
int runCodeServer(const QStringList &args);
int runDaemon(const QStringList &args);
int runDev(const QStringList &args);
int runExampleSource(const QStringList &args);
int runExecuteRun(const QStringList &args);
int runInstance(const QStringList &args);
int runJob(const QStringList &args);
int runJsonata(const QStringList &args);
int runSchedule(const QStringList &args);
int runTransform(const QStringList &args);
int runTranslator(const QStringList &args);
int runToken(const QStringList &args);
int runWebserver(const QStringList &args);

} // namespace lifdag::cli
