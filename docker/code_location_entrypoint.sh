#!/usr/bin/env bash
# Entrypoint of the code location image: the same contract as LIF's code_location_entrypoint.sh.
# Every ADAPTERS__*, LIF_* and USER_CODE_* variable of the container becomes an entry of
# --container-context '{"env_vars": ["NAME=value", ...]}', so the runs this code server starts
# (processes, or containers under the DockerRunLauncher) receive them. Values keep spaces,
# quotes, '=', commas, backslashes and newlines intact: each is JSON-escaped, not word-split.
set -euo pipefail

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '%s' "$s"
}

entries=()
while IFS= read -r -d '' kv; do
  case "$kv" in
    ADAPTERS__*|LIF_*|USER_CODE_*) entries+=("\"$(json_escape "$kv")\"") ;;
  esac
done < <(env -0)

context="{\"env_vars\": [$(IFS=,; printf '%s' "${entries[*]:-}")]}"
exec "${LIFDAG_BIN:-lifdag}" code-server start -p "${LIFDAG_CODE_SERVER_PORT:-4000}" -h 0.0.0.0 \
  --container-context "$context" "$@"
