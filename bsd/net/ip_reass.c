/*
 * ip_reass.c — IPv4 fragment reassembly (RFC 791 §3.2, RFC 815's idea of tracking what is
 * still missing; RFC 1122 §3.3.2 for the timeout), in bounded memory.
 *
 * The one idea: a datagram being reassembled is a buffer that grows to the largest end offset
 * seen plus a bitmap of the 8-byte blocks that have arrived. Completion is "the last fragment
 * came and every block below it is set" — so overlapping, duplicated and reordered fragments
 * need no list surgery (a later copy of a byte simply overwrites the earlier one). At most
 * IP_REASS_MAXQ datagrams and IP_REASS_MAXBYTES of buffers exist at once: a new datagram that
 * does not fit evicts the oldest, so a fragment flood costs a fixed amount of memory.
 */
#include <bsd/net/net.h>
#include <mach/kern/kalloc.h>

#define REASS_BLOCKS (IP_MAXPACKET / 8 + 1)

struct ip_reass {
	bool ir_used;
	struct ifnet *ir_ifp;
	uint32_t ir_src, ir_dst;
	uint16_t ir_id;
	uint8_t ir_proto;
	uint64_t ir_start;	   /* when the first fragment of it arrived (eviction order) */
	uint8_t *ir_buf;	   /* payload bytes, ir_cap long */
	size_t ir_cap;
	unsigned ir_total;	   /* payload length, known once the last fragment came; else 0 */
	unsigned ir_maxend;	   /* the largest end offset any fragment reached */
	unsigned ir_hlen;	   /* the first fragment's header, kept for the whole datagram */
	uint8_t ir_hdr[60];
	uint8_t ir_map[REASS_BLOCKS / 8 + 1];
};

static struct ip_reass reass_q[IP_REASS_MAXQ];
static size_t reass_bytes;

static void
reass_free(struct ip_reass *r)
{
	if (r->ir_buf != NULL) {
		kfree(r->ir_buf, r->ir_cap);
		reass_bytes -= r->ir_cap;
	}
	memset(r, 0, sizeof(*r));
}

/* Drop datagrams older than the timeout; tell the sender when we had its first fragment. */
static void
reass_expire(uint64_t now)
{
	for (unsigned i = 0; i < IP_REASS_MAXQ; i++) {
		struct ip_reass *r = &reass_q[i];

		if (!r->ir_used || now - r->ir_start < IP_REASS_TIMEOUT_NS)
			continue;
		r->ir_ifp->if_stats.ip_frag_timeout++;
		if (r->ir_hlen != 0 && if_attached(r->ir_ifp))
			icmp_error(r->ir_ifp, ICMP_TIMXCEED, ICMP_TIMXCEED_REASS, r->ir_hdr,
				   r->ir_hlen);
		reass_free(r);
	}
}

/* Grow r's buffer to hold end bytes; false when that would pass the byte bound. */
static bool
reass_grow(struct ip_reass *r, size_t end)
{
	size_t cap = r->ir_cap ? r->ir_cap : 2048;
	uint8_t *nb;

	if (end <= r->ir_cap)
		return true;
	while (cap < end)
		cap *= 2;
	if (cap > IP_MAXPACKET)
		cap = IP_MAXPACKET;
	if (reass_bytes - r->ir_cap + cap > IP_REASS_MAXBYTES || (nb = kalloc(cap)) == NULL)
		return false;
	if (r->ir_buf != NULL) {
		memcpy(nb, r->ir_buf, r->ir_cap);
		kfree(r->ir_buf, r->ir_cap);
	}
	reass_bytes = reass_bytes - r->ir_cap + cap;
	r->ir_buf = nb;
	r->ir_cap = cap;
	return true;
}

static bool
reass_complete(const struct ip_reass *r)
{
	if (r->ir_total == 0 || r->ir_hlen == 0)
		return false;
	for (unsigned b = 0; b < (r->ir_total + 7) / 8; b++)
		if (!(r->ir_map[b / 8] & (1u << (b % 8))))
			return false;
	return true;
}

void
ip_reass_input(struct ifnet *ifp, const uint8_t *p, unsigned hlen, unsigned tot,
	       ip_deliver_fn deliver)
{
	uint16_t off = net_get16(p + 6), id = net_get16(p + 4);
	uint32_t src = net_get32(p + 12), dst = net_get32(p + 16);
	unsigned start = (off & 0x1fffu) * 8u, len = tot - hlen, end = start + len;
	bool more = (off & 0x2000) != 0;
	struct ip_reass *r = NULL, *oldest = NULL;

	reass_expire(net_now_ns());
	/* Every fragment but the last carries a multiple of 8 bytes; none reaches past 64 KiB. */
	if (len == 0 || (more && (len % 8) != 0) || hlen + end > IP_MAXPACKET) {
		ifp->if_stats.ip_frag_dropped++;
		return;
	}
	for (unsigned i = 0; i < IP_REASS_MAXQ; i++) {
		struct ip_reass *q = &reass_q[i];

		if (q->ir_used && q->ir_ifp == ifp && q->ir_src == src && q->ir_dst == dst &&
		    q->ir_id == id && q->ir_proto == p[9]) {
			r = q;
			break;
		}
	}
	if (r == NULL) {
		for (unsigned i = 0; i < IP_REASS_MAXQ && r == NULL; i++) {
			if (!reass_q[i].ir_used)
				r = &reass_q[i];
			else if (oldest == NULL || reass_q[i].ir_start < oldest->ir_start)
				oldest = &reass_q[i];
		}
		if (r == NULL) { /* full: the oldest makes room */
			oldest->ir_ifp->if_stats.ip_frag_dropped++;
			reass_free(oldest);
			r = oldest;
		}
		r->ir_used = true;
		r->ir_ifp = ifp;
		r->ir_src = src;
		r->ir_dst = dst;
		r->ir_id = id;
		r->ir_proto = p[9];
		r->ir_start = net_now_ns();
	}
	if (!more) {
		if ((r->ir_total != 0 && r->ir_total != end) || end < r->ir_maxend)
			goto bad;
		r->ir_total = end;
	} else if (r->ir_total != 0 && end > r->ir_total) {
		goto bad;
	}
	/* Free others' buffers first if this one cannot grow (oldest first, never r). */
	while (!reass_grow(r, end)) {
		struct ip_reass *victim = NULL;

		for (unsigned i = 0; i < IP_REASS_MAXQ; i++)
			if (reass_q[i].ir_used && &reass_q[i] != r &&
			    (victim == NULL || reass_q[i].ir_start < victim->ir_start))
				victim = &reass_q[i];
		if (victim == NULL)
			goto bad;
		victim->ir_ifp->if_stats.ip_frag_dropped++;
		reass_free(victim);
	}
	if (end > r->ir_maxend)
		r->ir_maxend = end;
	memcpy(r->ir_buf + start, p + hlen, len);
	for (unsigned b = start / 8; b < (end + 7) / 8; b++)
		r->ir_map[b / 8] |= (uint8_t)(1u << (b % 8));
	if (start == 0) {
		memcpy(r->ir_hdr, p, hlen);
		r->ir_hlen = hlen;
	}
	if (reass_complete(r)) {
		size_t whole = r->ir_hlen + r->ir_total;
		uint8_t *d = whole <= IP_MAXPACKET ? kalloc(whole) : NULL;

		if (d == NULL)
			goto bad;
		memcpy(d, r->ir_hdr, r->ir_hlen);
		memcpy(d + r->ir_hlen, r->ir_buf, r->ir_total);
		net_put16(d + 2, (uint16_t)whole);
		net_put16(d + 6, 0);
		net_put16(d + 10, 0);
		net_put16(d + 10, in_cksum_fold(in_cksum_add(0, d, r->ir_hlen)));
		ifp->if_stats.ip_reassembled++;
		reass_free(r);
		deliver(ifp, d, (unsigned)(d[0] & 0xf) * 4u, (unsigned)whole);
		kfree(d, whole);
	}
	return;
bad:
	ifp->if_stats.ip_frag_dropped++;
	reass_free(r);
}

void
ip_reass_flush(struct ifnet *ifp)
{
	for (unsigned i = 0; i < IP_REASS_MAXQ; i++)
		if (reass_q[i].ir_used && (ifp == NULL || reass_q[i].ir_ifp == ifp))
			reass_free(&reass_q[i]);
}

void
ip_reass_slowtimo(void)
{
	reass_expire(net_now_ns());
}
