// lifdag's GraphQL engine: documents, schemas, validation and execution.
#pragma once

#include <lifdag/graphql/document.h>
#include <lifdag/graphql/execute.h>
#include <lifdag/graphql/schema.h>
#include <lifdag/graphql/value.h>
