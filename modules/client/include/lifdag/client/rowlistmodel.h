// A list model of small rows (role -> value) for the short lists the desktop shows: jobs, daemons,
// locations, audit entries, config violations, diff lines. Long lists have models of their own.
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace lifdag::client {

class RowListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ANONYMOUS // QML sees it as a property's type, never creates one
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    // `roleNames`: the roles QML sees, in order (Qt::UserRole + 1 …).
    RowListModel(const QList<QByteArray> &roleNames, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_rows.size()); }
    // The row as {role name: value} (empty past the end).
    Q_INVOKABLE QVariantMap get(int row) const;

    // Rows as maps keyed by role name; unknown keys are ignored.
    void setRows(const QList<QVariantMap> &rows);
    void appendRows(const QList<QVariantMap> &rows);
    void clear();

Q_SIGNALS:
    void countChanged();

protected:
    int roleOf(const QByteArray &name) const { return m_roleIds.value(name, -1); }

private:
    QList<QVariantList> toStored(const QList<QVariantMap> &rows) const;

    QList<QByteArray> m_names;
    QHash<QByteArray, int> m_roleIds;
    QList<QVariantList> m_rows;
};

} // namespace lifdag::client
