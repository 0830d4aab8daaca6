// The built schema: named types, fields, arguments, directives and the type relations
// validation and execution ask about.
#pragma once

#include "ast_p.h"

#include <lifdag/graphql/schema.h>

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace lifdag::graphql::detail {

enum class TypeKind { Scalar, Object, Interface, Union, Enum, InputObject };

struct NamedType;

// A named type under list / non-null wrappers, outermost first ('L' list, 'N' non-null).
struct TypeRef
{
    const NamedType *named = nullptr;
    QByteArray wrappers;

    bool isNull() const { return named == nullptr; }
    bool isNonNull() const { return !wrappers.isEmpty() && wrappers.at(0) == 'N'; }
    bool isList() const { return !wrappers.isEmpty() && wrappers.at(0) == 'L'; }
    bool isNamed() const { return wrappers.isEmpty(); }
    TypeRef ofType() const { return TypeRef { named, wrappers.mid(1) }; }
    TypeRef nullable() const { return isNonNull() ? ofType() : *this; }
    TypeRef listOf() const { return TypeRef { named, QByteArray(1, 'L') + wrappers }; }
    TypeRef nonNullOf() const
    {
        return isNonNull() ? *this : TypeRef { named, QByteArray(1, 'N') + wrappers };
    }
    QString toString() const;
    bool operator==(const TypeRef &other) const { return named == other.named && wrappers == other.wrappers; }
};

struct InputValueDef
{
    QString name;
    QString description;
    TypeRef type;
    // JSON in input form (as a variable would give it); coerced where it is used.
    std::optional<QJsonValue> defaultValue;
    bool deprecated = false;
    QString deprecationReason;
};

struct FieldDef
{
    QString name;
    QString description;
    TypeRef type;
    std::vector<InputValueDef> args;
    bool deprecated = false;
    QString deprecationReason;
    Resolver resolve;

    const InputValueDef *arg(const QString &argName) const
    {
        for (const InputValueDef &a : args)
            if (a.name == argName)
                return &a;
        return nullptr;
    }
};

struct EnumValueDef
{
    QString name;
    QString description;
    bool deprecated = false;
    QString deprecationReason;
};

struct DirectiveDef
{
    QString name;
    QString description;
    std::vector<InputValueDef> args;
    QStringList locations;
    bool repeatable = false;
    bool builtin = false;

    const InputValueDef *arg(const QString &argName) const
    {
        for (const InputValueDef &a : args)
            if (a.name == argName)
                return &a;
        return nullptr;
    }
};

struct NamedType
{
    TypeKind kind = TypeKind::Object;
    QString name;
    QString description;
    QString specifiedByUrl;
    bool builtin = false; // specified scalars and introspection types

    std::vector<FieldDef> fields;
    QHash<QString, int> fieldIndex;
    std::vector<const NamedType *> interfaces;
    std::vector<const NamedType *> possibleTypes; // union members / interface implementations
    QSet<const NamedType *> possibleSet;
    std::vector<EnumValueDef> enumValues;
    std::vector<InputValueDef> inputFields;
    ScalarCodec codec;
    TypeResolver resolveType;

    const FieldDef *field(const QString &fieldName) const
    {
        const auto it = fieldIndex.constFind(fieldName);
        return it == fieldIndex.cend() ? nullptr : &fields[size_t(*it)];
    }
    const InputValueDef *inputField(const QString &fieldName) const
    {
        for (const InputValueDef &f : inputFields)
            if (f.name == fieldName)
                return &f;
        return nullptr;
    }
    const EnumValueDef *enumValue(const QString &valueName) const
    {
        for (const EnumValueDef &v : enumValues)
            if (v.name == valueName)
                return &v;
        return nullptr;
    }
    bool isAbstract() const { return kind == TypeKind::Interface || kind == TypeKind::Union; }
    bool isComposite() const { return kind == TypeKind::Object || isAbstract(); }
    bool isLeaf() const { return kind == TypeKind::Scalar || kind == TypeKind::Enum; }
    bool isInput() const { return isLeaf() || kind == TypeKind::InputObject; }
    bool isOutput() const { return kind != TypeKind::InputObject; }
    bool hasFields() const { return kind == TypeKind::Object || kind == TypeKind::Interface; }
};

struct SchemaData
{
    QString description;
    std::vector<std::unique_ptr<NamedType>> types; // introspection order
    QHash<QString, const NamedType *> byName;
    const NamedType *query = nullptr;
    const NamedType *mutation = nullptr;
    const NamedType *subscription = nullptr;
    std::vector<DirectiveDef> directives;
    // Meta fields every query may select.
    FieldDef schemaField; // __schema on the query root
    FieldDef typeField; // __type(name:) on the query root
    FieldDef typenameField; // __typename anywhere

    const NamedType *type(const QString &name) const { return byName.value(name, nullptr); }
    const DirectiveDef *directive(const QString &name) const
    {
        for (const DirectiveDef &d : directives)
            if (d.name == name)
                return &d;
        return nullptr;
    }
    const NamedType *rootType(OperationType op) const
    {
        switch (op) {
        case OperationType::Query:
            return query;
        case OperationType::Mutation:
            return mutation;
        case OperationType::Subscription:
            return subscription;
        }
        return nullptr;
    }
    // `possible` is an object type of `abstract` (or the same type).
    static bool isPossibleType(const NamedType *abstract, const NamedType *possible)
    {
        return abstract == possible || abstract->possibleSet.contains(possible);
    }
    bool isTypeSubTypeOf(const TypeRef &maybeSub, const TypeRef &super) const;
    bool doTypesOverlap(const NamedType *a, const NamedType *b) const;
    // The definition of `fieldName` on `parent` including __schema/__type/__typename.
    const FieldDef *fieldDef(const NamedType *parent, const QString &fieldName) const;
    // Resolves an AST type against the schema (null when the named type is unknown).
    TypeRef typeFromAst(const TypeNode &node) const;
};

// Input coercion shared by validation and execution (spec 3.x "Input Coercion").
struct CoercionError
{
    QString message;
    QStringList path; // into the input value: field names and [index]
};

// Coerces input-form JSON (a variable's value, a default) to `type`; on failure returns
// nothing and fills `error`.
std::optional<QJsonValue> coerceInputValue(const QJsonValue &value, const TypeRef &type, CoercionError *error,
                                           int depth = 0);

// A literal converted to a value of `type` (variables looked up in `variables`, absent ones
// make the literal invalid where they are required). Returns nothing when invalid.
std::optional<QJsonValue> valueFromAst(const ValueNode &node, const TypeRef &type,
                                       const QJsonObject *variables, QString *errorMessage = nullptr,
                                       int depth = 0);

// A value of `type` printed as a GraphQL literal (graphql-js astFromValue + print).
QString printDefaultValue(const QJsonValue &value, const TypeRef &type);

// graphql-js inspect() of a JSON value, for error messages.
QString inspectJson(const QJsonValue &value);

// graphql-js didYouMean / suggestionList.
QStringList suggestionList(const QString &input, const QStringList &options);
QString didYouMean(const QStringList &suggestions, const QString &prefix = {});

// Built-in scalars' input rules and output serialization.
std::optional<QJsonValue> serializeBuiltinScalar(const NamedType *type, const QJsonValue &value,
                                                 QString *error);

} // namespace lifdag::graphql::detail
