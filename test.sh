#!/usr/bin/env bash
# The project's test command: checks formatting, builds and runs every test from a clean clone.
#   ./test.sh          unit tests (*Test) and integration tests (*ITCase) against a real Milvus
#   ./test.sh --all    also the slow fault and load tests (*SlowITCase, Maven profile slow)
#   ./test.sh -- ARGS  extra arguments for Maven, e.g. ./test.sh -- -pl core
# Integration tests start Milvus Lite themselves (scripts/milvus-lite.sh installs it from PyPI into
# .venv/milvus); set MILVUS_URI (and MILVUS_TOKEN) to test against another Milvus instead.
set -euo pipefail
# ONNX Runtime 1.29 records usage telemetry for Microsoft (a device ID, events uploaded when it
# can reach the network) unless this is set before it loads (its docs/Privacy.md); every JVM and
# Python process started here inherits it. ORT_DISABLE_TELEMETRY=0 keeps ORT's default.
export ORT_DISABLE_TELEMETRY="${ORT_DISABLE_TELEMETRY:-1}"
cd "$(dirname "$0")"

maven_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --all) maven_args+=(-Pslow); shift ;;
    --) shift; maven_args+=("$@"); break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (see ./test.sh --help)" >&2; exit 2 ;;
  esac
done

command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "test.sh: python3 is required for Milvus Lite" >&2; exit 1; }

# Install Milvus Lite before Maven starts, so that a failed install reads as such.
./scripts/milvus-lite.sh install

exec mvn -B -ntp verify ${maven_args[@]+"${maven_args[@]}"}
