#!/usr/bin/env bash
# Runs a Milvus Lite gRPC server (pure-Python Milvus) on 127.0.0.1, without Docker.
# Usage: scripts/milvus-lite.sh start|stop|status|install [--port P] [--data-dir D]
#   defaults: port 19530, data dir .milvus/lite-<port> under the project root.
#   The venv .venv/milvus is created from scripts/requirements-milvus.txt on first start.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$SCRIPT_DIR")"
SERVER_NAME="Milvus Lite"
DATA_DIR_PREFIX="lite"
VENV="$PROJECT_ROOT/.venv/milvus"
# shellcheck source=lib/milvus-common.sh
source "$SCRIPT_DIR/lib/milvus-common.sh"

server_is_ready() {
  port_answers "$MILVUS_PORT"
}

parse_args "$@"
if [[ "$COMMAND" == start || "$COMMAND" == install ]]; then
  ensure_venv "$VENV" "$SCRIPT_DIR/requirements-milvus.txt" milvus-lite
  LAUNCH_CMD=("$VENV/bin/milvus-lite" server --data-dir "$MILVUS_DATA_DIR/data"
    --host 127.0.0.1 --port "$MILVUS_PORT")
fi
run_command
