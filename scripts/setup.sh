#!/usr/bin/env bash
# Installs what AEGIS builds and tests need on a Debian machine (run as root), then the npm
# dependencies. Idempotent. Each area adds its own packages in scripts/setup/<area>.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "== setup: Debian packages"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config libssl-dev libudev-dev clang llvm python3 \
    redis-server nats-server ca-certificates >/dev/null
  for s in scripts/setup/*.sh; do
    [ -e "$s" ] || continue
    echo "== setup: $s"
    bash "$s"
  done
else
  echo "note: not root or no apt-get: install the Debian packages listed in scripts/setup.sh and scripts/setup/*.sh yourself"
fi
command -v cargo >/dev/null || { echo "error: Rust (cargo) is required: https://rustup.rs"; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "error: Node.js 20 or newer is required"; exit 1; }
echo "== setup: npm ci"
# node-gyp builds native addons (re2) against the installed Node headers, offline.
# Registry hiccups (ECONNRESET) are retried with backoff instead of failing the setup.
npm_config_nodedir=/usr npm_config_fetch_retries=6 npm_config_fetch_retry_mintimeout=2000 npm_config_fetch_retry_maxtimeout=60000 \
  npm ci --no-audit --no-fund
