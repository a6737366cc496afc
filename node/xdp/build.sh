#!/usr/bin/env bash
# Builds the XDP object and the test/bench packet sender from source into node/xdp/build/
# (ignored by git). Needs clang, llvm, libbpf-dev and a C compiler (scripts/setup/xdp.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build"
mkdir -p "$out"
arch_inc="/usr/include/$(gcc -dumpmachine 2>/dev/null || echo "$(uname -m)-linux-gnu")"
clang -O2 -g -Wall -Werror -target bpf -I"$arch_inc" -c "$here/aegis_xdp.c" -o "$out/aegis_xdp.o.tmp"
mv "$out/aegis_xdp.o.tmp" "$out/aegis_xdp.o"
cc -O2 -Wall -Werror -o "$out/aegis-flood.tmp" "$here/tools/flood.c"
mv "$out/aegis-flood.tmp" "$out/aegis-flood"
echo "built $out/aegis_xdp.o $out/aegis-flood"
