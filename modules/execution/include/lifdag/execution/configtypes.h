// Dagster's config type system (Shape, Permissive, Selector, Field, Array, Noneable, Enum, scalars):
// validation with defaults applied, violations shaped like RunConfigValidationInvalid, JSON Schema.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <utility>

namespace lifdag::execution {

enum class ConfigKind { Any, Bool, Int, Float, String, Enum, Array, Noneable, Shape, Permissive, Selector };

class ConfigType;
using ConfigTypePtr = std::shared_ptr<const ConfigType>;

// One entry of a Shape/Permissive/Selector, like Dagster's Field.
struct ConfigField
{
    ConfigTypePtr type;
    std::optional<QJsonValue> defaultValue;
    std::optional<bool> required; // unset: required unless it has a default or its type needs no value
    QString description;

    bool hasDefault() const { return defaultValue.has_value(); }
    bool isRequired() const;
};

using ConfigFields = QList<std::pair<QString, ConfigField>>;

// An immutable config type; build them with the functions in namespace cfg.
class ConfigType
{
public:
    ConfigKind kind() const { return m_kind; }
    // "Int", "[String]", "Int?" (Noneable), "{ count?: Int fail_keys: [String] }", Enum name.
    QString displayName() const;
    const ConfigTypePtr &inner() const { return m_inner; } // Array element / Noneable value
    const ConfigFields &fields() const { return m_fields; } // Shape, Permissive, Selector
    const ConfigField *field(QStringView name) const;
    const QString &enumName() const { return m_enumName; }
    const QStringList &enumValues() const { return m_enumValues; }
    // True when a field of this type may be left out: Noneable, or a Shape/Permissive whose fields
    // are all optional (Dagster's all_optional_type), or a Selector with one optional choice.
    bool isAllOptional() const;

    struct Init
    {
        ConfigKind kind = ConfigKind::Any;
        ConfigTypePtr inner;
        ConfigFields fields;
        QString enumName;
        QStringList enumValues;
    };
    explicit ConfigType(Init init);

private:
    ConfigKind m_kind;
    ConfigTypePtr m_inner;
    ConfigFields m_fields;
    QString m_enumName;
    QStringList m_enumValues;
};

namespace cfg {
ConfigTypePtr Any();
ConfigTypePtr Bool();
ConfigTypePtr Int();
ConfigTypePtr Float();
ConfigTypePtr String();
ConfigTypePtr Enum(const QString &name, const QStringList &values);
ConfigTypePtr Array(ConfigTypePtr of);
ConfigTypePtr Noneable(ConfigTypePtr of);
ConfigTypePtr Shape(ConfigFields fields); // unknown keys are errors
ConfigTypePtr Permissive(ConfigFields fields = {}); // unknown keys pass through unchecked
ConfigTypePtr Selector(ConfigFields fields); // exactly one of the fields

// Dagster's Field(type): required unless the type needs no value.
ConfigField field(ConfigTypePtr type, const QString &description = {});
// Field(type, is_required=False): may be left out, then absent from the resolved value.
ConfigField optionalField(ConfigTypePtr type, const QString &description = {});
// Field(type, default_value=…): not required; the default is filled in when left out.
ConfigField defaulted(ConfigTypePtr type, const QJsonValue &defaultValue, const QString &description = {});
} // namespace cfg

// Dagster's DagsterEvaluationErrorReason names.
enum class ConfigErrorReason {
    MissingRequiredField,
    MissingRequiredFields,
    FieldNotDefined,
    FieldsNotDefined,
    RuntimeTypeMismatch,
    SelectorFieldError,
};
QString configErrorReasonName(ConfigErrorReason reason); // "MISSING_REQUIRED_FIELD", …

// One violation. `path` names the offending entry: "resources.config_resource.config.parts[0].adapter_id"
// for a missing/unknown single field, the containing object for the plural reasons and selectors,
// the value itself for type mismatches; "" is the root.
struct ConfigError
{
    QString path;
    ConfigErrorReason reason = ConfigErrorReason::RuntimeTypeMismatch;
    QString message;
    QStringList fields; // the field names a MISSING_*/ *_NOT_DEFINED/SELECTOR error is about

    QJsonObject toJson() const; // {path, reason, message, fields?}
};

struct ConfigValidation
{
    QJsonValue value; // the input with defaults applied (meaningful when ok())
    QList<ConfigError> errors;

    bool ok() const { return errors.isEmpty(); }
    QJsonArray errorsToJson() const;
    QString summary() const; // one line per violation: "path: message"
};

// Validates `value` against `field` (an undefined QJsonValue means "not given"), applying defaults.
// `path` prefixes every reported path.
ConfigValidation validateConfig(const ConfigField &field, const QJsonValue &value, const QString &path = {});

// JSON Schema (draft 2020-12) of a field's type, with defaults and descriptions.
QJsonObject toJsonSchema(const ConfigField &field);
QJsonObject toJsonSchema(const ConfigTypePtr &type);

// A config document with every field present: defaults where defined, placeholders otherwise
// (0, 0.0, "", false, [], null, the first enum value, the first selector choice).
QJsonValue configSkeleton(const ConfigField &field);

// Deep merge for layering run config over defaults: objects merge key by key, anything else in
// `over` replaces `base`.
QJsonValue mergeConfig(const QJsonValue &base, const QJsonValue &over);

} // namespace lifdag::execution
