// A JSON document as an expandable tree flattened into a list (one row per visible node), for the
// run results viewer: parsing, expansion and search in C++, rows drawn by a plain ListView.
#pragma once

#include <QAbstractListModel>
#include <QJsonValue>
#include <QtQml/qqmlregistration.h>
#include <vector>

namespace lifdag::client {

class JsonTreeModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int nodeCount READ nodeCount NOTIFY documentChanged)
    Q_PROPERTY(bool empty READ empty NOTIFY documentChanged)
    Q_PROPERTY(QString error READ error NOTIFY documentChanged)

public:
    enum Role {
        KeyRole = Qt::UserRole + 1,
        ValueTextRole,
        TypeRole,
        DepthRole,
        ExpandableRole,
        ExpandedRole,
        PathRole,
        ChildCountRole,
    };
    Q_ENUM(Role)

    explicit JsonTreeModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_visible.size()); }
    int nodeCount() const { return int(m_nodes.size()); }
    bool empty() const { return m_nodes.empty(); }
    QString error() const { return m_error; }

    void setDocument(const QJsonValue &value); // the root row is expanded
    Q_INVOKABLE void loadText(const QString &json);
    Q_INVOKABLE void clear();
    Q_INVOKABLE void toggle(int row);
    Q_INVOKABLE void expandAll();
    Q_INVOKABLE void collapseAll();
    Q_INVOKABLE QString valueText(int row) const; // the node's JSON, indented
    Q_INVOKABLE QString path(int row) const;
    // The next node after row `from` (document order, wrapping) whose key or scalar value contains
    // `text`; its ancestors are expanded and its row returned (-1: none).
    Q_INVOKABLE int find(const QString &text, int from);

Q_SIGNALS:
    void countChanged();
    void documentChanged();

private:
    struct Node
    {
        int parent = -1;
        int depth = 0;
        int childCount = 0;
        int end = 0; // one past the last node of its subtree (nodes are in document order)
        bool expanded = false;
        QString key;
        QJsonValue value;
    };
    int add(const QJsonValue &value, const QString &key, int parent, int depth);
    QString nodePath(int node) const;
    void expand(int row);
    void collapse(int row);

    std::vector<Node> m_nodes;
    QList<int> m_visible;
    QString m_error;
};

} // namespace lifdag::client
