#!/usr/bin/env bash
# WAF + bot management setup (idempotent). Installs, from package registries only:
#  - the OWASP Core Rule Set v4.25.0 rule files AND its regression tests, from the Go module
#    github.com/corazawaf/coraza-coreruleset/v4@v4.25.0 (a registry-published module with a go.mod
#    that carries the unmodified CRS release: rules/@owasp_crs/*.conf, *.data and tests/**/*.yaml),
#    unpacked by `go mod download` into $AEGIS_CRS_ROOT (default /var/lib/aegis/crs);
#  - Debian's modsecurity-crs (CRS 3.3.4, also loadable by our engine) and, for bench/waf.sh,
#    nginx + libnginx-mod-http-modsecurity (ModSecurity v3) + wrk.
set -euo pipefail
CRS_MODULE="github.com/corazawaf/coraza-coreruleset/v4"
CRS_VERSION="v4.25.0"
ROOT="${AEGIS_CRS_ROOT:-/var/lib/aegis/crs}"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for p in modsecurity-crs nginx libnginx-mod-http-modsecurity wrk golang-go; do
    if [ "$p" = golang-go ] && command -v go >/dev/null; then continue; fi
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
  # The Debian nginx package starts a default site on :80; the bench runs its own instances.
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then systemctl stop nginx || true; fi
fi

dest="$ROOT/$CRS_VERSION"
if [ ! -f "$dest/rules/@owasp_crs/REQUEST-942-APPLICATION-ATTACK-SQLI.conf" ]; then
  mkdir -p "$ROOT"
  export GOMODCACHE="$ROOT/gomodcache"
  # A throw-away module directory, so this works with any Go (Debian's 1.19 included).
  tmpmod=$(mktemp -d)
  printf 'module aegis.local/crsfetch\n\ngo 1.19\n' >"$tmpmod/go.mod"
  dir=$(cd "$tmpmod" && GOFLAGS=-modcacherw go mod download -json "$CRS_MODULE@$CRS_VERSION" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')
  rm -rf "$tmpmod"
  [ -n "$dir" ] && [ -d "$dir/rules/@owasp_crs" ] || { echo "go mod download of $CRS_MODULE@$CRS_VERSION failed" >&2; exit 1; }
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  cp -r "$dir/rules" "$dir/tests" "$dest.tmp/"
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
fi
ln -sfn "$dest" "$ROOT/current"
echo "CRS $CRS_VERSION at $ROOT/current (rules: $(ls "$dest/rules/@owasp_crs"/*.conf | wc -l) files, tests: $(find "$dest/tests" -name '*.yaml' | wc -l) files)"
