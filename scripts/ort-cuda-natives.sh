#!/usr/bin/env bash
# Assembles an ONNX Runtime native folder for -Donnxruntime.native.path=DIR: the core libraries of
# the Maven onnxruntime_gpu jar (libonnxruntime.so, libonnxruntime4j_jni.so,
# libonnxruntime_providers_shared.so) of the version in pom.xml, plus a CUDA provider:
#   scripts/ort-cuda-natives.sh --cuda 13 DIR   the provider of PyPI onnxruntime-gpu==<that version>
#                                               (a CUDA 13 build of the same commit as the jar)
#   scripts/ort-cuda-natives.sh --cuda 12 DIR   the jar's own provider (a CUDA 12 build)
# Options:
#   --jar FILE          the onnxruntime_gpu jar (default: flink-job/target/lib, query-cli/target/lib,
#                       then the local Maven repository; Maven downloads it if it is in none)
#   --wheel FILE        the onnxruntime-gpu wheel (default: downloaded with pip into the cache)
#   --cache DIR         where downloaded wheels are kept (default: $ORT_WHEEL_CACHE, else
#                       .venv/ort-wheels in the project; about 200 MB per version)
#   --classes-jar FILE  also write FILE: the jar without its native libraries (about 160 KB), for a
#                       classpath whose natives all come from DIR
# It refuses (exit 1) when the jar or the wheel is not the pom's ONNX Runtime version, when their
# build commits differ, or when the provider is not built for the CUDA major asked for. It then
# lists the CUDA libraries the provider needs, whether this machine has them, and how to use DIR.
# Needs bash and python3 (with pip for --cuda 13 unless --wheel is given); Maven only to download
# the jar. Nothing else: zip and ELF are read by Python's standard library.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v python3 >/dev/null || { echo "ort-cuda-natives.sh: python3 is required" >&2; exit 2; }
exec python3 - "$ROOT" "$0" "$@" <<'PYTHON'
import hashlib, os, re, shutil, struct, subprocess, sys, tempfile, time, zipfile

ROOT, SELF, ARGS = sys.argv[1], sys.argv[2], sys.argv[3:]
NATIVE = "ai/onnxruntime/native/linux-x64/"
CORE = ["libonnxruntime.so", "libonnxruntime4j_jni.so", "libonnxruntime_providers_shared.so"]
PROVIDER = "libonnxruntime_providers_cuda.so"
COMMIT_RE = re.compile(rb"git-commit-id=([0-9a-f]{7,40})")


def usage(code):
    with open(SELF) as f:
        for line in f:
            if line.startswith("set -euo"):
                break
            if line.startswith("# "):
                print(line[2:], end="", file=sys.stderr)
    sys.exit(code)


def fail(msg):
    print("ort-cuda-natives.sh: " + msg, file=sys.stderr)
    sys.exit(1)


def mib(n):
    return "%.1f MiB" % (n / 1048576) if n >= 1048576 else "%.0f KiB" % (n / 1024)


# ---- arguments
opts = {"cuda": None, "jar": None, "wheel": None, "cache": None, "classes-jar": None}
dest = None
i = 0
while i < len(ARGS):
    a = ARGS[i]
    if a in ("-h", "--help"):
        usage(0)
    if a.startswith("--") and a[2:].split("=")[0] in opts:
        key, _, val = a[2:].partition("=")
        if not val:
            i += 1
            if i >= len(ARGS):
                fail("%s needs a value (see --help)" % a)
            val = ARGS[i]
        opts[key] = val
    elif a.startswith("-"):
        fail("unknown option %s (see --help)" % a)
    elif dest is None:
        dest = a
    else:
        fail("one folder only, got %s and %s" % (dest, a))
    i += 1
if opts["cuda"] not in ("12", "13") or dest is None:
    print("ort-cuda-natives.sh: give --cuda 12 or --cuda 13 and the folder to fill\n", file=sys.stderr)
    usage(2)
CUDA = int(opts["cuda"])
dest = os.path.abspath(dest)

# ---- the pom's ONNX Runtime version
pom = os.path.join(ROOT, "pom.xml")
try:
    m = re.search(r"<onnxruntime\.version>\s*([^<\s]+)\s*</onnxruntime\.version>", open(pom).read())
except OSError as e:
    fail("cannot read %s (%s): run the script from the project, where pom.xml names onnxruntime.version" % (pom, e))
if not m:
    fail("%s has no <onnxruntime.version> property" % pom)
VERSION = m.group(1)


def find_commit(z, name):
    """The first git-commit-id=... in a zip member, read in chunks."""
    tail = b""
    with z.open(name) as f:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                return None
            m = COMMIT_RE.search(tail + chunk)
            if m:
                return m.group(1).decode()
            tail = chunk[-80:]


# ---- the jar
def find_jar():
    if opts["jar"]:
        return opts["jar"]
    name = "onnxruntime_gpu-%s.jar" % VERSION
    candidates = [os.path.join(ROOT, d, "target", "lib", name) for d in ("flink-job", "query-cli")]
    repo = os.path.expanduser("~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/%s/%s" % (VERSION, name))
    candidates.append(repo)
    for c in candidates:
        if os.path.isfile(c):
            return c
    if not shutil.which("mvn"):
        fail("no %s in %s; install Maven (it downloads the jar) or pass --jar FILE" % (name, ", ".join(candidates)))
    print("Downloading com.microsoft.onnxruntime:onnxruntime_gpu:%s with Maven ..." % VERSION, flush=True)
    r = subprocess.run(["mvn", "-B", "-q", "dependency:get", "-Dtransitive=false",
                        "-Dartifact=com.microsoft.onnxruntime:onnxruntime_gpu:" + VERSION])
    if r.returncode != 0 or not os.path.isfile(repo):
        fail("Maven could not download onnxruntime_gpu %s (exit %d); pass --jar FILE" % (VERSION, r.returncode))
    return repo


jar_path = os.path.abspath(find_jar())
try:
    jar = zipfile.ZipFile(jar_path)
except (OSError, zipfile.BadZipFile) as e:
    fail("cannot read the jar %s: %s" % (jar_path, e))
names = set(jar.namelist())
wanted = [NATIVE + n for n in CORE + ([PROVIDER] if CUDA == 12 else [])]
missing = [n for n in wanted if n not in names]
if missing:
    fail("%s has no %s: it is not the onnxruntime_gpu jar (the CPU-only onnxruntime jar has no CUDA provider,"
         " a classes-only jar no natives); pass the onnxruntime_gpu-%s.jar" % (jar_path, ", ".join(missing), VERSION))
manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace") if "META-INF/MANIFEST.MF" in names else ""
m = re.search(r"^Implementation-Version:\s*(\S+)", manifest, re.M)
jar_version = m.group(1) if m else None
if jar_version != VERSION:
    fail("version mismatch: %s is ONNX Runtime %s, pom.xml's onnxruntime.version is %s; use the jar of %s"
         % (jar_path, jar_version or "(no Implementation-Version)", VERSION, VERSION))
jar_commit = jar.read("GIT_COMMIT_ID").decode().strip() if "GIT_COMMIT_ID" in names else None
lib_commit = find_commit(jar, NATIVE + "libonnxruntime.so")
if not jar_commit and not lib_commit:
    fail("cannot find the build commit of %s (no GIT_COMMIT_ID, no git-commit-id in libonnxruntime.so)" % jar_path)
if jar_commit and lib_commit and not jar_commit.startswith(lib_commit):
    fail("%s is inconsistent: GIT_COMMIT_ID %s, but its libonnxruntime.so says git-commit-id=%s"
         % (jar_path, jar_commit, lib_commit))
JAR_COMMIT = jar_commit or lib_commit


# ---- the wheel (CUDA 13)
def wheel_file():
    if opts["wheel"]:
        return os.path.abspath(opts["wheel"])
    cache = os.path.abspath(opts["cache"] or os.environ.get("ORT_WHEEL_CACHE") or os.path.join(ROOT, ".venv", "ort-wheels"))
    prefix = "onnxruntime_gpu-%s-cp312-cp312-manylinux" % VERSION
    have = sorted(f for f in os.listdir(cache) if f.startswith(prefix) and f.endswith("_x86_64.whl")) if os.path.isdir(cache) else []
    if have:
        print("Wheel from the cache: %s" % os.path.join(cache, have[-1]))
        return os.path.join(cache, have[-1])
    os.makedirs(cache, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".download-", dir=cache)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-cache-dir", "--only-binary=:all:",
           "--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux_2_28_x86_64",
           "--platform", "manylinux_2_27_x86_64", "--platform", "manylinux_2_17_x86_64",
           "--platform", "manylinux2014_x86_64", "-d", tmp, "onnxruntime-gpu==" + VERSION]
    print("Downloading onnxruntime-gpu==%s (cp312, manylinux, about 200 MB) from PyPI into %s ..." % (VERSION, cache), flush=True)
    start = time.time()
    try:
        r = subprocess.run(cmd)
        got = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if r.returncode != 0 or len(got) != 1:
            fail("pip could not download onnxruntime-gpu==%s (exit %d)%s; check the network to PyPI, or download the"
                 " wheel elsewhere and pass --wheel FILE (or put it in %s)"
                 % (VERSION, r.returncode, " (is python3 -m pip installed? Debian: apt-get install python3-pip)"
                    if r.returncode == 1 and shutil.which("pip") is None else "", cache))
        target = os.path.join(cache, got[0])
        os.replace(os.path.join(tmp, got[0]), target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("Downloaded %s (%s) in %.1f s" % (got[0], mib(os.path.getsize(target)), time.time() - start))
    return target


def zip_text(z, name):
    return z.read(name).decode("utf-8", "replace") if name in z.namelist() else ""


source = jar_path
wheel_info = ""
if CUDA == 13:
    whl_path = wheel_file()
    try:
        whl = zipfile.ZipFile(whl_path)
    except (OSError, zipfile.BadZipFile) as e:
        fail("cannot read the wheel %s: %s; delete it and run again" % (whl_path, e))
    wnames = whl.namelist()
    meta = next((n for n in wnames if n.endswith(".dist-info/METADATA")), None)
    mtext = zip_text(whl, meta) if meta else ""
    wname = (re.search(r"^Name:\s*(\S+)", mtext, re.M) or [None, None])[1]
    wversion = (re.search(r"^Version:\s*(\S+)", mtext, re.M) or [None, None])[1]
    info = zip_text(whl, "onnxruntime/capi/build_and_package_info.py")
    iversion = (re.search(r"__version__\s*=\s*'([^']+)'", info) or [None, None])[1]
    cuda_version = (re.search(r"cuda_version\s*=\s*'([^']*)'", info) or [None, None])[1]
    if wname not in ("onnxruntime-gpu", "onnxruntime_gpu"):
        fail("%s is not an onnxruntime-gpu wheel (its METADATA names %s)" % (whl_path, wname))
    if wversion != VERSION or (iversion and iversion != VERSION):
        fail("version mismatch: the wheel %s is onnxruntime-gpu %s, pom.xml's onnxruntime.version is %s;"
             " use onnxruntime-gpu==%s" % (whl_path, wversion, VERSION, VERSION))
    if not cuda_version or cuda_version.split(".")[0] != "13":
        fail("the wheel %s is built for CUDA %s, not CUDA 13 (onnxruntime/capi/build_and_package_info.py)"
             % (whl_path, cuda_version or "(unknown)"))
    core = next((n for n in wnames if re.match(r"onnxruntime/capi/libonnxruntime\.so(\.[0-9.]+)?$", n)), None)
    whl_commit = find_commit(whl, core) if core else None
    if not whl_commit:
        fail("cannot find the build commit (ORT Build Info git-commit-id) in %s of %s" % (core, whl_path))
    if not JAR_COMMIT.startswith(whl_commit) and not whl_commit.startswith(JAR_COMMIT):
        fail("build commit mismatch: the jar %s is commit %s, the wheel %s is commit %s; the CUDA provider must come"
             " from the same ONNX Runtime build as the jar's core libraries" % (jar_path, JAR_COMMIT, whl_path, whl_commit))
    if "onnxruntime/capi/" + PROVIDER not in wnames:
        fail("%s has no onnxruntime/capi/%s" % (whl_path, PROVIDER))
    source = whl_path
    wheel_info = "CUDA %s, commit %s" % (cuda_version, whl_commit)


# ---- the folder: write each file next to its place, then rename it
os.makedirs(dest, exist_ok=True)


def extract(z, member, name):
    target = os.path.join(dest, name)
    tmp = target + ".part"
    with z.open(member) as src, open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 22)
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target


for n in CORE:
    extract(jar, NATIVE + n, n)
provider = extract(whl if CUDA == 13 else jar, ("onnxruntime/capi/" if CUDA == 13 else NATIVE) + PROVIDER, PROVIDER)


# ---- what the provider needs: DT_NEEDED of the ELF (64-bit little-endian, section headers)
def elf_needed(path):
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            fail("%s is not a 64-bit little-endian ELF library" % path)
        shoff, = struct.unpack_from("<Q", head, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", head, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        sections = [struct.unpack_from("<IIQQQQIIQQ", table, k * shentsize) for k in range(shnum)]
        for s in sections:
            if s[1] == 6:  # SHT_DYNAMIC
                f.seek(s[4]); dyn = f.read(s[5])
                strtab = sections[s[6]]
                f.seek(strtab[4]); strings = f.read(strtab[5])
                out = []
                for k in range(0, len(dyn) - 15, 16):
                    tag, val = struct.unpack_from("<qQ", dyn, k)
                    if tag == 0:
                        break
                    if tag == 1:  # DT_NEEDED
                        out.append(strings[val:strings.index(b"\0", val)].decode())
                return out
    return []


def search_dirs():
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    conf = "/etc/ld.so.conf.d"
    if os.path.isdir(conf):
        for c in sorted(os.listdir(conf)):
            try:
                dirs += [l.strip() for l in open(os.path.join(conf, c)) if l.strip().startswith("/")]
            except OSError:
                pass
    dirs += ["/usr/local/cuda/lib64", "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu",
             "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib"]
    seen = []
    for d in dirs:
        if d not in seen and os.path.isdir(d):
            seen.append(d)
    return seen


def where(lib, dirs):
    for d in dirs:
        p = os.path.join(d, lib)
        if os.path.exists(p):
            return os.path.realpath(p)
    return None


def what(lib):
    m = re.match(r"lib(cublasLt|cublas|cudart|curand|cufft|nvrtc|nvJitLink|cudnn)\.so\.(\d+)$", lib)
    names = {"cublasLt": "cuBLASLt", "cublas": "cuBLAS", "cudart": "CUDA runtime", "curand": "cuRAND",
             "cufft": "cuFFT", "nvrtc": "NVRTC", "nvJitLink": "nvJitLink", "cudnn": "cuDNN"}
    if lib == "libcuda.so.1":
        return "NVIDIA driver"
    if not m:
        return None
    kind, n = m.group(1), int(m.group(2))
    if kind == "curand":
        return "cuRAND, CUDA 12 and 13"
    if kind == "cufft":
        return "cuFFT, CUDA %d" % (n + 1)
    if kind == "cudnn":
        return "cuDNN %d" % n
    return "%s, CUDA %d" % (names[kind], n)


needed = elf_needed(provider)
cuda_needed = [n for n in needed if what(n)]
majors = {int(m.group(1)) for n in needed for m in [re.match(r"libcu(?:blasLt|blas|dart)\.so\.(\d+)$", n)] if m}
if majors != {CUDA}:
    fail("%s NEEDs %s: it is not a CUDA %d provider" % (provider, ", ".join(cuda_needed) or "no CUDA library", CUDA))

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


stamp = os.path.join(dest, "ort-natives.txt")
with open(stamp + ".part", "w") as f:
    f.write("onnxruntime.version=%s\ncommit=%s\ncuda=%d\ncore=%s\nprovider=%s\nprovider.sha256=%s\nprovider.needs=%s\n" % (
        VERSION, JAR_COMMIT, CUDA, jar_path, source,
        sha256(provider), " ".join(cuda_needed)))
os.replace(stamp + ".part", stamp)

# ---- report
dirs = search_dirs()
print("ONNX Runtime %s natives for CUDA %d in %s (build commit %s):" % (VERSION, CUDA, dest, JAR_COMMIT))
for n in CORE:
    print("  %-36s %9s  from %s" % (n, mib(os.path.getsize(os.path.join(dest, n))), os.path.basename(jar_path)))
print("  %-36s %9s  from %s%s" % (PROVIDER, mib(os.path.getsize(provider)), os.path.basename(source),
                                  " (%s)" % wheel_info if wheel_info else ""))
print("The CUDA provider NEEDs (found on this machine? LD_LIBRARY_PATH, then the system library folders):")
absent = []
for n in cuda_needed:
    w = where(n, dirs)
    absent += [] if w else [n]
    print("  %-20s %-24s %s" % (n, "(%s)" % what(n), w or "NOT FOUND"))
cudnn = where("libcudnn.so.9", dirs)
print("  and loads at run time: cuDNN 9 (libcudnn.so.9: %s), cuFFT, NVRTC of CUDA %d" % (cudnn or "NOT FOUND", CUDA))
if CUDA == 13:
    pip = "nvidia-cublas nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-curand nvidia-cuda-nvrtc"
    toolkit = "the CUDA 13 toolkit (or NVIDIA's nvidia/cuda:13.x-cudnn-runtime image), driver 580 or later"
else:
    pip = ("nvidia-cublas-cu12 nvidia-cuda-runtime-cu12 nvidia-cudnn-cu12 nvidia-cufft-cu12 nvidia-curand-cu12"
           " nvidia-cuda-nvrtc-cu12")
    toolkit = "the CUDA 12 toolkit (or NVIDIA's nvidia/cuda:12.x-cudnn-runtime image), driver 525 or later"
print("""
Use it (the same folder on every machine that runs the encoder):
  java -Donnxruntime.native.path={d} -jar flink-job/target/flink-job.jar --device cuda:0 ...
  java -Donnxruntime.native.path={d} -jar query-cli/target/query-cli.jar search --device cuda:0 ...
  Flink cluster, in the TaskManagers' configuration:
    env.java.opts.taskmanager: -Xss8m -Donnxruntime.native.path={d}
CUDA {c} libraries and cuDNN 9 must be loadable: {t}, or from PyPI:
  python3 -m pip install {p}
  export LD_LIBRARY_PATH=$(find "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/nvidia" \\
      -name 'lib*.so*' -printf '%h\\n' | sort -u | paste -sd:):$LD_LIBRARY_PATH""".format(d=dest, c=CUDA, t=toolkit, p=pip))
if opts["classes-jar"]:
    out = os.path.abspath(opts["classes-jar"])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with zipfile.ZipFile(out + ".part", "w", zipfile.ZIP_DEFLATED) as z:
        for e in jar.infolist():
            if not e.filename.startswith("ai/onnxruntime/native/"):
                z.writestr(e, jar.read(e))
    os.replace(out + ".part", out)
    print("Classes-only jar (no natives: it loads them from %s only): %s (%s)" % (dest, out, mib(os.path.getsize(out))))
if absent:
    print("\nNot found on this machine: %s. The encoder falls back to the CPU (--device auto) or fails (--device cuda:N)"
          " until they are on LD_LIBRARY_PATH." % ", ".join(absent))
PYTHON
