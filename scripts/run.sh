#!/usr/bin/env bash
# Set up and run the whole system on embedded defaults: migrations, a Celery worker process
# (with the periodic scheduler), and the ASGI server (HTTP + websockets) on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
VENV="${CASTLINE_VENV:-.venv}"
export PYTHONPATH="platform${PYTHONPATH:+:$PYTHONPATH}"
export DATA_DIR="${DATA_DIR:-$PWD/var}"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
"$VENV/bin/python" manage.py migrate --no-input -v0
"$VENV/bin/python" manage.py castline_setup
"$VENV/bin/celery" -A config worker -B -Q default,generation --concurrency "${WORKER_CONCURRENCY:-2}" \
  --loglevel INFO --schedule "$DATA_DIR/celerybeat-schedule" &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null' EXIT INT TERM
exec_server() {
  "$VENV/bin/uvicorn" config.asgi:application --app-dir platform --host "$HOST" --port "$PORT" \
    --ws websockets-sansio --lifespan off --no-access-log --workers "${WEB_WORKERS:-2}"
}
exec_server
