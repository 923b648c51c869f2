#!/usr/bin/env python3
"""Build a labelled image set (one folder per class) from Debian's openclipart-png package, for
bench/precision_report.py: leave-one-out precision@1 needs images whose label is known.

Get the package first (never commit it or the set; both stay outside the repository):

    mkdir -p /tmp/openclipart && cd /tmp/openclipart
    apt-get download openclipart-png && dpkg -x openclipart-png_*.deb pkg
    python bench/make_labelled_set.py /tmp/openclipart/pkg/usr/share/openclipart/png \\
        /tmp/openclipart/labelled --calibration-out /tmp/openclipart/calibration

A class is a folder --depth (2) levels down with everything below it (``food/fruit`` -> class
``food__fruit``, ``signs_and_symbols/flags/europe/france`` -> ``signs_and_symbols__flags``); the
PNGs of a shallower folder that has sub-folders (``animals/*.png`` beside ``animals/birds/``) are
left out, because their subjects overlap its sub-classes', and so are the ``unsorted`` folders. Each image is flattened onto white (clip art is mostly
transparent: PIL's convert("RGB") and OpenCV's IMREAD_COLOR both drop the alpha channel and keep
whatever colour lies under it, often black) and, when its long side exceeds --max-side, shrunk to
it, then written as an RGB PNG. Images with a short side under --min-side, an aspect ratio above
4, or the same 64-bit difference hash as an image already taken (rescaled copies of one icon) are
skipped. Classes with fewer than --min-per-class images are dropped; larger ones keep a seeded
random --max-per-class. With --calibration-out, up to --calibration-count of the images not
taken (other files of the same classes, of the dropped classes and of the skipped folders) are written there, flat, for
int8 calibration that never sees an evaluation image.

Needs Pillow only.
"""
import argparse
import hashlib
import os
import random
import sys
import warnings

from PIL import Image

Image.MAX_IMAGE_PIXELS = None  # a few clip-art PNGs are 150+ megapixels; they are shrunk below
warnings.simplefilter("ignore", Image.DecompressionBombWarning)
MAX_PIXELS = 60_000_000  # above this the file is skipped: decoding it takes seconds and GBs


def classes_of(root, depth, keep_parent_images):
    """({class: [png paths]}, [(folder, png path) skipped]). A class is a folder `depth` levels below root with everything under
    it; a shallower folder is a class only if no folder below it holds PNGs (else its own PNGs,
    a grab bag of its sub-classes' subjects, are skipped unless keep_parent_images)."""
    has_sub = set()
    pngs = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "unsorted" and not d.startswith("."))
        rel = os.path.relpath(folder, root)
        found = sorted(f for f in files if f.lower().endswith(".png"))
        if found and rel != ".":
            pngs[rel] = [os.path.join(folder, f) for f in found]
            parts = rel.split(os.sep)
            for i in range(1, len(parts)):
                has_sub.add(os.sep.join(parts[:i]))
    classes, skipped = {}, []
    for rel, files in sorted(pngs.items()):
        parts = rel.split(os.sep)
        if len(parts) < depth and rel in has_sub and not keep_parent_images:
            skipped.extend(("__".join(parts), f) for f in files)
            continue
        classes.setdefault("__".join(parts[:depth]), []).extend(files)
    return classes, skipped


def load_flat(path, min_side, max_side):
    """The image flattened onto white as RGB, or None if it is too small, too thin or too big."""
    with Image.open(path) as im:
        w, h = im.size
        if min(w, h) < min_side or max(w, h) > 4 * min(w, h) or w * h > MAX_PIXELS:
            return None
        im = im.convert("RGBA")
        if max(w, h) > max_side:
            s = max_side / max(w, h)
            im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
        flat = Image.new("RGB", im.size, (255, 255, 255))
        flat.paste(im, mask=im.getchannel("A"))
        return flat


def dhash(img):
    g = img.convert("L").resize((9, 8), Image.LANCZOS).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (g[row * 9 + col] > g[row * 9 + col + 1])
    return bits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", help="unpacked .../usr/share/openclipart/png")
    ap.add_argument("out", help="where to write CLASS/NAME.png (must not exist or be empty)")
    ap.add_argument("--min-per-class", type=int, default=10)
    ap.add_argument("--max-per-class", type=int, default=20)
    ap.add_argument("--depth", type=int, default=2, help="folder levels that make a class (default 2)")
    ap.add_argument("--keep-parent-images", action="store_true",
                    help="also make classes of the PNGs of folders that have sub-folders")
    ap.add_argument("--min-side", type=int, default=64)
    ap.add_argument("--max-side", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--calibration-out", help="also write held-out images here, for int8 calibration")
    ap.add_argument("--calibration-count", type=int, default=256)
    args = ap.parse_args()

    if not os.path.isdir(args.source):
        sys.exit(f"make_labelled_set.py: {args.source} is not a folder; unpack openclipart-png"
                 " with apt-get download openclipart-png && dpkg -x openclipart-png_*.deb DIR")
    for d in (args.out, args.calibration_out):
        if d and os.path.isdir(d) and os.listdir(d):
            sys.exit(f"make_labelled_set.py: {d} is not empty; remove it or choose another folder")

    rng = random.Random(args.seed)
    seen = set()
    classes, spare = classes_of(args.source, args.depth, args.keep_parent_images)
    taken = {}
    for cls, files in classes.items():
        files = files[:]
        rng.shuffle(files)
        good = []
        for path in files:
            if len(good) >= args.max_per_class:
                spare.append((cls, path))
                continue
            try:
                img = load_flat(path, args.min_side, args.max_side)
            except Exception as e:  # a broken file in the package should not stop the build
                print(f"skipping {path}: {e}", file=sys.stderr)
                continue
            if img is None:
                continue
            h = dhash(img)
            if h in seen:
                continue
            seen.add(h)
            good.append((path, img))
        if len(good) >= args.min_per_class:
            taken[cls] = good
        else:
            spare.extend((cls, p) for p, _ in good)

    total = 0
    for cls, items in sorted(taken.items()):
        os.makedirs(os.path.join(args.out, cls), exist_ok=True)
        for path, img in items:
            img.save(os.path.join(args.out, cls, os.path.splitext(os.path.basename(path))[0] + ".png"))
            total += 1
    print(f"wrote {total} images in {len(taken)} classes to {args.out}")

    if args.calibration_out:
        os.makedirs(args.calibration_out, exist_ok=True)
        rng.shuffle(spare)
        written = 0
        for cls, path in spare:
            if written >= args.calibration_count:
                break
            try:
                img = load_flat(path, args.min_side, args.max_side)
            except Exception:
                continue
            if img is None:
                continue
            h = dhash(img)
            if h in seen:  # also keeps rescaled copies of evaluation images out of calibration
                continue
            seen.add(h)
            name = hashlib.sha1(f"{cls}/{path}".encode()).hexdigest()[:12]
            img.save(os.path.join(args.calibration_out, f"{cls}__{name}.png"))
            written += 1
        print(f"wrote {written} held-out images to {args.calibration_out}")


if __name__ == "__main__":
    main()
