#!/usr/bin/env bash
# Runs a Flink 2.3 session cluster (one JobManager, one TaskManager, separate JVMs) on 127.0.0.1,
# from the jars in flink-job/target/lib: no Flink distribution, no Docker.
#
# Usage: scripts/flink-cluster.sh COMMAND [--lib DIR] [--dir WORKDIR] [--rest-port P] [--slots N]
#   start             generate WORKDIR/conf/config.yaml, start both JVMs, wait for a TaskManager
#   stop              stop both JVMs (by recorded PID) and wait until they are gone
#   status            PIDs, REST URL, slots and jobs; exit 1 when not running
#   submit [OPTS] JAR ARGS  run JAR detached (flink run -d [OPTS], e.g. -p 3 -Dkey=value);
#                     prints the JobID
#   cancel JOBID      cancel a job and wait until it is CANCELED
#   list              jobs and their states (GET /jobs/overview)
#   kill-taskmanager  SIGKILL the TaskManager (a crash, for fault tests: no clean shutdown)
#   start-taskmanager start a TaskManager again (after kill-taskmanager or a crash) and wait
#                     until it has registered; running jobs restart on it from their checkpoint
# Defaults: --lib flink-job/target/lib (build it with: mvn -B -ntp package -DskipTests),
#   --dir .flink/cluster under the project root, --rest-port 8081 (0 = any free port), --slots 2.
#   The JobManager RPC, blob and TaskManager RPC ports are free ports chosen at start.
# Environment: FLINK_CLUSTER_START_TIMEOUT_S (default 90), FLINK_CLUSTER_STOP_TIMEOUT_S (30),
#   FLINK_CLIENT_JAVA_OPTS (extra JVM flags for submit, e.g. -Xmx1g).
set -euo pipefail
# ONNX Runtime 1.29 records usage telemetry for Microsoft (a device ID, events uploaded when it
# can reach the network) unless this is set before it loads (its docs/Privacy.md); every JVM and
# Python process started here inherits it. ORT_DISABLE_TELEMETRY=0 keeps ORT's default.
export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$SCRIPT_DIR")"
PROG="$(basename "$0")"

START_TIMEOUT_S="${FLINK_CLUSTER_START_TIMEOUT_S:-90}"
STOP_TIMEOUT_S="${FLINK_CLUSTER_STOP_TIMEOUT_S:-30}"
HOST=127.0.0.1

# The module flags of Flink's own distribution config (env.java.opts.all), for every JVM here.
JAVA_OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
# ONNX Runtime creates its environment on the calling thread; with Java's default 1 MiB thread
# stacks that crashed the JVM. Task threads and the client's main thread get 8 MiB.
NATIVE_STACK=-Xss8m

die() {
  echo "$PROG: $*" >&2
  exit 2
}

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
}

# --- arguments -----------------------------------------------------------------------------------

LIB_DIR="$PROJECT_ROOT/flink-job/target/lib"
WORK_DIR="$PROJECT_ROOT/.flink/cluster"
REST_PORT=8081
SLOTS=2
POSITIONAL=()

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
COMMAND="$1"
shift
case "$COMMAND" in
  -h | --help | help) usage; exit 0 ;;
esac
while [[ $# -gt 0 ]]; do
  case "$1" in
    --lib | --dir | --rest-port | --slots)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --lib) LIB_DIR="$2" ;;
        --dir) WORK_DIR="$2" ;;
        --rest-port) REST_PORT="$2" ;;
        --slots) SLOTS="$2" ;;
      esac
      shift 2
      ;;
    --)
      shift
      POSITIONAL+=("$@")
      break
      ;;
    *)
      # The first other argument starts the positional ones (submit's JAR and the job's own
      # arguments, which are passed through untouched).
      POSITIONAL+=("$@")
      break
      ;;
  esac
done

[[ "$REST_PORT" =~ ^[0-9]+$ ]] && ((REST_PORT <= 65535)) \
  || die "--rest-port '$REST_PORT' is not a TCP port (0 = any free port, else 1-65535)"
[[ "$SLOTS" =~ ^[0-9]+$ ]] && ((SLOTS >= 1)) || die "--slots '$SLOTS' is not a positive number"

mkdir -p "$WORK_DIR"
WORK_DIR="$(cd "$WORK_DIR" && pwd)"
CONF_DIR="$WORK_DIR/conf"
LOG_DIR="$WORK_DIR/log"
STATE_FILE="$WORK_DIR/cluster.env"
JM_PID_FILE="$WORK_DIR/jobmanager.pid"
TM_PID_FILE="$WORK_DIR/taskmanager.pid"
JM_LOG="$LOG_DIR/jobmanager.log"
TM_LOG="$LOG_DIR/taskmanager.log"

# --- helpers -------------------------------------------------------------------------------------

# shellcheck source=lib/ports.sh
source "$SCRIPT_DIR/lib/ports.sh"

# N distinct free ports on 127.0.0.1, one a line (held open together so they differ).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

load_state() {
  [[ -f "$STATE_FILE" ]] || die "no cluster state in $WORK_DIR (start one with: $PROG start --dir $WORK_DIR)"
  # shellcheck source=/dev/null
  source "$STATE_FILE"
  REST_URL="http://$HOST:$REST_PORT"
}

rest_get() {
  curl -fsS --max-time 5 "$REST_URL$1"
}

show_log_tail() {
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    echo "--- last 40 lines of $f ---" >&2
    tail -n 40 "$f" >&2 || true
  done
}

require_lib() {
  [[ -d "$LIB_DIR" ]] || die "--lib $LIB_DIR does not exist; build it with: (cd $PROJECT_ROOT && mvn -B -ntp install -DskipTests)"
  LIB_DIR="$(cd "$LIB_DIR" && pwd)"
  compgen -G "$LIB_DIR/flink-runtime-*.jar" >/dev/null \
    || die "$LIB_DIR has no flink-runtime jar; it is not a Flink lib folder (expected flink-job/target/lib)"
  CLASSPATH_JARS="$(find "$LIB_DIR" -maxdepth 1 -name '*.jar' | sort | paste -sd:)"
}

write_config() {
  local rpc_port="$1" blob_port="$2" tm_rpc_port="$3"
  mkdir -p "$CONF_DIR" "$LOG_DIR" "$WORK_DIR/tmp" "$WORK_DIR/web-tmp" "$WORK_DIR/web-upload" \
    "$WORK_DIR/checkpoints" "$WORK_DIR/savepoints"
  cat >"$CONF_DIR/config.yaml" <<EOF
# Generated by scripts/flink-cluster.sh; rewritten at every start.
jobmanager:
  bind-host: $HOST
  rpc:
    address: $HOST
    port: $rpc_port
  memory:
    process:
      size: 1024m
taskmanager:
  bind-host: $HOST
  host: $HOST
  rpc:
    port: $tm_rpc_port
  numberOfTaskSlots: $SLOTS
  memory:
    process:
      size: 1728m
rest:
  address: $HOST
  bind-address: $HOST
  port: $REST_PORT
blob:
  server:
    port: $blob_port
parallelism:
  default: 1
classloader:
  # ONNX Runtime and JavaCPP (OpenCV, FFmpeg) live on the TaskManager's classpath and load their
  # native libraries once per JVM; a job jar must never bring its own copy.
  parent-first-patterns:
    additional: org.bytedeco.;ai.onnxruntime.
io:
  tmp:
    dirs: $WORK_DIR/tmp
web:
  tmpdir: $WORK_DIR/web-tmp
  upload:
    dir: $WORK_DIR/web-upload
execution:
  checkpointing:
    storage: filesystem
    dir: file://$WORK_DIR/checkpoints
    savepoint-dir: file://$WORK_DIR/savepoints
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: 3
    delay: 5 s
env:
  java:
    opts:
      all: ${JAVA_OPENS[*]}
EOF
  # Flink's file logging, as in its distribution; log.file is set per process.
  cat >"$CONF_DIR/log4j.properties" <<'EOF'
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
# gRPC's frame logger (shaded in the Milvus SDK) prints the authorization header at DEBUG.
logger.milvusgrpc.name = io.milvus.shaded
logger.milvusgrpc.level = WARN
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 10
EOF
  cat >"$CONF_DIR/log4j-cli.properties" <<'EOF'
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = ConsoleAppender
logger.milvusgrpc.name = io.milvus.shaded
logger.milvusgrpc.level = WARN
appender.console.name = ConsoleAppender
appender.console.type = CONSOLE
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
# Expected without a Flink distribution: no YARN CLI on the classpath, no plugins folder.
appender.console.filter.yarn.type = RegexFilter
appender.console.filter.yarn.regex = .*(FlinkYarnSessionCli|plugins directory).*
appender.console.filter.yarn.onMatch = DENY
appender.console.filter.yarn.onMismatch = NEUTRAL
EOF
  {
    echo "REST_PORT=$REST_PORT"
    echo "RPC_PORT=$rpc_port"
    echo "BLOB_PORT=$blob_port"
    echo "TM_RPC_PORT=$tm_rpc_port"
    echo "LIB_DIR='$LIB_DIR'"
  } >"$STATE_FILE"
}

# JVM flags (line 1) and dynamic -D properties (line 2) that Flink derives from the memory config.
resource_params() {
  local kind="$1" out
  if ! out="$(java -Dlog4j.configurationFile="file:$CONF_DIR/log4j-cli.properties" \
    -cp "$CLASSPATH_JARS" org.apache.flink.runtime.util.bash.BashJavaUtils "$kind" \
    --configDir "$CONF_DIR" 2>&1)"; then
    echo "$out" | tail -n 20 >&2
    die "BashJavaUtils $kind failed; see above (config: $CONF_DIR/config.yaml)"
  fi
  out="$(echo "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p')"
  [[ "$(echo "$out" | wc -l)" -ge 2 ]] || die "BashJavaUtils $kind printed no memory parameters"
  echo "$out" | tail -n 2
}

# Starts one JVM in its own session; its stdout/stderr go to LOG_DIR/NAME.out.
launch() {
  local name="$1" pid_file="$2"
  shift 2
  setsid "$@" >"$LOG_DIR/$name.out" 2>&1 </dev/null &
  echo $! >"$pid_file"
}

stop_pid() {
  local name="$1" pid_file="$2" pid
  if ! pid="$(live_pid "$pid_file")"; then
    rm -f "$pid_file"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "$PROG: $name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT_S}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
  echo "$name stopped (pid $pid)"
}

# Flags of every cluster JVM (after the memory flags that BashJavaUtils derives).
common_jvm_flags() {
  COMMON_JVM=("${JAVA_OPENS[@]}" "-Dlog4j.configurationFile=file:$CONF_DIR/log4j.properties"
    "-Djava.io.tmpdir=$WORK_DIR/tmp")
}

# Starts the TaskManager JVM. $1: the two lines of GET_TM_RESOURCE_PARAMS; the rest: more
# dynamic properties (-D key=value). Its log appends to TM_LOG, so a replacement's follows the
# log of the one it replaces.
launch_taskmanager() {
  local params="$1" tm_jvm tm_dyn
  shift
  read -r -a tm_jvm <<<"$(echo "$params" | sed -n 1p)"
  read -r -a tm_dyn <<<"$(echo "$params" | sed -n 2p)"
  common_jvm_flags
  launch taskmanager "$TM_PID_FILE" java "${tm_jvm[@]}" "$NATIVE_STACK" "${COMMON_JVM[@]}" \
    "-Dlog.file=$TM_LOG" -cp "$CLASSPATH_JARS" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$CONF_DIR" ${tm_dyn[@]+"${tm_dyn[@]}"} "$@"
}

# --- commands ------------------------------------------------------------------------------------

cmd_start() {
  local jm_pid tm_pid
  if jm_pid="$(live_pid "$JM_PID_FILE")" || tm_pid="$(live_pid "$TM_PID_FILE")"; then
    load_state
    die "a cluster is already running from $WORK_DIR (JobManager pid ${jm_pid:-none}, TaskManager pid ${tm_pid:-none}, $REST_URL); stop it first: $PROG stop --dir $WORK_DIR"
  fi
  command -v java >/dev/null || die "java (17+) is not on the PATH"
  command -v curl >/dev/null || die "curl is required"
  command -v python3 >/dev/null || die "python3 is required (to check ports)"
  require_lib

  if ((REST_PORT == 0)); then
    REST_PORT="$(free_ports 1)"
  else
    port_is_free "$REST_PORT" \
      || die "REST port $REST_PORT on $HOST is already in use (see: ss -ltnp 'sport = :$REST_PORT'); stop that process, or pass --rest-port with a free port (0 = any)"
  fi
  local ports rpc_port blob_port tm_rpc_port
  ports="$(free_ports 4)"
  # Four distinct free ports; skip one equal to the REST port.
  ports="$(echo "$ports" | grep -vx "$REST_PORT" | head -n 3)"
  rpc_port="$(echo "$ports" | sed -n 1p)"
  blob_port="$(echo "$ports" | sed -n 2p)"
  tm_rpc_port="$(echo "$ports" | sed -n 3p)"

  local t0=$SECONDS
  rm -f "$JM_PID_FILE" "$TM_PID_FILE"
  write_config "$rpc_port" "$blob_port" "$tm_rpc_port"
  : >"$JM_LOG"
  : >"$TM_LOG"

  local jm_params tm_params jm_jvm jm_dyn
  # Both in parallel: each is a JVM start (~2 s on 2 cores).
  resource_params GET_JM_RESOURCE_PARAMS >"$WORK_DIR/.jm-params" &
  local jm_job=$!
  resource_params GET_TM_RESOURCE_PARAMS >"$WORK_DIR/.tm-params" &
  wait "$jm_job" || exit 2
  wait $! || exit 2
  jm_params="$(cat "$WORK_DIR/.jm-params")"
  tm_params="$(cat "$WORK_DIR/.tm-params")"
  rm -f "$WORK_DIR/.jm-params" "$WORK_DIR/.tm-params"
  read -r -a jm_jvm <<<"$(echo "$jm_params" | sed -n 1p)"
  read -r -a jm_dyn <<<"$(echo "$jm_params" | sed -n 2p)"

  common_jvm_flags
  launch jobmanager "$JM_PID_FILE" java "${jm_jvm[@]}" "${COMMON_JVM[@]}" "-Dlog.file=$JM_LOG" \
    -cp "$CLASSPATH_JARS" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$CONF_DIR" --executionMode cluster ${jm_dyn[@]+"${jm_dyn[@]}"}
  launch_taskmanager "$tm_params"

  REST_URL="http://$HOST:$REST_PORT"
  local deadline=$((SECONDS + START_TIMEOUT_S)) tms=0 body
  while true; do
    if ! kill -0 "$(cat "$JM_PID_FILE")" 2>/dev/null; then
      show_log_tail "$LOG_DIR/jobmanager.out" "$JM_LOG"
      stop_pid TaskManager "$TM_PID_FILE" >/dev/null
      die "the JobManager exited during startup; see the log above ($JM_LOG)"
    fi
    if ! kill -0 "$(cat "$TM_PID_FILE")" 2>/dev/null; then
      show_log_tail "$LOG_DIR/taskmanager.out" "$TM_LOG"
      stop_pid JobManager "$JM_PID_FILE" >/dev/null
      die "the TaskManager exited during startup; see the log above ($TM_LOG)"
    fi
    # Ready when the TaskManager's slots are registered, not just the TaskManager: a job submitted
    # in between would wait for slots.
    if body="$(rest_get /overview 2>/dev/null)"; then
      slots="$(echo "$body" | sed -n 's/.*"slots-total":\([0-9]*\).*/\1/p')"
      ((${slots:-0} >= SLOTS)) && break
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$JM_LOG" "$TM_LOG"
      stop_pid TaskManager "$TM_PID_FILE" >/dev/null
      stop_pid JobManager "$JM_PID_FILE" >/dev/null
      die "no TaskManager registered at $REST_URL within ${START_TIMEOUT_S}s (set FLINK_CLUSTER_START_TIMEOUT_S to wait longer); stopped both"
    fi
    sleep 0.3
  done
  echo "Flink session cluster running in $((SECONDS - t0))s: JobManager pid $(cat "$JM_PID_FILE"), TaskManager pid $(cat "$TM_PID_FILE") ($SLOTS slots), logs in $LOG_DIR"
  echo "$REST_URL"
}

cmd_stop() {
  # TaskManager first, so that it does not try to reconnect to a JobManager going away.
  stop_pid TaskManager "$TM_PID_FILE"
  stop_pid JobManager "$JM_PID_FILE"
  echo "Flink session cluster in $WORK_DIR stopped"
}

cmd_status() {
  local jm_pid tm_pid rc=0
  jm_pid="$(live_pid "$JM_PID_FILE")" || jm_pid=""
  tm_pid="$(live_pid "$TM_PID_FILE")" || tm_pid=""
  if [[ -z "$jm_pid" && -z "$tm_pid" ]]; then
    echo "Flink session cluster not running (dir $WORK_DIR)"
    return 1
  fi
  load_state
  echo "JobManager:  ${jm_pid:-not running}"
  echo "TaskManager: ${tm_pid:-not running}"
  echo "REST:        $REST_URL"
  local overview
  if overview="$(rest_get /overview 2>/dev/null)"; then
    echo "Overview:    $overview"
  else
    echo "Overview:    REST API not answering"
    rc=1
  fi
  [[ -n "$jm_pid" && -n "$tm_pid" ]] || rc=1
  return $rc
}

# Runs the Flink CLI (org.apache.flink.client.cli.CliFrontend) against this cluster.
flink_cli() {
  load_state
  [[ -n "$(live_pid "$JM_PID_FILE")" ]] || die "the cluster in $WORK_DIR is not running; start it with: $PROG start --dir $WORK_DIR"
  require_lib
  local extra=()
  # shellcheck disable=SC2206
  [[ -n "${FLINK_CLIENT_JAVA_OPTS:-}" ]] && extra=(${FLINK_CLIENT_JAVA_OPTS})
  FLINK_CONF_DIR="$CONF_DIR" java "$NATIVE_STACK" "${JAVA_OPENS[@]}" ${extra[@]+"${extra[@]}"} \
    "-Dlog4j.configurationFile=file:$CONF_DIR/log4j-cli.properties" \
    -cp "$CLASSPATH_JARS" org.apache.flink.client.cli.CliFrontend "$@"
}

cmd_submit() {
  # Flink's own run options (-p N, -Dkey=value, ...) may come before the jar; the job's after it.
  local i jar="" flink_opts=()
  for ((i = 0; i < ${#POSITIONAL[@]}; i++)); do
    if [[ "${POSITIONAL[$i]}" == *.jar ]]; then
      jar="${POSITIONAL[$i]}"
      break
    fi
    flink_opts+=("${POSITIONAL[$i]}")
  done
  [[ -n "$jar" ]] || die "usage: $PROG submit [--dir WORKDIR] [FLINK RUN OPTIONS] JAR [JOB ARGS...]"
  [[ -f "$jar" ]] || die "job jar $jar does not exist (build it with: mvn -B -ntp package -DskipTests)"
  load_state
  flink_cli run -d -m "$HOST:$REST_PORT" ${flink_opts[@]+"${flink_opts[@]}"} "$jar" "${POSITIONAL[@]:$((i + 1))}"
}

cmd_cancel() {
  [[ ${#POSITIONAL[@]} -eq 1 && "${POSITIONAL[0]}" =~ ^[0-9a-f]{32}$ ]] \
    || die "usage: $PROG cancel [--dir WORKDIR] JOBID (32 hex digits)"
  local job="${POSITIONAL[0]}" state
  load_state
  curl -fsS --max-time 10 -X PATCH "$REST_URL/jobs/$job?mode=cancel" >/dev/null \
    || die "cancel of job $job at $REST_URL failed (is the JobID right? see: $PROG list --dir $WORK_DIR)"
  local deadline=$((SECONDS + 60))
  while true; do
    state="$(rest_get "/jobs/$job/status" 2>/dev/null | sed -n 's/.*"status":"\([A-Z_]*\)".*/\1/p')"
    case "$state" in
      CANCELED | FAILED | FINISHED) break ;;
    esac
    ((SECONDS < deadline)) || die "job $job is still ${state:-unknown} 60s after cancel"
    sleep 0.3
  done
  echo "Job $job $state"
}

cmd_kill_taskmanager() {
  local pid
  pid="$(live_pid "$TM_PID_FILE")" \
    || die "no TaskManager is running from $WORK_DIR (see: $PROG status --dir $WORK_DIR)"
  kill -KILL "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || die "TaskManager pid $pid is still alive 10s after SIGKILL"
    sleep 0.1
  done
  rm -f "$TM_PID_FILE"
  echo "TaskManager killed (pid $pid, SIGKILL)"
}

cmd_start_taskmanager() {
  local pid
  load_state
  [[ -n "$(live_pid "$JM_PID_FILE")" ]] \
    || die "the JobManager in $WORK_DIR is not running; start the cluster with: $PROG start --dir $WORK_DIR"
  if pid="$(live_pid "$TM_PID_FILE")"; then
    die "a TaskManager is already running from $WORK_DIR (pid $pid); stop it first: $PROG kill-taskmanager --dir $WORK_DIR"
  fi
  require_lib
  local t0=$SECONDS params port id
  params="$(resource_params GET_TM_RESOURCE_PARAMS)" || exit 2
  # A fresh RPC port and a resource ID of its own: the JobManager may not yet have noticed that
  # the old TaskManager is gone, and must not take the new one for it.
  port="$(free_ports 1)"
  id="taskmanager-$(date +%s%N)"
  launch_taskmanager "$params" -D "taskmanager.rpc.port=$port" -D "taskmanager.resource-id=$id"
  pid="$(cat "$TM_PID_FILE")"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until rest_get /taskmanagers 2>/dev/null | grep -q "\"id\":\"$id\""; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail "$LOG_DIR/taskmanager.out" "$TM_LOG"
      die "the TaskManager exited during startup; see the log above ($TM_LOG)"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$TM_LOG"
      stop_pid TaskManager "$TM_PID_FILE" >/dev/null
      die "the new TaskManager did not register at $REST_URL within ${START_TIMEOUT_S}s; stopped it"
    fi
    sleep 0.3
  done
  echo "TaskManager running in $((SECONDS - t0))s: pid $pid, resource ID $id"
}

cmd_list() {
  load_state
  rest_get /jobs/overview | python3 -c '
import json, sys
jobs = json.load(sys.stdin)["jobs"]
for j in sorted(jobs, key=lambda j: j["start-time"]):
    print(j["jid"], j["state"], j["name"], sep="\t")
if not jobs:
    print("no jobs")
' || die "GET $REST_URL/jobs/overview failed; is the cluster running? ($PROG status --dir $WORK_DIR)"
}

case "$COMMAND" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  submit) cmd_submit ;;
  cancel) cmd_cancel ;;
  list) cmd_list ;;
  kill-taskmanager) cmd_kill_taskmanager ;;
  start-taskmanager) cmd_start_taskmanager ;;
  *) die "unknown command '$COMMAND'; expected start, stop, status, submit, cancel, list, kill-taskmanager or start-taskmanager (see --help)" ;;
esac
