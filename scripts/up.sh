#!/usr/bin/env bash
# The main job: a whole AEGIS network on this machine (scripts/up/main.ts): localnet with every
# AEGIS program, SPL Governance and the AEGIS realm, a demo operator with a staked node, keepers,
# an edge node in front of a sample origin. State in .aegis/ (a second start reuses the ledger).
# Options: `npm start -- --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x target/debug/aegis-localnet ] || [ -n "$(find localnet programs -newer target/debug/aegis-localnet -name '*.rs' -print -quit)" ]; then
  echo "== building aegis-localnet (the first build compiles the Solana runtime: ~20-40 min on 2 cores)"
  cargo build -p aegis-localnet --bin aegis-localnet
fi
[ -d node_modules ] || { echo "== npm ci"; npm ci; }
exec node --import tsx scripts/up/main.ts "$@"
