// Payload types behind lifdag::jsonata::Value (private to the module).
#pragma once

#include <lifdag/jsonata/value.h>

namespace lifdag::jsonata::detail {

struct StringData final : Heap
{
    explicit StringData(QString s)
        : str(std::move(s))
    { }
    QString str;
};

struct ArrayData final : Heap
{
    explicit ArrayData(std::vector<Value> v)
        : items(std::move(v))
    { }
    std::vector<Value> items;
};

struct ObjectData final : Heap
{
    explicit ObjectData(Object o)
        : members(std::move(o))
    { }
    Object members;
};

} // namespace lifdag::jsonata::detail
