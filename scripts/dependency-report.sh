#!/usr/bin/env bash
# Dependency report: outdated Maven dependencies and plugins, and the Python pins with their
# newest releases and any vulnerabilities PyPI reports for them.
#
# Usage: scripts/dependency-report.sh [--out DIR] [--skip-maven] [--skip-python]
#   --out DIR   where the report files go (default target/dependency-report)
# Needs the network: Maven Central (versions-maven-plugin) and pypi.org (its JSON API).
# Not part of ./test.sh: its answers change whenever a new version is released.
#
# Vulnerability data: PyPI's per-release JSON (https://pypi.org/pypi/NAME/VERSION/json) carries
# the OSV advisories of that release; the project JSON carries those of the newest release, which
# answers for pins that are the newest. Otherwise the report says "not checked", never "none". For the Java side OWASP dependency-check needs the NVD
# API (services.nvd.nist.gov) or OSS Index; run it where they are reachable:
#   mvn org.owasp:dependency-check-maven:13.0.0:aggregate -DnvdApiKey=...
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(dirname "$SCRIPT_DIR")"
OUT="$PROJECT_ROOT/target/dependency-report"
MAVEN=1
PYTHON=1

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out)
      [[ $# -ge 2 ]] || die "--out needs a folder"
      OUT="$2"
      shift 2
      ;;
    --skip-maven) MAVEN=0; shift ;;
    --skip-python) PYTHON=0; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1'; expected --out DIR, --skip-maven or --skip-python" ;;
  esac
done
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

if ((MAVEN)); then
  echo "== Maven: newer versions of dependencies and plugins (versions-maven-plugin) =="
  # The plugin's version is pinned in the parent pom's pluginManagement.
  (cd "$PROJECT_ROOT" && mvn -B -ntp versions:display-dependency-updates \
    versions:display-plugin-updates -Dversions.outputLineWidth=110 \
    -DprocessDependencyManagementTransitive=false >"$OUT/maven.log" 2>&1) \
    || { tail -n 30 "$OUT/maven.log" >&2; die "mvn versions:* failed; see $OUT/maven.log"; }
  # One section per module: the dependency lists, de-duplicated, then the plugin updates this
  # Maven can use (display-plugin-updates also prints a history of older releases per plugin).
  awk '/The following dependencies/ {on = 1; next} /^\[INFO\] *$/ {on = 0}
       on && / -> / {sub(/^\[INFO\] */, ""); print}' "$OUT/maven.log" | sort -u \
    | tee "$OUT/maven-summary.txt"
  [[ -s "$OUT/maven-summary.txt" ]] || echo "(no newer dependency versions found)"
  echo "-- plugins (newest usable with this Maven first; see $OUT/maven.log for the rest):"
  awk '/Require Maven 3\.(6|8|9)/ {on = 1; print; next} /^\[INFO\] *$/ {on = 0}
       on && / -> / {print}' "$OUT/maven.log" | sed 's/^\[INFO\] *//' | sort -u
  echo
fi

if ((PYTHON)); then
  echo "== Python pins: newest release and known vulnerabilities (pypi.org JSON API) =="
  python3 - "$PROJECT_ROOT" "$OUT/python-report.tsv" <<'PY'
import json, pathlib, re, sys, urllib.error, urllib.request

root = pathlib.Path(sys.argv[1])
out = pathlib.Path(sys.argv[2])
files = [
    "scripts/requirements-milvus.txt",
    "scripts/lib/requirements-milvus-lite3.txt",
    "models/requirements.txt",
    "scripts/reference/requirements.txt",
    "bench/requirements-images.txt",
]
pins = {}
for f in files:
    path = root / f
    if not path.exists():
        continue
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s#;]+)", line)
        if m:
            name = re.sub(r"\[.*\]", "", m.group(1))
            pins.setdefault((name.lower(), m.group(2)), []).append(f)
# What the Milvus Lite venvs really run (their transitive dependencies), where they exist.
for venv in (".venv/milvus", ".venv/milvus-lite3"):
    venv_python = root / venv / "bin/python"
    if not venv_python.exists():
        continue
    import subprocess
    frozen = subprocess.run([str(venv_python), "-m", "pip", "freeze"], capture_output=True,
                            text=True, check=False).stdout
    for line in frozen.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            pins.setdefault((name.lower(), version.strip()), []).append(f"{venv} (installed)")

def get(url):
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.load(r)

rows = []
unreachable = 0
for (name, version), where in sorted(pins.items()):
    latest, vulns, project = "?", None, None
    try:
        project = get(f"https://pypi.org/pypi/{name}/json")
        latest = project["info"]["version"]
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        latest = f"? ({e.__class__.__name__})"
    try:
        data = get(f"https://pypi.org/pypi/{name}/{version}/json")
    except (urllib.error.URLError, OSError, ValueError):
        # The project document's advisories are those of its newest release: they answer for
        # a pin only when the pin is that release.
        data = project if project is not None and latest == version else None
    if data is None:
        unreachable += 1
    else:
        vulns = [v.get("id", "?") + " (fixed in " + ",".join(v.get("fixed_in") or ["-"]) + ")"
                 for v in data.get("vulnerabilities") or []]
    status = "current" if latest == version else f"newer: {latest}"
    vuln_text = "not checked (release JSON unreachable)" if vulns is None else (
        "; ".join(vulns) if vulns else "none reported")
    rows.append((name, version, status, vuln_text, ", ".join(sorted(set(where)))))

out.write_text("package\tpinned\tstatus\tvulnerabilities\tpinned in\n"
               + "".join("\t".join(r) + "\n" for r in rows))
width = max(len(r[0]) for r in rows) if rows else 10
for r in rows:
    print(f"{r[0]:<{width}}  {r[1]:<12}  {r[2]:<22}  {r[3]}  [{r[4]}]")
if unreachable:
    print(f"\nWARNING: vulnerability data for {unreachable} of {len(rows)} pinned releases could "
          "not be fetched (https://pypi.org/pypi/NAME/VERSION/json unreachable, and the pin is not "
          "the newest release); 'not checked' means unknown, not safe.")
PY
  echo
fi
echo "Report files in $OUT"
