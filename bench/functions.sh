#!/usr/bin/env bash
# Edge functions bench: per-request overhead of a no-op Wasm module (p50/p99 µs) and its
# throughput cost through the edge node (wrk). Records the result in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup/node.sh" >&2; exit 1; }
work=$(mktemp -d -t aegis-fn-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
AEGIS_BENCH_SECS=${AEGIS_BENCH_SECS:-3} AEGIS_BENCH_OUT="$work/section.md" node --import tsx bench/functions/bench.ts
bash bench/record-section.sh functions-bench <"$work/section.md"
