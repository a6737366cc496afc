#!/usr/bin/env bash
# System packages for the edge node tests and bench (node/, tests/node, bench/proxy.sh):
# redis-server (shared cache tier tests), nats-server (analytics publishing), openssl (TLS test
# certificates), wrk, nginx and curl (bench/proxy.sh compares against nginx proxy_cache).
# All from Debian. Idempotent.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -eq 0 ]; then
  echo "node setup: redis-server, nats-server, openssl, wrk, nginx, curl present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
# The Debian nginx package starts a system service on port 80; the bench runs its own instance.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
[ -f /run/nginx.pid ] && kill "$(cat /run/nginx.pid)" 2>/dev/null || true
echo "node setup: installed ${need[*]}"
