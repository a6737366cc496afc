#!/usr/bin/env bash
# Headless Chromium (Debian package) for tests/dashboard: playwright-core drives /usr/bin/chromium.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
chromium --version
