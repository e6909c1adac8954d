#!/usr/bin/env bash
# Set up and run the whole system on embedded defaults: migrations, the generation worker, a
# maintenance worker (reaper, outbox relay: never starved by a hung job), the periodic
# scheduler (its own process, one per DATA_DIR by its pidfile) and the ASGI server
# (HTTP + websockets) on 127.0.0.1:$PORT.
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
# Each Celery process is restarted if it exits: a worker can stop on a lost broker connection
# (kombu's Redis transport fails restoring unacked messages), and jobs must not wait for a human.
supervise() {
  local child=""
  trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    "$@" &
    child=$!
    wait "$child" || true
    sleep 2
  done
}
supervise "$VENV/bin/celery" -A config worker -Q default,generation \
  --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel INFO -n "generation@%h" &
WORKER_PIDS=$!
GENERATION_WARM_ON_START=0 supervise "$VENV/bin/celery" -A config worker -Q maintenance -P solo \
  --loglevel INFO -n "maintenance@%h" &
WORKER_PIDS="$WORKER_PIDS $!"
supervise "$VENV/bin/celery" -A config beat --loglevel INFO \
  --schedule "$DATA_DIR/celerybeat-schedule" --pidfile "$DATA_DIR/celerybeat.pid" &
WORKER_PIDS="$WORKER_PIDS $!"
# shellcheck disable=SC2086 # a list of pids
trap 'kill $WORKER_PIDS 2>/dev/null; wait $WORKER_PIDS 2>/dev/null' EXIT INT TERM
exec_server() {
  "$VENV/bin/uvicorn" config.asgi:application --app-dir platform --host "$HOST" --port "$PORT" \
    --ws config.ws_protocol:PrebuiltFrameProtocol --lifespan off --no-access-log --workers "${WEB_WORKERS:-2}"
}
exec_server
