// Value, Object, JSON text and JavaScript number formatting.
#include "value_p.h"

#include "function_p.h"
#include "stackguard_p.h"

#include <QJsonArray>
#include <QJsonObject>

#include <charconv>
#include <cmath>
#include <cstring>

namespace lifdag::jsonata {

namespace detail {

Heap::~Heap() = default;

namespace {
// Destroying a deeply nested value must not recurse once per level: a payload released while
// another is being destroyed is queued and deleted by the outermost release.
__attribute__((tls_model("initial-exec"))) thread_local bool tDraining = false;

std::vector<Heap *> &pendingReleases()
{
    thread_local std::vector<Heap *> pending;
    return pending;
}
} // namespace

void release(Heap *heap) noexcept
{
    // the sole owner needs no atomic read-modify-write: nobody else can take a new reference
    if (heap->refs.load(std::memory_order_acquire) != 1
        && heap->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    if (tDraining) {
        pendingReleases().push_back(heap);
        return;
    }
    tDraining = true;
    delete heap;
    std::vector<Heap *> &pending = pendingReleases();
    while (!pending.empty()) {
        Heap *next = pending.back();
        pending.pop_back();
        delete next;
    }
    tDraining = false;
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// Object

namespace {
constexpr qsizetype kIndexThreshold = 12;

// JavaScript orders "array index" keys (canonical integers below 2^32-1) first, ascending.
bool arrayIndexKey(const QString &key, quint32 *out)
{
    const qsizetype n = key.size();
    if (n == 0 || n > 10)
        return false;
    const QChar *d = key.constData();
    if (d[0] == u'0' && n > 1)
        return false;
    quint64 v = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = d[i].unicode();
        if (c < u'0' || c > u'9')
            return false;
        v = v * 10 + (c - u'0');
    }
    if (v >= 4294967295ull)
        return false;
    *out = quint32(v);
    return true;
}
} // namespace

const Value *Object::find(const QString &key) const
{
    if (!m_index.isEmpty()) {
        auto it = m_index.constFind(key);
        return it == m_index.cend() ? nullptr : &m_entries[size_t(*it)].second;
    }
    const qsizetype n = key.size();
    const QChar *k = key.constData();
    for (const Entry &e : m_entries) {
        if (e.first.size() == n
            && (e.first.constData() == k
                || std::memcmp(e.first.constData(), k, size_t(n) * sizeof(QChar)) == 0))
            return &e.second;
    }
    return nullptr;
}

Value *Object::find(const QString &key)
{
    return const_cast<Value *>(std::as_const(*this).find(key));
}

void Object::insert(const QString &key, Value value)
{
    if (Value *existing = find(key)) {
        *existing = std::move(value);
        return;
    }
    quint32 idx;
    if (arrayIndexKey(key, &idx)) {
        // position after the last index key smaller than this one
        size_t pos = 0;
        while (pos < m_entries.size()) {
            quint32 other;
            if (!arrayIndexKey(m_entries[pos].first, &other) || other > idx)
                break;
            ++pos;
        }
        if (pos != m_entries.size()) {
            m_entries.insert(m_entries.begin() + qsizetype(pos), Entry(key, std::move(value)));
            if (!m_index.isEmpty() || size() > kIndexThreshold)
                rebuildIndex();
            return;
        }
    }
    m_entries.emplace_back(key, std::move(value));
    if (!m_index.isEmpty())
        m_index.insert(key, size() - 1);
    else if (size() > kIndexThreshold)
        rebuildIndex();
}

void Object::appendUnique(const QString &key, Value value)
{
    m_entries.emplace_back(key, std::move(value));
    if (!m_index.isEmpty())
        m_index.insert(key, size() - 1);
    else if (size() > kIndexThreshold)
        rebuildIndex();
}

bool Object::remove(const QString &key)
{
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->first == key) {
            m_entries.erase(it);
            if (!m_index.isEmpty())
                rebuildIndex();
            return true;
        }
    }
    return false;
}

void Object::rebuildIndex()
{
    m_index.clear();
    if (size() <= kIndexThreshold)
        return;
    m_index.reserve(size());
    for (qsizetype i = 0; i < size(); ++i)
        m_index.insert(m_entries[size_t(i)].first, i);
}

// ---------------------------------------------------------------------------------------------
// Value

Value::Value(const QString &s)
    : m_type(Type::String)
{
    m_u.p = new detail::StringData(s);
}

Value::Value(QString &&s)
    : m_type(Type::String)
{
    m_u.p = new detail::StringData(std::move(s));
}

Value Value::array(std::vector<Value> items, std::uint8_t flags)
{
    Value v;
    v.m_type = Type::Array;
    v.m_flags = flags;
    v.m_u.p = new detail::ArrayData(std::move(items));
    return v;
}

Value Value::object(Object members)
{
    Value v;
    v.m_type = Type::Object;
    v.m_u.p = new detail::ObjectData(std::move(members));
    return v;
}

const QString &Value::toStr() const
{
    return static_cast<detail::StringData *>(m_u.p)->str;
}

const std::vector<Value> &Value::items() const
{
    return static_cast<detail::ArrayData *>(m_u.p)->items;
}

std::vector<Value> &Value::mutableItems()
{
    return static_cast<detail::ArrayData *>(m_u.p)->items;
}

const Object &Value::members() const
{
    return static_cast<detail::ObjectData *>(m_u.p)->members;
}

Object &Value::mutableMembers()
{
    return static_cast<detail::ObjectData *>(m_u.p)->members;
}

Value Value::member(const QString &key) const
{
    if (!isObject())
        return {};
    const Value *v = members().find(key);
    return v ? *v : Value();
}

detail::FunctionData *Value::function() const
{
    return isFunction() ? static_cast<detail::FunctionData *>(m_u.p) : nullptr;
}

Value Value::fromFunction(detail::FunctionData *fn)
{
    Value v;
    v.m_type = Type::Function;
    v.m_u.p = fn;
    return v;
}

// ---------------------------------------------------------------------------------------------
// Numbers as JavaScript prints them

void appendJsNumber(QByteArray &out, double n)
{
    if (!std::isfinite(n)) {
        out += "null";
        return;
    }
    if (n == 0) {
        out += '0';
        return;
    }
    // Integers within 2^53 print as plain digits.
    if (std::fabs(n) < 9007199254740992.0 && n == std::trunc(n)) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(n));
        out.append(buf, r.ptr - buf);
        return;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, n, std::chars_format::scientific);
    // buf: [-]d[.ddd]e[+-]xx
    const char *p = buf;
    const char *end = r.ptr;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        ++p;
    }
    char digits[32];
    int k = 0;
    while (p < end && *p != 'e') {
        if (*p != '.')
            digits[k++] = *p;
        ++p;
    }
    int e = 0;
    if (p < end) {
        ++p;
        std::from_chars(*p == '+' ? p + 1 : p, end, e);
    }
    const int nPos = e + 1; // position of the decimal point relative to the digits
    if (neg)
        out += '-';
    if (k <= nPos && nPos <= 21) {
        out.append(digits, k);
        out.append(QByteArray(nPos - k, '0'));
    } else if (0 < nPos && nPos <= 21) {
        out.append(digits, nPos);
        out += '.';
        out.append(digits + nPos, k - nPos);
    } else if (-6 < nPos && nPos <= 0) {
        out += "0.";
        out.append(QByteArray(-nPos, '0'));
        out.append(digits, k);
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits + 1, k - 1);
        }
        out += 'e';
        out += (nPos - 1 < 0) ? '-' : '+';
        char eb[16];
        auto er = std::to_chars(eb, eb + sizeof eb, std::abs(nPos - 1));
        out.append(eb, er.ptr - eb);
    }
}

QString jsNumberToString(double n)
{
    QByteArray b;
    appendJsNumber(b, n);
    return QString::fromLatin1(b);
}

// ---------------------------------------------------------------------------------------------
// JSON text

namespace {

constexpr int kMaxJsonDepth = 10000;

void appendJsonString(QByteArray &out, const QString &s)
{
    out += '"';
    const char16_t *d = reinterpret_cast<const char16_t *>(s.constData());
    const qsizetype n = s.size();
    qsizetype runStart = 0;
    auto flushRun = [&](qsizetype upto) {
        if (upto > runStart)
            out += QStringView(d + runStart, upto - runStart).toUtf8();
    };
    static const char hex[] = "0123456789abcdef";
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = d[i];
        const char *esc = nullptr;
        char ubuf[7];
        switch (c) {
        case u'"':
            esc = "\\\"";
            break;
        case u'\\':
            esc = "\\\\";
            break;
        case u'\n':
            esc = "\\n";
            break;
        case u'\r':
            esc = "\\r";
            break;
        case u'\t':
            esc = "\\t";
            break;
        case u'\b':
            esc = "\\b";
            break;
        case u'\f':
            esc = "\\f";
            break;
        default:
            if (c < 0x20) {
                ubuf[0] = '\\';
                ubuf[1] = 'u';
                ubuf[2] = '0';
                ubuf[3] = '0';
                ubuf[4] = hex[(c >> 4) & 0xf];
                ubuf[5] = hex[c & 0xf];
                ubuf[6] = 0;
                esc = ubuf;
            } else if (c >= 0xD800 && c <= 0xDFFF) {
                // lone surrogates are escaped (well-formed JSON.stringify)
                const bool pair = c <= 0xDBFF && i + 1 < n && d[i + 1] >= 0xDC00 && d[i + 1] <= 0xDFFF;
                if (pair) {
                    ++i;
                    continue;
                }
                ubuf[0] = '\\';
                ubuf[1] = 'u';
                ubuf[2] = hex[(c >> 12) & 0xf];
                ubuf[3] = hex[(c >> 8) & 0xf];
                ubuf[4] = hex[(c >> 4) & 0xf];
                ubuf[5] = hex[c & 0xf];
                ubuf[6] = 0;
                esc = ubuf;
            }
        }
        if (esc) {
            flushRun(i);
            out += esc;
            runStart = i + 1;
        }
    }
    flushRun(n);
    out += '"';
}

bool serialize(QByteArray &out, const Value &v, int indent, int level)
{
    if (level > kMaxJsonDepth || detail::stackExhausted())
        return false;
    switch (v.type()) {
    case Value::Type::Undefined:
    case Value::Type::Null:
        out += "null";
        return true;
    case Value::Type::Boolean:
        out += v.toBool() ? "true" : "false";
        return true;
    case Value::Type::Number:
        appendJsNumber(out, v.toNumber());
        return true;
    case Value::Type::String:
        appendJsonString(out, v.toStr());
        return true;
    case Value::Type::Function:
        out += "\"\"";
        return true;
    case Value::Type::Array: {
        const auto &items = v.items();
        if (items.empty()) {
            out += "[]";
            return true;
        }
        out += '[';
        bool first = true;
        for (const Value &item : items) {
            if (!first)
                out += ',';
            first = false;
            if (indent > 0) {
                out += '\n';
                out.append(QByteArray(indent * (level + 1), ' '));
            }
            if (!serialize(out, item, indent, level + 1))
                return false;
        }
        if (indent > 0) {
            out += '\n';
            out.append(QByteArray(indent * level, ' '));
        }
        out += ']';
        return true;
    }
    case Value::Type::Object: {
        bool first = true;
        out += '{';
        for (const auto &[key, member] : v.members()) {
            if (member.isUndefined())
                continue;
            if (!first)
                out += ',';
            first = false;
            if (indent > 0) {
                out += '\n';
                out.append(QByteArray(indent * (level + 1), ' '));
            }
            appendJsonString(out, key);
            out += ':';
            if (indent > 0)
                out += ' ';
            if (!serialize(out, member, indent, level + 1))
                return false;
        }
        if (indent > 0 && !first) {
            out += '\n';
            out.append(QByteArray(indent * level, ' '));
        }
        out += '}';
        return true;
    }
    }
    return true;
}

class JsonParser
{
public:
    JsonParser(const char *begin, const char *end)
        : m_begin(begin)
        , m_p(begin)
        , m_end(end)
    { }

    Result<Value> parseDocument()
    {
        skipWs();
        Value v;
        if (!parseValue(v, 0))
            return fail();
        skipWs();
        if (m_p != m_end) {
            m_error = QStringLiteral("unexpected content after the JSON value");
            return fail();
        }
        return v;
    }

private:
    Error fail() const
    {
        return Error { QStringLiteral("jsonata.json"),
                       QStringLiteral("invalid JSON at byte %1: %2").arg(m_p - m_begin).arg(m_error) };
    }
    void skipWs()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    bool expectWord(const char *w, Value v, Value &out)
    {
        const size_t n = std::strlen(w);
        if (size_t(m_end - m_p) < n || std::memcmp(m_p, w, n) != 0) {
            m_error = QStringLiteral("expected a JSON value");
            return false;
        }
        m_p += n;
        out = std::move(v);
        return true;
    }
    bool parseValue(Value &out, int depth)
    {
        if (depth > kMaxJsonDepth || detail::stackExhausted()) {
            m_error = QStringLiteral("nesting deeper than %1 levels").arg(depth);
            return false;
        }
        if (m_p >= m_end) {
            m_error = QStringLiteral("unexpected end of input");
            return false;
        }
        switch (*m_p) {
        case '{': {
            ++m_p;
            Object obj;
            skipWs();
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                out = Value::object(std::move(obj));
                return true;
            }
            for (;;) {
                skipWs();
                if (m_p >= m_end || *m_p != '"') {
                    m_error = QStringLiteral("expected a member name in double quotes");
                    return false;
                }
                QString key;
                if (!parseString(key))
                    return false;
                skipWs();
                if (m_p >= m_end || *m_p != ':') {
                    m_error = QStringLiteral("expected ':' after a member name");
                    return false;
                }
                ++m_p;
                skipWs();
                Value member;
                if (!parseValue(member, depth + 1))
                    return false;
                obj.insert(key, std::move(member));
                skipWs();
                if (m_p < m_end && *m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_end && *m_p == '}') {
                    ++m_p;
                    break;
                }
                m_error = QStringLiteral("expected ',' or '}' in an object");
                return false;
            }
            out = Value::object(std::move(obj));
            return true;
        }
        case '[': {
            ++m_p;
            std::vector<Value> items;
            skipWs();
            if (m_p < m_end && *m_p == ']') {
                ++m_p;
                out = Value::array(std::move(items));
                return true;
            }
            for (;;) {
                skipWs();
                Value item;
                if (!parseValue(item, depth + 1))
                    return false;
                items.push_back(std::move(item));
                skipWs();
                if (m_p < m_end && *m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_end && *m_p == ']') {
                    ++m_p;
                    break;
                }
                m_error = QStringLiteral("expected ',' or ']' in an array");
                return false;
            }
            out = Value::array(std::move(items));
            return true;
        }
        case '"': {
            QString s;
            if (!parseString(s))
                return false;
            out = Value(std::move(s));
            return true;
        }
        case 't':
            return expectWord("true", Value(true), out);
        case 'f':
            return expectWord("false", Value(false), out);
        case 'n':
            return expectWord("null", Value(nullptr), out);
        default:
            return parseNumber(out);
        }
    }
    bool parseNumber(Value &out)
    {
        const char *start = m_p;
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        if (m_p >= m_end || !(*m_p >= '0' && *m_p <= '9')) {
            m_error = QStringLiteral("expected a JSON value");
            return false;
        }
        if (*m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (m_p >= m_end || !(*m_p >= '0' && *m_p <= '9')) {
                m_error = QStringLiteral("expected a digit after '.'");
                return false;
            }
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (m_p >= m_end || !(*m_p >= '0' && *m_p <= '9')) {
                m_error = QStringLiteral("expected a digit in the exponent");
                return false;
            }
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        double d = 0;
        auto r = std::from_chars(start, m_p, d);
        if (r.ec == std::errc::result_out_of_range) {
            // JSON.parse turns overflow into ±Infinity and underflow into 0
            d = (*start == '-') ? -HUGE_VAL : HUGE_VAL;
            const char *e = start;
            while (e < m_p && *e != 'e' && *e != 'E')
                ++e;
            if (e < m_p && e[1] == '-')
                d = 0;
        }
        out = Value(d);
        return true;
    }
    static int hexVal(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }
    bool parseString(QString &out)
    {
        ++m_p; // opening quote
        const char *runStart = m_p;
        // fast path: no escapes
        while (m_p < m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20)
            ++m_p;
        if (m_p < m_end && *m_p == '"') {
            out = QString::fromUtf8(runStart, m_p - runStart);
            ++m_p;
            return true;
        }
        QByteArray buf(runStart, m_p - runStart);
        for (;;) {
            if (m_p >= m_end) {
                m_error = QStringLiteral("unterminated string");
                return false;
            }
            const char c = *m_p;
            if (c == '"') {
                ++m_p;
                break;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                m_error = QStringLiteral("control character in a string");
                return false;
            }
            if (c != '\\') {
                buf += c;
                ++m_p;
                continue;
            }
            ++m_p;
            if (m_p >= m_end) {
                m_error = QStringLiteral("unterminated escape");
                return false;
            }
            const char e = *m_p++;
            switch (e) {
            case '"':
                buf += '"';
                break;
            case '\\':
                buf += '\\';
                break;
            case '/':
                buf += '/';
                break;
            case 'b':
                buf += '\b';
                break;
            case 'f':
                buf += '\f';
                break;
            case 'n':
                buf += '\n';
                break;
            case 'r':
                buf += '\r';
                break;
            case 't':
                buf += '\t';
                break;
            case 'u': {
                auto read4 = [&](unsigned *cp) {
                    if (m_end - m_p < 4)
                        return false;
                    unsigned v = 0;
                    for (int i = 0; i < 4; ++i) {
                        const int h = hexVal(m_p[i]);
                        if (h < 0)
                            return false;
                        v = v * 16 + unsigned(h);
                    }
                    m_p += 4;
                    *cp = v;
                    return true;
                };
                unsigned cp;
                if (!read4(&cp)) {
                    m_error = QStringLiteral("bad \\u escape");
                    return false;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF && m_end - m_p >= 6 && m_p[0] == '\\' && m_p[1] == 'u') {
                    const char *save = m_p;
                    m_p += 2;
                    unsigned lo;
                    if (read4(&lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                        const char32_t full = char32_t(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
                        buf += QString::fromUcs4(&full, 1).toUtf8();
                        break;
                    }
                    m_p = save;
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    // a lone surrogate survives as such: flush and append the raw unit
                    out += QString::fromUtf8(buf);
                    buf.clear();
                    out += QChar(char16_t(cp));
                    break;
                }
                const char16_t u = char16_t(cp);
                buf += QStringView(&u, 1).toUtf8();
                break;
            }
            default:
                m_error = QStringLiteral("bad escape \\%1").arg(QLatin1Char(e));
                return false;
            }
        }
        out += QString::fromUtf8(buf);
        return true;
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    QString m_error;
};

} // namespace

Result<QByteArray> Value::toJson(int indent) const
{
    QByteArray out;
    if (!serialize(out, *this, indent, 0))
        return Error { QStringLiteral("jsonata.json"),
                       QStringLiteral("value nests deeper than %1 levels and cannot be written as JSON")
                           .arg(kMaxJsonDepth) };
    return out;
}

void Value::appendJson(QByteArray &out) const
{
    const qsizetype mark = out.size();
    if (!serialize(out, *this, 0, 0)) {
        out.truncate(mark);
        out += "null";
    }
}

Result<Value> Value::fromJson(QByteArrayView json)
{
    JsonParser p(json.data(), json.data() + json.size());
    return p.parseDocument();
}

QJsonValue Value::toQJsonValue() const
{
    switch (m_type) {
    case Type::Undefined:
        return QJsonValue(QJsonValue::Undefined);
    case Type::Null:
        return QJsonValue(QJsonValue::Null);
    case Type::Boolean:
        return QJsonValue(toBool());
    case Type::Number:
        return QJsonValue(toNumber());
    case Type::String:
        return QJsonValue(toStr());
    case Type::Function:
        return QJsonValue(QString());
    case Type::Array: {
        QJsonArray a;
        for (const Value &v : items())
            a.append(v.isUndefined() ? QJsonValue(QJsonValue::Null) : v.toQJsonValue());
        return a;
    }
    case Type::Object: {
        QJsonObject o;
        for (const auto &[k, v] : members()) {
            if (v.isDefined())
                o.insert(k, v.toQJsonValue());
        }
        return o;
    }
    }
    return {};
}

Value Value::fromQJsonValue(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return Value(nullptr);
    case QJsonValue::Bool:
        return Value(v.toBool());
    case QJsonValue::Double:
        return Value(v.toDouble());
    case QJsonValue::String:
        return Value(v.toString());
    case QJsonValue::Array: {
        const QJsonArray a = v.toArray();
        std::vector<Value> items;
        items.reserve(size_t(a.size()));
        for (const QJsonValue &x : a)
            items.push_back(fromQJsonValue(x));
        return Value::array(std::move(items));
    }
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        Object members;
        for (auto it = o.begin(); it != o.end(); ++it)
            members.insert(it.key(), fromQJsonValue(it.value()));
        return Value::object(std::move(members));
    }
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

// Iterative, so that deeply nested values cannot exhaust the stack.
bool deepEqual(const Value &a, const Value &b)
{
    std::vector<std::pair<const Value *, const Value *>> work { { &a, &b } };
    while (!work.empty()) {
        const auto [x, y] = work.back();
        work.pop_back();
        if (x->type() != y->type())
            return false;
        switch (x->type()) {
        case Value::Type::Undefined:
        case Value::Type::Null:
            break;
        case Value::Type::Boolean:
            if (x->toBool() != y->toBool())
                return false;
            break;
        case Value::Type::Number:
            if (x->toNumber() != y->toNumber())
                return false;
            break;
        case Value::Type::String:
            if (x->toStr() != y->toStr())
                return false;
            break;
        case Value::Type::Function:
            if (x->payload() != y->payload())
                return false;
            break;
        case Value::Type::Array: {
            if (x->payload() == y->payload())
                break;
            const auto &xi = x->items();
            const auto &yi = y->items();
            if (xi.size() != yi.size())
                return false;
            for (size_t i = 0; i < xi.size(); ++i)
                work.emplace_back(&xi[i], &yi[i]);
            break;
        }
        case Value::Type::Object: {
            if (x->payload() == y->payload())
                break;
            const Object &xo = x->members();
            const Object &yo = y->members();
            if (xo.size() != yo.size())
                return false;
            for (const auto &[k, v] : xo) {
                const Value *o = yo.find(k);
                if (!o)
                    return false;
                work.emplace_back(&v, o);
            }
            break;
        }
        }
    }
    return true;
}

} // namespace lifdag::jsonata
