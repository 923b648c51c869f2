#!/usr/bin/env python3
"""How far an fp16 or int8 encoder (models/convert_precision.py) drifts from its fp32 original,
on real photos, so that users can decide whether the speed is worth it.

For each lower-precision model it prints:
  * cosine between its vector and the fp32 vector of the same photo (mean and min);
  * top-1 neighbour agreement: for each photo, is its nearest other photo (cosine) the same one
    that fp32 finds? And the mean overlap of the top-5 neighbour sets;
  * inference images/s on this machine (ONNX Runtime, CPU, batch 32, after a warm-up batch).

Usage:
    python bench/precision_report.py models/resnet50.onnx models/resnet50-fp16.onnx \\
        models/resnet50-int8.onnx --images samples/images [--threads 2]
Needs onnxruntime, onnx, numpy and Pillow (models/requirements.txt); no torch.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from preprocess import image_files, model_preprocessing, preprocess  # noqa: E402

BATCH = 32


def embed(path, tensors, threads):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    sess.run(None, {name: tensors[:BATCH]})  # warm-up
    out, start = [], time.perf_counter()
    for i in range(0, len(tensors), BATCH):
        out.append(sess.run(None, {name: tensors[i:i + BATCH]})[0])
    seconds = time.perf_counter() - start
    v = np.concatenate(out).reshape(len(tensors), -1).astype(np.float64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v, len(tensors) / seconds


def neighbours(v, k):
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    return np.argsort(-sim, axis=1)[:, :k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference", help="the fp32 model")
    ap.add_argument("others", nargs="+", help="fp16/int8 copies of it")
    ap.add_argument("--images", action="append", required=True,
                    help="folder of real photos (repeatable)")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = ORT default)")
    args = ap.parse_args()

    files = [f for d in args.images for f in image_files(d)]
    if len(files) < 6:
        sys.exit("precision_report.py: need at least 6 photos for neighbour agreement")
    spec = model_preprocessing(onnx.load(args.reference, load_external_data=False))
    tensors = np.stack([preprocess(f, spec) for f in files])
    ref, ref_rate = embed(args.reference, tensors, args.threads)
    ref_top5 = neighbours(ref, 5)

    print(f"{len(files)} photos; ONNX Runtime {ort.__version__} on the CPU, batch {BATCH}")
    print()
    print("| model | MB | images/s | speed vs fp32 | cosine to fp32, mean | min "
          "| top-1 neighbour agreement | top-5 overlap |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {os.path.basename(args.reference)} | {os.path.getsize(args.reference) / 1e6:.0f} "
          f"| {ref_rate:.1f} | 1.00 | 1.000000 | 1.000000 | 1.000 | 1.000 |")
    for path in args.others:
        v, rate = embed(path, tensors, args.threads)
        cos = np.sum(v * ref, axis=1)
        top5 = neighbours(v, 5)
        top1 = float(np.mean(top5[:, 0] == ref_top5[:, 0]))
        overlap = float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(top5, ref_top5)]))
        print(f"| {os.path.basename(path)} | {os.path.getsize(path) / 1e6:.0f} | {rate:.1f} "
              f"| {rate / ref_rate:.2f} | {cos.mean():.6f} | {cos.min():.6f} | {top1:.3f} "
              f"| {overlap:.3f} |")


if __name__ == "__main__":
    main()
