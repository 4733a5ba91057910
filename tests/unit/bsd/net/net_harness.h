/*
 * net_harness.h — a fake interface and frame builders for the bsd/net/ unit tests and the
 * input-path fuzzer: if_output records every frame sent, net_now_ns() is a variable.
 */
#ifndef _TESTS_UNIT_BSD_NET_NET_HARNESS_H_
#define _TESTS_UNIT_BSD_NET_NET_HARNESS_H_

#include <bsd/net/net.h>

#define H_MAXFRAMES 16

static uint64_t h_now = 1000000000ull;
static uint8_t h_frames[H_MAXFRAMES][ETHER_MAX_LEN];
static size_t h_flen[H_MAXFRAMES];
static unsigned h_nframes;

uint64_t
net_now_ns(void)
{
	return h_now;
}

static __attribute__((unused)) int
h_output(struct ifnet *ifp, const void *frame, size_t len)
{
	(void)ifp;
	if (len > ETHER_MAX_LEN)
		return EMSGSIZE;
	if (h_nframes < H_MAXFRAMES) {
		memcpy(h_frames[h_nframes], frame, len);
		h_flen[h_nframes] = len;
	}
	h_nframes++;
	return 0;
}

static const uint8_t h_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t h_peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static __attribute__((unused)) void
h_if_init(struct ifnet *ifp, uint32_t addr)
{
	memset(ifp, 0, sizeof(*ifp));
	strcpy(ifp->if_name, "eth0");
	memcpy(ifp->if_mac, h_mac, 6);
	ifp->if_mtu = IF_MTU_DEFAULT;
	ifp->if_output = h_output;
	ifp->if_addr = addr;
	ifp->if_netmask = addr ? 0xffffff00u : 0;
	ifp->if_gateway = addr ? ((addr & 0xffffff00u) | 2) : 0;
	h_nframes = 0;
}

/* An Ethernet header into f: to dst, from h_peer_mac. Returns 14. */
static __attribute__((unused)) size_t
h_eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, h_peer_mac, 6);
	net_put16(f + 12, type);
	return ETHER_HDR_LEN;
}

/* A 20-byte IPv4 header at p for payload len, with a correct checksum. */
static __attribute__((unused)) void
h_ip(uint8_t *p, uint8_t proto, uint32_t src, uint32_t dst, size_t len)
{
	memset(p, 0, IP_HDR_LEN);
	p[0] = 0x45;
	net_put16(p + 2, (uint16_t)(IP_HDR_LEN + len));
	p[8] = 64;
	p[9] = proto;
	net_put32(p + 12, src);
	net_put32(p + 16, dst);
	net_put16(p + 10, in_cksum_fold(in_cksum_add(0, p, IP_HDR_LEN)));
}

/* A whole ICMP echo frame into f (type 8 request or 0 reply); returns its length. */
static __attribute__((unused)) size_t
h_icmp_echo(uint8_t *f, uint8_t type, uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
	    size_t dlen)
{
	size_t n = h_eth(f, h_mac, ETHERTYPE_IP);
	uint8_t *m = f + n + IP_HDR_LEN;

	memset(m, 0, ICMP_HDR_LEN);
	m[0] = type;
	net_put16(m + 4, id);
	net_put16(m + 6, seq);
	for (size_t i = 0; i < dlen; i++)
		m[ICMP_HDR_LEN + i] = (uint8_t)i;
	net_put16(m + 2, in_cksum_fold(in_cksum_add(0, m, ICMP_HDR_LEN + dlen)));
	h_ip(f + n, IPPROTO_ICMP, src, dst, ICMP_HDR_LEN + dlen);
	return n + IP_HDR_LEN + ICMP_HDR_LEN + dlen;
}

/* A UDP frame with a correct checksum (or none, cksum false). */
static __attribute__((unused)) size_t
h_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
      const void *data, size_t dlen, bool cksum)
{
	size_t n = h_eth(f, h_mac, ETHERTYPE_IP);
	uint8_t *u = f + n + IP_HDR_LEN, ph[12];
	size_t ulen = UDP_HDR_LEN + dlen;

	net_put16(u, sport);
	net_put16(u + 2, dport);
	net_put16(u + 4, (uint16_t)ulen);
	net_put16(u + 6, 0);
	memcpy(u + UDP_HDR_LEN, data, dlen);
	if (cksum) {
		net_put32(ph, src);
		net_put32(ph + 4, dst);
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		net_put16(ph + 10, (uint16_t)ulen);
		uint16_t s = in_cksum_fold(in_cksum_add(in_cksum_add(0, ph, 12), u, ulen));
		net_put16(u + 6, s == 0 ? 0xffff : s);
	}
	h_ip(f + n, IPPROTO_UDP, src, dst, ulen);
	return n + IP_HDR_LEN + ulen;
}

/* An ARP packet frame (op 1 request, 2 reply). */
static __attribute__((unused)) size_t
h_arp(uint8_t *f, const uint8_t *dst, uint16_t op, const uint8_t *sha, uint32_t spa,
      const uint8_t *tha, uint32_t tpa)
{
	size_t n = h_eth(f, dst, ETHERTYPE_ARP);
	uint8_t *p = f + n;

	net_put16(p, 1);
	net_put16(p + 2, ETHERTYPE_IP);
	p[4] = 6;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, sha, 6);
	net_put32(p + 14, spa);
	memcpy(p + 18, tha, 6);
	net_put32(p + 24, tpa);
	return n + 28;
}

#endif /* _TESTS_UNIT_BSD_NET_NET_HARNESS_H_ */
