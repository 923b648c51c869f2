"""torchvision's Resize(R) -> CenterCrop(C) -> ToTensor -> Normalize(mean, std) on a PIL image, in
numpy, with R, C, mean and std read from the encoder's ``imgsearch.*`` metadata: the same tensor
the Java pipeline and torchvision make (PIL's bilinear resize with its antialiasing support, the
same crop offsets), without needing torch. Used by the model scripts and the benchmarks.
"""
import os

import numpy as np
from PIL import Image, ImageOps

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


def model_preprocessing(model):
    """(resize, crop, mean, std) from an onnx.ModelProto's metadata, with ImageNet defaults."""
    meta = {p.key: p.value for p in model.metadata_props}
    resize = int(meta.get("imgsearch.resize", 256))
    crop = int(meta.get("imgsearch.crop", 224))
    mean = [float(v) for v in meta.get("imgsearch.mean", "0.485,0.456,0.406").split(",")]
    std = [float(v) for v in meta.get("imgsearch.std", "0.229,0.224,0.225").split(",")]
    return resize, crop, np.array(mean, np.float32), np.array(std, np.float32)


def preprocess(path, spec):
    resize, crop, mean, std = spec
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        # torchvision Resize(int): the short side becomes `resize`, the long side is truncated.
        if w <= h:
            size = (resize, int(resize * h / w))
        else:
            size = (int(resize * w / h), resize)
        im = im.resize(size, Image.BILINEAR)
        w, h = im.size
        top = int(round((h - crop) / 2.0))
        left = int(round((w - crop) / 2.0))
        im = im.crop((left, top, left + crop, top + crop))
        x = np.asarray(im, dtype=np.float32) / 255.0
    return ((x - mean) / std).transpose(2, 0, 1).copy()


def image_files(folder):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for f in sorted(files):
            if f.lower().endswith(IMAGE_SUFFIXES) and not f.startswith((".", "_")):
                found.append(os.path.join(root, f))
    return found
