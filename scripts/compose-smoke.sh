#!/usr/bin/env bash
# The compose smoke test (CI: ctest compose_smoke, label podman): lifdag's whole Docker Compose
# deployment on a real engine - podman's Docker API on a private socket (scripts/testpodman.sh) -
# driven by Debian's docker-compose.
#  1. builds the images with podman: lifdag-dagster and lifdag-code-location from this build's
#     `lifdag` (target prebuilt: no compile in the image), lifdag-postgres, all on the offline
#     Debian base (scripts/podman-base.sh makes it once; the engine keeps it and the layers);
#  2. brings docker/docker-compose.yml up (plus a smoke override: a stand-in query planner on the
#     host, in-process translation with the test mappings) and waits for every service's health;
#  3. launches lif_dynamic_pipeline_job over GraphQL (the Dagster client's launchPipelineExecution)
#     against the example source: SUCCESS, and the query planner got both parts' data;
#  4. switches to the DockerRunLauncher through the webserver's launcher API and runs it again in a
#     per-run container: SUCCESS;
#  5. kills a run's container mid-run: the run monitor ends the run FAILURE;
#  6. restarts the Postgres container while idle: every service serves again within 30 s;
# and tears everything down whatever happens. Prints image sizes, start-to-healthy times and
# durations; on a failure exits non-zero with the failing service's logs.
# Environment: LIFDAG_BIN (default build/bin/lifdag), LIFDAG_QUERY_PLANNER_STUB (default
# build/tests/docker/query_planner_stub), LIFDAG_SMOKE_WORKDIR (default a temporary directory),
# LIFDAG_BASE_IMAGE, DOCKER_HOST (unix://…; default: a private podman service), LIFDAG_SMOKE_KEEP
# (keep the work directory), LIFDAG_SMOKE_HOLD=SECONDS (on a failure, keep the deployment running
# that long before tearing it down).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIFDAG_BIN=${LIFDAG_BIN:-$ROOT/build/bin/lifdag}
STUB=${LIFDAG_QUERY_PLANNER_STUB:-$ROOT/build/tests/docker/query_planner_stub}
BASE_IMAGE=${LIFDAG_BASE_IMAGE:-localhost/lifdag-debian:bookworm}
PROJECT=lifdagsmoke$$ # also names the network: parallel runs on one engine stay apart
NETWORK=lifdag-smoke-$$
DAGSTER_IMAGE=localhost/lifdag-dagster:smoke
CODE_IMAGE=localhost/lifdag-code-location:smoke
POSTGRES_IMAGE=localhost/lifdag-postgres:15
SOURCE_KEY=smoke-source-key-$RANDOM$RANDOM
SERVICES=(postgres-lifdag lifdag-code-location lifdag-webserver lifdag-daemon lifdag-example-source)
T0=$(date +%s%3N)

say() { printf 'compose-smoke: %s\n' "$*"; }
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

for tool in podman docker-compose curl; do
  command -v "$tool" >/dev/null || { say "FAIL: $tool is not installed (scripts/deps.sh installs it)"; exit 1; }
done
[ -x "$LIFDAG_BIN" ] || { say "FAIL: no lifdag binary at $LIFDAG_BIN (build it, or set LIFDAG_BIN)"; exit 1; }
[ -x "$STUB" ] || { say "FAIL: no query planner stub at $STUB (build target query_planner_stub)"; exit 1; }

if [ -n "${LIFDAG_SMOKE_WORKDIR:-}" ]; then
  WORK=$LIFDAG_SMOKE_WORKDIR/$$
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d /tmp/lifdag-compose-smoke.XXXXXX)
fi
COMPOSE=(docker-compose --ansi never -p "$PROJECT" -f "$ROOT/docker/docker-compose.yml" -f "$WORK/compose.smoke.yml")
OWN_ENGINE=0
PIDS=()

# --- tear-down, always ---------------------------------------------------------------------------
cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  if [ -n "${DOCKER_HOST:-}" ] && [ -f "$WORK/compose.smoke.yml" ]; then
    # Per-run containers are the daemon's, not compose's: remove them before the network goes.
    podman ps -aq --filter "network=$NETWORK" | xargs -r podman rm -f >/dev/null 2>&1
    "${COMPOSE[@]}" down -v --remove-orphans -t 5 >"$WORK/down.log" 2>&1 || cat "$WORK/down.log"
    podman network rm -f "$NETWORK" >/dev/null 2>&1
  fi
  [ $OWN_ENGINE -eq 0 ] || "$ROOT/scripts/testpodman.sh" stop "$WORK/engine" >/dev/null
  if [ $rc -eq 0 ] && [ -z "${LIFDAG_SMOKE_KEEP:-}" ]; then rm -rf "$WORK"; fi
  say "$([ $rc -eq 0 ] && echo PASS || echo "FAIL (exit $rc; files in $WORK)") after $(secs $(($(now_ms) - T0)))"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The container of a compose service (podman's CLI: fast enough to call every second).
container_of() {
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" 2>/dev/null | head -1
}

# A failure: the reason, every container's state, and the logs of the services named.
fail() {
  local reason=$1
  shift
  say "FAIL: $reason"
  podman ps -a --filter "network=$NETWORK" --format '  {{.Names}}  {{.Status}}' 2>/dev/null
  local services=("$@")
  [ ${#services[@]} -gt 0 ] || services=("${SERVICES[@]}")
  for s in "${services[@]}"; do
    echo "----- logs of $s (last 60 lines)"
    "${COMPOSE[@]}" logs --no-color --tail=60 "$s" 2>&1 | tail -60
  done
  if [ -n "${LIFDAG_SMOKE_HOLD:-}" ]; then # debugging: look at the deployment before it goes
    say "holding the deployment for $LIFDAG_SMOKE_HOLD s (DOCKER_HOST=$DOCKER_HOST, project $PROJECT)"
    sleep "$LIFDAG_SMOKE_HOLD" &
    wait $! || true
  fi
  exit 1
}

# --- 1. engine, base image, images -----------------------------------------------------------------
if [ -z "${DOCKER_HOST:-}" ]; then
  "$ROOT/scripts/testpodman.sh" start "$WORK/engine" >"$WORK/engine.log" 2>&1 || { cat "$WORK/engine.log"; exit 1; }
  OWN_ENGINE=1
  if grep -q '^LIFDAG_TEST_PODMAN_SKIP=' "$WORK/engine/podman.env"; then
    echo "SKIP   : $(sed -n 's/^LIFDAG_TEST_PODMAN_SKIP=//p' "$WORK/engine/podman.env")"
    exit 0
  fi
  SOCKET=$WORK/engine/podman.sock
  # Like a docker group: the containers' unprivileged user reaches the socket through DOCKER_GID.
  chgrp 2375 "$SOCKET"
  chmod 660 "$SOCKET"
  export DOCKER_HOST=unix://$SOCKET
else
  SOCKET=${DOCKER_HOST#unix://}
  [ -S "$SOCKET" ] || { say "FAIL: DOCKER_HOST=$DOCKER_HOST is not a Unix socket"; exit 1; }
fi
DOCKER_GID=$(stat -c %g "$SOCKET")
export DOCKER_SOCKET=$SOCKET DOCKER_GID

t=$(now_ms)
"$ROOT/scripts/podman-base.sh" "$BASE_IMAGE" || { say "FAIL: the base image $BASE_IMAGE"; exit 1; }
BASE_MS=$(($(now_ms) - t))

mkdir -p "$WORK/context"
cp -a "$ROOT/docker" "$WORK/context/"
strip -o "$WORK/context/lifdag" "$LIFDAG_BIN" 2>/dev/null || cp "$LIFDAG_BIN" "$WORK/context/lifdag"
declare -A BUILD_MS
build() { # NAME TAG podman-build-args...
  local name=$1 tag=$2 t
  shift 2
  t=$(now_ms)
  if ! podman build --format docker --layers --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$tag" "$@" \
    >"$WORK/build-$name.log" 2>&1; then
    tail -40 "$WORK/build-$name.log"
    say "FAIL: building $tag"
    exit 1
  fi
  BUILD_MS[$name]=$(($(now_ms) - t))
}
build dagster "$DAGSTER_IMAGE" -f "$WORK/context/docker/Dockerfile.dagster" --target prebuilt \
  --build-arg LIFDAG_BINARY=lifdag "$WORK/context"
build code-location "$CODE_IMAGE" -f "$WORK/context/docker/Dockerfile.code_location" --target prebuilt \
  --build-arg LIFDAG_BINARY=lifdag "$WORK/context"
build postgres "$POSTGRES_IMAGE" -f "$WORK/context/docker/Dockerfile.postgres" "$WORK/context/docker"
image_mb() { podman image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'; }
for i in "$DAGSTER_IMAGE" "$CODE_IMAGE" "$POSTGRES_IMAGE"; do
  bytes=$(podman image inspect -f '{{.Size}}' "$i")
  [ "$bytes" -lt 150000000 ] || { say "FAIL: $i is $(image_mb "$i"), over 150 MB"; exit 1; }
done
say "images built: dagster $(secs "${BUILD_MS[dagster]}"), code location $(secs "${BUILD_MS[code-location]}"), postgres $(secs "${BUILD_MS[postgres]}") (base image $(secs $BASE_MS))"

# --- 2. the deployment --------------------------------------------------------------------------------
"$STUB" --out "$WORK/results.jsonl" >"$WORK/planner.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  PLANNER_PORT=$(sed -n 's/.*listening on http:[^:]*:\([0-9]*\).*/\1/p' "$WORK/planner.log")
  [ -z "$PLANNER_PORT" ] || break
  sleep 0.1
done
[ -n "$PLANNER_PORT" ] || { cat "$WORK/planner.log"; say "FAIL: the query planner stub did not start"; exit 1; }
# The test's MDR mappings, readable by the containers' user.
cp -a "$ROOT/tests/lifjob/data/mappings" "$WORK/mappings"
chmod -R a+rX "$WORK/mappings"

# Published ports come from below the kernel's ephemeral range: the tests running beside this one
# (ctest -j) bind port 0 and make outgoing connections there, so a port from that range that is free
# now may be taken by the time the engine binds it (CI saw "bind: address already in use").
EPHEMERAL_LOW=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$EPHEMERAL_LOW" -gt 12000 ] || EPHEMERAL_LOW=32768
free_port() { # a port on 127.0.0.1 no socket uses and nothing answers on
  local p
  while true; do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    if command -v ss >/dev/null && [ -n "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then continue; fi
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
WEB_PORT=$(free_port)
SOURCE_PORT=$(free_port)
export LIFDAG_BUILD_TARGET=prebuilt LIFDAG_BASE_IMAGE=$BASE_IMAGE LIFDAG_DAGSTER_IMAGE=$DAGSTER_IMAGE \
  LIFDAG_CODE_LOCATION_IMAGE=$CODE_IMAGE LIFDAG_POSTGRES_IMAGE=$POSTGRES_IMAGE LIFDAG_NETWORK=$NETWORK \
  LIFDAG_PUBLISH_ADDRESS=127.0.0.1 LIFDAG_WEBSERVER_PORT=$WEB_PORT LIFDAG_EXAMPLE_SOURCE_PORT=$SOURCE_PORT \
  LIF_EXAMPLE_SOURCE_KEY=$SOURCE_KEY DAGSTER_POSTGRES_PASSWORD=smoke-pg-$RANDOM$RANDOM
cat >"$WORK/compose.smoke.yml" <<YAML
# The smoke test's additions: LIF's query planner stands in on the host; translation in process
# with the test mappings (no MDR or translator service here); org2's LIF GraphQL source is the
# example source's.
version: "3.8"
services:
  lifdag-code-location:
    environment:
      LIF_QUERY_PLANNER_RESULTS_BASE_URL: http://host.containers.internal:$PLANNER_PORT
      LIF_TRANSLATOR_BASE_URL: ""
      LIF_TRANSLATOR_MAPPINGS_DIR: /opt/lifdag/mappings
      ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__HOST: lifdag-example-source:8011
      ADAPTERS__LIF_TO_LIF__ORG2__CREDENTIALS__TOKEN: $SOURCE_KEY
    volumes:
      - $WORK/mappings:/opt/lifdag/mappings:ro
YAML
"${COMPOSE[@]}" config -q || { say "FAIL: docker-compose config"; exit 1; }

# podman runs HEALTHCHECKs from systemd timers, which this machine does not have: this loop is the
# engine's scheduler (every second), so compose's service_healthy conditions and `ps` see them.
# It notes when each service first passes.
health_loop() {
  declare -A seen
  local c s healthy=0
  while true; do
    while read -r c s; do
      if podman healthcheck run "$c" </dev/null >/dev/null 2>&1 && [ -z "${seen[$s]:-}" ]; then
        seen[$s]=1
        healthy=$((healthy + 1))
        echo "$s $(now_ms)" >>"$WORK/healthy.log"
      fi
    done < <(podman ps --filter "label=com.docker.compose.project=$PROJECT" \
      --format '{{.ID}} {{index .Labels "com.docker.compose.service"}}' 2>/dev/null)
    # Every second until all are up (start-up is measured on it), then as an engine would.
    [ $healthy -lt ${#SERVICES[@]} ] && sleep 1 || sleep 5
  done
}
: >"$WORK/healthy.log"
health_loop &
HEALTH_PID=$!
PIDS+=($HEALTH_PID)

t=$(now_ms)
for attempt in 1 2 3; do
  # In the background, so that a signal is handled at once (bash runs traps between commands).
  "${COMPOSE[@]}" up -d --no-build >"$WORK/up.log" 2>&1 &
  UP_PID=$!
  PIDS+=($UP_PID)
  for _ in $(seq 1 180); do kill -0 $UP_PID 2>/dev/null || break; sleep 1; done
  kill -0 $UP_PID 2>/dev/null && { cat "$WORK/up.log"; fail "docker-compose up did not finish within 180 s"; }
  wait $UP_PID && break
  cat "$WORK/up.log"
  # A published port taken between the choice and the bind is the host's doing, not lifdag's: the
  # services on the taken ports are created again on new ones.
  if [ $attempt -lt 3 ] && grep -q 'address already in use' "$WORK/up.log"; then
    WEB_PORT=$(free_port)
    SOURCE_PORT=$(free_port)
    export LIFDAG_WEBSERVER_PORT=$WEB_PORT LIFDAG_EXAMPLE_SOURCE_PORT=$SOURCE_PORT
    say "a published port was taken meanwhile; again with $WEB_PORT and $SOURCE_PORT"
    continue
  fi
  fail "docker-compose up failed"
done
for s in "${SERVICES[@]}"; do
  for _ in $(seq 1 120); do grep -q "^$s " "$WORK/healthy.log" && break; sleep 1; done
  grep -q "^$s " "$WORK/healthy.log" || fail "$s did not become healthy within 120 s" "$s"
done
UP_MS=$(($(now_ms) - t))
declare -A HEALTHY_MS
for s in "${SERVICES[@]}"; do
  started=$(date -d "$(podman inspect -f '{{.State.StartedAt}}' "$(container_of "$s")" | sed 's/ [A-Z]*$//')" +%s%3N)
  HEALTHY_MS[$s]=$(($(awk -v s="$s" '$1 == s { print $2 }' "$WORK/healthy.log") - started))
done
say "all services healthy $(secs $UP_MS) after docker-compose up"
WEB=http://127.0.0.1:$WEB_PORT

# The services reach each other by name. Health checks use 127.0.0.1, so this is checked apart:
# podman's aardvark-dns has been seen to leave names on a new network unanswered for tens of
# seconds (while another network came and went), which no lifdag timeout is meant to absorb.
reaches() { # SERVICE HOST PORT: a TCP connection by name from inside SERVICE's container
  podman exec "$(container_of "$1")" bash -c "exec 3<>/dev/tcp/$2/$3" </dev/null >/dev/null 2>&1
}
t=$(now_ms)
until reaches lifdag-daemon lifdag-code-location 4000 && reaches lifdag-daemon postgres-lifdag 5432 &&
  reaches lifdag-code-location postgres-lifdag 5432 && reaches lifdag-code-location lifdag-example-source 8011; do
  [ $(($(now_ms) - t)) -lt 90000 ] || fail "service names do not resolve on network $NETWORK within 90 s (the engine's DNS)" lifdag-daemon lifdag-code-location
  sleep 1
done
DNS_MS=$(($(now_ms) - t))

# --- GraphQL, as Dagster's Python client speaks it ---------------------------------------------------
json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}
# JSONata over JSON on stdin, with lifdag's own evaluator: the result as compact JSON.
jsonata() {
  printf '{"id":1,"expr":%s,"input":%s}\n' "$(json_string "$1")" "$(cat)" | "$LIFDAG_BIN" jsonata --log-level error |
    sed -n 's/^{"id":1,"result":\(.*\)}$/\1/p'
}
graphql() { # QUERY VARIABLES-JSON → the response
  curl -sS --max-time 30 -X POST "$WEB/graphql" -H 'Content-Type: application/json' \
    -d "{\"query\":$(json_string "$1"),\"variables\":$2}"
}
LAUNCH='mutation($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on LaunchPipelineRunSuccess { run { runId } }
    ... on PipelineConfigValidationInvalid { errors { message path reason } }
    ... on PipelineNotFoundError { message }
    ... on PythonError { message }
  }
}'
STATUS='query($runId: ID!) { pipelineRunOrError(runId: $runId) { __typename ... on PipelineRun { status } } }'
REPOS='{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }'

repo=$(graphql "$REPOS" '{}')
REPOSITORY=$(jsonata 'data.repositoriesOrError.nodes[0].name' <<<"$repo" | tr -d '"')
LOCATION=$(jsonata 'data.repositoriesOrError.nodes[0].location.name' <<<"$repo" | tr -d '"')
[ -n "$REPOSITORY" ] && [ -n "$LOCATION" ] || fail "no repository over GraphQL: $repo" lifdag-webserver

try_launch() { # JOB RUN-CONFIG-JSON → RUN_ID (LAUNCHED: the response), or false
  local params
  params="{\"executionParams\":{\"selector\":{\"repositoryLocationName\":\"$LOCATION\",\"repositoryName\":\"$REPOSITORY\",\"pipelineName\":\"$1\",\"solidSelection\":null},\"runConfigData\":$2,\"mode\":\"default\",\"executionMetadata\":{\"tags\":[{\"key\":\"smoke\",\"value\":\"$PROJECT\"}]}}}"
  LAUNCHED=$(graphql "$LAUNCH" "$params" 2>&1) || true
  RUN_ID=$(jsonata 'data.launchPipelineExecution.run.runId' <<<"$LAUNCHED" | tr -d '"')
  [ -n "$RUN_ID" ]
}
launch() { try_launch "$@" || fail "launching $1: $LAUNCHED" lifdag-webserver lifdag-code-location; }
run_status() {
  graphql "$STATUS" "{\"runId\":\"$1\"}" | jsonata 'data.pipelineRunOrError.status' | tr -d '"'
}
wait_status() { # RUN-ID TIMEOUT-S STATUS... → the status it ended in (one of those, or the last seen)
  local id=$1 timeout=$2 s i
  shift 2
  for ((i = 0; i < timeout * 4; i++)); do
    s=$(run_status "$id")
    for want in "$@"; do [ "$s" != "$want" ] || { echo "$s"; return 0; }; done
    case "$s" in SUCCESS | FAILURE | CANCELED) echo "$s"; return 0 ;; esac
    sleep 0.25
  done
  echo "${s:-unknown}"
}
run_events() { curl -sS --max-time 30 "$WEB/api/v1/runs/$1/events?limit=1000"; }

LIF_CONFIG=$(cat <<'JSON'
{"resources":{"config_resource":{"config":{"lif_query_plan_parts":[
 {"information_source_id":"org1-example-data-source","adapter_id":"example-data-source-rest-api-to-lif",
  "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
  "lif_fragment_paths":["Person.EmploymentPreferences"],
  "translation":{"source_schema_id":"26","target_schema_id":"17"}},
 {"information_source_id":"org2","adapter_id":"lif-to-lif",
  "person_id":{"identifier":"100001","identifierType":"School-assigned number"},
  "lif_fragment_paths":["Person.Name","Person.Contact"]}]}}}}
JSON
)
# The LIF job's run (RUN_ID): SUCCESS, and the query planner got both parts with data.
lif_run() { # LABEL
  local t id status doc
  t=$(now_ms)
  launch lif_dynamic_pipeline_job "$LIF_CONFIG"
  id=$RUN_ID
  status=$(wait_status "$id" 120 SUCCESS)
  LIF_MS[$1]=$(($(now_ms) - t))
  [ "$status" = SUCCESS ] || fail "$1: lif_dynamic_pipeline_job run $id ended $status: $(run_events "$id" | tail -c 3000)" \
    lifdag-daemon lifdag-code-location
  doc=$(grep -F "\"run_id\":\"$id\"" "$WORK/results.jsonl" | tail -1)
  [ -n "$doc" ] || fail "$1: the query planner received no results for run $id" lifdag-code-location
  [ "$(jsonata '$count(query_plan_part_results[$count(fragments) > 0 and error = null])' <<<"$doc")" = 2 ] ||
    fail "$1: results of run $id lack a part's data: $doc" lifdag-code-location
}
declare -A LIF_MS

# --- 3. DefaultRunLauncher -----------------------------------------------------------------------------
lif_run default
DEFAULT_RUN=$RUN_ID
say "lif_dynamic_pipeline_job SUCCESS under the DefaultRunLauncher in $(secs "${LIF_MS[default]}") (run $DEFAULT_RUN)"

# --- 4. DockerRunLauncher, switched through the API ---------------------------------------------------
switch=$(curl -sS --max-time 30 -X PUT "$WEB/api/v1/instance/launcher" -H 'Content-Type: application/json' -d @- <<JSON
{"run_launcher":{"module":"dagster_docker","class":"DockerRunLauncher","config":{
  "network":"$NETWORK",
  "env_vars":["DAGSTER_POSTGRES_USER","DAGSTER_POSTGRES_PASSWORD","DAGSTER_POSTGRES_DB"],
  "container_kwargs":{"entrypoint":"","volumes":["$WORK/mappings:/opt/lifdag/mappings:ro"]}}}}
JSON
) || fail "PUT /api/v1/instance/launcher" lifdag-webserver
grep -q 'DockerRunLauncher' <<<"$switch" || fail "switching to the DockerRunLauncher: $switch" lifdag-webserver
lif_run docker
DOCKER_RUN=$RUN_ID
run_events "$DOCKER_RUN" | grep -q "Started container lifdag-run-$DOCKER_RUN" ||
  fail "run $DOCKER_RUN did not run in its own container: $(run_events "$DOCKER_RUN" | tail -c 2000)" lifdag-daemon
say "lif_dynamic_pipeline_job SUCCESS in its own container (DockerRunLauncher) in $(secs "${LIF_MS[docker]}") (run $DOCKER_RUN)"

# --- 5. a run's container killed mid-run → FAILURE ---------------------------------------------------
launch fanout_job '{"ops":{"fan_out":{"config":{"count":2,"sleep_ms":120000}}}}'
SLOW=$RUN_ID
for _ in $(seq 1 240); do
  run_events "$SLOW" | grep -q '"STEP_START"' && break
  sleep 0.25
done
run_events "$SLOW" | grep -q '"STEP_START"' ||
  fail "run $SLOW never started a step: $(run_events "$SLOW" | tail -c 2000)" lifdag-daemon lifdag-code-location
t=$(now_ms)
podman kill "lifdag-run-$SLOW" >/dev/null || fail "killing container lifdag-run-$SLOW" lifdag-daemon
status=$(wait_status "$SLOW" 90 FAILURE)
KILL_MS=$(($(now_ms) - t))
[ "$status" = FAILURE ] || fail "run $SLOW ended $status after its container was killed (expected FAILURE)" lifdag-daemon
run_events "$SLOW" | grep -q 'exited unexpectedly' ||
  fail "run $SLOW failed without naming its dead worker: $(run_events "$SLOW" | tail -c 2000)" lifdag-daemon
say "killed container: run FAILURE after $(secs $KILL_MS) (run monitoring)"

# --- 6. Postgres restarted while idle → every service serves again within 30 s -----------------------
# Serving: the webserver ready (database and code location), the example source answering, the
# daemon launching a new run that reaches SUCCESS, and every service's health check passing.
kill "$HEALTH_PID" 2>/dev/null && { wait "$HEALTH_PID" 2>/dev/null || true; } # the checks are run here now
sleep 2
t=$(now_ms)
podman restart -t 10 "$(container_of postgres-lifdag)" >/dev/null || fail "restarting Postgres" postgres-lifdag
RECOVERED_RUN=""
unhealthy=("${SERVICES[@]}")
while [ $(($(now_ms) - t)) -lt 30000 ]; do
  if curl -fsS --max-time 2 "$WEB/ready" >/dev/null 2>&1 &&
    curl -fsS --max-time 2 "http://127.0.0.1:$SOURCE_PORT/health" >/dev/null 2>&1; then
    [ -n "$RECOVERED_RUN" ] || { try_launch hello_job '{}' && RECOVERED_RUN=$RUN_ID; }
    if [ -n "$RECOVERED_RUN" ] && [ "$(run_status "$RECOVERED_RUN")" = SUCCESS ]; then
      still=()
      for s in "${unhealthy[@]}"; do
        podman healthcheck run "$(container_of "$s")" </dev/null >/dev/null 2>&1 || still+=("$s")
      done
      unhealthy=("${still[@]}")
      [ ${#unhealthy[@]} -gt 0 ] || break
    fi
  fi
  sleep 0.5
done
RESTART_MS=$(($(now_ms) - t))
[ -n "$RECOVERED_RUN" ] && [ "$(run_status "$RECOVERED_RUN")" = SUCCESS ] ||
  fail "services did not serve again within 30 s of the Postgres restart (run ${RECOVERED_RUN:-none}: $(run_status "${RECOVERED_RUN:-x}"))" \
    postgres-lifdag lifdag-webserver lifdag-daemon lifdag-code-location
[ ${#unhealthy[@]} -eq 0 ] || fail "unhealthy 30 s after the Postgres restart: ${unhealthy[*]}" "${unhealthy[@]}"
say "Postgres restarted: every service serving and healthy again after $(secs $RESTART_MS) (new run $RECOVERED_RUN SUCCESS)"

# --- figures -----------------------------------------------------------------------------------------
say "figures:"
printf '  image %-42s %s\n' "$DAGSTER_IMAGE" "$(image_mb "$DAGSTER_IMAGE")" "$CODE_IMAGE" "$(image_mb "$CODE_IMAGE")" \
  "$POSTGRES_IMAGE" "$(image_mb "$POSTGRES_IMAGE")"
for s in "${SERVICES[@]}"; do
  printf '  cold start to healthy: %-25s %s\n' "$s" "$(secs "${HEALTHY_MS[$s]}")"
done
printf '  %-48s %s\n' "compose up to all healthy" "$(secs $UP_MS)" \
  "then until service names resolve on the network" "$(secs $DNS_MS)" \
  "LIF job, DefaultRunLauncher (launch to SUCCESS)" "$(secs "${LIF_MS[default]}")" \
  "LIF job, DockerRunLauncher (launch to SUCCESS)" "$(secs "${LIF_MS[docker]}")" \
  "killed container to run FAILURE" "$(secs $KILL_MS)" \
  "Postgres restart to all serving" "$(secs $RESTART_MS)" \
  "smoke test so far" "$(secs $(($(now_ms) - T0)))"
