// Private: the webserver's logging category ("lifdag.webserver").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcWebserver)
