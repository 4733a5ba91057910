/*
 * net.h — the portable IPv4 stack of bsd/net/: Ethernet (ether.c), ARP (arp.c, RFC 826),
 * IPv4 (ip.c, RFC 791/1122), ICMP echo (RFC 792) and UDP (udp.c, RFC 768), and the few hooks
 * the kernel glue (net_kern.c) or a hosted test provides.
 *
 * The one idea: every function here runs under the network lock and keeps no thread of its
 * own; time comes from net_now_ns(), and events that a waiting thread cares about (an echo
 * reply, a datagram) leave through callbacks. So the whole stack runs unchanged in Criterion
 * tests and fuzzers, with a fake clock and a fake driver.
 *
 * Byte order: addresses and ports are host order in every interface below; the wire is
 * big-endian, converted only in the parsers and builders.
 */
#ifndef _BSD_NET_NET_H_
#define _BSD_NET_NET_H_

#include <asm-generic/errno.h>
#include <bsd/net/if.h>

#define ETHERTYPE_IP  0x0800
#define ETHERTYPE_ARP 0x0806

#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define IP_HDR_LEN   20
#define UDP_HDR_LEN  8
#define ICMP_HDR_LEN 8
#define IP_DEFAULT_TTL 64
#define IP_BROADCAST 0xffffffffu
#define IP_MAXPACKET 65535

#define ICMP_ECHOREPLY		 0
#define ICMP_UNREACH		 3
#define ICMP_UNREACH_PROTOCOL	 2
#define ICMP_UNREACH_PORT	 3
#define ICMP_ECHO		 8
#define ICMP_TIMXCEED		 11
#define ICMP_TIMXCEED_REASS	 1

/* Fragment reassembly (ip_reass.c): how much, how long. */
#define IP_REASS_MAXQ	   8			    /* datagrams being put together at once */
#define IP_REASS_MAXBYTES  (256u * 1024)	    /* their buffers, all together */
#define IP_REASS_TIMEOUT_NS (30ull * 1000000000ull) /* RFC 1122 §3.3.2: 15 s ... 2 min */

#define ARP_TIMEOUT_NS	   (300ull * 1000000000ull) /* a resolved entry lives 5 min */
#define ARP_RETRY_NS	   (1000000000ull)	     /* a new request each second ... */
#define ARP_MAX_TRIES	   5			     /* ... at most this many, */
#define ARP_HOLDDOWN_NS	   (20ull * 1000000000ull)  /* then EHOSTUNREACH for 20 s */

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static inline uint16_t
net_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
net_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
net_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- provided by the environment (net_kern.c in the kernel, the test otherwise) ---- */
/* Monotonic nanoseconds. */
uint64_t net_now_ns(void);

/* ---- checksum (ip.c) ---- */
/* The Internet checksum (RFC 1071) of len bytes, starting from the partial sum sum. */
uint32_t in_cksum_add(uint32_t sum, const void *data, size_t len);
uint16_t in_cksum_fold(uint32_t sum);
/* The partial sum of the pseudo-header that UDP and TCP checksums cover (RFC 768, 9293). */
uint32_t in_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len);

/* ---- Ethernet (ether.c) ---- */
extern const uint8_t ether_broadcast[ETHER_ADDR_LEN];
/*
 * ether_output: send payload of type ethertype to dst (a MAC) on ifp.
 *   Returns: 0, EMSGSIZE (larger than the MTU), or the driver's errno.
 */
int ether_output(struct ifnet *ifp, const uint8_t *dst, uint16_t ethertype,
		 const void *payload, size_t len);

/* ---- ARP (arp.c) ---- */
void arp_input(struct ifnet *ifp, const uint8_t *pkt, size_t len);
/*
 * arp_resolve: the MAC for next-hop ip. On a hit, copies it to mac and returns 0. On a miss,
 * keeps a copy of the IPv4 packet (replacing any older one), sends a request when one is due,
 * and returns EAGAIN: the packet is sent when the reply arrives. EHOSTUNREACH once
 * ARP_MAX_TRIES requests went unanswered, for ARP_HOLDDOWN_NS; then it starts over.
 */
int arp_resolve(struct ifnet *ifp, uint32_t ip, uint8_t *mac, const void *pkt, size_t len);
/* arp_request: broadcast "who has ip?" from ifp's address (0 for a probe). */
int arp_request(struct ifnet *ifp, uint32_t ip);
/* arp_gratuitous: announce ifp's own address (a request for itself). */
int arp_gratuitous(struct ifnet *ifp);
/* arp_lookup: a valid, unexpired entry for ip: copy its MAC and return true. */
bool arp_lookup(struct ifnet *ifp, uint32_t ip, uint8_t *mac);
/* arp_flush: forget every entry (and held packet) on ifp. */
void arp_flush(struct ifnet *ifp);

/* ---- IPv4 (ip.c) ---- */
void ip_input(struct ifnet *ifp, const uint8_t *pkt, size_t len, bool l2_broadcast);
/*
 * ip_output: send payload as one IPv4 datagram of protocol proto from src (0: ifp's address)
 * to dst on ifp: directly when dst is on the subnet or the broadcast, else via the gateway.
 *   Returns: 0 (sent, or held for ARP), EMSGSIZE, ENETUNREACH (no route), EHOSTUNREACH, or
 *            the driver's errno.
 */
int ip_output(struct ifnet *ifp, uint8_t proto, uint32_t src, uint32_t dst,
	      const void *payload, size_t len);
/*
 * ip_route: the interface for a datagram to dst: lo0 for 127/8; the interface that owns src
 * when src is one of ours; else the first whose subnet holds dst; else the first with a
 * gateway. NULL: no route. Network lock held.
 * XXX: a datagram to one of our own non-loopback addresses goes out on its interface, not
 * through lo0 (so two interfaces of one hosted stack can talk over a simulated wire).
 */
struct ifnet *ip_route(uint32_t dst, uint32_t src);
/*
 * ip_reass_input: one fragment (IPv4 header hlen, total length tot, already validated) for
 * us; when it completes a datagram, deliver(ifp, whole, hlen, total) is called with it.
 * Bounded by IP_REASS_MAXQ and IP_REASS_MAXBYTES; a datagram not complete within
 * IP_REASS_TIMEOUT_NS is dropped (with ICMP time exceeded when its first fragment came).
 */
typedef void (*ip_deliver_fn)(struct ifnet *ifp, const uint8_t *p, unsigned hlen, unsigned tot);
void ip_reass_input(struct ifnet *ifp, const uint8_t *p, unsigned hlen, unsigned tot,
		    ip_deliver_fn deliver);
/* ip_reass_slowtimo: drop datagrams whose time ran out. Called by the stack's timer. */
void ip_reass_slowtimo(void);
/* ip_reass_flush: drop every datagram in reassembly (or only ifp's when ifp is not NULL). */
void ip_reass_flush(struct ifnet *ifp);
/* ip_send_resolved: put a finished IPv4 packet on the wire to next hop nh (arp.c's hold). */
int ip_send_resolved(struct ifnet *ifp, const uint8_t *mac, const void *pkt, size_t len);

/* ---- ICMP (ip.c) ---- */
/* Called for every echo reply addressed to us: identifier, sequence, the payload. */
typedef void (*icmp_echo_hook_t)(struct ifnet *ifp, uint32_t from, uint16_t id, uint16_t seq,
				 const uint8_t *data, size_t len);
extern icmp_echo_hook_t icmp_echo_reply_hook;
/* Called for every ICMP datagram addressed to us, ip its IPv4 packet (raw sockets). */
typedef void (*icmp_raw_hook_t)(struct ifnet *ifp, const uint8_t *ip, size_t tot);
extern icmp_raw_hook_t icmp_raw_hook;
/*
 * icmp_error: send ICMP type/code about the datagram ip (len bytes from its header on) back
 * to its source, quoting its header and 8 bytes. Nothing for a broadcast, a non-first
 * fragment or an ICMP error (RFC 1122 §3.2.2); at most 100 a second.
 */
void icmp_error(struct ifnet *ifp, uint8_t type, uint8_t code, const uint8_t *ip, size_t len);
/* icmp_echo_request: send an echo request with id, seq and len bytes of data to dst. */
int icmp_echo_request(struct ifnet *ifp, uint32_t dst, uint16_t id, uint16_t seq,
		      const void *data, size_t len);

/* ---- UDP (udp.c) ---- */
#define UDP_MAX_BINDINGS 32
typedef void (*udp_input_fn)(void *arg, struct ifnet *ifp, uint32_t src, uint16_t sport,
			     uint32_t dst, const uint8_t *data, size_t len);
/*
 * udp_bind: deliver datagrams for local port to fn(arg, ...) (network lock held during fn).
 *   Returns: 0, EADDRINUSE, ENOBUFS (table full), EINVAL (port 0).
 */
int udp_bind(uint16_t port, udp_input_fn fn, void *arg);
void udp_unbind(uint16_t port);
/* udp_input: the datagram ip (IPv4 header hlen, total tot, validated by ip_input). */
void udp_input(struct ifnet *ifp, const uint8_t *ip, unsigned hlen, unsigned tot);
/*
 * udp_output: send a datagram from src:sport (src 0: ifp's address) to dst:dport, with the
 * checksum. Returns ip_output()'s codes.
 */
int udp_output(struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	       const void *data, size_t len);

/* ---- TCP (tcp_input.c; the rest in tcp.h) ---- */
/* tcp_input: the segment in ip (IPv4 header hlen, total tot, validated, addressed to us). */
void tcp_input(struct ifnet *ifp, const uint8_t *ip, unsigned hlen, unsigned tot);

#endif /* _BSD_NET_NET_H_ */
