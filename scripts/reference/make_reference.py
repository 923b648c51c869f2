#!/usr/bin/env python3
"""Write the reference preprocessing tensors and tiny-model embeddings that the
Java parity tests compare against.

For every file in core/src/test/resources/photos/ this reproduces the
torchvision reference path exactly:

    img = PIL.Image.open(path)
    img = PIL.ImageOps.exif_transpose(img)
    img = img.convert("RGB")
    Compose([Resize(256), CenterCrop(224), ToTensor(),
             Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])

and writes to core/src/test/resources/reference/:

    <stem>.tensor.npy  float32 '<f4' [3, 224, 224], C order, npy format 1.0
    <stem>.tiny.npy    float32 '<f4' [32]: raw output of models/tiny-encoder.onnx
                       (onnxruntime, CPU, whole batch in one run)
    manifest.json      per photo: file, sha256, decoded (post-EXIF) width/height,
                       size after Resize(256) (width/height)

Rerunnable and deterministic.  Usage (from the repository root):
    python scripts/reference/make_reference.py
"""
import hashlib
import json
import os

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnxruntime as ort
import PIL
import torch
import torchvision
from PIL import Image, ImageOps
from torchvision import transforms

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RES = os.path.join(ROOT, "core", "src", "test", "resources")
PHOTOS = os.path.join(RES, "photos")
REF = os.path.join(RES, "reference")
MODEL = os.path.join(RES, "models", "tiny-encoder.onnx")
EXTS = {".jpg", ".jpeg", ".png"}

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def save_npy(path, arr):
    arr = np.ascontiguousarray(arr, dtype="<f4")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


def main():
    torch.set_num_threads(1)
    resize = transforms.Resize(256)
    rest = transforms.Compose([
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=MEAN, std=STD),
    ])
    os.makedirs(REF, exist_ok=True)
    for f in os.listdir(REF):  # drop stale outputs of photos that were removed
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(REF, f))

    names = sorted(f for f in os.listdir(PHOTOS) if os.path.splitext(f)[1].lower() in EXTS)
    entries, tensors = [], []
    for name in names:
        path = os.path.join(PHOTOS, name)
        with open(path, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        img = Image.open(path)
        img = ImageOps.exif_transpose(img)
        img = img.convert("RGB")
        resized = resize(img)
        t = rest(resized)  # == Compose([Resize(256), CenterCrop(224), ToTensor(), Normalize])(img)
        arr = t.numpy().astype(np.float32)
        assert arr.shape == (3, 224, 224)
        stem = os.path.splitext(name)[0]
        save_npy(os.path.join(REF, f"{stem}.tensor.npy"), arr)
        tensors.append(arr)
        entries.append({
            "file": name,
            "stem": stem,
            "sha256": sha,
            "width": img.width,
            "height": img.height,
            "resizedWidth": resized.width,
            "resizedHeight": resized.height,
        })

    sess = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
    (emb,) = sess.run(["embedding"], {"input": np.stack(tensors)})
    for e, v in zip(entries, emb):
        assert v.shape == (32,)
        save_npy(os.path.join(REF, f"{e['stem']}.tiny.npy"), v)

    manifest = {
        "description": "torchvision reference: exif_transpose, convert('RGB'), Resize(256), "
                       "CenterCrop(224), ToTensor(), Normalize(mean, std); tiny = raw "
                       "output of models/tiny-encoder.onnx on the batch of tensors",
        "resize": 256,
        "crop": 224,
        "mean": MEAN,
        "std": STD,
        "interpolation": "bilinear (PIL, antialias)",
        "model": os.path.relpath(MODEL, RES),
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                     "pillow": PIL.__version__, "numpy": np.__version__,
                     "onnxruntime": ort.__version__},
        "photos": entries,
    }
    with open(os.path.join(REF, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")

    # Sanity: cosine similarities between the tiny embeddings must not be all ~1.
    n = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cos = n @ n.T
    off = cos[~np.eye(len(n), dtype=bool)]
    for e in entries:
        print(f"{e['file']:24s} {e['width']}x{e['height']} -> {e['resizedWidth']}x{e['resizedHeight']}")
    print(f"tiny embeddings: pairwise cosine min {off.min():.3f} max {off.max():.3f}")


if __name__ == "__main__":
    main()
