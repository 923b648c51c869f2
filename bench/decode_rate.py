#!/usr/bin/env python3
"""How many images/s of decode + Resize(256) + CenterCrop(224) + ToTensor/Normalize Python's exact
paths deliver on a machine's CPU cores, to compare with the Java path (DecodePreprocessBench) in
the same run and with a GPU's inference rate.

Paths, each giving the tensor torchvision gives (PIL's bilinear resize with its antialiasing):
  pil      PIL decode + exif_transpose + PIL resize + crop + numpy normalize (models/preprocess.py)
  cv2-pil  OpenCV decode (IMREAD_COLOR_RGB) + Image.fromarray + PIL resize + crop + numpy normalize

The images are read into memory once and cycled through, as DecodePreprocessBench does; N workers
are N processes, each looping for --seconds. Each figure is the best of --rounds rounds, the paths
interleaved within a round. --stages adds a per-stage profile on one worker (process CPU time).

Usage: python bench/decode_rate.py FOLDER [--workers 1,2] [--paths pil,cv2-pil] [--seconds 3]
       [--rounds 2] [--stages]
"""
import argparse
import io
import multiprocessing as mp
import os
import sys
import time

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from preprocess import image_files  # noqa: E402

RESIZE, CROP = 256, 224
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def _cv2():
    import cv2
    cv2.setNumThreads(1)  # one image per worker, as the Java decoders run
    return cv2


def resize_crop(im):
    """torchvision Resize(256) + CenterCrop(224) on a PIL image."""
    w, h = im.size
    size = (RESIZE, int(RESIZE * h / w)) if w <= h else (int(RESIZE * w / h), RESIZE)
    im = im.resize(size, Image.BILINEAR)
    w, h = im.size
    top = int(round((h - CROP) / 2.0))
    left = int(round((w - CROP) / 2.0))
    return im.crop((left, top, left + CROP, top + CROP))


def normalize(im):
    x = np.asarray(im, dtype=np.float32) / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1).copy()


def pil_decode(data):
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def path_pil(data):
    im = ImageOps.exif_transpose(pil_decode(data)).convert("RGB")
    return normalize(resize_crop(im))


def cv2_decode(data):
    cv2 = _cv2()
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR_RGB)


def path_cv2_pil(data):
    return normalize(resize_crop(Image.fromarray(cv2_decode(data))))


PATHS = {"pil": path_pil, "cv2-pil": path_cv2_pil}

_files = []


def _init(files):
    global _files
    _files = files


def _loop(args):
    """One worker: run a path over the in-memory files until the deadline: (images, CPU s)."""
    name, deadline, offset = args
    fn = PATHS[name]
    n = 0
    i = offset
    c0 = time.process_time()
    while time.time() < deadline:
        fn(_files[i % len(_files)])
        n += 1
        i += 1
    return n, time.process_time() - c0


def rate(pool, name, workers, seconds):
    """(images/s on the wall clock, CPU ms per image) of `workers` processes."""
    start = time.perf_counter()
    deadline = time.time() + seconds
    if pool is None:
        results = [_loop((name, deadline, 0))]
    else:
        results = pool.map(_loop, [(name, deadline, w) for w in range(workers)], chunksize=1)
    images = sum(n for n, _ in results)
    cpu = sum(c for _, c in results)
    return images / (time.perf_counter() - start), cpu * 1000 / max(images, 1)


def stages(files, seconds):
    """Process CPU ms per image of each stage of the two paths (one worker)."""
    def cpu_ms(fn, items):
        for x in items[:4]:
            fn(x)  # warm-up
        n = 0
        wall_end = time.perf_counter() + seconds
        c0 = time.process_time()
        while time.perf_counter() < wall_end:
            fn(items[n % len(items)])
            n += 1
        return (time.process_time() - c0) * 1000 / n

    decoded = [Image.fromarray(cv2_decode(d)) for d in files]
    arrays = [np.asarray(im) for im in decoded]
    cropped = [resize_crop(im) for im in decoded]
    return {
        "PIL decode (libjpeg-turbo)": cpu_ms(pil_decode, files),
        "OpenCV decode (IMREAD_COLOR_RGB)": cpu_ms(cv2_decode, files),
        "Image.fromarray": cpu_ms(Image.fromarray, arrays),
        "PIL resize + crop": cpu_ms(resize_crop, decoded),
        "numpy ToTensor + Normalize": cpu_ms(normalize, cropped),
        "path pil": cpu_ms(path_pil, files),
        "path cv2-pil": cpu_ms(path_cv2_pil, files),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--workers", default=f"1,{os.cpu_count()}")
    ap.add_argument("--paths", default="pil,cv2-pil")
    ap.add_argument("--seconds", type=float, default=3.0, help="per figure")
    ap.add_argument("--rounds", type=int, default=2, help="best of this many rounds")
    ap.add_argument("--stages", action="store_true", help="per-stage CPU ms on one worker")
    args = ap.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    for p in paths:
        if p not in PATHS:
            sys.exit(f"decode_rate.py: unknown path {p!r}; known: {', '.join(PATHS)}")
    files = [open(f, "rb").read() for f in image_files(args.folder)]
    if not files:
        sys.exit(f"decode_rate.py: no images under {args.folder}")
    workers = [int(x) for x in args.workers.split(",")]
    first = Image.open(io.BytesIO(files[0]))
    print(f"{len(files)} images (first {first.size[0]}x{first.size[1]}), {os.cpu_count()} cores, "
          f"{args.seconds:g} s per figure, best of {args.rounds} rounds", flush=True)
    _init(files)
    pools = {w: (None if w == 1 else mp.Pool(w, initializer=_init, initargs=(files,)))
             for w in workers}
    best, best_cpu = {}, {}
    for _ in range(args.rounds):
        for p in paths:
            for w in workers:
                rate(pools[w], p, w, min(1.0, args.seconds / 3))  # warm-up
                r, cpu = rate(pools[w], p, w, args.seconds)
                best[p, w] = max(best.get((p, w), 0.0), r)
                best_cpu[p, w] = min(best_cpu.get((p, w), 1e9), cpu)
    for pool in pools.values():
        if pool is not None:
            pool.close()
    for p in paths:
        cells = "  ".join(f"{w} worker(s): {best[p, w]:6.1f} images/s, "
                          f"{best_cpu[p, w]:.2f} CPU ms/image" for w in workers)
        print(f"{p:8s} {cells}", flush=True)
    if args.stages:
        best_stage = {}
        for _ in range(args.rounds):
            for k, v in stages(files, min(2.0, args.seconds)).items():
                best_stage[k] = min(best_stage.get(k, 1e9), v)
        print(f"per stage, 1 worker, ms/image (process CPU time, best of {args.rounds}):")
        for k, v in best_stage.items():
            extra = f" ({1000 / v:.1f} images/s)" if k.startswith("path") else ""
            print(f"  {k:34s} {v:7.3f}{extra}")


if __name__ == "__main__":
    main()
