// Internals shared by the launcher module's sources.
#pragma once

#include <lifdag/launcher/launcher.h>

namespace lifdag::launcher::detail {

// Appends one event; the error when storage refused it.
Status appendEvent(instance::Instance &instance, Event event);

} // namespace lifdag::launcher::detail
