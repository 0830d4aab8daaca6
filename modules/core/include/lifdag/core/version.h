// The lifdag version string, as `lifdag --version` prints it.
#pragma once

#include <QString>

namespace lifdag {
QString version();
}
