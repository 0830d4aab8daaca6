#include "protojson_p.h"

#include <QJsonArray>
#include <cmath>

namespace lifdag::codelocation::detail {

namespace {
void toValue(const QJsonValue &v, google::protobuf::Value *out);

void toStructInto(const QJsonObject &object, google::protobuf::Struct *out)
{
    auto *fields = out->mutable_fields();
    for (auto it = object.begin(); it != object.end(); ++it)
        toValue(it.value(), &(*fields)[it.key().toStdString()]);
}

void toValue(const QJsonValue &v, google::protobuf::Value *out)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out->set_null_value(google::protobuf::NULL_VALUE);
        break;
    case QJsonValue::Bool:
        out->set_bool_value(v.toBool());
        break;
    case QJsonValue::Double:
        out->set_number_value(v.toDouble());
        break;
    case QJsonValue::String:
        out->set_string_value(v.toString().toStdString());
        break;
    case QJsonValue::Array: {
        auto *list = out->mutable_list_value();
        for (const QJsonValue &item : v.toArray())
            toValue(item, list->add_values());
        break;
    }
    case QJsonValue::Object:
        toStructInto(v.toObject(), out->mutable_struct_value());
        break;
    }
}

QJsonValue fromValue(const google::protobuf::Value &v)
{
    switch (v.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
        return QJsonValue::Null;
    case google::protobuf::Value::kBoolValue:
        return v.bool_value();
    case google::protobuf::Value::kNumberValue: {
        // Struct numbers are doubles; integral values come back as integers.
        const double d = v.number_value();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0)
            return qint64(d);
        return d;
    }
    case google::protobuf::Value::kStringValue:
        return QString::fromStdString(v.string_value());
    case google::protobuf::Value::kListValue: {
        QJsonArray a;
        for (const auto &item : v.list_value().values())
            a.append(fromValue(item));
        return a;
    }
    case google::protobuf::Value::kStructValue:
        return fromStruct(v.struct_value());
    }
    return QJsonValue::Null;
}
} // namespace

google::protobuf::Struct toStruct(const QJsonObject &object)
{
    google::protobuf::Struct s;
    toStructInto(object, &s);
    return s;
}

QJsonObject fromStruct(const google::protobuf::Struct &s)
{
    QJsonObject o;
    for (const auto &[key, value] : s.fields())
        o.insert(QString::fromStdString(key), fromValue(value));
    return o;
}

} // namespace lifdag::codelocation::detail
