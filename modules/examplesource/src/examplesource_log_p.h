// The module's logging category ("lifdag.examplesource").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcExampleSource)
