// A small schema exercising every kind of type, shared by the GraphQL engine's tests.
#pragma once

#include <lifdag/graphql/graphql.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace testschema {

using namespace lifdag::graphql;

inline const char *sdl()
{
    return R"SDL(
"The root of every query."
type Query {
  hero(episode: Episode = NEWHOPE): Character
  human(id: ID!): Human
  droid(id: ID!): Droid
  search(text: String!, limit: Int = 10): [SearchResult!]!
  characters(ids: [ID!]): [Character]
  echo(input: EchoInput, n: Int, f: Float, b: Boolean, s: String, list: [Int]): String
  failing: String
  failingNonNull: String!
  nonNullList: [Character!]
  version: String! @deprecated(reason: "Use build")
  build: Build!
  json: JSON
  node(id: ID!): Node
}

type Mutation {
  increment(by: Int! = 1): Int!
  fail: Int!
}

type Subscription {
  ticks: Int!
}

"""A thing with an id."""
interface Node {
  id: ID!
}

interface Character implements Node {
  id: ID!
  name: String!
  friends: [Character]
  appearsIn: [Episode!]!
}

type Human implements Character & Node {
  id: ID!
  name: String!
  friends: [Character]
  appearsIn: [Episode!]!
  homePlanet: String
  height(unit: LengthUnit = METER): Float
}

type Droid implements Character & Node {
  id: ID!
  name: String!
  friends: [Character]
  appearsIn: [Episode!]!
  primaryFunction: String
}

type Starship {
  id: ID!
  name: String!
  length: Float
}

union SearchResult = Human | Droid | Starship

enum Episode {
  NEWHOPE
  EMPIRE
  JEDI
  "Not in the original trilogy."
  PHANTOM @deprecated
}

enum LengthUnit { METER FOOT }

input EchoInput {
  text: String!
  times: Int = 1
  nested: EchoInput
  tags: [String!]
}

type Build {
  version: String!
  commit: String
}

"Any JSON value."
scalar JSON @specifiedBy(url: "https://www.json.org")
)SDL";
}

inline QJsonObject human(const QString &id, const QString &name, const QStringList &friends,
                         const QString &planet)
{
    return QJsonObject {
        { QStringLiteral("__typename"), QStringLiteral("Human") },
        { QStringLiteral("id"), id },
        { QStringLiteral("name"), name },
        { QStringLiteral("friendIds"), QJsonArray::fromStringList(friends) },
        { QStringLiteral("appearsIn"), QJsonArray { QStringLiteral("NEWHOPE"), QStringLiteral("EMPIRE") } },
        { QStringLiteral("homePlanet"), planet.isEmpty() ? QJsonValue() : QJsonValue(planet) },
        { QStringLiteral("height"), 1.72 }
    };
}

inline QJsonObject droid(const QString &id, const QString &name, const QStringList &friends,
                         const QString &function)
{
    return QJsonObject { { QStringLiteral("__typename"), QStringLiteral("Droid") },
                         { QStringLiteral("id"), id },
                         { QStringLiteral("name"), name },
                         { QStringLiteral("friendIds"), QJsonArray::fromStringList(friends) },
                         { QStringLiteral("appearsIn"),
                           QJsonArray { QStringLiteral("NEWHOPE"), QStringLiteral("JEDI") } },
                         { QStringLiteral("primaryFunction"), function } };
}

inline QHash<QString, QJsonObject> characters()
{
    QHash<QString, QJsonObject> c;
    c.insert(QStringLiteral("1000"),
             human(QStringLiteral("1000"), QStringLiteral("Luke Skywalker"),
                   { QStringLiteral("1002"), QStringLiteral("2001") }, QStringLiteral("Tatooine")));
    c.insert(
        QStringLiteral("1002"),
        human(QStringLiteral("1002"), QStringLiteral("Han Solo"), { QStringLiteral("1000") }, QString()));
    c.insert(QStringLiteral("2001"),
             droid(QStringLiteral("2001"), QStringLiteral("R2-D2"),
                   { QStringLiteral("1000"), QStringLiteral("9999") }, QStringLiteral("Astromech")));
    return c;
}

// Source objects for Starships (opaque values resolved by resolvers, not JSON).
struct Ship
{
    QString id;
    QString name;
    double length;
};

struct Counter
{
    int value = 0;
};

inline Schema build(std::shared_ptr<Counter> counter = std::make_shared<Counter>())
{
    SchemaBuilder b;
    const auto status = b.addSdl(QString::fromUtf8(sdl()));
    Q_ASSERT(status.ok());
    const auto db = characters();
    auto lookup = [db](const QString &id) -> Value {
        const auto it = db.constFind(id);
        return it == db.cend() ? Value() : Value(*it);
    };
    b.resolve(QStringLiteral("Query"), QStringLiteral("hero"),
              [lookup](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  return lookup(args.value(QLatin1StringView("episode")).toString()
                                        == QLatin1StringView("EMPIRE")
                                    ? QStringLiteral("1000")
                                    : QStringLiteral("2001"));
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("human"),
              [lookup](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  Value v = lookup(args.value(QLatin1StringView("id")).toString());
                  return v.typeName() == QLatin1StringView("Human") ? v : Value();
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("droid"),
              [lookup](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  Value v = lookup(args.value(QLatin1StringView("id")).toString());
                  return v.typeName() == QLatin1StringView("Droid") ? v : Value();
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("node"),
              [lookup](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  return lookup(args.value(QLatin1StringView("id")).toString());
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("characters"),
              [lookup](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  QList<Value> out;
                  for (const QJsonValue &id : args.value(QLatin1StringView("ids")).toArray())
                      out.append(lookup(id.toString()));
                  return Value::list(out);
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("search"),
              [db](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  const QString text = args.value(QLatin1StringView("text")).toString();
                  const int limit = args.value(QLatin1StringView("limit")).toInt();
                  QList<Value> out;
                  QStringList ids = db.keys();
                  ids.sort();
                  for (const QString &id : ids)
                      if (db.value(id).value(QLatin1StringView("name")).toString().contains(text))
                          out.append(Value(db.value(id)));
                  if (QStringLiteral("Millennium Falcon").contains(text))
                      out.append(Value::source(
                          Ship { QStringLiteral("3000"), QStringLiteral("Millennium Falcon"), 34.37 },
                          QStringLiteral("Starship")));
                  return Value::list(out.mid(0, limit));
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("echo"),
              [](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  return Value(QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)));
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("failing"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return lifdag::Error { QStringLiteral("TEST_FAILURE"),
                                         QStringLiteral("This field always fails.") };
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("failingNonNull"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return lifdag::Error { {}, QStringLiteral("Non-null failure.") };
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("nonNullList"),
              [lookup](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return Value::list({ lookup(QStringLiteral("1000")), lookup(QStringLiteral("missing")) });
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("version"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(QStringLiteral("1.0"));
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("build"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(QJsonObject { { QStringLiteral("version"), QStringLiteral("1.0") } });
              });
    b.resolve(QStringLiteral("Query"), QStringLiteral("json"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(QJsonObject { { QStringLiteral("a"), QJsonArray { 1, 2 } } });
              });
    auto friends = [lookup](const Value &parent, const QJsonObject &, const Context &) -> FieldResult {
        QList<Value> out;
        for (const QJsonValue &id : parent.json().toObject().value(QLatin1StringView("friendIds")).toArray())
            out.append(lookup(id.toString()));
        return Value::list(out);
    };
    b.resolve(QStringLiteral("Human"), QStringLiteral("friends"), friends);
    b.resolve(QStringLiteral("Droid"), QStringLiteral("friends"), friends);
    b.resolve(QStringLiteral("Human"), QStringLiteral("height"),
              [](const Value &parent, const QJsonObject &args, const Context &) -> FieldResult {
                  const double m = parent.json().toObject().value(QLatin1StringView("height")).toDouble();
                  return Value(args.value(QLatin1StringView("unit")).toString() == QLatin1StringView("FOOT")
                                   ? m * 3.28084
                                   : m);
              });
    b.resolve(QStringLiteral("Starship"), QStringLiteral("id"),
              [](const Value &p, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(p.as<Ship>()->id);
              });
    b.resolve(QStringLiteral("Starship"), QStringLiteral("name"),
              [](const Value &p, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(p.as<Ship>()->name);
              });
    b.resolve(QStringLiteral("Starship"), QStringLiteral("length"),
              [](const Value &p, const QJsonObject &, const Context &) -> FieldResult {
                  return Value(p.as<Ship>()->length);
              });
    b.resolve(QStringLiteral("Mutation"), QStringLiteral("increment"),
              [counter](const Value &, const QJsonObject &args, const Context &) -> FieldResult {
                  counter->value += args.value(QLatin1StringView("by")).toInt();
                  return Value(counter->value);
              });
    b.resolve(QStringLiteral("Mutation"), QStringLiteral("fail"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult {
                  return lifdag::Error { {}, QStringLiteral("Mutation failed.") };
              });
    b.resolve(QStringLiteral("Subscription"), QStringLiteral("ticks"),
              [](const Value &, const QJsonObject &, const Context &) -> FieldResult { return Value(1); });
    auto built = b.build();
    if (!built.ok())
        qFatal("test schema: %s", qPrintable(built.error().message));
    return built.value();
}

// Runs `query` and returns the response as compact JSON text (members in query order).
inline QByteArray run(const Schema &schema, const QString &query, const QJsonObject &variables = {},
                      const QString &operationName = {})
{
    Engine engine(schema);
    Request request;
    request.query = query;
    request.variables = variables;
    request.operationName = operationName;
    return engine.run(request).toJsonBytes();
}

} // namespace testschema

// JSON written with ' for " (so test tables need neither escapes nor raw strings, which moc
// mis-reads).
inline QString J(const char *text)
{
    return QString::fromUtf8(text).replace(QLatin1Char('\''), QLatin1Char('"'));
}
