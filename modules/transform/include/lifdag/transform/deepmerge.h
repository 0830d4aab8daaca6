// The merge LIF's translator applies to each mapping's fragment (translator_utils.deep_merge).
#pragma once

#include <QJsonObject>
#include <QJsonValue>

namespace lifdag::transform {

// Merges `src` into `dst`: objects recurse; a list of objects into a list of objects merges item
// by item by index (extra items appended); other lists append the items not already present;
// anything else (new keys, differing types, scalars) is overwritten by `src`.
void deepMerge(QJsonObject &dst, const QJsonObject &src);

// Python's `==` on JSON values (True == 1, 1 == 1.0), which decides "already present" above.
bool pythonEquals(const QJsonValue &a, const QJsonValue &b);

} // namespace lifdag::transform
