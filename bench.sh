#!/usr/bin/env bash
# Throughput benchmark, rerunnable: on the same generated photos and the same ONNX model, runs
#   (a) the Milvus PyTorch tutorial's embedding loop (bench/tutorial_pipeline.py: PIL + torchvision
#       + torch eager, batch 128), minus its Milvus insert;
#   (p) the best plain-Python pipeline at the job's fidelity (bench/python_pipeline.py: OpenCV
#       decode + PIL resize on a background thread, ONNX Runtime fp32, batch 32, 2 threads);
#   (b) ONNX Runtime alone in Java, configured as the job's embedder: batch size, sessions, threads (OrtOnlyBench);
#   (c) the Flink job end to end, --mode once, fp32, into a Milvus Lite started here;
#   (d) with --int8: the same job with --precision int8 (the model's int8 copy, made here by
#       models/convert_precision.py), with a quality line: its vectors against (c)'s;
# each --rounds times (default 2), the pipelines interleaved within a round, keeping each one's
# best; prints the CPU (model, AVX2 / AVX-512 / VNNI / AMX) first, then per pipeline images/s, wall
# time, CPU seconds and peak RSS, and the ratios of one run.
#
#   ./bench.sh [--images N] [--size WxH] [--model FILE] [--rounds N] [--int8] [--skip-python]
#              [--baseline-jar JAR] [--keep]
#     --images N      photos to generate and embed (default 200)
#     --size WxH      their size (default 1024x768; try 3000x2000)
#     --model FILE    ONNX encoder (default: ResNet50 without fc, random weights, seed 0,
#                     exported once into .bench/resnet50-random.onnx; needs torch)
#     --rounds N      rounds of every pipeline, interleaved; the best of each is kept (default 2)
#     --int8          also (d), the job with the model's int8 copy (made once, beside the model)
#     --skip-python   skip (a): no torch needed (unless the default model must be exported or
#                     --int8 must make the int8 copy)
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
# ONNX Runtime 1.29 records usage telemetry for Microsoft (a device ID, events uploaded when it
# can reach the network) unless this is set before it loads (its docs/Privacy.md); every JVM and
# Python process started here inherits it. ORT_DISABLE_TELEMETRY=0 keeps ORT's default.
export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"
cd "$(dirname "$0")"
ROOT="$(pwd)"
if [[ "${1:-}" == --search ]]; then
  shift
  exec bench/search_bench.sh "$@"
fi

images=200
rounds=2
int8=false
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
    --rounds) [[ $# -ge 2 ]] || die "--rounds needs a number"; rounds="$2"; shift 2 ;;
    --int8) int8=true; shift ;;
    --baseline-jar) [[ $# -ge 2 ]] || die "--baseline-jar needs a jar"; baseline_jar="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see ./bench.sh --help)" ;;
  esac
done
[[ "$images" =~ ^[0-9]+$ ]] && ((images >= 1)) || die "--images must be a positive number, got '$images'"
[[ "$rounds" =~ ^[0-9]+$ ]] && ((rounds >= 1)) || die "--rounds must be a positive number, got '$rounds'"
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
cpu_line() { # model name and the vector instructions inference cares about
  local flags have="" lacks="" f
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  for f in avx2 avx512f avx512_vnni avx_vnni amx_int8; do
    if [[ "$flags" == *" $f "* ]]; then have="$have $f"; else lacks="$lacks $f"; fi
  done
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') (${have# }${lacks:+; no${lacks}})"
}
CPU="$(cpu_line)"
echo "CPU: $CPU; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
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
if $int8; then
  need_torch=true # .venv/models has onnx and onnxruntime's quantization tools
fi
if $need_torch; then
  PY="$ROOT/.venv/models/bin/python"
  if [[ ! -x "$PY" ]] || ! "$PY" -c 'import torch, torchvision, onnx, onnxruntime, PIL' 2>/dev/null; then
    step "Installing torch, torchvision, onnx, onnxruntime, Pillow into .venv/models (models/requirements.txt; about 3 GB, first run only)"
    [[ -x "$PY" ]] || python3 -m venv "$ROOT/.venv/models" || die "cannot create .venv/models; install python3-venv"
    "$ROOT/.venv/models/bin/pip" install -q --disable-pip-version-check -r models/requirements.txt \
      || die "pip install -r models/requirements.txt failed; see above"
  fi
fi
# (p) and the photos: a light venv of its own, without torch (bench/requirements-pipeline.txt).
BPY="$ROOT/.venv/bench/bin/python"
if [[ ! -x "$BPY" ]] || ! "$BPY" -c 'import PIL, cv2, onnxruntime, numpy' 2>/dev/null; then
  step "Installing onnxruntime, OpenCV, Pillow, numpy into .venv/bench (bench/requirements-pipeline.txt)"
  [[ -x "$BPY" ]] || python3 -m venv "$ROOT/.venv/bench" || die "cannot create .venv/bench; install python3-venv"
  "$ROOT/.venv/bench/bin/pip" install -q --disable-pip-version-check -r bench/requirements-pipeline.txt \
    || die "pip install -r bench/requirements-pipeline.txt failed; see above"
fi
$need_torch || PY="$BPY"

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

if $int8; then
  int8_model="${model%.onnx}.int8.onnx"
  if [[ ! -f "$int8_model" || "$model" -nt "$int8_model" ]]; then
    step "Making the int8 copy $int8_model (models/convert_precision.py, calibrated on samples/images)"
    "$PY" models/convert_precision.py "$model" --precision int8 --calibration-dir samples/images \
      --calibration-count 32 \
      >"$LOGS/int8.log" 2>&1 || { tail -n 20 "$LOGS/int8.log" >&2; die "int8 conversion failed; log: $LOGS/int8.log"; }
  fi
  echo "int8 model: $int8_model ($(du -m "$int8_model" | cut -f1) MB)"
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

job=(java -jar "$JOB_JAR" --mode once --model "$model" --milvus-uri "$milvus_uri")
step "Warm-up of the job: $warmup_images photos into ${collection}_warmup"
measure c-warmup "${job[@]}" --source "$RUN/warmup-images" --collection "${collection}_warmup"
milvus_cpu_total=0
for ((r = 1; r <= rounds; r++)); do
  if ! $skip_python; then
    step "(a) round $r: tutorial pipeline, PIL + torchvision + torch eager, batch 128 (load $(load1))"
    measure "a$r" "$PY" bench/tutorial_pipeline.py "$RUN/images"
    grep '^RESULT' "$LOGS/a$r.log" | tail -n 1
  fi
  step "(p) round $r: best Python pipeline, OpenCV + PIL resize in a thread, ORT batch 32, 2 threads (load $(load1))"
  measure "p$r" "$BPY" bench/python_pipeline.py "$model" "$RUN/images"
  grep '^RESULT' "$LOGS/p$r.log" | tail -n 1
  step "(b) round $r: ONNX Runtime only, Java, batch 32, the job's sessions and threads (load $(load1))"
  measure "b$r" java -cp "$TEST_CLASSES:$JOB_JAR" dev.imgsearch.core.bench.OrtOnlyBench \
    "$model" "$RUN/images" 32 0 1 1
  grep '^RESULT' "$LOGS/b$r.log" | tail -n 1
  step "(c) round $r: the Flink job, --mode once, fp32, into Milvus Lite (load $(load1))"
  m0="$(session_cpu_seconds "$milvus_sid")"
  measure "c$r" "${job[@]}" --precision fp32 --source "$RUN/images" --collection "${collection}_c$r"
  m1="$(session_cpu_seconds "$milvus_sid")"
  echo "$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.1f", b - a }')" >"$LOGS/c$r.milvus"
  grep -E 'throughput|first vector' "$LOGS/c$r.log" | tail -n 2
  if $int8; then
    step "(d) round $r: the Flink job, --precision int8 (load $(load1))"
    m0="$(session_cpu_seconds "$milvus_sid")"
    measure "d$r" "${job[@]}" --precision int8 --source "$RUN/images" --collection "${collection}_d$r"
    m1="$(session_cpu_seconds "$milvus_sid")"
    echo "$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.1f", b - a }')" >"$LOGS/d$r.milvus"
    grep -E 'throughput|first vector|precision' "$LOGS/d$r.log" | tail -n 3
  fi
  if [[ -n "$baseline_jar" ]]; then
    step "(c0) round $r: the baseline jar (load $(load1))"
    measure "c0$r" java -jar "$baseline_jar" --mode once --model "$model" --milvus-uri "$milvus_uri" \
      --source "$RUN/images" --collection "${collection}_baseline$r"
  fi
done
grep -h 'precision' "$LOGS/c1.log" | grep -m1 'CPU' || true

# 6. The table: each pipeline's best round.
result_rate() { sed -n 's/^RESULT .*images_per_s=\([0-9.]*\).*/\1/p' "$LOGS/$1.log" | tail -n 1; }
job_rate() { sed -n 's/.*throughput *\([0-9.]*\) images\/s.*/\1/p' "$LOGS/$1.log" | tail -n 1; }
result_processed() { sed -n 's/^RESULT .*processed=\([0-9]*\).*/\1/p' "$LOGS/$1.log" | tail -n 1; }
for ((r = 1; r <= rounds; r++)); do
  for k in c d; do
    [[ -f "$LOGS/$k$r.log" ]] || continue
    n="$(sed -n 's/^ *embedded *\([0-9]*\)$/\1/p' "$LOGS/$k$r.log" | tail -n 1)"
    [[ "$n" == "$images" ]] || die "the job ($k, round $r) embedded '${n}' of $images photos; see $LOGS/$k$r.log"
  done
done
declare -A rate wall processed best all_rates
rate_of() { case "$1" in a* | p* | b*) result_rate "$1" ;; *) job_rate "$1" ;; esac; }
pick_best() { # pipeline -> sets best[pipeline] to its fastest round's key
  local k="$1" r key top="" v
  all_rates[$k]=""
  for ((r = 1; r <= rounds; r++)); do
    key="$k$r"
    [[ -f "$LOGS/$key.log" ]] || continue
    v="$(rate_of "$key")"
    all_rates[$k]="${all_rates[$k]}${all_rates[$k]:+ / }$v"
    if [[ -z "$top" ]] || awk -v a="$v" -v b="$top" 'BEGIN { exit !(a > b) }'; then
      top="$v"; best[$k]="$key"
    fi
  done
  rate[$k]="$top"
}
noisy=""
row() { # pipeline label
  local k="$1" key="${best[$1]}" w o known=0
  [[ -f "$LOGS/$key.milvus" ]] && known="$(cat "$LOGS/$key.milvus")"
  w="$(cat "$LOGS/$key.wall")"
  wall[$k]="$w"
  o="$(other_cores "$key" "$known")"
  if awk -v o="$o" 'BEGIN { exit !(o > 0.2) }'; then noisy="$noisy ${key}"; fi
  case "$k" in a | p | b) processed[$k]="$(result_processed "$key")" ;; *) processed[$k]="$images" ;; esac
  awk -v label="$2" -v r="${rate[$k]}" -v all="${all_rates[$k]}" -v w="$w" -v n="$images" -v p="${processed[$k]}" \
      -v cpu="$(cpu_seconds "$key")" -v rss="$(peak_rss_mb "$key")" -v o="$o" 'BEGIN {
    printf "| %s | %.1f | %s | %.1f | %.1f | %.1f | %.2f | %d | %.2f |\n", label, r, all, w, n / w, cpu, cpu / p, rss, o }'
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }

step "Results"
echo "CPU: $CPU; $(nproc) cores"
echo "$images photos ${size}, $(basename "$model"), $(date '+%Y-%m-%d %H:%M'); $rounds round(s), interleaved; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| pipeline | images/s (best round, steady) | every round | wall s | images/s (wall) | CPU s | CPU s/image run | peak RSS MB | other processes, cores |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"
if ! $skip_python; then
  pick_best a; row a "(a) tutorial: PIL + torchvision + torch eager, batch 128, no Milvus"
fi
pick_best p; row p "(p) best Python: OpenCV + PIL resize in a thread, ORT fp32 batch 32, 2 threads"
pick_best b; row b "(b) ONNX Runtime only, Java, batch 32"
pick_best c; row c "(c) Flink job, once, fp32, into Milvus Lite"
if $int8; then
  pick_best d; row d "(d) Flink job, once, int8 ($(basename "$int8_model"))"
fi
if [[ -n "$baseline_jar" ]]; then
  pick_best c0; row c0 "(c0) the same as (c), baseline jar (Milvus Lite CPU not subtracted)"
fi
echo
echo "steady: (a) after a warm-up batch of 128; (p), (b) after their first batch of 32 ((b)'s tensors decoded beforehand); (c), (d) the job's own figure, first to last vector."
echo "wall: the whole process (start-up, model load, warm-up included). CPU s and peak RSS: the whole process (GNU time); the job's CPU s exclude Milvus Lite."
echo "other processes: the machine's busy CPU time during the step minus the step's own (and Milvus Lite's), over its wall time."
if [[ -n "$noisy" ]]; then
  echo "WARNING: other processes kept more than 0.2 cores busy during:$noisy. Those numbers are low; rerun on a quiet machine."
fi
echo
if ! $skip_python; then
  echo "(c)/(a) = $(ratio "${rate[c]}" "${rate[a]}") steady, $(ratio "${wall[a]}" "${wall[c]}") on wall time"
fi
echo "(c)/(p) = $(ratio "${rate[c]}" "${rate[p]}") steady, $(ratio "${wall[p]}" "${wall[c]}") on wall time"
echo "(c)/(b) = $(ratio "${rate[c]}" "${rate[b]}") steady"
echo "first vector (c): $(grep -ho 'first vector *[0-9.]* s' "$LOGS/${best[c]}.log" | tail -n 1 | sed 's/first vector *//') after the JVM started"
if $int8; then
  echo "(d)/(c) = $(ratio "${rate[d]}" "${rate[c]}") steady (int8 against fp32, the same job and photos)"
  agreement="$(java -cp "$TEST_CLASSES:$JOB_JAR" dev.imgsearch.core.bench.CollectionAgreement \
    "$milvus_uri" "${collection}_c1" "${collection}_d1" 2>"$LOGS/agreement.err" | grep '^RESULT' || true)"
  echo "int8 quality on these photos, against fp32: ${agreement#RESULT } (bench/precision_report.py measures retrieval on a labelled set)"
fi
if [[ -n "$baseline_jar" ]]; then
  echo "(c)/(c0) = $(ratio "${rate[c]}" "${rate[c0]}") steady, $(ratio "${wall[c0]}" "${wall[c]}") on wall time (this build against the baseline jar)"
fi
echo
echo "bench.sh took $((SECONDS - started)) s."
