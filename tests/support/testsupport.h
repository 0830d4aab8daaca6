// Helpers shared by the test suites: the throwaway PostgreSQL server's coordinates, temp homes.
#pragma once

#include <QString>
#include <QStringList>

class QProcess;

namespace lifdag::test {

struct PgServer
{
    QString host;
    int port = 0;
    QString user;
    QString password;
    QString database;
    QString error; // non-empty when the fixture's connection file is missing or incomplete
    bool ok() const { return error.isEmpty(); }
};

// Reads the connection file the `postgres` ctest fixture (scripts/testpg.sh) writes; its path is in
// LIFDAG_TEST_PG_ENV. Tests must fail (not skip) when this is not ok().
PgServer pgServer();

// Runs one SQL statement as the server's superuser on its default database (CREATE/DROP DATABASE…);
// returns the error text, empty on success.
QString pgAdmin(const PgServer &server, const QString &sql);

// Path of the built `lifdag` executable.
QString lifdagExecutable();

// Starts `lifdag <args>` in `process` (its environment as set by the caller) - a code server,
// example source, webserver… started with `-p 0` - and waits for the line it prints once
// listening ("… listening on [http://]HOST:PORT"). Returns the port, or 0 with `error` set
// (including what the process wrote to stderr).
int startLifdagServer(QProcess &process, const QStringList &args, QString *error, int timeoutMs = 15000);

// dagster.yaml text for an instance whose storage is `database` on the test server; the password
// is read from the environment variable `passwordEnv` ({env: …}), which the caller sets.
QString postgresInstanceYaml(const PgServer &server, const QString &database, const QString &passwordEnv);

// workspace.yaml text with one gRPC code location.
QString grpcWorkspaceYaml(int port, const QString &locationName);

// Writes `text` to `path`; false when the file cannot be written.
bool writeTextFile(const QString &path, const QByteArray &text);

} // namespace lifdag::test
