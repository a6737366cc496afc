#!/usr/bin/env bash
# Keeper benchmarks: report verification rate per core, epoch computation for 10k / 100k nodes.
# Prints the markdown section; with --record, appends it to docs/BENCHMARKS.md (flock).
set -euo pipefail
cd "$(dirname "$0")/.."
export LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
out="$(node --import tsx bench/keepers/bench.ts)"
printf '%s\n' "$out"
if [[ "${1:-}" == "--record" ]]; then
  ( flock 9; printf '\n%s\n' "$out" >> docs/BENCHMARKS.md ) 9>/tmp/aegis-bench-doc.lock
fi
