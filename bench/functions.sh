#!/usr/bin/env bash
# Edge functions bench: per-request overhead of a no-op Wasm module (p50/p99 µs) and its
# throughput cost through the edge node (wrk). Records the result in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup/node.sh" >&2; exit 1; }
work=$(mktemp -d -t aegis-fn-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
AEGIS_BENCH_SECS=${AEGIS_BENCH_SECS:-3} AEGIS_BENCH_OUT="$work/section.md" node --import tsx bench/functions/bench.ts
doc=docs/BENCHMARKS.md
start='<!-- functions-bench:start -->'
end='<!-- functions-bench:end -->'
(
  flock 9
  [ -f "$doc" ] || printf '# Benchmarks\n\n' >"$doc"
  SECTION="$(printf '%s\n%s\n%s\n' "$start" "$(cat "$work/section.md")" "$end")" python3 - "$doc" "$start" "$end" <<'PY'
import os, re, sys
path, start, end = sys.argv[1:4]
text = open(path).read()
section = os.environ["SECTION"]
if start in text:
    text = re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\n?", lambda m: section + "\n", text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
) 9>/tmp/aegis-bench-doc.lock
echo "recorded in $doc"
