#!/usr/bin/env bash
# System packages for the keeper tests (tests/keepers): nats-server (JetStream; the tests start
# their own on a free loopback port) and redis-server (used when AEGIS_TEST_REDIS_URL is unset).
# The localnet binary comes from `cargo build -p aegis-localnet`. All from Debian. Idempotent.
set -euo pipefail
need=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "keepers setup: nats-server and redis-server present"
