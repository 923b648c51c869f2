#!/usr/bin/env python3
"""Export torchvision ResNet50 (without its ``fc`` layer) to ONNX.

The exported graph maps ``input`` float32 [N, 3, H, W] (normally 224x224,
ImageNet-normalised) to ``embedding`` float32 [N, 2048] (the global-average-
pooled features). N, H and W are dynamic axes.

Preprocessing parameters are embedded in the model's ``metadata_props`` so the
Java side can read them instead of hard-coding them:

    imgsearch.name    e.g. resnet50-imagenet1k_v2 / resnet50-random-seed0
    imgsearch.resize  256   (shorter side is resized to this, bilinear)
    imgsearch.crop    224   (then centre-cropped to crop x crop)
    imgsearch.mean    0.485,0.456,0.406  (per-channel RGB mean, on [0,1] scale)
    imgsearch.std     0.229,0.224,0.225  (per-channel RGB std)

Usage:
    python models/export_resnet50.py                         # IMAGENET1K_V2 (needs internet)
    python models/export_resnet50.py --weights none --seed 0 # random, offline, deterministic
    python models/export_resnet50.py --precision fp16        # also write resnet50.fp16.onnx
    python models/export_resnet50.py --precision int8 --calibration-dir ~/Pictures

--precision fp16|int8 writes a second model beside the fp32 one with models/convert_precision.py
(see there, and bench/precision_report.py to measure the drift on your photos).
"""
import argparse
import os
import sys

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import onnx
import torch
import torchvision

RESIZE = 256
CROP = 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
OPSET = 17


def fmt(values):
    return ",".join(repr(float(v)) for v in values)


def add_metadata(path, name):
    model = onnx.load(path)
    meta = {
        "imgsearch.name": name,
        "imgsearch.resize": str(RESIZE),
        "imgsearch.crop": str(CROP),
        "imgsearch.mean": fmt(MEAN),
        "imgsearch.std": fmt(STD),
    }
    existing = {p.key: p for p in model.metadata_props}
    for k, v in meta.items():
        if k in existing:
            existing[k].value = v
        else:
            p = model.metadata_props.add()
            p.key, p.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return meta


def build_model(weights, seed):
    if weights.lower() == "none":
        torch.manual_seed(seed)
        model = torchvision.models.resnet50(weights=None)
        name = f"resnet50-random-seed{seed}"
    else:
        try:
            w = torchvision.models.ResNet50_Weights[weights.upper()]
        except KeyError:
            sys.exit(f"error: unknown weights '{weights}'; choose one of "
                     f"{[x.name for x in torchvision.models.ResNet50_Weights]} or 'none'")
        try:
            model = torchvision.models.resnet50(weights=w)
        except Exception as e:  # network errors come in many flavours
            print(f"error: could not download the pretrained {w.name} weights "
                  f"({type(e).__name__}: {e}).\n"
                  f"This needs internet access to download.pytorch.org (or a copy "
                  f"already in the torch hub cache, $TORCH_HOME).\n"
                  f"For an offline, deterministic model with random weights use: "
                  f"--weights none [--seed 0]", file=sys.stderr)
            sys.exit(2)
        name = f"resnet50-{w.name.lower()}"
    model.fc = torch.nn.Identity()
    model.eval()
    return model, name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", default="IMAGENET1K_V2",
                    help="torchvision ResNet50_Weights name (default IMAGENET1K_V2, "
                         "needs internet) or 'none' for random weights")
    ap.add_argument("--seed", type=int, default=0, help="seed for --weights none (default 0)")
    ap.add_argument("--output", default=os.path.join("models", "resnet50.onnx"),
                    help="output path (default models/resnet50.onnx)")
    ap.add_argument("--precision", choices=["fp32", "fp16", "int8"], default="fp32",
                    help="fp16 or int8: also write a converted copy (default fp32 only)")
    ap.add_argument("--calibration-dir",
                    help="--precision int8: a folder of photos like the ones you will ingest")
    args = ap.parse_args()
    if args.precision == "int8" and not args.calibration_dir:
        ap.error("--precision int8 needs --calibration-dir DIR")

    model, name = build_model(args.weights, args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)

    dummy = torch.zeros(1, 3, CROP, CROP, dtype=torch.float32)
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy,), args.output,
            input_names=["input"], output_names=["embedding"],
            dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "embedding": {0: "N"}},
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )
    meta = add_metadata(args.output, name)

    # Verify with onnxruntime and compare against PyTorch.
    import onnxruntime as ort
    sess = ort.InferenceSession(args.output, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal((2, 3, CROP, CROP)).astype(np.float32)
    (out,) = sess.run(["embedding"], {"input": x})
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    diff = float(np.abs(out - ref).max())
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB), name={name}")
    print(f"onnxruntime output '{sess.get_outputs()[0].name}' shape {list(out.shape)}, "
          f"max |onnx - torch| = {diff:.2e}")
    print("metadata:", meta)
    if out.shape != (2, 2048) or diff > 1e-3:
        sys.exit("error: verification failed")
    if args.precision != "fp32":
        import subprocess
        cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "convert_precision.py"),
               args.output, "--precision", args.precision]
        if args.calibration_dir:
            cmd += ["--calibration-dir", args.calibration_dir]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
