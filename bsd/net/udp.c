/*
 * udp.c — the User Datagram Protocol (RFC 768): checksum over the pseudo-header, and a tiny
 * table of bound local ports whose owners get each datagram through a callback.
 *
 * The one idea: this is the in-kernel precursor of UDP sockets. A binding is a port and a
 * function; the kernel glue (net_kern.c) turns that into a queue a thread can sleep on.
 */
#include <bsd/net/net.h>

struct udp_binding {
	uint16_t ub_port;
	udp_input_fn ub_fn;
	void *ub_arg;
};

static struct udp_binding udp_table[UDP_MAX_BINDINGS];

int
udp_bind(uint16_t port, udp_input_fn fn, void *arg)
{
	struct udp_binding *free = NULL;

	if (port == 0 || fn == NULL)
		return EINVAL;
	for (unsigned i = 0; i < UDP_MAX_BINDINGS; i++) {
		if (udp_table[i].ub_port == port)
			return EADDRINUSE;
		if (udp_table[i].ub_port == 0 && free == NULL)
			free = &udp_table[i];
	}
	if (free == NULL)
		return ENOBUFS;
	free->ub_port = port;
	free->ub_fn = fn;
	free->ub_arg = arg;
	return 0;
}

void
udp_unbind(uint16_t port)
{
	for (unsigned i = 0; i < UDP_MAX_BINDINGS; i++)
		if (udp_table[i].ub_port == port)
			memset(&udp_table[i], 0, sizeof(udp_table[i]));
}

void
udp_input(struct ifnet *ifp, const uint8_t *ip, unsigned hlen, unsigned tot)
{
	uint32_t src = net_get32(ip + 12), dst = net_get32(ip + 16);
	const uint8_t *p = ip + hlen;
	size_t len = tot - hlen;
	uint16_t ulen, dport;

	ifp->if_stats.udp_in++;
	if (len < UDP_HDR_LEN) {
		ifp->if_stats.udp_badlen++;
		return;
	}
	ulen = net_get16(p + 4);
	if (ulen < UDP_HDR_LEN || ulen > len) {
		ifp->if_stats.udp_badlen++;
		return;
	}
	/* A zero checksum means the sender computed none (RFC 768). */
	if (net_get16(p + 6) != 0 && !ifp->if_rx_csum_valid &&
	    in_cksum_fold(in_cksum_add(in_pseudo_sum(src, dst, IPPROTO_UDP, ulen), p, ulen)) != 0) {
		ifp->if_stats.udp_badsum++;
		return;
	}
	dport = net_get16(p + 2);
	if (dport == 0) { /* reserved; and 0 marks a free slot in the table */
		ifp->if_stats.udp_noport++;
		return;
	}
	for (unsigned i = 0; i < UDP_MAX_BINDINGS; i++) {
		if (udp_table[i].ub_port == dport) {
			udp_table[i].ub_fn(udp_table[i].ub_arg, ifp, src, net_get16(p), dst,
					   p + UDP_HDR_LEN, ulen - UDP_HDR_LEN);
			return;
		}
	}
	ifp->if_stats.udp_noport++;
	icmp_error(ifp, ICMP_UNREACH, ICMP_UNREACH_PORT, ip, tot);
}

int
udp_output(struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	   const void *data, size_t len)
{
	uint8_t d[ETHER_MAX_LEN - ETHER_HDR_LEN - IP_HDR_LEN];
	size_t ulen = UDP_HDR_LEN + len;
	uint16_t sum;

	if (ulen > sizeof(d))
		return EMSGSIZE;
	if (src == 0)
		src = ifp->if_addr;
	net_put16(d, sport);
	net_put16(d + 2, dport);
	net_put16(d + 4, (uint16_t)ulen);
	net_put16(d + 6, 0);
	memcpy(d + UDP_HDR_LEN, data, len);
	sum = in_cksum_fold(in_cksum_add(in_pseudo_sum(src, dst, IPPROTO_UDP, ulen), d, ulen));
	net_put16(d + 6, sum == 0 ? 0xffff : sum);
	return ip_output(ifp, IPPROTO_UDP, src, dst, d, ulen);
}
