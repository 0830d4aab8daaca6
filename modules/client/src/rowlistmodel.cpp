#include "lifdag/client/rowlistmodel.h"

namespace lifdag::client {

RowListModel::RowListModel(const QList<QByteArray> &roleNames, QObject *parent)
    : QAbstractListModel(parent)
    , m_names(roleNames)
{
    for (qsizetype i = 0; i < m_names.size(); ++i)
        m_roleIds.insert(m_names[i], Qt::UserRole + 1 + int(i));
}

int RowListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RowListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const int column = role - Qt::UserRole - 1;
    if (role == Qt::DisplayRole)
        return m_rows[index.row()].value(0);
    if (column < 0 || column >= m_names.size())
        return {};
    return m_rows[index.row()].value(column);
}

QHash<int, QByteArray> RowListModel::roleNames() const
{
    QHash<int, QByteArray> roles;
    for (qsizetype i = 0; i < m_names.size(); ++i)
        roles.insert(Qt::UserRole + 1 + int(i), m_names[i]);
    return roles;
}

QVariantMap RowListModel::get(int row) const
{
    QVariantMap out;
    if (row < 0 || row >= m_rows.size())
        return out;
    for (qsizetype i = 0; i < m_names.size(); ++i)
        out.insert(QString::fromLatin1(m_names[i]), m_rows[row].value(i));
    return out;
}

QList<QVariantList> RowListModel::toStored(const QList<QVariantMap> &rows) const
{
    QList<QVariantList> stored;
    stored.reserve(rows.size());
    for (const QVariantMap &row : rows) {
        QVariantList values(m_names.size());
        for (qsizetype i = 0; i < m_names.size(); ++i)
            values[i] = row.value(QString::fromLatin1(m_names[i]));
        stored.append(std::move(values));
    }
    return stored;
}

void RowListModel::setRows(const QList<QVariantMap> &rows)
{
    const int before = count();
    beginResetModel();
    m_rows = toStored(rows);
    endResetModel();
    if (before != count())
        Q_EMIT countChanged();
}

void RowListModel::appendRows(const QList<QVariantMap> &rows)
{
    if (rows.isEmpty())
        return;
    beginInsertRows({}, count(), count() + int(rows.size()) - 1);
    m_rows += toStored(rows);
    endInsertRows();
    Q_EMIT countChanged();
}

void RowListModel::clear()
{
    setRows({});
}

} // namespace lifdag::client
