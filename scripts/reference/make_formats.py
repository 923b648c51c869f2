"""Writes core/src/test/resources/formats/: the coffee test photo as CMYK, greyscale and
progressive JPEGs (containers OpenCV's encoder cannot produce), for ImageDecoderTest."""
import os
from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SRC = os.path.join(ROOT, "core/src/test/resources/photos/coffee.jpg")
OUT = os.path.join(ROOT, "core/src/test/resources/formats")

os.makedirs(OUT, exist_ok=True)
rgb = Image.open(SRC).convert("RGB")
rgb.convert("CMYK").save(os.path.join(OUT, "coffee-cmyk.jpg"), quality=92)
rgb.convert("L").save(os.path.join(OUT, "coffee-gray.jpg"), quality=92)
rgb.save(os.path.join(OUT, "coffee-progressive.jpg"), quality=92, progressive=True)
