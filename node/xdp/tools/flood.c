// SPDX-License-Identifier: GPL-2.0
/*
 * aegis-flood: a bounded raw-socket packet sender for the XDP tests and bench/xdp.sh.
 * Sends exactly --count Ethernet frames (TCP SYN, TCP ACK or UDP) out of --iface, at --pps
 * (0 = as fast as the socket takes them), cycling the source port over 64 values. Only meant for
 * veth pairs inside network namespaces the caller created. Prints one JSON line with what it sent.
 *
 *   aegis-flood --iface veth0 --dst-mac 02:..:01 --src 10.0.0.2 --dst 10.0.0.1 --count 1000
 *               [--pps 500] [--kind syn|ack|udp] [--dport 80]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME 128

static void die(const char *msg)
{
	fprintf(stderr, "aegis-flood: %s%s%s\n", msg, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(2);
}

static uint32_t sum16(const void *p, size_t n, uint32_t acc)
{
	const uint8_t *b = p;
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		acc += (uint32_t)(b[n - 1] << 8);
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return htons((uint16_t)~acc);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Builds one frame; returns its length. */
static size_t build(uint8_t *f, const uint8_t *smac, const uint8_t *dmac, int v6, const void *src,
		    const void *dst, int kind, uint16_t sport, uint16_t dport, uint32_t seq)
{
	struct ether_header *eth = (void *)f;
	size_t l4len = kind == 2 ? sizeof(struct udphdr) + 16 : sizeof(struct tcphdr);
	uint8_t *l4;
	uint32_t acc = 0;
	int proto = kind == 2 ? IPPROTO_UDP : IPPROTO_TCP;

	memset(f, 0, FRAME);
	memcpy(eth->ether_dhost, dmac, 6);
	memcpy(eth->ether_shost, smac, 6);
	if (v6) {
		struct ip6_hdr *ip6 = (void *)(eth + 1);
		eth->ether_type = htons(ETHERTYPE_IPV6);
		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons((uint16_t)l4len);
		ip6->ip6_nxt = (uint8_t)proto;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, src, 16);
		memcpy(&ip6->ip6_dst, dst, 16);
		l4 = (uint8_t *)(ip6 + 1);
		acc = sum16(src, 16, acc);
		acc = sum16(dst, 16, acc);
		acc += (uint32_t)l4len + (uint32_t)proto;
	} else {
		struct iphdr *ip = (void *)(eth + 1);
		eth->ether_type = htons(ETHERTYPE_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(sizeof(*ip) + l4len));
		ip->id = htons((uint16_t)seq);
		ip->ttl = 64;
		ip->protocol = (uint8_t)proto;
		memcpy(&ip->saddr, src, 4);
		memcpy(&ip->daddr, dst, 4);
		ip->check = fold(sum16(ip, sizeof(*ip), 0));
		l4 = (uint8_t *)(ip + 1);
		acc = sum16(src, 4, acc);
		acc = sum16(dst, 4, acc);
		acc += (uint32_t)l4len + (uint32_t)proto;
	}
	if (kind == 2) {
		struct udphdr *u = (void *)l4;
		u->source = htons(sport);
		u->dest = htons(dport);
		u->len = htons((uint16_t)l4len);
		u->check = fold(sum16(l4, l4len, acc));
	} else {
		struct tcphdr *t = (void *)l4;
		t->source = htons(sport);
		t->dest = htons(dport);
		t->seq = htonl(seq);
		t->doff = 5;
		if (kind == 0)
			t->syn = 1;
		else
			t->ack = 1;
		t->window = htons(64240);
		t->check = fold(sum16(l4, l4len, acc));
	}
	return (size_t)(l4 - f) + l4len;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6;
}

int main(int argc, char **argv)
{
	const char *iface = NULL, *dmac_s = NULL, *src_s = NULL, *dst_s = NULL, *kind_s = "syn";
	long long count = 0;
	double pps = 0;
	int dport = 80;

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--iface")) iface = v;
		else if (!strcmp(k, "--dst-mac")) dmac_s = v;
		else if (!strcmp(k, "--src")) src_s = v;
		else if (!strcmp(k, "--dst")) dst_s = v;
		else if (!strcmp(k, "--count")) count = atoll(v);
		else if (!strcmp(k, "--pps")) pps = atof(v);
		else if (!strcmp(k, "--kind")) kind_s = v;
		else if (!strcmp(k, "--dport")) dport = atoi(v);
		else { errno = 0; die("unknown option"); }
	}
	errno = 0;
	if (!iface || !dmac_s || !src_s || !dst_s || count <= 0 || count > 100000000LL)
		die("need --iface --dst-mac --src --dst and 0 < --count <= 1e8");
	int kind = !strcmp(kind_s, "syn") ? 0 : !strcmp(kind_s, "ack") ? 1 : !strcmp(kind_s, "udp") ? 2 : -1;
	if (kind < 0)
		die("--kind must be syn, ack or udp");

	uint8_t smac[6], dmac[6], src[16], dst[16];
	int v6 = strchr(src_s, ':') != NULL;
	if (!parse_mac(dmac_s, dmac))
		die("bad --dst-mac");
	if (inet_pton(v6 ? AF_INET6 : AF_INET, src_s, src) != 1 || inet_pton(v6 ? AF_INET6 : AF_INET, dst_s, dst) != 1)
		die("bad --src/--dst (same family required)");

	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET)");
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	int one = 1;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll sll = {0};
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(iface);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	if (!sll.sll_ifindex)
		die("if_nametoindex");

	static uint8_t frames[BATCH][FRAME];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	for (int i = 0; i < BATCH; i++) {
		size_t len = build(frames[i], smac, dmac, v6, src, dst, kind, (uint16_t)(20000 + i), (uint16_t)dport,
				   (uint32_t)(i * 7919 + 1));
		iov[i].iov_base = frames[i];
		iov[i].iov_len = len;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
	}

	/* Paced sends go out in small batches so the rate stays smooth. */
	int batch = pps <= 0 ? BATCH : pps < 5000 ? 1 : pps < 50000 ? 8 : BATCH;
	long long sent = 0, retries = 0;
	double start = now_s();
	while (sent < count) {
		int n = (int)((count - sent) < batch ? (count - sent) : batch);
		if (pps > 0) {
			double due = start + (double)sent / pps;
			double t = now_s();
			if (due > t) {
				struct timespec ts = {(time_t)(due - t), (long)(((due - t) - (time_t)(due - t)) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
		int r = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				if (++retries > 10000000)
					die("sendmmsg keeps failing");
				continue;
			}
			die("sendmmsg");
		}
		sent += r;
	}
	double secs = now_s() - start;
	printf("{\"sent\":%lld,\"secs\":%.6f,\"pps\":%.0f}\n", sent, secs, secs > 0 ? sent / secs : 0);
	close(fd);
	return 0;
}
