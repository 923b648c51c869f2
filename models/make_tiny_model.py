#!/usr/bin/env python3
"""Write the tiny, deterministic test encoder used by the Java unit tests.

A small seeded conv net (no batchnorm, kaiming init so that the output depends
on image content):

    conv 3->8 k3 s2 + ReLU, conv 8->16 k3 s2 + ReLU, conv 16->32 k3 s2,
    global average pool, flatten

input  ``input``     float32 [N, 3, H, W]  (N, H, W dynamic)
output ``embedding`` float32 [N, 32]

Same ``imgsearch.*`` metadata keys as models/export_resnet50.py, with
``imgsearch.name`` = ``tiny-encoder-seed<seed>``.

Usage:
    python models/make_tiny_model.py [--seed 0] [--output core/src/test/resources/models/tiny-encoder.onnx]
"""
import argparse
import os
import sys

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_resnet50 import CROP, OPSET, add_metadata  # noqa: E402

DEFAULT_OUTPUT = os.path.join("core", "src", "test", "resources", "models", "tiny-encoder.onnx")


class TinyEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
        )

    def forward(self, x):
        x = self.features(x)
        return torch.flatten(torch.mean(x, dim=(2, 3), keepdim=True), 1)


def build(seed):
    g = torch.Generator().manual_seed(seed)
    model = TinyEncoder()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu", generator=g)
            with torch.no_grad():
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
    return model.eval()


def main():
    ap = argparse.ArgumentParser(description="write the tiny test encoder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()

    model = build(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    dummy = torch.zeros(1, 3, CROP, CROP)
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy,), args.output,
            input_names=["input"], output_names=["embedding"],
            dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "embedding": {0: "N"}},
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )
    add_metadata(args.output, f"tiny-encoder-seed{args.seed}")

    import onnxruntime as ort
    sess = ort.InferenceSession(args.output, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal((3, 3, CROP, CROP)).astype(np.float32)
    (out,) = sess.run(["embedding"], {"input": x})
    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy()
    x2 = np.random.default_rng(0).standard_normal((1, 3, 160, 200)).astype(np.float32)
    (out2,) = sess.run(["embedding"], {"input": x2})
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes)")
    print(f"output shape {list(out.shape)} (and {list(out2.shape)} for 160x200 input), "
          f"max |onnx - torch| = {np.abs(out - ref).max():.2e}")
    if out.shape != (3, 32) or out2.shape != (1, 32) or np.abs(out - ref).max() > 1e-4:
        sys.exit("error: verification failed")


if __name__ == "__main__":
    main()
