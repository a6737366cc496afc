#!/usr/bin/env bash
# WAF benchmark: AEGIS edge node with OWASP CRS (PL1, block mode) vs nginx + ModSecurity v3 with
# the same CRS files, same origin, same worker count, same run (interleaved rounds).
# The shared rule set is Debian's modsecurity-crs (3.3.x): Debian's libmodsecurity 3.0.9 cannot
# parse CRS 4.25 (chained rules without an action list), so that is the CRS both can run. AEGIS
# with CRS 4.25.0 is measured too, for reference.
# Loopback only; every wrk run is bounded (BENCH_SECS, default 8 s).
#   bash bench/waf.sh                  # records results in docs/BENCHMARKS.md
#   BENCH_SECS=3 NO_DOC=1 bash bench/waf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${BENCH_SECS:-8}
conns=${BENCH_CONNS:-32}
workers=${BENCH_WORKERS:-2}
rounds=${BENCH_ROUNDS:-2}
crs=${AEGIS_CRS_ROOT:-/var/lib/aegis/crs}/current
[ -f "$crs/rules/@owasp_crs/REQUEST-901-INITIALIZATION.conf" ] || { echo "CRS missing: run scripts/setup/waf.sh" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] || { echo "libnginx-mod-http-modsecurity missing: run scripts/setup/waf.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup/waf.sh" >&2; exit 1; }

work=$(mktemp -d -t aegis-bench-waf.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 did not open" >&2; return 1; }
origin_port=$(free_port); modsec_port=$(free_port); aegis_port=$(free_port); aegis4_port=$(free_port); plain_port=$(free_port)
run_user="user $(id -un) $(id -gn);"
mkdir -p "$work/origin/tmp" "$work/modsec/tmp"

# ── origin: static 200 for every path (1 worker) ──
cat > "$work/origin/nginx.conf" <<NGX
$run_user
worker_processes 1;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/origin/tmp; proxy_temp_path $work/origin/tmp; fastcgi_temp_path $work/origin/tmp; uwsgi_temp_path $work/origin/tmp; scgi_temp_path $work/origin/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$origin_port; location / { default_type text/plain; return 200 "ok\n"; } }
}
NGX
"$NGINX" -p "$work/origin" -c "$work/origin/nginx.conf" -g 'daemon off;' &
pids+=($!)

# ── reference: nginx + ModSecurity v3 + the same CRS, $workers workers ──
cat > "$work/modsec/main.conf" <<CONF
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 1048576
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
SecResponseBodyAccess Off
SecAuditEngine Off
SecDebugLogLevel 0
SecTmpDir $work/modsec/tmp
SecDataDir $work/modsec/tmp
Include /etc/modsecurity/crs/crs-setup.conf
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
cat > "$work/modsec/nginx.conf" <<NGX
$run_user
load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;
worker_processes $workers;
pid $work/modsec/nginx.pid;
error_log $work/modsec/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/modsec/tmp; proxy_temp_path $work/modsec/tmp; fastcgi_temp_path $work/modsec/tmp; uwsgi_temp_path $work/modsec/tmp; scgi_temp_path $work/modsec/tmp;
  keepalive_requests 1000000;
  modsecurity on;
  modsecurity_rules_file $work/modsec/main.conf;
  upstream origin { server 127.0.0.1:$origin_port; keepalive 128; }
  server {
    # reuseport: the kernel spreads connections over the workers (without it one nginx worker
    # can take all of wrk's connections and ModSecurity would run on one core).
    listen 127.0.0.1:$modsec_port reuseport;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; }
  }
}
NGX
"$NGINX" -p "$work/modsec" -c "$work/modsec/nginx.conf" -t -q 2>"$work/modsec/test.log" || { cat "$work/modsec/test.log" >&2; exit 1; }
"$NGINX" -p "$work/modsec" -c "$work/modsec/nginx.conf" -g 'daemon off;' 2>>"$work/modsec/error.log" &
modsec_pid=$!
pids+=($!)

# ── AEGIS node + CRS WAF phase, $workers cluster workers ──
NODE_ENV=production node --import tsx "$root/bench/waf/node.ts" "$aegis_port" "http://127.0.0.1:$origin_port" "$workers" debian >"$work/aegis.log" 2>&1 &
aegis_pid=$!
pids+=($!)
# ── AEGIS node + CRS 4.25.0 (reference row) ──
NODE_ENV=production node --import tsx "$root/bench/waf/node.ts" "$aegis4_port" "http://127.0.0.1:$origin_port" "$workers" installed >"$work/aegis4.log" 2>&1 &
aegis4_pid=$!
pids+=($!)
# ── the same node without the WAF phase (how much of the cost is the proxy itself) ──
NODE_ENV=production node --import tsx "$root/bench/waf/node.ts" "$plain_port" "http://127.0.0.1:$origin_port" "$workers" none >"$work/plain.log" 2>&1 &
plain_pid=$!
pids+=($!)

wait_port "$origin_port"; wait_port "$modsec_port"; wait_port "$aegis_port"; wait_port "$aegis4_port"; wait_port "$plain_port"
sleep 2
# Each must be inspecting: an attack is blocked, the benign mix passes.
for port in "$modsec_port" "$aegis_port" "$aegis4_port"; do
  a=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.test' -H 'User-Agent: Mozilla/5.0' -H 'Accept: */*' "http://127.0.0.1:$port/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
  b=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.test' -H 'User-Agent: Mozilla/5.0' -H 'Accept: */*' "http://127.0.0.1:$port/search?q=shoes")
  echo "check port $port: attack=$a benign=$b"
  [ "$a" = 403 ] && [ "$b" = 200 ] || { echo "WAF check failed on port $port" >&2; tail -20 "$work/aegis.log" "$work/modsec/error.log" >&2; exit 1; }
done

tree_ticks() { # user+sys clock ticks of a process and its children
  local t=0 p
  for p in $1 $(pgrep -P "$1" | tr '\n' ' '); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
declare -A rps p99 ticks non2xx
run() { # name port pid
  local before after out
  wrk -t1 -c"$conns" -d2s -s "$root/bench/waf/mix.lua" "http://127.0.0.1:$2/" >/dev/null 2>&1 || true
  before=$(tree_ticks "$3")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$root/bench/waf/mix.lua" "http://127.0.0.1:$2/")
  after=$(tree_ticks "$3")
  local r l n total
  r=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
  l=$(awk '$1=="99%"{print $2}' <<<"$out")
  n=$(awk '/Non-2xx/{print $5}' <<<"$out"); n=${n:-0}
  total=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$1 round: ${r} req/s p99 ${l} non-2xx ${n}"
  rps[$1]="${rps[$1]:-} $r"; p99[$1]="${p99[$1]:-} $l"; non2xx[$1]=$(( ${non2xx[$1]:-0} + n ))
  ticks[$1]="${ticks[$1]:-} $(awk -v t=$((after - before)) -v n="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", t*1000*1000/hz/n}')"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq 1 "$rounds"); do
  run modsec "$modsec_port" "$modsec_pid"
  run aegis "$aegis_port" "$aegis_pid"
  run aegis4 "$aegis4_port" "$aegis4_pid"
  run plain "$plain_port" "$plain_pid"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
best() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | tail -1; }
median_ms() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sed -E 's/us$/e-3/; s/ms$//; s/([0-9.]+)s$/\1e3/' | awk '{printf "%.2f\n", $1+0}' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
m_rps=$(best "${rps[modsec]}"); a_rps=$(best "${rps[aegis]}")
ratio=$(awk -v a="$a_rps" -v m="$m_rps" 'BEGIN{printf "%.2f", a/m}')
m_p99=$(median_ms "${p99[modsec]}"); a_p99=$(median_ms "${p99[aegis]}")
minof() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | head -1; }
m_tk=$(minof "${ticks[modsec]}"); a_tk=$(minof "${ticks[aegis]}"); a4_tk=$(minof "${ticks[aegis4]}")
a4_rps=$(best "${rps[aegis4]}"); a4_p99=$(median_ms "${p99[aegis4]}")
p_rps=$(best "${rps[plain]}"); p_p99=$(median_ms "${p99[plain]}"); p_tk=$(minof "${ticks[plain]}")
cpu_ratio=$(awk -v a="$a_tk" -v m="$m_tk" 'BEGIN{printf "%.2f", m/a}')
crs_deb=$(dpkg-query -W -f='${Version}' modsecurity-crs 2>/dev/null)
section=$(cat <<MD
## WAF: AEGIS vs nginx + ModSecurity v3, same CRS (PL1, block mode)

$(date -u +%Y-%m-%d) · \`nproc\` = $(nproc) · $workers workers each · wrk 1 thread, $conns connections, ${secs} s × $rounds interleaved rounds · load average before/after: $load_before / $load_after (other jobs were running on the machine)

Request mix (bench/waf/mix.lua): browser GET, GET with query string, urlencoded form POST, JSON POST, with session cookie, search terms, form fields and JSON values that differ in every request; both block a reflected-XSS probe and pass the mix (non-2xx: ModSecurity ${non2xx[modsec]}, AEGIS ${non2xx[aegis]}, AEGIS CRS 4.25 ${non2xx[aegis4]}).

| | req/s (best round) | p99 (median of rounds) | CPU ms per 1k requests (server tree) |
|---|---|---|---|
| nginx $(nginx -v 2>&1 | sed 's/.*\///') + libmodsecurity $(dpkg-query -W -f='${Version}' libmodsecurity3 2>/dev/null), CRS $crs_deb (Debian) | $m_rps | ${m_p99} ms | ${m_tk} |
| AEGIS node (TypeScript, RE2), CRS $crs_deb (Debian) | $a_rps | ${a_p99} ms | ${a_tk} |
| AEGIS node, CRS 4.25.0 (reference; ModSecurity 3.0.9 cannot load it) | $a4_rps | ${a4_p99} ms | ${a4_tk} |
| AEGIS node without the WAF phase (proxy alone) | $p_rps | ${p_p99} ms | ${p_tk} |

Throughput ratio AEGIS / ModSecurity: **${ratio}×** (target ≥ 2×). CPU-efficiency ratio (ModSecurity CPU per request / AEGIS CPU per request, the measure least disturbed by other load): **${cpu_ratio}×**. p99 is the lower median of the rounds. Rounds: ModSecurity${rps[modsec]} req/s; AEGIS${rps[aegis]} req/s; AEGIS CRS 4.25${rps[aegis4]} req/s.
MD
)
echo "$section"
if [ -z "${NO_DOC:-}" ]; then
  bash bench/record-section.sh waf-bench <<<"$section"
fi
