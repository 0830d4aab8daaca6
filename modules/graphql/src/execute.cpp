// Execution (spec section 6): operation selection, variable and argument coercion, field
// collection with @skip/@include and fragments, value completion with null propagation,
// abstract type resolution; the Engine with its document cache; response serialization.
#include "execute_p.h"

#include <lifdag/graphql/execute.h>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QMutex>
#include <QSet>

#include <cmath>
#include <list>

namespace lifdag::graphql {

using namespace detail;

// Document ------------------------------------------------------------------------------------

Document Document::parse(const QString &source, const ParseOptions &options)
{
    Document doc;
    GraphQLError error;
    auto node = parseDocument(source, options, &error);
    if (!node)
        doc.m_error = std::move(error);
    else
        doc.m_node = std::move(node);
    return doc;
}

std::optional<OperationType> Document::operationType(const QString &operationName) const
{
    if (!m_node)
        return std::nullopt;
    if (operationName.isEmpty()) {
        if (m_node->operations.size() == 1)
            return m_node->operations.front().type;
        return std::nullopt;
    }
    for (const OperationDefinition &op : m_node->operations)
        if (op.name == operationName)
            return op.type;
    return std::nullopt;
}

QStringList Document::operationNames() const
{
    QStringList out;
    if (m_node)
        for (const OperationDefinition &op : m_node->operations)
            out.append(op.name);
    return out;
}

QJsonObject GraphQLError::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1StringView("message"), message);
    if (!locations.isEmpty()) {
        QJsonArray locs;
        for (const SourceLocation &l : locations)
            locs.append(
                QJsonObject { { QStringLiteral("line"), l.line }, { QStringLiteral("column"), l.column } });
        o.insert(QLatin1StringView("locations"), locs);
    }
    if (!path.isEmpty())
        o.insert(QLatin1StringView("path"), path);
    if (!extensions.isEmpty())
        o.insert(QLatin1StringView("extensions"), extensions);
    return o;
}

// Ordered output ------------------------------------------------------------------------------

namespace detail {

QJsonValue OutNode::toJson() const
{
    switch (kind) {
    case Kind::Null:
        return QJsonValue(QJsonValue::Null);
    case Kind::Leaf:
        return leaf;
    case Kind::List: {
        QJsonArray arr;
        for (const OutNode &item : items)
            arr.append(item.toJson());
        return arr;
    }
    case Kind::Object: {
        QJsonObject obj;
        for (const auto &[key, value] : fields)
            obj.insert(key, value.toJson());
        return obj;
    }
    }
    return {};
}

void writeJsonString(QByteArray &out, const QString &text)
{
    // UTF-16 straight to escaped UTF-8, without an intermediate copy.
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const char16_t *p = reinterpret_cast<const char16_t *>(text.constData());
    const char16_t *end = p + text.size();
    for (; p < end; ++p) {
        // Runs of characters that need no escaping go in one append.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != u'"' && *p != u'\\')
            ++p;
        if (p > run) {
            const qsizetype n = p - run;
            const qsizetype at = out.size();
            out.resize(at + n);
            char *dst = out.data() + at;
            for (qsizetype i = 0; i < n; ++i)
                dst[i] = char(run[i]);
            if (p == end)
                break;
        }
        char32_t c = *p;
        if (c < 0x80) {
            switch (c) {
            case u'"':
                out += "\\\"";
                break;
            case u'\\':
                out += "\\\\";
                break;
            case u'\n':
                out += "\\n";
                break;
            case u'\r':
                out += "\\r";
                break;
            case u'\t':
                out += "\\t";
                break;
            case u'\b':
                out += "\\b";
                break;
            case u'\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += char(c);
                }
            }
            continue;
        }
        if (QChar::isHighSurrogate(c) && p + 1 < end && QChar::isLowSurrogate(p[1])) {
            c = QChar::surrogateToUcs4(char16_t(c), p[1]);
            ++p;
        } else if (QChar::isSurrogate(c)) {
            c = 0xFFFD; // a lone surrogate has no UTF-8 form
        }
        if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
    }
    out += '"';
}

void writeJsonValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        return;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        return;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (!std::isfinite(d)) {
            out += "null";
        } else if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
            out += QByteArray::number(qint64(d));
        } else {
            out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
        }
        return;
    }
    case QJsonValue::String:
        writeJsonString(out, value.toString());
        return;
    case QJsonValue::Array:
    case QJsonValue::Object: {
        QJsonDocument doc =
            value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
        out += doc.toJson(QJsonDocument::Compact);
        return;
    }
    }
}

void OutNode::write(QByteArray &out) const
{
    switch (kind) {
    case Kind::Null:
        out += "null";
        return;
    case Kind::Leaf:
        writeJsonValue(out, leaf);
        return;
    case Kind::List:
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += ',';
            items[i].write(out);
        }
        out += ']';
        return;
    case Kind::Object:
        out += '{';
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i)
                out += ',';
            writeJsonString(out, fields[i].first);
            out += ':';
            fields[i].second.write(out);
        }
        out += '}';
        return;
    }
}

} // namespace detail

QJsonValue ExecutionResult::data() const
{
    return dataNode ? dataNode->toJson() : QJsonValue(QJsonValue::Null);
}

QJsonObject ExecutionResult::toJson() const
{
    QJsonObject o;
    if (dataNode)
        o.insert(QLatin1StringView("data"), dataNode->toJson());
    if (!errors.isEmpty()) {
        QJsonArray arr;
        for (const GraphQLError &e : errors)
            arr.append(e.toJson());
        o.insert(QLatin1StringView("errors"), arr);
    }
    return o;
}

namespace {

// message, locations, path, extensions: the order the spec lists them.
void writeError(QByteArray &out, const GraphQLError &e)
{
    out += "{\"message\":";
    writeJsonString(out, e.message);
    if (!e.locations.isEmpty()) {
        out += ",\"locations\":[";
        for (qsizetype i = 0; i < e.locations.size(); ++i) {
            if (i)
                out += ',';
            out += "{\"line\":" + QByteArray::number(e.locations[i].line)
                + ",\"column\":" + QByteArray::number(e.locations[i].column) + '}';
        }
        out += ']';
    }
    if (!e.path.isEmpty()) {
        out += ",\"path\":";
        writeJsonValue(out, e.path);
    }
    if (!e.extensions.isEmpty()) {
        out += ",\"extensions\":";
        writeJsonValue(out, e.extensions);
    }
    out += '}';
}

} // namespace

QByteArray ExecutionResult::toJsonBytes() const
{
    QByteArray out;
    out.reserve(1024);
    out += '{';
    bool first = true;
    if (dataNode) {
        out += "\"data\":";
        dataNode->write(out);
        first = false;
    }
    if (!errors.isEmpty()) {
        if (!first)
            out += ',';
        out += "\"errors\":[";
        for (qsizetype i = 0; i < errors.size(); ++i) {
            if (i)
                out += ',';
            writeError(out, errors[i]);
        }
        out += ']';
    }
    out += '}';
    return out;
}

// Executor ------------------------------------------------------------------------------------

namespace detail {

using FieldNodes = std::vector<const Selection *>;
using GroupedFields = std::vector<std::pair<QString, FieldNodes>>;

class Executor
{
public:
    Executor(const SchemaData &schema, const DocumentNode &doc, const std::any &user)
        : m_schema(schema)
        , m_doc(doc)
        , m_user(user)
    {
        for (const FragmentDefinition &f : doc.fragments)
            m_fragments.insert(f.name, &f);
    }

    ExecutionResult run(const Request &request)
    {
        ExecutionResult result;
        const OperationDefinition *op = selectOperation(request.operationName, &result);
        if (!op) {
            result.requestError = true;
            return result;
        }
        if (op->type == OperationType::Mutation && !request.allowMutations) {
            result.errors.append(
                GraphQLError { QStringLiteral("Can only perform a mutation operation from a POST request."),
                               { op->loc },
                               {},
                               {} });
            result.requestError = true;
            return result;
        }
        const NamedType *root = m_schema.rootType(op->type);
        if (!root) {
            static const char *const names[] = { "query", "mutation", "subscription" };
            result.errors.append(
                GraphQLError { QStringLiteral("Schema is not configured to execute %1 operation.")
                                   .arg(QLatin1StringView(names[int(op->type)])),
                               { op->loc },
                               {},
                               {} });
            result.requestError = true;
            return result;
        }
        if (!coerceVariables(*op, request.variables, &result)) {
            result.requestError = true;
            return result;
        }
        GroupedFields fields;
        QHash<QString, int> index;
        QSet<QString> visited;
        collectFields(root, op->selections, fields, index, visited);
        // Everything runs synchronously, so mutation fields already execute one after another.
        std::optional<OutNode> data = executeFields(root, Value(), fields);
        auto node = std::make_shared<OutNode>();
        if (data)
            *node = std::move(*data);
        result.dataNode = std::move(node);
        result.errors += m_errors;
        return result;
    }

    QStringList selectedFields(const FieldNodes &nodes) const
    {
        QStringList out;
        QSet<QString> seen;
        QSet<QString> visited;
        for (const Selection *n : nodes)
            gatherNames(n->selections, out, seen, visited, 0);
        return out;
    }

    const std::any &user() const { return m_user; }

private:
    const OperationDefinition *selectOperation(const QString &name, ExecutionResult *result)
    {
        const auto &ops = m_doc.operations;
        if (name.isEmpty()) {
            if (ops.size() == 1)
                return &ops.front();
            result->errors.append(GraphQLError {
                ops.empty()
                    ? QStringLiteral("Must provide an operation.")
                    : QStringLiteral("Must provide operation name if query contains multiple operations."),
                {},
                {},
                {} });
            return nullptr;
        }
        for (const OperationDefinition &op : ops)
            if (op.name == name)
                return &op;
        result->errors.append(
            GraphQLError { QStringLiteral("Unknown operation named \"%1\".").arg(name), {}, {}, {} });
        return nullptr;
    }

    static QString printPath(const QStringList &path)
    {
        QString out;
        for (const QString &p : path)
            out += p.startsWith(QLatin1Char('[')) ? p : QLatin1Char('.') + p;
        return out;
    }

    static QJsonValue valueAtPath(QJsonValue value, const QStringList &path)
    {
        for (const QString &p : path) {
            if (p.startsWith(QLatin1Char('['))) {
                const int i = p.mid(1, p.size() - 2).toInt();
                value = value.isArray() ? value.toArray().at(i) : value;
            } else {
                value = value.toObject().value(p);
            }
        }
        return value;
    }

    bool coerceVariables(const OperationDefinition &op, const QJsonObject &inputs, ExecutionResult *result)
    {
        for (const VariableDefinition &def : op.variables) {
            const TypeRef type = m_schema.typeFromAst(*def.type);
            const QString typeStr = def.type->toString();
            if (type.isNull() || !type.named->isInput()) {
                result->errors.append(
                    GraphQLError { QStringLiteral("Variable \"$%1\" expected value of type \"%2\" which "
                                                  "cannot be used as an input type.")
                                       .arg(def.name, typeStr),
                                   { def.type->loc },
                                   {},
                                   {} });
                continue;
            }
            const auto it = inputs.constFind(def.name);
            if (it == inputs.constEnd()) {
                if (def.defaultValue) {
                    if (auto v = valueFromAst(*def.defaultValue, type, nullptr))
                        m_variables.insert(def.name, *v);
                } else if (type.isNonNull()) {
                    result->errors.append(GraphQLError {
                        QStringLiteral("Variable \"$%1\" of required type \"%2\" was not provided.")
                            .arg(def.name, typeStr),
                        { def.loc },
                        {},
                        {} });
                }
                continue;
            }
            if (it->isNull() && type.isNonNull()) {
                result->errors.append(GraphQLError {
                    QStringLiteral("Variable \"$%1\" of non-null type \"%2\" must not be null.")
                        .arg(def.name, typeStr),
                    { def.loc },
                    {},
                    {} });
                continue;
            }
            CoercionError error;
            auto coerced = coerceInputValue(*it, type, &error);
            if (!coerced) {
                QString message = QStringLiteral("Variable \"$%1\" got invalid value ").arg(def.name)
                    + inspectJson(valueAtPath(*it, error.path));
                if (!error.path.isEmpty())
                    message += QStringLiteral(" at \"%1%2\"").arg(def.name, printPath(error.path));
                result->errors.append(
                    GraphQLError { message + QStringLiteral("; ") + error.message, { def.loc }, {}, {} });
                continue;
            }
            m_variables.insert(def.name, *coerced);
        }
        return result->errors.isEmpty();
    }

    bool shouldInclude(const std::vector<Directive> &directives) const
    {
        for (const Directive &d : directives) {
            const bool isSkip = d.name == QLatin1StringView("skip");
            if (!isSkip && d.name != QLatin1StringView("include"))
                continue;
            for (const Argument &a : d.arguments) {
                if (a.name != QLatin1StringView("if"))
                    continue;
                bool value = false;
                if (a.value.kind == ValueNode::Kind::Variable)
                    value = m_variables.value(a.value.text).toBool();
                else
                    value = a.value.boolean;
                if (isSkip && value)
                    return false;
                if (!isSkip && !value)
                    return false;
            }
        }
        return true;
    }

    bool fragmentApplies(const NamedType *objectType, const QString &typeCondition) const
    {
        if (typeCondition.isEmpty())
            return true;
        const NamedType *cond = m_schema.type(typeCondition);
        if (!cond)
            return false;
        if (cond == objectType)
            return true;
        return cond->isAbstract() && cond->possibleSet.contains(objectType);
    }

    void collectFields(const NamedType *objectType, const std::vector<Selection> &selections,
                       GroupedFields &out, QHash<QString, int> &index, QSet<QString> &visitedFragments) const
    {
        for (const Selection &s : selections) {
            if (!shouldInclude(s.directives))
                continue;
            switch (s.kind) {
            case Selection::Kind::Field: {
                const QString &key = s.responseKey();
                const auto it = index.constFind(key);
                if (it == index.cend()) {
                    index.insert(key, int(out.size()));
                    out.push_back({ key, FieldNodes { &s } });
                } else {
                    out[size_t(*it)].second.push_back(&s);
                }
                break;
            }
            case Selection::Kind::InlineFragment:
                if (fragmentApplies(objectType, s.typeCondition))
                    collectFields(objectType, s.selections, out, index, visitedFragments);
                break;
            case Selection::Kind::FragmentSpread: {
                if (visitedFragments.contains(s.name))
                    break;
                visitedFragments.insert(s.name);
                const FragmentDefinition *f = m_fragments.value(s.name, nullptr);
                if (f && fragmentApplies(objectType, f->typeCondition))
                    collectFields(objectType, f->selections, out, index, visitedFragments);
                break;
            }
            }
        }
    }

    void gatherNames(const std::vector<Selection> &selections, QStringList &out, QSet<QString> &seen,
                     QSet<QString> &visited, int depth) const
    {
        if (depth > 64)
            return;
        for (const Selection &s : selections) {
            if (!shouldInclude(s.directives))
                continue;
            if (s.kind == Selection::Kind::Field) {
                if (!seen.contains(s.name)) {
                    seen.insert(s.name);
                    out.append(s.name);
                }
            } else if (s.kind == Selection::Kind::InlineFragment) {
                gatherNames(s.selections, out, seen, visited, depth + 1);
            } else if (!visited.contains(s.name)) {
                visited.insert(s.name);
                if (const FragmentDefinition *f = m_fragments.value(s.name, nullptr))
                    gatherNames(f->selections, out, seen, visited, depth + 1);
            }
        }
    }

    const GroupedFields &subfields(const NamedType *objectType, const FieldNodes &nodes)
    {
        const auto key =
            std::make_pair(static_cast<const void *>(nodes.front()), static_cast<const void *>(objectType));
        auto it = m_subfieldCache.find(key);
        if (it != m_subfieldCache.end() && it->second.first == nodes)
            return it->second.second;
        GroupedFields fields;
        QHash<QString, int> index;
        QSet<QString> visited;
        for (const Selection *n : nodes)
            if (n->hasSelectionSet)
                collectFields(objectType, n->selections, fields, index, visited);
        auto &slot = m_subfieldCache[key];
        slot = { nodes, std::move(fields) };
        return slot.second;
    }

    QJsonArray currentPath() const
    {
        QJsonArray arr;
        for (const PathSegment &p : m_path) {
            if (p.index >= 0)
                arr.append(p.index);
            else
                arr.append(p.key);
        }
        return arr;
    }

    void addError(const QString &message, const FieldNodes &nodes, const QString &code = {})
    {
        GraphQLError e;
        e.message = message;
        for (const Selection *n : nodes)
            e.locations.append(n->loc);
        e.path = currentPath();
        if (!code.isEmpty())
            e.extensions.insert(QLatin1StringView("code"), code);
        m_errors.append(std::move(e));
    }

    std::optional<OutNode> executeFields(const NamedType *objectType, const Value &parent,
                                         const GroupedFields &fields)
    {
        OutNode out;
        out.kind = OutNode::Kind::Object;
        out.fields.reserve(fields.size());
        for (const auto &[key, nodes] : fields) {
            m_path.push_back(PathSegment { key, -1 });
            std::optional<OutNode> value = executeField(objectType, parent, nodes);
            m_path.pop_back();
            if (!value)
                return std::nullopt;
            if (value->kind == OutNode::Kind::Leaf && value->leaf.isUndefined())
                continue; // unknown field (documents are validated; kept for robustness)
            out.fields.emplace_back(key, std::move(*value));
        }
        return out;
    }

    bool coerceArguments(const FieldDef &def, const Selection &node, QJsonObject *args, QString *error) const
    {
        for (const InputValueDef &argDef : def.args) {
            const Argument *argNode = nullptr;
            for (const Argument &a : node.arguments)
                if (a.name == argDef.name) {
                    argNode = &a;
                    break;
                }
            bool hasValue = argNode != nullptr;
            bool isNullValue = argNode && argNode->value.kind == ValueNode::Kind::Null;
            if (argNode && argNode->value.kind == ValueNode::Kind::Variable) {
                hasValue = m_variables.contains(argNode->value.text);
                isNullValue = hasValue && m_variables.value(argNode->value.text).isNull();
            }
            if (!hasValue && argDef.defaultValue) {
                CoercionError ignored;
                if (auto v = coerceInputValue(*argDef.defaultValue, argDef.type, &ignored))
                    args->insert(argDef.name, *v);
                continue;
            }
            if (argDef.type.isNonNull()) {
                if (!hasValue) {
                    if (argNode)
                        *error = QStringLiteral("Argument \"%1\" of required type \"%2\" was provided the "
                                                "variable \"$%3\" which was not provided a runtime value.")
                                     .arg(argDef.name, argDef.type.toString(), argNode->value.text);
                    else
                        *error = QStringLiteral("Argument \"%1\" of required type \"%2\" was not provided.")
                                     .arg(argDef.name, argDef.type.toString());
                    return false;
                }
                if (isNullValue) {
                    *error = QStringLiteral("Argument \"%1\" of non-null type \"%2\" must not be null.")
                                 .arg(argDef.name, argDef.type.toString());
                    return false;
                }
            }
            if (!hasValue)
                continue;
            if (argNode->value.kind == ValueNode::Kind::Variable) {
                args->insert(argDef.name, m_variables.value(argNode->value.text));
                continue;
            }
            auto v = valueFromAst(argNode->value, argDef.type, &m_variables);
            if (!v) {
                *error = QStringLiteral("Argument \"%1\" has invalid value %2.")
                             .arg(argDef.name, printValue(argNode->value));
                return false;
            }
            args->insert(argDef.name, *v);
        }
        return true;
    }

    std::optional<OutNode> executeField(const NamedType *objectType, const Value &parent,
                                        const FieldNodes &nodes)
    {
        const Selection &node = *nodes.front();
        if (node.name == QLatin1StringView("__typename")) {
            OutNode out;
            out.kind = OutNode::Kind::Leaf;
            out.leaf = objectType->name;
            return out;
        }
        const FieldDef *def = m_schema.fieldDef(objectType, node.name);
        if (!def) {
            OutNode skip;
            skip.kind = OutNode::Kind::Leaf;
            skip.leaf = QJsonValue(QJsonValue::Undefined);
            return skip;
        }
        auto fail = [&](const QString &message, const QString &code = {}) -> std::optional<OutNode> {
            addError(message, nodes, code);
            if (def->type.isNonNull())
                return std::nullopt;
            return OutNode {};
        };
        QJsonObject args;
        QString argError;
        if (!coerceArguments(*def, node, &args, &argError))
            return fail(argError);

        Value resolved;
        if (def->resolve) {
            ResolveState state { this, &m_user, objectType, def, &nodes, &m_path };
            FieldResult r = def->resolve(parent, args, Context(&state));
            if (!r.ok())
                return fail(r.error().message, r.error().code);
            resolved = std::move(r.value());
        } else if (parent.kind() == Value::Kind::Json && parent.json().isObject()) {
            resolved = Value(parent.json().toObject().value(def->name));
        } else if (parent.isSource()) {
            return fail(QStringLiteral("No resolver for field %1.%2.").arg(objectType->name, def->name));
        }
        std::optional<OutNode> out = completeValue(def->type, objectType, def, nodes, resolved);
        if (!out && !def->type.isNonNull())
            return OutNode {};
        return out;
    }

    // nullopt: an error was recorded and null must propagate to the nearest nullable parent.
    std::optional<OutNode> completeValue(const TypeRef &type, const NamedType *parentType,
                                         const FieldDef *def, const FieldNodes &nodes, const Value &value)
    {
        if (type.isNonNull()) {
            std::optional<OutNode> inner = completeValue(type.ofType(), parentType, def, nodes, value);
            if (!inner)
                return std::nullopt;
            if (inner->kind == OutNode::Kind::Null) {
                addError(QStringLiteral("Cannot return null for non-nullable field %1.%2.")
                             .arg(parentType->name, def->name),
                         nodes);
                return std::nullopt;
            }
            return inner;
        }
        if (value.isNull())
            return OutNode {};
        if (type.isList()) {
            if (!value.isList()) {
                addError(QStringLiteral("Expected Iterable, but did not find one for field \"%1.%2\".")
                             .arg(parentType->name, def->name),
                         nodes);
                return std::nullopt;
            }
            const TypeRef itemType = type.ofType();
            const QList<Value> items = value.items();
            OutNode out;
            out.kind = OutNode::Kind::List;
            out.items.reserve(size_t(items.size()));
            for (qsizetype i = 0; i < items.size(); ++i) {
                m_path.push_back(PathSegment { {}, int(i) });
                std::optional<OutNode> item = completeValue(itemType, parentType, def, nodes, items[i]);
                m_path.pop_back();
                if (!item) {
                    if (itemType.isNonNull())
                        return std::nullopt;
                    item = OutNode {};
                }
                out.items.push_back(std::move(*item));
            }
            return out;
        }
        const NamedType *named = type.named;
        if (named->isLeaf())
            return completeLeaf(named, parentType, def, nodes, value);
        const NamedType *objectType = named;
        if (named->isAbstract()) {
            objectType = resolveAbstractType(named, parentType, def, nodes, value);
            if (!objectType)
                return std::nullopt;
        }
        if (!value.isSource() && !(value.kind() == Value::Kind::Json && value.json().isObject())) {
            addError(QStringLiteral("Expected value of type \"%1\" but got: %2.")
                         .arg(objectType->name, inspectJson(value.json())),
                     nodes);
            return std::nullopt;
        }
        return executeFields(objectType, value, subfields(objectType, nodes));
    }

    std::optional<OutNode> completeLeaf(const NamedType *type, const NamedType *parentType,
                                        const FieldDef *def, const FieldNodes &nodes, const Value &value)
    {
        OutNode out;
        out.kind = OutNode::Kind::Leaf;
        QString error;
        std::optional<QJsonValue> serialized;
        if (type->kind == TypeKind::Enum) {
            const QJsonValue json = value.json();
            if (json.isString() && type->enumValue(json.toString()))
                serialized = json;
            else
                error = QStringLiteral("Enum \"%1\" cannot represent value: %2")
                            .arg(type->name, inspectJson(json));
        } else if (type->builtin) {
            if (value.kind() != Value::Kind::Json)
                error = QStringLiteral("%1 cannot represent value: %2")
                            .arg(type->name, inspectJson(value.json()));
            else
                serialized = serializeBuiltinScalar(type, value.json(), &error);
        } else if (type->codec.serialize) {
            Result<QJsonValue> r = type->codec.serialize(value);
            if (r.ok())
                serialized = r.value();
            else
                error = r.error().message;
        } else if (value.kind() == Value::Kind::Json || value.kind() == Value::Kind::List) {
            serialized = value.kind() == Value::Kind::Json ? value.json() : listToJson(value);
        } else {
            error = QStringLiteral("%1 cannot represent an opaque value.").arg(type->name);
        }
        if (!serialized) {
            addError(error.isEmpty() ? QStringLiteral("Cannot serialize value for field %1.%2.")
                                           .arg(parentType->name, def->name)
                                     : error,
                     nodes);
            return std::nullopt;
        }
        if (serialized->isNull() || serialized->isUndefined())
            return OutNode {};
        out.leaf = *serialized;
        return out;
    }

    static QJsonValue listToJson(const Value &value)
    {
        QJsonArray arr;
        for (const Value &item : value.items())
            arr.append(item.isList() && item.kind() == Value::Kind::List ? listToJson(item) : item.json());
        return arr;
    }

    const NamedType *resolveAbstractType(const NamedType *abstract, const NamedType *parentType,
                                         const FieldDef *def, const FieldNodes &nodes, const Value &value)
    {
        QString name = value.typeName();
        if (name.isEmpty() && abstract->resolveType) {
            ResolveState state { this, &m_user, parentType, def, &nodes, &m_path };
            name = abstract->resolveType(value, Context(&state));
        }
        if (name.isEmpty()) {
            addError(
                QStringLiteral(
                    "Abstract type \"%1\" must resolve to an Object type at runtime for field \"%2.%3\". "
                    "Either the \"%1\" type should provide a \"resolveType\" function or each possible "
                    "type should provide an \"isTypeOf\" function.")
                    .arg(abstract->name, parentType->name, def->name),
                nodes);
            return nullptr;
        }
        const NamedType *runtime = m_schema.type(name);
        if (!runtime || runtime->kind != TypeKind::Object) {
            addError(QStringLiteral("Abstract type \"%1\" was resolved to a type \"%2\" that does not exist "
                                    "inside the schema.")
                         .arg(abstract->name, name),
                     nodes);
            return nullptr;
        }
        if (!abstract->possibleSet.contains(runtime)) {
            addError(QStringLiteral("Runtime Object type \"%1\" is not a possible type for \"%2\".")
                         .arg(name, abstract->name),
                     nodes);
            return nullptr;
        }
        return runtime;
    }

    const SchemaData &m_schema;
    const DocumentNode &m_doc;
    const std::any &m_user;
    QHash<QString, const FragmentDefinition *> m_fragments;
    QJsonObject m_variables;
    std::vector<PathSegment> m_path;
    QList<GraphQLError> m_errors;
    std::map<std::pair<const void *, const void *>, std::pair<FieldNodes, GroupedFields>> m_subfieldCache;
};

} // namespace detail

// Context ------------------------------------------------------------------------------------

const std::any &Context::user() const
{
    return *m_state->user;
}

QString Context::fieldName() const
{
    return m_state->field ? m_state->field->name : QString();
}

QString Context::parentTypeName() const
{
    return m_state->parentType ? m_state->parentType->name : QString();
}

QJsonArray Context::path() const
{
    QJsonArray arr;
    for (const PathSegment &p : *m_state->path) {
        if (p.index >= 0)
            arr.append(p.index);
        else
            arr.append(p.key);
    }
    return arr;
}

QStringList Context::selectedFields() const
{
    return m_state->executor->selectedFields(*m_state->fieldNodes);
}

// Entry points -------------------------------------------------------------------------------

ExecutionResult executeDocument(const Schema &schema, const Document &document, const Request &request)
{
    ExecutionResult result;
    if (schema.isNull() || document.isNull()) {
        result.errors.append(document.isNull() ? document.error()
                                               : GraphQLError { QStringLiteral("No schema."), {}, {}, {} });
        result.requestError = true;
        return result;
    }
    Executor executor(*schema.data(), *document.node(), request.context);
    return executor.run(request);
}

struct Engine::Cache
{
    struct Entry
    {
        Document document;
        QList<GraphQLError> errors;
    };
    QMutex mutex;
    QHash<QString, std::shared_ptr<const Entry>> entries;
    static constexpr int kMaxEntries = 256;
};

Engine::Engine(Schema schema, Limits limits)
    : m_schema(std::move(schema))
    , m_limits(limits)
    , m_cache(std::make_unique<Cache>())
{ }

Engine::~Engine() = default;

ExecutionResult Engine::run(const Request &request) const
{
    std::shared_ptr<const Cache::Entry> entry;
    {
        QMutexLocker lock(&m_cache->mutex);
        entry = m_cache->entries.value(request.query);
    }
    if (!entry) {
        auto fresh = std::make_shared<Cache::Entry>();
        fresh->document = Document::parse(request.query, m_limits.parse);
        if (fresh->document.isNull())
            fresh->errors.append(fresh->document.error());
        else
            fresh->errors = validate(m_schema, fresh->document, m_limits);
        entry = fresh;
        if (request.query.size() <= 64 * 1024) {
            QMutexLocker lock(&m_cache->mutex);
            if (m_cache->entries.size() >= Cache::kMaxEntries)
                m_cache->entries.clear();
            m_cache->entries.insert(request.query, entry);
        }
    }
    if (!entry->errors.isEmpty()) {
        ExecutionResult result;
        result.errors = entry->errors;
        result.requestError = true;
        return result;
    }
    return executeDocument(m_schema, entry->document, request);
}

} // namespace lifdag::graphql
