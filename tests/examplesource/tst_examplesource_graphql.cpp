// The example source's LIF GraphQL person source over real HTTP: LIF's GetPersonByIdentifier
// operation with variables, only the selected fields in selection order, identifier types in
// any spelling, Bearer authentication, and GraphQL-shaped errors.
#include <lifdag/examplesource/examplesourceserver.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using lifdag::examplesource::ExampleSourceOptions;
using lifdag::examplesource::ExampleSourceServer;

namespace {
const QByteArray kKey = "graphql-key-1618";

// The shape of LIF's lif-to-lif query: the operation, its variables and the filter.
const QString kByIdentifier = uR"(
query GetPersonByIdentifier($identifier: String!, $identifierType: String!) {
  person(filter: { Identifier: { identifier: $identifier, identifierType: $identifierType } }) {
    %1
  }
})"_s;

// Every field LIF's org2 and org3 lif-to-lif queries select, so those queries run unchanged.
const QString kAllLifFields = uR"(
    Name { informationSourceId lastName firstName }
    Contact { Email { informationSourceId emailAddress } }
    Identifier { informationSourceId identifier identifierType }
    EmploymentLearningExperience {
      informationSourceId name startDate endDate
      RefPosition { identifier name informationSourceId informationSourceOrganization }
      RefCredentialAward { identifier informationSourceId informationSourceOrganization name }
    }
    PositionPreferences {
      Travel { percentage willingToTravelIndicator }
      Relocation { willingToRelocateIndicator }
      RemoteWork { remoteWorkIndicator }
      positionTitles positionOfferingTypeCodes positionScheduleTypeCodes
    }
    EmploymentPreferences { identifier organizationTypes organizationNames }
    CredentialAward {
      identifier awardIssueDate credentialAwardee informationSourceId awardStatus
      InstanceOfRefCredential { informationSourceId informationSourceOrganization identifier name }
    }
    CourseLearningExperience {
      informationSourceId startDate endDate
      RefCourse { informationSourceId informationSourceOrganization identifier name }
      RefCredentialAward { informationSourceId informationSourceOrganization identifier name }
    }
    Proficiency {
      informationSourceId name description
      RefCredentialAward { identifier informationSourceId informationSourceOrganization }
    })"_s;

struct Answer
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray contentType;
    QByteArray wwwAuthenticate;
    QByteArray allow;
};
} // namespace

class TestExampleSourceGraphql : public QObject
{
    Q_OBJECT
    std::unique_ptr<ExampleSourceServer> m_server;
    QNetworkAccessManager m_nam;

    Answer send(const QByteArray &method, const QByteArray &body,
                const QByteArray &authorization = "Bearer " + kKey, const QByteArray &accept = {})
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/graphql"_s.arg(m_server->serverPort())));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        if (!authorization.isNull())
            request.setRawHeader("Authorization", authorization);
        if (!accept.isNull())
            request.setRawHeader("Accept", accept);
        std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, method, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!finished.wait(10000))
            return {};
        Answer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        answer.json = QJsonDocument::fromJson(answer.body).object();
        answer.contentType = reply->rawHeader("Content-Type");
        answer.wwwAuthenticate = reply->rawHeader("WWW-Authenticate");
        answer.allow = reply->rawHeader("Allow");
        return answer;
    }

    Answer query(const QString &text, const QJsonObject &variables = {}, const QString &operationName = {})
    {
        QJsonObject body { { u"query"_s, text }, { u"variables"_s, variables } };
        if (!operationName.isEmpty())
            body.insert(u"operationName"_s, operationName);
        return send("POST", QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    Answer byIdentifier(const QString &selection, const QString &identifier, const QString &identifierType)
    {
        return query(kByIdentifier.arg(selection),
                     { { u"identifier"_s, identifier }, { u"identifierType"_s, identifierType } },
                     u"GetPersonByIdentifier"_s);
    }

    static QStringList firstNames(const Answer &answer)
    {
        QStringList names;
        for (const QJsonValue &person : answer.json.value(u"data"_s).toObject().value(u"person"_s).toArray())
            names.append(person.toObject()
                             .value(u"Name"_s)
                             .toArray()
                             .at(0)
                             .toObject()
                             .value(u"firstName"_s)
                             .toString());
        return names;
    }

private Q_SLOTS:
    void initTestCase()
    {
        ExampleSourceOptions options;
        options.host = u"127.0.0.1"_s;
        options.port = 0;
        options.key = QString::fromLatin1(kKey);
        m_server = std::make_unique<ExampleSourceServer>(options);
        const auto status = m_server->listen();
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message));
    }

    void answersOnlyTheSelectedFieldsInSelectionOrder()
    {
        const Answer a = byIdentifier(
            u"Name { lastName firstName } EmploymentPreferences { organizationNames organizationTypes }"_s,
            u"100001"_s, u"SCHOOL_ASSIGNED_NUMBER"_s);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.contentType, "application/json");
        QCOMPARE(
            a.body,
            R"({"data":{"person":[{"Name":[{"lastName":"Raman","firstName":"Priya"}],)"
            R"("EmploymentPreferences":[{"organizationNames":["Northwind Robotics","Open Data Collective"],)"
            R"("organizationTypes":["Startup","Enterprise"]}]}]}})");
    }

    void followsNestedSelections()
    {
        const Answer a = byIdentifier(
            u"EmploymentLearningExperience { name RefPosition { OfferedByRefOrganization { name } } } "
            "PositionPreferences { Travel { percentage } OfferedByRefRemunerationPackage { basisCode Ranges { MinimumAmount { value currency } } } }"_s,
            u"100001"_s, u"SCHOOL_ASSIGNED_NUMBER"_s);
        QCOMPARE(a.status, 200);
        const QJsonObject person =
            a.json.value(u"data"_s).toObject().value(u"person"_s).toArray().at(0).toObject();
        QCOMPARE(person.keys(),
                 (QStringList { u"EmploymentLearningExperience"_s, u"PositionPreferences"_s }));
        const QJsonArray jobs = person.value(u"EmploymentLearningExperience"_s).toArray();
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(
            jobs.at(1).toObject(),
            (QJsonObject { { u"name"_s, u"Operations Analyst"_s },
                           { u"RefPosition"_s,
                             QJsonObject { { u"OfferedByRefOrganization"_s,
                                             QJsonObject { { u"name"_s, u"Northwind Robotics"_s } } } } } }));
        const QJsonObject preferences = person.value(u"PositionPreferences"_s).toArray().at(0).toObject();
        QCOMPARE(preferences.value(u"Travel"_s).toArray().at(0).toObject().value(u"percentage"_s).toDouble(),
                 20.0);
        QCOMPARE(preferences.value(u"OfferedByRefRemunerationPackage"_s)
                     .toObject()
                     .value(u"basisCode"_s)
                     .toString(),
                 u"Salaried"_s);
    }

    void runsEveryFieldOfLifsQueries_data()
    {
        QTest::addColumn<QString>("identifier");
        QTest::addColumn<QString>("firstName");
        QTest::newRow("100001") << u"100001"_s << u"Priya"_s;
        QTest::newRow("100002") << u"100002"_s << u"Tomás"_s;
        QTest::newRow("100003") << u"100003"_s << u"Mei-Lin"_s;
        QTest::newRow("100004") << u"100004"_s << u"Jordan"_s;
    }
    void runsEveryFieldOfLifsQueries()
    {
        QFETCH(QString, identifier);
        QFETCH(QString, firstName);
        const Answer a = byIdentifier(kAllLifFields, identifier, u"SCHOOL_ASSIGNED_NUMBER"_s);
        QCOMPARE(a.status, 200);
        QVERIFY2(!a.json.contains(u"errors"_s), a.body.constData());
        QCOMPARE(firstNames(a), QStringList { firstName });
        const QJsonObject person =
            a.json.value(u"data"_s).toObject().value(u"person"_s).toArray().at(0).toObject();
        for (const QString &entity :
             { u"Contact"_s, u"Identifier"_s, u"EmploymentLearningExperience"_s, u"PositionPreferences"_s,
               u"EmploymentPreferences"_s, u"CredentialAward"_s, u"CourseLearningExperience"_s,
               u"Proficiency"_s })
            QVERIFY2(!person.value(entity).toArray().isEmpty(), qPrintable(entity));
    }

    void matchesIdentifierTypesInAnySpelling_data()
    {
        QTest::addColumn<QString>("identifier");
        QTest::addColumn<QString>("identifierType");
        QTest::addColumn<QStringList>("expected");
        // 100001 stores SCHOOL_ASSIGNED_NUMBER, 100003 stores the human text.
        for (const QString &type : { u"SCHOOL_ASSIGNED_NUMBER"_s, u"School-assigned number"_s,
                                     u"school assigned number"_s, u"__School--Assigned  Number__"_s }) {
            QTest::newRow(qPrintable(u"100001 "_s + type))
                << u"100001"_s << type << QStringList { u"Priya"_s };
            QTest::newRow(qPrintable(u"100003 "_s + type))
                << u"100003"_s << type << QStringList { u"Mei-Lin"_s };
        }
        QTest::newRow("second identifier")
            << u"LTC-S-20240173"_s << u"INSTITUTION_ASSIGNED_NUMBER"_s << QStringList { u"Mei-Lin"_s };
        QTest::newRow("identifier and type from different entries")
            << u"LTC-S-20240173"_s << u"SCHOOL_ASSIGNED_NUMBER"_s << QStringList {};
        QTest::newRow("other type") << u"100001"_s << u"STATE_ASSIGNED_NUMBER"_s << QStringList {};
        QTest::newRow("unknown person") << u"999999"_s << u"SCHOOL_ASSIGNED_NUMBER"_s << QStringList {};
        QTest::newRow("identifier is exact") << u" 100001"_s << u"SCHOOL_ASSIGNED_NUMBER"_s << QStringList {};
        QTest::newRow("REST-only user") << u"100006"_s << u"SCHOOL_ASSIGNED_NUMBER"_s << QStringList {};
    }
    void matchesIdentifierTypesInAnySpelling()
    {
        QFETCH(QString, identifier);
        QFETCH(QString, identifierType);
        QFETCH(QStringList, expected);
        const Answer a = byIdentifier(u"Name { firstName }"_s, identifier, identifierType);
        QCOMPARE(a.status, 200);
        QCOMPARE(firstNames(a), expected);
        if (expected.isEmpty())
            QCOMPARE(a.body, R"({"data":{"person":[]}})");
    }

    void filtersByIdentifierAloneOrNotAtAll()
    {
        QCOMPARE(
            firstNames(query(
                u"{ person(filter: { Identifier: { identifier: \"100002\" } }) { Name { firstName } } }"_s)),
            QStringList { u"Tomás"_s });
        QCOMPARE(firstNames(query(u"{ person { Name { firstName } } }"_s)),
                 (QStringList { u"Priya"_s, u"Tomás"_s, u"Mei-Lin"_s, u"Jordan"_s }));
        QCOMPARE(
            firstNames(query(
                u"{ person(filter: { Identifier: { identifierType: \"institution assigned number\" } }) { Name { firstName } } }"_s)),
            QStringList { u"Mei-Lin"_s });
    }

    void honoursFragmentsAliasesAndTypename()
    {
        const Answer a =
            query(u"query Q($id: String!) { who: person(filter: { Identifier: { identifier: $id } }) "
                  "{ __typename ...Names } } fragment Names on Person { Name { first: firstName } }"_s,
                  { { u"id"_s, u"100004"_s } });
        QCOMPARE(a.body, R"({"data":{"who":[{"__typename":"Person","Name":[{"first":"Jordan"}]}]}})");
    }

    void choosesTheNamedOperation()
    {
        const QString doc =
            u"query A { person(filter: { Identifier: { identifier: \"100001\" } }) { Name { firstName } } } "
            "query B { person(filter: { Identifier: { identifier: \"100002\" } }) { Name { firstName } } }"_s;
        QCOMPARE(firstNames(query(doc, {}, u"B"_s)), QStringList { u"Tomás"_s });
        const Answer ambiguous = query(doc);
        QCOMPARE(ambiguous.status, 200);
        QVERIFY(ambiguous.json.contains(u"errors"_s));
        QVERIFY(!ambiguous.json.contains(u"data"_s));
    }

    void answersIntrospection()
    {
        const Answer a = query(u"{ __type(name: \"IdentifierFilter\") { inputFields { name } } }"_s);
        QCOMPARE(a.body,
                 R"({"data":{"__type":{"inputFields":[{"name":"identifier"},{"name":"identifierType"}]}}})");
    }

    void reportsGraphqlErrors_data()
    {
        QTest::addColumn<QString>("queryText");
        QTest::addColumn<QJsonObject>("variables");
        QTest::addColumn<QString>("message");
        QTest::newRow("syntax") << u"query { person { Name { firstName } "_s << QJsonObject {}
                                << u"Syntax Error"_s;
        QTest::newRow("unknown field") << u"{ person { nickname } }"_s << QJsonObject {}
                                       << u"Cannot query field \"nickname\" on type \"Person\"."_s;
        QTest::newRow("missing selection") << u"{ person }"_s << QJsonObject {} << u"must have a selection"_s;
        QTest::newRow("missing variable")
            << kByIdentifier.arg(u"Name { firstName }"_s) << QJsonObject { { u"identifier"_s, u"100001"_s } }
            << u"$identifierType"_s;
        QTest::newRow("variable of the wrong type")
            << kByIdentifier.arg(u"Name { firstName }"_s)
            << QJsonObject { { u"identifier"_s, 100001 }, { u"identifierType"_s, u"X"_s } }
            << u"$identifier"_s;
        QTest::newRow("mutation") << u"mutation { person { Name { firstName } } }"_s << QJsonObject {}
                                  << u"mutation"_s;
    }
    void reportsGraphqlErrors()
    {
        QFETCH(QString, queryText);
        QFETCH(QJsonObject, variables);
        QFETCH(QString, message);
        const Answer a = query(queryText, variables);
        QCOMPARE(a.status, 200);
        const QJsonArray errors = a.json.value(u"errors"_s).toArray();
        QVERIFY2(!errors.isEmpty(), a.body.constData());
        QVERIFY2(errors.at(0).toObject().value(u"message"_s).toString().contains(message),
                 a.body.constData());
        QVERIFY(!a.json.contains(u"data"_s)); // never executed
    }

    void usesStatusCodesForGraphqlResponseJson()
    {
        const QByteArray body = R"({"query":"{ person { nickname } }"})";
        const Answer a = send("POST", body, "Bearer " + kKey, "application/graphql-response+json");
        QCOMPARE(a.status, 400);
        QCOMPARE(a.contentType, "application/graphql-response+json");
        QVERIFY(a.json.contains(u"errors"_s));
        const Answer ok = send("POST", R"({"query":"{ person { informationSourceId } }"})", "Bearer " + kKey,
                               "application/graphql-response+json, application/json");
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.contentType, "application/graphql-response+json");
    }

    void refusesMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("not JSON") << QByteArray("query { person }") << u"not JSON"_s;
        QTest::newRow("no query") << QByteArray(R"({"variables":{}})") << u"\"query\""_s;
        QTest::newRow("query not a string") << QByteArray(R"({"query":42})") << u"\"query\""_s;
        QTest::newRow("array body") << QByteArray(R"([{"query":"{ person { informationSourceId } }"}])")
                                    << u"\"query\""_s;
        QTest::newRow("variables not an object")
            << QByteArray(R"({"query":"{ person { informationSourceId } }","variables":[1]})")
            << u"\"variables\""_s;
        QTest::newRow("operationName not a string")
            << QByteArray(R"({"query":"{ person { informationSourceId } }","operationName":7})")
            << u"\"operationName\""_s;
        QTest::newRow("empty body") << QByteArray() << u"not JSON"_s;
    }
    void refusesMalformedRequests()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        const Answer a = send("POST", body);
        QCOMPARE(a.status, 400);
        const QString text =
            a.json.value(u"errors"_s).toArray().at(0).toObject().value(u"message"_s).toString();
        QVERIFY2(text.contains(message), qPrintable(text));
    }

    void requiresTheBearerKey_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<int>("status");
        QTest::newRow("missing") << QByteArray() << 401;
        QTest::newRow("empty") << QByteArray("") << 401;
        QTest::newRow("wrong key") << QByteArray("Bearer changeme") << 401;
        QTest::newRow("key prefix") << "Bearer " + kKey.left(8) << 401;
        QTest::newRow("no token") << QByteArray("Bearer") << 401;
        QTest::newRow("basic scheme") << "Basic " + kKey.toBase64() << 401;
        QTest::newRow("bare key") << kKey << 401;
        QTest::newRow("x-key is not enough") << QByteArray("x-key " + kKey) << 401;
        QTest::newRow("right") << "Bearer " + kKey << 200;
        QTest::newRow("scheme in any case") << "bearer " + kKey << 200;
    }
    void requiresTheBearerKey()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(int, status);
        const Answer a = send("POST", R"({"query":"{ person { Name { firstName } } }"})", authorization);
        QCOMPARE(a.status, status);
        if (status == 401) {
            QVERIFY(a.wwwAuthenticate.startsWith("Bearer"));
            QVERIFY(!a.json.value(u"errors"_s)
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(u"message"_s)
                         .toString()
                         .isEmpty());
            QVERIFY(!a.json.contains(u"data"_s));
            QVERIFY(!a.body.contains(kKey));
        }
    }

    void acceptsOnlyPost()
    {
        const Answer a = send("GET", {});
        QCOMPARE(a.status, 405);
        QCOMPARE(a.allow, "POST");
        QCOMPARE(a.body, R"({"detail":"Method Not Allowed"})");
    }
};

QTEST_GUILESS_MAIN(TestExampleSourceGraphql)
#include "tst_examplesource_graphql.moc"
