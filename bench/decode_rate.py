#!/usr/bin/env python3
"""How many images/s of decode + Resize(256) + CenterCrop(224) + normalize a machine's CPU cores
deliver (PIL, one process per worker), to compare with a GPU's inference rate: a GPU TaskManager
needs enough decode parallelism to keep its GPU busy.

Usage: python bench/decode_rate.py FOLDER [--workers 1,4,16] [--repeat 2]
"""
import argparse
import multiprocessing as mp
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
from preprocess import image_files, preprocess  # noqa: E402

SPEC = (256, 224, np.array([0.485, 0.456, 0.406], np.float32),
        np.array([0.229, 0.224, 0.225], np.float32))


def work(path):
    return preprocess(path, SPEC).shape[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--workers", default=f"1,{os.cpu_count()}")
    ap.add_argument("--repeat", type=int, default=2, help="passes over the folder per measurement")
    args = ap.parse_args()
    files = image_files(args.folder) * args.repeat
    print(f"{len(files)} decodes per measurement; {os.cpu_count()} cores")
    for w in (int(x) for x in args.workers.split(",")):
        with mp.Pool(w) as pool:
            pool.map(work, files[:w * 2])  # warm-up: imports, page cache
            start = time.perf_counter()
            pool.map(work, files, chunksize=4)
            seconds = time.perf_counter() - start
        print(f"workers {w}: {len(files) / seconds:.0f} images/s", flush=True)


if __name__ == "__main__":
    main()
