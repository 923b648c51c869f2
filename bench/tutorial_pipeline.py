#!/usr/bin/env python3
"""Pipeline (a) of bench.sh: the embedding loop of Milvus's tutorial "Image Search with PyTorch
and Milvus" (https://milvus.io/docs/integrate_with_pytorch.md), minus Milvus.

What is kept, as the tutorial writes it:
  * PIL ``Image.open(path).convert('RGB')`` per file, one file after the other;
  * torchvision ``Compose([Resize(256), CenterCrop(224), ToTensor(), Normalize(ImageNet)])``;
  * torchvision ResNet50 with its last layer removed
    (``torch.nn.Sequential(*list(model.children())[:-1])``), in ``eval()``;
  * a loop that appends preprocessed tensors to a batch and, every BATCH_SIZE = 128 images,
    calls ``embed``: ``torch.stack`` + the model in ``torch.no_grad()``, ``.squeeze()``, then
    ``.tolist()`` (the vectors as Python lists, the form the tutorial hands to Milvus);
  * the remainder is embedded after the loop; torch eager, default threads (one per core).

What is changed, and why:
  * REMOVED: ``collection.insert([paths, vectors])`` inside ``embed`` (and the Milvus connection,
    collection and index set-up before the loop). bench.sh compares this loop with the Flink job,
    which does write into a real Milvus, so this number is an upper bound for the tutorial: its
    inserts would only add time. The vectors are still converted with ``.tolist()``.
  * Weights: random (``weights=None`` after ``torch.manual_seed(seed)``, as
    ``models/export_resnet50.py --weights none`` does) instead of ``torch.hub.load(...,
    pretrained=True)``: no weights can be downloaded here, and speed does not depend on weights.
  * Files: the images bench.sh generated (sorted), instead of the tutorial's painting data set.
  * tqdm is not used; timing and a warm-up batch (the first BATCH_SIZE files, untimed) are added.

Prints one machine-readable line, ``RESULT images=N seconds=S images_per_s=R processed=P``, where
S covers the whole tutorial loop (decode + preprocess + inference + tolist) after the warm-up and
P counts the warm-up images too (for CPU seconds per image of the whole process).
"""
import argparse
import glob
import os
import sys
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms as tf

BATCH_SIZE = 128  # the tutorial's inference batch size


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("images", help="folder of images (*.jpg, searched recursively)")
    ap.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                    help=f"images per model call (default {BATCH_SIZE}, as the tutorial)")
    ap.add_argument("--seed", type=int, default=0, help="seed for the random weights (default 0)")
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up batch")
    args = ap.parse_args()
    batch_size = args.batch_size

    paths = sorted(glob.glob(os.path.join(args.images, "**", "*.jpg"), recursive=True))
    if not paths:
        sys.exit(f"tutorial_pipeline.py: no *.jpg under {args.images}")

    # The tutorial: model with the last layer removed, in eval mode.
    torch.manual_seed(args.seed)
    model = torchvision.models.resnet50(weights=None)
    model = torch.nn.Sequential(*(list(model.children())[:-1]))
    model.eval()

    # The tutorial: preprocessing for images.
    preprocess = tf.Compose([
        tf.Resize(256),
        tf.CenterCrop(224),
        tf.ToTensor(),
        tf.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    vectors = 0

    # The tutorial's embed(): stack, run the model, squeeze, to Python lists.
    def embed(data):
        nonlocal vectors
        with torch.no_grad():
            output = model(torch.stack(data[0])).squeeze()
            rows = output.tolist()
            # REMOVED (see the docstring): collection.insert([data[1], rows])
            vectors += len(rows) if output.dim() == 2 else 1

    def run(files):
        # The tutorial's loop: read the images into batches for embedding.
        data_batch = [[], []]
        for path in files:
            im = Image.open(path).convert('RGB')
            data_batch[0].append(preprocess(im))
            data_batch[1].append(path)
            if len(data_batch[0]) % batch_size == 0:
                embed(data_batch)
                data_batch = [[], []]
        # Embed the remainder.
        if len(data_batch[0]) != 0:
            embed(data_batch)

    print(f"tutorial pipeline: {len(paths)} images, batch {batch_size}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", flush=True)
    warmed = 0
    if not args.no_warmup:
        t = time.perf_counter()
        warmed = min(batch_size, len(paths))
        run(paths[:batch_size])
        print(f"warm-up batch of {min(batch_size, len(paths))} images: "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        vectors = 0

    start = time.perf_counter()
    run(paths)
    seconds = time.perf_counter() - start
    if vectors != len(paths):
        sys.exit(f"tutorial_pipeline.py: embedded {vectors} of {len(paths)} images")
    rate = len(paths) / seconds
    print(f"tutorial pipeline: {len(paths)} images in {seconds:.1f} s = {rate:.1f} images/s")
    print(f"RESULT images={len(paths)} seconds={seconds:.3f} images_per_s={rate:.2f} "
          f"processed={len(paths) + warmed}")


if __name__ == "__main__":
    main()
