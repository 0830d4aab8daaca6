#include "registry.h"

#include <lifdag/execution/examplejobs.h>
#include <lifdag/lifjob/lifjob.h>

namespace lifdag::cli {

Result<std::shared_ptr<const execution::JobRegistry>> buildRegistry()
{
    auto registry = std::make_shared<execution::JobRegistry>();
    if (const Status s = execution::examples::registerExampleJobs(*registry); !s)
        return s.error();
    if (const Status s = lifjob::registerLifJob(*registry); !s)
        return s.error();
    return std::shared_ptr<const execution::JobRegistry>(std::move(registry));
}

} // namespace lifdag::cli
