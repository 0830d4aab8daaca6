#include "lifdag/client/jsontreemodel.h"

#include "format_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lifdag::client {

namespace {

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    default:
        return QStringLiteral("null");
    }
}

bool isIdentifier(const QString &key)
{
    if (key.isEmpty() || key[0].isDigit())
        return false;
    for (QChar c : key) {
        if (!c.isLetterOrNumber() && c != QLatin1Char('_'))
            return false;
    }
    return true;
}

} // namespace

JsonTreeModel::JsonTreeModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

QHash<int, QByteArray> JsonTreeModel::roleNames() const
{
    return { { KeyRole, "key" },     { ValueTextRole, "valueText" },   { TypeRole, "type" },
             { DepthRole, "depth" }, { ExpandableRole, "expandable" }, { ExpandedRole, "expanded" },
             { PathRole, "path" },   { ChildCountRole, "childCount" } };
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_visible.size())
        return {};
    const int id = m_visible[index.row()];
    const Node &n = m_nodes[size_t(id)];
    switch (role) {
    case Qt::DisplayRole:
    case KeyRole:
        return n.key;
    case ValueTextRole:
        if (n.value.isObject())
            return n.childCount == 1 ? tr("{1 key}") : tr("{%1 keys}").arg(n.childCount);
        if (n.value.isArray())
            return n.childCount == 1 ? tr("[1 item]") : tr("[%1 items]").arg(n.childCount);
        return detail::prettyJson(n.value).left(2000);
    case TypeRole:
        return typeName(n.value);
    case DepthRole:
        return n.depth;
    case ExpandableRole:
        return n.childCount > 0;
    case ExpandedRole:
        return n.expanded;
    case PathRole:
        return nodePath(id);
    case ChildCountRole:
        return n.childCount;
    }
    return {};
}

int JsonTreeModel::add(const QJsonValue &value, const QString &key, int parent, int depth)
{
    const int id = int(m_nodes.size());
    m_nodes.push_back(Node { parent, depth, 0, 0, false, key, value });
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        m_nodes[size_t(id)].childCount = int(o.size());
        for (auto it = o.begin(); it != o.end(); ++it)
            add(it.value(), it.key(), id, depth + 1);
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        m_nodes[size_t(id)].childCount = int(a.size());
        for (qsizetype i = 0; i < a.size(); ++i)
            add(a.at(i), QStringLiteral("[%1]").arg(i), id, depth + 1);
    }
    m_nodes[size_t(id)].end = int(m_nodes.size());
    return id;
}

void JsonTreeModel::setDocument(const QJsonValue &value)
{
    const int before = count();
    beginResetModel();
    m_nodes.clear();
    m_visible.clear();
    m_error.clear();
    if (!value.isUndefined()) {
        add(value, QStringLiteral("$"), -1, 0);
        m_visible.append(0);
    }
    endResetModel();
    if (!m_nodes.empty() && m_nodes[0].childCount > 0)
        expand(0);
    if (before != count())
        Q_EMIT countChanged();
    Q_EMIT documentChanged();
}

void JsonTreeModel::loadText(const QString &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        setDocument(QJsonValue::Undefined);
        m_error = tr("not JSON: %1 at character %2").arg(error.errorString()).arg(error.offset);
        Q_EMIT documentChanged();
        return;
    }
    setDocument(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
}

void JsonTreeModel::clear()
{
    setDocument(QJsonValue::Undefined);
}

void JsonTreeModel::expand(int row)
{
    const int id = m_visible[row];
    Node &n = m_nodes[size_t(id)];
    if (n.expanded || n.childCount == 0)
        return;
    n.expanded = true;
    QList<int> children;
    children.reserve(n.childCount);
    for (int c = id + 1; c < n.end; c = m_nodes[size_t(c)].end)
        children.append(c);
    beginInsertRows({}, row + 1, row + int(children.size()));
    for (qsizetype i = 0; i < children.size(); ++i)
        m_visible.insert(row + 1 + i, children[i]);
    endInsertRows();
    Q_EMIT dataChanged(index(row), index(row), { ExpandedRole });
}

void JsonTreeModel::collapse(int row)
{
    const int id = m_visible[row];
    Node &n = m_nodes[size_t(id)];
    if (!n.expanded)
        return;
    n.expanded = false;
    int last = row;
    while (last + 1 < m_visible.size() && m_visible[last + 1] < n.end)
        ++last;
    for (int c = id + 1; c < n.end; ++c)
        m_nodes[size_t(c)].expanded = false;
    if (last > row) {
        beginRemoveRows({}, row + 1, last);
        m_visible.remove(row + 1, last - row);
        endRemoveRows();
    }
    Q_EMIT dataChanged(index(row), index(row), { ExpandedRole });
}

void JsonTreeModel::toggle(int row)
{
    if (row < 0 || row >= m_visible.size())
        return;
    const int before = count();
    if (m_nodes[size_t(m_visible[row])].expanded)
        collapse(row);
    else
        expand(row);
    if (before != count())
        Q_EMIT countChanged();
}

void JsonTreeModel::expandAll()
{
    if (m_nodes.empty())
        return;
    const int before = count();
    beginResetModel();
    m_visible.clear();
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        m_nodes[i].expanded = m_nodes[i].childCount > 0;
        m_visible.append(int(i));
    }
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
}

void JsonTreeModel::collapseAll()
{
    if (m_nodes.empty())
        return;
    const int before = count();
    beginResetModel();
    for (Node &n : m_nodes)
        n.expanded = false;
    m_visible = { 0 };
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
}

QString JsonTreeModel::nodePath(int node) const
{
    QStringList parts;
    for (int n = node; n > 0; n = m_nodes[size_t(n)].parent) {
        const Node &x = m_nodes[size_t(n)];
        const bool inArray = m_nodes[size_t(x.parent)].value.isArray();
        if (inArray)
            parts.prepend(x.key);
        else if (isIdentifier(x.key))
            parts.prepend(QLatin1Char('.') + x.key);
        else
            parts.prepend(QStringLiteral("[\"") + x.key + QStringLiteral("\"]"));
    }
    return QStringLiteral("$") + parts.join(QString());
}

QString JsonTreeModel::path(int row) const
{
    return row >= 0 && row < m_visible.size() ? nodePath(m_visible[row]) : QString();
}

QString JsonTreeModel::valueText(int row) const
{
    if (row < 0 || row >= m_visible.size())
        return {};
    return detail::prettyJson(m_nodes[size_t(m_visible[row])].value);
}

int JsonTreeModel::find(const QString &text, int from)
{
    if (text.isEmpty() || m_nodes.empty())
        return -1;
    const int start = from >= 0 && from < m_visible.size() ? m_visible[from] : -1;
    const int n = int(m_nodes.size());
    for (int k = 1; k <= n; ++k) {
        const int id = (start + k) % n;
        const Node &node = m_nodes[size_t(id)];
        const bool scalar = !node.value.isObject() && !node.value.isArray();
        const bool hit = (id > 0 && node.key.contains(text, Qt::CaseInsensitive))
            || (scalar && detail::prettyJson(node.value).contains(text, Qt::CaseInsensitive));
        if (!hit)
            continue;
        QList<int> chain;
        for (int a = node.parent; a >= 0; a = m_nodes[size_t(a)].parent)
            chain.prepend(a);
        for (int a : std::as_const(chain)) {
            const int row = int(m_visible.indexOf(a));
            if (row >= 0 && !m_nodes[size_t(a)].expanded)
                toggle(row);
        }
        return int(m_visible.indexOf(id));
    }
    return -1;
}

} // namespace lifdag::client
