#!/usr/bin/env bash
# Search benchmark (./bench.sh --search): for each Milvus kind scripts/milvus-lite.sh can start,
# upsert rows/s and search top-10 p50/p99 at 10,000 and 100,000 rows x 2048-d, one query per call
# and 16 per call, through the project's MilvusImageStore (core/src/test/.../bench/SearchBench).
# Also checks every kind's top-10 against an exact brute-force top-10 and against each other.
#
#   ./bench.sh --search [--kinds lite,lite3] [--rows 10000,100000] [--queries N] [--budget-s S]
#                       [--skip KIND:ROWS,...] [--index autoindex|flat|ivf_flat]
#     --kinds      lite = Milvus Lite 2.5.1 (the default engine), lite3 = Milvus Lite 3.2.2
#     --rows       sizes, each reached by upserting more rows into the same collection
#     --queries    searches per series (default 200; batched series: a quarter as many calls)
#     --budget-s   seconds per series before it stops early, after at least 3 calls (default 120)
#     --skip       leave out a kind from a size on, e.g. lite3:100000
#     --index      the collection's vector index (default autoindex, as the job creates it)
# Needs Java 17, Maven and Python 3 (venvs .venv/milvus and .venv/milvus-lite3, created from the
# project's requirements files on first use). Everything it writes goes under .bench/search-*/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

kinds=lite,lite3
rows=10000,100000
queries=200
budget=120
skip=""
index=autoindex
die() { echo "bench.sh --search: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kinds) [[ $# -ge 2 ]] || die "--kinds needs a list"; kinds="$2"; shift 2 ;;
    --rows) [[ $# -ge 2 ]] || die "--rows needs a list"; rows="$2"; shift 2 ;;
    --queries) [[ $# -ge 2 ]] || die "--queries needs a number"; queries="$2"; shift 2 ;;
    --budget-s) [[ $# -ge 2 ]] || die "--budget-s needs seconds"; budget="$2"; shift 2 ;;
    --skip) [[ $# -ge 2 ]] || die "--skip needs KIND:ROWS"; skip="$2"; shift 2 ;;
    --index) [[ $# -ge 2 ]] || die "--index needs autoindex, flat or ivf_flat"; index="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see ./bench.sh --search --help)" ;;
  esac
done
[[ "$kinds" =~ ^(lite|lite3)(,(lite|lite3))*$ ]] || die "--kinds takes lite and/or lite3, got '$kinds'"
[[ "$rows" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--rows takes numbers like 10000,100000, got '$rows'"
[[ "$queries" =~ ^[0-9]+$ ]] && ((queries >= 3)) || die "--queries must be 3 or more, got '$queries'"
command -v java >/dev/null || die "java (17+) is not on the PATH"
command -v mvn >/dev/null || die "Maven (mvn) is not on the PATH"

RUN="$ROOT/.bench/search-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RUN"
echo "bench.sh --search: kinds $kinds, rows $rows, 2048-d, top-10; output in $RUN"
flags="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|avx512f|avx512_vnni|avx512_bf16|amx_tile' | tr '\n' ' ')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), flags: ${flags:-none of avx2/avx512f/avx512_vnni/amx}, $(free -g | awk '/^Mem:/ { print $2 " GiB RAM, " $7 " GiB available" }')"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The benchmark class and core's test classpath (built when missing or older than the sources).
CLASSES="$ROOT/core/target/test-classes/dev/imgsearch/core/bench/SearchBench.class"
CPFILE="$ROOT/.bench/core-test.classpath"
if [[ ! -f "$CLASSES" || ! -f "$CPFILE" ]] \
  || [[ -n "$(find core/src core/pom.xml pom.xml -newer "$CLASSES" -type f -print -quit)" ]]; then
  echo "Building core and its test classes (mvn -pl core test-compile) ..."
  mvn -B -ntp -q -Dstyle.color=never -pl core test-compile >"$RUN/build.log" 2>&1 \
    || { tail -n 30 "$RUN/build.log" >&2; die "the build failed; see $RUN/build.log"; }
  mkdir -p "$ROOT/.bench"
  mvn -B -ntp -q -Dstyle.color=never -pl core dependency:build-classpath -Dmdep.includeScope=test \
    "-Dmdep.outputFile=$CPFILE" >>"$RUN/build.log" 2>&1 \
    || { tail -n 30 "$RUN/build.log" >&2; die "cannot resolve core's classpath; see $RUN/build.log"; }
fi

# 2. The engines' venvs, before any timing.
for kind in ${kinds//,/ }; do
  engine=2.5
  [[ "$kind" == lite3 ]] && engine=3
  scripts/milvus-lite.sh install --engine "$engine" >/dev/null
done

# 3. The run: one server per kind, started and stopped by SearchBench through the scripts.
args=(--kinds "$kinds" --rows "$rows" --queries "$queries" --budget-s "$budget" --index "$index"
  --ids-out "$RUN/ids")
[[ -z "$skip" ]] || args+=(--skip "$skip")
start=$SECONDS
java -Xmx2g -cp "$ROOT/core/target/classes:$ROOT/core/target/test-classes:$(cat "$CPFILE")" \
  dev.imgsearch.core.bench.SearchBench "${args[@]}" 2>"$RUN/bench.stderr" | tee "$RUN/bench.log" \
  || { tail -n 30 "$RUN/bench.stderr" >&2; die "SearchBench failed; see $RUN/bench.stderr"; }
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); took $((SECONDS - start)) s"

# 4. The same queries on both kinds: the same top-10 ids, in the same order?
for f in "$RUN"/ids/lite-*.tsv; do
  [[ -f "$f" ]] || continue
  n="${f##*/lite-}"; n="${n%.tsv}"
  other="$RUN/ids/lite3-$n.tsv"
  [[ -f "$other" ]] || continue
  same="$(paste "$f" "$other" | awk -F'\t' '$2 == $4' | wc -l)"
  total="$(wc -l <"$f")"
  echo "$n rows: Milvus Lite 2.5.1 and 3.2.2 return the same top-10 ids in the same order for $same of $total queries"
  if ((same != total)); then
    # Per differing query: the ranks where both return the same id, and how many ids they share.
    paste "$f" "$other" | awk -F'\t' '$2 != $4 {
      n = split($2, a, ","); split($4, b, ","); ranks = ""; shared = 0
      for (i = 1; i <= n; i++) { if (a[i] == b[i]) ranks = ranks (ranks == "" ? "" : ",") i; in_b[a[i]] = 0 }
      for (i in b) if (b[i] in in_b) shared++
      delete in_b
      printf "  query %s: same id at rank %s; %d of %d ids shared\n", $1, (ranks == "" ? "none" : ranks), shared, n }'
  fi
done
