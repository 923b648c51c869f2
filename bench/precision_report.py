#!/usr/bin/env python3
"""Retrieval quality and CPU speed of fp16 / int8 copies of an encoder against its fp32 original,
on a labelled image set (one folder per class), so that a user can see what int8 costs in search
quality before switching (models/convert_precision.py makes the copies).

For every model it prints:
  * precision@1, leave-one-out: for each image, is its nearest other image (cosine) in the same
    class? This is what a search user sees; the fp32 figure is the baseline.
  * recall@10 of the fp32 neighbours: the mean share of each image's 10 nearest fp32 neighbours
    that this model also puts in its 10 nearest;
  * top-1 kept: the share of images whose nearest neighbour is the same as with fp32;
  * cosine between its vector and the fp32 vector of the same image (mean and min);
  * images/s on this CPU: ONNX Runtime, CPU provider, batch 32, --threads intra-op threads,
    models timed in turn (A B C A B C ...) for --rounds rounds, best round kept, after warm-up.
The CPU model, its AVX2 / AVX-512 / VNNI / AMX flags and the load average are printed with it:
speeds are only comparable within one run.

The labelled set: any folder whose sub-folders are classes (images may sit deeper; the label is
the folder that holds the file, relative to the set). bench/make_labelled_set.py builds one of
97 classes from Debian's openclipart-png package; see bench/README.md.

Usage:
    python bench/precision_report.py models/resnet50.onnx models/resnet50.fp16.onnx \\
        models/resnet50.int8.onnx --labelled /tmp/openclipart/labelled [--threads 2]
    ... --no-speed                 quality only
    ... --cache /tmp/vectors       reuse the vectors of a model file already measured
    ... --json report.json         the same figures, machine-readable
Needs onnxruntime, onnx, numpy and Pillow (models/requirements.txt); no torch.
"""
import argparse
import hashlib
import json
import os
import platform
import sys
import time

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from preprocess import image_files, model_preprocessing, preprocess  # noqa: E402

CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8",
             "amx_tile")


def cpu_description():
    """'MODEL NAME; flags: avx2 avx512f ...' from /proc/cpuinfo (Linux), else platform info."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and name in ("", platform.machine(), platform.processor()):
                    name = value.strip()
                elif key == "flags":
                    flags = set(value.split())
    except OSError:
        pass
    found = [f for f in CPU_FLAGS if f in flags]
    return f"{name} ({os.cpu_count()} logical CPUs); flags: {' '.join(found) or 'none of ' + ' '.join(CPU_FLAGS)}"


def load_average():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "n/a"


def labelled_files(folder):
    files = image_files(folder)
    labels = [os.path.relpath(os.path.dirname(f), folder) for f in files]
    counts = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if "." in counts:
        sys.exit(f"precision_report.py: {counts['.']} images lie directly in {folder}; a labelled set"
                 " has one sub-folder per class (bench/make_labelled_set.py builds one)")
    usable = sum(1 for c in counts.values() if c >= 2)
    if usable < 2:
        sys.exit(f"precision_report.py: {folder} needs at least 2 class folders with 2+ images each"
                 f" (found {len(counts)} classes, {len(files)} images)")
    return files, labels, counts


def metadata(path):
    model = onnx.load(path, load_external_data=False)
    return model, {p.key: p.value for p in model.metadata_props}


def session(path, threads):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def run_batches(sess, tensors, batch):
    name = sess.get_inputs()[0].name
    out = [sess.run(None, {name: tensors[i:i + batch]})[0] for i in range(0, len(tensors), batch)]
    v = np.concatenate(out).reshape(len(tensors), -1).astype(np.float64)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def cache_key(path, files, spec, batch):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    for f in files:
        st = os.stat(f)
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    h.update(repr((spec[0], spec[1], spec[2].tolist(), spec[3].tolist(), batch, ort.__version__)).encode())
    return h.hexdigest()[:24]


def neighbours(v, k):
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    # argpartition then sort: exact top-k without sorting every row
    idx = np.argpartition(-sim, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sim, idx, axis=1), axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference", help="the fp32 model")
    ap.add_argument("others", nargs="*", help="fp16 / int8 copies of it (models/convert_precision.py)")
    ap.add_argument("--labelled", required=True,
                    help="folder with one sub-folder of images per class (bench/make_labelled_set.py)")
    ap.add_argument("--threads", type=int, default=2, help="ORT intra-op threads (default 2)")
    ap.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="speed: timed rounds over all models, interleaved; best kept (default 2)")
    ap.add_argument("--timing-batches", type=int, default=4,
                    help="speed: batches timed per model per round (default 4)")
    ap.add_argument("--no-speed", action="store_true", help="quality only")
    ap.add_argument("--cache", help="folder for the vectors of each model file (reused when the"
                                    " model file, the images and ORT are unchanged)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    paths = [args.reference] + args.others
    for p in paths:
        if not os.path.isfile(p):
            sys.exit(f"precision_report.py: {p} does not exist (models/convert_precision.py writes"
                     " the fp16 / int8 copies)")
    if not os.path.isdir(args.labelled):
        sys.exit(f"precision_report.py: {args.labelled} is not a folder; build one with"
                 " bench/make_labelled_set.py (see bench/README.md)")
    files, labels, counts = labelled_files(args.labelled)
    labels = np.array(labels)
    cpu = cpu_description()
    load_before = load_average()

    models, specs = [], {}
    for p in paths:
        model, meta = metadata(p)
        spec = model_preprocessing(model)
        specs.setdefault(repr((spec[0], spec[1], spec[2].tolist(), spec[3].tolist())), spec)
        models.append({"path": p, "meta": meta,
                       "spec_key": repr((spec[0], spec[1], spec[2].tolist(), spec[3].tolist()))})
        del model
    tensors = {}
    t0 = time.perf_counter()
    for key, spec in specs.items():
        tensors[key] = np.stack([preprocess(f, spec) for f in files])
    prep_s = time.perf_counter() - t0

    sessions = {}
    for m in models:
        spec = specs[m["spec_key"]]
        vec = None
        if args.cache:
            os.makedirs(args.cache, exist_ok=True)
            cfile = os.path.join(args.cache, cache_key(m["path"], files, spec, args.batch) + ".npy")
            if os.path.exists(cfile):
                vec = np.load(cfile)
        if vec is None:
            sess = session(m["path"], args.threads)
            sessions[m["path"]] = sess
            t0 = time.perf_counter()
            vec = run_batches(sess, tensors[m["spec_key"]], args.batch)
            m["embed_s"] = time.perf_counter() - t0
            if args.cache:
                np.save(cfile, vec)
        m["vectors"] = vec

    # Speed: the same timed batches for every model, in turn, best of --rounds.
    if not args.no_speed:
        n = min(len(files), args.batch * args.timing_batches)
        for m in models:
            if m["path"] not in sessions:
                sessions[m["path"]] = session(m["path"], args.threads)
                run_batches(sessions[m["path"]], tensors[m["spec_key"]][:args.batch], args.batch)
            m["rates"] = []
        for _ in range(args.rounds):
            for m in models:
                sub = tensors[m["spec_key"]][:n]
                t0 = time.perf_counter()
                run_batches(sessions[m["path"]], sub, args.batch)
                m["rates"].append(n / (time.perf_counter() - t0))
    load_after = load_average()

    ref = models[0]["vectors"]
    ref_nn = neighbours(ref, 10)
    for m in models:
        v = m["vectors"]
        if v.shape != ref.shape:
            sys.exit(f"precision_report.py: {m['path']} gives {v.shape[1]}-d vectors, the reference"
                     f" {ref.shape[1]}-d: not a copy of the same model")
        nn = neighbours(v, 10)
        cos = np.sum(v * ref, axis=1)
        m["p_at_1"] = float(np.mean(labels[nn[:, 0]] == labels))
        m["recall_at_10"] = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(nn, ref_nn)]))
        m["top1_kept"] = float(np.mean(nn[:, 0] == ref_nn[:, 0]))
        m["cos_mean"], m["cos_min"] = float(cos.mean()), float(cos.min())
        if m.get("rates"):
            m["images_per_s"] = max(m["rates"])

    print(f"CPU: {cpu}")
    print(f"load average before / after: {load_before} / {load_after}; ONNX Runtime {ort.__version__},"
          f" CPU provider, batch {args.batch}, {args.threads} intra-op threads")
    print(f"labelled set: {args.labelled}: {len(files)} images in {len(counts)} classes"
          f" (preprocessed in {prep_s:.0f} s)")
    if not args.no_speed:
        print(f"speed: {args.rounds} interleaved rounds of {min(len(files), args.batch * args.timing_batches)}"
              " images per model, best round")
    print()
    print("| model | name | precision | MB | P@1 | ΔP@1 | recall@10 of fp32 | top-1 kept "
          "| cosine to fp32, mean | min | images/s | × fp32 |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base_rate = models[0].get("images_per_s")
    for m in models:
        rate = m.get("images_per_s")
        rate_s = f"{rate:.1f}" if rate else "–"
        ratio_s = f"{rate / base_rate:.2f}" if rate and base_rate else "–"
        print(f"| {os.path.basename(m['path'])} | {m['meta'].get('imgsearch.name', '')} "
              f"| {m['meta'].get('imgsearch.precision', 'fp32')} "
              f"| {os.path.getsize(m['path']) / 1e6:.0f} | {m['p_at_1']:.3f} "
              f"| {m['p_at_1'] - models[0]['p_at_1']:+.3f} | {m['recall_at_10']:.3f} "
              f"| {m['top1_kept']:.3f} | {m['cos_mean']:.5f} | {m['cos_min']:.5f} | {rate_s} | {ratio_s} |")
    for m in models:
        if "imgsearch.int8_recipe" in m["meta"]:
            print(f"\n{os.path.basename(m['path'])}: {m['meta']['imgsearch.int8_recipe']}")

    if args.json:
        out = {"cpu": cpu, "load_before": load_before, "load_after": load_after,
               "onnxruntime": ort.__version__, "batch": args.batch, "threads": args.threads,
               "images": len(files), "classes": len(counts), "labelled": args.labelled,
               "models": [{k: v for k, v in m.items() if k not in ("vectors", "spec_key")}
                          for m in models]}
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
