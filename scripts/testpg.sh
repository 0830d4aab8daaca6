#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suites (ctest fixture `postgres`).
#   testpg.sh start STATE_DIR   initdb + pg_ctl start on 127.0.0.1 and a free port (fsync=off),
#                               writes STATE_DIR/connection.env (host, port, user, password, db)
#   testpg.sh stop STATE_DIR    stops the server and removes its data
# As root, the server runs as user `postgres`. Any failure exits non-zero with the reason.
set -euo pipefail
ACTION=${1:?usage: testpg.sh start|stop STATE_DIR}
STATE=${2:?usage: testpg.sh start|stop STATE_DIR}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || { echo "testpg: no PostgreSQL server binaries (install postgresql)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  [ -f "$STATE/datadir" ] || return 0
  local data; data=$(cat "$STATE/datadir")
  if [ -d "$data" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$data/db" stop -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  rm -f "$STATE/datadir" "$STATE/connection.env"
}

case "$ACTION" in
  stop) stop; echo "testpg: stopped"; exit 0 ;;
  start) ;;
  *) echo "testpg: unknown action $ACTION" >&2; exit 2 ;;
esac

stop # a server left over from an interrupted run
DATA=$(mktemp -d /tmp/lifdag-testpg.XXXXXX)
echo "$DATA" > "$STATE/datadir"
PASSWORD=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '%s\n' "$PASSWORD" > "$DATA/pwfile"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DATA"
chmod 700 "$DATA"

if ! as_pg "$PGBIN/initdb" -D "$DATA/db" -U postgres -E UTF8 --no-locale --auth-local=trust \
      --auth-host=scram-sha-256 --pwfile="$DATA/pwfile" >"$DATA/initdb.log" 2>&1; then
  echo "testpg: initdb failed:" >&2; cat "$DATA/initdb.log" >&2; exit 1
fi
rm -f "$DATA/pwfile"

started=0
for attempt in $(seq 1 20); do
  PORT=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  if as_pg "$PGBIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -t 60 start \
       -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB" \
       >/dev/null 2>&1; then
    started=1; break
  fi
  grep -q -i "could not bind\|already in use" "$DATA/server.log" 2>/dev/null || break
done
if [ $started -ne 1 ]; then
  echo "testpg: PostgreSQL did not start:" >&2; tail -20 "$DATA/server.log" >&2 || true; exit 1
fi
as_pg "$PGBIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -qAt -c "CREATE DATABASE lifdag_test" >/dev/null

cat > "$STATE/connection.env" <<ENV
LIFDAG_TEST_PG_HOST=127.0.0.1
LIFDAG_TEST_PG_PORT=$PORT
LIFDAG_TEST_PG_USER=postgres
LIFDAG_TEST_PG_PASSWORD=$PASSWORD
LIFDAG_TEST_PG_DB=lifdag_test
ENV
echo "testpg: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data $DATA)"
