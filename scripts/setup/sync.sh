#!/usr/bin/env bash
# System packages for the distributed-state tests and bench (node/src/sync, tests/sync, bench/sync.sh):
# nats-server (with JetStream) from Debian. Idempotent.
set -euo pipefail
if command -v nats-server >/dev/null 2>&1; then
  echo "nats-server present: $(nats-server --version)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nats-server
echo "nats-server installed: $(nats-server --version)"
