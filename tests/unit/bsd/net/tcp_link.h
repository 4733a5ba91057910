/*
 * tcp_link.h — two hosted network stacks' worth of interfaces (A 10.0.0.1, B 10.0.0.2) on one
 * simulated Ethernet wire that delays, drops, duplicates and reorders IPv4 frames with a
 * seeded generator, and a fake clock that the wire and TCP's timers both follow. For the TCP
 * unit tests (tcp_input_test.c) and the TCP fuzzer.
 *
 * Both interfaces live in the one bsd/net/ stack of the test process; TCP blocks are told
 * apart by their addresses, and ip_route() sends a block's segments out of the interface that
 * owns its local address, so every segment crosses the wire.
 */
#ifndef _TESTS_UNIT_BSD_NET_TCP_LINK_H_
#define _TESTS_UNIT_BSD_NET_TCP_LINK_H_

#include <bsd/net/tcp.h>
#include <stdlib.h>

#include "net_harness.h"

#define A_ADDR IP4(10, 0, 0, 1)
#define B_ADDR IP4(10, 0, 0, 2)
#define L_MAXQ 4096

struct l_frame {
	struct ifnet *to;
	uint64_t at;
	size_t len;
	uint8_t data[ETHER_MAX_LEN];
};

static struct ifnet l_a, l_b;
static struct l_frame *l_q[L_MAXQ];
static unsigned l_nq;
static uint64_t l_rng = 0x9e3779b97f4a7c15ull;
/* Per mille: drop, duplicate, delay extra (reorder). Delay in ns. */
static unsigned l_drop, l_dup, l_reorder;
static uint64_t l_delay = 1000000;
static uint64_t l_frames, l_dropped, l_duped;
static bool l_cut; /* drop everything */

static __attribute__((unused)) unsigned
l_rand(unsigned n)
{
	l_rng ^= l_rng << 13;
	l_rng ^= l_rng >> 7;
	l_rng ^= l_rng << 17;
	return (unsigned)(l_rng % n);
}

static void
l_enqueue(struct ifnet *to, const void *frame, size_t len, uint64_t at)
{
	struct l_frame *f;

	if (l_nq == L_MAXQ || (f = malloc(sizeof(*f))) == NULL)
		return;
	f->to = to;
	f->at = at;
	f->len = len;
	memcpy(f->data, frame, len);
	l_q[l_nq++] = f;
}

static int
l_output(struct ifnet *ifp, const void *frame, size_t len)
{
	struct ifnet *to = ifp == &l_a ? &l_b : &l_a;
	bool ip = net_get16((const uint8_t *)frame + 12) == ETHERTYPE_IP;
	uint64_t at = h_now + l_delay;

	l_frames++;
	if (l_cut || (ip && l_drop && l_rand(1000) < l_drop)) {
		l_dropped++;
		return 0;
	}
	if (ip && l_reorder && l_rand(1000) < l_reorder)
		at += l_delay * (1 + l_rand(4));
	l_enqueue(to, frame, len, at);
	if (ip && l_dup && l_rand(1000) < l_dup) {
		l_duped++;
		l_enqueue(to, frame, len, at + l_delay / 2);
	}
	return 0;
}

static __attribute__((unused)) void
l_init(void)
{
	static const uint8_t ma[6] = { 2, 0, 0, 0, 0, 1 }, mb[6] = { 2, 0, 0, 0, 0, 2 };

	memset(&l_a, 0, sizeof(l_a));
	memset(&l_b, 0, sizeof(l_b));
	strcpy(l_a.if_name, "eth0");
	strcpy(l_b.if_name, "eth1");
	memcpy(l_a.if_mac, ma, 6);
	memcpy(l_b.if_mac, mb, 6);
	l_a.if_mtu = l_b.if_mtu = IF_MTU_DEFAULT;
	l_a.if_output = l_b.if_output = l_output;
	l_a.if_addr = A_ADDR;
	l_b.if_addr = B_ADDR;
	l_a.if_netmask = l_b.if_netmask = IP4(255, 255, 255, 0);
	l_a.if_link_up = l_b.if_link_up = true;
	if_attach(&l_a);
	if_attach(&l_b);
}

/* Deliver every frame due by now, earliest first (equal times in the order sent). */
static __attribute__((unused)) void
l_deliver_due(void)
{
	for (;;) {
		unsigned best = L_MAXQ;

		for (unsigned i = 0; i < l_nq; i++)
			if (l_q[i]->at <= h_now && (best == L_MAXQ || l_q[i]->at < l_q[best]->at))
				best = i;
		if (best == L_MAXQ)
			return;
		struct l_frame *f = l_q[best];

		memmove(&l_q[best], &l_q[best + 1], (l_nq - best - 1) * sizeof(l_q[0]));
		l_nq--;
		if (if_attached(f->to))
			if_input(f->to, f->data, f->len);
		free(f);
	}
}

/* One millisecond of simulated time: the wire, then the timers. */
static __attribute__((unused)) void
l_step(void)
{
	h_now += 1000000;
	l_deliver_due();
	tcp_slowtimo();
}

static __attribute__((unused)) void
l_free_all(void)
{
	for (unsigned i = 0; i < l_nq; i++)
		free(l_q[i]);
	l_nq = 0;
}

#endif /* _TESTS_UNIT_BSD_NET_TCP_LINK_H_ */
