/*
 * if_loop.c — the loopback interface lo0 (BSD net/if_loop.c): 127.0.0.1/8, an IPv4 packet
 * sent on it comes back as input on it, with the usual interface statistics.
 *
 * The one idea: output only queues. A packet is delivered by if_loop_drain(), which the kernel
 * runs as it drops the network lock, so a protocol that sends (TCP answering a segment) is never
 * re-entered from inside its own call — the same order of events a real wire gives. The queue
 * is bounded (IF_LOOP_QMAX), so a protocol that answers itself forever cannot eat memory.
 */
#include <bsd/net/net.h>
#include <mach/kern/kalloc.h>

struct ifnet if_loop;

struct loop_pkt {
	struct loop_pkt *lp_next;
	size_t lp_len;
	uint8_t lp_data[];
};

static struct loop_pkt *loop_head, **loop_tail = &loop_head;
static unsigned loop_count;

void
if_loop_attach(void)
{
	struct ifnet *ifp = &if_loop;

	if (if_attached(ifp))
		return;
	memset(ifp, 0, sizeof(*ifp));
	memcpy(ifp->if_name, "lo0", 4);
	ifp->if_flags = IFF_LOOPBACK;
	ifp->if_mtu = IF_MTU_DEFAULT;
	ifp->if_link_up = true;
	ifp->if_addr = IP4(127, 0, 0, 1);
	ifp->if_netmask = IP4(255, 0, 0, 0);
	if_attach(ifp);
}

int
if_loop_output(struct ifnet *ifp, const void *pkt, size_t len)
{
	struct loop_pkt *lp;

	if (loop_count >= IF_LOOP_QMAX ||
	    (lp = kalloc(sizeof(*lp) + len)) == NULL) {
		ifp->if_stats.oerrors++;
		return ENOBUFS;
	}
	lp->lp_next = NULL;
	lp->lp_len = len;
	memcpy(lp->lp_data, pkt, len);
	*loop_tail = lp;
	loop_tail = &lp->lp_next;
	loop_count++;
	ifp->if_stats.opackets++;
	ifp->if_stats.obytes += len;
	return 0;
}

unsigned
if_loop_drain(void)
{
	unsigned n = 0;

	while (loop_head != NULL) {
		struct loop_pkt *lp = loop_head;

		loop_head = lp->lp_next;
		if (loop_head == NULL)
			loop_tail = &loop_head;
		loop_count--;
		/* lo0 may have been taken off the list (a test); drop what was queued then. */
		if (if_attached(&if_loop)) {
			if_loop.if_stats.ipackets++;
			if_loop.if_stats.ibytes += lp->lp_len;
			ip_input(&if_loop, lp->lp_data, lp->lp_len, false);
		}
		kfree(lp, sizeof(*lp) + lp->lp_len);
		n++;
	}
	return n;
}
