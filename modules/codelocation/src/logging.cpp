#include "codelocation_log_p.h"

Q_LOGGING_CATEGORY(lcCodeLocation, "lifdag.codelocation")
