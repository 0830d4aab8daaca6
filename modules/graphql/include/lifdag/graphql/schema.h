// A GraphQL schema: types from SDL text and/or a builder API, resolvers attached by type and
// field name. Immutable once built; share it freely between threads.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/graphql/value.h>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <any>
#include <functional>
#include <memory>
#include <optional>

namespace lifdag::graphql {

namespace detail {
struct SchemaData;
struct SchemaBuilderData;
struct ResolveState;
} // namespace detail

// What a resolver knows about the request and the field it resolves.
class Context
{
public:
    // The request's context object (Request::context), e.g. a caller's role and services.
    const std::any &user() const;
    template<typename T> const T *get() const { return std::any_cast<T>(&user()); }

    QString fieldName() const;
    QString parentTypeName() const;
    QJsonArray path() const; // response path of this field
    // Names of the fields selected below this field (fragments merged, conditions ignored),
    // for resolvers that skip work nobody asked for.
    QStringList selectedFields() const;

    explicit Context(const detail::ResolveState *state)
        : m_state(state)
    { }

private:
    const detail::ResolveState *m_state;
};

// A field resolver: the parent object's value, the coerced arguments (defaults applied; an
// argument absent from the request and without default is absent here), the context. An
// Error becomes an entry of "errors" (code → extensions.code) and the field becomes null.
using FieldResult = Result<Value>;
using Resolver =
    std::function<FieldResult(const Value &parent, const QJsonObject &args, const Context &context)>;
// Names the concrete object type of a value returned for an interface or union field. Asked only
// when the value names no type itself (Value::source typeName, a JSON "__typename" member).
using TypeResolver = std::function<QString(const Value &value, const Context &context)>;

// A custom scalar: how resolver values become response JSON, and how input JSON (variables, or
// literals converted to JSON) becomes the value resolvers receive. Unset functions pass JSON
// through unchanged. Errors make the value invalid (message shown to the client).
struct ScalarCodec
{
    std::function<Result<QJsonValue>(const Value &value)> serialize;
    std::function<Result<QJsonValue>(const QJsonValue &input)> parse;
};

inline constexpr QLatin1StringView kDefaultDeprecationReason("No longer supported");

class Schema;

class SchemaBuilder
{
public:
    class TypeBuilder;

    // One field of an object or interface type under construction.
    class FieldBuilder
    {
    public:
        // `type` in SDL notation: "String", "[Run!]!", …  A default is JSON (enum values as
        // their names).
        FieldBuilder &arg(const QString &name, const QString &type,
                          std::optional<QJsonValue> defaultValue = std::nullopt,
                          const QString &description = {});
        FieldBuilder &description(const QString &text);
        FieldBuilder &deprecated(const QString &reason = QString(kDefaultDeprecationReason));
        FieldBuilder &resolve(Resolver resolver);
        // The next field of the same type.
        FieldBuilder field(const QString &name, const QString &type, Resolver resolver = {});

    private:
        friend class SchemaBuilder;
        FieldBuilder(detail::SchemaBuilderData *data, int type, int field)
            : m_data(data)
            , m_type(type)
            , m_field(field)
        { }
        detail::SchemaBuilderData *m_data;
        int m_type;
        int m_field;
    };

    // An object, interface, input object or enum type under construction.
    class TypeBuilder
    {
    public:
        TypeBuilder &description(const QString &text);
        TypeBuilder &implements(const QString &interfaceName);
        // Object/interface fields.
        FieldBuilder field(const QString &name, const QString &type, Resolver resolver = {});
        // Input object fields.
        TypeBuilder &inputField(const QString &name, const QString &type,
                                std::optional<QJsonValue> defaultValue = std::nullopt,
                                const QString &description = {});
        // Enum values.
        TypeBuilder &value(const QString &name, const QString &description = {},
                           std::optional<QString> deprecationReason = std::nullopt);

    private:
        friend class SchemaBuilder;
        TypeBuilder(detail::SchemaBuilderData *data, int type)
            : m_data(data)
            , m_type(type)
        { }
        detail::SchemaBuilderData *m_data;
        int m_type;
    };

    SchemaBuilder();
    ~SchemaBuilder();
    SchemaBuilder(SchemaBuilder &&) noexcept;
    SchemaBuilder &operator=(SchemaBuilder &&) noexcept;

    // Adds the type system definitions of `sdl`: schema, scalar, type, interface, union, enum,
    // input, directive definitions and `extend` of each. Syntax errors name line and column.
    Status addSdl(const QString &sdl);

    TypeBuilder objectType(const QString &name, const QString &description = {});
    TypeBuilder interfaceType(const QString &name, const QString &description = {});
    TypeBuilder inputType(const QString &name, const QString &description = {});
    TypeBuilder enumType(const QString &name, const QString &description = {});
    void unionType(const QString &name, const QStringList &members, const QString &description = {});
    void scalarType(const QString &name, ScalarCodec codec = {}, const QString &description = {},
                    const QString &specifiedByUrl = {});
    void setDescription(const QString &schemaDescription);

    // Attach behaviour to types declared anywhere (SDL or builder); checked by build().
    SchemaBuilder &resolve(const QString &typeName, const QString &fieldName, Resolver resolver);
    SchemaBuilder &resolveType(const QString &abstractTypeName, TypeResolver resolver);
    SchemaBuilder &scalarCodec(const QString &scalarName, ScalarCodec codec);

    // Root operation types; by default "Query", "Mutation", "Subscription" when declared (or
    // what a `schema { … }` definition says).
    SchemaBuilder &setRootTypes(const QString &query, const QString &mutation = {},
                                const QString &subscription = {});

    // Checks the type system (known types, interface implementations, input/output positions,
    // resolvers on declared fields) and returns the schema, or every problem found in one Error.
    Result<Schema> build() const;

private:
    std::unique_ptr<detail::SchemaBuilderData> d;
};

class Schema
{
public:
    Schema() = default;
    bool isNull() const { return !d; }

    // The schema in SDL, printed like graphql-js printSchema (built-in scalars, directives and
    // introspection types left out).
    QString printSdl() const;
    bool hasType(const QString &name) const;

    const detail::SchemaData *data() const { return d.get(); }

private:
    friend class SchemaBuilder;
    std::shared_ptr<const detail::SchemaData> d;
};

} // namespace lifdag::graphql
