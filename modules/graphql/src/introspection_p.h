// The introspection system (__Schema, __Type, …) every schema carries.
#pragma once

#include "schema_p.h"

namespace lifdag::graphql::detail {

// SDL of the introspection types and the specified directives (@include, @skip, @deprecated,
// @specifiedBy), with graphql-js's descriptions.
QString introspectionSdl();

// Attaches the introspection resolvers and the __schema / __type / __typename meta fields.
void installIntrospection(SchemaData &data);

// Literal → input-form JSON (enum names as strings; variables as null).
QJsonValue literalToInputJson(const ValueNode &node);

} // namespace lifdag::graphql::detail
