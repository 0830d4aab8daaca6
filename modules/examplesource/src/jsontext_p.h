// JSON text helpers that keep members in the order a document or the code states them (QJsonObject
// sorts keys; FastAPI answers in declaration order).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QList>
#include <QString>

#include <initializer_list>
#include <optional>
#include <utility>

namespace lifdag::examplesource::json {

// `text` without insignificant whitespace. `text` must be valid JSON (check with QJsonDocument).
QByteArray compact(QByteArrayView text);

// One member of an object (`key` set) or element of an array, with its raw JSON text.
struct Part
{
    std::optional<QString> key;
    QByteArray text;
};

// The members or elements of the object or array `text` (valid, compact JSON), in document order.
QList<Part> split(QByteArrayView text);

// Compact JSON text of one value (strings escaped as QJsonDocument does).
QByteArray text(const QJsonValue &value);

// {"k1":v1,"k2":v2,…} from raw member texts, in the order given.
QByteArray object(std::initializer_list<std::pair<QLatin1StringView, QByteArray>> members);
QByteArray object(const QList<std::pair<QString, QByteArray>> &members);

// […] from raw element texts.
QByteArray array(const QList<QByteArray> &elements);

} // namespace lifdag::examplesource::json
