// The jobs this build of lifdag serves, shared by the code server, `lifdag dev` and the run worker.
#pragma once

#include <lifdag/core/result.h>
#include <lifdag/execution/jobregistry.h>

#include <memory>

namespace lifdag::cli {
Result<std::shared_ptr<const execution::JobRegistry>> buildRegistry();
}
