#!/usr/bin/env python3
"""(Re)create samples/images/: redistributable real photos for the similarity
search demo, re-encoded as JPEG (long side <= 1024 px, ~50-200 KB each).

Sources are unpacked by samples/fetch_sources.sh (default cache /tmp/imgsearch-sources).
Each file's origin, author and licence is listed in NOTICE ("Sample images")
and in samples/README.md.
"""
import argparse
import io
import os

from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = None
HERE = os.path.dirname(os.path.abspath(__file__))

SK = "skimage/skimage/data"
SKL = "sklearn/sklearn/datasets/images"
LOM = "deb/lomiri-wallpapers-16.04/usr/share/backgrounds"
LOM20 = "deb/lomiri-wallpapers-20.04/usr/share/backgrounds"
MATE = "deb/mate-backgrounds/usr/share/backgrounds/mate/nature"
KDE = "deb/plasma-workspace-wallpapers/usr/share/wallpapers"

# output name -> source path (relative to the cache)
SOURCES = {
    # animals
    "cat-chelsea.jpg": f"{SK}/chelsea.png",
    "dogs-friends.jpg": f"{LOM}/friends_by_Aitzol_Berasategi.jpg",
    "bird-nuthatch.jpg": f"{LOM20}/Kleiber_by_Lukas_Baubkus.jpg",
    "insect-dragonfly.jpg": f"{LOM}/Dragonfly_by_Bolly.jpg",
    "insect-ladybird.jpg": f"{MATE}/LadyBird.jpg",
    # flowers
    "flower-dandelion-field.jpg": f"{LOM}/seeding_by_Clements_Engelhardt.jpg",
    "flower-dandelion-seeds.jpg": f"{MATE}/TwoWings.jpg",
    "flower-red.jpg": f"{MATE}/Garden.jpg",
    "flower-yellow.jpg": f"{MATE}/YellowFlower.jpg",
    "flower-fresh.jpg": f"{MATE}/FreshFlower.jpg",
    "flower-sklearn.jpg": f"{SKL}/flower.jpg",
    # leaves, grass and plants
    "leaf-green-lines.jpg": f"{MATE}/Blinds.jpg",
    "leaf-raindrops.jpg": f"{MATE}/RainDrops.jpg",
    "grass-meadow.jpg": f"{MATE}/GreenMeadow.jpg",
    "grass-dune.jpg": f"{MATE}/Dune.jpg",
    "leaf-autumn.jpg": f"{KDE}/FallenLeaf/contents/images/1920x1080.jpg",
    "moss.jpg": f"{KDE}/OneStandsOut/contents/images/1920x1080.jpg",
    # mountains and countryside
    "mountain-aitzgorri.jpg": f"{LOM}/aitzgorri_by_Aitzol_Berasategi.jpg",
    "mountain-picos-de-europa.jpg": f"{LOM}/picosdeeuropa_by_Aitzol_Berasategi.jpg",
    "mountain-sunset.jpg": f"{LOM}/sunset_by_Aitzol_Berasategi.jpg",
    "landscape-storm.jpg": f"{MATE}/Storm.jpg",
    "forest-stream.jpg": f"{LOM}/life_by_Aitzol_Berasategi.jpg",
    "forest-path.jpg": f"{KDE}/Path/contents/images/1920x1080.jpg",
    # water and lakes
    "lake-boats.jpg": f"{KDE}/EveningGlow/contents/images/1920x1080.jpg",
    "lake-jetty-fog.jpg": f"{KDE}/ColdRipple/contents/images/1920x1080.jpg",
    "lake-blue-hour.jpg": f"{KDE}/DarkestHour/contents/images/1920x1080.jpg",
    "lake-dusk.jpg": f"{KDE}/summer_1am/contents/images/1920x1080.jpg",
    "lake-boardwalk.jpg": f"{KDE}/BytheWater/contents/images/1920x1080.jpg",
    "beach-bridge.jpg": f"{LOM}/Bridge_by_Sander_Klootwijk.jpg",
    "water-drop.jpg": f"{MATE}/Aqua.jpg",
    # sky and space
    "sky-kite.jpg": f"{KDE}/Kite/contents/images/1920x1080.jpg",
    "space-hubble-deep-field.jpg": f"{SK}/hubble_deep_field.jpg",
    "space-rocket-launch.jpg": f"{SK}/rocket.jpg",
    "space-astronaut.jpg": f"{SK}/astronaut.png",
    # buildings and objects
    "building-temple-china.jpg": f"{SKL}/china.jpg",
    "building-facade.jpg": f"{KDE}/Grey/contents/images/1920x1080.jpg",
    "cups-colorful.jpg": f"{KDE}/ColorfulCups/contents/images/2560x1600.jpg",
    "coffee-cup.jpg": f"{SK}/coffee.png",
    "still-life-wine.jpg": f"{LOM}/Wine_by_Jakkub_Mede.jpg",
    "fig-on-plate.jpg": f"{LOM}/Picture_0B_by_freespace.jpg",
    "paint-brushes.jpg": f"{LOM}/Picture_1A_by_freespace.jpg",
    "wood-texture.jpg": f"{MATE}/Wood.jpg",
}

MAX_BYTES = 200 * 1024


def encode(img):
    for long_side in (1024, 896, 768, 640):
        im = img
        if max(im.size) > long_side:
            im = img.copy()
            im.thumbnail((long_side, long_side), Image.LANCZOS)
        for q in (90, 85, 80):
            buf = io.BytesIO()
            im.save(buf, format="JPEG", quality=q, optimize=True)
            if buf.tell() <= MAX_BYTES:
                return buf.getvalue(), im.size, q
    return buf.getvalue(), im.size, q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/imgsearch-sources")
    ap.add_argument("--out", default=os.path.join(HERE, "images"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for f in os.listdir(a.out):
        if f not in SOURCES:
            os.remove(os.path.join(a.out, f))
    total = 0
    for name, rel in SOURCES.items():
        img = ImageOps.exif_transpose(Image.open(os.path.join(a.cache, rel))).convert("RGB")
        data, size, q = encode(img)
        with open(os.path.join(a.out, name), "wb") as fh:
            fh.write(data)
        total += len(data)
        print(f"{name:32s} {size[0]}x{size[1]} q{q} {len(data) // 1024} KB")
    print(f"{len(SOURCES)} images, {total / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
