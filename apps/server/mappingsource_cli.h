// The --mappings DIR | --mdr URL options shared by `lifdag transform` and `lifdag translator`.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/transform/mappingsource.h>

#include <QCommandLineParser>
#include <memory>

namespace lifdag::cli {

void addMappingSourceOptions(QCommandLineParser &parser);
// The mapping source the options (or LIF_MDR_API_URL) name; an Error when none or both are given.
Result<std::shared_ptr<transform::MappingSource>> mappingSourceFromOptions(const QCommandLineParser &parser);

} // namespace lifdag::cli
