// How the code server starts processes (run workers, the worker zygote): posix_spawn with the
// attributes every worker needs.
#pragma once

#include <spawn.h>

namespace lifdag::codelocation::detail {

// Own process group (a cancel reaches anything the worker starts), default dispositions for the
// signals a server may ignore or handle (SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD) and nothing
// blocked. `actions` may be null. Returns posix_spawn's result (0 or an errno value).
int spawnWorkerProcess(pid_t *pid, char *const argv[], char *const envp[],
                       const posix_spawn_file_actions_t *actions = nullptr);

} // namespace lifdag::codelocation::detail
