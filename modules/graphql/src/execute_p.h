// Execution internals shared with Context: the ordered result tree and per-field state.
#pragma once

#include "schema_p.h"

#include <QByteArray>
#include <QJsonValue>

#include <any>
#include <utility>
#include <vector>

namespace lifdag::graphql::detail {

// A response value that keeps members in selection order (QJsonObject sorts them).
struct OutNode
{
    enum class Kind : quint8 { Null, Leaf, List, Object };
    Kind kind = Kind::Null;
    QJsonValue leaf;
    std::vector<OutNode> items;
    std::vector<std::pair<QString, OutNode>> fields;

    QJsonValue toJson() const;
    void write(QByteArray &out) const;
};

void writeJsonValue(QByteArray &out, const QJsonValue &value);
void writeJsonString(QByteArray &out, const QString &text);

class Executor;

struct PathSegment
{
    QString key;
    int index = -1; // list index when >= 0
};

struct ResolveState
{
    const Executor *executor = nullptr;
    const std::any *user = nullptr;
    const NamedType *parentType = nullptr;
    const FieldDef *field = nullptr;
    const std::vector<const Selection *> *fieldNodes = nullptr;
    const std::vector<PathSegment> *path = nullptr;
};

} // namespace lifdag::graphql::detail
