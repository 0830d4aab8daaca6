#include "lifdag/execution/configtypes.h"

#include <QJsonDocument>
#include <cmath>

using namespace Qt::StringLiterals;

namespace lifdag::execution {

bool ConfigField::isRequired() const
{
    if (required.has_value())
        return *required;
    if (hasDefault())
        return false;
    return !(type && type->isAllOptional());
}

ConfigType::ConfigType(Init init)
    : m_kind(init.kind)
    , m_inner(std::move(init.inner))
    , m_fields(std::move(init.fields))
    , m_enumName(std::move(init.enumName))
    , m_enumValues(std::move(init.enumValues))
{ }

const ConfigField *ConfigType::field(QStringView name) const
{
    for (const auto &entry : m_fields) {
        if (entry.first == name)
            return &entry.second;
    }
    return nullptr;
}

bool ConfigType::isAllOptional() const
{
    switch (m_kind) {
    case ConfigKind::Noneable:
        return true;
    case ConfigKind::Shape:
    case ConfigKind::Permissive:
        for (const auto &entry : m_fields) {
            if (entry.second.isRequired())
                return false;
        }
        return true;
    case ConfigKind::Selector:
        return m_fields.size() == 1 && !m_fields.first().second.isRequired();
    default:
        return false;
    }
}

QString ConfigType::displayName() const
{
    switch (m_kind) {
    case ConfigKind::Any:
        return u"Any"_s;
    case ConfigKind::Bool:
        return u"Bool"_s;
    case ConfigKind::Int:
        return u"Int"_s;
    case ConfigKind::Float:
        return u"Float"_s;
    case ConfigKind::String:
        return u"String"_s;
    case ConfigKind::Enum:
        return m_enumName;
    case ConfigKind::Array:
        return u'[' + m_inner->displayName() + u']';
    case ConfigKind::Noneable:
        return m_inner->displayName() + u'?';
    case ConfigKind::Shape:
    case ConfigKind::Permissive:
    case ConfigKind::Selector: {
        QString out = m_kind == ConfigKind::Selector ? u"one of { "_s : u"{ "_s;
        for (const auto &[name, field] : m_fields)
            out += name + (field.isRequired() ? u": "_s : u"?: "_s) + field.type->displayName() + u' ';
        if (m_kind == ConfigKind::Permissive)
            out += u"… "_s;
        return out + u'}';
    }
    }
    return {};
}

namespace cfg {
namespace {
ConfigTypePtr scalar(ConfigKind kind)
{
    return std::make_shared<const ConfigType>(ConfigType::Init { .kind = kind });
}
} // namespace

ConfigTypePtr Any()
{
    static const ConfigTypePtr t = scalar(ConfigKind::Any);
    return t;
}
ConfigTypePtr Bool()
{
    static const ConfigTypePtr t = scalar(ConfigKind::Bool);
    return t;
}
ConfigTypePtr Int()
{
    static const ConfigTypePtr t = scalar(ConfigKind::Int);
    return t;
}
ConfigTypePtr Float()
{
    static const ConfigTypePtr t = scalar(ConfigKind::Float);
    return t;
}
ConfigTypePtr String()
{
    static const ConfigTypePtr t = scalar(ConfigKind::String);
    return t;
}
ConfigTypePtr Enum(const QString &name, const QStringList &values)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Enum, .enumName = name, .enumValues = values });
}
ConfigTypePtr Array(ConfigTypePtr of)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Array, .inner = std::move(of) });
}
ConfigTypePtr Noneable(ConfigTypePtr of)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Noneable, .inner = std::move(of) });
}
ConfigTypePtr Shape(ConfigFields fields)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Shape, .fields = std::move(fields) });
}
ConfigTypePtr Permissive(ConfigFields fields)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Permissive, .fields = std::move(fields) });
}
ConfigTypePtr Selector(ConfigFields fields)
{
    return std::make_shared<const ConfigType>(
        ConfigType::Init { .kind = ConfigKind::Selector, .fields = std::move(fields) });
}
ConfigField field(ConfigTypePtr type, const QString &description)
{
    return ConfigField { .type = std::move(type), .description = description };
}
ConfigField optionalField(ConfigTypePtr type, const QString &description)
{
    return ConfigField { .type = std::move(type), .required = false, .description = description };
}
ConfigField defaulted(ConfigTypePtr type, const QJsonValue &defaultValue, const QString &description)
{
    return ConfigField { .type = std::move(type), .defaultValue = defaultValue, .description = description };
}
} // namespace cfg

QString configErrorReasonName(ConfigErrorReason reason)
{
    switch (reason) {
    case ConfigErrorReason::MissingRequiredField:
        return u"MISSING_REQUIRED_FIELD"_s;
    case ConfigErrorReason::MissingRequiredFields:
        return u"MISSING_REQUIRED_FIELDS"_s;
    case ConfigErrorReason::FieldNotDefined:
        return u"FIELD_NOT_DEFINED"_s;
    case ConfigErrorReason::FieldsNotDefined:
        return u"FIELDS_NOT_DEFINED"_s;
    case ConfigErrorReason::RuntimeTypeMismatch:
        return u"RUNTIME_TYPE_MISMATCH"_s;
    case ConfigErrorReason::SelectorFieldError:
        return u"SELECTOR_FIELD_ERROR"_s;
    }
    return {};
}

QJsonObject ConfigError::toJson() const
{
    QJsonObject o { { u"path"_s, path },
                    { u"reason"_s, configErrorReasonName(reason) },
                    { u"message"_s, message } };
    if (!fields.isEmpty())
        o.insert(u"fields"_s, QJsonArray::fromStringList(fields));
    return o;
}

QJsonArray ConfigValidation::errorsToJson() const
{
    QJsonArray out;
    for (const ConfigError &e : errors)
        out.append(e.toJson());
    return out;
}

QString ConfigValidation::summary() const
{
    QStringList lines;
    for (const ConfigError &e : errors)
        lines.append((e.path.isEmpty() ? u"root"_s : e.path) + u": "_s + e.message);
    return lines.join(u'\n');
}

namespace {

QString joinPath(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString shownPath(const QString &path)
{
    return path.isEmpty() ? u"root"_s : path;
}

QString quoted(const QStringList &names)
{
    QStringList q;
    for (const QString &n : names)
        q.append(u'"' + n + u'"');
    return q.join(u", "_s);
}

// "string \"abc\"", "number 3.5", "an object", … for mismatch messages.
QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"boolean "_s + (value.toBool() ? u"true"_s : u"false"_s);
    case QJsonValue::Double:
        return u"number "_s + QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: {
        QString s = value.toString();
        if (s.size() > 60)
            s = s.left(57) + u"..."_s;
        return u"string \""_s + s + u'"';
    }
    case QJsonValue::Array:
        return u"a list"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        return u"nothing"_s;
    }
    return {};
}

bool isInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0;
}

class Validator
{
public:
    QList<ConfigError> errors;

    void mismatch(const QString &path, const ConfigType &type, const QJsonValue &value)
    {
        errors.append(ConfigError {
            .path = path,
            .reason = ConfigErrorReason::RuntimeTypeMismatch,
            .message = u"Invalid value at path "_s + shownPath(path) + u": expected "_s + type.displayName()
                + u", got "_s + describe(value) + u'.',
        });
    }

    // Value of a field that was left out: its default, null for Noneable, the defaults of an
    // all-optional object, or undefined (stays absent).
    QJsonValue absent(const ConfigField &field, const QString &path)
    {
        if (field.hasDefault())
            return validate(*field.type, *field.defaultValue, path);
        switch (field.type->kind()) {
        case ConfigKind::Noneable:
            return QJsonValue(QJsonValue::Null);
        case ConfigKind::Shape:
        case ConfigKind::Permissive:
        case ConfigKind::Selector:
            // Field(shape) whose entries all have defaults resolves to those defaults; an explicit
            // optionalField() stays absent.
            if (!field.required.has_value() && field.type->isAllOptional())
                return validate(*field.type, QJsonObject(), path);
            break;
        default:
            break;
        }
        return QJsonValue(QJsonValue::Undefined);
    }

    QJsonValue validate(const ConfigType &type, const QJsonValue &value, const QString &path)
    {
        switch (type.kind()) {
        case ConfigKind::Any:
            return value;
        case ConfigKind::Bool:
            if (!value.isBool())
                mismatch(path, type, value);
            return value;
        case ConfigKind::Int:
            if (!isInteger(value))
                mismatch(path, type, value);
            return value;
        case ConfigKind::Float:
            if (!value.isDouble())
                mismatch(path, type, value);
            return value;
        case ConfigKind::String:
            if (!value.isString())
                mismatch(path, type, value);
            return value;
        case ConfigKind::Enum:
            if (!value.isString() || !type.enumValues().contains(value.toString())) {
                errors.append(ConfigError {
                    .path = path,
                    .reason = ConfigErrorReason::RuntimeTypeMismatch,
                    .message = u"Invalid value at path "_s + shownPath(path) + u": expected one of the "_s
                        + type.enumName() + u" values "_s + quoted(type.enumValues()) + u", got "_s
                        + describe(value) + u'.',
                });
            }
            return value;
        case ConfigKind::Noneable:
            if (value.isNull())
                return value;
            return validate(*type.inner(), value, path);
        case ConfigKind::Array: {
            if (!value.isArray()) {
                mismatch(path, type, value);
                return value;
            }
            const QJsonArray in = value.toArray();
            QJsonArray out;
            for (qsizetype i = 0; i < in.size(); ++i)
                out.append(validate(*type.inner(), in.at(i), path + u'[' + QString::number(i) + u']'));
            return out;
        }
        case ConfigKind::Shape:
        case ConfigKind::Permissive:
            return validateShape(type, value, path);
        case ConfigKind::Selector:
            return validateSelector(type, value, path);
        }
        return value;
    }

    QJsonValue validateShape(const ConfigType &type, const QJsonValue &value, const QString &path)
    {
        // An empty YAML mapping entry (`config:`) arrives as null: treat it as {}.
        if (!value.isObject() && !value.isNull()) {
            mismatch(path, type, value);
            return value;
        }
        const QJsonObject in = value.toObject();
        QJsonObject out;
        if (type.kind() == ConfigKind::Permissive)
            out = in;
        else {
            QStringList unknown;
            for (auto it = in.begin(); it != in.end(); ++it) {
                if (!type.field(it.key()))
                    unknown.append(it.key());
            }
            if (unknown.size() == 1) {
                errors.append(ConfigError {
                    .path = joinPath(path, unknown.first()),
                    .reason = ConfigErrorReason::FieldNotDefined,
                    .message = u"Received unexpected config entry \""_s + unknown.first() + u"\" at path "_s
                        + shownPath(path) + u". Expected: \""_s + type.displayName() + u"\"."_s,
                    .fields = unknown,
                });
            } else if (unknown.size() > 1) {
                errors.append(ConfigError {
                    .path = path,
                    .reason = ConfigErrorReason::FieldsNotDefined,
                    .message = u"Received unexpected config entries "_s + quoted(unknown) + u" at path "_s
                        + shownPath(path) + u". Expected: \""_s + type.displayName() + u"\"."_s,
                    .fields = unknown,
                });
            }
        }
        QStringList missing;
        for (const auto &[name, field] : type.fields()) {
            const QString fieldPath = joinPath(path, name);
            const auto found = in.constFind(name);
            if (found != in.constEnd()) {
                out.insert(name, validate(*field.type, *found, fieldPath));
                continue;
            }
            if (field.isRequired() && !field.hasDefault()) {
                missing.append(name);
                continue;
            }
            const QJsonValue filled = absent(field, fieldPath);
            if (!filled.isUndefined())
                out.insert(name, filled);
        }
        if (missing.size() == 1) {
            const ConfigField *f = type.field(missing.first());
            errors.append(ConfigError {
                .path = joinPath(path, missing.first()),
                .reason = ConfigErrorReason::MissingRequiredField,
                .message = u"Missing required config entry \""_s + missing.first() + u"\" at path "_s
                    + shownPath(path) + u" (expected "_s + f->type->displayName() + u")."_s,
                .fields = missing,
            });
        } else if (missing.size() > 1) {
            errors.append(ConfigError {
                .path = path,
                .reason = ConfigErrorReason::MissingRequiredFields,
                .message = u"Missing required config entries "_s + quoted(missing) + u" at path "_s
                    + shownPath(path) + u'.',
                .fields = missing,
            });
        }
        return out;
    }

    QJsonValue validateSelector(const ConfigType &type, const QJsonValue &value, const QString &path)
    {
        if (!value.isObject() && !value.isNull()) {
            mismatch(path, type, value);
            return value;
        }
        const QJsonObject in = value.toObject();
        QStringList choices;
        for (const auto &entry : type.fields())
            choices.append(entry.first);
        if (in.isEmpty()) {
            if (type.fields().size() == 1 && !type.fields().first().second.isRequired()) {
                const auto &[name, field] = type.fields().first();
                const QJsonValue filled = absent(field, joinPath(path, name));
                return QJsonObject { { name, filled.isUndefined() ? QJsonValue(QJsonObject()) : filled } };
            }
            errors.append(ConfigError {
                .path = path,
                .reason = ConfigErrorReason::SelectorFieldError,
                .message = u"Must specify exactly one of "_s + quoted(choices) + u" at path "_s
                    + shownPath(path) + u"; none was given."_s,
                .fields = choices,
            });
            return value;
        }
        if (in.size() > 1) {
            errors.append(ConfigError {
                .path = path,
                .reason = ConfigErrorReason::SelectorFieldError,
                .message = u"Must specify exactly one of "_s + quoted(choices) + u" at path "_s
                    + shownPath(path) + u"; got "_s + quoted(in.keys()) + u'.',
                .fields = in.keys(),
            });
            return value;
        }
        const QString chosen = in.begin().key();
        const ConfigField *field = type.field(chosen);
        if (!field) {
            errors.append(ConfigError {
                .path = joinPath(path, chosen),
                .reason = ConfigErrorReason::FieldNotDefined,
                .message = u"Received unexpected config entry \""_s + chosen + u"\" at path "_s
                    + shownPath(path) + u". Expected one of "_s + quoted(choices) + u'.',
                .fields = { chosen },
            });
            return value;
        }
        const QString chosenPath = joinPath(path, chosen);
        const QJsonValue given = in.begin().value();
        QJsonValue resolved;
        if (given.isNull() && field->type->kind() != ConfigKind::Noneable) {
            resolved = absent(*field, chosenPath);
            if (resolved.isUndefined())
                resolved = validate(*field->type, given, chosenPath);
        } else {
            resolved = validate(*field->type, given, chosenPath);
        }
        return QJsonObject { { chosen, resolved } };
    }
};

QJsonObject schemaOf(const ConfigType &type);

QJsonObject fieldSchema(const ConfigField &field)
{
    QJsonObject s = schemaOf(*field.type);
    if (field.hasDefault())
        s.insert(u"default"_s, *field.defaultValue);
    if (!field.description.isEmpty())
        s.insert(u"description"_s, field.description);
    return s;
}

QJsonObject objectSchema(const ConfigType &type)
{
    QJsonObject properties;
    QJsonArray required;
    for (const auto &[name, field] : type.fields()) {
        properties.insert(name, fieldSchema(field));
        if (field.isRequired())
            required.append(name);
    }
    QJsonObject s { { u"type"_s, u"object"_s },
                    { u"properties"_s, properties },
                    { u"additionalProperties"_s, type.kind() == ConfigKind::Permissive } };
    if (!required.isEmpty())
        s.insert(u"required"_s, required);
    return s;
}

QJsonObject schemaOf(const ConfigType &type)
{
    switch (type.kind()) {
    case ConfigKind::Any:
        return {};
    case ConfigKind::Bool:
        return { { u"type"_s, u"boolean"_s } };
    case ConfigKind::Int:
        return { { u"type"_s, u"integer"_s } };
    case ConfigKind::Float:
        return { { u"type"_s, u"number"_s } };
    case ConfigKind::String:
        return { { u"type"_s, u"string"_s } };
    case ConfigKind::Enum:
        return { { u"type"_s, u"string"_s },
                 { u"title"_s, type.enumName() },
                 { u"enum"_s, QJsonArray::fromStringList(type.enumValues()) } };
    case ConfigKind::Array:
        return { { u"type"_s, u"array"_s }, { u"items"_s, schemaOf(*type.inner()) } };
    case ConfigKind::Noneable:
        return { { u"anyOf"_s,
                   QJsonArray { schemaOf(*type.inner()), QJsonObject { { u"type"_s, u"null"_s } } } } };
    case ConfigKind::Shape:
    case ConfigKind::Permissive:
        return objectSchema(type);
    case ConfigKind::Selector: {
        QJsonArray oneOf;
        for (const auto &[name, field] : type.fields()) {
            oneOf.append(QJsonObject { { u"type"_s, u"object"_s },
                                       { u"properties"_s, QJsonObject { { name, fieldSchema(field) } } },
                                       { u"required"_s, QJsonArray { name } },
                                       { u"additionalProperties"_s, false } });
        }
        return { { u"type"_s, u"object"_s }, { u"oneOf"_s, oneOf } };
    }
    }
    return {};
}

QJsonValue skeletonOf(const ConfigType &type)
{
    switch (type.kind()) {
    case ConfigKind::Any:
    case ConfigKind::Noneable:
        return QJsonValue(QJsonValue::Null);
    case ConfigKind::Bool:
        return false;
    case ConfigKind::Int:
        return 0;
    case ConfigKind::Float:
        return 0.0;
    case ConfigKind::String:
        return QString();
    case ConfigKind::Enum:
        return type.enumValues().value(0);
    case ConfigKind::Array:
        return QJsonArray();
    case ConfigKind::Shape:
    case ConfigKind::Permissive: {
        QJsonObject o;
        for (const auto &[name, field] : type.fields())
            o.insert(name, configSkeleton(field));
        return o;
    }
    case ConfigKind::Selector:
        if (type.fields().isEmpty())
            return QJsonObject();
        return QJsonObject { { type.fields().first().first, configSkeleton(type.fields().first().second) } };
    }
    return {};
}

} // namespace

ConfigValidation validateConfig(const ConfigField &field, const QJsonValue &value, const QString &path)
{
    Validator v;
    ConfigValidation result;
    if (value.isUndefined()) {
        if (field.isRequired() && !field.hasDefault()) {
            v.errors.append(ConfigError {
                .path = path,
                .reason = ConfigErrorReason::MissingRequiredField,
                .message = u"Missing required config value at path "_s + shownPath(path) + u" (expected "_s
                    + field.type->displayName() + u")."_s,
            });
        } else {
            result.value = v.absent(field, path);
        }
    } else {
        result.value = v.validate(*field.type, value, path);
    }
    result.errors = std::move(v.errors);
    return result;
}

QJsonObject toJsonSchema(const ConfigField &field)
{
    QJsonObject s = fieldSchema(field);
    s.insert(u"$schema"_s, u"https://json-schema.org/draft/2020-12/schema"_s);
    return s;
}

QJsonObject toJsonSchema(const ConfigTypePtr &type)
{
    return toJsonSchema(cfg::field(type));
}

QJsonValue configSkeleton(const ConfigField &field)
{
    if (field.hasDefault())
        return *field.defaultValue;
    return skeletonOf(*field.type);
}

QJsonValue mergeConfig(const QJsonValue &base, const QJsonValue &over)
{
    if (over.isUndefined())
        return base;
    if (!base.isObject() || !over.isObject())
        return over;
    QJsonObject out = base.toObject();
    const QJsonObject o = over.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), mergeConfig(out.value(it.key()), it.value()));
    return out;
}

} // namespace lifdag::execution
