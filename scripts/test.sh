#!/usr/bin/env bash
# Set up and run the whole test suite: SQLite and a real PostgreSQL server, Redis, and headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

# A throw-away PostgreSQL cluster on a private port, owned by the postgres user, removed at exit.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDIR=$(mktemp -d /tmp/bosai-pg.XXXXXX)
PGPORT=${BOSAI_TEST_PG_PORT:-55432}
chown postgres "$PGDIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$PGBIN/initdb -D $PGDIR/data -U postgres -A trust >/dev/null"
as_pg "$PGBIN/pg_ctl -D $PGDIR/data -o '-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1' -l $PGDIR/log -w start >/dev/null"
REDIS_PORT=${BOSAI_TEST_REDIS_PORT:-56379}
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
cleanup() {
  as_pg "$PGBIN/pg_ctl -D $PGDIR/data -m fast stop >/dev/null" || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
export BOSAI_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
export BOSAI_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export BOSAI_REQUIRE_SERVERS=1   # the suite fails, rather than skips, when a server is missing

.venv/bin/ruff check .
.venv/bin/lint-imports   # the layer contracts in pyproject.toml: no stage imports the wiring
.venv/bin/python -m pytest "$@"
