#!/usr/bin/env bash
# Runs the real Milvus 2.3 standalone binary (PyPI package "milvus": embedded etcd, rocksmq and
# local storage) without Docker. Use it to check what Milvus Lite does not reproduce.
# Usage: scripts/milvus-server.sh start|stop|status|install [--port P] [--data-dir D]
#   defaults: port 19530, data dir .milvus/server-<port> under the project root.
#   The venv .venv/milvus-server is created from scripts/lib/requirements-milvus-server.txt.
# Caveat: Milvus binds its gRPC port and internal ports on all interfaces (the package has no
# listen-address setting); the internal ports are picked free at start.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$SCRIPT_DIR")"
SERVER_NAME="Milvus server"
DATA_DIR_PREFIX="server"
VENV="$PROJECT_ROOT/.venv/milvus-server"
# shellcheck source=lib/milvus-common.sh
source "$SCRIPT_DIR/lib/milvus-common.sh"

# The proxy port opens before the coordinators are up; the wrapper prints its banner only
# after /healthz says OK.
server_is_ready() {
  grep -q "Welcome to use Milvus" "$LOG_FILE" 2>/dev/null && port_answers "$MILVUS_PORT"
}

parse_args "$@"
if [[ "$COMMAND" == start || "$COMMAND" == install ]]; then
  ensure_venv "$VENV" "$SCRIPT_DIR/lib/requirements-milvus-server.txt" milvus-server
  LAUNCH_CMD=("$VENV/bin/milvus-server" --data "$MILVUS_DATA_DIR/data" --proxy-port "$MILVUS_PORT")
fi
run_command
