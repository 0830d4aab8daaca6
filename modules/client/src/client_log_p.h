// The client module's logging category ("lifdag.client").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcClient)
