#!/usr/bin/env bash
# `make run`: set up what is missing, then serve nnweb (uvicorn, HTTP + websockets) with one
# background worker at http://127.0.0.1:8000. Ctrl-C stops both.
source "$(dirname "$0")/setup.sh"

# DEBUG is off unless DEBUG=1 is given (Django's debug pages show settings to any visitor).
export DEBUG="${DEBUG:-0}"
export HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PY="$VENV/bin/python"

case "$HOST" in
  127.0.0.1|localhost|::1|"[::1]") ;;
  *)
    if [ -z "${ALLOWED_HOSTS:-}" ]; then
      say "HOST=$HOST is not a loopback address: set ALLOWED_HOSTS to the names nnweb is reached by"
      say "  e.g. HOST=$HOST ALLOWED_HOSTS=nnweb.example.org make run  (and HTTPS=1 behind TLS)"
      exit 2
    fi
    ;;
esac

ensure_requirements requirements.txt
ensure_node_modules
build_frontend

say "Migrating the database"
"$PY" manage.py migrate --noinput -v 0
case "$DEBUG" in
  0|false|False|no|off)
    say "Collecting static files (DEBUG is off)"
    "$PY" manage.py collectstatic --noinput -v 0
    ;;
esac
"$PY" manage.py demoaccounts

# The worker (manage.py worker: db_worker that rides out a busy database) runs in a loop that
# starts it again if it ever exits, and says so; TERM/INT to the loop stop the worker with it.
say "Starting one background worker (manage.py worker); it is restarted if it exits"
(
  child=""
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait 2>/dev/null; exit 0' TERM INT
  while true; do
    "$PY" manage.py worker --no-reload --queue-name '*' &
    child=$!
    rc=0
    wait "$child" || rc=$?
    say "The background worker exited (status $rc); restarting it in ${WORKER_RESTART_DELAY:-2} s"
    sleep "${WORKER_RESTART_DELAY:-2}" &
    wait $! || true
  done
) &
WORKER_PID=$!
stop_worker() {
  if kill -0 "$WORKER_PID" 2>/dev/null; then
    kill -TERM "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
  fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "nnweb is at http://$HOST:$PORT/  (Ctrl-C stops the server and the worker)"
# A socket subscribed to the Redis channel layer (a run's progress, a class student's playground) can keep
# uvicorn "waiting for background tasks" long after SIGTERM: bound the graceful shutdown.
# No permessage-deflate on websockets (NNWEB_WS_DEFLATE=true turns it back on): browsers offer
# it and uvicorn grants it by default, but with uvicorn's settings it costs ~0.30 ms of server
# CPU per traced step reply (12.1 -> 5.5 KiB), about as much as the rest of serving the step,
# and ~0.7 ms per play frame. benchmarks/playground_ws.py --clients 200 serves both ways in one
# run (0.87 ms of server CPU per step accepted, 0.53 ms declined, on a loaded machine).
# Bandwidth (~120 KiB/s per client stepping 10/s) is the cheaper resource for a class on one
# network, so the CPU is kept for the steps.
"$VENV/bin/uvicorn" nnweb.asgi:application --host "$HOST" --port "$PORT" --lifespan off \
  --ws-per-message-deflate "${NNWEB_WS_DEFLATE:-false}" \
  --timeout-graceful-shutdown 5 --log-level "${UVICORN_LOG_LEVEL:-info}" &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; stop_worker; exit 130' INT
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; stop_worker; exit 143' TERM
wait "$SERVER_PID"
