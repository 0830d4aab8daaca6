#include "testsupport.h"

#include <QFile>
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

} // namespace lifdag::test
