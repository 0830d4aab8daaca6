#include "graphqlselection_p.h"

#include <QHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace lifdag::adapters::detail {

namespace {

struct Selection
{
    QString name;
    QList<Selection> children; // empty: a leaf field
};

// Tokens of a selection set: names, '{' and '}'; comments and commas skipped.
class Reader
{
public:
    Reader(const QString &text, qsizetype position)
        : m_text(text)
        , m_pos(position)
    { }

    QString next()
    {
        while (m_pos < m_text.size()) {
            const QChar c = m_text[m_pos];
            if (c == u'#') {
                while (m_pos < m_text.size() && m_text[m_pos] != u'\n')
                    ++m_pos;
            } else if (c.isSpace() || c == u',') {
                ++m_pos;
            } else {
                break;
            }
        }
        if (m_pos >= m_text.size())
            return {};
        const QChar c = m_text[m_pos];
        if (c == u'{' || c == u'}') {
            ++m_pos;
            return QString(c);
        }
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && (m_text[m_pos].isLetterOrNumber() || m_text[m_pos] == u'_'))
            ++m_pos;
        if (m_pos == start)
            return u"?"_s + c; // anything else: arguments, aliases… which this query does not use
        return m_text.mid(start, m_pos - start);
    }

    QString peek()
    {
        const qsizetype saved = m_pos;
        QString token = next();
        m_pos = saved;
        return token;
    }

    qsizetype position() const { return m_pos; }

private:
    const QString &m_text;
    qsizetype m_pos;
};

// After the opening '{': selections up to the matching '}'.
Result<QList<Selection>> readSelections(Reader &reader)
{
    QList<Selection> out;
    while (true) {
        const QString token = reader.next();
        if (token == u"}"_s)
            return out;
        if (token.isEmpty() || token == u"{"_s || token.startsWith(u'?'))
            return Error { u"adapters.query"_s,
                           u"unexpected '"_s + token + u"' in the query's selection set"_s };
        Selection s { token, {} };
        if (reader.peek() == u"{"_s) {
            reader.next();
            auto children = readSelections(reader);
            if (!children)
                return children.error();
            s.children = *children;
        }
        out.append(s);
    }
}

struct Schema
{
    // type name → field name → the field's named type (lists and non-null unwrapped)
    QHash<QString, QHash<QString, QString>> fields;
};

QString namedType(QJsonObject type)
{
    while (type.value(u"name"_s).isNull() || type.value(u"name"_s).isUndefined()) {
        const QJsonValue of = type.value(u"ofType"_s);
        if (!of.isObject())
            return {};
        type = of.toObject();
    }
    return type.value(u"name"_s).toString();
}

Result<Schema> readSchema(const QJsonObject &data)
{
    const QJsonObject schema = data.value(u"__schema"_s).toObject();
    const QJsonArray types = schema.value(u"types"_s).toArray();
    if (types.isEmpty())
        return Error { u"adapters.introspection"_s, u"the introspection answer lists no types"_s };
    Schema out;
    for (const QJsonValue &t : types) {
        const QJsonObject type = t.toObject();
        const QJsonValue fields = type.value(u"fields"_s);
        if (!fields.isArray())
            continue; // scalars, enums, inputs
        QHash<QString, QString> byName;
        for (const QJsonValue &f : fields.toArray())
            byName.insert(f[u"name"_s].toString(), namedType(f[u"type"_s].toObject()));
        out.fields.insert(type.value(u"name"_s).toString(), byName);
    }
    return out;
}

QList<Selection> prune(const QList<Selection> &selections, const QString &typeName, const Schema &schema,
                       const QString &path, QStringList *dropped)
{
    QList<Selection> kept;
    const QHash<QString, QString> fields = schema.fields.value(typeName);
    for (const Selection &s : selections) {
        const QString here = path + u'.' + s.name;
        const auto field = fields.constFind(s.name);
        if (field == fields.constEnd()) {
            dropped->append(here);
            continue;
        }
        const bool isObject = schema.fields.contains(*field);
        if (s.children.isEmpty() == isObject) { // a leaf where the schema has an object, or the reverse
            dropped->append(here);
            continue;
        }
        Selection copy { s.name, {} };
        if (isObject) {
            copy.children = prune(s.children, *field, schema, here, dropped);
            if (copy.children.isEmpty())
                continue; // nothing of it is offered
        }
        kept.append(copy);
    }
    return kept;
}

void render(const QList<Selection> &selections, int indent, QString &out)
{
    out += u"{\n"_s;
    for (const Selection &s : selections) {
        out += QString(indent + 2, u' ') + s.name;
        if (!s.children.isEmpty()) {
            out += u' ';
            render(s.children, indent + 2, out);
        }
        out += u'\n';
    }
    out += QString(indent, u' ') + u'}';
}

} // namespace

QString introspectionQuery()
{
    return u"query LifdagIntrospection { __schema { queryType { name } types { name kind fields { name "
           "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"_s;
}

bool isFieldValidationFailure(const QJsonValue &errors)
{
    const QJsonArray list = errors.toArray();
    if (list.isEmpty())
        return false;
    for (const QJsonValue &e : list) {
        const QString message = e.toObject().value(u"message"_s).toString();
        if (!message.startsWith(u"Cannot query field"_s)
            && !message.contains(u"must have a selection of subfields"_s)
            && !message.contains(u"must not have a selection since type"_s))
            return false;
    }
    return true;
}

Result<QString> pruneQuery(const QString &query, const QJsonObject &introspectionData, QStringList *dropped)
{
    // The root field: the first name followed by '(' after the operation's opening brace.
    const qsizetype operationBrace = query.indexOf(u'{');
    const qsizetype arguments = query.indexOf(u'(', operationBrace);
    const qsizetype argumentsEnd = query.indexOf(u')', arguments);
    const qsizetype selectionBrace = query.indexOf(u'{', argumentsEnd);
    if (operationBrace < 0 || arguments < 0 || argumentsEnd < 0 || selectionBrace < 0)
        return Error { u"adapters.query"_s,
                       u"the query has no root field with arguments and a selection set"_s };
    Reader rootName(query, operationBrace + 1);
    const QString root = rootName.next();

    Reader reader(query, selectionBrace + 1);
    auto selections = readSelections(reader);
    if (!selections)
        return selections.error();

    auto schema = readSchema(introspectionData);
    if (!schema)
        return schema.error();
    const QString queryType = introspectionData[u"__schema"_s][u"queryType"_s][u"name"_s].toString();
    const QString rootType = schema->fields.value(queryType).value(root);
    if (rootType.isEmpty())
        return Error { u"adapters.introspection"_s,
                       u"the source's schema has no query field '"_s + root + u'\'' };
    QStringList removed;
    const QList<Selection> kept = prune(*selections, rootType, *schema, rootType, &removed);
    if (kept.isEmpty())
        return Error { u"adapters.introspection"_s,
                       u"the source's "_s + rootType + u" type offers none of the selected fields"_s };
    if (dropped)
        *dropped = removed;
    QString out = query.left(selectionBrace);
    render(kept, 2, out);
    out += u"\n}\n"_s;
    return out;
}

} // namespace lifdag::adapters::detail
