#include "webserver_mounts.h"

namespace lifdag::cli {

void mountWebserverExtensions(webserver::WebServer &server,
                              const std::shared_ptr<instance::Instance> &instance)
{
    (void)server;
    (void)instance;
}

} // namespace lifdag::cli
