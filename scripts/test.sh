#!/usr/bin/env bash
# The one test command (README): every cargo test and every mocha test, then one line
# "N passed, M failed" totalled over both. Starts NATS and Redis on loopback for the run
# unless AEGIS_TEST_NATS_URL / AEGIS_TEST_REDIS_URL already point at running servers.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d -t aegis-test.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { # host port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "service on $1:$2 did not come up" >&2; return 1
}

if [ -z "${AEGIS_TEST_REDIS_URL:-}" ]; then
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  pids+=($!)
  wait_port 127.0.0.1 "$port" 10 || exit 1
  export AEGIS_TEST_REDIS_URL="redis://127.0.0.1:$port"
fi
if [ -z "${AEGIS_TEST_NATS_URL:-}" ]; then
  port=$(free_port)
  nats-server -a 127.0.0.1 -p "$port" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
  pids+=($!)
  wait_port 127.0.0.1 "$port" 10 || exit 1
  export AEGIS_TEST_NATS_URL="nats://127.0.0.1:$port"
fi

passed=0; failed=0

echo "== build: localnet, IDL and types"
cargo build -p aegis-localnet || { echo "0 passed, 1 failed"; exit 1; }
node --import tsx scripts/build-idl.ts --check || failed=$((failed + 1))

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || failed=$((failed + 1))

echo "== cargo test"
cargo test --workspace 2>&1 | tee "$work/cargo.log"
while read -r p f; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$work/cargo.log")
grep -qE '^error(\[|:)' "$work/cargo.log" && failed=$((failed + 1))

echo "== mocha"
npx mocha --reporter spec 'tests/**/*.test.ts' 2>&1 | tee "$work/mocha.log"
m_pass=$(sed -nE 's/^ *([0-9]+) passing.*/\1/p' "$work/mocha.log" | tail -1)
m_fail=$(sed -nE 's/^ *([0-9]+) failing.*/\1/p' "$work/mocha.log" | tail -1)
m_pend=$(sed -nE 's/^ *([0-9]+) pending.*/\1/p' "$work/mocha.log" | tail -1)
[ -n "$m_pass$m_fail" ] || failed=$((failed + 1))
passed=$((passed + ${m_pass:-0})); failed=$((failed + ${m_fail:-0} + ${m_pend:-0}))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
