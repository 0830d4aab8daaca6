// Private: JSON documents <-> google.protobuf.Struct for the lifdag.v1 messages.
#pragma once

#include <QJsonObject>
#include <google/protobuf/struct.pb.h>

namespace lifdag::codelocation::detail {

google::protobuf::Struct toStruct(const QJsonObject &object);
QJsonObject fromStruct(const google::protobuf::Struct &s);

} // namespace lifdag::codelocation::detail
