# Functions for scripts/milvus-lite.sh (kept apart from the engine choice). Source, do not run.
# shellcheck source=ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
# Callers set: SERVER_NAME (for messages), PROJECT_ROOT, DATA_DIR_PREFIX, VENV, LAUNCH_CMD (an
# array; LAUNCH_DIR optional) before run_command, and define server_is_ready().

MILVUS_PORT=19530
MILVUS_DATA_DIR=""
MILVUS_START_TIMEOUT_S="${MILVUS_START_TIMEOUT_S:-120}"
MILVUS_STOP_TIMEOUT_S="${MILVUS_STOP_TIMEOUT_S:-20}"

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# Parses "start|stop|status [--port P] [--data-dir D]" into COMMAND, MILVUS_PORT, MILVUS_DATA_DIR.
parse_args() {
  [[ $# -ge 1 ]] || die "usage: $(basename "$0") start|stop|status|install [--port P] [--data-dir D]"
  COMMAND="$1"
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port)
        [[ $# -ge 2 ]] || die "--port needs a value"
        MILVUS_PORT="$2"
        shift 2
        ;;
      --data-dir)
        [[ $# -ge 2 ]] || die "--data-dir needs a value"
        MILVUS_DATA_DIR="$2"
        shift 2
        ;;
      *) die "unknown argument '$1'; expected --port P or --data-dir D" ;;
    esac
  done
  [[ "$MILVUS_PORT" =~ ^[0-9]+$ ]] && ((MILVUS_PORT >= 1 && MILVUS_PORT <= 65535)) \
    || die "--port '$MILVUS_PORT' is not a TCP port (1-65535)"
  [[ "$COMMAND" == install ]] && return 0 # no server, so no data dir
  if [[ -z "$MILVUS_DATA_DIR" ]]; then
    MILVUS_DATA_DIR="$PROJECT_ROOT/.milvus/${DATA_DIR_PREFIX}-${MILVUS_PORT}"
  fi
  mkdir -p "$MILVUS_DATA_DIR"
  MILVUS_DATA_DIR="$(cd "$MILVUS_DATA_DIR" && pwd)"
  PID_FILE="$MILVUS_DATA_DIR/server.pid"
  LOG_FILE="$MILVUS_DATA_DIR/server.log"
}

# Creates the venv from a requirements file unless it has $3 (a path inside it, globs allowed) and
# was built from the same requirements (a copy is kept in it); a venv built from other requirements
# is deleted and built again, so editing a requirements file is enough to change what runs.
ensure_venv() {
  local venv="$1" requirements="$2" marker="$3"
  local stamp="$venv/.requirements.txt"
  # shellcheck disable=SC2086 # $marker may be a glob
  if compgen -G "$venv/$marker" >/dev/null && cmp -s "$requirements" "$stamp"; then
    return
  fi
  if [[ -e "$venv" ]]; then
    echo "Rebuilding $venv: it was not built from the current $requirements" >&2
    rm -rf "$venv"
  fi
  echo "Creating $venv from $requirements ..." >&2
  python3 -m venv "$venv" || die "cannot create venv $venv; install python3-venv (Python >= 3.10)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" \
    || die "pip install -r $requirements failed; fix the error above, then delete $venv and retry"
  cp "$requirements" "$stamp"
}

# The PID recorded by start, if that process is still alive.
running_pid() {
  live_pid "$PID_FILE"
}

port_answers() {
  python3 - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

show_log_tail() {
  echo "--- last 30 lines of $LOG_FILE ---" >&2
  tail -n 30 "$LOG_FILE" >&2 || true
}

# Starts server_launch_cmd in its own session (so stop can kill the whole process group),
# then waits until server_is_ready (defined by the caller) or the process dies or times out.
start_server() {
  local pid
  if pid="$(running_pid)"; then
    echo "$SERVER_NAME already running (pid $pid) on 127.0.0.1:$MILVUS_PORT, data dir $MILVUS_DATA_DIR"
    return 0
  fi
  port_is_free "$MILVUS_PORT" || die "port $MILVUS_PORT on 127.0.0.1 is already in use (see: ss -ltnp 'sport = :$MILVUS_PORT'); stop that process or pass --port with a free port"
  rm -f "$PID_FILE"
  : >"$LOG_FILE"
  # LAUNCH_DIR: the server's working directory (default: the caller's).
  (cd "${LAUNCH_DIR:-.}" && exec setsid "${LAUNCH_CMD[@]}") >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + MILVUS_START_TIMEOUT_S))
  until server_is_ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail
      die "$SERVER_NAME exited during startup; see the log above ($LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail
      stop_server >/dev/null
      die "$SERVER_NAME did not answer on 127.0.0.1:$MILVUS_PORT within ${MILVUS_START_TIMEOUT_S}s (set MILVUS_START_TIMEOUT_S to wait longer); stopped it"
    fi
    sleep 0.2
  done
  echo "$SERVER_NAME running (pid $pid) on 127.0.0.1:$MILVUS_PORT, data dir $MILVUS_DATA_DIR, log $LOG_FILE"
}

# Idempotent: no PID file or a dead PID is success.
stop_server() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "$SERVER_NAME not running (data dir $MILVUS_DATA_DIR)"
    return 0
  fi
  # setsid made pid the process-group leader; signal the group so child processes go too.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + MILVUS_STOP_TIMEOUT_S))
  # Wait for the whole group: a wrapper (Milvus Lite 3's entry point) may exit before a process it
  # started has released the port, and a restart would then fail to bind it.
  while kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "$SERVER_NAME (pid $pid) ignored SIGTERM for ${MILVUS_STOP_TIMEOUT_S}s; sending SIGKILL" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  echo "$SERVER_NAME stopped (pid $pid)"
}

status_server() {
  local pid
  if pid="$(running_pid)"; then
    echo "$SERVER_NAME running (pid $pid) on 127.0.0.1:$MILVUS_PORT, data dir $MILVUS_DATA_DIR"
    return 0
  fi
  echo "$SERVER_NAME not running (data dir $MILVUS_DATA_DIR)"
  return 1
}

run_command() {
  case "$COMMAND" in
    start) start_server ;;
    stop) stop_server ;;
    status) status_server ;;
    install) echo "$SERVER_NAME is installed in $VENV" ;;
    *) die "unknown command '$COMMAND'; expected start, stop, status or install" ;;
  esac
}
