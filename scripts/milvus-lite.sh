#!/usr/bin/env bash
# Runs a Milvus Lite gRPC server on 127.0.0.1, without Docker.
# Usage: scripts/milvus-lite.sh start|stop|status|install [--port P] [--data-dir D] [--engine E]
#   defaults: port 19530, data dir .milvus/lite-<port> under the project root.
#   --engine (or the environment variable MILVUS_LITE_ENGINE) picks the server:
#     2.5  (default) Milvus Lite 2.5.1: the real Milvus C++ engine (segcore + knowhere) as one
#          binary, data in one SQLite file D/data/milvus.db; venv .venv/milvus from
#          scripts/requirements-milvus.txt. Index types FLAT, IVF_FLAT, AUTOINDEX.
#     3    Milvus Lite 3.2.2, the pure-Python re-implementation (slow searches: seconds at
#          10,000 rows); venv .venv/milvus-lite3 from scripts/lib/requirements-milvus-lite3.txt.
#   A venv is created on first start or install, and again whenever its requirements file changes.
#   A data dir belongs to the engine that created it; the other one refuses it.
#   stop and status work on whichever engine the PID file in the data dir names.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$SCRIPT_DIR")"
DATA_DIR_PREFIX="lite"
# shellcheck source=lib/milvus-common.sh
source "$SCRIPT_DIR/lib/milvus-common.sh"

ENGINE="${MILVUS_LITE_ENGINE:-2.5}"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --engine)
      [[ $# -ge 2 ]] || die "--engine needs a value: 2.5 or 3"
      ENGINE="$2"
      shift 2
      ;;
    *)
      args+=("$1")
      shift
      ;;
  esac
done
case "$ENGINE" in
  2.5 | 2.5.1)
    ENGINE=2.5
    SERVER_NAME="Milvus Lite 2.5"
    VENV="$PROJECT_ROOT/.venv/milvus"
    REQUIREMENTS="$SCRIPT_DIR/requirements-milvus.txt"
    ;;
  3 | 3.2 | 3.2.2)
    ENGINE=3
    SERVER_NAME="Milvus Lite 3"
    VENV="$PROJECT_ROOT/.venv/milvus-lite3"
    REQUIREMENTS="$SCRIPT_DIR/lib/requirements-milvus-lite3.txt"
    ;;
  *) die "unknown engine '$ENGINE' (--engine or MILVUS_LITE_ENGINE); expected 2.5 (default) or 3" ;;
esac

# The Milvus Lite 2.5 wheel's server binary and its shared libraries.
lite25_lib_dir() {
  local dir
  for dir in "$VENV"/lib/python3*/site-packages/milvus_lite/lib; do
    if [[ -x "$dir/milvus" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Which engine wrote a data dir: 2.5 keeps one SQLite file, 3 a directory tree. Empty if none.
data_dir_engine() {
  if [[ -f "$1/data/milvus.db" ]]; then
    echo 2.5
  elif [[ -d "$1/data" ]] && [[ -n "$(ls -A "$1/data")" ]]; then
    echo 3
  fi
}

server_is_ready() {
  port_answers "$MILVUS_PORT"
}

parse_args ${args[@]+"${args[@]}"}
if [[ "$COMMAND" == start || "$COMMAND" == install ]]; then
  if [[ "$ENGINE" == 2.5 ]]; then
    ensure_venv "$VENV" "$REQUIREMENTS" lib/python3*/site-packages/milvus_lite/lib/milvus
    LIB_DIR="$(lite25_lib_dir)" \
      || die "$VENV has no milvus_lite/lib/milvus; delete $VENV and retry (it is rebuilt from $REQUIREMENTS)"
  else
    ensure_venv "$VENV" "$REQUIREMENTS" bin/milvus-lite
  fi
fi
launching=false
if [[ "$COMMAND" == start ]]; then
  if running_pid >/dev/null; then
    running_engine="$(cat "$MILVUS_DATA_DIR/server.engine" 2>/dev/null || echo "$ENGINE")"
    SERVER_NAME="Milvus Lite $running_engine"
  else
    launching=true
  fi
fi
if $launching; then
  found="$(data_dir_engine "$MILVUS_DATA_DIR")"
  if [[ -n "$found" && "$found" != "$ENGINE" ]]; then
    die "data dir $MILVUS_DATA_DIR holds Milvus Lite $found data, which Milvus Lite $ENGINE cannot read; start it with --engine $found (or MILVUS_LITE_ENGINE=$found), or pass another --data-dir"
  fi
  mkdir -p "$MILVUS_DATA_DIR/data"
  echo "$ENGINE" >"$MILVUS_DATA_DIR/server.engine"
  if [[ "$ENGINE" == 2.5 ]]; then
    # Arguments: database file, listen address, log level. glog writes to stderr (the server log)
    # instead of files in /tmp. The file name must match ^[a-zA-Z0-9.\-_]+$, under 36 characters.
    LAUNCH_CMD=(env "LD_LIBRARY_PATH=$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" GLOG_logtostderr=1
      "$LIB_DIR/milvus" "$MILVUS_DATA_DIR/data/milvus.db" "127.0.0.1:$MILVUS_PORT" ERROR)
    LAUNCH_DIR="$MILVUS_DATA_DIR/data"
  else
    LAUNCH_CMD=("$VENV/bin/milvus-lite" server --data-dir "$MILVUS_DATA_DIR/data"
      --host 127.0.0.1 --port "$MILVUS_PORT")
  fi
elif [[ "$COMMAND" == stop || "$COMMAND" == status ]]; then
  # Name the engine that runs (or ran) there, not the one asked for.
  running_engine="$(cat "$MILVUS_DATA_DIR/server.engine" 2>/dev/null || true)"
  [[ -z "$running_engine" ]] || SERVER_NAME="Milvus Lite $running_engine"
fi
run_command
