// Introspection: the spec's __Schema/__Type/__Field/__InputValue/__EnumValue/__Directive types,
// resolved over the built SchemaData.
#include "introspection_p.h"

#include <lifdag/graphql/execute.h>

namespace lifdag::graphql {

namespace detail {

QString introspectionSdl()
{
    return QStringLiteral(R"SDL(
"Directs the executor to include this field or fragment only when the `if` argument is true."
directive @include("Included when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT

"Directs the executor to skip this field or fragment when the `if` argument is true."
directive @skip("Skipped when true." if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT

"Marks an element of a GraphQL schema as no longer supported."
directive @deprecated(
  "Explains why this element was deprecated, usually also including a suggestion for how to access supported similar data. Formatted using the Markdown syntax, as specified by [CommonMark](https://commonmark.org/)."
  reason: String = "No longer supported"
) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE

"Exposes a URL that specifies the behavior of this scalar."
directive @specifiedBy("The URL that specifies the behavior of this scalar." url: String!) on SCALAR

"A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, as well as the entry points for query, mutation, and subscription operations."
type __Schema {
  description: String
  "A list of all types supported by this server."
  types: [__Type!]!
  "The type that query operations will be rooted at."
  queryType: __Type!
  "If this server supports mutation, the type that mutation operations will be rooted at."
  mutationType: __Type
  "If this server support subscription, the type that subscription operations will be rooted at."
  subscriptionType: __Type
  "A list of all directives supported by this server."
  directives: [__Directive!]!
}

"""
The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.

Depending on the kind of a type, certain fields describe information about that type. Scalar types provide no information beyond a name, description and optional `specifiedByURL`, while Enum types provide their values. Object and Interface types provide the fields they describe. Abstract types, Union and Interface, provide the Object types possible at runtime. List and NonNull types compose other types.
"""
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!]
  ofType: __Type
}

"An enum describing what kind of type a given `__Type` is."
enum __TypeKind {
  "Indicates this type is a scalar."
  SCALAR
  "Indicates this type is an object. `fields` and `interfaces` are valid fields."
  OBJECT
  "Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields."
  INTERFACE
  "Indicates this type is a union. `possibleTypes` is a valid field."
  UNION
  "Indicates this type is an enum. `enumValues` is a valid field."
  ENUM
  "Indicates this type is an input object. `inputFields` is a valid field."
  INPUT_OBJECT
  "Indicates this type is a list. `ofType` is a valid field."
  LIST
  "Indicates this type is a non-null. `ofType` is a valid field."
  NON_NULL
}

"Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type."
type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}

"Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value."
type __InputValue {
  name: String!
  description: String
  type: __Type!
  "A GraphQL-formatted string representing the default value for this input value."
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}

"One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value. However an Enum value is returned in a JSON response as a string."
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}

"""
A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.

In some cases, you need to provide options to alter GraphQL's execution behavior in ways field arguments will not suffice, such as conditionally including or skipping a field. Directives provide this by describing additional information to the executor.
"""
type __Directive {
  name: String!
  description: String
  isRepeatable: Boolean!
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]!
}

"A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies."
enum __DirectiveLocation {
  "Location adjacent to a query operation."
  QUERY
  "Location adjacent to a mutation operation."
  MUTATION
  "Location adjacent to a subscription operation."
  SUBSCRIPTION
  "Location adjacent to a field."
  FIELD
  "Location adjacent to a fragment definition."
  FRAGMENT_DEFINITION
  "Location adjacent to a fragment spread."
  FRAGMENT_SPREAD
  "Location adjacent to an inline fragment."
  INLINE_FRAGMENT
  "Location adjacent to a variable definition."
  VARIABLE_DEFINITION
  "Location adjacent to a schema definition."
  SCHEMA
  "Location adjacent to a scalar definition."
  SCALAR
  "Location adjacent to an object type definition."
  OBJECT
  "Location adjacent to a field definition."
  FIELD_DEFINITION
  "Location adjacent to an argument definition."
  ARGUMENT_DEFINITION
  "Location adjacent to an interface definition."
  INTERFACE
  "Location adjacent to a union definition."
  UNION
  "Location adjacent to an enum definition."
  ENUM
  "Location adjacent to an enum value definition."
  ENUM_VALUE
  "Location adjacent to an input object type definition."
  INPUT_OBJECT
  "Location adjacent to an input object field definition."
  INPUT_FIELD_DEFINITION
}
)SDL");
}

namespace {

Value str(const QString &s)
{
    return s.isEmpty() ? Value() : Value(s);
}

Value typeValue(const TypeRef &ref)
{
    return ref.isNull() ? Value() : Value::source(ref);
}

Value typeList(const std::vector<const NamedType *> &types)
{
    QList<Value> out;
    for (const NamedType *t : types)
        out.append(Value::source(TypeRef { t, {} }));
    return Value::list(std::move(out));
}

Value inputValues(const std::vector<InputValueDef> &values, const QJsonObject &args)
{
    const bool includeDeprecated = args.value(QLatin1StringView("includeDeprecated")).toBool();
    QList<Value> out;
    for (const InputValueDef &v : values)
        if (includeDeprecated || !v.deprecated)
            out.append(Value::source(&v));
    return Value::list(std::move(out));
}

QString kindName(const TypeRef &t)
{
    if (t.isNonNull())
        return QStringLiteral("NON_NULL");
    if (t.isList())
        return QStringLiteral("LIST");
    switch (t.named->kind) {
    case TypeKind::Scalar:
        return QStringLiteral("SCALAR");
    case TypeKind::Object:
        return QStringLiteral("OBJECT");
    case TypeKind::Interface:
        return QStringLiteral("INTERFACE");
    case TypeKind::Union:
        return QStringLiteral("UNION");
    case TypeKind::Enum:
        return QStringLiteral("ENUM");
    case TypeKind::InputObject:
        return QStringLiteral("INPUT_OBJECT");
    }
    return {};
}

FieldDef *field(SchemaData &data, const char *type, const char *name)
{
    auto *t = const_cast<NamedType *>(data.type(QString::fromLatin1(type)));
    Q_ASSERT(t);
    const int i = t->fieldIndex.value(QString::fromLatin1(name), -1);
    Q_ASSERT(i >= 0);
    return &t->fields[size_t(i)];
}

template<typename T> const T &src(const Value &v)
{
    return *v.as<T>();
}

} // namespace

void installIntrospection(SchemaData &data)
{
    const SchemaData *schema = &data;
    using Args = const QJsonObject &;
    using Ctx = const Context &;

    // __Schema (the source is the SchemaData itself)
    field(data, "__Schema", "description")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        return str(schema->description);
    };
    field(data, "__Schema", "types")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        std::vector<const NamedType *> all;
        for (const auto &t : schema->types)
            all.push_back(t.get());
        return typeList(all);
    };
    field(data, "__Schema", "queryType")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        return typeValue(TypeRef { schema->query, {} });
    };
    field(data, "__Schema", "mutationType")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        return typeValue(TypeRef { schema->mutation, {} });
    };
    field(data, "__Schema", "subscriptionType")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        return typeValue(TypeRef { schema->subscription, {} });
    };
    field(data, "__Schema", "directives")->resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        QList<Value> out;
        for (const DirectiveDef &d : schema->directives)
            out.append(Value::source(&d));
        return Value::list(std::move(out));
    };

    // __Type
    field(data, "__Type", "kind")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(kindName(src<TypeRef>(p)));
    };
    field(data, "__Type", "name")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        return t.isNamed() ? Value(t.named->name) : Value();
    };
    field(data, "__Type", "description")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        return t.isNamed() ? str(t.named->description) : Value();
    };
    field(data, "__Type", "specifiedByURL")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        return t.isNamed() && t.named->kind == TypeKind::Scalar ? str(t.named->specifiedByUrl) : Value();
    };
    field(data, "__Type", "fields")->resolve = [](const Value &p, Args args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        if (!t.isNamed() || !t.named->hasFields())
            return Value();
        const bool includeDeprecated = args.value(QLatin1StringView("includeDeprecated")).toBool();
        QList<Value> out;
        for (const FieldDef &f : t.named->fields)
            if (includeDeprecated || !f.deprecated)
                out.append(Value::source(&f));
        return Value::list(std::move(out));
    };
    field(data, "__Type", "interfaces")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        if (!t.isNamed() || !t.named->hasFields())
            return Value();
        return typeList(t.named->interfaces);
    };
    field(data, "__Type", "possibleTypes")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        if (!t.isNamed() || !t.named->isAbstract())
            return Value();
        return typeList(t.named->possibleTypes);
    };
    field(data, "__Type", "enumValues")->resolve = [](const Value &p, Args args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        if (!t.isNamed() || t.named->kind != TypeKind::Enum)
            return Value();
        const bool includeDeprecated = args.value(QLatin1StringView("includeDeprecated")).toBool();
        QList<Value> out;
        for (const EnumValueDef &v : t.named->enumValues)
            if (includeDeprecated || !v.deprecated)
                out.append(Value::source(&v));
        return Value::list(std::move(out));
    };
    field(data, "__Type", "inputFields")->resolve = [](const Value &p, Args args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        if (!t.isNamed() || t.named->kind != TypeKind::InputObject)
            return Value();
        return inputValues(t.named->inputFields, args);
    };
    field(data, "__Type", "ofType")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const TypeRef &t = src<TypeRef>(p);
        return t.isNamed() ? Value() : typeValue(t.ofType());
    };

    // __Field
    using FieldPtr = const FieldDef *;
    field(data, "__Field", "name")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<FieldPtr>(p)->name);
    };
    field(data, "__Field", "description")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return str(src<FieldPtr>(p)->description);
    };
    field(data, "__Field", "args")->resolve = [](const Value &p, Args args, Ctx) -> FieldResult {
        return inputValues(src<FieldPtr>(p)->args, args);
    };
    field(data, "__Field", "type")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return typeValue(src<FieldPtr>(p)->type);
    };
    field(data, "__Field", "isDeprecated")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<FieldPtr>(p)->deprecated);
    };
    field(data, "__Field", "deprecationReason")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const FieldDef *f = src<FieldPtr>(p);
        return f->deprecated ? Value(f->deprecationReason) : Value();
    };

    // __InputValue
    using InputPtr = const InputValueDef *;
    field(data, "__InputValue", "name")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<InputPtr>(p)->name);
    };
    field(data, "__InputValue", "description")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return str(src<InputPtr>(p)->description);
    };
    field(data, "__InputValue", "type")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return typeValue(src<InputPtr>(p)->type);
    };
    field(data, "__InputValue", "defaultValue")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const InputValueDef *v = src<InputPtr>(p);
        if (!v->defaultValue)
            return Value();
        return Value(printDefaultValue(*v->defaultValue, v->type));
    };
    field(data, "__InputValue", "isDeprecated")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<InputPtr>(p)->deprecated);
    };
    field(data, "__InputValue", "deprecationReason")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const InputValueDef *v = src<InputPtr>(p);
        return v->deprecated ? Value(v->deprecationReason) : Value();
    };

    // __EnumValue
    using EnumPtr = const EnumValueDef *;
    field(data, "__EnumValue", "name")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<EnumPtr>(p)->name);
    };
    field(data, "__EnumValue", "description")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return str(src<EnumPtr>(p)->description);
    };
    field(data, "__EnumValue", "isDeprecated")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<EnumPtr>(p)->deprecated);
    };
    field(data, "__EnumValue", "deprecationReason")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        const EnumValueDef *v = src<EnumPtr>(p);
        return v->deprecated ? Value(v->deprecationReason) : Value();
    };

    // __Directive
    using DirPtr = const DirectiveDef *;
    field(data, "__Directive", "name")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<DirPtr>(p)->name);
    };
    field(data, "__Directive", "description")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return str(src<DirPtr>(p)->description);
    };
    field(data, "__Directive", "isRepeatable")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(src<DirPtr>(p)->repeatable);
    };
    field(data, "__Directive", "locations")->resolve = [](const Value &p, Args, Ctx) -> FieldResult {
        return Value(QJsonArray::fromStringList(src<DirPtr>(p)->locations));
    };
    field(data, "__Directive", "args")->resolve = [](const Value &p, Args args, Ctx) -> FieldResult {
        return inputValues(src<DirPtr>(p)->args, args);
    };

    // Meta fields.
    data.schemaField.name = QStringLiteral("__schema");
    data.schemaField.description = QStringLiteral("Access the current type schema of this server.");
    data.schemaField.type = TypeRef { data.type(QStringLiteral("__Schema")), QByteArray("N") };
    data.schemaField.resolve = [schema](const Value &, Args, Ctx) -> FieldResult {
        return Value::source(schema);
    };

    data.typeField.name = QStringLiteral("__type");
    data.typeField.description = QStringLiteral("Request the type information of a single type.");
    data.typeField.type = TypeRef { data.type(QStringLiteral("__Type")), {} };
    InputValueDef nameArg;
    nameArg.name = QStringLiteral("name");
    nameArg.type = TypeRef { data.type(QStringLiteral("String")), QByteArray("N") };
    data.typeField.args.push_back(nameArg);
    data.typeField.resolve = [schema](const Value &, Args args, Ctx) -> FieldResult {
        const NamedType *t = schema->type(args.value(QLatin1StringView("name")).toString());
        return t ? Value::source(TypeRef { t, {} }) : Value();
    };

    data.typenameField.name = QStringLiteral("__typename");
    data.typenameField.description = QStringLiteral("The name of the current Object type at runtime.");
    data.typenameField.type = TypeRef { data.type(QStringLiteral("String")), QByteArray("N") };
}

} // namespace detail

QString introspectionQuery()
{
    return QStringLiteral(R"GQL(query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                }
              }
            }
          }
        }
      }
    }
  }
}
)GQL");
}

} // namespace lifdag::graphql
