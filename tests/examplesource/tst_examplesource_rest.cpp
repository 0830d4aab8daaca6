// The example source's REST API over real HTTP: every endpoint of LIF's Example Data Source with
// its filters, x-key authentication, FastAPI's status codes and error shapes, and the HTTP
// connection behaviour (keep-alive, Connection: close, body/head limits, idle timeout).
#include <lifdag/examplesource/examplesourceserver.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using lifdag::examplesource::ExampleSourceOptions;
using lifdag::examplesource::ExampleSourceServer;

namespace {
const QByteArray kKey = "test-key-4711";

struct Answer
{
    int status = 0;
    QByteArray body;
    QJsonDocument json;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QHash<QByteArray, QByteArray> headers;
};

QString jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

// One entry of FastAPI's 422 "detail", members in pydantic's order.
QString validationDetail(const QString &location, const QString &name, const QString &input,
                         bool size = false)
{
    return u"{\"type\":%1,\"loc\":[%2,%3],\"msg\":%4,\"input\":%5}"_s.arg(
        jsonString(size ? u"int_parsing_size"_s : u"int_parsing"_s), jsonString(location), jsonString(name),
        jsonString(size ? u"Unable to parse input string as an integer, exceeded maximum size"_s
                        : u"Input should be a valid integer, unable to parse string as an integer"_s),
        jsonString(input));
}

QList<int> ids(const QJsonDocument &doc)
{
    QList<int> out;
    for (const QJsonValue &user : doc.object().value(u"results"_s).toArray())
        out.append(user.toObject().value(u"id"_s).toInt());
    return out;
}

// Sends raw bytes on a fresh connection and collects everything until the server closes it or
// `timeoutMs` passes (the event loop runs meanwhile: the server lives in this thread).
QByteArray rawExchange(quint16 port, const QByteArray &request, int timeoutMs = 5000, bool *closed = nullptr)
{
    QTcpSocket socket;
    QByteArray received;
    bool disconnected = false;
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&] { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [&] { disconnected = true; });
    socket.connectToHost(QHostAddress::LocalHost, port);
    QElapsedTimer timer;
    timer.start();
    while (!disconnected && timer.elapsed() < timeoutMs)
        QTest::qWait(20);
    received += socket.readAll();
    if (closed)
        *closed = disconnected;
    return received;
}
} // namespace

class TestExampleSourceRest : public QObject
{
    Q_OBJECT
    std::unique_ptr<ExampleSourceServer> m_server;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    Answer send(const QByteArray &method, const QString &path, const QByteArray &key = kKey,
                const QByteArray &body = {})
    {
        QNetworkRequest request(
            QUrl::fromEncoded("http://127.0.0.1:" + QByteArray::number(m_port) + path.toUtf8()));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        if (!key.isNull())
            request.setRawHeader("x-key", key);
        std::unique_ptr<QNetworkReply> reply(
            method == "HEAD" ? m_nam.head(request) : m_nam.sendCustomRequest(request, method, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(10000))
            return {};
        Answer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        answer.json = QJsonDocument::fromJson(answer.body);
        answer.error = reply->error();
        for (const auto &[name, value] : reply->rawHeaderPairs())
            answer.headers.insert(name.toLower(), value);
        return answer;
    }
    Answer get(const QString &path, const QByteArray &key = kKey) { return send("GET", path, key); }

private Q_SLOTS:
    void initTestCase()
    {
        ExampleSourceOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.key = QString::fromLatin1(kKey);
        options.maxBodyBytes = 4096;
        options.maxHeaderBytes = 8192;
        m_server = std::make_unique<ExampleSourceServer>(options);
        const auto status = m_server->listen();
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message));
        m_port = m_server->serverPort();
        QVERIFY(m_port != 0);
        QCOMPARE(m_server->url(), u"http://127.0.0.1:%1"_s.arg(m_port));
    }

    void healthNeedsNoKey()
    {
        for (const QByteArray &key : { QByteArray(), QByteArray("wrong"), kKey }) {
            const Answer a = get(u"/health"_s, key);
            QCOMPARE(a.status, 200);
            QCOMPARE(a.body, R"({"status":"ok"})");
            QCOMPARE(a.header("content-type"), "application/json");
        }
    }

    void servesEveryR1DemoUser_data()
    {
        QTest::addColumn<QString>("id");
        for (int id = 100001; id <= 100006; ++id)
            QTest::newRow(qPrintable(QString::number(id))) << QString::number(id);
    }
    void servesEveryR1DemoUser()
    {
        QFETCH(QString, id);
        const Answer a = get(u"/r1-demo/users/"_s + id);
        QCOMPARE(a.status, 200);
        const QJsonObject person = a.json.object().value(u"person"_s).toObject();
        QCOMPARE(person.value(u"id"_s).toString(), id);
        const QJsonObject preferences =
            person.value(u"employment"_s).toObject().value(u"preferences"_s).toObject();
        QVERIFY(preferences.value(u"id"_s).toString().contains(id));
        QVERIFY(!preferences.value(u"preferred_org_types"_s).toArray().isEmpty());
        QVERIFY(!preferences.value(u"preferred_org_names"_s).toArray().isEmpty());
    }

    void r1DemoUserKeepsTheShapeAndMemberOrder()
    {
        const Answer a = get(u"/r1-demo/users/100001"_s);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body,
                 R"({"person":{"id":"100001","employment":{"preferences":{"id":"lifdag-emp-pref-100001-a",)"
                 R"("preferred_org_types":["Government","Startup"],)"
                 R"("preferred_org_names":["Metro Transit Authority","Northwind Robotics"]}}}})");
    }

    void unknownR1DemoUserIs404()
    {
        for (const QString &id : { u"100007"_s, u"1"_s, u"abc"_s, u"100001%20"_s }) {
            const Answer a = get(u"/r1-demo/users/"_s + id);
            QCOMPARE(a.status, 404);
            QCOMPARE(a.body, R"({"detail":"User not found"})");
        }
    }

    void authenticatesEveryEndpoint_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        const QStringList paths { u"/r1-demo/users/100001"_s,
                                  u"/users/1"_s,
                                  u"/users/"_s,
                                  u"/students/"_s,
                                  u"/teachers/"_s,
                                  u"/users/1/courses"_s,
                                  u"/users/1/courses/2"_s,
                                  u"/ob3clr2/1"_s,
                                  u"/lif1/1"_s,
                                  u"/campusapi/1"_s };
        for (const QString &path : paths) {
            // FastAPI's APIKeyHeader: missing or empty -> 403; LIF's verify_token: wrong -> 401.
            QTest::newRow(qPrintable(path + u" missing"_s))
                << path << QByteArray() << 403 << QByteArray(R"({"detail":"Not authenticated"})");
            QTest::newRow(qPrintable(path + u" empty"_s))
                << path << QByteArray("") << 403 << QByteArray(R"({"detail":"Not authenticated"})");
            QTest::newRow(qPrintable(path + u" wrong"_s))
                << path << QByteArray("changeme") << 401 << QByteArray(R"({"detail":"Unauthorized"})");
            QTest::newRow(qPrintable(path + u" prefix of the key"_s))
                << path << kKey.left(4) << 401 << QByteArray(R"({"detail":"Unauthorized"})");
            QTest::newRow(qPrintable(path + u" right"_s)) << path << kKey << 200 << QByteArray();
        }
    }
    void authenticatesEveryEndpoint()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, key);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        const Answer a = get(path, key);
        QCOMPARE(a.status, status);
        if (!body.isEmpty())
            QCOMPARE(a.body, body);
        QCOMPARE(a.header("content-type"), "application/json");
    }

    void authenticationComesBeforeParameterValidation()
    {
        QCOMPARE(get(u"/users/abc"_s, {}).status, 403);
        QCOMPARE(get(u"/users/abc"_s, "wrong").status, 401);
        QCOMPARE(get(u"/users/?age=abc"_s, "wrong").status, 401);
        QCOMPARE(get(u"/users/abc"_s).status, 422);
    }

    void userById_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("plain") << u"42"_s << u"42"_s;
        QTest::newRow("zero") << u"0"_s << u"0"_s;
        QTest::newRow("negative") << u"-3"_s << u"-3"_s;
        QTest::newRow("minus zero") << u"-0"_s << u"0"_s;
        QTest::newRow("leading zeros") << u"007"_s << u"7"_s;
        QTest::newRow("negative leading zeros") << u"-007"_s << u"-7"_s;
        QTest::newRow("plus sign") << u"+5"_s << u"5"_s;
        QTest::newRow("surrounding spaces") << u"%2012%20"_s << u"12"_s;
        QTest::newRow("underscores") << u"1_000"_s << u"1000"_s;
        QTest::newRow("zero fraction") << u"12.00"_s << u"12"_s;
        QTest::newRow("zero fraction and zeros") << u"00.0"_s << u"0"_s;
        QTest::newRow("beyond 64 bits")
            << u"123456789012345678901234567890"_s << u"123456789012345678901234567890"_s;
    }
    void userById()
    {
        QFETCH(QString, id);
        QFETCH(QString, canonical);
        const Answer a = get(u"/users/"_s + id);
        QCOMPARE(a.status, 200);
        QCOMPARE(QString::fromUtf8(a.body),
                 uR"({"user":[{"id":%1,"name":"Learner %1","surname":"Family name %1"}]})"_s.arg(canonical));
    }

    void rejectsNonIntegerIds_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("size");
        const QStringList bad { u"abc"_s, u"1.5"_s, u"1e3"_s,  u"0x1f"_s, u"--1"_s,   u"+-1"_s, u"-+1"_s,
                                u"_1"_s,  u"1_"_s,  u"1__0"_s, u"12."_s,  u"1.0.0"_s, u"٣"_s };
        for (const QString &input : bad)
            QTest::newRow(qPrintable(u"users "_s + input)) << u"/users/"_s << input << false;
        for (const QString &prefix : { u"/ob3clr2/"_s, u"/lif1/"_s, u"/campusapi/"_s })
            QTest::newRow(qPrintable(prefix + u"x"_s)) << prefix << u"x"_s << false;
        QTest::newRow("longer than 4300 digits") << u"/users/"_s << QString(4301, u'7') << true;
        QTest::newRow("4300 digits is fine") << u"/users/"_s << QString(4300, u'7') << false;
    }
    void rejectsNonIntegerIds()
    {
        QFETCH(QString, path);
        QFETCH(QString, input);
        QFETCH(bool, size);
        const Answer a = get(path + QString::fromLatin1(QUrl::toPercentEncoding(input)));
        if (input.size() == 4300) {
            QCOMPARE(a.status, 200);
            return;
        }
        QCOMPARE(a.status, 422);
        QCOMPARE(QString::fromUtf8(a.body),
                 u"{\"detail\":[%1]}"_s.arg(validationDetail(u"path"_s, u"user_id"_s, input, size)));
    }

    void listsAndFiltersUsers_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("all users") << u"/users/"_s << QList<int> { 3001, 3002, 3003, 3004, 3005 };
        QTest::newRow("age_gt") << u"/users/?age_gt=30"_s << QList<int> { 3002, 3003, 3005 };
        QTest::newRow("age_lt") << u"/users/?age_lt=46"_s << QList<int> { 3001, 3004 };
        QTest::newRow("age") << u"/users/?age=46"_s << QList<int> { 3002, 3005 };
        QTest::newRow("age range") << u"/users/?age_gt=29&age_lt=47"_s
                                   << QList<int> { 3001, 3002, 3004, 3005 };
        QTest::newRow("age lax integer") << u"/users/?age=%2B046.0"_s << QList<int> { 3002, 3005 };
        QTest::newRow("age beyond 64 bits")
            << u"/users/?age_lt=99999999999999999999999"_s << QList<int> { 3001, 3002, 3003, 3004, 3005 };
        QTest::newRow("negative age_gt")
            << u"/users/?age_gt=-99999999999999999999999"_s << QList<int> { 3001, 3002, 3003, 3004, 3005 };
        QTest::newRow("name") << u"/users/?name=Amara"_s << QList<int> { 3001, 3002 };
        QTest::newRow("name exact only") << u"/users/?name=Amar"_s << QList<int> {};
        QTest::newRow("name_like") << u"/users/?name_like=Demo"_s << QList<int> { 3004, 3005 };
        QTest::newRow("name_like inside") << u"/users/?name_like=mar"_s << QList<int> { 3001, 3002 };
        QTest::newRow("name_like is case-sensitive") << u"/users/?name_like=amara"_s << QList<int> {};
        QTest::newRow("name_like plus is a space") << u"/users/?name_like=Demo+L"_s << QList<int> { 3004 };
        QTest::newRow("name_like percent-encoded") << u"/users/?name_like=Demo%20M"_s << QList<int> { 3005 };
        QTest::newRow("empty name_like matches all")
            << u"/users/?name_like="_s << QList<int> { 3001, 3002, 3003, 3004, 3005 };
        QTest::newRow("empty name matches none") << u"/users/?name="_s << QList<int> {};
        QTest::newRow("all filters") << u"/users/?age_gt=20&age_lt=40&age=30&name_like=Ama&name=Amara"_s
                                     << QList<int> { 3001 };
        QTest::newRow("last repeated value wins") << u"/users/?age=30&age=46"_s << QList<int> { 3002, 3005 };
        QTest::newRow("unknown parameters are ignored")
            << u"/users/?role=teacher&page=2"_s << QList<int> { 3001, 3002, 3003, 3004, 3005 };
        QTest::newRow("students") << u"/students/"_s << QList<int> { 3001, 3003, 3004 };
        QTest::newRow("students age") << u"/students/?age=30"_s << QList<int> { 3001, 3004 };
        QTest::newRow("students age_gt") << u"/students/?age_gt=30"_s << QList<int> { 3003 };
        QTest::newRow("students age_lt") << u"/students/?age_lt=50"_s << QList<int> { 3001, 3004 };
        QTest::newRow("students name") << u"/students/?name=Amara"_s << QList<int> { 3001 };
        QTest::newRow("students name_like") << u"/students/?name_like=Demo"_s << QList<int> { 3004 };
        QTest::newRow("teachers") << u"/teachers/"_s << QList<int> { 3002, 3005 };
        QTest::newRow("teachers age_gt") << u"/teachers/?age_gt=46"_s << QList<int> {};
        QTest::newRow("teachers age_lt") << u"/teachers/?age_lt=47"_s << QList<int> { 3002, 3005 };
        QTest::newRow("teachers age") << u"/teachers/?age=46"_s << QList<int> { 3002, 3005 };
        QTest::newRow("teachers name") << u"/teachers/?name=Amara"_s << QList<int> { 3002 };
        QTest::newRow("teachers name_like") << u"/teachers/?name_like=Mentor"_s << QList<int> { 3005 };
    }
    void listsAndFiltersUsers()
    {
        QFETCH(QString, path);
        QFETCH(QList<int>, expected);
        const Answer a = get(path);
        QCOMPARE(a.status, 200);
        QCOMPARE(ids(a.json), expected);
    }

    void userListsKeepMemberOrder()
    {
        const Answer a = get(u"/teachers/?name=Amara"_s);
        QCOMPARE(
            a.body,
            R"({"results":[{"id":3002,"name":"Amara","surname":"Lindqvist","age":46,"role":"teacher"}]})");
    }

    void rejectsBadFilters_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("errors"); // name=input, in the order FastAPI reports them
        for (const QString &list : { u"/users/"_s, u"/students/"_s, u"/teachers/"_s }) {
            QTest::newRow(qPrintable(list + u" age_gt"_s))
                << list + u"?age_gt=old"_s << QStringList { u"age_gt=old"_s };
            QTest::newRow(qPrintable(list + u" age_lt"_s))
                << list + u"?age_lt=1.5"_s << QStringList { u"age_lt=1.5"_s };
            QTest::newRow(qPrintable(list + u" age"_s)) << list + u"?age="_s << QStringList { u"age="_s };
        }
        // Declaration order (age_gt, age_lt, age), not query order; the last value of a name counts.
        QTest::newRow("several") << u"/users/?age=x&age_lt=y&age_gt=z"_s
                                 << QStringList { u"age_gt=z"_s, u"age_lt=y"_s, u"age=x"_s };
        QTest::newRow("repeated") << u"/users/?age=1&age=one"_s << QStringList { u"age=one"_s };
    }
    void rejectsBadFilters()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, errors);
        const Answer a = get(path);
        QCOMPARE(a.status, 422);
        QStringList expected;
        for (const QString &error : errors) {
            const qsizetype eq = error.indexOf(u'=');
            expected.append(validationDetail(u"query"_s, error.left(eq), error.mid(eq + 1)));
        }
        QCOMPARE(QString::fromUtf8(a.body), u"{\"detail\":[%1]}"_s.arg(expected.join(u',')));
    }

    void courses()
    {
        const QByteArray all =
            R"({"courses":[{"name":"Statistics for Everyone","code":"STA110"},{"name":"World Geography","code":"GEO120"},)"
            R"({"name":"Technical Writing","code":"WRI210"}]})";
        QCOMPARE(get(u"/users/5/courses"_s).body, all);
        QCOMPARE(get(u"/users/5/courses/7"_s).body,
                 R"({"courses":[{"id":7,"name":"Course 7","code":"STA110"}]})");
        QCOMPARE(get(u"/users/5/courses/0012"_s).body,
                 R"({"courses":[{"id":12,"name":"Course 12","code":"STA110"}]})");
        // LIF's service tests `if course_id:`: course 0 lists them all.
        QCOMPARE(get(u"/users/5/courses/0"_s).body, all);
        const Answer bad = get(u"/users/x/courses/y"_s);
        QCOMPARE(bad.status, 422);
        QCOMPARE(QString::fromUtf8(bad.body),
                 u"{\"detail\":[%1,%2]}"_s.arg(validationDetail(u"path"_s, u"user_id"_s, u"x"_s),
                                               validationDetail(u"path"_s, u"course_id"_s, u"y"_s)));
        QCOMPARE(get(u"/users/x/courses"_s).status, 422);
    }

    void staticDocuments()
    {
        const Answer ob3 = get(u"/ob3clr2/1"_s);
        QCOMPARE(ob3.status, 200);
        const QJsonObject profile = ob3.json.object().value(u"profile"_s).toArray().at(0).toObject();
        QCOMPARE(profile.value(u"type"_s).toArray(), QJsonArray { u"Profile"_s });
        for (const QString &key :
             { u"@context"_s, u"id"_s, u"name"_s, u"url"_s, u"phone"_s, u"description"_s, u"email"_s,
               u"address"_s, u"otherIdentifier"_s, u"familyName"_s, u"givenName"_s, u"additionalName"_s,
               u"honorificPrefix"_s, u"honorificSuffix"_s, u"dateOfBirth"_s })
            QVERIFY2(profile.contains(key), qPrintable(key));
        QVERIFY(ob3.body.startsWith(R"({"profile":[{"@context":)")); // declaration order, not sorted

        const Answer lif1 = get(u"/lif1/2"_s);
        QCOMPARE(lif1.status, 200);
        const QJsonObject person = lif1.json.object().value(u"Person"_s).toArray().at(0).toObject();
        for (const QString &key : { u"Identifier"_s, u"Name"_s, u"CredentialAward"_s, u"Organization"_s })
            QVERIFY2(person.value(key).isArray(), qPrintable(key));

        const Answer campus = get(u"/campusapi/3"_s);
        QCOMPARE(campus.status, 200);
        const QJsonObject student = campus.json.object();
        QCOMPARE(student.value(u"courseEntries"_s).toArray().size(), 10);
        QCOMPARE(student.value(u"programEntries"_s).toArray().size(), 1);
        QCOMPARE(student.value(u"credentialEntries"_s).toArray().size(), 1);
        QVERIFY(student.value(u"deathDate"_s).isNull());
        for (const QJsonValue &entry : student.value(u"courseEntries"_s).toArray()) {
            const QJsonObject course = entry.toObject().value(u"course"_s).toObject();
            QVERIFY(!course.value(u"sponsors"_s).toArray().isEmpty());
            QVERIFY(entry.toObject().value(u"term"_s).toObject().contains(u"closeDate"_s));
        }
        // The same document for every (integer) user id, as LIF's service answers.
        QCOMPARE(get(u"/campusapi/99"_s).body, campus.body);
    }

    void describesItselfLikeFastApi()
    {
        const Answer spec = get(u"/openapi.json"_s, {});
        QCOMPARE(spec.status, 200);
        QCOMPARE(spec.json.object().value(u"openapi"_s).toString(), u"3.1.0"_s);
        QStringList paths = spec.json.object().value(u"paths"_s).toObject().keys();
        paths.sort();
        QStringList expected { u"/campusapi/{user_id}"_s,
                               u"/health"_s,
                               u"/lif1/{user_id}"_s,
                               u"/ob3clr2/{user_id}"_s,
                               u"/r1-demo/users/{user_id}"_s,
                               u"/students/"_s,
                               u"/teachers/"_s,
                               u"/users/"_s,
                               u"/users/{user_id}"_s,
                               u"/users/{user_id}/courses"_s,
                               u"/users/{user_id}/courses/{course_id}"_s };
        expected.sort();
        QCOMPARE(paths, expected);
        const QJsonObject scheme = spec.json.object()
                                       .value(u"components"_s)
                                       .toObject()
                                       .value(u"securitySchemes"_s)
                                       .toObject()
                                       .value(u"APIKeyHeader"_s)
                                       .toObject();
        QCOMPARE(scheme.value(u"name"_s).toString(), u"x-key"_s);
        // Starlette's documentation routes answer HEAD (without a body) and name both methods.
        const Answer head = send("HEAD", u"/openapi.json"_s, {});
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(head.header("content-length"), QByteArray::number(spec.body.size()));
        const Answer post = send("POST", u"/openapi.json"_s, {});
        QCOMPARE(post.status, 405);
        QCOMPARE(post.header("allow"), "GET, HEAD");
        for (const QString &page : { u"/docs"_s, u"/redoc"_s }) {
            const Answer a = get(page, {});
            QCOMPARE(a.status, 200);
            QCOMPARE(a.header("content-type"), "text/html; charset=utf-8");
            QVERIFY(a.body.contains("/openapi.json"));
        }
    }

    void unknownPathsAre404WithoutKey()
    {
        for (const QString &path : { u"/"_s, u"/nope"_s, u"/r1-demo/users/"_s, u"/users/1/2"_s,
                                     u"/graphqlx"_s, u"/users/1/courses/2/3"_s, u"/r1-demo/users/1/x"_s }) {
            const Answer a = get(path, {});
            QCOMPARE(a.status, 404);
            QCOMPARE(a.body, R"({"detail":"Not Found"})");
        }
    }

    void otherMethodsAre405()
    {
        for (const char *method : { "POST", "PUT", "DELETE", "PATCH", "OPTIONS" }) {
            for (const QString &path : { u"/health"_s, u"/users/1"_s, u"/r1-demo/users/100001"_s }) {
                const Answer a = send(method, path);
                QCOMPARE(a.status, 405);
                QCOMPARE(a.body, R"({"detail":"Method Not Allowed"})");
                QCOMPARE(a.header("allow"), "GET");
            }
        }
        // FastAPI's GET routes do not answer HEAD either; a HEAD answer carries no body.
        const Answer head = send("HEAD", u"/health"_s); // QNetworkAccessManager::head() underneath
        QCOMPARE(head.status, 405);
        QVERIFY(head.body.isEmpty());
    }

    void redirectsATogglableTrailingSlash()
    {
        const QByteArray origin = "http://127.0.0.1:" + QByteArray::number(m_port);
        const Answer users = get(u"/users?age=30&name_like=A+m"_s);
        QCOMPARE(users.status, 307);
        QCOMPARE(users.header("location"), origin + "/users/?age=30&name_like=A+m");
        QVERIFY(users.body.isEmpty());
        QCOMPARE(get(u"/students"_s).header("location"), origin + "/students/");
        QCOMPARE(get(u"/health/"_s).header("location"), origin + "/health");
        QCOMPARE(get(u"/health///"_s).header("location"), origin + "/health");
        QCOMPARE(get(u"/r1-demo/users/100001/"_s).header("location"), origin + "/r1-demo/users/100001");
        // Starlette redirects on a path match whatever the method.
        QCOMPARE(send("POST", u"/teachers"_s).status, 307);
    }

    void keepsConnectionsAlive()
    {
        const QByteArray one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        bool closed = true;
        const QByteArray both = rawExchange(m_port, one + one, 1500, &closed);
        QCOMPARE(both.count("HTTP/1.1 200"), 2);
        QVERIFY(!closed);
    }

    void closesOnConnectionClose()
    {
        bool closed = false;
        const QByteArray answer = rawExchange(
            m_port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000, &closed);
        QVERIFY(answer.startsWith("HTTP/1.1 200"));
        QVERIFY(answer.toLower().contains("connection: close"));
        QVERIFY(closed);
        closed = false;
        QVERIFY(
            rawExchange(m_port, "GET /health HTTP/1.0\r\n\r\n", 5000, &closed).startsWith("HTTP/1.1 200"));
        QVERIFY(closed);
    }

    void refusesLargeBodiesBeforeReadingThem()
    {
        bool closed = false;
        const QByteArray answer = rawExchange(
            m_port,
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n" + QByteArray(1000, 'x'),
            5000, &closed);
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QVERIFY(answer.endsWith(R"({"detail":"request body exceeds 4096 bytes"})"));
        QVERIFY(closed);
        // Through a client that streams the whole body.
        const Answer a = send("POST", u"/graphql"_s, kKey, QByteArray(100000, 'x'));
        QCOMPARE(a.status, 413);
        // A chunked body is counted as it arrives.
        QByteArray chunked = "POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 10; ++i)
            chunked += "3e8\r\n" + QByteArray(1000, 'y') + "\r\n";
        QVERIFY(rawExchange(m_port, chunked, 5000).startsWith("HTTP/1.1 413"));
    }

    void answersExpectContinue()
    {
        // The body follows only after "100 Continue", as curl sends bodies over 1 KiB.
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QTRY_VERIFY(socket.state() == QAbstractSocket::ConnectedState);
        const QByteArray body = R"({"query":"{ person { informationSourceId } }"})";
        socket.write("POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kKey
                     + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n");
        QTRY_VERIFY(received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        socket.write(body);
        QTRY_VERIFY(received.contains("HTTP/1.1 200"));
        QTRY_VERIFY(received.endsWith("}]}}"));
    }

    void refusesHugeHeads()
    {
        bool closed = false;
        const QByteArray answer = rawExchange(
            m_port, "GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: " + QByteArray(20000, 'f') + "\r\n\r\n",
            5000, &closed);
        QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(100).constData());
        QVERIFY(closed);
    }

    void closesIdleConnections()
    {
        ExampleSourceOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.key = u"k-idle"_s;
        options.idleTimeoutMs = 200;
        ExampleSourceServer server(options);
        QVERIFY(server.listen().ok());
        bool closed = false;
        const QByteArray answer =
            rawExchange(server.serverPort(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 3000, &closed);
        QVERIFY(answer.startsWith("HTTP/1.1 200"));
        QVERIFY(closed);
    }

    void refusesAnEmptyKeyAndABadHost()
    {
        ExampleSourceOptions options;
        options.port = 0;
        options.key.clear();
        QVERIFY(!ExampleSourceServer(options).listen().ok());
        options.key = u"k"_s;
        options.host = u"not-an-address"_s;
        const auto status = ExampleSourceServer(options).listen();
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(u"not-an-address"_s));
    }

    void reportsAPortInUse()
    {
        ExampleSourceOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = m_port;
        const auto status = ExampleSourceServer(options).listen();
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(QString::number(m_port)));
    }
};

QTEST_GUILESS_MAIN(TestExampleSourceRest)
#include "tst_examplesource_rest.moc"
