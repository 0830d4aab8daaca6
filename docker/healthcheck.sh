#!/usr/bin/env bash
# The HEALTHCHECK of lifdag's images (installed as /usr/local/bin/lifdag-healthcheck): one script
# for every service, which finds out what the container runs from its main process (PID 1):
#   webserver       GET /ready answers 200 (the database and every code location answer)
#   daemon          `lifdag daemon status --host $HOSTNAME --max-age N`: this container's daemon
#                   heartbeated within N s (LIFDAG_HEALTH_MAX_AGE, default 90; loops beat every 30 s)
#   code-server     the gRPC port accepts connections
#   example-source  GET /health answers 200
#   lifdag-healthcheck [ROLE [PORT]]   (ROLE and PORT default to the main process's command line:
#                                       PID 1, or LIFDAG_HEALTH_PID)
# Only bash and lifdag are needed (bash's /dev/tcp; no curl in the image). Exit 0 healthy, 1 not.
set -uo pipefail

role=${1:-}
port=${2:-}
if [ -z "$role" ]; then
  cmd=()
  main=/proc/${LIFDAG_HEALTH_PID:-1}/cmdline
  [ -r "$main" ] && mapfile -d '' cmd <"$main"
  for ((i = 0; i < ${#cmd[@]}; i++)); do
    case "${cmd[i]}" in
      webserver | daemon | code-server | example-source) [ -n "$role" ] || role=${cmd[i]} ;;
      */code_location_entrypoint.sh) role=code-server ;;
      -p | --port) [ -n "$port" ] || port=${cmd[i + 1]:-} ;;
      --port=*) [ -n "$port" ] || port=${cmd[i]#--port=} ;;
    esac
  done
fi

# HTTP GET on 127.0.0.1; healthy when the status line says 200.
http_ok() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3 || return 1
  IFS= read -r -t "${LIFDAG_HEALTH_TIMEOUT:-5}" status <&3 || { echo "no answer from :$1$2" >&2; return 1; }
  exec 3<&-
  [[ $status =~ ^HTTP/1\.[01]\ 200 ]] && return 0
  echo "GET :$1$2: ${status%$'\r'}" >&2
  return 1
}

case "$role" in
  webserver) http_ok "${port:-3000}" /ready ;;
  example-source) http_ok "${port:-8011}" /health ;;
  code-server) exec 3<>"/dev/tcp/127.0.0.1/${port:-${LIFDAG_CODE_SERVER_PORT:-4000}}" ;;
  daemon)
    exec "${LIFDAG_BIN:-lifdag}" daemon status --host "$HOSTNAME" --max-age "${LIFDAG_HEALTH_MAX_AGE:-90}" >/dev/null
    ;;
  *)
    echo "lifdag-healthcheck: cannot tell what this container runs (main process: ${cmd[*]:-unknown});" \
      "pass the role: webserver | daemon | code-server | example-source" >&2
    exit 1
    ;;
esac
