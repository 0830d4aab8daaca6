// `--container-context` of the code server, and which variables reach the runs it starts.
#pragma once

#include <lifdag/core/result.h>

#include <QProcessEnvironment>
#include <QStringList>

namespace lifdag::codelocation {

// What LIF's code_location_entrypoint.sh produces: {"env_vars": ["NAME=value", "NAME2", …]}.
struct ContainerContext
{
    QStringList envVars; // "NAME=value", or "NAME" (the code server's own value)
};

// Parses the JSON; other Dagster container-context keys are rejected with their name.
Result<ContainerContext> parseContainerContext(const QString &json);

// Prefixes whose variables always reach the runs (adapter credentials, LIF endpoints, user code).
const QStringList &passthroughPrefixes();

// The variables a run gets beyond its image's own: every ADAPTERS__/LIF_/USER_CODE_ variable of
// `base` plus the context's entries (bare names take their value from `base`; names missing
// there are left out). Later entries win. Returned as "NAME=value".
QStringList runEnvironment(const QProcessEnvironment &base, const ContainerContext &context);

// `base` with runEnvironment() applied: the environment of a run worker process.
QProcessEnvironment workerEnvironment(const QProcessEnvironment &base, const ContainerContext &context);

} // namespace lifdag::codelocation
