#include "transform_log_p.h"

Q_LOGGING_CATEGORY(lcTransform, "lifdag.transform")
