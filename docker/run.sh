#!/usr/bin/env bash
# Runs imgsearch on Docker: Milvus standalone and a Flink cluster with a GPU TaskManager.
#   docker/run.sh up                 build the job and the image, start Milvus and Flink
#   docker/run.sh submit [ARGS...]   submit the job (watch mode over docker/data/watch); extra
#                                    ARGS go to the job, e.g. --device cpu or --batch-size 128
#   docker/run.sh down               stop everything (data stays in docker/data)
# Needs Docker with the NVIDIA container toolkit, Java 17 and Maven, and a model in models/
# (models/export_resnet50.py writes models/resnet50.onnx).
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
compose() { docker compose -f docker-compose.yml "$@"; }

case "${1:-}" in
  up)
    (cd "$ROOT" && mvn -B -ntp -q package -DskipTests -pl flink-job -am)
    mkdir -p data/watch data/dead-letter data/checkpoints
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
    echo "  java -jar query-cli/target/query-cli.jar search --model models/resnet50.onnx IMAGE.jpg --grid result.png"
    ;;
  down)
    compose down
    ;;
  *)
    sed -n '2,9p' "$0"
    exit 2
    ;;
esac
