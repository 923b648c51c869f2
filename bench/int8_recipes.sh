#!/usr/bin/env bash
# Makes int8 copies of one fp32 encoder with each recipe that ONNX Runtime's quantization tools
# offer (models/convert_precision.py options), then compares them with bench/precision_report.py on
# a labelled set: precision@1, recall@10 of the fp32 neighbours, cosine to fp32, images/s.
#
#   bench/int8_recipes.sh MODEL.onnx LABELLED_DIR CALIBRATION_DIR [OUT_DIR] [PHOTO_DIR]
#
# CALIBRATION_DIR: images like the labelled ones but none of them (make_labelled_set.py
# --calibration-out writes such a folder); PHOTO_DIR (optional): a second calibration source, e.g.
# samples/images, for the "calibrated on other images" rows. PYTHON (default python3) needs
# models/requirements.txt. Each model is converted once and its vectors cached under OUT_DIR
# (default /tmp/int8-recipes); quality is measured first, then one interleaved speed run over all
# models (SPEED=0 skips it; ROUNDS, default 2, sets its rounds). Takes 30-60 min on 2 cores.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,14p' "$0"; exit 2; }
MODEL=$1 LABELLED=$2 CALIB=$3 OUT=${4:-/tmp/int8-recipes} PHOTOS=${5:-}
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
STEM=$(basename "$MODEL" .onnx)
mkdir -p "$OUT"

# name | convert_precision.py options (calibration folder: @C = CALIBRATION_DIR, @P = PHOTO_DIR).
# "default" is convert_precision.py's own recipe; every other row changes one thing from the
# baseline B: QDQ, per-channel, U8S8, MinMax on 128 images, first and last conv in float.
B="--calibration-dir @C --calibration-method minmax --calibration-count 128"
RECIPES=(
  "default|--calibration-dir @C"
  "minmax|$B"
  "minmax-256|$B --calibration-count 256"
  "percentile|$B --calibration-method percentile"
  "percentile-99.99|$B --calibration-method percentile --percentile 99.99"
  "percentile-99.9999|$B --calibration-method percentile --percentile 99.9999"
  "percentile-256|$B --calibration-method percentile --calibration-count 256"
  "entropy|$B --calibration-method entropy"
  "qoperator|$B --format qoperator"
  "qoperator-float-first-only|$B --format qoperator --float-last 0"
  "qoperator-percentile|$B --format qoperator --float-last 0 --calibration-method percentile"
  "per-tensor|$B --no-per-channel"
  "s8s8|$B --activations s8"
  "reduce-range|$B --reduce-range"
  "all-int8|$B --float-first 0 --float-last 0"
  "float-first-only|$B --float-last 0"
  "unoptimised-graph|$B --skip-graph-optimisation"
)
if [ -n "$PHOTOS" ]; then
  RECIPES+=("photos-64|--calibration-dir @P --calibration-method minmax --calibration-count 64")
fi

models=()
for r in "${RECIPES[@]}"; do
  name=${r%%|*} opts=${r#*|}
  opts=${opts//@C/$CALIB}
  opts=${opts//@P/$PHOTOS}
  out="$OUT/$STEM.int8-$name.onnx"
  if [ ! -f "$out" ]; then
    echo "== $name: convert_precision.py $opts" >&2
    # shellcheck disable=SC2086
    "$PY" "$HERE/../models/convert_precision.py" "$MODEL" --precision int8 $opts --output "$out" \
      > "$OUT/$STEM.int8-$name.log" 2>&1 || { echo "   failed, see $OUT/$STEM.int8-$name.log" >&2; continue; }
  fi
  models+=("$out")
done

"$PY" "$HERE/precision_report.py" "$MODEL" "${models[@]}" --labelled "$LABELLED" \
  --cache "$OUT/vectors" --no-speed --json "$OUT/$STEM-quality.json" | tee "$OUT/$STEM-quality.md"
if [ "${SPEED:-1}" != 0 ]; then
  "$PY" "$HERE/precision_report.py" "$MODEL" "${models[@]}" --labelled "$LABELLED" \
    --cache "$OUT/vectors" --rounds "${ROUNDS:-2}" --json "$OUT/$STEM-speed.json" \
    | tee "$OUT/$STEM-speed.md"
fi
