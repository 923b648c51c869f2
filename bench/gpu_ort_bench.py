#!/usr/bin/env python3
"""GPU throughput of an ONNX encoder under ONNX Runtime's CUDA provider, for sizing a GPU
TaskManager: images/s per batch size, for each way of feeding the batch.

Feeds, per batch size:
  run       session.run() with a numpy array: ORT copies pageable host memory to the GPU and the
            output back, every batch. This is what the Java job does (its API has no IO binding).
  pinned    IO binding, the batch copied from a pinned host buffer into a GPU buffer first
            (needs torch for the pinned allocation), output left on the GPU then copied back.
  resident  IO binding with the batch already on the GPU: the model's compute alone, an upper
            bound that no pipeline reading files reaches.
Each figure is the median of --repeats timed passes over --batches batches, after warm-up (the
first run with cudnn_conv_algo_search=EXHAUSTIVE tries every convolution algorithm).

Usage:
    python bench/gpu_ort_bench.py MODEL.onnx [--batch-sizes 32,128,256] [--device 0]
        [--conv-algo EXHAUSTIVE|HEURISTIC|DEFAULT] [--mem-limit-gb 8]
Needs onnxruntime-gpu (CUDA 12 or 13 build matching the machine), numpy; torch for 'pinned'.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnxruntime as ort


def session(model, device, conv_algo, mem_limit_gb):
    cuda = {
        "device_id": device,
        "cudnn_conv_algo_search": conv_algo,
        "arena_extend_strategy": "kSameAsRequested",
        "gpu_mem_limit": int(mem_limit_gb * (1 << 30)),
    }
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(model, opts, providers=[("CUDAExecutionProvider", cuda),
                                                        "CPUExecutionProvider"])
    if sess.get_providers()[0] != "CUDAExecutionProvider":
        sys.exit(f"gpu_ort_bench.py: the CUDA provider did not load ({sess.get_providers()})")
    return sess


def timed(fn, batches, repeats):
    fn()
    fn()  # warm-up: algorithm search, arena growth
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batches):
            fn()
        rates.append(time.perf_counter() - start)
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--batch-sizes", default="32,128,256")
    ap.add_argument("--device", type=int, default=0)
    ap.add_argument("--conv-algo", default="EXHAUSTIVE")
    ap.add_argument("--mem-limit-gb", type=float, default=16)
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    if hasattr(ort, "preload_dlls"):
        ort.preload_dlls()  # CUDA and cuDNN from pip's nvidia-* packages, where they are installed
    sess = session(args.model, args.device, args.conv_algo, args.mem_limit_gb)
    inp, out = sess.get_inputs()[0], sess.get_outputs()[0]
    try:
        import torch
    except ImportError:
        torch = None
    print(f"model {args.model}; onnxruntime {ort.__version__}; providers {sess.get_providers()};"
          f" conv algo {args.conv_algo}")
    print("| batch | run: images/s | pinned: images/s | resident: images/s |")
    print("|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for n in (int(b) for b in args.batch_sizes.split(",")):
        x = rng.standard_normal((n, 3, 224, 224), dtype=np.float32)
        r_run = n * args.batches / timed(lambda: sess.run([out.name], {inp.name: x}),
                                         args.batches, args.repeats)

        x_dev = ort.OrtValue.ortvalue_from_numpy(x, "cuda", args.device)
        io = sess.io_binding()
        io.bind_ortvalue_input(inp.name, x_dev)
        io.bind_output(out.name, "cuda", args.device)
        r_res = n * args.batches / timed(lambda: sess.run_with_iobinding(io),
                                         args.batches, args.repeats)

        r_pin = float("nan")
        if torch is not None:
            host = torch.from_numpy(x).pin_memory()
            dev = torch.empty_like(host, device=f"cuda:{args.device}")
            io2 = sess.io_binding()
            io2.bind_input(inp.name, "cuda", args.device, np.float32, list(x.shape),
                           dev.data_ptr())
            io2.bind_output(out.name, "cuda", args.device)

            def pinned():
                dev.copy_(host, non_blocking=True)
                torch.cuda.synchronize()
                sess.run_with_iobinding(io2)
                io2.copy_outputs_to_cpu()

            r_pin = n * args.batches / timed(pinned, args.batches, args.repeats)
        print(f"| {n} | {r_run:.0f} | {r_pin:.0f} | {r_res:.0f} |", flush=True)


if __name__ == "__main__":
    main()
