#!/usr/bin/env bash
# Throughput benchmark, rerunnable: on the same generated photos and the same ONNX model, runs
#   (a) the Milvus PyTorch tutorial's embedding loop (bench/tutorial_pipeline.py: PIL + torchvision
#       + torch eager, batch 128), minus its Milvus insert;
#   (b) ONNX Runtime alone in Java, configured as the job's embedder: batch size, sessions, threads (OrtOnlyBench);
#   (c) the Flink job end to end, --mode once, into a Milvus Lite started here;
# and prints, for each, images/s, wall time, CPU seconds and peak RSS, then (c)/(a) and (c)/(b).
#
#   ./bench.sh [--images N] [--size WxH] [--model FILE] [--skip-python] [--baseline-jar JAR] [--keep]
#     --images N      photos to generate and embed (default 200)
#     --size WxH      their size (default 1024x768; try 3000x2000)
#     --model FILE    ONNX encoder (default: ResNet50 without fc, random weights, seed 0,
#                     exported once into .bench/resnet50-random.onnx; needs torch)
#     --skip-python   skip (a): no torch needed (unless the default model must be exported)
#     --baseline-jar J  also run (c) with another build of the job jar (e.g. the previous
#                     release's flink-job.jar, its target/lib beside it) and print (c)/(c0)
#     --keep          keep the generated photos and the Milvus Lite data under .bench/run-*/
# Needs Java 17, Maven, Python 3 (venv + pip: .venv/models from models/requirements.txt, about
# 3 GB with torch; with --skip-python and an existing model only Pillow, in .venv/bench).
# Everything it writes goes under .bench/ (and .venv/). Close other heavy programs first: the
# numbers are only comparable within one run.
#
#   ./bench.sh --search [ARGS]   the search benchmark instead: upsert rows/s and search p50/p99 of
#                     each Milvus Lite engine at 10,000 and 100,000 rows (bench/search_bench.sh)
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(pwd)"
if [[ "${1:-}" == --search ]]; then
  shift
  exec bench/search_bench.sh "$@"
fi

images=200
size=1024x768
model=""
skip_python=false
baseline_jar=""
keep=false
warmup_images=16 # the job's warm-up run (its own collection), before (c)
die() { echo "bench.sh: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --images) [[ $# -ge 2 ]] || die "--images needs a number"; images="$2"; shift 2 ;;
    --size) [[ $# -ge 2 ]] || die "--size needs WIDTHxHEIGHT"; size="$2"; shift 2 ;;
    --model) [[ $# -ge 2 ]] || die "--model needs a file"; model="$2"; shift 2 ;;
    --skip-python) skip_python=true; shift ;;
    --baseline-jar) [[ $# -ge 2 ]] || die "--baseline-jar needs a jar"; baseline_jar="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see ./bench.sh --help)" ;;
  esac
done
[[ "$images" =~ ^[0-9]+$ ]] && ((images >= 1)) || die "--images must be a positive number, got '$images'"
[[ "$size" =~ ^[0-9]+x[0-9]+$ ]] || die "--size must be WIDTHxHEIGHT, e.g. 1024x768, got '$size'"
if [[ -n "$model" ]]; then
  [[ -f "$model" ]] || die "model $model does not exist"
  model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
fi
if [[ -n "$baseline_jar" ]]; then
  [[ -f "$baseline_jar" ]] || die "baseline jar $baseline_jar does not exist"
  baseline_jar="$(cd "$(dirname "$baseline_jar")" && pwd)/$(basename "$baseline_jar")"
fi
command -v java >/dev/null || die "java (17+) is not on the PATH"
command -v python3 >/dev/null || die "python3 is not on the PATH"

BENCH="$ROOT/.bench"
stamp="$(date +%Y%m%d-%H%M%S)"
RUN="$BENCH/run-$stamp-$$"
mkdir -p "$RUN/logs"
LOGS="$RUN/logs"
started=$SECONDS
step() { printf '\n== %s\n' "$*"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

milvus_port=""
milvus_dir="$RUN/milvus"
cleanup() {
  local rc=$?
  if [[ -n "$milvus_port" ]]; then
    scripts/milvus-lite.sh stop --port "$milvus_port" --data-dir "$milvus_dir" >/dev/null 2>&1 \
      && echo "Stopped Milvus Lite (port $milvus_port)." \
      || echo "bench.sh: could not stop Milvus Lite; see $milvus_dir/server.pid" >&2
  fi
  if $keep; then
    echo "Kept the photos and data: $RUN"
  else
    rm -rf "$RUN/images" "$RUN/warmup-images" "$milvus_dir"
  fi
  echo "Logs: $LOGS"
  if ((rc != 0)); then echo "bench.sh: FAILED (exit $rc) after $((SECONDS - started)) s" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" with its output in $LOGS/$name.log, measured: wall seconds, user+sys CPU seconds and
# peak RSS (GNU time, or bench/measure.py where /usr/bin/time is missing) into $LOGS/$name.time.
measure() {
  local name="$1"; shift
  local t0 t1 rc=0 busy0 busy1
  busy0=$(busy_ticks)
  t0=$(date +%s.%N)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$LOGS/$name.time" "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  else
    python3 "$ROOT/bench/measure.py" "$LOGS/$name.time" "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  fi
  t1=$(date +%s.%N)
  busy1=$(busy_ticks)
  echo $((busy1 - busy0)) >"$LOGS/$name.busy"
  if ((rc != 0)); then
    echo "--- last 40 lines of $LOGS/$name.log ---" >&2
    tail -n 40 "$LOGS/$name.log" >&2
    die "$name failed (exit $rc); full log: $LOGS/$name.log"
  fi
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$LOGS/$name.wall"
}
# CPU ticks spent by the whole machine so far (user nice system irq softirq steal, all cores).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
# Cores that other processes kept busy during step $1 (machine busy - the step's own CPU - $2
# CPU seconds known to be part of the step, e.g. Milvus Lite), averaged over its wall time.
other_cores() {
  awk -v b="$(cat "$LOGS/$1.busy")" -v h="$(getconf CLK_TCK)" -v own="$(cpu_seconds "$1")" \
      -v known="${2:-0}" -v w="$(cat "$LOGS/$1.wall")" 'BEGIN { o = (b / h - own - known) / w; printf "%.2f", o < 0 ? 0 : o }'
}
time_field() { # file label -> value
  awk -F': ' -v k="$2" 'index($0, k) { v = $NF } END { print v }' "$1"
}
cpu_seconds() {
  awk -v u="$(time_field "$LOGS/$1.time" 'User time (seconds)')" \
      -v s="$(time_field "$LOGS/$1.time" 'System time (seconds)')" 'BEGIN { printf "%.1f", u + s }'
}
peak_rss_mb() {
  awk -v k="$(time_field "$LOGS/$1.time" 'Maximum resident set size (kbytes)')" 'BEGIN { printf "%.0f", k / 1024 }'
}
# Sum of the CPU seconds (utime + stime, all threads, waited-for children included) of the
# processes in session $1: Milvus Lite runs in its own session (setsid).
session_cpu_seconds() {
  local tck; tck=$(getconf CLK_TCK)
  local total=0 pid f
  for f in /proc/[0-9]*/stat; do
    pid=${f#/proc/}; pid=${pid%/stat}
    # fields after the ")" of comm: 3 state ... 6 session, 14 utime, 15 stime, 16 cutime, 17 cstime
    read -r -a a < <(sed 's/^.*) //' "$f" 2>/dev/null) || continue
    ((${#a[@]} > 14)) || continue
    if [[ "${a[3]}" == "$1" ]]; then
      total=$((total + a[11] + a[12] + a[13] + a[14]))
    fi
  done
  awk -v t="$total" -v h="$tck" 'BEGIN { printf "%.1f", t / h }'
}

echo "bench.sh: $images photos of $size; logs in $LOGS"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
idle_check() { # cores kept busy by other programs over 3 s
  local b0 b1; b0=$(busy_ticks); sleep 3; b1=$(busy_ticks)
  awk -v d=$((b1 - b0)) -v h="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", d / h / 3 }'
}

busy_now="$(idle_check)"
echo "other programs keep $busy_now cores busy (over 3 s)"
if awk -v b="$busy_now" 'BEGIN { exit !(b > 0.2) }'; then
  echo "WARNING: the machine is not idle; the numbers will be low and noisy (the table shows, per step, how busy other programs kept it)."
fi

# 1. Build what is missing.
JOB_JAR="$ROOT/flink-job/target/flink-job.jar"
TEST_CLASSES="$ROOT/core/target/test-classes"
if [[ ! -f "$JOB_JAR" || ! -f "$TEST_CLASSES/dev/imgsearch/core/bench/OrtOnlyBench.class" \
  || core/src/test/java/dev/imgsearch/core/bench/OrtOnlyBench.java -nt "$TEST_CLASSES/dev/imgsearch/core/bench/OrtOnlyBench.class" ]]; then
  step "Building the job and the benchmark classes (mvn package -DskipTests)"
  mvn -B -ntp -q -Dstyle.color=never package -DskipTests
fi

# 2. Python: .venv/models (torch etc., as demo.sh) when (a) runs or the default model is
#    exported; else a Pillow-only venv for generating the photos.
default_model="$BENCH/resnet50-random.onnx"
need_torch=false
if ! $skip_python || [[ -z "$model" && ! -f "$default_model" ]]; then
  need_torch=true
fi
if $need_torch; then
  PY="$ROOT/.venv/models/bin/python"
  if [[ ! -x "$PY" ]] || ! "$PY" -c 'import torch, torchvision, onnx, onnxruntime, PIL' 2>/dev/null; then
    step "Installing torch, torchvision, onnx, onnxruntime, Pillow into .venv/models (models/requirements.txt; about 3 GB, first run only)"
    [[ -x "$PY" ]] || python3 -m venv "$ROOT/.venv/models" || die "cannot create .venv/models; install python3-venv"
    "$ROOT/.venv/models/bin/pip" install -q --disable-pip-version-check -r models/requirements.txt \
      || die "pip install -r models/requirements.txt failed; see above"
  fi
elif [[ -x "$ROOT/.venv/models/bin/python" ]] && "$ROOT/.venv/models/bin/python" -c 'import PIL' 2>/dev/null; then
  PY="$ROOT/.venv/models/bin/python"
else
  PY="$ROOT/.venv/bench/bin/python"
  if [[ ! -x "$PY" ]] || ! "$PY" -c 'import PIL' 2>/dev/null; then
    step "Installing Pillow into .venv/bench (bench/requirements-images.txt)"
    [[ -x "$PY" ]] || python3 -m venv "$ROOT/.venv/bench" || die "cannot create .venv/bench; install python3-venv"
    "$ROOT/.venv/bench/bin/pip" install -q --disable-pip-version-check -r bench/requirements-images.txt \
      || die "pip install -r bench/requirements-images.txt failed; see above"
  fi
fi

# 3. The model.
if [[ -z "$model" ]]; then
  model="$default_model"
  if [[ ! -f "$model" ]]; then
    step "Exporting ResNet50 (random weights, seed 0) to $model"
    "$PY" models/export_resnet50.py --weights none --seed 0 --output "$model.tmp.onnx" >"$LOGS/export.log" 2>&1 \
      || { tail -n 20 "$LOGS/export.log" >&2; die "model export failed; log: $LOGS/export.log"; }
    mv "$model.tmp.onnx" "$model"
  fi
fi
echo "model: $model ($(du -m "$model" | cut -f1) MB)"
if ! $skip_python && [[ "$model" != "$default_model" ]]; then
  echo "note: (a) always runs torchvision's ResNet50 (random weights); --model only changes (b) and (c)."
fi

# 4. The photos: $images distinct crops/flips of samples/images at $size, plus a small warm-up set.
step "Generating $images photos of $size from samples/images"
"$PY" bench/make_images.py samples/images "$RUN/images" --count "$images" --size "$size" --seed 0
"$PY" bench/make_images.py samples/images "$RUN/warmup-images" --count "$warmup_images" --size "$size" --seed 1 >/dev/null
echo "$(du -sm "$RUN/images" | cut -f1) MB in $RUN/images"

# 5. Milvus Lite on a free port with its own data dir (stopped by the EXIT trap).
step "Starting Milvus Lite"
milvus_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
scripts/milvus-lite.sh start --port "$milvus_port" --data-dir "$milvus_dir"
milvus_uri="http://127.0.0.1:$milvus_port"
milvus_sid="$(cat "$milvus_dir/server.pid")"
collection="bench_$(date +%Y%m%d_%H%M%S)_$$"

# (a) The tutorial's loop.
if ! $skip_python; then
  step "(a) tutorial pipeline: PIL + torchvision + torch eager, batch 128 (load $(load1))"
  measure a "$PY" bench/tutorial_pipeline.py "$RUN/images"
  grep -v '^RESULT' "$LOGS/a.log" | tail -n 3
fi

# (b) ONNX Runtime alone, in Java, configured as the job's embedder by default: batch size 32,
#     one session, ONNX Runtime's default intra-op threads.
step "(b) ONNX Runtime only, Java, batch 32, the job's sessions and threads (load $(load1))"
measure b java -cp "$TEST_CLASSES:$JOB_JAR" dev.imgsearch.core.bench.OrtOnlyBench \
  "$model" "$RUN/images" 32 0 1 1
grep -E '^(decode|ORT-only)' "$LOGS/b.log"

# (c) The job, once, into Milvus Lite; first a small warm-up run into another collection.
job=(java -jar "$JOB_JAR" --mode once --model "$model" --milvus-uri "$milvus_uri")
step "(c) the Flink job, --mode once, into Milvus Lite at $milvus_uri, collection $collection"
echo "warm-up: $warmup_images photos into ${collection}_warmup"
measure c-warmup "${job[@]}" --source "$RUN/warmup-images" --collection "${collection}_warmup"
if [[ -n "$baseline_jar" ]]; then
  echo "baseline jar $baseline_jar (load $(load1)):"
  measure c0 java -jar "$baseline_jar" --mode once --model "$model" --milvus-uri "$milvus_uri" \
    --source "$RUN/images" --collection "${collection}_baseline"
  sed -n 's/.*throughput *\([0-9.]*\) images\/s.*/baseline throughput \1 images\/s/p' "$LOGS/c0.log" | tail -n 1
fi
echo "measured run (load $(load1)):"
milvus_cpu0="$(session_cpu_seconds "$milvus_sid")"
measure c "${job[@]}" --source "$RUN/images" --collection "$collection"
milvus_cpu1="$(session_cpu_seconds "$milvus_sid")"
sed -n '/^Ingest finished/,/throughput/p' "$LOGS/c.log"
grep -ho 'Embedded [0-9]* images in .*' "$LOGS/c.log" | tail -n 1 || true

# 6. The table.
result_rate() { sed -n 's/^RESULT .*images_per_s=\([0-9.]*\).*/\1/p' "$LOGS/$1.log" | tail -n 1; }
job_rate() { sed -n 's/.*throughput *\([0-9.]*\) images\/s.*/\1/p' "$LOGS/${1:-c}.log" | tail -n 1; }
job_embedded="$(sed -n 's/^ *embedded *\([0-9]*\)$/\1/p' "$LOGS/c.log" | tail -n 1)"
[[ "$job_embedded" == "$images" ]] || die "the job embedded '${job_embedded}' of $images photos; see $LOGS/c.log"

result_processed() { sed -n 's/^RESULT .*processed=\([0-9]*\).*/\1/p' "$LOGS/$1.log" | tail -n 1; }
declare -A rate wall processed
noisy=""
row() { # key label [known CPU s of the step outside the process]
  local k="$1" label="$2" w o
  w="$(cat "$LOGS/$k.wall")"
  wall[$k]="$w"
  o="$(other_cores "$k" "${3:-0}")"
  if awk -v o="$o" 'BEGIN { exit !(o > 0.2) }'; then noisy="$noisy ${k}"; fi
  awk -v label="$label" -v r="${rate[$k]}" -v w="$w" -v n="$images" -v p="${processed[$k]}" \
      -v cpu="$(cpu_seconds "$k")" -v rss="$(peak_rss_mb "$k")" -v o="$o" 'BEGIN {
    printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %.2f | %d | %.2f |\n", label, r, w, n / w, cpu, cpu / w, p, cpu / p, rss, o }'
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }

step "Results"
echo "$images photos ${size}, $(basename "$model"), $(nproc) cores, $(date '+%Y-%m-%d %H:%M'); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| pipeline | images/s (steady) | wall s | images/s (wall) | CPU s | cores busy | images run | CPU s/image run | peak RSS MB | other processes, cores |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
if ! $skip_python; then
  rate[a]="$(result_rate a)"; processed[a]="$(result_processed a)"
  row a "(a) tutorial: PIL + torchvision + torch eager, batch 128, no Milvus"
fi
rate[b]="$(result_rate b)"; processed[b]="$(result_processed b)"
row b "(b) ONNX Runtime only, Java, batch 32"
rate[c]="$(job_rate)"; processed[c]="$images"
milvus_cpu="$(awk -v a="$milvus_cpu0" -v b="$milvus_cpu1" 'BEGIN { printf "%.1f", b - a }')"
row c "(c) Flink job, once, into Milvus Lite" "$milvus_cpu"
if [[ -n "$baseline_jar" ]]; then
  rate[c0]="$(job_rate c0)"; processed[c0]="$images"
  row c0 "(c0) the same, baseline jar (Milvus Lite CPU not subtracted)"
fi
echo
echo "steady: (a) after a warm-up batch of 128; (b) after a warm-up batch of 32, tensors decoded beforehand; (c) the job's own figure, first to last vector."
echo "wall: the whole process (start-up, model load, warm-up included). CPU s and peak RSS: the whole process (GNU time)."
echo "images run: through the model in that process, warm-up included ((b) also decodes the $images once, before timing). (c)'s CPU s exclude Milvus Lite, which used $milvus_cpu CPU s more during (c)."
echo "other processes: the machine's busy CPU time during the step minus the step's own (and Milvus Lite's), over its wall time."
if [[ -n "$noisy" ]]; then
  echo "WARNING: other processes kept more than 0.2 cores busy during:$noisy. Those numbers are low; rerun on a quiet machine."
fi
batches="$(grep -ho 'Embedded [0-9]* images in .*' "$LOGS/c.log" | tail -n 1 || true)"
[[ -z "$batches" ]] || echo "job: $batches"
echo
if ! $skip_python; then
  echo "(c)/(a) = $(ratio "${rate[c]}" "${rate[a]}") steady, $(ratio "${wall[a]}" "${wall[c]}") on wall time"
fi
echo "(c)/(b) = $(ratio "${rate[c]}" "${rate[b]}") steady, $(ratio "${wall[b]}" "${wall[c]}") on wall time"
if [[ -n "$baseline_jar" ]]; then
  echo "(c)/(c0) = $(ratio "${rate[c]}" "${rate[c0]}") steady, $(ratio "${wall[c0]}" "${wall[c]}") on wall time (this build against the baseline jar)"
fi
echo
echo "bench.sh took $((SECONDS - started)) s."
