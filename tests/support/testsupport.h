// Helpers shared by the test suites: the throwaway PostgreSQL server's coordinates, temp homes.
#pragma once

#include <QString>

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

} // namespace lifdag::test
