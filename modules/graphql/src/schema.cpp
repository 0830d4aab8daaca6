// Schema construction: SDL and builder drafts, checked and linked into SchemaData; schema
// printing in graphql-js printSchema format; resolver values.
#include "introspection_p.h"
#include "schema_p.h"

#include <QJsonArray>

namespace lifdag::graphql {

// Value -------------------------------------------------------------------------------------

Value::Value(const QJsonValue &json)
{
    if (json.isNull() || json.isUndefined())
        return;
    m_kind = Kind::Json;
    m_json = json;
}

Value Value::list(QList<Value> items)
{
    Value v;
    v.m_kind = Kind::List;
    v.m_list = std::make_shared<const QList<Value>>(std::move(items));
    return v;
}

Value Value::fromAny(std::any object, const QString &typeName)
{
    Value v;
    if (!object.has_value())
        return v;
    v.m_kind = Kind::Source;
    v.m_source = std::make_shared<const std::any>(std::move(object));
    v.m_typeName = typeName;
    return v;
}

bool Value::isNull() const
{
    return m_kind == Kind::Null;
}

bool Value::isList() const
{
    return m_kind == Kind::List || (m_kind == Kind::Json && m_json.isArray());
}

QJsonValue Value::json() const
{
    switch (m_kind) {
    case Kind::Null:
        return QJsonValue(QJsonValue::Null);
    case Kind::Json:
        return m_json;
    default:
        return QJsonValue(QJsonValue::Undefined);
    }
}

QList<Value> Value::items() const
{
    if (m_kind == Kind::List)
        return *m_list;
    QList<Value> out;
    if (m_kind == Kind::Json && m_json.isArray()) {
        const QJsonArray arr = m_json.toArray();
        out.reserve(arr.size());
        for (const QJsonValue &item : arr)
            out.append(Value(item));
    }
    return out;
}

QString Value::typeName() const
{
    if (!m_typeName.isEmpty())
        return m_typeName;
    if (m_kind == Kind::Json && m_json.isObject())
        return m_json.toObject().value(QLatin1StringView("__typename")).toString();
    return {};
}

Value Value::withTypeName(const QString &typeName) const
{
    Value v = *this;
    v.m_typeName = typeName;
    return v;
}

namespace detail {

// Drafts: what the builder collects before build() links it --------------------------------

struct ArgDraft
{
    QString name;
    QString description;
    QString type;
    std::optional<QJsonValue> defaultValue;
    bool deprecated = false;
    QString deprecationReason;
};

struct FieldDraft
{
    QString name;
    QString description;
    QString type;
    std::vector<ArgDraft> args;
    bool deprecated = false;
    QString deprecationReason;
    Resolver resolve;
};

struct TypeDraft
{
    TypeKind kind = TypeKind::Object;
    QString name;
    QString description;
    QString specifiedByUrl;
    bool builtin = false;
    bool defined = false; // seen as a definition (not only created by an extension)
    QStringList interfaces;
    std::vector<FieldDraft> fields;
    std::vector<ArgDraft> inputFields;
    std::vector<EnumValueDef> values;
    QStringList members;
    ScalarCodec codec;
    TypeResolver resolveType;
};

struct DirectiveDraft
{
    QString name;
    QString description;
    std::vector<ArgDraft> args;
    QStringList locations;
    bool repeatable = false;
    bool builtin = false;
};

struct SchemaBuilderData
{
    QString description;
    std::vector<TypeDraft> types;
    QHash<QString, int> index;
    std::vector<DirectiveDraft> directives;
    QString queryName;
    QString mutationName;
    QString subscriptionName;
    bool rootsExplicit = false;
    struct PendingResolver
    {
        QString type;
        QString field;
        Resolver resolver;
    };
    std::vector<PendingResolver> resolvers;
    std::vector<std::pair<QString, TypeResolver>> typeResolvers;
    std::vector<std::pair<QString, ScalarCodec>> codecs;
    QStringList errors;

    int typeIndex(TypeKind kind, const QString &name, bool *created = nullptr)
    {
        const auto it = index.constFind(name);
        if (it != index.cend()) {
            if (types[size_t(*it)].kind != kind)
                errors.append(QStringLiteral("Type \"%1\" is defined twice with different kinds.").arg(name));
            if (created)
                *created = false;
            return *it;
        }
        TypeDraft t;
        t.kind = kind;
        t.name = name;
        types.push_back(std::move(t));
        index.insert(name, int(types.size() - 1));
        if (created)
            *created = true;
        return int(types.size() - 1);
    }
};

namespace {

const Directive *findDirective(const std::vector<Directive> &directives, QLatin1StringView name)
{
    for (const Directive &d : directives)
        if (d.name == name)
            return &d;
    return nullptr;
}

// @deprecated(reason: …) on a definition: whether present, and its reason.
bool deprecation(const std::vector<Directive> &directives, QString *reason)
{
    const Directive *d = findDirective(directives, QLatin1StringView("deprecated"));
    if (!d)
        return false;
    *reason = QString(kDefaultDeprecationReason);
    for (const Argument &a : d->arguments)
        if (a.name == QLatin1StringView("reason") && a.value.kind == ValueNode::Kind::String)
            *reason = a.value.text;
    return true;
}

ArgDraft argFromAst(const InputValueDefinition &def)
{
    ArgDraft a;
    a.name = def.name;
    a.description = def.description;
    a.type = def.type->toString();
    if (def.defaultValue)
        a.defaultValue = literalToInputJson(*def.defaultValue);
    a.deprecated = deprecation(def.directives, &a.deprecationReason);
    return a;
}

FieldDraft fieldFromAst(const FieldDefinition &def)
{
    FieldDraft f;
    f.name = def.name;
    f.description = def.description;
    f.type = def.type->toString();
    for (const InputValueDefinition &a : def.arguments)
        f.args.push_back(argFromAst(a));
    f.deprecated = deprecation(def.directives, &f.deprecationReason);
    return f;
}

QString locString(const Loc &loc)
{
    return QStringLiteral("%1:%2").arg(loc.line).arg(loc.column);
}

// "[Run!]!" → named type name and wrappers; false when malformed.
bool parseTypeString(QStringView text, QString *name, QByteArray *wrappers)
{
    text = text.trimmed();
    QByteArray suffix;
    if (text.endsWith(u'!')) {
        if (!parseTypeString(text.chopped(1), name, wrappers))
            return false;
        wrappers->prepend('N');
        return !(wrappers->size() > 1 && wrappers->at(1) == 'N');
    }
    if (text.startsWith(u'[')) {
        if (!text.endsWith(u']'))
            return false;
        if (!parseTypeString(text.mid(1, text.size() - 2), name, wrappers))
            return false;
        wrappers->prepend('L');
        return true;
    }
    if (text.isEmpty())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        const bool ok = c == u'_' || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z')
            || (i > 0 && c >= u'0' && c <= u'9');
        if (!ok)
            return false;
    }
    *name = text.toString();
    wrappers->clear();
    return true;
}

void addBuiltins(SchemaBuilderData &d)
{
    static const char *const scalars[][2] = {
        { "String",
          "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The "
          "String "
          "type is most often used by GraphQL to represent free-form human-readable text." },
        { "Int",
          "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent "
          "values "
          "between -(2^31) and 2^31 - 1." },
        { "Float",
          "The `Float` scalar type represents signed double-precision fractional values as specified by "
          "[IEEE "
          "754](https://en.wikipedia.org/wiki/IEEE_floating_point)." },
        { "Boolean", "The `Boolean` scalar type represents `true` or `false`." },
        { "ID",
          "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key "
          "for a "
          "cache. The ID type appears in a JSON response as a String; however, it is not intended to be "
          "human-readable. When expected as an input type, any string (such as `\"4\"`) or integer (such as "
          "`4`) "
          "input value will be accepted as an ID." },
    };
    for (const auto &s : scalars) {
        const QString name = QString::fromLatin1(s[0]);
        if (d.index.contains(name)) {
            d.errors.append(QStringLiteral("Type \"%1\" is built in and cannot be redefined.").arg(name));
            continue;
        }
        TypeDraft &t = d.types[size_t(d.typeIndex(TypeKind::Scalar, name))];
        t.description = QString::fromUtf8(s[1]);
        t.builtin = true;
        t.defined = true;
    }
    GraphQLError error;
    ParseOptions options;
    options.maxTokens = 1 << 20;
    const auto doc = parseDocument(introspectionSdl(), options, &error);
    Q_ASSERT(doc);
    for (const TypeSystemDefinition &def : doc->typeDefinitions) {
        if (def.kind == TypeSystemDefinition::Kind::Directive) {
            DirectiveDraft dd;
            dd.name = def.name;
            dd.description = def.description;
            for (const InputValueDefinition &a : def.inputFields)
                dd.args.push_back(argFromAst(a));
            for (const NamedRef &l : def.directiveLocations)
                dd.locations.append(l.name);
            dd.repeatable = def.repeatable;
            dd.builtin = true;
            d.directives.insert(
                d.directives.begin()
                    + qsizetype(std::count_if(d.directives.begin(), d.directives.end(),
                                              [](const DirectiveDraft &x) { return x.builtin; })),
                std::move(dd));
            continue;
        }
        TypeKind kind = TypeKind::Object;
        if (def.kind == TypeSystemDefinition::Kind::Enum)
            kind = TypeKind::Enum;
        if (d.index.contains(def.name)) {
            d.errors.append(QStringLiteral("Type \"%1\" is built in and cannot be redefined.").arg(def.name));
            continue;
        }
        TypeDraft &t = d.types[size_t(d.typeIndex(kind, def.name))];
        t.builtin = true;
        t.defined = true;
        t.description = def.description;
        for (const FieldDefinition &f : def.fields)
            t.fields.push_back(fieldFromAst(f));
        for (const EnumValueDefinition &v : def.enumValues)
            t.values.push_back(EnumValueDef { v.name, v.description, false, {} });
    }
}

} // namespace

QJsonValue literalToInputJson(const ValueNode &node)
{
    switch (node.kind) {
    case ValueNode::Kind::Variable:
        return QJsonValue(QJsonValue::Null);
    case ValueNode::Kind::Int: {
        bool ok = false;
        const qint64 i = node.text.toLongLong(&ok);
        return ok ? QJsonValue(i) : QJsonValue(node.text.toDouble());
    }
    case ValueNode::Kind::Float:
        return QJsonValue(node.text.toDouble());
    case ValueNode::Kind::String:
    case ValueNode::Kind::Enum:
        return QJsonValue(node.text);
    case ValueNode::Kind::Boolean:
        return QJsonValue(node.boolean);
    case ValueNode::Kind::Null:
        return QJsonValue(QJsonValue::Null);
    case ValueNode::Kind::List: {
        QJsonArray arr;
        for (const ValueNode &item : node.list)
            arr.append(literalToInputJson(item));
        return arr;
    }
    case ValueNode::Kind::Object: {
        QJsonObject obj;
        for (const ValueNode::Field &f : node.fields)
            obj.insert(f.name, literalToInputJson(f.value));
        return obj;
    }
    }
    return {};
}

bool SchemaData::isTypeSubTypeOf(const TypeRef &maybeSub, const TypeRef &super) const
{
    if (maybeSub == super)
        return true;
    if (super.isNonNull()) {
        if (maybeSub.isNonNull())
            return isTypeSubTypeOf(maybeSub.ofType(), super.ofType());
        return false;
    }
    if (maybeSub.isNonNull())
        return isTypeSubTypeOf(maybeSub.ofType(), super);
    if (super.isList()) {
        if (maybeSub.isList())
            return isTypeSubTypeOf(maybeSub.ofType(), super.ofType());
        return false;
    }
    if (maybeSub.isList())
        return false;
    if (!maybeSub.named || !super.named)
        return false;
    if (!super.named->isAbstract())
        return false;
    if (maybeSub.named->kind == TypeKind::Object)
        return super.named->possibleSet.contains(maybeSub.named);
    if (maybeSub.named->kind == TypeKind::Interface) {
        for (const NamedType *i : maybeSub.named->interfaces)
            if (i == super.named)
                return true;
    }
    return false;
}

bool SchemaData::doTypesOverlap(const NamedType *a, const NamedType *b) const
{
    if (a == b)
        return true;
    if (a->isAbstract()) {
        if (b->isAbstract()) {
            for (const NamedType *t : a->possibleTypes)
                if (b->possibleSet.contains(t))
                    return true;
            return false;
        }
        return a->possibleSet.contains(b);
    }
    if (b->isAbstract())
        return b->possibleSet.contains(a);
    return false;
}

const FieldDef *SchemaData::fieldDef(const NamedType *parent, const QString &fieldName) const
{
    if (fieldName.startsWith(QLatin1StringView("__"))) {
        if (fieldName == QLatin1StringView("__typename"))
            return &typenameField;
        if (parent == query) {
            if (fieldName == QLatin1StringView("__schema"))
                return &schemaField;
            if (fieldName == QLatin1StringView("__type"))
                return &typeField;
        }
    }
    if (!parent->hasFields())
        return nullptr;
    return parent->field(fieldName);
}

TypeRef SchemaData::typeFromAst(const TypeNode &node) const
{
    switch (node.kind) {
    case TypeNode::Kind::Named:
        return TypeRef { type(node.name), {} };
    case TypeNode::Kind::List: {
        TypeRef inner = typeFromAst(*node.inner);
        return inner.isNull() ? inner : inner.listOf();
    }
    case TypeNode::Kind::NonNull: {
        TypeRef inner = typeFromAst(*node.inner);
        return inner.isNull() ? inner : inner.nonNullOf();
    }
    }
    return {};
}

} // namespace detail

using namespace detail;

// SchemaBuilder ----------------------------------------------------------------------------

SchemaBuilder::SchemaBuilder()
    : d(std::make_unique<SchemaBuilderData>())
{ }
SchemaBuilder::~SchemaBuilder() = default;
SchemaBuilder::SchemaBuilder(SchemaBuilder &&) noexcept = default;
SchemaBuilder &SchemaBuilder::operator=(SchemaBuilder &&) noexcept = default;

Status SchemaBuilder::addSdl(const QString &sdl)
{
    GraphQLError error;
    ParseOptions options;
    options.maxLength = qsizetype(64) << 20;
    options.maxTokens = 1 << 26;
    const auto doc = parseDocument(sdl, options, &error);
    if (!doc) {
        const SourceLocation loc = error.locations.value(0);
        return Error {
            QStringLiteral("graphql.sdl"),
            QStringLiteral("%1 (line %2, column %3)").arg(error.message).arg(loc.line).arg(loc.column)
        };
    }
    QStringList errors;
    for (const OperationDefinition &op : doc->operations)
        errors.append(QStringLiteral("%1: an SDL document cannot hold operations").arg(locString(op.loc)));
    for (const FragmentDefinition &f : doc->fragments)
        errors.append(QStringLiteral("%1: an SDL document cannot hold fragments").arg(locString(f.loc)));

    for (const TypeSystemDefinition &def : doc->typeDefinitions) {
        using K = TypeSystemDefinition::Kind;
        if (def.kind == K::Schema) {
            if (!def.description.isEmpty())
                d->description = def.description;
            for (const auto &[op, ref] : def.operationTypes) {
                d->rootsExplicit = true;
                if (op == OperationType::Query)
                    d->queryName = ref.name;
                else if (op == OperationType::Mutation)
                    d->mutationName = ref.name;
                else
                    d->subscriptionName = ref.name;
            }
            continue;
        }
        if (def.kind == K::Directive) {
            DirectiveDraft dd;
            dd.name = def.name;
            dd.description = def.description;
            for (const InputValueDefinition &a : def.inputFields)
                dd.args.push_back(argFromAst(a));
            for (const NamedRef &l : def.directiveLocations)
                dd.locations.append(l.name);
            dd.repeatable = def.repeatable;
            for (const DirectiveDraft &existing : d->directives)
                if (existing.name == dd.name)
                    errors.append(QStringLiteral("%1: there can be only one directive named \"@%2\"")
                                      .arg(locString(def.loc), def.name));
            d->directives.push_back(std::move(dd));
            continue;
        }
        TypeKind kind = TypeKind::Object;
        switch (def.kind) {
        case K::Scalar:
            kind = TypeKind::Scalar;
            break;
        case K::Object:
            kind = TypeKind::Object;
            break;
        case K::Interface:
            kind = TypeKind::Interface;
            break;
        case K::Union:
            kind = TypeKind::Union;
            break;
        case K::Enum:
            kind = TypeKind::Enum;
            break;
        case K::InputObject:
            kind = TypeKind::InputObject;
            break;
        default:
            break;
        }
        const bool exists = d->index.contains(def.name);
        if (def.extension && !exists) {
            errors.append(QStringLiteral("%1: cannot extend type \"%2\" because it is not defined")
                              .arg(locString(def.loc), def.name));
            continue;
        }
        if (exists && d->types[size_t(d->index.value(def.name))].kind != kind) {
            errors.append(QStringLiteral("%1: \"%2\" is already defined as another kind of type")
                              .arg(locString(def.loc), def.name));
            continue;
        }
        TypeDraft &t = d->types[size_t(d->typeIndex(kind, def.name))];
        if (!def.extension) {
            if (t.defined) {
                errors.append(QStringLiteral("%1: there can be only one type named \"%2\"")
                                  .arg(locString(def.loc), def.name));
                continue;
            }
            t.defined = true;
            t.description = def.description;
        }
        if (const Directive *sb = findDirective(def.directives, QLatin1StringView("specifiedBy"))) {
            for (const Argument &a : sb->arguments)
                if (a.name == QLatin1StringView("url"))
                    t.specifiedByUrl = a.value.text;
        }
        for (const NamedRef &i : def.interfaces)
            t.interfaces.append(i.name);
        for (const FieldDefinition &f : def.fields) {
            for (const FieldDraft &existing : t.fields)
                if (existing.name == f.name)
                    errors.append(QStringLiteral("%1: field \"%2.%3\" is defined twice")
                                      .arg(locString(f.loc), def.name, f.name));
            t.fields.push_back(fieldFromAst(f));
        }
        for (const InputValueDefinition &f : def.inputFields)
            t.inputFields.push_back(argFromAst(f));
        for (const EnumValueDefinition &v : def.enumValues) {
            EnumValueDef ev { v.name, v.description, false, {} };
            ev.deprecated = deprecation(v.directives, &ev.deprecationReason);
            t.values.push_back(std::move(ev));
        }
        for (const NamedRef &m : def.unionMembers)
            t.members.append(m.name);
    }
    if (!errors.isEmpty())
        return Error { QStringLiteral("graphql.sdl"), errors.join(QStringLiteral("; ")) };
    return Status::success();
}

SchemaBuilder::TypeBuilder SchemaBuilder::objectType(const QString &name, const QString &description)
{
    const int i = d->typeIndex(TypeKind::Object, name);
    d->types[size_t(i)].defined = true;
    if (!description.isEmpty())
        d->types[size_t(i)].description = description;
    return TypeBuilder(d.get(), i);
}

SchemaBuilder::TypeBuilder SchemaBuilder::interfaceType(const QString &name, const QString &description)
{
    const int i = d->typeIndex(TypeKind::Interface, name);
    d->types[size_t(i)].defined = true;
    if (!description.isEmpty())
        d->types[size_t(i)].description = description;
    return TypeBuilder(d.get(), i);
}

SchemaBuilder::TypeBuilder SchemaBuilder::inputType(const QString &name, const QString &description)
{
    const int i = d->typeIndex(TypeKind::InputObject, name);
    d->types[size_t(i)].defined = true;
    if (!description.isEmpty())
        d->types[size_t(i)].description = description;
    return TypeBuilder(d.get(), i);
}

SchemaBuilder::TypeBuilder SchemaBuilder::enumType(const QString &name, const QString &description)
{
    const int i = d->typeIndex(TypeKind::Enum, name);
    d->types[size_t(i)].defined = true;
    if (!description.isEmpty())
        d->types[size_t(i)].description = description;
    return TypeBuilder(d.get(), i);
}

void SchemaBuilder::unionType(const QString &name, const QStringList &members, const QString &description)
{
    TypeDraft &t = d->types[size_t(d->typeIndex(TypeKind::Union, name))];
    t.defined = true;
    if (!description.isEmpty())
        t.description = description;
    t.members += members;
}

void SchemaBuilder::scalarType(const QString &name, ScalarCodec codec, const QString &description,
                               const QString &specifiedByUrl)
{
    TypeDraft &t = d->types[size_t(d->typeIndex(TypeKind::Scalar, name))];
    t.defined = true;
    if (!description.isEmpty())
        t.description = description;
    if (!specifiedByUrl.isEmpty())
        t.specifiedByUrl = specifiedByUrl;
    if (codec.serialize || codec.parse)
        t.codec = std::move(codec);
}

void SchemaBuilder::setDescription(const QString &schemaDescription)
{
    d->description = schemaDescription;
}

SchemaBuilder &SchemaBuilder::resolve(const QString &typeName, const QString &fieldName, Resolver resolver)
{
    d->resolvers.push_back({ typeName, fieldName, std::move(resolver) });
    return *this;
}

SchemaBuilder &SchemaBuilder::resolveType(const QString &abstractTypeName, TypeResolver resolver)
{
    d->typeResolvers.emplace_back(abstractTypeName, std::move(resolver));
    return *this;
}

SchemaBuilder &SchemaBuilder::scalarCodec(const QString &scalarName, ScalarCodec codec)
{
    d->codecs.emplace_back(scalarName, std::move(codec));
    return *this;
}

SchemaBuilder &SchemaBuilder::setRootTypes(const QString &query, const QString &mutation,
                                           const QString &subscription)
{
    d->rootsExplicit = true;
    d->queryName = query;
    d->mutationName = mutation;
    d->subscriptionName = subscription;
    return *this;
}

SchemaBuilder::TypeBuilder &SchemaBuilder::TypeBuilder::description(const QString &text)
{
    m_data->types[size_t(m_type)].description = text;
    return *this;
}

SchemaBuilder::TypeBuilder &SchemaBuilder::TypeBuilder::implements(const QString &interfaceName)
{
    m_data->types[size_t(m_type)].interfaces.append(interfaceName);
    return *this;
}

SchemaBuilder::FieldBuilder SchemaBuilder::TypeBuilder::field(const QString &name, const QString &type,
                                                              Resolver resolver)
{
    TypeDraft &t = m_data->types[size_t(m_type)];
    FieldDraft f;
    f.name = name;
    f.type = type;
    f.resolve = std::move(resolver);
    t.fields.push_back(std::move(f));
    return FieldBuilder(m_data, m_type, int(t.fields.size() - 1));
}

SchemaBuilder::TypeBuilder &SchemaBuilder::TypeBuilder::inputField(const QString &name, const QString &type,
                                                                   std::optional<QJsonValue> defaultValue,
                                                                   const QString &description)
{
    ArgDraft a;
    a.name = name;
    a.type = type;
    a.defaultValue = std::move(defaultValue);
    a.description = description;
    m_data->types[size_t(m_type)].inputFields.push_back(std::move(a));
    return *this;
}

SchemaBuilder::TypeBuilder &SchemaBuilder::TypeBuilder::value(const QString &name, const QString &description,
                                                              std::optional<QString> deprecationReason)
{
    EnumValueDef v { name, description, deprecationReason.has_value(),
                     deprecationReason.value_or(QString()) };
    m_data->types[size_t(m_type)].values.push_back(std::move(v));
    return *this;
}

SchemaBuilder::FieldBuilder &SchemaBuilder::FieldBuilder::arg(const QString &name, const QString &type,
                                                              std::optional<QJsonValue> defaultValue,
                                                              const QString &description)
{
    ArgDraft a;
    a.name = name;
    a.type = type;
    a.defaultValue = std::move(defaultValue);
    a.description = description;
    m_data->types[size_t(m_type)].fields[size_t(m_field)].args.push_back(std::move(a));
    return *this;
}

SchemaBuilder::FieldBuilder &SchemaBuilder::FieldBuilder::description(const QString &text)
{
    m_data->types[size_t(m_type)].fields[size_t(m_field)].description = text;
    return *this;
}

SchemaBuilder::FieldBuilder &SchemaBuilder::FieldBuilder::deprecated(const QString &reason)
{
    FieldDraft &f = m_data->types[size_t(m_type)].fields[size_t(m_field)];
    f.deprecated = true;
    f.deprecationReason = reason;
    return *this;
}

SchemaBuilder::FieldBuilder &SchemaBuilder::FieldBuilder::resolve(Resolver resolver)
{
    m_data->types[size_t(m_type)].fields[size_t(m_field)].resolve = std::move(resolver);
    return *this;
}

SchemaBuilder::FieldBuilder SchemaBuilder::FieldBuilder::field(const QString &name, const QString &type,
                                                               Resolver resolver)
{
    return TypeBuilder(m_data, m_type).field(name, type, std::move(resolver));
}

// build() ------------------------------------------------------------------------------------

Result<Schema> SchemaBuilder::build() const
{
    SchemaBuilderData drafts = *d; // copy: build() may be called again after more additions
    QStringList errors = drafts.errors;
    addBuiltins(drafts);
    errors += drafts.errors.mid(d->errors.size());

    auto data = std::make_shared<SchemaData>();
    data->description = drafts.description;

    // Create every named type first so references can be linked in any order.
    for (const TypeDraft &t : drafts.types) {
        if (!t.defined) {
            errors.append(QStringLiteral("Type \"%1\" is extended but never defined.").arg(t.name));
            continue;
        }
        if (!t.builtin && t.name.startsWith(QLatin1StringView("__")))
            errors.append(
                QStringLiteral(
                    "Name \"%1\" must not begin with \"__\", which is reserved by GraphQL introspection.")
                    .arg(t.name));
        auto nt = std::make_unique<NamedType>();
        nt->kind = t.kind;
        nt->name = t.name;
        nt->description = t.description;
        nt->specifiedByUrl = t.specifiedByUrl;
        nt->builtin = t.builtin;
        nt->codec = t.codec;
        nt->resolveType = t.resolveType;
        data->byName.insert(t.name, nt.get());
        data->types.push_back(std::move(nt));
    }
    auto mutableType = [&](const QString &name) -> NamedType * {
        return const_cast<NamedType *>(data->byName.value(name, nullptr));
    };
    auto resolveRef = [&](const QString &text, const QString &where, bool input) -> TypeRef {
        QString name;
        QByteArray wrappers;
        if (!parseTypeString(text, &name, &wrappers)) {
            errors.append(QStringLiteral("%1: \"%2\" is not a type reference.").arg(where, text));
            return {};
        }
        const NamedType *named = data->type(name);
        if (!named) {
            errors.append(QStringLiteral("%1: unknown type \"%2\".").arg(where, name));
            return {};
        }
        if (input && !named->isInput())
            errors.append(QStringLiteral("The type of %1 must be Input Type but got: %2.").arg(where, text));
        if (!input && !named->isOutput())
            errors.append(QStringLiteral("The type of %1 must be Output Type but got: %2.").arg(where, text));
        return TypeRef { named, wrappers };
    };
    auto buildArg = [&](const ArgDraft &a, const QString &where) {
        InputValueDef def;
        def.name = a.name;
        def.description = a.description;
        def.type = resolveRef(a.type, where, true);
        def.defaultValue = a.defaultValue;
        def.deprecated = a.deprecated;
        def.deprecationReason = a.deprecationReason;
        if (def.deprecated && def.type.isNonNull() && !def.defaultValue)
            errors.append(QStringLiteral("Required argument %1 cannot be deprecated.").arg(where));
        return def;
    };

    for (const TypeDraft &t : drafts.types) {
        NamedType *nt = mutableType(t.name);
        if (!nt)
            continue;
        for (const FieldDraft &f : t.fields) {
            FieldDef fd;
            fd.name = f.name;
            fd.description = f.description;
            const QString where = t.name + QLatin1Char('.') + f.name;
            fd.type = resolveRef(f.type, where, false);
            for (const ArgDraft &a : f.args) {
                for (const InputValueDef &existing : fd.args)
                    if (existing.name == a.name)
                        errors.append(
                            QStringLiteral("Argument %1(%2:) can only be defined once.").arg(where, a.name));
                fd.args.push_back(buildArg(a, where + QLatin1Char('(') + a.name + QStringLiteral(":)")));
            }
            fd.deprecated = f.deprecated;
            fd.deprecationReason = f.deprecationReason;
            fd.resolve = f.resolve;
            if (nt->fieldIndex.contains(f.name))
                errors.append(QStringLiteral("Field \"%1\" is defined twice.").arg(where));
            nt->fieldIndex.insert(f.name, int(nt->fields.size()));
            nt->fields.push_back(std::move(fd));
        }
        for (const ArgDraft &a : t.inputFields) {
            if (nt->inputField(a.name))
                errors.append(QStringLiteral("Input field \"%1.%2\" is defined twice.").arg(t.name, a.name));
            nt->inputFields.push_back(buildArg(a, t.name + QLatin1Char('.') + a.name));
        }
        nt->enumValues = t.values;
        for (const QString &i : t.interfaces) {
            const NamedType *iface = data->type(i);
            if (!iface || iface->kind != TypeKind::Interface) {
                errors.append(
                    QStringLiteral("Type %1 must only implement Interface types, it cannot implement %2.")
                        .arg(t.name, i));
                continue;
            }
            if (std::find(nt->interfaces.begin(), nt->interfaces.end(), iface) != nt->interfaces.end()) {
                errors.append(QStringLiteral("Type %1 can only implement %2 once.").arg(t.name, i));
                continue;
            }
            nt->interfaces.push_back(iface);
        }
        for (const QString &m : t.members) {
            const NamedType *member = data->type(m);
            if (!member || member->kind != TypeKind::Object) {
                errors.append(
                    QStringLiteral("Union type %1 can only include Object types, it cannot include %2.")
                        .arg(t.name, m));
                continue;
            }
            if (!nt->possibleSet.contains(member)) {
                nt->possibleTypes.push_back(member);
                nt->possibleSet.insert(member);
            }
        }
        switch (t.kind) {
        case TypeKind::Object:
        case TypeKind::Interface:
            if (t.fields.empty())
                errors.append(QStringLiteral("Type %1 must define one or more fields.").arg(t.name));
            break;
        case TypeKind::Enum:
            if (t.values.empty())
                errors.append(QStringLiteral("Enum type %1 must define one or more values.").arg(t.name));
            break;
        case TypeKind::InputObject:
            if (t.inputFields.empty())
                errors.append(
                    QStringLiteral("Input Object type %1 must define one or more fields.").arg(t.name));
            break;
        case TypeKind::Union:
            if (t.members.isEmpty())
                errors.append(
                    QStringLiteral("Union type %1 must define one or more member types.").arg(t.name));
            break;
        case TypeKind::Scalar:
            break;
        }
    }
    // Possible types of interfaces: every object type implementing them (in type order).
    for (const auto &nt : data->types) {
        if (nt->kind != TypeKind::Object)
            continue;
        for (const NamedType *iface : nt->interfaces) {
            auto *mi = const_cast<NamedType *>(iface);
            mi->possibleTypes.push_back(nt.get());
            mi->possibleSet.insert(nt.get());
        }
    }
    // Interface implementations must be complete and type-compatible.
    if (errors.isEmpty()) {
        for (const auto &nt : data->types) {
            if (!nt->hasFields())
                continue;
            for (const NamedType *iface : nt->interfaces) {
                for (const NamedType *transitive : iface->interfaces) {
                    if (std::find(nt->interfaces.begin(), nt->interfaces.end(), transitive)
                        == nt->interfaces.end())
                        errors.append(
                            QStringLiteral("Type %1 must implement %2 because it is implemented by %3.")
                                .arg(nt->name, transitive->name, iface->name));
                }
                for (const FieldDef &ifield : iface->fields) {
                    const FieldDef *f = nt->field(ifield.name);
                    if (!f) {
                        errors.append(
                            QStringLiteral("Interface field %1.%2 expected but %3 does not provide it.")
                                .arg(iface->name, ifield.name, nt->name));
                        continue;
                    }
                    if (!data->isTypeSubTypeOf(f->type, ifield.type))
                        errors.append(
                            QStringLiteral("Interface field %1.%2 expects type %3 but %4.%2 is type %5.")
                                .arg(iface->name, ifield.name, ifield.type.toString(), nt->name,
                                     f->type.toString()));
                    for (const InputValueDef &iarg : ifield.args) {
                        const InputValueDef *a = f->arg(iarg.name);
                        if (!a) {
                            errors.append(QStringLiteral("Interface field argument %1.%2(%3:) expected but "
                                                         "%4.%2 does not provide it.")
                                              .arg(iface->name, ifield.name, iarg.name, nt->name));
                        } else if (!(a->type == iarg.type)) {
                            errors.append(QStringLiteral("Interface field argument %1.%2(%3:) expects type "
                                                         "%4 but %5.%2(%3:) is type %6.")
                                              .arg(iface->name, ifield.name, iarg.name, iarg.type.toString(),
                                                   nt->name, a->type.toString()));
                        }
                    }
                    for (const InputValueDef &a : f->args) {
                        if (!ifield.arg(a.name) && a.type.isNonNull() && !a.defaultValue)
                            errors.append(QStringLiteral("Object field %1.%2 includes required argument %3 "
                                                         "that is missing from the Interface field %4.%2.")
                                              .arg(nt->name, f->name, a.name, iface->name));
                    }
                }
            }
        }
    }
    // Directives.
    for (const DirectiveDraft &dd : drafts.directives) {
        DirectiveDef def;
        def.name = dd.name;
        def.description = dd.description;
        def.locations = dd.locations;
        def.repeatable = dd.repeatable;
        def.builtin = dd.builtin;
        for (const ArgDraft &a : dd.args)
            def.args.push_back(
                buildArg(a, QLatin1Char('@') + dd.name + QLatin1Char('(') + a.name + QStringLiteral(":)")));
        data->directives.push_back(std::move(def));
    }
    // Default values must be valid for their types.
    if (errors.isEmpty()) {
        auto checkDefault = [&](const InputValueDef &a, const QString &where) {
            if (!a.defaultValue)
                return;
            CoercionError ce;
            if (!coerceInputValue(*a.defaultValue, a.type, &ce))
                errors.append(QStringLiteral("%1 has an invalid default value: %2").arg(where, ce.message));
        };
        for (const auto &nt : data->types) {
            for (const FieldDef &f : nt->fields)
                for (const InputValueDef &a : f.args)
                    checkDefault(a,
                                 nt->name + QLatin1Char('.') + f.name + QLatin1Char('(') + a.name
                                     + QStringLiteral(":)"));
            for (const InputValueDef &a : nt->inputFields)
                checkDefault(a, nt->name + QLatin1Char('.') + a.name);
        }
    }
    // Behaviour attached by name.
    for (const auto &r : drafts.resolvers) {
        NamedType *nt = mutableType(r.type);
        if (!nt || !nt->hasFields()) {
            errors.append(QStringLiteral("Resolver for %1.%2: no object or interface type \"%1\".")
                              .arg(r.type, r.field));
            continue;
        }
        const auto it = nt->fieldIndex.constFind(r.field);
        if (it == nt->fieldIndex.cend()) {
            errors.append(
                QStringLiteral("Resolver for %1.%2: the type has no field \"%2\".").arg(r.type, r.field));
            continue;
        }
        nt->fields[size_t(*it)].resolve = r.resolver;
    }
    for (const auto &[name, resolver] : drafts.typeResolvers) {
        NamedType *nt = mutableType(name);
        if (!nt || !nt->isAbstract()) {
            errors.append(QStringLiteral("Type resolver for \"%1\": not an interface or union.").arg(name));
            continue;
        }
        nt->resolveType = resolver;
    }
    for (const auto &[name, codec] : drafts.codecs) {
        NamedType *nt = mutableType(name);
        if (!nt || nt->kind != TypeKind::Scalar || nt->builtin) {
            errors.append(QStringLiteral("Scalar codec for \"%1\": not a custom scalar.").arg(name));
            continue;
        }
        nt->codec = codec;
    }
    // Root types.
    auto root = [&](const QString &explicitName, QLatin1StringView defaultName,
                    bool required) -> const NamedType * {
        const QString name = drafts.rootsExplicit ? explicitName : QString(defaultName);
        if (name.isEmpty())
            return nullptr;
        const NamedType *t = data->type(name);
        if (!t) {
            if (required || drafts.rootsExplicit)
                errors.append(QStringLiteral("Root type \"%1\" is not defined.").arg(name));
            return nullptr;
        }
        if (t->kind != TypeKind::Object) {
            errors.append(QStringLiteral("Root type \"%1\" must be an object type.").arg(name));
            return nullptr;
        }
        return t;
    };
    data->query = root(drafts.queryName, QLatin1StringView("Query"), true);
    data->mutation = root(drafts.mutationName, QLatin1StringView("Mutation"), false);
    data->subscription = root(drafts.subscriptionName, QLatin1StringView("Subscription"), false);
    if (!data->query && errors.isEmpty())
        errors.append(QStringLiteral("Query root type must be provided."));

    if (!errors.isEmpty())
        return Error { QStringLiteral("graphql.schema"), errors.join(QLatin1Char('\n')) };

    installIntrospection(*data);
    Schema schema;
    schema.d = std::move(data);
    return schema;
}

// Schema -------------------------------------------------------------------------------------

bool Schema::hasType(const QString &name) const
{
    return d && d->type(name) != nullptr;
}

namespace {

bool isPrintableAsBlockString(const QString &value)
{
    if (value.isEmpty())
        return true;
    bool isEmptyLine = true;
    bool hasIndent = false;
    bool hasCommonIndent = true;
    bool seenNonEmptyLine = false;
    for (QChar ch : value) {
        const char16_t c = ch.unicode();
        switch (c) {
        case 0x0000:
        case 0x0001:
        case 0x0002:
        case 0x0003:
        case 0x0004:
        case 0x0005:
        case 0x0006:
        case 0x0007:
        case 0x0008:
        case 0x000B:
        case 0x000C:
        case 0x000E:
        case 0x000F:
        case 0x000D:
            return false;
        case 0x000A:
            if (isEmptyLine && !seenNonEmptyLine)
                return false;
            seenNonEmptyLine = true;
            isEmptyLine = true;
            hasIndent = false;
            break;
        case 0x0009:
        case 0x0020:
            hasIndent = hasIndent || isEmptyLine;
            break;
        default:
            hasCommonIndent = hasCommonIndent && hasIndent;
            isEmptyLine = false;
        }
    }
    if (isEmptyLine)
        return false;
    if (hasCommonIndent && seenNonEmptyLine)
        return false;
    return true;
}

QString printDescription(const QString &description, const QString &indentation = {},
                         bool firstInBlock = true)
{
    if (description.isNull())
        return {};
    QString block =
        isPrintableAsBlockString(description) ? printBlockString(description) : printString(description);
    const QString prefix =
        (!indentation.isEmpty() && !firstInBlock) ? QLatin1Char('\n') + indentation : indentation;
    block.replace(QLatin1Char('\n'), QLatin1Char('\n') + indentation);
    return prefix + block + QLatin1Char('\n');
}

QString printDeprecated(bool deprecated, const QString &reason)
{
    if (!deprecated)
        return {};
    if (reason != kDefaultDeprecationReason)
        return QStringLiteral(" @deprecated(reason: ") + printString(reason) + QLatin1Char(')');
    return QStringLiteral(" @deprecated");
}

QString printInputValue(const InputValueDef &arg)
{
    QString out = arg.name + QStringLiteral(": ") + arg.type.toString();
    if (arg.defaultValue)
        out += QStringLiteral(" = ") + printDefaultValue(*arg.defaultValue, arg.type);
    return out + printDeprecated(arg.deprecated, arg.deprecationReason);
}

QString nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QString() : s;
}

QString printArgs(const std::vector<InputValueDef> &args, const QString &indentation = {})
{
    if (args.empty())
        return {};
    const bool anyDescription = std::any_of(args.begin(), args.end(),
                                            [](const InputValueDef &a) { return !a.description.isEmpty(); });
    if (!anyDescription) {
        QStringList items;
        for (const InputValueDef &a : args)
            items.append(printInputValue(a));
        return QLatin1Char('(') + items.join(QStringLiteral(", ")) + QLatin1Char(')');
    }
    QStringList items;
    for (size_t i = 0; i < args.size(); ++i)
        items.append(
            printDescription(nullIfEmpty(args[i].description), QStringLiteral("  ") + indentation, i == 0)
            + QStringLiteral("  ") + indentation + printInputValue(args[i]));
    return QStringLiteral("(\n") + items.join(QLatin1Char('\n')) + QLatin1Char('\n') + indentation
        + QLatin1Char(')');
}

QString printBlock(const QStringList &items)
{
    return items.isEmpty() ? QString()
                           : QStringLiteral(" {\n") + items.join(QLatin1Char('\n')) + QStringLiteral("\n}");
}

QString printFields(const NamedType &t)
{
    QStringList items;
    for (size_t i = 0; i < t.fields.size(); ++i) {
        const FieldDef &f = t.fields[i];
        items.append(printDescription(nullIfEmpty(f.description), QStringLiteral("  "), i == 0)
                     + QStringLiteral("  ") + f.name + printArgs(f.args, QStringLiteral("  "))
                     + QStringLiteral(": ") + f.type.toString()
                     + printDeprecated(f.deprecated, f.deprecationReason));
    }
    return printBlock(items);
}

QString printInterfaces(const NamedType &t)
{
    if (t.interfaces.empty())
        return {};
    QStringList names;
    for (const NamedType *i : t.interfaces)
        names.append(i->name);
    return QStringLiteral(" implements ") + names.join(QStringLiteral(" & "));
}

QString printType(const NamedType &t)
{
    const QString desc = printDescription(nullIfEmpty(t.description));
    switch (t.kind) {
    case TypeKind::Scalar:
        return desc + QStringLiteral("scalar ") + t.name
            + (t.specifiedByUrl.isEmpty() ? QString()
                                          : QStringLiteral(" @specifiedBy(url: ")
                       + printString(t.specifiedByUrl) + QLatin1Char(')'));
    case TypeKind::Object:
        return desc + QStringLiteral("type ") + t.name + printInterfaces(t) + printFields(t);
    case TypeKind::Interface:
        return desc + QStringLiteral("interface ") + t.name + printInterfaces(t) + printFields(t);
    case TypeKind::Union: {
        QStringList names;
        for (const NamedType *m : t.possibleTypes)
            names.append(m->name);
        return desc + QStringLiteral("union ") + t.name
            + (names.isEmpty() ? QString() : QStringLiteral(" = ") + names.join(QStringLiteral(" | ")));
    }
    case TypeKind::Enum: {
        QStringList items;
        for (size_t i = 0; i < t.enumValues.size(); ++i) {
            const EnumValueDef &v = t.enumValues[i];
            items.append(printDescription(nullIfEmpty(v.description), QStringLiteral("  "), i == 0)
                         + QStringLiteral("  ") + v.name
                         + printDeprecated(v.deprecated, v.deprecationReason));
        }
        return desc + QStringLiteral("enum ") + t.name + printBlock(items);
    }
    case TypeKind::InputObject: {
        QStringList items;
        for (size_t i = 0; i < t.inputFields.size(); ++i)
            items.append(
                printDescription(nullIfEmpty(t.inputFields[i].description), QStringLiteral("  "), i == 0)
                + QStringLiteral("  ") + printInputValue(t.inputFields[i]));
        return desc + QStringLiteral("input ") + t.name + printBlock(items);
    }
    }
    return {};
}

} // namespace

QString Schema::printSdl() const
{
    if (!d)
        return {};
    QStringList parts;
    const bool commonNames = (!d->query || d->query->name == QLatin1StringView("Query"))
        && (!d->mutation || d->mutation->name == QLatin1StringView("Mutation"))
        && (!d->subscription || d->subscription->name == QLatin1StringView("Subscription"));
    if (!d->description.isEmpty() || !commonNames) {
        QStringList ops;
        if (d->query)
            ops.append(QStringLiteral("  query: ") + d->query->name);
        if (d->mutation)
            ops.append(QStringLiteral("  mutation: ") + d->mutation->name);
        if (d->subscription)
            ops.append(QStringLiteral("  subscription: ") + d->subscription->name);
        parts.append(printDescription(nullIfEmpty(d->description)) + QStringLiteral("schema {\n")
                     + ops.join(QLatin1Char('\n')) + QStringLiteral("\n}"));
    }
    for (const DirectiveDef &dir : d->directives) {
        if (dir.builtin)
            continue;
        parts.append(printDescription(nullIfEmpty(dir.description)) + QStringLiteral("directive @") + dir.name
                     + printArgs(dir.args) + (dir.repeatable ? QStringLiteral(" repeatable") : QString())
                     + QStringLiteral(" on ") + dir.locations.join(QStringLiteral(" | ")));
    }
    for (const auto &t : d->types) {
        if (t->builtin)
            continue;
        parts.append(printType(*t));
    }
    return parts.join(QStringLiteral("\n\n"));
}

} // namespace lifdag::graphql
