#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace lifdag::test {

PgServer pgServer()
{
    PgServer s;
    const QString path = qEnvironmentVariable("LIFDAG_TEST_PG_ENV");
    if (path.isEmpty()) {
        s.error =
            QStringLiteral("LIFDAG_TEST_PG_ENV is not set: run this test through ctest (fixture `postgres`)");
        return s;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        s.error =
            QStringLiteral("no PostgreSQL test server: %1 is missing (the postgres_start fixture failed "
                           "or did not run; see its output)")
                .arg(path);
        return s;
    }
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue;
        const QString key = line.left(eq);
        const QString value = line.mid(eq + 1);
        if (key == QLatin1StringView("LIFDAG_TEST_PG_HOST"))
            s.host = value;
        else if (key == QLatin1StringView("LIFDAG_TEST_PG_PORT"))
            s.port = value.toInt();
        else if (key == QLatin1StringView("LIFDAG_TEST_PG_USER"))
            s.user = value;
        else if (key == QLatin1StringView("LIFDAG_TEST_PG_PASSWORD"))
            s.password = value;
        else if (key == QLatin1StringView("LIFDAG_TEST_PG_DB"))
            s.database = value;
    }
    if (s.host.isEmpty() || s.port <= 0 || s.database.isEmpty())
        s.error = QStringLiteral("incomplete PostgreSQL connection file %1").arg(path);
    return s;
}

QString pgAdmin(const PgServer &server, const QString &sql)
{
    const QString name = QStringLiteral("lifdag-test-admin");
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(server.host);
        db.setPort(server.port);
        db.setUserName(server.user);
        db.setPassword(server.password);
        db.setDatabaseName(server.database);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            if (!q.exec(sql))
                error = q.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

QString lifdagExecutable()
{
    return QStringLiteral(LIFDAG_BINARY_DIR "/bin/lifdag");
}

int startLifdagServer(QProcess &process, const QStringList &args, QString *error, int timeoutMs)
{
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(lifdagExecutable(), args);
    if (!process.waitForStarted(timeoutMs)) {
        *error = QStringLiteral("%1 did not start: %2").arg(lifdagExecutable(), process.errorString());
        return 0;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (?:https?://)?[^\\s:]+:(\\d+)"));
    QString output;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && process.state() == QProcess::Running) {
        process.waitForReadyRead(100);
        output += QString::fromUtf8(process.readAllStandardOutput());
        const auto m = listening.match(output);
        if (m.hasMatch())
            return m.captured(1).toInt();
    }
    *error = QStringLiteral("`lifdag %1` printed no \"listening on\" line within %2 ms; stdout: %3 stderr: %4")
                 .arg(args.join(QLatin1Char(' ')))
                 .arg(timeoutMs)
                 .arg(output, QString::fromUtf8(process.readAllStandardError()));
    return 0;
}

QString postgresInstanceYaml(const PgServer &server, const QString &database, const QString &passwordEnv)
{
    return QStringLiteral("storage:\n  postgres:\n    postgres_db:\n      hostname: %1\n      port: %2\n"
                          "      username: %3\n      password: {env: %4}\n      db_name: %5\n")
        .arg(server.host)
        .arg(server.port)
        .arg(server.user, passwordEnv, database);
}

QString grpcWorkspaceYaml(int port, const QString &locationName)
{
    return QStringLiteral("load_from:\n  - grpc_server: {host: 127.0.0.1, port: %1, location_name: %2}\n")
        .arg(port)
        .arg(locationName);
}

bool writeTextFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

} // namespace lifdag::test
