#!/usr/bin/env python3
"""Which CPU instructions ONNX Runtime's hot loops use for a model on this machine: does its int8
run on VNNI (vpdpbusd), AMX (tdpbusd), or the older AVX2 / AVX-512BW u8 x s8 path (vpmaddubsw)?

It runs the model (batch 32, random input, --threads intra-op threads) for --seconds under
`perf record -e cpu-clock` (a software clock: works in VMs without hardware counters), then
classifies each sample that falls in ONNX Runtime's library by the instructions around it (its
shared object is stripped, so there are no function names; objdump disassembles it once):

  amx       tdpbusd / tdpbssd ... (AMX tiles)
  vnni      vpdpbusd(s) / vpdpwssd(s) (AVX-512 VNNI on zmm, AVX-VNNI on ymm)
  u8s8-dot  vpmaddubsw (the u8 x s8 dot product without VNNI)
  fp32-fma  vfmadd*ps (fp32 convolutions / GEMMs)
  spin      pause / tpause (idle worker threads spinning)
  other     everything else (quantize / dequantize, pooling, copies, the Python side, the kernel)

Usage:
    python bench/kernel_profile.py models/resnet50.int8.onnx [--seconds 15] [--threads 2]
Needs perf (Debian: linux-perf) and objdump (binutils), onnxruntime and numpy. Linux, x86-64.
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # ONNX Runtime 1.29: no telemetry; before it loads

RUNNER = r"""
import sys, time, numpy as np, onnxruntime as ort
path, secs, threads, batch = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
o = ort.SessionOptions(); o.intra_op_num_threads = threads
s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
i = s.get_inputs()[0]
x = np.random.default_rng(0).standard_normal((batch, 3, 224, 224)).astype(np.float32)
s.run(None, {i.name: x})
t = time.time(); n = 0
while time.time() - t < secs:
    s.run(None, {i.name: x}); n += batch
print(f"{n / (time.time() - t):.1f} images/s while profiled", flush=True)
"""

CLASSES = (  # first match wins, in this order
    ("amx", re.compile(r"^tdp")),
    ("vnni", re.compile(r"^vpdp(busds?|wssds?)$")),
    ("u8s8-dot", re.compile(r"^vpmaddubsw$")),
    ("fp32-fma", re.compile(r"^vfn?madd\d+ps$")),
    ("spin", re.compile(r"^t?pause$")),
)
WINDOW = 12  # instructions each side of the sampled one


def ort_library():
    import onnxruntime.capi.onnxruntime_pybind11_state as state  # noqa: PLC0415
    return os.path.realpath(state.__file__)


def disassemble(lib):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", lib], capture_output=True,
                         text=True, check=True).stdout
    addrs, insns = [], []
    pat = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
    for line in out.splitlines():
        m = pat.match(line)
        if m:
            addrs.append(int(m.group(1), 16))
            insns.append((m.group(2), m.group(3)))
    return addrs, insns


def classify(addrs, insns, ip):
    i = bisect.bisect_right(addrs, ip) - 1
    if i < 0:
        return "other", ""
    window = insns[max(0, i - WINDOW):i + WINDOW + 1]
    for name, pat in CLASSES:
        hits = [ops for mn, ops in window if pat.match(mn)]
        if hits:
            width = "zmm" if any("zmm" in h for h in hits) else "ymm" if any("ymm" in h for h in hits) \
                else "xmm" if any("xmm" in h for h in hits) else ""
            return name, width
    return "other", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    for tool in ("perf", "objdump"):
        if not shutil.which(tool):
            sys.exit(f"kernel_profile.py: {tool} not found; install linux-perf / binutils")
    lib = ort_library()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        run = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-o", data, "--",
                              sys.executable, "-c", RUNNER, args.model, str(args.seconds),
                              str(args.threads), str(args.batch)], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"kernel_profile.py: perf record failed ({run.stderr.strip()[-300:]}); is"
                     " /proc/sys/kernel/perf_event_paranoid <= 1, or are you root?")
        rate = run.stdout.strip()
        # per (library, address) shares; for a stripped library perf prints library-relative
        # addresses, the ones objdump shows
        report = subprocess.run(["perf", "report", "-i", data, "--stdio", "-q", "--no-children",
                                 "--sort", "dso,sym", "--percent-limit", "0"],
                                capture_output=True, text=True, check=True).stdout
    addrs, insns = disassemble(lib)
    counts = collections.Counter()
    base = os.path.basename(lib)
    line_pat = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)")
    for line in report.splitlines():
        m = line_pat.match(line)
        if not m:
            continue
        share, dso, sym = float(m.group(1)), m.group(2), m.group(4)
        if dso == base and sym.startswith("0x"):
            counts[classify(addrs, insns, int(sym, 16))] += share
        else:
            counts[("other", "")] += share
    print(f"{os.path.basename(args.model)}: {rate}; {args.threads} threads, batch {args.batch};"
          f" library {base}")
    for (name, width), share in counts.most_common():
        print(f"  {name:9s} {width:4s} {share:5.1f} %")


if __name__ == "__main__":
    main()
