#!/usr/bin/env bash
# Runs imgsearch on Docker: Milvus standalone and a Flink cluster with a GPU TaskManager.
#   docker/run.sh up [--cuda 12|13]  build the job and the image, start Milvus and Flink; the
#                                    TaskManager image is CUDA 12 (default; NVIDIA driver 525 or
#                                    later) or CUDA 13 (driver 580 or later), also IMGSEARCH_CUDA
#   docker/run.sh submit [ARGS...]   submit the job (watch mode over docker/data/watch); extra
#                                    ARGS go to the job, e.g. --device cpu or --batch-size 128
#   docker/run.sh down               stop everything (data stays in docker/data)
# Needs Docker with the NVIDIA container toolkit, Java 17 and Maven, and a model in models/
# (models/export_resnet50.py writes models/resnet50.onnx).
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
compose() { docker compose -f docker-compose.yml "$@"; }
# The variant chosen at `up` (kept in data/cuda), so that submit and down name the same image.
if [[ -z "${IMGSEARCH_CUDA:-}" && -f data/cuda ]]; then
  export IMGSEARCH_CUDA="$(cat data/cuda)"
fi

case "${1:-}" in
  up)
    shift
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --cuda) export IMGSEARCH_CUDA="${2:-}"; shift 2 || shift ;;
        --cuda=*) export IMGSEARCH_CUDA="${1#--cuda=}"; shift ;;
        *) echo "docker/run.sh up: unknown option '$1' (use --cuda 12 or --cuda 13)" >&2; exit 2 ;;
      esac
    done
    case "${IMGSEARCH_CUDA:=12}" in
      12|13) export IMGSEARCH_CUDA ;;
      *) echo "docker/run.sh up: --cuda must be 12 or 13, not '$IMGSEARCH_CUDA'" >&2; exit 2 ;;
    esac
    (cd "$ROOT" && mvn -B -ntp -q package -DskipTests -pl flink-job -am)
    mkdir -p data/watch data/dead-letter data/checkpoints
    echo "$IMGSEARCH_CUDA" > data/cuda
    echo "TaskManager image: imgsearch-flink:2.3.0-cuda$IMGSEARCH_CUDA (CUDA $IMGSEARCH_CUDA)"
    compose up -d --build
    echo "Flink UI: http://127.0.0.1:8081   Milvus: http://127.0.0.1:19530"
    ;;
  submit)
    shift
    [[ -f "$ROOT/models/resnet50.onnx" ]] || {
      echo "models/resnet50.onnx is missing: run models/export_resnet50.py first" >&2
      exit 1
    }
    compose exec jobmanager flink run -d /opt/flink/usrlib/flink-job.jar \
      --source /data/watch --model /models/resnet50.onnx \
      --milvus-uri http://milvus:19530 --dead-letter /data/dead-letter \
      --device auto --batch-size 128 "$@"
    echo "Drop images into docker/data/watch, then query from this machine:"
    echo "  ORT_DISABLE_TELEMETRY=1 java -jar query-cli/target/query-cli.jar search --model models/resnet50.onnx IMAGE.jpg --grid result.png"
    ;;
  down)
    compose down
    ;;
  *)
    sed -n '2,10p' "$SELF"
    exit 2
    ;;
esac
