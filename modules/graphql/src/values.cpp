// Input coercion (variables, literals, defaults), built-in scalar rules, and the small
// printing helpers (inspect, suggestions, default values) error messages share.
#include "schema_p.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace lifdag::graphql::detail {

namespace {

constexpr int kMaxValueDepth = 256;

QString jsNumber(double d)
{
    if (std::isnan(d))
        return QStringLiteral("NaN");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    if (d == std::floor(d) && std::fabs(d) < 1e21)
        return QString::number(qint64(d));
    QString s = QString::number(d, 'g', QLocale::FloatingPointShortest);
    // JavaScript writes exponents as e+21 / e-7.
    const qsizetype e = s.indexOf(QLatin1Char('e'));
    if (e >= 0) {
        QString mant = s.left(e);
        QString exp = s.mid(e + 1);
        QChar sign = QLatin1Char('+');
        if (exp.startsWith(QLatin1Char('-')) || exp.startsWith(QLatin1Char('+'))) {
            sign = exp[0];
            exp = exp.mid(1);
        }
        while (exp.size() > 1 && exp.startsWith(QLatin1Char('0')))
            exp = exp.mid(1);
        s = mant + QLatin1Char('e') + sign + exp;
    }
    return s;
}

QString inspectAt(const QJsonValue &value, int depth)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        return QStringLiteral("undefined");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return jsNumber(value.toDouble());
    case QJsonValue::String:
        return printString(value.toString());
    case QJsonValue::Array: {
        const QJsonArray arr = value.toArray();
        if (arr.isEmpty())
            return QStringLiteral("[]");
        if (depth >= 2)
            return QStringLiteral("[Array]");
        QStringList items;
        const qsizetype shown = std::min<qsizetype>(arr.size(), 10);
        for (qsizetype i = 0; i < shown; ++i)
            items.append(inspectAt(arr.at(i), depth + 1));
        if (arr.size() > 10)
            items.append(QStringLiteral("... %1 more items").arg(arr.size() - 10));
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object: {
        const QJsonObject obj = value.toObject();
        if (obj.isEmpty())
            return QStringLiteral("{}");
        if (depth >= 2)
            return QStringLiteral("[Object]");
        QStringList items;
        for (auto it = obj.begin(); it != obj.end(); ++it)
            items.append(it.key() + QStringLiteral(": ") + inspectAt(it.value(), depth + 1));
        return QStringLiteral("{ ") + items.join(QStringLiteral(", ")) + QStringLiteral(" }");
    }
    }
    return {};
}

bool isInt32(double d)
{
    return d == std::floor(d) && d >= -2147483648.0 && d <= 2147483647.0;
}

// Built-in scalars' parseValue.
std::optional<QJsonValue> parseBuiltinInput(const NamedType *type, const QJsonValue &value, QString *error)
{
    const QString &n = type->name;
    if (n == QLatin1StringView("Int")) {
        if (!value.isDouble()) {
            *error = QStringLiteral("Int cannot represent non-integer value: ") + inspectJson(value);
            return std::nullopt;
        }
        const double d = value.toDouble();
        if (d != std::floor(d) || !std::isfinite(d)) {
            *error = QStringLiteral("Int cannot represent non-integer value: ") + inspectJson(value);
            return std::nullopt;
        }
        if (!isInt32(d)) {
            *error =
                QStringLiteral("Int cannot represent non 32-bit signed integer value: ") + inspectJson(value);
            return std::nullopt;
        }
        return QJsonValue(int(d));
    }
    if (n == QLatin1StringView("Float")) {
        if (!value.isDouble() || !std::isfinite(value.toDouble())) {
            *error = QStringLiteral("Float cannot represent non numeric value: ") + inspectJson(value);
            return std::nullopt;
        }
        return value;
    }
    if (n == QLatin1StringView("String")) {
        if (!value.isString()) {
            *error = QStringLiteral("String cannot represent a non string value: ") + inspectJson(value);
            return std::nullopt;
        }
        return value;
    }
    if (n == QLatin1StringView("Boolean")) {
        if (!value.isBool()) {
            *error = QStringLiteral("Boolean cannot represent a non boolean value: ") + inspectJson(value);
            return std::nullopt;
        }
        return value;
    }
    if (n == QLatin1StringView("ID")) {
        if (value.isString())
            return value;
        if (value.isDouble() && value.toDouble() == std::floor(value.toDouble())
            && std::isfinite(value.toDouble()))
            return QJsonValue(jsNumber(value.toDouble()));
        *error = QStringLiteral("ID cannot represent value: ") + inspectJson(value);
        return std::nullopt;
    }
    return value;
}

bool isBuiltinScalar(const NamedType *type)
{
    return type->kind == TypeKind::Scalar && type->builtin;
}

QJsonValue literalToJson(const ValueNode &node, const QJsonObject *variables, bool *missingVariable,
                         int depth)
{
    if (depth > kMaxValueDepth)
        return QJsonValue(QJsonValue::Undefined);
    switch (node.kind) {
    case ValueNode::Kind::Variable:
        if (!variables || !variables->contains(node.text)) {
            *missingVariable = true;
            return QJsonValue(QJsonValue::Undefined);
        }
        return variables->value(node.text);
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
        for (const ValueNode &item : node.list) {
            bool missing = false;
            const QJsonValue v = literalToJson(item, variables, &missing, depth + 1);
            arr.append(missing ? QJsonValue(QJsonValue::Null) : v);
        }
        return arr;
    }
    case ValueNode::Kind::Object: {
        QJsonObject obj;
        for (const ValueNode::Field &f : node.fields) {
            bool missing = false;
            const QJsonValue v = literalToJson(f.value, variables, &missing, depth + 1);
            if (!missing)
                obj.insert(f.name, v);
        }
        return obj;
    }
    }
    return {};
}

} // namespace

QString inspectJson(const QJsonValue &value)
{
    return inspectAt(value, 0);
}

QString TypeRef::toString() const
{
    if (!named)
        return {};
    QString out = named->name;
    for (qsizetype i = wrappers.size() - 1; i >= 0; --i) {
        if (wrappers.at(i) == 'N')
            out += QLatin1Char('!');
        else
            out = QLatin1Char('[') + out + QLatin1Char(']');
    }
    return out;
}

std::optional<QJsonValue> coerceInputValue(const QJsonValue &value, const TypeRef &type, CoercionError *error,
                                           int depth)
{
    if (depth > kMaxValueDepth) {
        error->message = QStringLiteral("Value nests too deeply.");
        return std::nullopt;
    }
    if (type.isNonNull()) {
        if (value.isNull() || value.isUndefined()) {
            error->message = QStringLiteral("Expected non-nullable type \"") + type.toString()
                + QStringLiteral("\" not to be null.");
            return std::nullopt;
        }
        return coerceInputValue(value, type.ofType(), error, depth + 1);
    }
    if (value.isNull() || value.isUndefined())
        return QJsonValue(QJsonValue::Null);
    if (type.isList()) {
        const TypeRef itemType = type.ofType();
        if (value.isArray()) {
            QJsonArray out;
            const QJsonArray arr = value.toArray();
            for (qsizetype i = 0; i < arr.size(); ++i) {
                auto item = coerceInputValue(arr.at(i), itemType, error, depth + 1);
                if (!item) {
                    error->path.prepend(QStringLiteral("[%1]").arg(i));
                    return std::nullopt;
                }
                out.append(*item);
            }
            return out;
        }
        auto single = coerceInputValue(value, itemType, error, depth + 1);
        if (!single)
            return std::nullopt;
        return QJsonArray { *single };
    }
    const NamedType *named = type.named;
    if (named->kind == TypeKind::InputObject) {
        if (!value.isObject()) {
            error->message =
                QStringLiteral("Expected type \"") + named->name + QStringLiteral("\" to be an object.");
            return std::nullopt;
        }
        const QJsonObject obj = value.toObject();
        QJsonObject out;
        for (const InputValueDef &field : named->inputFields) {
            const auto it = obj.constFind(field.name);
            if (it == obj.constEnd() || it->isUndefined()) {
                if (field.defaultValue) {
                    CoercionError ignored;
                    if (auto d = coerceInputValue(*field.defaultValue, field.type, &ignored, depth + 1))
                        out.insert(field.name, *d);
                } else if (field.type.isNonNull()) {
                    error->message = QStringLiteral("Field \"") + field.name
                        + QStringLiteral("\" of required type \"") + field.type.toString()
                        + QStringLiteral("\" was not provided.");
                    return std::nullopt;
                }
                continue;
            }
            auto v = coerceInputValue(*it, field.type, error, depth + 1);
            if (!v) {
                error->path.prepend(field.name);
                return std::nullopt;
            }
            out.insert(field.name, *v);
        }
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            if (!named->inputField(it.key())) {
                QStringList names;
                for (const InputValueDef &f : named->inputFields)
                    names.append(f.name);
                error->message = QStringLiteral("Field \"") + it.key()
                    + QStringLiteral("\" is not defined by type \"") + named->name + QStringLiteral("\".")
                    + didYouMean(suggestionList(it.key(), names));
                return std::nullopt;
            }
        }
        return out;
    }
    if (named->kind == TypeKind::Enum) {
        if (!value.isString()) {
            error->message = QStringLiteral("Enum \"") + named->name
                + QStringLiteral("\" cannot represent non-string value: ") + inspectJson(value)
                + QLatin1Char('.');
            return std::nullopt;
        }
        if (!named->enumValue(value.toString())) {
            QStringList names;
            for (const EnumValueDef &v : named->enumValues)
                names.append(v.name);
            error->message = QStringLiteral("Value \"") + value.toString()
                + QStringLiteral("\" does not exist in \"") + named->name + QStringLiteral("\" enum.")
                + didYouMean(suggestionList(value.toString(), names), QStringLiteral("the enum value"));
            return std::nullopt;
        }
        return value;
    }
    if (named->kind == TypeKind::Scalar) {
        if (isBuiltinScalar(named)) {
            QString message;
            auto out = parseBuiltinInput(named, value, &message);
            if (!out)
                error->message = message;
            return out;
        }
        if (named->codec.parse) {
            Result<QJsonValue> parsed = named->codec.parse(value);
            if (!parsed.ok()) {
                error->message = QStringLiteral("Expected type \"") + named->name + QStringLiteral("\". ")
                    + parsed.error().message;
                return std::nullopt;
            }
            return parsed.value();
        }
        return value;
    }
    error->message = QStringLiteral("Expected an input type, found \"") + named->name + QStringLiteral("\".");
    return std::nullopt;
}

std::optional<QJsonValue> valueFromAst(const ValueNode &node, const TypeRef &type,
                                       const QJsonObject *variables, QString *errorMessage, int depth)
{
    if (depth > kMaxValueDepth)
        return std::nullopt;
    if (node.kind == ValueNode::Kind::Variable) {
        if (!variables || !variables->contains(node.text))
            return std::nullopt;
        const QJsonValue v = variables->value(node.text);
        if (v.isNull() && type.isNonNull())
            return std::nullopt;
        return v;
    }
    if (type.isNonNull()) {
        if (node.kind == ValueNode::Kind::Null)
            return std::nullopt;
        return valueFromAst(node, type.ofType(), variables, errorMessage, depth + 1);
    }
    if (node.kind == ValueNode::Kind::Null)
        return QJsonValue(QJsonValue::Null);
    if (type.isList()) {
        const TypeRef itemType = type.ofType();
        if (node.kind == ValueNode::Kind::List) {
            QJsonArray out;
            for (const ValueNode &item : node.list) {
                if (item.kind == ValueNode::Kind::Variable
                    && (!variables || !variables->contains(item.text))) {
                    if (itemType.isNonNull())
                        return std::nullopt;
                    out.append(QJsonValue(QJsonValue::Null));
                    continue;
                }
                auto v = valueFromAst(item, itemType, variables, errorMessage, depth + 1);
                if (!v)
                    return std::nullopt;
                out.append(*v);
            }
            return out;
        }
        auto single = valueFromAst(node, itemType, variables, errorMessage, depth + 1);
        if (!single)
            return std::nullopt;
        return QJsonArray { *single };
    }
    const NamedType *named = type.named;
    if (named->kind == TypeKind::InputObject) {
        if (node.kind != ValueNode::Kind::Object)
            return std::nullopt;
        QJsonObject out;
        for (const InputValueDef &field : named->inputFields) {
            const ValueNode *fieldNode = nullptr;
            for (const ValueNode::Field &f : node.fields)
                if (f.name == field.name) {
                    fieldNode = &f.value;
                    break;
                }
            if (!fieldNode
                || (fieldNode->kind == ValueNode::Kind::Variable
                    && (!variables || !variables->contains(fieldNode->text)))) {
                if (field.defaultValue) {
                    CoercionError ignored;
                    if (auto d = coerceInputValue(*field.defaultValue, field.type, &ignored, depth + 1))
                        out.insert(field.name, *d);
                } else if (field.type.isNonNull()) {
                    return std::nullopt;
                }
                continue;
            }
            auto v = valueFromAst(*fieldNode, field.type, variables, errorMessage, depth + 1);
            if (!v)
                return std::nullopt;
            out.insert(field.name, *v);
        }
        for (const ValueNode::Field &f : node.fields)
            if (!named->inputField(f.name))
                return std::nullopt;
        return out;
    }
    if (named->kind == TypeKind::Enum) {
        if (node.kind != ValueNode::Kind::Enum || !named->enumValue(node.text))
            return std::nullopt;
        return QJsonValue(node.text);
    }
    // Scalars.
    if (isBuiltinScalar(named)) {
        const QString &n = named->name;
        QString message;
        if (n == QLatin1StringView("Int")) {
            if (node.kind != ValueNode::Kind::Int) {
                message = QStringLiteral("Int cannot represent non-integer value: ") + printValue(node);
            } else {
                const double d = node.text.toDouble();
                if (!isInt32(d))
                    message =
                        QStringLiteral("Int cannot represent non 32-bit signed integer value: ") + node.text;
                else
                    return QJsonValue(int(d));
            }
        } else if (n == QLatin1StringView("Float")) {
            if (node.kind != ValueNode::Kind::Int && node.kind != ValueNode::Kind::Float)
                message = QStringLiteral("Float cannot represent non numeric value: ") + printValue(node);
            else
                return QJsonValue(node.text.toDouble());
        } else if (n == QLatin1StringView("String")) {
            if (node.kind != ValueNode::Kind::String)
                message = QStringLiteral("String cannot represent a non string value: ") + printValue(node);
            else
                return QJsonValue(node.text);
        } else if (n == QLatin1StringView("Boolean")) {
            if (node.kind != ValueNode::Kind::Boolean)
                message = QStringLiteral("Boolean cannot represent a non boolean value: ") + printValue(node);
            else
                return QJsonValue(node.boolean);
        } else if (n == QLatin1StringView("ID")) {
            if (node.kind != ValueNode::Kind::String && node.kind != ValueNode::Kind::Int)
                message = QStringLiteral("ID cannot represent a non-string and non-integer value: ")
                    + printValue(node);
            else
                return QJsonValue(node.text);
        }
        if (errorMessage)
            *errorMessage = message;
        return std::nullopt;
    }
    bool missing = false;
    const QJsonValue json = literalToJson(node, variables, &missing, depth + 1);
    if (missing)
        return std::nullopt;
    if (named->codec.parse) {
        Result<QJsonValue> parsed = named->codec.parse(json);
        if (!parsed.ok()) {
            if (errorMessage)
                *errorMessage = parsed.error().message;
            return std::nullopt;
        }
        return parsed.value();
    }
    return json;
}

QString printDefaultValue(const QJsonValue &value, const TypeRef &type)
{
    if (type.isNonNull())
        return printDefaultValue(value, type.ofType());
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("null");
    if (type.isList()) {
        const TypeRef itemType = type.ofType();
        if (value.isArray()) {
            QStringList items;
            for (const QJsonValue &item : value.toArray())
                items.append(printDefaultValue(item, itemType));
            return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
        }
        return printDefaultValue(value, itemType);
    }
    const NamedType *named = type.named;
    if (named->kind == TypeKind::InputObject) {
        const QJsonObject obj = value.toObject();
        QStringList items;
        for (const InputValueDef &f : named->inputFields) {
            const auto it = obj.constFind(f.name);
            if (it != obj.constEnd() && !it->isUndefined())
                items.append(f.name + QStringLiteral(": ") + printDefaultValue(*it, f.type));
        }
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    if (named->kind == TypeKind::Enum)
        return value.toString();
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return jsNumber(value.toDouble());
    case QJsonValue::String: {
        const QString s = value.toString();
        if (named->name == QLatin1StringView("ID")) {
            static const QRegularExpression intRe(QStringLiteral("^-?(?:0|[1-9][0-9]*)$"));
            if (intRe.match(s).hasMatch())
                return s;
        }
        return printString(s);
    }
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(printDefaultValue(item, TypeRef { named, {} }));
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object: {
        QStringList items;
        const QJsonObject obj = value.toObject();
        for (auto it = obj.begin(); it != obj.end(); ++it)
            items.append(it.key() + QStringLiteral(": ")
                         + printDefaultValue(it.value(), TypeRef { named, {} }));
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    default:
        return QStringLiteral("null");
    }
}

std::optional<QJsonValue> serializeBuiltinScalar(const NamedType *type, const QJsonValue &value,
                                                 QString *error)
{
    const QString &n = type->name;
    if (n == QLatin1StringView("Int")) {
        double d = 0;
        bool ok = true;
        if (value.isBool())
            d = value.toBool() ? 1 : 0;
        else if (value.isDouble())
            d = value.toDouble();
        else if (value.isString() && !value.toString().isEmpty())
            d = value.toString().trimmed().toDouble(&ok);
        else
            ok = false;
        if (!ok || d != std::floor(d) || !std::isfinite(d)) {
            *error = QStringLiteral("Int cannot represent non-integer value: ") + inspectJson(value);
            return std::nullopt;
        }
        if (!isInt32(d)) {
            *error =
                QStringLiteral("Int cannot represent non 32-bit signed integer value: ") + inspectJson(value);
            return std::nullopt;
        }
        return QJsonValue(int(d));
    }
    if (n == QLatin1StringView("Float")) {
        double d = 0;
        bool ok = true;
        if (value.isBool())
            d = value.toBool() ? 1 : 0;
        else if (value.isDouble())
            d = value.toDouble();
        else if (value.isString() && !value.toString().isEmpty())
            d = value.toString().trimmed().toDouble(&ok);
        else
            ok = false;
        if (!ok || !std::isfinite(d)) {
            *error = QStringLiteral("Float cannot represent non numeric value: ") + inspectJson(value);
            return std::nullopt;
        }
        return QJsonValue(d);
    }
    if (n == QLatin1StringView("String")) {
        if (value.isString())
            return value;
        if (value.isBool())
            return QJsonValue(value.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
        if (value.isDouble() && std::isfinite(value.toDouble()))
            return QJsonValue(jsNumber(value.toDouble()));
        *error = QStringLiteral("String cannot represent value: ") + inspectJson(value);
        return std::nullopt;
    }
    if (n == QLatin1StringView("Boolean")) {
        if (value.isBool())
            return value;
        if (value.isDouble() && std::isfinite(value.toDouble()))
            return QJsonValue(value.toDouble() != 0);
        *error = QStringLiteral("Boolean cannot represent a non boolean value: ") + inspectJson(value);
        return std::nullopt;
    }
    if (n == QLatin1StringView("ID")) {
        if (value.isString())
            return value;
        if (value.isDouble() && value.toDouble() == std::floor(value.toDouble())
            && std::isfinite(value.toDouble()))
            return QJsonValue(jsNumber(value.toDouble()));
        *error = QStringLiteral("ID cannot represent value: ") + inspectJson(value);
        return std::nullopt;
    }
    return value;
}

QStringList suggestionList(const QString &input, const QStringList &options)
{
    const QString inputLower = input.toLower();
    const qsizetype threshold = input.size() * 4 / 10 + 1;
    QList<std::pair<qsizetype, QString>> found;
    std::vector<qsizetype> rows[3];
    for (const QString &option : options) {
        qsizetype distance = -1;
        if (option == input) {
            distance = 0;
        } else {
            const QString optionLower = option.toLower();
            if (optionLower == inputLower) {
                distance = 1;
            } else {
                QStringView a = optionLower;
                QStringView b = inputLower;
                if (a.size() < b.size())
                    std::swap(a, b);
                const qsizetype aLen = a.size();
                const qsizetype bLen = b.size();
                if (aLen - bLen > threshold)
                    continue;
                for (auto &row : rows)
                    row.assign(size_t(bLen + 1), 0);
                for (qsizetype j = 0; j <= bLen; ++j)
                    rows[0][size_t(j)] = j;
                bool tooFar = false;
                for (qsizetype i = 1; i <= aLen && !tooFar; ++i) {
                    auto &up = rows[(i - 1) % 3];
                    auto &cur = rows[i % 3];
                    qsizetype smallest = cur[0] = i;
                    for (qsizetype j = 1; j <= bLen; ++j) {
                        const qsizetype cost = a[i - 1] == b[j - 1] ? 0 : 1;
                        qsizetype cell =
                            std::min({ up[size_t(j)] + 1, cur[size_t(j - 1)] + 1, up[size_t(j - 1)] + cost });
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                            cell = std::min(cell, rows[(i - 2) % 3][size_t(j - 2)] + 1);
                        smallest = std::min(smallest, cell);
                        cur[size_t(j)] = cell;
                    }
                    if (smallest > threshold)
                        tooFar = true;
                }
                if (tooFar)
                    continue;
                const qsizetype d = rows[aLen % 3][size_t(bLen)];
                if (d > threshold)
                    continue;
                distance = d;
            }
        }
        found.append({ distance, option });
    }
    std::stable_sort(found.begin(), found.end(), [](const auto &x, const auto &y) {
        if (x.first != y.first)
            return x.first < y.first;
        return x.second < y.second;
    });
    QStringList out;
    for (const auto &f : found)
        out.append(f.second);
    return out;
}

QString didYouMean(const QStringList &suggestions, const QString &prefix)
{
    if (suggestions.isEmpty())
        return {};
    QString message = QStringLiteral(" Did you mean ");
    if (!prefix.isEmpty())
        message += prefix + QLatin1Char(' ');
    QStringList quoted;
    for (const QString &s : suggestions.mid(0, 5))
        quoted.append(QLatin1Char('"') + s + QLatin1Char('"'));
    if (quoted.size() == 1)
        return message + quoted[0] + QLatin1Char('?');
    if (quoted.size() == 2)
        return message + quoted[0] + QStringLiteral(" or ") + quoted[1] + QLatin1Char('?');
    const QString last = quoted.takeLast();
    return message + quoted.join(QStringLiteral(", ")) + QStringLiteral(", or ") + last + QLatin1Char('?');
}

} // namespace lifdag::graphql::detail
