#!/usr/bin/env python3
"""(Re)create the six parity-test photos in core/src/test/resources/photos/.

Sources are unpacked by samples/fetch_sources.sh (default cache /tmp/imgsearch-sources).
Origins and licences are listed in NOTICE ("Test photos").

    coffee.jpg       600x400   landscape 3:2, JPEG q90
    astronaut.jpg    512x512   square, JPEG q90
    dogs.jpg         400x600   portrait, JPEG q90
    hubble.jpg       500x375   4:3 centre crop, JPEG q90
    chelsea.png      360x240   RGB PNG (downscaled to keep it small)
    dandelion_exif6.jpg  displayed 640x427; pixels stored rotated (427x640) with
                     EXIF Orientation=6, so a reader must honour EXIF to get it upright
"""
import argparse
import os

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "core", "src", "test", "resources", "photos")


def fit(img, size):
    """Scale to cover `size` and centre-crop to exactly `size` (LANCZOS)."""
    w, h = size
    s = max(w / img.width, h / img.height)
    nw, nh = round(img.width * s), round(img.height * s)
    img = img.resize((nw, nh), Image.LANCZOS) if (nw, nh) != img.size else img
    l, t = (nw - w) // 2, (nh - h) // 2
    return img.crop((l, t, l + w, t + h))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/imgsearch-sources")
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    sk = os.path.join(a.cache, "skimage", "skimage", "data")
    lom = os.path.join(a.cache, "deb", "lomiri-wallpapers-16.04", "usr", "share", "backgrounds")
    os.makedirs(a.out, exist_ok=True)

    def src(path):
        return Image.open(path).convert("RGB")

    jpg = dict(format="JPEG", quality=90)
    fit(src(f"{sk}/coffee.png"), (600, 400)).save(f"{a.out}/coffee.jpg", **jpg)
    fit(src(f"{sk}/astronaut.png"), (512, 512)).save(f"{a.out}/astronaut.jpg", **jpg)
    fit(src(f"{lom}/friends_by_Aitzol_Berasategi.jpg"), (400, 600)).save(f"{a.out}/dogs.jpg", **jpg)
    fit(src(f"{sk}/hubble_deep_field.jpg"), (500, 375)).save(f"{a.out}/hubble.jpg", **jpg)
    fit(src(f"{sk}/chelsea.png"), (360, 240)).save(f"{a.out}/chelsea.png", format="PNG", optimize=True)

    # EXIF Orientation 6 = "rotate 90 degrees clockwise to display". Store the
    # upright image rotated 90 degrees counter-clockwise (PIL ROTATE_90).
    upright = fit(src(f"{lom}/seeding_by_Clements_Engelhardt.jpg"), (640, 427))
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    stored.save(f"{a.out}/dandelion_exif6.jpg", exif=exif.tobytes(), **jpg)

    for f in sorted(os.listdir(a.out)):
        p = os.path.join(a.out, f)
        with Image.open(p) as im:
            print(f"{f:24s} {im.format:4s} {im.size[0]}x{im.size[1]} {im.mode} "
                  f"orientation={im.getexif().get(0x0112)} {os.path.getsize(p) // 1024} KB")


if __name__ == "__main__":
    main()
