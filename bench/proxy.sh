#!/usr/bin/env bash
# Edge proxy benchmark: AEGIS node vs nginx proxy_cache, same origin, same core budget, same run.
# Measures cache-hit req/s and p99 latency for 1 KB and 100 KB objects, and pass-through req/s.
# Loopback only; every wrk run is bounded (BENCH_SECS, default 8 s).
#   bash bench/proxy.sh            # records results in docs/BENCHMARKS.md (its marked section)
#   BENCH_SECS=3 NO_DOC=1 bash bench/proxy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
secs=${BENCH_SECS:-8}
conns=${BENCH_CONNS:-64}
threads=${BENCH_THREADS:-2}
workers=${BENCH_WORKERS:-2}
for t in wrk nginx; do command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || { echo "missing $t: run scripts/setup/node.sh" >&2; exit 1; }; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d -t aegis-bench-proxy.XXXXXX)
pids=()
cleanup() {
  if [ -f "$work/node/out.log" ] && grep -q '"level":[56]0' "$work/node/out.log"; then
    echo "node errors during the bench:" >&2; grep '"level":[56]0' "$work/node/out.log" | tail -5 >&2
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 did not open" >&2; return 1; }

origin_port=$(free_port); nginx_port=$(free_port); node_port=$(free_port); metrics_port=$(free_port)
chmod 755 "$work"
run_user="user $(id -un) $(id -gn);"
[ "$(id -u)" -eq 0 ] || run_user=""
mkdir -p "$work/www/static" "$work/www/nocache" "$work/origin" "$work/proxy/cache" "$work/node"
head -c 1024 /dev/urandom > "$work/www/static/1k.bin"
head -c 102400 /dev/urandom > "$work/www/static/100k.bin"
head -c 1024 /dev/urandom > "$work/www/nocache/1k.bin"

# ── origin: one nginx worker serving static files ──
cat > "$work/origin/nginx.conf" <<NGX
$run_user
worker_processes 1;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # sendfile splits header and body into separate segments; with Nagle still on for a fresh
  # keep-alive connection that stalls Node/undici clients on loopback (measured: 4.4k vs 10k req/s).
  # Off for the origin only, so the bench measures the proxies and not that interaction.
  sendfile off;
  client_body_temp_path $work/origin/tmp; proxy_temp_path $work/origin/tmp; fastcgi_temp_path $work/origin/tmp; uwsgi_temp_path $work/origin/tmp; scgi_temp_path $work/origin/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$origin_port;
    root $work/www;
    location /static/ { add_header Cache-Control "public, max-age=3600"; }
    location /nocache/ { add_header Cache-Control "no-store"; }
  }
}
NGX
"$NGINX" -p "$work/origin" -c "$work/origin/nginx.conf" -g 'daemon off;' &
pids+=($!)

# ── reference: nginx proxy_cache, $workers workers ──
cat > "$work/proxy/nginx.conf" <<NGX
$run_user
worker_processes $workers;
pid $work/proxy/nginx.pid;
error_log $work/proxy/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/proxy/tmp; proxy_temp_path $work/proxy/tmp; fastcgi_temp_path $work/proxy/tmp; uwsgi_temp_path $work/proxy/tmp; scgi_temp_path $work/proxy/tmp;
  keepalive_requests 1000000;
  proxy_cache_path $work/proxy/cache levels=1:2 keys_zone=edge:32m max_size=1g inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$origin_port; keepalive 128; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_cache edge;
      proxy_cache_lock on;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
NGX
"$NGINX" -p "$work/proxy" -c "$work/proxy/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
pids+=($!)

# ── AEGIS node, $workers cluster workers ──
cat > "$work/node/zones.toml" <<TOML
[[zones]]
domain = "bench.test"
policyVersion = 1
origins = [{ url = "http://127.0.0.1:$origin_port" }]
TOML
cat > "$work/node/node.toml" <<TOML
dataDir = "$work/node/data"
workers = $workers
[listen]
http = "127.0.0.1:$node_port"
metrics = "127.0.0.1:$metrics_port"
[policy]
file = "$work/node/zones.toml"
[log]
level = "warn"
TOML
NODE_ENV=production node --import tsx "$root/node/src/main.ts" --config "$work/node/node.toml" > "$work/node/out.log" 2>&1 &
node_pid=$!
pids+=($!)

wait_port "$origin_port"; wait_port "$nginx_port"; wait_port "$node_port"
sleep 1
for port in "$nginx_port" "$node_port"; do
  for p in /static/1k.bin /static/100k.bin /nocache/1k.bin; do
    for _ in 1 2 3 4; do curl -s -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:$port$p"; done
  done
done
# the node's workers each fill their own memory tier: check both now answer hits
check() { # port path header → "status cache-header"
  curl -s -D - -o /dev/null -H 'Host: bench.test' "http://127.0.0.1:$1$2" | tr -d '\r' | awk -v h="$3" -F': ' 'NR==1{s=$0; sub(/^HTTP\/[0-9.]+ /,"",s); split(s,a," ")} tolower($1)==h{c=$2} END{print a[1], c}'
}
for p in /static/1k.bin /static/100k.bin /nocache/1k.bin; do
  a=$(check "$node_port" "$p" x-aegis-cache); n=$(check "$nginx_port" "$p" x-cache)
  echo "check $p: aegis=[$a] nginx=[$n]"
  case "$p" in /static/*) [[ "$a" == "200 HIT" && "$n" == "200 HIT" ]] || { echo "warm-up failed for $p" >&2; exit 1; } ;; esac
done

# CPU time (user+sys, clock ticks) of a process tree: a measure of work per request that does not
# depend on how much CPU the other processes of a loaded machine leave over.
tree_ticks() {
  local t=0 p
  # /proc/<pid>/stat counts the whole process, including threads that have already exited
  for p in $1 $(pgrep -P "$1" | tr '\n' ' '); do
    [ -r "/proc/$p/stat" ] || continue
    t=$(( t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}') ))
  done
  echo "$t"
}

# run <port> <path> <pid> → "req/s p99ms cpu_us_per_req" (after a 2 s warm-up at the same load, not measured)
run() {
  local out before after
  wrk -t"$threads" -c"$conns" -d2s -H 'Host: bench.test' "http://127.0.0.1:$1$2" >/dev/null
  before=$(tree_ticks "$3")
  out=$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -H 'Host: bench.test' "http://127.0.0.1:$1$2")
  after=$(tree_ticks "$3")
  local rps p99 reqs cpu
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "wrk reported errors for :$1$2:" >&2; grep -E "Non-2xx|Socket errors" <<<"$out" >&2; fi
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  # normalise p99 to ms
  p99=$(awk -v v="$p99" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); printf "%.2f", v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.2f", v} else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.2f", v*1000} else print v }')
  cpu=$(awk -v d=$((after - before)) -v t="$(getconf CLK_TCK)" -v r="$reqs" 'BEGIN{ if (r>0) printf "%.1f", d/t*1e6/r; else print "n/a" }')
  echo "$rps $p99 $cpu"
}

rounds=${BENCH_ROUNDS:-3}
declare -A R
for round in $(seq 1 "$rounds"); do
  for name in hit1k:/static/1k.bin hit100k:/static/100k.bin pass:/nocache/1k.bin; do
    key=${name%%:*}; path=${name#*:}
    R[nginx_${key}_$round]=$(run "$nginx_port" "$path" "$nginx_pid")
    R[aegis_${key}_$round]=$(run "$node_port" "$path" "$node_pid")
    echo "round $round $key nginx: ${R[nginx_${key}_$round]}   aegis: ${R[aegis_${key}_$round]}"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }'; }
# median <proxy> <key> → the run ("req/s p99 cpu") with the median req/s over the rounds
median() {
  local r
  for r in $(seq 1 "$rounds"); do echo "${R[$1_$2_$r]}"; done | sort -n -k1,1 | awk -v n="$rounds" 'NR==int((n+1)/2)'
}
line() { # label key
  read -r nr np nc <<<"$(median nginx "$2")"; read -r ar ap ac <<<"$(median aegis "$2")"
  local per="" r a b
  for r in $(seq 1 "$rounds"); do read -r a _ <<<"${R[aegis_$2_$r]}"; read -r b _ <<<"${R[nginx_$2_$r]}"; per="$per $(ratio "$a" "$b")"; done
  echo "| $1 | $(printf '%.0f' "$ar") | $ap | $ac | $(printf '%.0f' "$nr") | $np | $nc | **$(ratio "$ar" "$nr")** |$per | $(ratio "$nc" "$ac") |"
}
table=$(cat <<MD
| case | AEGIS req/s | AEGIS p99 ms | AEGIS CPU µs/req | nginx req/s | nginx p99 ms | nginx CPU µs/req | AEGIS / nginx req/s (medians) | per-round ratios | CPU efficiency (nginx µs / AEGIS µs) |
|---|---|---|---|---|---|---|---|---|---|
$(line "cache hit, 1 KB" hit1k)
$(line "cache hit, 100 KB" hit100k)
$(line "pass-through (no-store), 1 KB" pass)
MD
)
echo
echo "$table"

if [ -z "${NO_DOC:-}" ]; then
  section=$(cat <<MD
## Edge proxy: AEGIS node vs nginx proxy_cache ($(date -u +%Y-%m-%d), bench/proxy.sh)

Machine: $(nproc) cores, load average before the run: $load_before ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)). Both proxies get $workers workers (AEGIS: node:cluster, nginx: worker_processes) in front of the same nginx static origin (1 worker, sendfile off); wrk -t$threads -c$conns -d${secs}s on the same machine, loopback, keep-alive; $rounds alternating rounds per case, median run shown. nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), Node $(node -v). Target: cache-hit throughput ≥ 0.5× nginx. CPU µs/req = user+sys time of the proxy's process tree during the measured run divided by requests served (independent of what else the machine runs).

$table
MD
)
  bash bench/record-section.sh proxy-bench <<<"$section"
fi
