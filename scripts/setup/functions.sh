#!/usr/bin/env bash
# System packages for the edge-functions tests and bench (tests/functions, bench/functions.sh):
# the tests need only npm packages (assemblyscript, re2, multiformats, undici); the bench drives
# the node with wrk. Idempotent.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  echo "functions setup: wrk present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wrk
echo "functions setup: installed wrk"
