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
