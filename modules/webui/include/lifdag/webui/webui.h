// The web UI at / : the application in web/ (compiled into the binary) with an SPA fallback.
#pragma once

#include <lifdag/http/router.h>

#include <QString>

namespace lifdag::webserver {
class WebServer;
}

namespace lifdag::webui {

// Serves the UI from `server` (call before start()): files under /ui/<version>/…, index.html for
// any other GET/HEAD no route answers (the client-side routes); /api, /graphql, /health, /ready and
// /metrics paths keep answering JSON 404s.
void mount(webserver::WebServer &server);

// The fallback handler mount() installs (for tests and other servers).
http::Handler handler();

// The hash over the UI's files that names them under /ui/ (changes with every edit).
QString version();

} // namespace lifdag::webui
