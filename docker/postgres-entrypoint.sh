#!/usr/bin/env bash
# Entrypoint of docker/Dockerfile.postgres, with the environment contract of the official postgres
# image, so the compose file works with either: on an empty $PGDATA, initdb creates the superuser
# POSTGRES_USER (default postgres) with POSTGRES_PASSWORD (scram-sha-256 for network clients) and
# the database POSTGRES_DB (default: the user's name); then the server runs in the foreground
# listening on every address. Started as root, it fixes the ownership of $PGDATA (a fresh volume or
# bind mount) and drops to the postgres user.
set -euo pipefail
PGBIN=$(echo /usr/lib/postgresql/*/bin)
export PATH="$PGBIN:$PATH"
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$EUID" -eq 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  # The password reaches initdb through a pipe, never a file or the command line.
  initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") --encoding=UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >/dev/null
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server, no socket needed. Identifiers quoted as SQL wants them.
    printf 'CREATE DATABASE "%s"\n' "${db//\"/\"\"}" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres-entrypoint: initialized $PGDATA (user $user, database $db)"
fi
exec postgres -D "$PGDATA" "$@"
