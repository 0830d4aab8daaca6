#include <lifdag/adapters/model.h>

#include <QDateTime>

#include <chrono>

using namespace Qt::StringLiterals;

namespace lifdag::adapters {

namespace {

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"a list"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

Error invalid(const QString &path, const QString &message)
{
    return Error { u"adapters.invalid_part"_s, path + u": "_s + message };
}

Result<QString> requiredString(const QJsonObject &o, const QString &key, const QString &path)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return invalid(path + u'.' + key, u"field required"_s);
    if (!v.isString())
        return invalid(path + u'.' + key, u"expected a string, found "_s + jsonTypeName(v));
    return v.toString();
}

Result<QJsonObject> requiredObject(const QJsonValue &v, const QString &path)
{
    if (v.isUndefined())
        return invalid(path, u"field required"_s);
    if (!v.isObject())
        return invalid(path, u"expected an object, found "_s + jsonTypeName(v));
    return v.toObject();
}

Result<PersonIdentifier> personFromJson(const QJsonValue &json, const QString &path)
{
    auto o = requiredObject(json, path);
    if (!o)
        return o.error();
    auto identifier = requiredString(*o, u"identifier"_s, path);
    if (!identifier)
        return identifier.error();
    auto type = requiredString(*o, u"identifierType"_s, path);
    if (!type)
        return type.error();
    return PersonIdentifier { *identifier, *type };
}

QJsonValue optionalString(const std::optional<QString> &s)
{
    return s ? QJsonValue(*s) : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject PersonIdentifier::toJson() const
{
    return QJsonObject { { u"identifier"_s, identifier }, { u"identifierType"_s, identifierType } };
}

QJsonObject PartTranslation::toJson() const
{
    return QJsonObject { { u"source_schema_id"_s, sourceSchemaId },
                         { u"target_schema_id"_s, targetSchemaId } };
}

Result<QueryPlanPart> QueryPlanPart::fromJson(const QJsonValue &json, const QString &path)
{
    auto o = requiredObject(json, path);
    if (!o)
        return o.error();
    QueryPlanPart part;
    auto source = requiredString(*o, u"information_source_id"_s, path);
    if (!source)
        return source.error();
    part.informationSourceId = *source;
    auto adapter = requiredString(*o, u"adapter_id"_s, path);
    if (!adapter)
        return adapter.error();
    part.adapterId = *adapter;
    auto person = personFromJson(o->value(u"person_id"_s), path + u".person_id"_s);
    if (!person)
        return person.error();
    part.personId = *person;
    const QJsonValue paths = o->value(u"lif_fragment_paths"_s);
    if (paths.isUndefined())
        return invalid(path + u".lif_fragment_paths"_s, u"field required"_s);
    if (!paths.isArray())
        return invalid(path + u".lif_fragment_paths"_s, u"expected a list, found "_s + jsonTypeName(paths));
    const QJsonArray list = paths.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list[i].isString())
            return invalid(path + u".lif_fragment_paths["_s + QString::number(i) + u']',
                           u"expected a string, found "_s + jsonTypeName(list[i]));
        part.lifFragmentPaths.append(list[i].toString());
    }
    const QJsonValue translation = o->value(u"translation"_s);
    if (!translation.isUndefined() && !translation.isNull()) {
        const QString tp = path + u".translation"_s;
        auto t = requiredObject(translation, tp);
        if (!t)
            return t.error();
        auto s = requiredString(*t, u"source_schema_id"_s, tp);
        if (!s)
            return s.error();
        auto target = requiredString(*t, u"target_schema_id"_s, tp);
        if (!target)
            return target.error();
        part.translation = PartTranslation { *s, *target };
    }
    return part;
}

QJsonObject QueryPlanPart::toJson() const
{
    return QJsonObject {
        { u"information_source_id"_s, informationSourceId },
        { u"adapter_id"_s, adapterId },
        { u"person_id"_s, personId.toJson() },
        { u"lif_fragment_paths"_s, QJsonArray::fromStringList(lifFragmentPaths) },
        { u"translation"_s, translation ? QJsonValue(translation->toJson()) : QJsonValue(QJsonValue::Null) },
    };
}

Status Fragment::validate() const
{
    if (fragmentPath.isEmpty())
        return Error { u"adapters.invalid_fragment"_s, u"No fragment_path provided."_s };
    if (!fragmentPath.startsWith(u"person."_s) && !fragmentPath.startsWith(u"Person."_s))
        return Error { u"adapters.invalid_fragment"_s,
                       u"Fragment path must start with 'person.' or 'Person.', got '"_s + fragmentPath
                           + u"'."_s };
    for (qsizetype i = 0; i < fragment.size(); ++i) {
        if (!fragment[i].isObject())
            return Error { u"adapters.invalid_fragment"_s,
                           u"Fragment '"_s + fragmentPath + u"' item "_s + QString::number(i) + u" is "_s
                               + jsonTypeName(fragment[i])
                               + u", not an object (a LIF fragment is a list of objects)."_s };
    }
    return {};
}

QJsonObject Fragment::toJson() const
{
    return QJsonObject { { u"fragment_path"_s, fragmentPath }, { u"fragment"_s, fragment } };
}

Result<Fragment> Fragment::fromJson(const QJsonValue &json, const QString &path)
{
    auto o = requiredObject(json, path);
    if (!o)
        return o.error();
    auto fp = requiredString(*o, u"fragment_path"_s, path);
    if (!fp)
        return fp.error();
    const QJsonValue items = o->value(u"fragment"_s);
    if (!items.isArray())
        return invalid(path + u".fragment"_s,
                       items.isUndefined() ? u"field required"_s
                                           : u"expected a list, found "_s + jsonTypeName(items));
    Fragment f { *fp, items.toArray() };
    if (const Status s = f.validate(); !s)
        return invalid(path, s.error().message);
    return f;
}

QJsonObject PartResult::toJson() const
{
    QJsonArray list;
    for (const Fragment &f : fragments)
        list.append(f.toJson());
    return QJsonObject {
        { u"information_source_id"_s, informationSourceId },
        { u"adapter_id"_s, adapterId },
        { u"data_timestamp"_s, optionalString(dataTimestamp) },
        { u"person_id"_s, personId.toJson() },
        { u"fragments"_s, list },
        { u"error"_s, optionalString(error) },
    };
}

Result<PartResult> PartResult::fromJson(const QJsonValue &json, const QString &path)
{
    auto o = requiredObject(json, path);
    if (!o)
        return o.error();
    PartResult r;
    auto source = requiredString(*o, u"information_source_id"_s, path);
    if (!source)
        return source.error();
    r.informationSourceId = *source;
    auto adapter = requiredString(*o, u"adapter_id"_s, path);
    if (!adapter)
        return adapter.error();
    r.adapterId = *adapter;
    auto person = personFromJson(o->value(u"person_id"_s), path + u".person_id"_s);
    if (!person)
        return person.error();
    r.personId = *person;
    for (const char *key : { "data_timestamp", "error" }) {
        const QString name = QString::fromLatin1(key);
        const QJsonValue v = o->value(name);
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isString())
            return invalid(path + u'.' + name, u"expected a string or null, found "_s + jsonTypeName(v));
        (name == u"error"_s ? r.error : r.dataTimestamp) = v.toString();
    }
    const QJsonValue fragments = o->value(u"fragments"_s);
    if (!fragments.isArray())
        return invalid(path + u".fragments"_s,
                       fragments.isUndefined() ? u"field required"_s
                                               : u"expected a list, found "_s + jsonTypeName(fragments));
    const QJsonArray list = fragments.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        auto f = Fragment::fromJson(list[i], path + u".fragments["_s + QString::number(i) + u']');
        if (!f)
            return f.error();
        r.fragments.append(*f);
    }
    return r;
}

QString pythonUtcNowIsoformat()
{
    using namespace std::chrono;
    const auto now = time_point_cast<microseconds>(system_clock::now());
    const qint64 us = now.time_since_epoch().count();
    const qint64 ms = us / 1000;
    const int micros = int(us % 1000000);
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    QString text = t.toString(u"yyyy-MM-ddTHH:mm:ss"_s);
    if (micros != 0)
        text += u'.' + QString::number(micros).rightJustified(6, u'0');
    return text + u"+00:00"_s;
}

} // namespace lifdag::adapters
