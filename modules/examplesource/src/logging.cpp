#include "examplesource_log_p.h"

Q_LOGGING_CATEGORY(lcExampleSource, "lifdag.examplesource")
