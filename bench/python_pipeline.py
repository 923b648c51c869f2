#!/usr/bin/env python3
"""The best plain-Python pipeline at the job's fidelity, for ./bench.sh to compare the job with:
OpenCV decode (IMREAD_COLOR_RGB; the same pixels as PIL's) + PIL's bilinear Resize(256) +
CenterCrop(224) + numpy normalize on a background thread, batches of 32 into ONNX Runtime (fp32 or
whatever the model is), 2 intra-op threads, full graph optimization. The decode thread fills a
queue of two batches ahead, so decoding overlaps inference as the job's operators do.

Prints "RESULT images_per_s=R processed=N ..." like the other benches: R is the steady rate, from
the end of the first batch (the warm-up) to the last.

Usage: python bench/python_pipeline.py MODEL FOLDER [--batch 32] [--threads 2]
"""
import argparse
import os
import queue
import sys
import threading
import time

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnxruntime as ort
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decode_rate import cv2_decode, normalize, resize_crop  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from preprocess import image_files  # noqa: E402


def producer(files, batch, out):
    tensors = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        tensors.append(normalize(resize_crop(Image.fromarray(cv2_decode(data)))))
        if len(tensors) == batch:
            out.put(np.stack(tensors))
            tensors = []
    if tensors:
        out.put(np.stack(tensors))
    out.put(None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("folder")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    files = image_files(args.folder)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    t0 = time.perf_counter()
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    batches = queue.Queue(maxsize=2)
    threading.Thread(target=producer, args=(files, args.batch, batches), daemon=True).start()

    done = 0
    first_end = None
    first_done = 0
    while (batch := batches.get()) is not None:
        session.run(None, {name: batch})
        done += len(batch)
        if first_end is None:
            first_end, first_done = time.perf_counter(), done
    end = time.perf_counter()
    steady = (done - first_done) / (end - first_end) if done > first_done else done / (end - t0)
    print(f"python pipeline: {done} images in {end - t0:.1f} s (session load included)")
    print(
        f"RESULT images_per_s={steady:.2f} processed={done} wall_s={end - t0:.2f}"
        f" batch={args.batch} threads={args.threads}"
    )


if __name__ == "__main__":
    main()
