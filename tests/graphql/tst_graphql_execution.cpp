// Execution: results in query order, variables, fragments, abstract types, null propagation,
// errors with paths and locations, serial mutations, limits.
#include "testschema.h"

#include <QtTest>

using namespace lifdag::graphql;

class TestGraphqlExecution : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { m_schema = testschema::build(); }

    void executesQueries_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("variables");
        QTest::addColumn<QString>("operationName");
        QTest::addColumn<QString>("expected");

        auto row = [](const char *name, const char *query, const QString &expected,
                      const QString &variables = QStringLiteral("{}"), const char *operationName = "") {
            QTest::newRow(name) << QString::fromUtf8(query) << variables << QString::fromUtf8(operationName)
                                << expected;
        };
        row("simple field", "{ hero { name } }", J("{'data':{'hero':{'name':'R2-D2'}}}"));
        row("members in query order", "{ hero { name id } }",
            J("{'data':{'hero':{'name':'R2-D2','id':'2001'}}}"));
        row("alias", "{ luke: hero(episode: EMPIRE) { n: name } r2: hero { name } }",
            J("{'data':{'luke':{'n':'Luke Skywalker'},'r2':{'name':'R2-D2'}}}"));
        row("enum argument default", "{ hero { appearsIn } }",
            J("{'data':{'hero':{'appearsIn':['NEWHOPE','JEDI']}}}"));
        row("nested lists and null items", "{ hero { friends { name } } }",
            J("{'data':{'hero':{'friends':[{'name':'Luke Skywalker'},null]}}}"));
        row("typename", "{ hero { __typename } }", J("{'data':{'hero':{'__typename':'Droid'}}}"));
        row("root typename", "{ __typename }", J("{'data':{'__typename':'Query'}}"));
        row("inline fragments on abstract type",
            "{ search(text: \"\") { __typename ... on Human { homePlanet } ... on Droid { primaryFunction } "
            "... on Starship { length } } }",
            J("{'data':{'search':[{'__typename':'Human','homePlanet':'Tatooine'},{'__typename':'Human','"
              "homePlanet':null},{'__typename':'Droid','primaryFunction':'Astromech'},{'__typename':'"
              "Starship','length':34.37}]}}"));
        row("named fragments",
            "query { hero(episode: EMPIRE) { ...Names ... on Human { ...Planet } } } "
            "fragment Names on Character { name id } fragment Planet on Human { homePlanet }",
            J("{'data':{'hero':{'name':'Luke Skywalker','id':'1000','homePlanet':'Tatooine'}}}"));
        row("fragment fields merge in first-seen order",
            "{ hero { id ...F name } } fragment F on Character { name id appearsIn }",
            J("{'data':{'hero':{'id':'2001','name':'R2-D2','appearsIn':['NEWHOPE','JEDI']}}}"));
        row("skip and include",
            "query ($yes: Boolean!) { hero { name @skip(if: $yes) id @include(if: $yes) "
            "... @include(if: false) { appearsIn } } }",
            J("{'data':{'hero':{'id':'2001'}}}"), J("{'yes':true}"));
        row("variables with defaults", "query Q($id: ID = \"1000\") { human(id: $id) { name } }",
            J("{'data':{'human':{'name':'Luke Skywalker'}}}"));
        row("variable overrides default", "query Q($id: ID = \"1000\") { human(id: $id) { name } }",
            J("{'data':{'human':{'name':'Han Solo'}}}"), J("{'id':'1002'}"));
        row("integer variable as ID", "query Q($id: ID!) { human(id: $id) { name } }",
            J("{'data':{'human':{'name':'Luke Skywalker'}}}"), J("{'id':1000}"));
        row("input object with defaults", "{ echo(input: {text: \"hi\"}) }",
            J("{'data':{'echo':'{\\'input\\':{\\'text\\':\\'hi\\',\\'times\\':1}}'}}"));
        row("input object variable coerced", "query ($i: EchoInput) { echo(input: $i) }",
            J("{'data':{'echo':'{\\'input\\':{\\'tags\\':[\\'x\\'],\\'text\\':\\'a\\',\\'times\\':1}}'}}"),
            J("{'i':{'text':'a','tags':'x'}}"));
        row("list input coercion of a single value", "{ echo(list: 3) }",
            J("{'data':{'echo':'{\\'list\\':[3]}'}}"));
        row("float accepts int literal", "{ echo(f: 2) }", J("{'data':{'echo':'{\\'f\\':2}'}}"));
        row("absent nullable argument stays absent", "{ echo }", J("{'data':{'echo':'{}'}}"));
        row("explicit null argument", "{ echo(s: null) }", J("{'data':{'echo':'{\\'s\\':null}'}}"));
        row("block string argument", "{ echo(s: \"\"\"\n    hello\n      world\n  \"\"\") }",
            J("{'data':{'echo':'{\\'s\\':\\'hello\\\\n  world\\'}'}}"));
        row("argument of enum type", "{ human(id: 1000) { height(unit: FOOT) } }",
            J("{'data':{'human':{'height':5.6430448}}}"));
        row("resolver error nulls nullable field", "{ failing build { version } }",
            J("{'data':{'failing':null,'build':{'version':'1.0'}},'errors':[{'message':'This field always "
              "fails.','locations':[{'line':1,'column':3}],'path':['failing'],'extensions':{'code':'TEST_"
              "FAILURE'}}]}"));
        row("non-null error propagates to data", "{ build { version } failingNonNull }",
            J("{'data':null,'errors':[{'message':'Non-null "
              "failure.','locations':[{'line':1,'column':21}],'path':['failingNonNull']}]}"));
        row("null in non-null list item nulls the list", "{ nonNullList { name } }",
            J("{'data':{'nonNullList':null},'errors':[{'message':'Cannot return null for non-nullable field "
              "Query.nonNullList.','locations':[{'line':1,'column':3}],'path':['nonNullList',1]}]}"));
        row("custom scalar passes JSON through", "{ json }", J("{'data':{'json':{'a':[1,2]}}}"));
        row("missing object is null", "{ human(id: \"nobody\") { name } }", J("{'data':{'human':null}}"));
        row("interface field on root", "{ node(id: \"2001\") { id ... on Droid { name } } }",
            J("{'data':{'node':{'id':'2001','name':'R2-D2'}}}"));
        row("operation by name", "query A { build { version } } query B { hero { id } }",
            J("{'data':{'hero':{'id':'2001'}}}"), QStringLiteral("{}"), "B");
        row("serial mutations", "mutation { a: increment b: increment(by: 5) c: increment }",
            J("{'data':{'a':1,'b':6,'c':7}}"));
        row("failing mutation field propagates", "mutation { a: increment fail }",
            J("{'data':null,'errors':[{'message':'Mutation "
              "failed.','locations':[{'line':1,'column':25}],'path':['fail']}]}"));
        row("deprecated field still resolves", "{ version }", J("{'data':{'version':'1.0'}}"));
        row("string escapes in output", "{ echo(s: \"quote\\\" tab\\t \\u00e9\") }",
            J("{'data':{'echo':'{\\'s\\':\\'quote\\\\\\' tab\\\\t é\\'}'}}"));
    }

    void executesQueries()
    {
        QFETCH(QString, query);
        QFETCH(QString, variables);
        QFETCH(QString, operationName);
        QFETCH(QString, expected);
        const QJsonObject vars = QJsonDocument::fromJson(variables.toUtf8()).object();
        const QByteArray actual = testschema::run(m_schema, query, vars, operationName);
        QCOMPARE(QString::fromUtf8(actual), expected);
    }

    void reportsRequestErrors_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("variables");
        QTest::addColumn<QString>("operationName");
        QTest::addColumn<QString>("message");

        auto row = [](const char *name, const char *query, const char *message,
                      const QString &variables = QStringLiteral("{}"), const char *operationName = "") {
            QTest::newRow(name) << QString::fromUtf8(query) << variables << QString::fromUtf8(operationName)
                                << QString::fromUtf8(message);
        };
        row("syntax error", "{ hero { name }", "Syntax Error: Expected Name, found <EOF>.");
        row("operation name required", "query A { version } query B { version }",
            "Must provide operation name if query contains multiple operations.");
        row("unknown operation", "query A { version }", "Unknown operation named \"C\".",
            QStringLiteral("{}"), "C");
        row("required variable missing", "query ($id: ID!) { human(id: $id) { name } }",
            "Variable \"$id\" of required type \"ID!\" was not provided.");
        row("non-null variable null", "query ($id: ID!) { human(id: $id) { name } }",
            "Variable \"$id\" of non-null type \"ID!\" must not be null.", J("{'id':null}"));
        row("variable of wrong type", "query ($n: Int) { echo(n: $n) }",
            "Variable \"$n\" got invalid value \"x\"; Int cannot represent non-integer value: \"x\"",
            J("{'n':'x'}"));
        row("variable out of range", "query ($n: Int) { echo(n: $n) }",
            "Variable \"$n\" got invalid value 3000000000; Int cannot represent non 32-bit signed integer "
            "value: 3000000000",
            J("{'n':3000000000}"));
        row("nested variable error has path", "query ($i: EchoInput) { echo(input: $i) }",
            "Variable \"$i\" got invalid value 5 at \"i.nested.text\"; String cannot represent a non string "
            "value: 5",
            J("{'i':{'text':'a','nested':{'text':5}}}"));
        row("missing input field", "query ($i: EchoInput) { echo(input: $i) }",
            "Variable \"$i\" got invalid value {}; Field \"text\" of required type \"String!\" was not "
            "provided.",
            J("{'i':{}}"));
        row("unknown input field", "query ($i: EchoInput) { echo(input: $i) }",
            "Variable \"$i\" got invalid value { text: \"a\", txt: 1 }; Field \"txt\" is not defined by type "
            "\"EchoInput\". Did you mean \"text\"?",
            J("{'i':{'text':'a','txt':1}}"));
        row("enum variable unknown", "query ($e: Episode) { hero(episode: $e) { id } }",
            "Variable \"$e\" got invalid value \"EMPIR\"; Value \"EMPIR\" does not exist in \"Episode\" "
            "enum. Did you mean the enum value \"EMPIRE\"?",
            J("{'e':'EMPIR'}"));
        row("validation error", "{ hero { nam } }",
            "Cannot query field \"nam\" on type \"Character\". Did you mean \"name\"?");
    }

    void reportsRequestErrors()
    {
        QFETCH(QString, query);
        QFETCH(QString, variables);
        QFETCH(QString, operationName);
        QFETCH(QString, message);
        Engine engine(m_schema);
        Request request;
        request.query = query;
        request.variables = QJsonDocument::fromJson(variables.toUtf8()).object();
        request.operationName = operationName;
        const ExecutionResult result = engine.run(request);
        QVERIFY(result.requestError);
        QVERIFY(!result.hasData());
        QVERIFY2(!result.errors.isEmpty(), result.toJsonBytes().constData());
        QCOMPARE(result.errors.first().message, message);
        QVERIFY(!result.toJson().contains(QLatin1StringView("data")));
    }

    void refusesMutationsWhenNotAllowed()
    {
        Engine engine(m_schema);
        Request request;
        request.query = QStringLiteral("mutation { increment }");
        request.allowMutations = false;
        const ExecutionResult result = engine.run(request);
        QVERIFY(result.requestError);
        QCOMPARE(result.errors.value(0).message,
                 QStringLiteral("Can only perform a mutation operation from a POST request."));
    }

    void passesContextToResolvers()
    {
        SchemaBuilder b;
        QVERIFY(
            b.addSdl(QStringLiteral("type Query { who: String  path: [Item] } type Item { where: String }"))
                .ok());
        b.resolve(QStringLiteral("Query"), QStringLiteral("who"),
                  [](const Value &, const QJsonObject &, const Context &ctx) -> FieldResult {
                      const QString *role = ctx.get<QString>();
                      return Value(role ? *role : QStringLiteral("none"));
                  });
        b.resolve(QStringLiteral("Query"), QStringLiteral("path"),
                  [](const Value &, const QJsonObject &, const Context &ctx) -> FieldResult {
                      return Value::list({ Value::source(ctx.selectedFields().join(QLatin1Char(','))) });
                  });
        b.resolve(QStringLiteral("Item"), QStringLiteral("where"),
                  [](const Value &parent, const QJsonObject &, const Context &ctx) -> FieldResult {
                      return Value(QString::fromUtf8(QJsonDocument(ctx.path()).toJson(QJsonDocument::Compact))
                                   + QLatin1Char(' ') + ctx.parentTypeName() + QLatin1Char('.')
                                   + ctx.fieldName() + QLatin1Char(' ') + *parent.as<QString>());
                  });
        auto schema = b.build();
        QVERIFY2(schema.ok(), qPrintable(schema.ok() ? QString() : schema.error().message));
        Engine engine(*schema);
        Request request;
        request.query = QStringLiteral("{ who path { where } }");
        request.context = QStringLiteral("admin");
        QCOMPARE(
            QString::fromUtf8(engine.run(request).toJsonBytes()),
            J("{'data':{'who':'admin','path':[{'where':'[\\'path\\',0,\\'where\\'] Item.where where'}]}}"));
    }

    void resolvesAbstractTypesWithTypeResolver()
    {
        SchemaBuilder b;
        QVERIFY(b
                    .addSdl(QStringLiteral(
                        "type Query { pet(kind: String!): Pet } interface Pet { name: String } "
                        "type Cat implements Pet { name: String lives: Int } "
                        "type Dog implements Pet { name: String barks: Boolean } type Fish { name: String }"))
                    .ok());
        b.resolve(QStringLiteral("Query"), QStringLiteral("pet"),
                  [](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                      return Value(
                          QJsonObject { { QStringLiteral("kind"), args.value(QLatin1StringView("kind")) },
                                        { QStringLiteral("name"), QStringLiteral("Rex") },
                                        { QStringLiteral("lives"), 9 } });
                  });
        b.resolveType(QStringLiteral("Pet"), [](const Value &v, const Context &) {
            return v.json().toObject().value(QLatin1StringView("kind")).toString();
        });
        auto schema = b.build();
        QVERIFY(schema.ok());
        QCOMPARE(
            testschema::run(*schema, QStringLiteral("{ pet(kind: \"Cat\") { name ... on Cat { lives } } }")),
            J("{'data':{'pet':{'name':'Rex','lives':9}}}").toUtf8());
        QCOMPARE(testschema::run(*schema, QStringLiteral("{ pet(kind: \"Fish\") { name } }")),
                 J("{'data':{'pet':null},'errors':[{'message':'Runtime Object type \\'Fish\\' is not a "
                   "possible type for \\'Pet\\'.','locations':[{'line':1,'column':3}],'path':['pet']}]}")
                     .toUtf8());
        QCOMPARE(testschema::run(*schema, QStringLiteral("{ pet(kind: \"\") { name } }")).left(62),
                 J("{'data':{'pet':null},'errors':[{'message':'Abstract type \\'Pet").toUtf8());
    }

    void serializesLeafValuesStrictly()
    {
        SchemaBuilder b;
        QVERIFY(b.addSdl(QStringLiteral("type Query { i: Int f: Float s: String b: Boolean id: ID e: E big: "
                                        "Int obj: String list: [Int] notList: [Int] } enum E { A B }"))
                    .ok());
        auto constant = [&](const char *field, Value v) {
            b.resolve(QStringLiteral("Query"), QString::fromLatin1(field),
                      [v](const Value &, const QJsonObject &, const Context &) -> FieldResult { return v; });
        };
        constant("i", Value(2.0));
        constant("f", Value(QStringLiteral("1.5")));
        constant("s", Value(12));
        constant("b", Value(0));
        constant("id", Value(7));
        constant("e", Value(QStringLiteral("C")));
        constant("big", Value(qint64(1) << 40));
        constant("obj", Value(QJsonObject { { QStringLiteral("a"), 1 } }));
        constant("list", Value(QJsonArray { 1, 2 }));
        constant("notList", Value(5));
        auto schema = b.build();
        QVERIFY(schema.ok());
        const QJsonObject result =
            QJsonDocument::fromJson(
                testschema::run(*schema, QStringLiteral("{ i f s b id e big obj list notList }")))
                .object();
        const QJsonObject data = result.value(QLatin1StringView("data")).toObject();
        QCOMPARE(data.value(QLatin1StringView("i")).toInt(), 2);
        QCOMPARE(data.value(QLatin1StringView("f")).toDouble(), 1.5);
        QCOMPARE(data.value(QLatin1StringView("s")).toString(), QStringLiteral("12"));
        QCOMPARE(data.value(QLatin1StringView("b")).toBool(), false);
        QCOMPARE(data.value(QLatin1StringView("id")).toString(), QStringLiteral("7"));
        QVERIFY(data.value(QLatin1StringView("e")).isNull());
        QVERIFY(data.value(QLatin1StringView("big")).isNull());
        QVERIFY(data.value(QLatin1StringView("obj")).isNull());
        QCOMPARE(data.value(QLatin1StringView("list")).toArray(), (QJsonArray { 1, 2 }));
        QVERIFY(data.value(QLatin1StringView("notList")).isNull());
        QStringList messages;
        for (const QJsonValue &e : result.value(QLatin1StringView("errors")).toArray())
            messages.append(e.toObject().value(QLatin1StringView("message")).toString());
        QCOMPARE(
            messages,
            (QStringList {
                QStringLiteral("Enum \"E\" cannot represent value: \"C\""),
                QStringLiteral("Int cannot represent non 32-bit signed integer value: 1099511627776"),
                QStringLiteral("String cannot represent value: { a: 1 }"),
                QStringLiteral("Expected Iterable, but did not find one for field \"Query.notList\".") }));
    }

    void enforcesDepthAndComplexityLimits()
    {
        Limits limits;
        limits.maxDepth = 3;
        limits.maxComplexity = 6;
        Engine engine(m_schema, limits);
        Request ok;
        ok.query = QStringLiteral("{ hero { friends { name } } }");
        QVERIFY(!engine.run(ok).requestError);
        Request deep;
        deep.query = QStringLiteral("{ hero { friends { friends { name } } } }");
        QCOMPARE(engine.run(deep).errors.value(0).message,
                 QStringLiteral("The operation nests fields 4 levels deep; the limit is 3."));
        Request wide;
        // Each spread of F counts again: 2 × (1 + 2 × 2) = 10 fields.
        wide.query = QStringLiteral(
            "{ a: hero { ...F } b: hero { ...F } } fragment F on Character { friends { id name } }");
        QCOMPARE(engine.run(wide).errors.value(0).message,
                 QStringLiteral("The operation selects 8 fields; the limit is 6."));
    }

    void disablesIntrospectionOnRequest()
    {
        Limits limits;
        limits.introspection = false;
        Engine engine(m_schema, limits);
        Request request;
        request.query = QStringLiteral("{ __schema { queryType { name } } }");
        QCOMPARE(engine.run(request).errors.value(0).message,
                 QStringLiteral("GraphQL introspection is not allowed by this server."));
        request.query = QStringLiteral("{ __typename }");
        QVERIFY(!engine.run(request).requestError);
    }

private:
    Schema m_schema;
};

QTEST_GUILESS_MAIN(TestGraphqlExecution)
#include "tst_graphql_execution.moc"
