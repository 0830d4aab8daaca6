// The JSONata value: a compact, reference-counted JSON value that also knows `undefined`,
// functions and the sequence flags of JSONata's evaluation model.
#pragma once

#include <lifdag/core/result.h>

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QString>

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace lifdag::jsonata {

class Value;

namespace detail {
// Shared payload of strings, arrays, objects and functions. The count is atomic so that one input
// document may be evaluated by several threads at once.
struct Heap
{
    mutable std::atomic<int> refs { 1 };
    virtual ~Heap();
};
struct StringData;
struct ArrayData;
struct ObjectData;
struct FunctionData;
void release(Heap *heap) noexcept;
inline void retain(Heap *heap) noexcept
{
    heap->refs.fetch_add(1, std::memory_order_relaxed);
}
} // namespace detail

// An object's members in JavaScript property order (array-index keys first, ascending; the other
// keys in insertion order), with a hash index once the object grows beyond a few members.
class Object
{
public:
    using Entry = std::pair<QString, Value>;

    qsizetype size() const { return qsizetype(m_entries.size()); }
    bool isEmpty() const { return m_entries.empty(); }
    const std::vector<Entry> &entries() const { return m_entries; }
    auto begin() const { return m_entries.begin(); }
    auto end() const { return m_entries.end(); }

    const Value *find(const QString &key) const;
    Value *find(const QString &key);
    bool contains(const QString &key) const { return find(key) != nullptr; }
    // Inserts or replaces (keeping the key's position when it exists).
    void insert(const QString &key, Value value);
    bool remove(const QString &key);
    // Appends a key known to be absent, in the order the caller already established.
    void appendUnique(const QString &key, Value value);
    void reserve(qsizetype n) { m_entries.reserve(size_t(n)); }

private:
    void rebuildIndex();
    std::vector<Entry> m_entries;
    QHash<QString, qsizetype> m_index; // only when large
};

class Value
{
public:
    enum class Type : std::uint8_t { Undefined, Null, Boolean, Number, String, Array, Object, Function };
    // Flags of JSONata's evaluation model, carried by the handle (not the payload).
    enum Flag : std::uint8_t {
        Sequence = 1, // a sequence built by the evaluator (singletons collapse)
        KeepSingleton = 2, // `[]` asked to keep a singleton sequence as an array
        OuterWrapper = 4, // the wrapper around an input array
        Cons = 8, // built by an array constructor
        TupleStream = 16, // a stream of binding tuples (objects with "@" and variables)
    };

    Value() noexcept { m_u.p = nullptr; }
    Value(std::nullptr_t) noexcept
        : m_type(Type::Null)
    {
        m_u.p = nullptr;
    }
    Value(bool b) noexcept
        : m_type(Type::Boolean)
    {
        m_u.p = nullptr;
        m_u.b = b;
    }
    Value(double n) noexcept
        : m_type(Type::Number)
    {
        m_u.n = n;
    }
    Value(int n) noexcept
        : Value(double(n))
    { }
    Value(qint64 n) noexcept
        : Value(double(n))
    { }
    Value(const QString &s);
    Value(QString &&s);
    Value(const char *) = delete;

    static Value null() { return Value(nullptr); }
    static Value array(std::vector<Value> items = {}, std::uint8_t flags = 0);
    static Value sequence() { return array({}, Sequence); }
    static Value object(Object members = {});

    Value(const Value &o) noexcept
        : m_type(o.m_type)
        , m_flags(o.m_flags)
        , m_u(o.m_u)
    {
        if (isHeap())
            detail::retain(m_u.p);
    }
    Value(Value &&o) noexcept
        : m_type(o.m_type)
        , m_flags(o.m_flags)
        , m_u(o.m_u)
    {
        o.m_type = Type::Undefined;
        o.m_flags = 0;
        o.m_u.p = nullptr;
    }
    Value &operator=(const Value &o) noexcept
    {
        if (this != &o) {
            Value tmp(o);
            swap(tmp);
        }
        return *this;
    }
    Value &operator=(Value &&o) noexcept
    {
        if (this != &o) {
            Value tmp(std::move(o));
            swap(tmp);
        }
        return *this;
    }
    ~Value()
    {
        if (isHeap())
            detail::release(m_u.p);
    }
    void swap(Value &o) noexcept
    {
        std::swap(m_type, o.m_type);
        std::swap(m_flags, o.m_flags);
        std::swap(m_u, o.m_u);
    }

    Type type() const { return m_type; }
    bool isUndefined() const { return m_type == Type::Undefined; }
    bool isDefined() const { return m_type != Type::Undefined; }
    bool isNull() const { return m_type == Type::Null; }
    bool isBool() const { return m_type == Type::Boolean; }
    bool isNumber() const { return m_type == Type::Number; }
    bool isString() const { return m_type == Type::String; }
    bool isArray() const { return m_type == Type::Array; }
    bool isObject() const { return m_type == Type::Object; }
    bool isFunction() const { return m_type == Type::Function; }

    bool toBool() const { return m_u.b; }
    double toNumber() const { return m_u.n; }
    const QString &toStr() const; // only for strings
    const std::vector<Value> &items() const; // only for arrays
    std::vector<Value> &mutableItems(); // in place: the payload is shared by every copy
    const Object &members() const; // only for objects
    Object &mutableMembers(); // in place: the payload is shared by every copy
    qsizetype size() const { return isArray() ? qsizetype(items().size()) : 0; }
    const Value &at(qsizetype i) const { return items()[size_t(i)]; }
    // Member lookup for objects, undefined otherwise.
    Value member(const QString &key) const;

    std::uint8_t flags() const { return m_flags; }
    bool hasFlag(Flag f) const { return (m_flags & f) != 0; }
    void setFlag(Flag f, bool on = true)
    {
        m_flags = on ? std::uint8_t(m_flags | f) : std::uint8_t(m_flags & ~f);
    }
    void setFlags(std::uint8_t f) { m_flags = f; }
    bool isSequence() const { return isArray() && hasFlag(Sequence); }

    // Identity of the shared payload (for functions and in-place updates).
    const void *payload() const { return isHeap() ? m_u.p : nullptr; }
    detail::FunctionData *function() const;
    static Value fromFunction(detail::FunctionData *fn); // takes ownership of one reference

    // Strict JSON text (JavaScript JSON.stringify rules: numbers as JavaScript prints them,
    // undefined members dropped, undefined items and non-finite numbers as null, functions as "").
    // `indent` > 0 pretty-prints. Returns an error when nesting exceeds the supported depth.
    Result<QByteArray> toJson(int indent = 0) const;
    void appendJson(QByteArray &out) const; // compact; deep values beyond the limit become null
    // Parses JSON text (UTF-8). Errors name the byte offset.
    static Result<Value> fromJson(QByteArrayView json);

    QJsonValue toQJsonValue() const;
    static Value fromQJsonValue(const QJsonValue &v);

private:
    bool isHeap() const { return m_type >= Type::String; }
    Type m_type = Type::Undefined;
    std::uint8_t m_flags = 0;
    union U {
        bool b;
        double n;
        detail::Heap *p;
    } m_u;
};

// JavaScript's Number.prototype.toString() for a finite number (e.g. 1e+21, 0.1, -5, 1.5e-7).
QString jsNumberToString(double n);
void appendJsNumber(QByteArray &out, double n);
// JSON deep equality as JSONata's `=` uses it (object member order ignored).
bool deepEqual(const Value &a, const Value &b);

} // namespace lifdag::jsonata
