#!/usr/bin/env bash
# The whole pipeline on this machine: an embedded Flink ingests a folder of images into Milvus Lite,
# then the query CLI searches it and draws the result grid.
#
#   ./demo.sh                 ingest the bundled sample photos (samples/images), query, draw
#   ./demo.sh DIR             ingest DIR instead
#   ./demo.sh --watch DIR     keep watching DIR (drop images in; Ctrl-C stops)
#   options: --model FILE     any ONNX image encoder (default: models/resnet50.onnx, exported if missing)
#            --keep           leave Milvus Lite running afterwards
# Needs Java 17, Maven and Python 3. Set MILVUS_URI (and MILVUS_TOKEN) to use another Milvus.
set -euo pipefail
# ONNX Runtime 1.29 records usage telemetry for Microsoft (a device ID, events uploaded when it
# can reach the network) unless this is set before it loads (its docs/Privacy.md); every JVM and
# Python process started here inherits it. ORT_DISABLE_TELEMETRY=0 keeps ORT's default.
export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"
cd "$(dirname "$0")"
ROOT="$(pwd)"

source_dir="$ROOT/samples/images"
model=""
keep=false
mode=once
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) [[ $# -ge 2 ]] || { echo "demo.sh: --model needs a file" >&2; exit 2; }; model="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    --watch) [[ $# -ge 2 ]] || { echo "demo.sh: --watch needs a folder" >&2; exit 2; }; mode=watch; source_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "demo.sh: unknown option '$1' (see ./demo.sh --help)" >&2; exit 2 ;;
    *) source_dir="$1"; shift ;;
  esac
done
[[ -d "$source_dir" ]] || { echo "demo.sh: $source_dir is not a folder" >&2; exit 2; }
source_dir="$(cd "$source_dir" && pwd)"
step() { printf '\n== %s\n' "$*"; }

# 1. Build what is missing.
if [[ ! -f flink-job/target/flink-job.jar || ! -f query-cli/target/query-cli.jar ]]; then
  step "Building the job and the CLI (first run: Maven downloads about 1 GB)"
  mvn -B -ntp -q -Dstyle.color=never package -DskipTests
fi

# 2. A model: the given one, or ResNet50 exported with pretrained weights, or random weights offline.
if [[ -z "$model" ]]; then
  model="$ROOT/models/resnet50.onnx"
  if [[ ! -f "$model" && -f "$ROOT/models/resnet50-random.onnx" ]]; then
    model="$ROOT/models/resnet50-random.onnx"
  fi
  if [[ ! -f "$model" ]]; then
    step "Exporting ResNet50 to ONNX (first run: installs torch from PyPI into .venv/models, about 3 GB)"
    if [[ ! -x .venv/models/bin/python ]]; then
      python3 -m venv .venv/models
      .venv/models/bin/pip install -q --disable-pip-version-check -r models/requirements.txt
    fi
    if ! .venv/models/bin/python models/export_resnet50.py --weights IMAGENET1K_V2 --output "$model"; then
      echo
      echo "The pretrained ResNet50 weights could not be downloaded (no internet access here)."
      echo "Using RANDOM weights instead: the pipeline runs the same, but only identical or"
      echo "near-identical images will be found. Run with --model FILE for a real encoder."
      model="$ROOT/models/resnet50-random.onnx"
      .venv/models/bin/python models/export_resnet50.py --weights none --output "$model"
    fi
  fi
fi
[[ -f "$model" ]] || { echo "demo.sh: model $model does not exist" >&2; exit 2; }
echo "Model: $model"

# 3. Milvus: the one MILVUS_URI names, or Milvus Lite on 127.0.0.1:19530.
started_milvus=false
if [[ -z "${MILVUS_URI:-}" ]]; then
  step "Starting Milvus Lite"
  if ! scripts/milvus-lite.sh status >/dev/null 2>&1; then
    scripts/milvus-lite.sh start
    started_milvus=true
  else
    echo "Milvus Lite is already running; using it."
  fi
  export MILVUS_URI="http://127.0.0.1:19530"
fi
cleanup() {
  if $started_milvus; then
    if $keep; then
      echo "Milvus Lite keeps running at $MILVUS_URI; stop it with: scripts/milvus-lite.sh stop"
    else
      scripts/milvus-lite.sh stop >/dev/null && echo "Stopped Milvus Lite."
    fi
  fi
}
trap cleanup EXIT

job=(java -jar flink-job/target/flink-job.jar --source "$source_dir" --model "$model"
  --dead-letter "$ROOT/.demo/dead-letter")
query="ORT_DISABLE_TELEMETRY=1 java -jar query-cli/target/query-cli.jar search --model $model -k 3 --grid search_result.png IMAGE..."

if [[ "$mode" == watch ]]; then
  step "Watching $source_dir (Ctrl-C stops)"
  echo "Drop images into it (write to a name starting with '.' and rename when done)."
  echo "Query from another terminal while it runs:"
  echo "  $query"
  "${job[@]}" --mode watch
  exit 0
fi

# 4. Ingest once on an embedded Flink.
step "Ingesting $source_dir on an embedded Flink"
"${job[@]}" --mode once

# 5. Query with a few of the ingested images and draw the grid.
step "Searching"
mapfile -t queries < <(find "$source_dir" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) \
  ! -name '.*' ! -name '_*' | sort | awk 'NR % 13 == 1' | head -n 3)
[[ ${#queries[@]} -gt 0 ]] || { echo "demo.sh: no images in $source_dir to query with" >&2; exit 1; }
java -jar query-cli/target/query-cli.jar search --model "$model" -k 3 \
  --grid "$ROOT/search_result.png" --html "$ROOT/search_result.html" "${queries[@]}"
echo
echo "Result grid: $ROOT/search_result.png (and search_result.html)"
