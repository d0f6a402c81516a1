#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: initdb as the `postgres` user in a
# temporary directory, listen only on a Unix socket there, export DATABASE_URL, stop and remove
# the cluster afterwards whatever the command's outcome.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: no initdb in $PG_BIN (install postgresql-15)" >&2
  exit 2
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

PGDIR=$(mktemp -d /tmp/backbone-pg.XXXXXX)
chmod 755 "$PGDIR"
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"

cleanup() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT

as_postgres "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$PGDIR/initdb.log" 2>&1 \
  || { cat "$PGDIR/initdb.log" >&2; exit 2; }
as_postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-k $PGDIR -c listen_addresses='' -c fsync=off" start >/dev/null
as_postgres "$PG_BIN/createdb" -h "$PGDIR" -U postgres backbone

export DATABASE_URL="postgres://postgres@/backbone?host=$PGDIR"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PGDIR"
"$@"
