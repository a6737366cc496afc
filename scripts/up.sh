#!/usr/bin/env bash
# The main job: start AEGIS on this machine. Today: the local chain with every AEGIS program
# and SPL Governance, state kept in .aegis/ledger (a second start reuses it).
# Options are passed to aegis-localnet (see --help), e.g. `npm start -- --rpc-port 9899`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building aegis-localnet (the first build compiles the Solana runtime: ~20-40 min on 2 cores)"
cargo build -p aegis-localnet --bin aegis-localnet
mkdir -p .aegis
exec target/debug/aegis-localnet --ledger .aegis/ledger "$@"
