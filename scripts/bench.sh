#!/usr/bin/env bash
# Runs a bench program against a throwaway PostgreSQL server (started and stopped here).
#   scripts/bench.sh storage_bench [--runs 1000000]
#   scripts/bench.sh launch_bench [--runs 200]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${1:?usage: scripts/bench.sh BENCH_PROGRAM [args]}; shift
BUILD_DIR=${BUILD_DIR:-build}
STATE=$(mktemp -d)
trap 'scripts/testpg.sh stop "$STATE" >/dev/null; rm -rf "$STATE"' EXIT
scripts/testpg.sh start "$STATE" >/dev/null
# shellcheck disable=SC1091
source "$STATE/connection.env"
export LIFDAG_BENCH_PG_HOST=$LIFDAG_TEST_PG_HOST LIFDAG_BENCH_PG_PORT=$LIFDAG_TEST_PG_PORT \
       LIFDAG_BENCH_PG_USER=$LIFDAG_TEST_PG_USER LIFDAG_BENCH_PG_PASSWORD=$LIFDAG_TEST_PG_PASSWORD \
       LIFDAG_BENCH_PG_DB=$LIFDAG_TEST_PG_DB
"$BUILD_DIR/bench/$BENCH" "$@"
