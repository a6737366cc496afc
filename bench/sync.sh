#!/usr/bin/env bash
# Sync bench: starts its own nats-server (JetStream) on a free loopback port, runs bench/sync/bench.ts
# (3 node processes: propagation p50/p99; merges/s) and records the result in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nats-server >/dev/null || { echo "nats-server missing: run scripts/setup/sync.sh" >&2; exit 1; }
work=$(mktemp -d -t aegis-sync-bench.XXXXXX)
nats_pid=""
cleanup() { [ -n "$nats_pid" ] && kill "$nats_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
nats-server -a 127.0.0.1 -p "$port" -js -sd "$work/js" >"$work/nats.log" 2>&1 &
nats_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
AEGIS_BENCH_NATS_URL="nats://127.0.0.1:$port" AEGIS_BENCH_OUT="$work/section.md" node --import tsx bench/sync/bench.ts
bash bench/record-section.sh sync-bench <"$work/section.md"
