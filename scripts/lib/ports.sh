# Process and port checks shared by the scripts that start local servers. Source, do not run.

# The PID in a pid file, if that process is still alive. A zombie (killed, not yet reaped by
# whoever inherited it) is not: kill -0 still succeeds on it, but it serves nothing.
live_pid() {
  [[ -f "$1" ]] || return 1
  local pid state
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || true
  [[ "$state" != Z && "$state" != X ]] && echo "$pid"
}

# True when nothing listens on 127.0.0.1:port. A plain bind fails against any listener there
# (wildcard or loopback); it matters because Milvus Lite's gRPC sets SO_REUSEPORT, so a second
# server on a taken port would start silently and steal half the connections.
port_is_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT, not listeners
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}
