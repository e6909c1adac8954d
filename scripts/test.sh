#!/usr/bin/env bash
# Set up and run the tests: the fast tier (SQLite, in-process broker and channel layer), then
# the integration tier against real Postgres and Redis with a real worker and ASGI server.
# The integration tier skips with a reason where those services are missing, unless
# CASTLINE_REQUIRE_INTEGRATION=1 (CI), which turns a skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
VENV="${CASTLINE_VENV:-.venv}"
"$VENV/bin/python" -m pytest -m "not integration" -q "$@"
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/castline}" \
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" \
  "$VENV/bin/python" -m pytest -m integration -q "$@"
# The feed's SQL differs by database (Postgres: one index range per followee, UNION ALL
# candidate sources, row locks), and so does how events are stored (Postgres: in the step just
# before COMMIT, events/ordering.py): their fast tests run on Postgres too, where it answers.
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/castline}"
if "$VENV/bin/python" - "$PG_URL" <<'PY' 2>/dev/null
import sys, urllib.parse, psycopg
server = urllib.parse.urlsplit(sys.argv[1])._replace(path="/postgres").geturl()
psycopg.connect(server, connect_timeout=3).close()
PY
then
  DATABASE_URL="$PG_URL" "$VENV/bin/python" -m pytest feed platform/events -m "not integration" \
    -q "$@"
elif [ "${CASTLINE_REQUIRE_INTEGRATION:-}" = "1" ]; then
  echo "Postgres unreachable at $PG_URL, and CASTLINE_REQUIRE_INTEGRATION=1" >&2
  exit 1
else
  echo "feed and events tests on Postgres skipped: Postgres unreachable at $PG_URL"
fi
