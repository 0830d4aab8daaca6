// What `lifdag webserver` and `lifdag dev` mount on the webserver besides its REST API (GraphQL).
#pragma once

#include <lifdag/instance/instance.h>
#include <lifdag/webserver/webserver.h>

#include <memory>

namespace lifdag::cli {
void mountWebserverExtensions(webserver::WebServer &server,
                              const std::shared_ptr<instance::Instance> &instance);
}
