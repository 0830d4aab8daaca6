#include <lifdag/transform/deepmerge.h>

#include <QJsonArray>

#include <algorithm>

namespace lifdag::transform {

namespace {
bool isNumeric(const QJsonValue &v)
{
    return v.isDouble() || v.isBool();
}
double numeric(const QJsonValue &v)
{
    return v.isBool() ? (v.toBool() ? 1.0 : 0.0) : v.toDouble();
}
bool allObjects(const QJsonArray &a)
{
    return std::all_of(a.begin(), a.end(), [](const QJsonValue &v) { return v.isObject(); });
}
bool contains(const QJsonArray &a, const QJsonValue &item)
{
    return std::any_of(a.begin(), a.end(), [&](const QJsonValue &v) { return pythonEquals(v, item); });
}
} // namespace

bool pythonEquals(const QJsonValue &a, const QJsonValue &b)
{
    if (isNumeric(a) && isNumeric(b))
        return numeric(a) == numeric(b);
    if (a.type() != b.type())
        return false;
    if (a.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i)
            if (!pythonEquals(x.at(i), y.at(i)))
                return false;
        return true;
    }
    if (a.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (auto it = x.begin(); it != x.end(); ++it) {
            const auto other = y.constFind(it.key());
            if (other == y.constEnd() || !pythonEquals(it.value(), other.value()))
                return false;
        }
        return true;
    }
    return a == b;
}

void deepMerge(QJsonObject &dst, const QJsonObject &src)
{
    for (auto it = src.begin(); it != src.end(); ++it) {
        const QJsonValue &value = it.value();
        const auto existing = dst.constFind(it.key());
        if (existing == dst.constEnd()) {
            dst.insert(it.key(), value);
            continue;
        }
        const QJsonValue current = existing.value();
        if (current.isObject() && value.isObject()) {
            QJsonObject merged = current.toObject();
            deepMerge(merged, value.toObject());
            dst.insert(it.key(), merged);
        } else if (current.isArray() && value.isArray()) {
            QJsonArray target = current.toArray();
            const QJsonArray items = value.toArray();
            if (allObjects(target) && allObjects(items)) {
                for (qsizetype i = 0; i < items.size(); ++i) {
                    if (i < target.size()) {
                        QJsonObject merged = target.at(i).toObject();
                        deepMerge(merged, items.at(i).toObject());
                        target.replace(i, merged);
                    } else {
                        target.append(items.at(i));
                    }
                }
            } else {
                for (const QJsonValue &item : items)
                    if (!contains(target, item))
                        target.append(item);
            }
            dst.insert(it.key(), target);
        } else {
            dst.insert(it.key(), value);
        }
    }
}

} // namespace lifdag::transform
