#!/usr/bin/env bash
# A Docker Engine API for the test suites (ctest fixture `podman`): podman's API service on a
# private socket, so tests drive containers exactly as the DockerRunLauncher does in production.
#   testpodman.sh start STATE_DIR   writes /etc/containers/containers.conf when it is missing (runc,
#                                   cgroupfs, host network namespace, no default ulimits, file events
#                                   log), starts `podman system service` on unix://STATE_DIR/podman.sock,
#                                   waits until it answers and writes STATE_DIR/podman.env
#   testpodman.sh stop STATE_DIR    stops the service
# Any failure exits non-zero with the reason. Only inside a podman container (/run/.containerenv),
# where nested podman may be refused, a service that cannot start is recorded in podman.env as
# LIFDAG_TEST_PODMAN_SKIP=<reason> and the tests print SKIP with it.
set -euo pipefail
ACTION=${1:?usage: testpodman.sh start|stop STATE_DIR}
STATE=${2:?usage: testpodman.sh start|stop STATE_DIR}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
SOCK="$STATE/podman.sock"

stop() {
  if [ -f "$STATE/service.pid" ]; then
    local pid; pid=$(cat "$STATE/service.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$STATE/service.pid" "$STATE/podman.env" "$SOCK"
}

case "$ACTION" in
  stop) stop; echo "testpodman: stopped"; exit 0 ;;
  start) ;;
  *) echo "testpodman: unknown action $ACTION" >&2; exit 2 ;;
esac

stop # a service left over from an interrupted run

nested_skip() { # only inside a podman container: record why, let the tests say SKIP
  if [ -f /run/.containerenv ]; then
    printf 'LIFDAG_TEST_PODMAN_SKIP=%s\n' "$1" | tr -d '\n' > "$STATE/podman.env"; echo >> "$STATE/podman.env"
    echo "testpodman: $1 (inside a podman container: the podman tests will SKIP)"
    exit 0
  fi
  echo "testpodman: $1" >&2
  exit 1
}

command -v podman >/dev/null || { echo "testpodman: podman is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
if [ ! -f /etc/containers/containers.conf ]; then
  [ "$(id -u)" -eq 0 ] || { echo "testpodman: /etc/containers/containers.conf is missing and only root can write it" >&2; exit 1; }
  mkdir -p /etc/containers
  cat > /etc/containers/containers.conf <<'CONF'
# Written by lifdag's scripts/testpodman.sh: podman as a Docker Engine API for tests and CI.
[containers]
default_ulimits = []
netns = "host"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  echo "testpodman: wrote /etc/containers/containers.conf"
fi

nohup podman system service --time=0 "unix://$SOCK" >"$STATE/service.log" 2>&1 &
echo $! > "$STATE/service.pid"
up=0
for _ in $(seq 1 100); do
  if [ -S "$SOCK" ] && podman --url "unix://$SOCK" version >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$(cat "$STATE/service.pid")" 2>/dev/null || break
  sleep 0.1
done
if [ $up -ne 1 ]; then
  reason="podman system service did not start: $(tail -5 "$STATE/service.log" | tr '\n' ' ')"
  stop
  nested_skip "$reason"
fi
# Up; is its storage usable? (Nested in a podman container, overlay over overlayfs is refused.)
if ! info=$(podman --url "unix://$SOCK" info 2>&1); then
  reason="podman's engine is not usable: $(tail -3 <<<"$info" | tr '\n' ' ')"
  stop
  nested_skip "$reason"
fi
printf 'LIFDAG_TEST_PODMAN_SOCKET=%s\n' "$SOCK" > "$STATE/podman.env"
echo "testpodman: podman $(podman --version | awk '{print $3}') serving the Docker API on unix://$SOCK"
