#!/usr/bin/env bash
# Installs what the XDP filter (node/xdp), its tests (tests/xdp) and bench/xdp.sh need on Debian,
# then builds the BPF object from source. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."

pkgs=(clang llvm gcc libbpf-dev libc6-dev linux-libc-dev bpftool iproute2 iptables nftables ethtool util-linux curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The 32-bit glibc headers (gnu/stubs-32.h) are pulled in by <linux/types.h> on some setups
# when compiling for -target bpf; gcc-multilib provides them on amd64.
if [ "$(dpkg --print-architecture)" = amd64 ] && ! dpkg-query -W -f='${Status}' gcc-multilib 2>/dev/null | grep -q "install ok installed"; then
  missing+=(gcc-multilib)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

# bpffs for pinned maps (the manager mounts it too when missing).
if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null || echo "warning: could not mount bpffs at /sys/fs/bpf" >&2
fi

bash node/xdp/build.sh
