#!/usr/bin/env python3
"""Write an fp16 or a statically calibrated int8 (QDQ) copy of an fp32 ONNX image encoder.

The copy keeps the fp32 model's interface (float32 ``input`` [N, 3, H, W] in, float32 output), its
preprocessing metadata (``imgsearch.*``), and gets ``imgsearch.precision`` plus a name suffix, so
the job and the CLI use it unchanged and Milvus records which model made each vector.

  fp16  weights and activations in float16, inputs and outputs kept float32. Meant for GPUs: on a
        CPU, ONNX Runtime inserts casts and runs it no faster than fp32.
  int8  static quantization, QDQ format, per-channel int8 weights, uint8 activations, calibrated on
        real images (--calibration-dir: use photos from the folder you will ingest). Fast on CPUs,
        with some drift: measure it with bench/precision_report.py before you rely on it.

Usage:
    python models/convert_precision.py models/resnet50.onnx --precision fp16
    python models/convert_precision.py models/resnet50.onnx --precision int8 \\
        --calibration-dir ~/Pictures --calibration-count 64

Needs onnx, onnxruntime, numpy and Pillow (models/requirements.txt); no torch.
"""
import argparse
import os
import random
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from preprocess import image_files, model_preprocessing, preprocess  # noqa: E402


def set_metadata(model, precision):
    props = {p.key: p for p in model.metadata_props}
    name = props["imgsearch.name"].value if "imgsearch.name" in props else "encoder"
    for key, value in (("imgsearch.name", f"{name}-{precision}"),
                       ("imgsearch.precision", precision)):
        if key in props:
            props[key].value = value
        else:
            p = model.metadata_props.add()
            p.key, p.value = key, value


def topological_sort(graph):
    """Puts nodes after their producers: the converter appends its input casts at the end."""
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending, ordered = list(graph.node), []
    while pending:
        ready = [n for n in pending if all(i in available for i in n.input)]
        if not ready:
            sys.exit("convert_precision.py: the converted graph has a cycle; please report it")
        for n in ready:
            ordered.append(n)
            available.update(n.output)
        pending = [n for n in pending if n not in ready]
    del graph.node[:]
    graph.node.extend(ordered)


def to_fp16(src, dst):
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = onnx.load(src)
    # keep_io_types: the job feeds float32 tensors and reads float32 vectors, whatever the precision.
    half = convert_float_to_float16(model, keep_io_types=True)
    topological_sort(half.graph)
    set_metadata(half, "fp16")
    onnx.save(half, dst)


class FolderCalibration:
    """Feeds preprocessed images to the calibrator, one batch of 8 at a time."""

    def __init__(self, files, input_name, spec, batch=8):
        self.files, self.input_name, self.spec, self.batch = files, input_name, spec, batch
        self.pos = 0

    def get_next(self):
        # Full batches only: the histogram calibrators cannot stack batches of different sizes.
        tensors = []
        while self.pos < len(self.files) and len(tensors) < self.batch:
            path = self.files[self.pos]
            self.pos += 1
            try:
                tensors.append(preprocess(path, self.spec))
            except Exception as e:  # a calibration set from a user's folder may hold bad files
                print(f"skipping {path}: {e}", file=sys.stderr)
        if len(tensors) < self.batch:
            return None
        return {self.input_name: np.stack(tensors)}

    def rewind(self):
        self.pos = 0


def to_int8(src, dst, calibration_dir, count, seed, reduce_range, method):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    files = image_files(calibration_dir)
    if not files:
        sys.exit(f"convert_precision.py: no images under {calibration_dir}; --calibration-dir needs"
                 " a folder of photos like the ones you will ingest")
    random.Random(seed).shuffle(files)
    files = files[:count]
    if len(files) < 8:
        sys.exit(f"convert_precision.py: {len(files)} images under {calibration_dir}; int8"
                 " calibration needs at least 8 (32-128 give steadier ranges)")
    if len(files) < 16:
        print(f"warning: only {len(files)} calibration images; 32-128 give steadier ranges",
              file=sys.stderr)
    model = onnx.load(src)
    spec = model_preprocessing(model)
    input_name = model.graph.input[0].name

    prepared = dst + ".prep.onnx"
    try:
        # Shape inference and graph clean-up first, as ONNX Runtime recommends before quantizing.
        quant_pre_process(src, prepared, skip_symbolic_shape=True)
        quantize_static(
            prepared,
            dst,
            FolderCalibration(files, input_name, spec),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method={"minmax": CalibrationMethod.MinMax,
                              "percentile": CalibrationMethod.Percentile,
                              "entropy": CalibrationMethod.Entropy}[method],
            # CPUs without VNNI multiply u8 x s8 with VPMADDUBSW, which can saturate; 7-bit weights
            # (reduce_range) avoid that at a small cost in precision.
            reduce_range=reduce_range,
            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
        )
    finally:
        if os.path.exists(prepared):
            os.remove(prepared)
    quantized = onnx.load(dst)
    del quantized.metadata_props[:]
    quantized.metadata_props.extend(model.metadata_props)
    set_metadata(quantized, "int8")
    onnx.save(quantized, dst)
    print(f"calibrated on {len(files)} images from {calibration_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="the fp32 ONNX encoder, e.g. models/resnet50.onnx")
    ap.add_argument("--precision", required=True, choices=["fp16", "int8"])
    ap.add_argument("--output", help="default: MODEL with -fp16/-int8 before .onnx")
    ap.add_argument("--calibration-dir", help="int8: a folder of real photos (searched recursively)")
    ap.add_argument("--calibration-count", type=int, default=64,
                    help="int8: images used for calibration (default 64)")
    ap.add_argument("--seed", type=int, default=0, help="int8: which images are picked (default 0)")
    ap.add_argument("--calibration-method", default="percentile",
                    choices=["minmax", "percentile", "entropy"],
                    help="int8: how activation ranges are chosen (default percentile: clips the"
                         " rare outliers that minmax lets widen every range)")
    ap.add_argument("--reduce-range", action="store_true",
                    help="int8: 7-bit weights, for CPUs without VNNI if int8 drifts too far")
    args = ap.parse_args()

    if not os.path.isfile(args.model):
        sys.exit(f"convert_precision.py: {args.model} does not exist; export one first with"
                 " models/export_resnet50.py")
    out = args.output or f"{os.path.splitext(args.model)[0]}-{args.precision}.onnx"
    if args.precision == "fp16":
        to_fp16(args.model, out)
    else:
        if not args.calibration_dir:
            sys.exit("convert_precision.py: --precision int8 needs --calibration-dir DIR (photos"
                     " like the ones you will ingest)")
        to_int8(args.model, out, args.calibration_dir, args.calibration_count, args.seed,
                args.reduce_range, args.calibration_method)
    onnx.checker.check_model(out)
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.1f} MB, {args.precision})")


if __name__ == "__main__":
    main()
