#include "jsontext_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lifdag::examplesource::json {

namespace {
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Index just past the string starting at text[i] == '"'.
qsizetype skipString(QByteArrayView text, qsizetype i)
{
    for (++i; i < text.size(); ++i) {
        if (text[i] == '\\')
            ++i;
        else if (text[i] == '"')
            return i + 1;
    }
    return text.size();
}

// Index just past the value starting at text[i] (compact JSON).
qsizetype skipValue(QByteArrayView text, qsizetype i)
{
    if (i >= text.size())
        return i;
    if (text[i] == '"')
        return skipString(text, i);
    if (text[i] == '{' || text[i] == '[') {
        int depth = 0;
        while (i < text.size()) {
            const char c = text[i];
            if (c == '"') {
                i = skipString(text, i);
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            ++i;
        }
        return i;
    }
    while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']')
        ++i;
    return i;
}
} // namespace

QByteArray compact(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '"') {
            const qsizetype end = skipString(text, i);
            out.append(text.sliced(i, end - i));
            i = end;
        } else {
            if (!isSpace(c))
                out.append(c);
            ++i;
        }
    }
    return out;
}

QList<Part> split(QByteArrayView text)
{
    QList<Part> parts;
    if (text.size() < 2 || (text.front() != '{' && text.front() != '['))
        return parts;
    const bool isObject = text.front() == '{';
    qsizetype i = 1;
    while (i < text.size() - 1) {
        Part part;
        if (isObject) {
            const qsizetype keyEnd = skipString(text, i);
            const QByteArray keyText = text.sliced(i, keyEnd - i).toByteArray();
            part.key = QJsonDocument::fromJson("[" + keyText + "]").array().at(0).toString();
            i = keyEnd + 1; // past ':'
        }
        const qsizetype end = skipValue(text, i);
        part.text = text.sliced(i, end - i).toByteArray();
        parts.append(std::move(part));
        i = end + 1; // past ',' or the closing bracket
    }
    return parts;
}

QByteArray text(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QByteArray object(std::initializer_list<std::pair<QLatin1StringView, QByteArray>> members)
{
    QByteArray out("{");
    bool first = true;
    for (const auto &[key, value] : members) {
        if (!first)
            out.append(',');
        first = false;
        out.append('"').append(key.data(), key.size()).append("\":").append(value);
    }
    return out.append('}');
}

QByteArray object(const QList<std::pair<QString, QByteArray>> &members)
{
    QByteArray out("{");
    bool first = true;
    for (const auto &[key, value] : members) {
        if (!first)
            out.append(',');
        first = false;
        out.append(text(QJsonValue(key))).append(':').append(value);
    }
    return out.append('}');
}

QByteArray array(const QList<QByteArray> &elements)
{
    QByteArray out("[");
    for (qsizetype i = 0; i < elements.size(); ++i) {
        if (i)
            out.append(',');
        out.append(elements[i]);
    }
    return out.append(']');
}

} // namespace lifdag::examplesource::json
