#!/usr/bin/env python3
"""Writes N distinct real-photo JPEGs of one size for bench.sh.

Each output is a crop (random position, 60-100 % of the source's shorter extent, at the target's
aspect ratio) of one of the project's sample photos, flipped horizontally for every other
variant, resized with PIL's LANCZOS to exactly WIDTHxHEIGHT and saved as a baseline JPEG at
quality 90 with 4:2:0 chroma subsampling (what cameras and phones write). The sources are
used round-robin, so consecutive files come from different photos. Deterministic for a
given seed. A source smaller than the target is upscaled (the samples are at most 1024 px wide,
so 3000x2000 images are upscaled photos: real content, but smoother than camera output).

Usage: make_images.py SAMPLES_DIR OUT_DIR --count 200 --size 1024x768 [--seed 0]
"""
import argparse
import glob
import os
import random
import sys

from PIL import Image, ImageOps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("samples")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--size", default="1024x768", help="WIDTHxHEIGHT (default 1024x768)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quality", type=int, default=90)
    args = ap.parse_args()
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        sys.exit(f"make_images.py: --size must be WIDTHxHEIGHT, got {args.size!r}")

    sources = sorted(p for p in glob.glob(os.path.join(args.samples, "*"))
                     if p.lower().endswith((".jpg", ".jpeg", ".png")))
    if not sources:
        sys.exit(f"make_images.py: no photos in {args.samples}")
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    aspect = width / height
    upscaled = 0
    for i in range(args.count):
        src = sources[i % len(sources)]
        variant = i // len(sources)
        with Image.open(src) as im:
            im = ImageOps.exif_transpose(im).convert("RGB")
        # The largest crop of the target's aspect ratio, scaled by 60-100 %, at a random place.
        cw, ch = (im.width, round(im.width / aspect)) if im.width / im.height < aspect \
            else (round(im.height * aspect), im.height)
        scale = 1.0 if variant == 0 else rng.uniform(0.6, 1.0)
        cw, ch = max(1, round(cw * scale)), max(1, round(ch * scale))
        x = rng.randint(0, im.width - cw)
        y = rng.randint(0, im.height - ch)
        crop = im.crop((x, y, x + cw, y + ch))
        if variant % 2 == 1:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if cw < width:
            upscaled += 1
        out = crop.resize((width, height), Image.Resampling.LANCZOS)
        name = f"{i:04d}-{os.path.splitext(os.path.basename(src))[0]}-v{variant}.jpg"
        out.save(os.path.join(args.out, name), "JPEG", quality=args.quality, subsampling="4:2:0")
    print(f"wrote {args.count} {width}x{height} JPEGs from {len(sources)} sample photos to "
          f"{args.out} ({upscaled} upscaled from a smaller crop)")


if __name__ == "__main__":
    main()
