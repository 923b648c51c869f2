#!/usr/bin/env bash
# Runs the real Milvus 2.3 standalone binary (PyPI package "milvus": embedded etcd, rocksmq and
# local storage) without Docker. Use it to check what Milvus Lite does not reproduce.
# Usage: scripts/milvus-server.sh start|stop|status|install [--port P] [--data-dir D]
#   defaults: port 19530, data dir .milvus/server-<port> under the project root.
#   The venv .venv/milvus-server is created from scripts/lib/requirements-milvus-server.txt.
# Caveat: unlike everything else this project starts, Milvus 2.3.5 listens on ALL interfaces:
# the gRPC port and eight internal ones (measured: proxy, 19529, 53100, 19531, 13333, 21121,
# 21123, 21124, metrics 9091); only its embedded etcd is on 127.0.0.1. Its config has no listen
# address (the components' "ip" keys set the address they advertise), so use it on a machine
# without untrusted neighbours or behind a firewall, or use Milvus Lite (127.0.0.1 only).
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
if [[ "$COMMAND" == start ]]; then
  echo "$(basename "$0"): warning: Milvus 2.3.5 listens on all network interfaces, not only" \
    "127.0.0.1 (it has no listen-address setting); keep this machine's ports firewalled, or use" \
    "scripts/milvus-lite.sh" >&2
fi
if [[ "$COMMAND" == start || "$COMMAND" == install ]]; then
  ensure_venv "$VENV" "$SCRIPT_DIR/lib/requirements-milvus-server.txt" bin/milvus-server
  LAUNCH_CMD=("$VENV/bin/milvus-server" --data "$MILVUS_DATA_DIR/data" --proxy-port "$MILVUS_PORT")
fi
run_command
