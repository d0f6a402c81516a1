#!/usr/bin/env bash
# `make test`'s two passes side by side: SQLite in the foreground, PostgreSQL in the background
# with its output kept in a log and printed when both have ended. Most of a pass waits on one
# core (Python, a subprocess, the browser), so on two cores the pair takes about as long as the
# longer pass instead of their sum. Each pass gets its own pytest temporary root.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
scratch=$(mktemp -d /tmp/backbone-passes.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

bash scripts/with-postgres.sh "$BIN/pytest" -m "not browser and not spark" \
  --basetemp "$scratch/postgres" -p no:cacheprovider >"$scratch/postgres.log" 2>&1 &
postgres_pid=$!
echo "test-passes: the PostgreSQL pass runs in the background (pid $postgres_pid)"

env -u DATABASE_URL "$BIN/pytest" --basetemp "$scratch/sqlite"
sqlite_rc=$?
wait "$postgres_pid"
postgres_rc=$?

echo
echo "==================== the PostgreSQL pass ===================="
cat "$scratch/postgres.log"
echo "test-passes: SQLite pass exit $sqlite_rc, PostgreSQL pass exit $postgres_rc"
[ "$sqlite_rc" = 0 ] && [ "$postgres_rc" = 0 ]
