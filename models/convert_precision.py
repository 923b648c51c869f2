#!/usr/bin/env python3
"""Write an fp16 or a statically calibrated int8 copy of an fp32 ONNX image encoder.

The copy keeps the fp32 model's interface (float32 ``input`` [N, 3, H, W] in, float32 output) and
its preprocessing metadata (``imgsearch.*``), and is a different model: ``imgsearch.name`` gets a
``-fp16`` / ``-int8`` suffix (the job and the CLI store it as the vector's model id, so a
collection never mixes vectors of two precisions), ``imgsearch.precision`` says which it is and,
for int8, ``imgsearch.int8_recipe`` how it was made. By default it is written beside the fp32 file
as ``NAME.fp16.onnx`` / ``NAME.int8.onnx`` (models/resnet50.onnx -> models/resnet50.int8.onnx).

  fp16  weights and activations in float16, inputs and outputs kept float32. Meant for GPUs: on a
        CPU, ONNX Runtime inserts casts and runs it slower than fp32.
  int8  static quantization calibrated on real images (--calibration-dir: photos like the ones you
        will ingest, never the images you evaluate it on). Default recipe, chosen with
        bench/precision_report.py on a labelled set (bench/README.md has the comparison): QDQ
        format, per-channel symmetric int8 weights, asymmetric uint8 activations (U8S8), ranges
        from the 99.999th percentile of 256 calibration images, the first convolution (and the
        input scaling before it) and the last convolution (and everything after it) in float.
        Before calibrating, the graph is optimised with ONNX Runtime's basic level (constant
        folding, redundant Cast / Identity / Transpose removal) and per-channel Sub / Mul / Add
        after a convolution (an unfused batch norm) is folded into its weights, so that each
        convolution quantizes as one QLinearConv.
        Fast on CPUs with VNNI (AVX-512 VNNI, AVX-VNNI) or AMX; check the drift on your images
        with bench/precision_report.py before you rely on it.

Usage:
    python models/convert_precision.py models/resnet50.onnx --precision fp16
    python models/convert_precision.py models/resnet50.onnx --precision int8 \\
        --calibration-dir ~/Pictures [--calibration-count 256]
    # other recipes (see --help): --format qoperator, --calibration-method entropy|percentile,
    #   --activations s8, --reduce-range, --no-per-channel, --float-first 0, --float-last 0

Needs onnx, onnxruntime, numpy and Pillow (models/requirements.txt); no torch.
"""
import argparse
import os
import random
import sys
import tempfile

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from preprocess import image_files, model_preprocessing, preprocess  # noqa: E402

CALIBRATION_BATCH = 8
CALIBRATION_STRIDE = 4  # batches per calibration pass: bounds memory for the histogram methods


def model_name(model, path):
    """imgsearch.name, or the file name without .onnx: the model id the job falls back to."""
    meta = {p.key: p.value for p in model.metadata_props}
    name = meta.get("imgsearch.name", "").strip()
    if name:
        return name
    base = os.path.basename(path)
    return base[:-5] if base.endswith(".onnx") else base


def set_metadata(model, precision, name, extra=()):
    props = {p.key: p for p in model.metadata_props}
    for key, value in (("imgsearch.name", f"{name}-{precision}"),
                       ("imgsearch.precision", precision)) + tuple(extra):
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


def default_output(model_path, precision):
    stem = model_path[:-5] if model_path.endswith(".onnx") else model_path
    return f"{stem}.{precision}.onnx"


def to_fp16(src, dst):
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = onnx.load(src)
    # keep_io_types: the job feeds float32 tensors and reads float32 vectors, whatever the precision.
    half = convert_float_to_float16(model, keep_io_types=True)
    topological_sort(half.graph)
    set_metadata(half, "fp16", model_name(model, src))
    onnx.save(half, dst)


# ---------------------------------------------------------------------------------------------
# int8


class FolderCalibration:
    """Feeds preprocessed images to the calibrator in batches of 8; quantize_static reads it in
    passes of CALIBRATION_STRIDE batches (set_range), so that the histogram calibrators never hold
    the activations of more than 32 images."""

    def __init__(self, tensors, input_name, batch=CALIBRATION_BATCH):
        self.batches = [tensors[i:i + batch] for i in range(0, len(tensors) - batch + 1, batch)]
        self.input_name = input_name
        self.start, self.end, self.pos = 0, len(self.batches), 0

    def __len__(self):
        return len(self.batches)

    def set_range(self, start_index, end_index):
        self.start, self.end, self.pos = start_index, min(end_index, len(self.batches)), start_index

    def get_next(self):
        if self.pos >= self.end:
            return None
        self.pos += 1
        return {self.input_name: self.batches[self.pos - 1]}

    def rewind(self):
        self.pos = self.start


def calibration_tensors(calibration_dir, count, seed, spec):
    files = image_files(calibration_dir)
    if not files:
        sys.exit(f"convert_precision.py: no images under {calibration_dir}; --calibration-dir needs"
                 " a folder of photos like the ones you will ingest")
    random.Random(seed).shuffle(files)
    tensors, skipped = [], 0
    for path in files:
        if len(tensors) >= count:
            break
        try:
            tensors.append(preprocess(path, spec))
        except Exception as e:  # a calibration set from a user's folder may hold bad files
            skipped += 1
            print(f"skipping {path}: {e}", file=sys.stderr)
    # Whole passes only: quantize_static's strided calibration wants len % stride == 0.
    unit = CALIBRATION_BATCH * CALIBRATION_STRIDE
    usable = len(tensors) // unit * unit
    if usable == 0:
        sys.exit(f"convert_precision.py: {len(tensors)} readable images under {calibration_dir};"
                 f" int8 calibration needs at least {unit} (64-256 give steadier ranges)")
    if usable < len(tensors):
        print(f"calibrating on {usable} of the {len(tensors)} images (a multiple of {unit})",
              file=sys.stderr)
    if usable < 64:
        print(f"warning: only {usable} calibration images; 64-256 give steadier ranges",
              file=sys.stderr)
    return np.stack(tensors[:usable])


def optimise_basic(src, dst):
    """ONNX Runtime's basic graph optimisations, saved to dst. (quant_pre_process is meant to do
    this, but with skip_symbolic_shape=True ONNX Runtime 1.29 saves the unoptimised model.)"""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    opts.optimized_model_filepath = dst
    ort.InferenceSession(src, opts, providers=["CPUExecutionProvider"])


def fold_affine_into_conv(model):
    """Folds chains of Sub / Mul / Add by per-output-channel constants that follow a 2-D Conv
    (directly, or behind one Transpose) into the Conv's weights and bias; returns how many chains
    it folded. An unfused batch norm (the Keras InceptionV3 export has one as Sub, Mul, Add after
    every convolution) would otherwise stay in float between each convolution and its ReLU, with
    a dequantize / quantize pair around it."""
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    graph_outputs = {o.name for o in g.output}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def only_consumer(name):
        c = consumers.get(name, [])
        return c[0] if len(c) == 1 and name not in graph_outputs else None

    def per_channel(name, cout, axis):
        k = numpy_helper.to_array(inits[name]).astype(np.float64)
        if k.size == 1:
            return np.full(cout, float(k.reshape(())))
        if k.ndim > 4:
            return None
        shape = (1,) * (4 - k.ndim) + k.shape
        if shape[axis] == cout and k.size == cout:
            return k.reshape(cout)
        return None

    removed, folded = set(), 0
    for conv in list(g.node):
        if conv.op_type != "Conv" or len(conv.input) < 2 or conv.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[conv.input[1]]).astype(np.float32)
        if w.ndim != 4:
            continue
        cout = w.shape[0]
        has_bias = len(conv.input) > 2 and conv.input[2]
        if has_bias and conv.input[2] not in inits:
            continue
        b = (numpy_helper.to_array(inits[conv.input[2]]).astype(np.float64) if has_bias
             else np.zeros(cout, np.float64))
        cur, axis, chain = conv.output[0], 1, []
        scale, shift = np.ones(cout, np.float64), np.zeros(cout, np.float64)
        while True:
            c = only_consumer(cur)
            if c is None:
                break
            if c.op_type == "Transpose" and not chain and axis == 1:
                perm = [list(a.ints) for a in c.attribute if a.name == "perm"]
                if not perm or len(perm[0]) != 4:
                    break
                axis, cur = perm[0].index(1), c.output[0]
                continue
            if c.op_type not in ("Sub", "Mul", "Add") or len(c.input) != 2 or c.input[0] != cur \
                    or c.input[1] not in inits:
                break
            k = per_channel(c.input[1], cout, axis)
            if k is None:
                break
            if c.op_type == "Sub":
                shift -= k
            elif c.op_type == "Add":
                shift += k
            else:
                scale *= k
                shift *= k
            chain.append(c)
            cur = c.output[0]
        if not chain:
            continue
        w_name, b_name = f"{conv.name or conv.output[0]}_W_folded", f"{conv.name or conv.output[0]}_B_folded"
        g.initializer.extend([
            numpy_helper.from_array((w * scale.reshape(-1, 1, 1, 1)).astype(np.float32), w_name),
            numpy_helper.from_array((b * scale + shift).astype(np.float32), b_name)])
        data = conv.input[0]
        del conv.input[:]
        conv.input.extend([data, w_name, b_name])
        # whatever read the chain's result now reads the tensor the chain started from
        start, end = chain[0].input[0], chain[-1].output[0]
        for n in consumers.get(end, []):
            for i, name in enumerate(n.input):
                if name == end:
                    n.input[i] = start
        consumers[start] = consumers.get(end, [])
        removed.update(id(n) for n in chain)
        folded += 1
    keep = [n for n in g.node if id(n) not in removed]
    del g.node[:]
    g.node.extend(keep)
    used = {i for n in g.node for i in n.input}
    unused = [t for t in g.initializer if t.name not in used]
    for t in unused:
        g.initializer.remove(t)
    return folded


def float_nodes(model, first, last):
    """Names of the nodes left in float: the first `first` convolutions and every node before the
    last of them, the last `last` convolutions and every node after the first of them."""
    nodes = list(model.graph.node)
    convs = [i for i, n in enumerate(nodes) if n.op_type == "Conv"]
    keep = set()
    if first and convs:
        keep.update(range(0, convs[min(first, len(convs)) - 1] + 1))
    if last and convs:
        keep.update(range(convs[-min(last, len(convs))], len(nodes)))
    return [nodes[i].name for i in sorted(keep) if nodes[i].name]


def run_model(path, tensors):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    v = sess.run(None, {sess.get_inputs()[0].name: tensors})[0].reshape(len(tensors), -1)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def prepare(src, dst, check):
    """Basic ORT optimisation, batch-norm folding and ONNX shape inference, checked against src."""
    from onnxruntime.quantization.quant_utils import add_pre_process_metadata

    optimise_basic(src, dst)
    model = onnx.load(dst)
    folded = fold_affine_into_conv(model)
    model = onnx.shape_inference.infer_shapes(model)
    add_pre_process_metadata(model)
    onnx.save(model, dst)
    cos = float(np.min(np.sum(run_model(src, check) * run_model(dst, check), axis=1)))
    if cos < 0.99999:
        sys.exit(f"convert_precision.py: the optimised graph of {src} differs from it (cosine"
                 f" {cos:.6f}); please report it, and meanwhile use --skip-graph-optimisation")
    return folded


def to_int8(src, dst, args):
    from onnxruntime import __version__ as ort_version
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    model = onnx.load(src)
    spec = model_preprocessing(model)
    input_name = model.graph.input[0].name
    tensors = calibration_tensors(args.calibration_dir, args.calibration_count, args.seed, spec)

    with tempfile.TemporaryDirectory(prefix="imgsearch-int8-") as tmp:
        prepared = os.path.join(tmp, "prepared.onnx")
        if args.skip_graph_optimisation:
            onnx.save(onnx.shape_inference.infer_shapes(model), prepared)
            folded = 0
        else:
            folded = prepare(src, prepared, tensors[:2])
        excluded = float_nodes(onnx.load(prepared, load_external_data=False),
                               args.float_first, args.float_last)
        if args.format == "qoperator" and args.float_last:
            print("warning: --format qoperator with the last layers in float gave wrong vectors"
                  " (cosine 0.33 to fp32) for a multi-branch model with ONNX Runtime 1.29; check"
                  " with bench/precision_report.py, or add --float-last 0", file=sys.stderr)
        extra = {
            "ActivationSymmetric": args.activations == "s8" and args.symmetric_activations,
            "WeightSymmetric": True,
            "CalibStridedMinMax": CALIBRATION_STRIDE,  # any method: calibrate 32 images at a time
        }
        if args.calibration_method == "percentile":
            extra["CalibPercentile"] = args.percentile
        quantize_static(
            prepared,
            dst,
            FolderCalibration(tensors, input_name),
            quant_format={"qdq": QuantFormat.QDQ, "qoperator": QuantFormat.QOperator}[args.format],
            per_channel=args.per_channel,
            activation_type={"u8": QuantType.QUInt8, "s8": QuantType.QInt8}[args.activations],
            weight_type=QuantType.QInt8,
            calibrate_method={"minmax": CalibrationMethod.MinMax,
                              "percentile": CalibrationMethod.Percentile,
                              "entropy": CalibrationMethod.Entropy}[args.calibration_method],
            reduce_range=args.reduce_range,
            nodes_to_exclude=excluded,
            extra_options=extra,
        )
    method = args.calibration_method + (f" {args.percentile}" if args.calibration_method == "percentile" else "")
    recipe = (f"static {args.format.upper() if args.format == 'qdq' else 'QOperator'}, "
              f"{'per-channel' if args.per_channel else 'per-tensor'} s8 weights, "
              f"{args.activations} activations ({'U8S8' if args.activations == 'u8' else 'S8S8'})"
              f"{', reduce_range' if args.reduce_range else ''}, {method} calibration on"
              f" {len(tensors)} images of {os.path.basename(os.path.normpath(args.calibration_dir))}"
              f" (seed {args.seed}), float: first {args.float_first} / last {args.float_last} conv,"
              f" {folded} affine chains folded, onnxruntime {ort_version}")
    quantized = onnx.load(dst)
    del quantized.metadata_props[:]
    quantized.metadata_props.extend(model.metadata_props)
    base = model_name(model, src)
    set_metadata(quantized, "int8", base, (("imgsearch.int8_recipe", recipe),
                                           ("imgsearch.fp32_name", base)))
    onnx.save(quantized, dst)
    cos = np.sum(run_model(src, tensors[:8]) * run_model(dst, tensors[:8]), axis=1)
    print(f"int8 recipe: {recipe}")
    print(f"cosine to fp32 on 8 calibration images: mean {cos.mean():.5f}, min {cos.min():.5f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="the fp32 ONNX encoder, e.g. models/resnet50.onnx")
    ap.add_argument("--precision", required=True, choices=["fp16", "int8"])
    ap.add_argument("--output", help="default: MODEL.fp16.onnx / MODEL.int8.onnx beside MODEL"
                                     " (models/resnet50.onnx -> models/resnet50.int8.onnx)")
    q = ap.add_argument_group("int8")
    q.add_argument("--calibration-dir", help="a folder of real photos (searched recursively), like"
                                             " the ones you will ingest")
    q.add_argument("--calibration-count", type=int, default=256,
                   help="images used for calibration, rounded down to a multiple of 32 (default 256)")
    q.add_argument("--seed", type=int, default=0, help="which images are picked (default 0)")
    q.add_argument("--calibration-method", default="percentile",
                   choices=["minmax", "percentile", "entropy"],
                   help="how activation ranges are chosen (default percentile: clips the rare"
                        " outliers that widen MinMax ranges)")
    q.add_argument("--percentile", type=float, default=99.999,
                   help="--calibration-method percentile: the percentile kept (default 99.999)")
    q.add_argument("--format", default="qdq", choices=["qdq", "qoperator"],
                   help="QuantizeLinear/DequantizeLinear pairs that ORT fuses (qdq, default), or"
                        " QLinearConv etc. written out (qoperator)")
    q.add_argument("--activations", default="u8", choices=["u8", "s8"],
                   help="activation type: u8 (U8S8, default) or s8 (S8S8); weights are always s8")
    q.add_argument("--symmetric-activations", action="store_true",
                   help="--activations s8: symmetric activation ranges (zero point 0)")
    q.add_argument("--no-per-channel", dest="per_channel", action="store_false",
                   help="one weight scale per tensor instead of one per output channel")
    q.add_argument("--reduce-range", action="store_true",
                   help="7-bit weights: avoids VPMADDUBSW saturation on AVX2 CPUs without VNNI")
    q.add_argument("--float-first", type=int, default=1,
                   help="convolutions left in float at the input, with what precedes them (default 1)")
    q.add_argument("--float-last", type=int, default=1,
                   help="convolutions left in float at the output, with what follows (default 1)")
    q.add_argument("--skip-graph-optimisation", action="store_true",
                   help="quantize the graph as it is (no ORT basic optimisation, no batch-norm folding)")
    args = ap.parse_args()

    if not os.path.isfile(args.model):
        sys.exit(f"convert_precision.py: {args.model} does not exist; export one first with"
                 " models/export_resnet50.py")
    out = args.output or default_output(args.model, args.precision)
    if os.path.abspath(out) == os.path.abspath(args.model):
        sys.exit(f"convert_precision.py: --output {out} would overwrite the fp32 model")
    if args.precision == "fp16":
        to_fp16(args.model, out)
    else:
        if not args.calibration_dir:
            sys.exit("convert_precision.py: --precision int8 needs --calibration-dir DIR (photos"
                     " like the ones you will ingest)")
        to_int8(args.model, out, args)
    onnx.checker.check_model(out)
    print(f"wrote {out} ({os.path.getsize(out) / 1e6:.1f} MB, {args.precision})")


if __name__ == "__main__":
    main()
