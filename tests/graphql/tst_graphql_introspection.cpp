// Introspection and schema building: __schema/__type answers, schema printing, and the checks
// build() makes on a type system.
#include "testschema.h"

#include <QtTest>

using namespace lifdag::graphql;

namespace {

QJsonObject data(const Schema &schema, const QString &query)
{
    const QJsonObject response = QJsonDocument::fromJson(testschema::run(schema, query)).object();
    if (response.contains(QLatin1StringView("errors")))
        qWarning("%s", QJsonDocument(response).toJson().constData());
    return response.value(QLatin1StringView("data")).toObject();
}

QString readData(const QString &name)
{
    QFile f(QStringLiteral(LIFDAG_TEST_DATA_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(name));
    return QString::fromUtf8(f.readAll());
}

QStringList names(const QJsonValue &list)
{
    QStringList out;
    for (const QJsonValue &v : list.toArray())
        out.append(v.toObject().value(QLatin1StringView("name")).toString());
    return out;
}

} // namespace

class TestGraphqlIntrospection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { m_schema = testschema::build(); }

    void answersSchemaQuestions()
    {
        const QJsonObject s =
            data(m_schema,
                 QStringLiteral("{ __schema { queryType { name } mutationType { name } "
                                "subscriptionType { name } directives { name isRepeatable locations } } }"))
                .value(QLatin1StringView("__schema"))
                .toObject();
        QCOMPARE(
            s.value(QLatin1StringView("queryType")).toObject().value(QLatin1StringView("name")).toString(),
            QStringLiteral("Query"));
        QCOMPARE(
            s.value(QLatin1StringView("mutationType")).toObject().value(QLatin1StringView("name")).toString(),
            QStringLiteral("Mutation"));
        QCOMPARE(s.value(QLatin1StringView("subscriptionType"))
                     .toObject()
                     .value(QLatin1StringView("name"))
                     .toString(),
                 QStringLiteral("Subscription"));
        QCOMPARE(names(s.value(QLatin1StringView("directives"))),
                 (QStringList { QStringLiteral("include"), QStringLiteral("skip"),
                                QStringLiteral("deprecated"), QStringLiteral("specifiedBy") }));
        const QJsonObject skip = s.value(QLatin1StringView("directives")).toArray().at(1).toObject();
        QCOMPARE(skip.value(QLatin1StringView("isRepeatable")).toBool(), false);
        QCOMPARE(skip.value(QLatin1StringView("locations")).toArray(),
                 (QJsonArray { QStringLiteral("FIELD"), QStringLiteral("FRAGMENT_SPREAD"),
                               QStringLiteral("INLINE_FRAGMENT") }));
    }

    void describesObjectsInterfacesAndUnions()
    {
        const QJsonObject d = data(m_schema, QStringLiteral(R"({
            human: __type(name: "Human") { kind interfaces { name } fields { name } }
            character: __type(name: "Character") { kind possibleTypes { name } interfaces { name } }
            node: __type(name: "Node") { possibleTypes { name } description }
            result: __type(name: "SearchResult") { kind possibleTypes { name } fields { name } }
            missing: __type(name: "Nope") { name }
        })"));
        const QJsonObject human = d.value(QLatin1StringView("human")).toObject();
        QCOMPARE(human.value(QLatin1StringView("kind")).toString(), QStringLiteral("OBJECT"));
        QCOMPARE(names(human.value(QLatin1StringView("interfaces"))),
                 (QStringList { QStringLiteral("Character"), QStringLiteral("Node") }));
        QCOMPARE(names(human.value(QLatin1StringView("fields"))).size(), 6);
        const QJsonObject character = d.value(QLatin1StringView("character")).toObject();
        QCOMPARE(character.value(QLatin1StringView("kind")).toString(), QStringLiteral("INTERFACE"));
        QCOMPARE(names(character.value(QLatin1StringView("possibleTypes"))),
                 (QStringList { QStringLiteral("Human"), QStringLiteral("Droid") }));
        QCOMPARE(names(character.value(QLatin1StringView("interfaces"))),
                 QStringList { QStringLiteral("Node") });
        QCOMPARE(
            names(d.value(QLatin1StringView("node")).toObject().value(QLatin1StringView("possibleTypes"))),
            (QStringList { QStringLiteral("Human"), QStringLiteral("Droid") }));
        QCOMPARE(
            d.value(QLatin1StringView("node")).toObject().value(QLatin1StringView("description")).toString(),
            QStringLiteral("A thing with an id."));
        const QJsonObject result = d.value(QLatin1StringView("result")).toObject();
        QCOMPARE(result.value(QLatin1StringView("kind")).toString(), QStringLiteral("UNION"));
        QCOMPARE(
            names(result.value(QLatin1StringView("possibleTypes"))),
            (QStringList { QStringLiteral("Human"), QStringLiteral("Droid"), QStringLiteral("Starship") }));
        QVERIFY(result.value(QLatin1StringView("fields")).isNull());
        QVERIFY(d.value(QLatin1StringView("missing")).isNull());
    }

    void unwrapsListAndNonNullTypes()
    {
        const QJsonObject d = data(
            m_schema,
            QStringLiteral(
                R"({ __type(name: "Query") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } })"));
        for (const QJsonValue &f :
             d.value(QLatin1StringView("__type")).toObject().value(QLatin1StringView("fields")).toArray()) {
            if (f.toObject().value(QLatin1StringView("name")).toString() != QLatin1StringView("search"))
                continue;
            const QJsonObject t = f.toObject().value(QLatin1StringView("type")).toObject();
            QCOMPARE(t.value(QLatin1StringView("kind")).toString(), QStringLiteral("NON_NULL"));
            QVERIFY(t.value(QLatin1StringView("name")).isNull());
            const QJsonObject list = t.value(QLatin1StringView("ofType")).toObject();
            QCOMPARE(list.value(QLatin1StringView("kind")).toString(), QStringLiteral("LIST"));
            const QJsonObject item = list.value(QLatin1StringView("ofType")).toObject();
            QCOMPARE(item.value(QLatin1StringView("kind")).toString(), QStringLiteral("NON_NULL"));
            const QJsonObject named = item.value(QLatin1StringView("ofType")).toObject();
            QCOMPARE(named.value(QLatin1StringView("kind")).toString(), QStringLiteral("UNION"));
            QCOMPARE(named.value(QLatin1StringView("name")).toString(), QStringLiteral("SearchResult"));
            return;
        }
        QFAIL("Query.search not found");
    }

    void filtersDeprecatedUnlessAsked()
    {
        const QJsonObject d = data(m_schema, QStringLiteral(R"({
            ep: __type(name: "Episode") { a: enumValues { name } b: enumValues(includeDeprecated: true) { name isDeprecated deprecationReason description } }
            q: __type(name: "Query") { a: fields { name } b: fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
        })"));
        const QJsonObject ep = d.value(QLatin1StringView("ep")).toObject();
        QCOMPARE(names(ep.value(QLatin1StringView("a"))).size(), 3);
        const QJsonArray all = ep.value(QLatin1StringView("b")).toArray();
        QCOMPARE(all.size(), 4);
        const QJsonObject phantom = all.at(3).toObject();
        QCOMPARE(phantom.value(QLatin1StringView("isDeprecated")).toBool(), true);
        QCOMPARE(phantom.value(QLatin1StringView("deprecationReason")).toString(),
                 QStringLiteral("No longer supported"));
        QCOMPARE(phantom.value(QLatin1StringView("description")).toString(),
                 QStringLiteral("Not in the original trilogy."));
        const QJsonObject q = d.value(QLatin1StringView("q")).toObject();
        QVERIFY(!names(q.value(QLatin1StringView("a"))).contains(QStringLiteral("version")));
        for (const QJsonValue &f : q.value(QLatin1StringView("b")).toArray())
            if (f.toObject().value(QLatin1StringView("name")).toString() == QLatin1StringView("version"))
                QCOMPARE(f.toObject().value(QLatin1StringView("deprecationReason")).toString(),
                         QStringLiteral("Use build"));
    }

    void printsDefaultValuesAsLiterals()
    {
        const QJsonObject d = data(m_schema, QStringLiteral(R"({
            q: __type(name: "Query") { fields { name args { name defaultValue } } }
            i: __type(name: "EchoInput") { inputFields { name defaultValue type { name } } }
            j: __type(name: "JSON") { specifiedByURL kind }
        })"));
        QMap<QString, QJsonValue> defaults;
        for (const QJsonValue &f :
             d.value(QLatin1StringView("q")).toObject().value(QLatin1StringView("fields")).toArray())
            for (const QJsonValue &a : f.toObject().value(QLatin1StringView("args")).toArray())
                defaults.insert(f.toObject().value(QLatin1StringView("name")).toString() + QLatin1Char('.')
                                    + a.toObject().value(QLatin1StringView("name")).toString(),
                                a.toObject().value(QLatin1StringView("defaultValue")));
        QCOMPARE(defaults.value(QStringLiteral("hero.episode")).toString(), QStringLiteral("NEWHOPE"));
        QCOMPARE(defaults.value(QStringLiteral("search.limit")).toString(), QStringLiteral("10"));
        QVERIFY(defaults.value(QStringLiteral("search.text")).isNull());
        const QJsonArray inputFields =
            d.value(QLatin1StringView("i")).toObject().value(QLatin1StringView("inputFields")).toArray();
        QCOMPARE(inputFields.at(1).toObject().value(QLatin1StringView("defaultValue")).toString(),
                 QStringLiteral("1"));
        QCOMPARE(
            d.value(QLatin1StringView("j")).toObject().value(QLatin1StringView("specifiedByURL")).toString(),
            QStringLiteral("https://www.json.org"));
    }

    void printsSchemaLikeGraphqlJs()
    {
        SchemaBuilder b;
        QVERIFY(b.addSdl(readData(QStringLiteral("printschema.graphql"))).ok());
        b.resolve(QStringLiteral("Root"), QStringLiteral("a"),
                  [](const Value &, const QJsonObject &, const Context &) -> FieldResult { return Value(); });
        auto schema = b.build();
        QVERIFY2(schema.ok(), qPrintable(schema.ok() ? QString() : schema.error().message));
        QCOMPARE(schema->printSdl(), readData(QStringLiteral("printschema.expected")));
    }

    void buildsFromTheBuilderApi()
    {
        SchemaBuilder b;
        b.interfaceType(QStringLiteral("Named")).field(QStringLiteral("name"), QStringLiteral("String!"));
        b.objectType(QStringLiteral("Item"), QStringLiteral("An item."))
            .implements(QStringLiteral("Named"))
            .field(QStringLiteral("name"), QStringLiteral("String!"))
            .field(QStringLiteral("size"), QStringLiteral("Int"))
            .arg(QStringLiteral("unit"), QStringLiteral("Unit"), QJsonValue(QStringLiteral("CM")),
                 QStringLiteral("Unit of length."))
            .resolve([](const Value &parent, const QJsonObject &args, const Context &) -> FieldResult {
                const int cm = parent.json().toObject().value(QLatin1StringView("cm")).toInt();
                return Value(args.value(QLatin1StringView("unit")).toString() == QLatin1StringView("MM")
                                 ? cm * 10
                                 : cm);
            })
            .field(QStringLiteral("old"), QStringLiteral("Int"))
            .deprecated();
        b.enumType(QStringLiteral("Unit"))
            .value(QStringLiteral("CM"))
            .value(QStringLiteral("MM"), QStringLiteral("Millimetres"));
        b.inputType(QStringLiteral("Filter"))
            .inputField(QStringLiteral("prefix"), QStringLiteral("String"), QJsonValue(QStringLiteral("")));
        b.unionType(QStringLiteral("Any"), { QStringLiteral("Item") });
        b.objectType(QStringLiteral("Query"))
            .field(QStringLiteral("items"), QStringLiteral("[Item!]!"))
            .arg(QStringLiteral("filter"), QStringLiteral("Filter"))
            .resolve([](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                const QString prefix = args.value(QLatin1StringView("filter"))
                                           .toObject()
                                           .value(QLatin1StringView("prefix"))
                                           .toString();
                QJsonArray out;
                for (const char *name : { "apple", "avocado", "banana" })
                    if (QString::fromLatin1(name).startsWith(prefix))
                        out.append(QJsonObject { { QStringLiteral("name"), QString::fromLatin1(name) },
                                                 { QStringLiteral("cm"), 7 } });
                return Value(out);
            });
        auto schema = b.build();
        QVERIFY2(schema.ok(), qPrintable(schema.ok() ? QString() : schema.error().message));
        QCOMPARE(testschema::run(
                     *schema, QStringLiteral("{ items(filter: {prefix: \"a\"}) { name size(unit: MM) } }")),
                 J("{'data':{'items':[{'name':'apple','size':70},{'name':'avocado','size':70}]}}").toUtf8());
        QVERIFY(schema->printSdl().contains(
            QStringLiteral("  \"\"\"Unit of length.\"\"\"\n    unit: Unit = CM\n")));
        QVERIFY(schema->printSdl().contains(QStringLiteral("old: Int @deprecated")));
    }

    void rejectsBrokenTypeSystems_data()
    {
        QTest::addColumn<QString>("sdl");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown type")
            << QStringLiteral("type Query { a: Nope }") << QStringLiteral("Query.a: unknown type \"Nope\".");
        QTest::newRow("input in output position")
            << QStringLiteral("type Query { a: I } input I { x: Int }")
            << QStringLiteral("The type of Query.a must be Output Type but got: I.");
        QTest::newRow("output in input position")
            << QStringLiteral("type Query { a(x: Query): Int }")
            << QStringLiteral("The type of Query.a(x:) must be Input Type but got: Query.");
        QTest::newRow("missing interface field")
            << QStringLiteral("type Query { a: Int } interface I { x: Int } type T implements I { y: Int }")
            << QStringLiteral("Interface field I.x expected but T does not provide it.");
        QTest::newRow("incompatible interface field")
            << QStringLiteral(
                   "type Query { a: Int } interface I { x: Int } type T implements I { x: String }")
            << QStringLiteral("Interface field I.x expects type Int but T.x is type String.");
        QTest::newRow("union of scalars")
            << QStringLiteral("type Query { a: U } union U = String")
            << QStringLiteral("Union type U can only include Object types, it cannot include String.");
        QTest::newRow("duplicate type") << QStringLiteral("type Query { a: Int } type Query { b: Int }")
                                        << QStringLiteral("1:23: there can be only one type named \"Query\"");
        QTest::newRow("no query type") << QStringLiteral("type Other { a: Int }")
                                       << QStringLiteral("Root type \"Query\" is not defined.");
        QTest::newRow("bad default") << QStringLiteral("type Query { a(x: Int = \"one\"): Int }")
                                     << QStringLiteral("Query.a(x:) has an invalid default value: Int cannot "
                                                       "represent non-integer value: \"one\"");
        QTest::newRow("reserved name")
            << QStringLiteral("type Query { a: Int } type __Mine { a: Int }")
            << QStringLiteral(
                   "Name \"__Mine\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    }

    void rejectsBrokenTypeSystems()
    {
        QFETCH(QString, sdl);
        QFETCH(QString, message);
        SchemaBuilder b;
        const auto status = b.addSdl(sdl);
        if (!status.ok()) {
            QVERIFY2(status.error().message.contains(message), qPrintable(status.error().message));
            return;
        }
        auto schema = b.build();
        QVERIFY(!schema.ok());
        QVERIFY2(schema.error().message.contains(message), qPrintable(schema.error().message));
    }

    void rejectsResolversForUnknownFields()
    {
        SchemaBuilder b;
        QVERIFY(b.addSdl(QStringLiteral("type Query { a: Int }")).ok());
        b.resolve(QStringLiteral("Query"), QStringLiteral("b"),
                  [](const Value &, const QJsonObject &, const Context &) -> FieldResult { return Value(); });
        auto schema = b.build();
        QVERIFY(!schema.ok());
        QCOMPARE(schema.error().message,
                 QStringLiteral("Resolver for Query.b: the type has no field \"b\"."));
    }

    void appliesCustomScalarCodecs()
    {
        SchemaBuilder b;
        QVERIFY(b.addSdl(QStringLiteral("type Query { double(x: Doubled!): Doubled } scalar Doubled")).ok());
        b.scalarCodec(QStringLiteral("Doubled"),
                      ScalarCodec { [](const Value &v) -> lifdag::Result<QJsonValue> {
                                       return QJsonValue(v.json().toInt() * 2);
                                   },
                                    [](const QJsonValue &in) -> lifdag::Result<QJsonValue> {
                                        if (!in.isDouble())
                                            return lifdag::Error { {}, QStringLiteral("needs a number") };
                                        return QJsonValue(in.toInt() + 1);
                                    } });
        b.resolve(QStringLiteral("Query"), QStringLiteral("double"),
                  [](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                      return Value(args.value(QLatin1StringView("x")));
                  });
        auto schema = b.build();
        QVERIFY(schema.ok());
        QCOMPARE(testschema::run(*schema, QStringLiteral("{ double(x: 4) }")),
                 QByteArray("{\"data\":{\"double\":10}}"));
        QCOMPARE(testschema::run(*schema, QStringLiteral("query ($x: Doubled!) { double(x: $x) }"),
                                 QJsonObject { { QStringLiteral("x"), 1 } }),
                 QByteArray("{\"data\":{\"double\":4}}"));
        const QByteArray bad = testschema::run(*schema, QStringLiteral("{ double(x: \"a\") }"));
        QVERIFY2(bad.contains("Expected value of type \\\"Doubled!\\\", found \\\"a\\\"; needs a number"),
                 bad.constData());
    }

private:
    Schema m_schema;
};

QTEST_GUILESS_MAIN(TestGraphqlIntrospection)
#include "tst_graphql_introspection.moc"
