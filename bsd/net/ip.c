/*
 * ip.c — IPv4 (RFC 791, host requirements of RFC 1122 §3.2) and its ICMP echo (RFC 792):
 * header validation on input, one-hop routing (the interface's subnet, else its gateway) on
 * output, loopback through lo0 for 127/8, echo replies to requests addressed to us, echo
 * requests for a kernel ping, and ICMP errors (destination unreachable, RFC 792/1812 §4.3.2).
 *
 * The one idea: ip_input() trusts nothing but what it has just checked — version, header
 * length, total length against the frame, header checksum — and from then on uses the IPv4
 * total length, not the frame length (Ethernet pads short frames). Fragments go to
 * ip_reass.c, which hands back a whole datagram or nothing.
 */
#include <bsd/net/net.h>
#include <console.h>

icmp_echo_hook_t icmp_echo_reply_hook;
icmp_raw_hook_t icmp_raw_hook;
static uint16_t ip_next_id = 1;

/*
 * RFC 1071 §2(B): the one's-complement sum does not depend on byte order, so the bulk is added
 * as native 32-bit halves of 64-bit loads into a wide accumulator (no carry lost: 2^33 per
 * step, far below 2^64 for any frame) and folded and swapped to network order once.
 */
uint32_t
in_cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, sizeof(w));
		acc += (w & 0xffffffffu) + (w >> 32);
		p += 8;
		len -= 8;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	acc = __builtin_bswap16((uint16_t)acc);
#endif
	sum += (uint32_t)acc;
	sum = (sum & 0xffff) + (sum >> 16);
	while (len >= 2) {
		sum += (uint32_t)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len != 0)
		sum += (uint32_t)p[0] << 8;
	return (sum & 0xffff) + (sum >> 16);
}

uint32_t
in_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	net_put32(ph, src);
	net_put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	net_put16(ph + 10, (uint16_t)len);
	return in_cksum_add(0, ph, sizeof(ph));
}

uint16_t
in_cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void icmp_input(struct ifnet *ifp, uint32_t src, const uint8_t *p, size_t len);

/* Whether dst is one of ifp's broadcast addresses (limited, or the subnet's). */
static bool
ip_is_broadcast(const struct ifnet *ifp, uint32_t dst)
{
	return dst == IP_BROADCAST ||
	       (ifp->if_netmask != 0 && ifp->if_netmask != IP_BROADCAST &&
		dst == (ifp->if_addr | ~ifp->if_netmask));
}

struct ifnet *
ip_route(uint32_t dst, uint32_t src)
{
	struct ifnet *ifp, *gw = NULL;

	if ((dst >> 24) == 127)
		return if_attached(&if_loop) ? &if_loop : NULL;
	for (ifp = if_all(); ifp != NULL; ifp = ifp->if_next) {
		if ((ifp->if_flags & IFF_LOOPBACK) || ifp->if_addr == 0)
			continue;
		if (src != 0 && src == ifp->if_addr)
			return ifp; /* a bound source address picks its interface */
	}
	for (ifp = if_all(); ifp != NULL; ifp = ifp->if_next) {
		if ((ifp->if_flags & IFF_LOOPBACK) || ifp->if_addr == 0)
			continue;
		if ((dst & ifp->if_netmask) == (ifp->if_addr & ifp->if_netmask) ||
		    ip_is_broadcast(ifp, dst))
			return ifp;
		if (gw == NULL && ifp->if_gateway != 0)
			gw = ifp;
	}
	return gw;
}

/* Hand a whole datagram (header hlen, total tot) to its protocol. */
static void
ip_deliver(struct ifnet *ifp, const uint8_t *p, unsigned hlen, unsigned tot)
{
	uint32_t src = net_get32(p + 12), dst = net_get32(p + 16);

	/* ICMP and TCP speak only to this host, never to a broadcast. */
	bool host = (ifp->if_flags & IFF_LOOPBACK) ? (dst >> 24) == 127
						   : dst == ifp->if_addr && ifp->if_addr != 0;

	switch (p[9]) {
	case IPPROTO_ICMP:
		if (!host)
			break;
		if (icmp_raw_hook != NULL)
			icmp_raw_hook(ifp, p, tot);
		icmp_input(ifp, src, p + hlen, tot - hlen);
		break;
	case IPPROTO_UDP:
		udp_input(ifp, p, hlen, tot);
		break;
	case IPPROTO_TCP:
		if (host)
			tcp_input(ifp, p, hlen, tot);
		break;
	default:
		ifp->if_stats.ip_noproto++;
		icmp_error(ifp, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, p, tot);
		break;
	}
}

void
ip_input(struct ifnet *ifp, const uint8_t *p, size_t len, bool l2_broadcast)
{
	unsigned hlen, tot;
	uint32_t dst;
	uint16_t off;

	if (len < IP_HDR_LEN || (p[0] >> 4) != 4) {
		ifp->if_stats.ip_badhdr++;
		return;
	}
	hlen = (p[0] & 0xf) * 4u;
	tot = net_get16(p + 2);
	if (hlen < IP_HDR_LEN || hlen > len) {
		ifp->if_stats.ip_badhdr++;
		return;
	}
	if (tot < hlen || tot > len) {
		ifp->if_stats.ip_badlen++;
		return;
	}
	if (in_cksum_fold(in_cksum_add(0, p, hlen)) != 0) {
		ifp->if_stats.ip_badsum++;
		return;
	}
	dst = net_get32(p + 16);
	/* Ours: our address, the limited or the subnet broadcast, or anything while unconfigured
	 * (a DHCP offer may be unicast to the address being offered); on lo0 all of 127/8. */
	if (!((ifp->if_flags & IFF_LOOPBACK) && (dst >> 24) == 127) &&
	    !(ifp->if_addr == 0 || dst == ifp->if_addr || ip_is_broadcast(ifp, dst))) {
		ifp->if_stats.ip_notours++;
		return;
	}
	(void)l2_broadcast;
	off = net_get16(p + 6);
	if ((off & 0x3fff) != 0) { /* MF set or a non-zero offset: a fragment */
		ifp->if_stats.ip_frags++;
		ifp->if_rx_csum_valid = false; /* a fragment's vouches not for the datagram */
		ip_reass_input(ifp, p, hlen, tot, ip_deliver);
		return;
	}
	ip_deliver(ifp, p, hlen, tot);
}

int
ip_send_resolved(struct ifnet *ifp, const uint8_t *mac, const void *pkt, size_t len)
{
	return ether_output(ifp, mac, ETHERTYPE_IP, pkt, len);
}

int
ip_output(struct ifnet *ifp, uint8_t proto, uint32_t src, uint32_t dst, const void *payload,
	  size_t len)
{
	uint8_t pkt[ETHER_MAX_LEN - ETHER_HDR_LEN];
	uint8_t mac[ETHER_ADDR_LEN];
	size_t tot = IP_HDR_LEN + len;
	uint32_t nh;
	int err;

	if (tot > ifp->if_mtu || tot > sizeof(pkt))
		return EMSGSIZE;
	if (src == 0)
		src = ifp->if_addr;
	pkt[0] = 0x45;
	pkt[1] = 0;
	net_put16(pkt + 2, (uint16_t)tot);
	net_put16(pkt + 4, ip_next_id++);
	net_put16(pkt + 6, 0x4000); /* DF: we never fragment */
	pkt[8] = IP_DEFAULT_TTL;
	pkt[9] = proto;
	net_put16(pkt + 10, 0);
	net_put32(pkt + 12, src);
	net_put32(pkt + 16, dst);
	net_put16(pkt + 10, in_cksum_fold(in_cksum_add(0, pkt, IP_HDR_LEN)));
	memcpy(pkt + IP_HDR_LEN, payload, len);

	if (ifp->if_flags & IFF_LOOPBACK)
		return if_loop_output(ifp, pkt, tot);
	if (ip_is_broadcast(ifp, dst))
		return ether_output(ifp, ether_broadcast, ETHERTYPE_IP, pkt, tot);
	if (ifp->if_addr == 0)
		return ENETUNREACH;
	if ((dst & ifp->if_netmask) == (ifp->if_addr & ifp->if_netmask))
		nh = dst;
	else if (ifp->if_gateway != 0)
		nh = ifp->if_gateway;
	else
		return ENETUNREACH;
	err = arp_resolve(ifp, nh, mac, pkt, tot);
	if (err == EAGAIN)
		return 0; /* held; sent when the reply comes */
	if (err != 0)
		return err;
	return ether_output(ifp, mac, ETHERTYPE_IP, pkt, tot);
}

static int
icmp_send_echo(struct ifnet *ifp, uint8_t type, uint32_t dst, uint16_t id, uint16_t seq,
	       const void *data, size_t len)
{
	uint8_t m[ETHER_MAX_LEN - ETHER_HDR_LEN - IP_HDR_LEN];

	if (len > sizeof(m) - ICMP_HDR_LEN)
		return EMSGSIZE;
	m[0] = type;
	m[1] = 0;
	net_put16(m + 2, 0);
	net_put16(m + 4, id);
	net_put16(m + 6, seq);
	memcpy(m + ICMP_HDR_LEN, data, len);
	net_put16(m + 2, in_cksum_fold(in_cksum_add(0, m, ICMP_HDR_LEN + len)));
	return ip_output(ifp, IPPROTO_ICMP, 0, dst, m, ICMP_HDR_LEN + len);
}

int
icmp_echo_request(struct ifnet *ifp, uint32_t dst, uint16_t id, uint16_t seq, const void *data,
		  size_t len)
{
	return icmp_send_echo(ifp, 8, dst, id, seq, data, len);
}

static void
icmp_input(struct ifnet *ifp, uint32_t src, const uint8_t *p, size_t len)
{
	ifp->if_stats.icmp_in++;
	if (len < ICMP_HDR_LEN || in_cksum_fold(in_cksum_add(0, p, len)) != 0) {
		ifp->if_stats.icmp_bad++;
		return;
	}
	switch (p[0]) {
	case ICMP_ECHO: /* echo request: answer with the same id, sequence and data */
		if (p[1] != 0 || src == 0 || src == IP_BROADCAST) {
			ifp->if_stats.icmp_bad++;
			return;
		}
		if (icmp_send_echo(ifp, 0, src, net_get16(p + 4), net_get16(p + 6),
				   p + ICMP_HDR_LEN, len - ICMP_HDR_LEN) == 0)
			ifp->if_stats.icmp_echo_replied++;
		break;
	case 0: /* echo reply */
		if (icmp_echo_reply_hook != NULL)
			icmp_echo_reply_hook(ifp, src, net_get16(p + 4), net_get16(p + 6),
					     p + ICMP_HDR_LEN, len - ICMP_HDR_LEN);
		break;
	case ICMP_UNREACH:
		/* XXX: not passed up yet (a TCP connect could fail fast on port unreachable). */
		ifp->if_stats.icmp_unreach_in++;
		break;
	default:
		break;
	}
}

void
icmp_error(struct ifnet *ifp, uint8_t type, uint8_t code, const uint8_t *ip, size_t len)
{
	static uint64_t window_start;
	static unsigned sent_in_window;
	uint8_t m[ICMP_HDR_LEN + 60 + 8];
	unsigned hlen = (ip[0] & 0xf) * 4u;
	uint32_t src = net_get32(ip + 12), dst = net_get32(ip + 16);
	uint64_t now = net_now_ns();
	size_t qlen;

	/* RFC 1122 §3.2.2: never about an ICMP error, a non-first fragment, a broadcast, or a
	 * source that names no single host. */
	if (hlen < IP_HDR_LEN || hlen > len || ifp->if_addr == 0)
		return;
	if ((net_get16(ip + 6) & 0x1fff) != 0 || ip_is_broadcast(ifp, dst) ||
	    src == 0 || src == IP_BROADCAST || (src >> 28) == 0xe || (dst >> 28) == 0xe ||
	    ip_is_broadcast(ifp, src))
		return;
	if (ip[9] == IPPROTO_ICMP && len >= hlen + 1 && ip[hlen] != 8 && ip[hlen] != 0)
		return;
	/* RFC 1812 §4.3.2.8: rate-limit errors, here to 100 a second. */
	if (now - window_start >= 1000000000ull) {
		window_start = now;
		sent_in_window = 0;
	}
	if (sent_in_window >= 100)
		return;
	sent_in_window++;
	qlen = MIN(len, (size_t)hlen + 8);
	m[0] = type;
	m[1] = code;
	net_put16(m + 2, 0);
	net_put32(m + 4, 0);
	memcpy(m + ICMP_HDR_LEN, ip, qlen);
	net_put16(m + 2, in_cksum_fold(in_cksum_add(0, m, ICMP_HDR_LEN + qlen)));
	if (ip_output(ifp, IPPROTO_ICMP, (ifp->if_flags & IFF_LOOPBACK) ? dst : ifp->if_addr, src,
		      m, ICMP_HDR_LEN + qlen) == 0)
		ifp->if_stats.icmp_err_out++;
}
