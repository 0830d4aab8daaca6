// The syntax tree of a GraphQL document (executable and type system definitions).
#pragma once

#include <lifdag/graphql/document.h>

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace lifdag::graphql::detail {

using Loc = SourceLocation;

struct ValueNode
{
    enum class Kind { Variable, Int, Float, String, Boolean, Null, Enum, List, Object };
    struct Field;
    Kind kind = Kind::Null;
    Loc loc;
    QString text; // variable name, number text, string contents, enum name
    bool boolean = false;
    bool block = false; // a """block string"""
    std::vector<ValueNode> list;
    std::vector<Field> fields;
};

struct ValueNode::Field
{
    QString name;
    Loc loc;
    ValueNode value;
};

struct TypeNode
{
    enum class Kind { Named, List, NonNull };
    Kind kind = Kind::Named;
    Loc loc;
    QString name; // Named
    std::shared_ptr<const TypeNode> inner; // List, NonNull

    QString toString() const;
    const QString &namedType() const { return inner ? inner->namedType() : name; }
};

struct Argument
{
    QString name;
    Loc loc;
    ValueNode value;
};

struct Directive
{
    QString name;
    Loc loc;
    std::vector<Argument> arguments;
};

struct Selection
{
    enum class Kind { Field, FragmentSpread, InlineFragment };
    Kind kind = Kind::Field;
    Loc loc;
    QString alias; // Field
    QString name; // Field name or spread fragment name
    std::vector<Argument> arguments;
    std::vector<Directive> directives;
    QString typeCondition; // InlineFragment (may be empty)
    Loc typeConditionLoc;
    bool hasSelectionSet = false;
    std::vector<Selection> selections;

    const QString &responseKey() const { return alias.isEmpty() ? name : alias; }
};

struct VariableDefinition
{
    QString name;
    Loc loc;
    std::shared_ptr<const TypeNode> type;
    std::optional<ValueNode> defaultValue;
    std::vector<Directive> directives;
};

struct OperationDefinition
{
    OperationType type = OperationType::Query;
    QString name;
    Loc loc;
    std::vector<VariableDefinition> variables;
    std::vector<Directive> directives;
    std::vector<Selection> selections;
};

struct FragmentDefinition
{
    QString name;
    Loc loc;
    QString typeCondition;
    Loc typeConditionLoc;
    std::vector<Directive> directives;
    std::vector<Selection> selections;
};

// Type system definitions (SDL).
struct InputValueDefinition
{
    QString description;
    QString name;
    Loc loc;
    std::shared_ptr<const TypeNode> type;
    std::optional<ValueNode> defaultValue;
    std::vector<Directive> directives;
};

struct FieldDefinition
{
    QString description;
    QString name;
    Loc loc;
    std::vector<InputValueDefinition> arguments;
    std::shared_ptr<const TypeNode> type;
    std::vector<Directive> directives;
};

struct EnumValueDefinition
{
    QString description;
    QString name;
    Loc loc;
    std::vector<Directive> directives;
};

struct NamedRef
{
    QString name;
    Loc loc;
};

struct TypeSystemDefinition
{
    enum class Kind { Schema, Scalar, Object, Interface, Union, Enum, InputObject, Directive };
    Kind kind = Kind::Object;
    bool extension = false;
    QString description;
    QString name; // empty for schema
    Loc loc;
    std::vector<NamedRef> interfaces;
    std::vector<Directive> directives;
    std::vector<FieldDefinition> fields;
    std::vector<InputValueDefinition> inputFields; // input objects; directive arguments
    std::vector<EnumValueDefinition> enumValues;
    std::vector<NamedRef> unionMembers;
    std::vector<std::pair<OperationType, NamedRef>> operationTypes; // schema
    bool repeatable = false; // directive
    std::vector<NamedRef> directiveLocations; // directive

    // graphql-js's kind name for "The … definition is not executable." messages.
    QString displayName() const;
};

struct DocumentNode
{
    QString source;
    std::vector<OperationDefinition> operations;
    std::vector<FragmentDefinition> fragments;
    std::vector<TypeSystemDefinition> typeDefinitions;
};

// Parses a whole document; `error` receives the first syntax error.
std::shared_ptr<DocumentNode> parseDocument(const QString &source, const ParseOptions &options,
                                            GraphQLError *error);

// graphql-js print() of a value literal (as it appears in error messages).
QString printValue(const ValueNode &value);
// A string literal as graphql-js prints it: "…" with escapes.
QString printString(const QString &text);
// A block string as graphql-js prints descriptions.
QString printBlockString(const QString &text);

} // namespace lifdag::graphql::detail
