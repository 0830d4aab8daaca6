// Dagster's config type objects (ConfigType, ConfigTypeField, the config validation errors) from
// the JSON Schema a code location publishes for a job's run config.
#include "api_p.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace lifdag::graphqlapi::detail {

struct ConfigFieldEntry
{
    QString name;
    QString description;
    QString typeKey;
    bool required = false;
    std::optional<QJsonValue> defaultValue;
};

struct ConfigTypeEntry
{
    const char *typeName = "RegularConfigType"; // the GraphQL object type
    QString key;
    QString description;
    bool isSelector = false;
    QString givenName; // Regular, Enum
    QString ofType; // Array, Nullable: the inner type's key
    QList<ConfigFieldEntry> fields; // Composite
    QStringList enumValues;
    QJsonObject schema; // for lookups by path
};

struct ConfigRegistry
{
    QString rootKey;
    QHash<QString, ConfigTypeEntry> types;
    QStringList order; // first-seen order

    QString add(const QJsonObject &schema);
    QStringList recursive(const QString &key) const;
    const ConfigTypeEntry *type(const QString &key) const
    {
        const auto it = types.constFind(key);
        return it == types.cend() ? nullptr : &*it;
    }
};

namespace {

QString schemaHash(const QJsonObject &schema)
{
    return QString::fromLatin1(QCryptographicHash::hash(QJsonDocument(schema).toJson(QJsonDocument::Compact),
                                                        QCryptographicHash::Sha1)
                                   .toHex());
}

ConfigFieldEntry fieldEntry(ConfigRegistry &r, const QString &name, const QJsonObject &schema, bool required)
{
    ConfigFieldEntry f;
    f.name = name;
    f.description = schema.value(QLatin1StringView("description")).toString();
    if (schema.contains(QLatin1StringView("default")))
        f.defaultValue = schema.value(QLatin1StringView("default"));
    QJsonObject typeSchema = schema;
    typeSchema.remove(QStringLiteral("description"));
    typeSchema.remove(QStringLiteral("default"));
    f.typeKey = r.add(typeSchema);
    f.required = required;
    return f;
}

} // namespace

QString ConfigRegistry::add(const QJsonObject &schemaIn)
{
    QJsonObject schema = schemaIn;
    schema.remove(QStringLiteral("$schema"));
    ConfigTypeEntry e;
    e.schema = schema;
    const QString type = schema.value(QLatin1StringView("type")).toString();
    if (schema.contains(QLatin1StringView("anyOf"))) {
        // Noneable(X): anyOf [X, {type: null}]
        QJsonObject inner;
        for (const QJsonValue &alt : schema.value(QLatin1StringView("anyOf")).toArray())
            if (alt.toObject().value(QLatin1StringView("type")).toString() != QLatin1StringView("null"))
                inner = alt.toObject();
        e.typeName = "NullableConfigType";
        e.ofType = add(inner);
        e.key = QStringLiteral("Noneable.") + e.ofType;
    } else if (type == QLatin1StringView("array")) {
        e.typeName = "ArrayConfigType";
        e.ofType = add(schema.value(QLatin1StringView("items")).toObject());
        e.key = QStringLiteral("Array.") + e.ofType;
    } else if (schema.contains(QLatin1StringView("enum"))) {
        e.typeName = "EnumConfigType";
        e.givenName = schema.value(QLatin1StringView("title")).toString();
        if (e.givenName.isEmpty())
            e.givenName = QStringLiteral("Enum.") + schemaHash(schema);
        e.key = e.givenName;
        for (const QJsonValue &v : schema.value(QLatin1StringView("enum")).toArray())
            e.enumValues.append(v.toString());
    } else if (type == QLatin1StringView("object") && schema.contains(QLatin1StringView("oneOf"))) {
        e.typeName = "CompositeConfigType";
        e.isSelector = true;
        e.key = QStringLiteral("Selector.") + schemaHash(schema);
        for (const QJsonValue &choice : schema.value(QLatin1StringView("oneOf")).toArray()) {
            const QJsonObject props = choice.toObject().value(QLatin1StringView("properties")).toObject();
            for (auto it = props.begin(); it != props.end(); ++it)
                e.fields.append(fieldEntry(*this, it.key(), it.value().toObject(), false));
        }
    } else if (type == QLatin1StringView("object")) {
        e.typeName = "CompositeConfigType";
        const bool permissive = schema.value(QLatin1StringView("additionalProperties")).toBool();
        e.key = (permissive ? QStringLiteral("Permissive.") : QStringLiteral("Shape.")) + schemaHash(schema);
        QStringList required;
        for (const QJsonValue &r : schema.value(QLatin1StringView("required")).toArray())
            required.append(r.toString());
        const QJsonObject props = schema.value(QLatin1StringView("properties")).toObject();
        for (auto it = props.begin(); it != props.end(); ++it)
            e.fields.append(fieldEntry(*this, it.key(), it.value().toObject(), required.contains(it.key())));
    } else {
        e.typeName = "RegularConfigType";
        if (type == QLatin1StringView("boolean"))
            e.givenName = QStringLiteral("Bool");
        else if (type == QLatin1StringView("integer"))
            e.givenName = QStringLiteral("Int");
        else if (type == QLatin1StringView("number"))
            e.givenName = QStringLiteral("Float");
        else if (type == QLatin1StringView("string"))
            e.givenName = QStringLiteral("String");
        else
            e.givenName = QStringLiteral("Any");
        e.key = e.givenName;
    }
    if (!types.contains(e.key)) {
        order.append(e.key);
        types.insert(e.key, std::move(e));
        return order.last();
    }
    return e.key;
}

QStringList ConfigRegistry::recursive(const QString &key) const
{
    QStringList out;
    QStringList stack { key };
    QSet<QString> seen { key };
    while (!stack.isEmpty()) {
        const ConfigTypeEntry *t = type(stack.takeLast());
        if (!t)
            continue;
        QStringList next;
        if (!t->ofType.isEmpty())
            next.append(t->ofType);
        for (const ConfigFieldEntry &f : t->fields)
            next.append(f.typeKey);
        for (const QString &n : next) {
            if (seen.contains(n))
                continue;
            seen.insert(n);
            out.append(n);
            stack.append(n);
        }
    }
    return out;
}

std::shared_ptr<const ConfigRegistry> configRegistry(const QJsonObject &jsonSchema)
{
    auto r = std::make_shared<ConfigRegistry>();
    r->rootKey = r->add(jsonSchema);
    return r;
}

QString rootConfigTypeKey(const ConfigRegistry &registry)
{
    return registry.rootKey;
}

QStringList allConfigTypeKeys(const ConfigRegistry &registry)
{
    return registry.order;
}

namespace {

struct ConfigTypeRef
{
    std::shared_ptr<const ConfigRegistry> registry;
    QString key;
};

struct ConfigErrorSource
{
    QJsonObject members;
    QList<Value> configFields; // MissingFieldConfigError.field / MissingFieldsConfigError.fields
};

struct ConfigInvalidSource
{
    QString jobName;
    QList<Value> errors;
};

struct ConfigFieldRef
{
    std::shared_ptr<const ConfigRegistry> registry;
    ConfigFieldEntry field;
};

Value fieldValue(const std::shared_ptr<const ConfigRegistry> &registry, const ConfigFieldEntry &f)
{
    return Value::source(ConfigFieldRef { registry, f }, QStringLiteral("ConfigTypeField"));
}

// The composite type at `path` below the root (path segments as in run config paths).
const ConfigTypeEntry *typeAt(const ConfigRegistry &r, const QStringList &path)
{
    const ConfigTypeEntry *t = r.type(r.rootKey);
    for (const QString &segment : path) {
        while (t && !t->ofType.isEmpty() && qstrcmp(t->typeName, "ArrayConfigType") != 0)
            t = r.type(t->ofType); // through Noneable
        if (!t)
            return nullptr;
        bool isIndex = false;
        segment.toInt(&isIndex);
        if (isIndex && qstrcmp(t->typeName, "ArrayConfigType") == 0) {
            t = r.type(t->ofType);
            continue;
        }
        const ConfigTypeEntry *next = nullptr;
        for (const ConfigFieldEntry &f : t->fields)
            if (f.name == segment)
                next = r.type(f.typeKey);
        t = next;
    }
    while (t && qstrcmp(t->typeName, "NullableConfigType") == 0)
        t = r.type(t->ofType);
    return t;
}

} // namespace

Value configTypeValue(const std::shared_ptr<const ConfigRegistry> &registry, const QString &key)
{
    const ConfigTypeEntry *t = registry->type(key);
    if (!t)
        return Value();
    return Value::source(ConfigTypeRef { registry, key }, QString::fromLatin1(t->typeName));
}

Value configFieldValue(const std::shared_ptr<const ConfigRegistry> &registry, const QStringList &path,
                       const QString &fieldName)
{
    const ConfigTypeEntry *t = typeAt(*registry, path);
    if (t)
        for (const ConfigFieldEntry &f : t->fields)
            if (f.name == fieldName)
                return fieldValue(registry, f);
    return Value();
}

Value rootFieldValue(const std::shared_ptr<const ConfigRegistry> &registry, const QString &name)
{
    return configFieldValue(registry, {}, name);
}

void addConfigTypeResolvers(SchemaBuilder &b)
{
    using Args = const QJsonObject &;
    auto entry = [](const Value &p) -> const ConfigTypeEntry & {
        const ConfigTypeRef *ref = p.as<ConfigTypeRef>();
        return *ref->registry->type(ref->key);
    };
    for (const char *typeName : { "ArrayConfigType", "CompositeConfigType", "EnumConfigType",
                                  "NullableConfigType", "RegularConfigType" }) {
        const QString type = QString::fromLatin1(typeName);
        b.resolve(type, QStringLiteral("key"), [entry](const Value &p, Args, const Context &) -> FieldResult {
            return Value(entry(p).key);
        });
        b.resolve(type, QStringLiteral("description"),
                  [entry](const Value &p, Args, const Context &) -> FieldResult {
                      return entry(p).description.isEmpty() ? Value() : Value(entry(p).description);
                  });
        b.resolve(type, QStringLiteral("isSelector"),
                  [entry](const Value &p, Args, const Context &) -> FieldResult {
                      return Value(entry(p).isSelector);
                  });
        b.resolve(type, QStringLiteral("typeParamKeys"),
                  [entry](const Value &p, Args, const Context &) -> FieldResult {
                      const ConfigTypeEntry &e = entry(p);
                      return Value(e.ofType.isEmpty() ? QJsonArray() : QJsonArray { e.ofType });
                  });
        b.resolve(type, QStringLiteral("recursiveConfigTypes"),
                  [](const Value &p, Args, const Context &) -> FieldResult {
                      const ConfigTypeRef *ref = p.as<ConfigTypeRef>();
                      QList<Value> out;
                      for (const QString &k : ref->registry->recursive(ref->key))
                          out.append(configTypeValue(ref->registry, k));
                      return Value::list(out);
                  });
    }
    for (const char *typeName : { "ArrayConfigType", "NullableConfigType" })
        b.resolve(QString::fromLatin1(typeName), QStringLiteral("ofType"),
                  [](const Value &p, Args, const Context &) -> FieldResult {
                      const ConfigTypeRef *ref = p.as<ConfigTypeRef>();
                      return configTypeValue(ref->registry, ref->registry->type(ref->key)->ofType);
                  });
    for (const char *typeName : { "EnumConfigType", "RegularConfigType" })
        b.resolve(QString::fromLatin1(typeName), QStringLiteral("givenName"),
                  [entry](const Value &p, Args, const Context &) -> FieldResult {
                      return Value(entry(p).givenName);
                  });
    b.resolve(QStringLiteral("EnumConfigType"), QStringLiteral("values"),
              [entry](const Value &p, Args, const Context &) -> FieldResult {
                  QJsonArray out;
                  for (const QString &v : entry(p).enumValues)
                      out.append(QJsonObject { { QStringLiteral("value"), v },
                                               { QStringLiteral("description"), QJsonValue() } });
                  return Value(out);
              });
    b.resolve(QStringLiteral("CompositeConfigType"), QStringLiteral("fields"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  const ConfigTypeRef *ref = p.as<ConfigTypeRef>();
                  QList<Value> out;
                  for (const ConfigFieldEntry &f : ref->registry->type(ref->key)->fields)
                      out.append(fieldValue(ref->registry, f));
                  return Value::list(out);
              });

    auto field = [](const Value &p) -> const ConfigFieldEntry & {
        return p.as<ConfigFieldRef>()->field;
    };
    b.resolve(QStringLiteral("ConfigTypeField"), QStringLiteral("name"),
              [field](const Value &p, Args, const Context &) -> FieldResult { return Value(field(p).name); });
    b.resolve(QStringLiteral("ConfigTypeField"), QStringLiteral("description"),
              [field](const Value &p, Args, const Context &) -> FieldResult {
                  return field(p).description.isEmpty() ? Value() : Value(field(p).description);
              });
    b.resolve(QStringLiteral("ConfigTypeField"), QStringLiteral("configType"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  const ConfigFieldRef *ref = p.as<ConfigFieldRef>();
                  return configTypeValue(ref->registry, ref->field.typeKey);
              });
    b.resolve(
        QStringLiteral("ConfigTypeField"), QStringLiteral("configTypeKey"),
        [field](const Value &p, Args, const Context &) -> FieldResult { return Value(field(p).typeKey); });
    b.resolve(
        QStringLiteral("ConfigTypeField"), QStringLiteral("isRequired"),
        [field](const Value &p, Args, const Context &) -> FieldResult { return Value(field(p).required); });
    b.resolve(QStringLiteral("ConfigTypeField"), QStringLiteral("defaultValueAsJson"),
              [field](const Value &p, Args, const Context &) -> FieldResult {
                  const ConfigFieldEntry &f = field(p);
                  if (!f.defaultValue)
                      return Value();
                  const QByteArray json =
                      QJsonDocument(QJsonArray { *f.defaultValue }).toJson(QJsonDocument::Compact);
                  return Value(QString::fromUtf8(json.mid(1, json.size() - 2)));
              });

    // Config validation errors are sources: they carry ConfigTypeFields besides plain members.
    b.resolve(QStringLiteral("RunConfigValidationInvalid"), QStringLiteral("pipelineName"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value(p.as<ConfigInvalidSource>()->jobName);
              });
    b.resolve(QStringLiteral("RunConfigValidationInvalid"), QStringLiteral("errors"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value::list(p.as<ConfigInvalidSource>()->errors);
              });
    b.resolve(QStringLiteral("MissingFieldConfigError"), QStringLiteral("field"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  const ConfigErrorSource *e = p.as<ConfigErrorSource>();
                  if (e->configFields.isEmpty() || e->configFields.first().isNull())
                      return Error { QStringLiteral("graphqlapi.config"),
                                     QStringLiteral("The job's config schema has no such field: ")
                                         + e->members.value(QLatin1StringView("message")).toString() };
                  return e->configFields.first();
              });
    b.resolve(QStringLiteral("MissingFieldsConfigError"), QStringLiteral("fields"),
              [](const Value &p, Args, const Context &) -> FieldResult {
                  return Value::list(p.as<ConfigErrorSource>()->configFields);
              });
    for (const char *typeName :
         { "FieldNotDefinedConfigError", "FieldsNotDefinedConfigError", "MissingFieldConfigError",
           "MissingFieldsConfigError", "RuntimeMismatchConfigError", "SelectorTypeConfigError" }) {
        const QString type = QString::fromLatin1(typeName);
        QStringList members { QStringLiteral("message"), QStringLiteral("path"), QStringLiteral("stack"),
                              QStringLiteral("reason") };
        if (type == QLatin1StringView("FieldNotDefinedConfigError"))
            members.append(QStringLiteral("fieldName"));
        else if (type == QLatin1StringView("FieldsNotDefinedConfigError"))
            members.append(QStringLiteral("fieldNames"));
        else if (type == QLatin1StringView("RuntimeMismatchConfigError"))
            members.append(QStringLiteral("valueRep"));
        else if (type == QLatin1StringView("SelectorTypeConfigError"))
            members.append(QStringLiteral("incomingFields"));
        for (const QString &name : members)
            b.resolve(type, name, [name](const Value &p, Args, const Context &) -> FieldResult {
                return Value(p.as<ConfigErrorSource>()->members.value(name));
            });
    }
}

namespace {

// "resources.config_resource.config.parts[0].adapter_id" → resources, config_resource, config, parts, 0,
// adapter_id
QStringList splitPath(const QString &path)
{
    QStringList out;
    QString current;
    for (const QChar c : path) {
        if (c == u'.' || c == u'[' || c == u']') {
            if (!current.isEmpty())
                out.append(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.isEmpty())
        out.append(current);
    return out;
}

QJsonObject stackJson(const QStringList &path)
{
    QJsonArray entries;
    for (const QString &segment : path) {
        bool isIndex = false;
        const int index = segment.toInt(&isIndex);
        entries.append(isIndex
                           ? typed("EvaluationStackListItemEntry", { { QStringLiteral("listIndex"), index } })
                           : typed("EvaluationStackPathEntry", { { QStringLiteral("fieldName"), segment } }));
    }
    return QJsonObject { { QStringLiteral("entries"), entries } };
}

QJsonValue valueAt(QJsonValue value, const QStringList &path)
{
    for (const QString &segment : path) {
        bool isIndex = false;
        const int index = segment.toInt(&isIndex);
        value = isIndex && value.isArray() ? value.toArray().at(index) : value.toObject().value(segment);
    }
    return value;
}

} // namespace

Value configValidationInvalid(const QString &jobName, const QList<codelocation::Violation> &violations,
                              const QJsonObject &runConfig, const QJsonObject &jsonSchema)
{
    const auto registry = configRegistry(jsonSchema);
    QList<Value> errors;
    for (const codelocation::Violation &v : violations) {
        QStringList path = splitPath(v.path);
        ConfigErrorSource source;
        QJsonObject &e = source.members;
        e.insert(QStringLiteral("message"), v.message);
        e.insert(QStringLiteral("reason"), v.reason);
        const char *typeName = "RuntimeMismatchConfigError";
        // The plural reasons and selectors name the object; its fields follow from the schema
        // and the submitted value there.
        auto presentKeys = [&]() {
            return valueAt(runConfig, path).toObject().keys();
        };
        auto fieldNames = [&]() {
            QStringList names;
            if (const ConfigTypeEntry *t = typeAt(*registry, path))
                for (const ConfigFieldEntry &f : t->fields)
                    names.append(f.name);
            return names;
        };
        if (v.reason == QLatin1StringView("MISSING_REQUIRED_FIELD")) {
            // lifdag names a single missing field by its own path; Dagster by its parent's.
            typeName = "MissingFieldConfigError";
            const QString name = path.isEmpty() ? QString() : path.takeLast();
            source.configFields.append(configFieldValue(registry, path, name));
        } else if (v.reason == QLatin1StringView("MISSING_REQUIRED_FIELDS")) {
            typeName = "MissingFieldsConfigError";
            const QStringList present = presentKeys();
            if (const ConfigTypeEntry *t = typeAt(*registry, path))
                for (const ConfigFieldEntry &f : t->fields)
                    if (f.required && !present.contains(f.name))
                        source.configFields.append(fieldValue(registry, f));
        } else if (v.reason == QLatin1StringView("FIELD_NOT_DEFINED")) {
            typeName = "FieldNotDefinedConfigError";
            e.insert(QStringLiteral("fieldName"), path.isEmpty() ? QString() : path.takeLast());
        } else if (v.reason == QLatin1StringView("FIELDS_NOT_DEFINED")) {
            typeName = "FieldsNotDefinedConfigError";
            const QStringList known = fieldNames();
            QStringList unknown;
            for (const QString &k : presentKeys())
                if (!known.contains(k))
                    unknown.append(k);
            e.insert(QStringLiteral("fieldNames"), QJsonArray::fromStringList(unknown));
        } else if (v.reason == QLatin1StringView("SELECTOR_FIELD_ERROR")) {
            typeName = "SelectorTypeConfigError";
            e.insert(QStringLiteral("incomingFields"), QJsonArray::fromStringList(presentKeys()));
        } else {
            const QJsonValue value = valueAt(runConfig, path);
            QString rep;
            if (!value.isUndefined()) {
                const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
                rep = QString::fromUtf8(json.mid(1, json.size() - 2));
            }
            e.insert(QStringLiteral("valueRep"), rep.isEmpty() ? QJsonValue() : QJsonValue(rep));
        }
        e.insert(QStringLiteral("path"), QJsonArray::fromStringList(path));
        e.insert(QStringLiteral("stack"), stackJson(path));
        errors.append(Value::source(std::move(source), QString::fromLatin1(typeName)));
    }
    return Value::source(ConfigInvalidSource { jobName, errors },
                         QStringLiteral("RunConfigValidationInvalid"));
}

} // namespace lifdag::graphqlapi::detail
