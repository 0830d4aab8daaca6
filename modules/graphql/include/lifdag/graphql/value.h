// What a resolver hands back: JSON, a list of values, or an opaque source object that the
// resolvers of the field's object type know how to read.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QList>
#include <QString>

#include <any>
#include <cstddef>
#include <memory>
#include <utility>

namespace lifdag::graphql {

class Value
{
public:
    enum class Kind { Null, Json, List, Source };

    Value() = default; // null
    Value(std::nullptr_t) { }
    Value(const QJsonValue &json);
    Value(const QJsonObject &object)
        : Value(QJsonValue(object))
    { }
    Value(const QJsonArray &array)
        : Value(QJsonValue(array))
    { }
    Value(const QString &text)
        : Value(QJsonValue(text))
    { }
    Value(QLatin1StringView text)
        : Value(QJsonValue(QString(text)))
    { }
    Value(bool b)
        : Value(QJsonValue(b))
    { }
    Value(int i)
        : Value(QJsonValue(i))
    { }
    Value(qint64 i)
        : Value(QJsonValue(i))
    { }
    Value(double d)
        : Value(QJsonValue(d))
    { }
    Value(const char *) = delete; // would silently become a bool; use QStringLiteral

    // A list whose items are completed against the list's item type.
    static Value list(QList<Value> items);
    // An opaque object; `typeName` names its concrete object type where the field's type is an
    // interface or a union (otherwise the abstract type's resolveType decides).
    template<typename T> static Value source(T object, const QString &typeName = {})
    {
        return fromAny(std::any(std::move(object)), typeName);
    }
    static Value fromAny(std::any object, const QString &typeName = {});

    Kind kind() const { return m_kind; }
    bool isNull() const;
    bool isList() const; // a list value or a JSON array
    bool isSource() const { return m_kind == Kind::Source; }

    // JSON kinds: the value (Null: QJsonValue::Null; List/Source: Undefined).
    QJsonValue json() const;
    // List kinds: the items (a JSON array's elements as JSON values).
    QList<Value> items() const;
    // Source kind: the object.
    const std::any *any() const { return m_source.get(); }
    template<typename T> const T *as() const { return m_source ? std::any_cast<T>(m_source.get()) : nullptr; }

    // The concrete object type name this value declares (see source()); for JSON objects the
    // member "__typename" plays this part.
    QString typeName() const;
    Value withTypeName(const QString &typeName) const;

private:
    Kind m_kind = Kind::Null;
    QJsonValue m_json;
    std::shared_ptr<const QList<Value>> m_list;
    std::shared_ptr<const std::any> m_source;
    QString m_typeName;
};

} // namespace lifdag::graphql
