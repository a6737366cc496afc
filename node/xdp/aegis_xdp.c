// SPDX-License-Identifier: GPL-2.0
/*
 * AEGIS kernel-level DDoS filter (XDP).
 *
 * Per packet, in order:
 *   1. parse Ethernet (one optional 802.1Q/802.1ad tag), IPv4 or IPv6 (skipping up to four
 *      IPv6 extension headers) and, for TCP, the flags;
 *   2. allowlist (LPM trie)  -> XDP_PASS, nothing else applies;
 *   3. blocklist (LPM trie)  -> XDP_DROP;
 *   4. SYN budget per source (token bucket, only TCP SYN without ACK) -> XDP_DROP when empty;
 *   5. packet budget per source (token bucket, every IP packet)        -> XDP_DROP when empty;
 *   6. XDP_PASS.
 * Every packet bumps exactly one per-CPU counter (enum verdict), so the counters add up to
 * the packets the interface received.
 *
 * Addresses are kept as 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so one trie and
 * one LRU hash serve both families. The user-space manager (node/src/xdp) owns every map
 * layout below; keep node/src/xdp/layout.ts in step with this file.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NS_PER_SEC 1000000000ULL
/* After this long without packets a bucket is simply full again (also bounds the arithmetic). */
#define REFILL_CAP_NS (10ULL * NS_PER_SEC)

enum verdict {
	V_PASS = 0,          /* IP packet within budget (not a SYN) */
	V_PASS_SYN = 1,      /* TCP SYN within budget */
	V_PASS_ALLOW = 2,    /* source on the allowlist */
	V_PASS_NON_IP = 3,   /* ARP and other non-IP frames */
	V_DROP_BLOCK = 4,    /* source on the blocklist */
	V_DROP_RATE = 5,     /* per-source packet budget exhausted */
	V_DROP_SYN = 6,      /* per-source SYN budget exhausted */
	V_DROP_MALFORMED = 7,/* truncated headers */
	V_MAX = 8,
};

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct lpm_val {
	__u64 expires_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns); 0 = never */
	__u32 reason;     /* opaque code chosen by the manager, for dumps */
	__u32 pad;
};

struct src_key {
	__u8 addr[16];
};

struct bucket {
	__u64 pkt_tokens; /* in nano-packets: one packet costs NS_PER_SEC */
	__u64 pkt_ts;
	__u64 syn_tokens;
	__u64 syn_ts;
};

struct config {
	__u64 pkt_rate;  /* packets/s per source; 0 = unlimited */
	__u64 pkt_burst; /* bucket size in packets */
	__u64 syn_rate;  /* SYN/s per source; 0 = unlimited */
	__u64 syn_burst;
};

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__type(key, struct lpm_key);
	__type(value, struct lpm_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} aegis_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct lpm_key);
	__type(value, struct lpm_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} aegis_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct src_key);
	__type(value, struct bucket);
} aegis_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} aegis_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, V_MAX);
	__type(key, __u32);
	__type(value, struct counter);
} aegis_stats SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, __u32 v, int action)
{
	struct counter *c = bpf_map_lookup_elem(&aegis_stats, &v);

	if (c) {
		c->packets += 1;
		c->bytes += (__u64)(ctx->data_end - ctx->data);
	}
	return action;
}

/* An entry matches when present and not yet expired; expired entries are removed by the manager. */
static __always_inline int listed(void *trie, struct lpm_key *key, __u64 now)
{
	struct lpm_val *v = bpf_map_lookup_elem(trie, key);

	return v && (v->expires_ns == 0 || v->expires_ns > now);
}

/* Takes one token; returns 1 when the packet is within budget. Races between CPUs on the same
 * source can let a few extra packets through; the budget is a rate, not an exact quota. */
static __always_inline int take(__u64 *tokens, __u64 *ts, __u64 now, __u64 rate, __u64 burst)
{
	__u64 cap = (burst ? burst : 1) * NS_PER_SEC;
	__u64 elapsed = now - *ts;
	__u64 t;

	if (now < *ts || elapsed >= REFILL_CAP_NS)
		t = cap;
	else
		t = *tokens + elapsed * rate;
	if (t > cap)
		t = cap;
	*ts = now;
	if (t < NS_PER_SEC) {
		*tokens = t;
		return 0;
	}
	*tokens = t - NS_PER_SEC;
	return 1;
}

SEC("xdp")
int aegis_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct lpm_key key = {};
	__u8 l4proto = 0;
	void *l4 = 0;
	__u16 proto;
	__u32 zero = 0;
	__u64 now;
	int syn = 0;

	if ((void *)(eth + 1) > data_end)
		return count(ctx, V_DROP_MALFORMED, XDP_DROP);
	proto = eth->h_proto;
	data = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		__u16 *vlan = data; /* TCI, then the encapsulated EtherType */

		if ((void *)(vlan + 2) > data_end)
			return count(ctx, V_DROP_MALFORMED, XDP_DROP);
		proto = vlan[1];
		data = vlan + 2;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return count(ctx, V_DROP_MALFORMED, XDP_DROP);
		key.prefixlen = 128;
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], &ip->saddr, 4);
		/* Only the first fragment carries the transport header. */
		if ((ip->frag_off & bpf_htons(0x1fff)) == 0) {
			l4proto = ip->protocol;
			l4 = (void *)ip + ip->ihl * 4;
		}
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;
		__u8 nh;
		void *p;
		int i;

		if ((void *)(ip6 + 1) > data_end)
			return count(ctx, V_DROP_MALFORMED, XDP_DROP);
		key.prefixlen = 128;
		__builtin_memcpy(key.addr, &ip6->saddr, 16);
		nh = ip6->nexthdr;
		p = ip6 + 1;
#pragma unroll
		for (i = 0; i < 4; i++) {
			__u8 *ext = p;

			if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
			    nh != IPPROTO_FRAGMENT)
				break;
			if ((void *)(ext + 8) > data_end)
				return count(ctx, V_DROP_MALFORMED, XDP_DROP);
			if (nh == IPPROTO_FRAGMENT) {
				/* offset != 0: no transport header in this fragment */
				if ((ext[2] << 8 | ext[3]) & 0xfff8) {
					nh = IPPROTO_NONE;
					break;
				}
				nh = ext[0];
				p = ext + 8;
			} else {
				nh = ext[0];
				p = ext + (ext[1] + 1) * 8;
			}
		}
		l4proto = nh;
		l4 = p;
	} else {
		return count(ctx, V_PASS_NON_IP, XDP_PASS);
	}

	if (l4proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return count(ctx, V_DROP_MALFORMED, XDP_DROP);
		syn = tcp->syn && !tcp->ack;
	}

	now = bpf_ktime_get_ns();
	if (listed(&aegis_allow, &key, now))
		return count(ctx, V_PASS_ALLOW, XDP_PASS);
	if (listed(&aegis_block, &key, now))
		return count(ctx, V_DROP_BLOCK, XDP_DROP);

	struct config *cfg = bpf_map_lookup_elem(&aegis_config, &zero);
	if (!cfg || (cfg->pkt_rate == 0 && cfg->syn_rate == 0))
		return count(ctx, syn ? V_PASS_SYN : V_PASS, XDP_PASS);

	struct src_key src = {};
	__builtin_memcpy(src.addr, key.addr, 16);
	struct bucket *b = bpf_map_lookup_elem(&aegis_buckets, &src);
	if (!b) {
		struct bucket fresh = {
			.pkt_tokens = (cfg->pkt_burst ? cfg->pkt_burst : 1) * NS_PER_SEC,
			.pkt_ts = now,
			.syn_tokens = (cfg->syn_burst ? cfg->syn_burst : 1) * NS_PER_SEC,
			.syn_ts = now,
		};
		bpf_map_update_elem(&aegis_buckets, &src, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&aegis_buckets, &src);
		if (!b) /* map full and LRU eviction raced: fail open */
			return count(ctx, syn ? V_PASS_SYN : V_PASS, XDP_PASS);
	}
	/* A refused SYN does not spend packet budget, so the same source's established flows
	 * keep their packet budget while its SYNs are being dropped. */
	if (syn && cfg->syn_rate && !take(&b->syn_tokens, &b->syn_ts, now, cfg->syn_rate, cfg->syn_burst))
		return count(ctx, V_DROP_SYN, XDP_DROP);
	if (cfg->pkt_rate && !take(&b->pkt_tokens, &b->pkt_ts, now, cfg->pkt_rate, cfg->pkt_burst))
		return count(ctx, V_DROP_RATE, XDP_DROP);
	return count(ctx, syn ? V_PASS_SYN : V_PASS, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
