#include "lifdag/core/version.h"

namespace lifdag {
QString version()
{
    return QStringLiteral(LIFDAG_VERSION_STRING);
}
} // namespace lifdag
