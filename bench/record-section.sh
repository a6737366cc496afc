#!/usr/bin/env bash
# Records a bench result in docs/BENCHMARKS.md: stdin replaces the section between
# "<!-- NAME:start -->" and "<!-- NAME:end -->" (appended the first time); text outside the
# markers (analysis written by hand) stays. Benches running at once take turns (flock).
#   bash bench/record-section.sh proxy-bench <section.md
set -euo pipefail
name=${1:?usage: record-section.sh NAME <section.md}
doc="$(dirname "$0")/../docs/BENCHMARKS.md"
start="<!-- $name:start -->"; end="<!-- $name:end -->"
section=$(cat)
(
  flock 9
  [ -f "$doc" ] || printf '# Benchmarks\n\n' >"$doc"
  SECTION="$(printf '%s\n%s\n%s\n' "$start" "$section" "$end")" python3 - "$doc" "$start" "$end" <<'PY'
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
echo "recorded in docs/BENCHMARKS.md"
