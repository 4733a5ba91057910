/*
 * if_loop_test.c — unit tests for bsd/net/if_loop.c: lo0's address and flags, output that
 * waits for if_loop_drain() (never re-entering the sender), ping and UDP over it, ICMP port
 * unreachable for a closed port, routing of 127/8, and the bounded queue.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "../../shim/kalloc_malloc.h"
#include "net_harness.h"

#define LO IP4(127, 0, 0, 1)

static unsigned echoes, dgrams;

static void
on_echo(struct ifnet *ifp, uint32_t from, uint16_t id, uint16_t seq, const uint8_t *d,
	size_t len)
{
	cr_assert_eq(ifp, &if_loop);
	cr_assert_eq(from, LO);
	cr_assert_eq(id, 7);
	echoes++;
}

static void
on_udp(void *arg, struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst,
       const uint8_t *data, size_t len)
{
	cr_assert_eq(len, 5);
	cr_assert(memcmp(data, "hello", 5) == 0);
	dgrams++;
}

static void
setup(void)
{
	if_loop_attach();
	icmp_echo_reply_hook = on_echo;
}

TestSuite(lo0, .init = setup);

Test(lo0, is_127_0_0_1_and_not_the_first_interface)
{
	cr_assert_eq(if_find("lo0"), &if_loop);
	cr_assert_eq(if_loop.if_addr, LO);
	cr_assert(if_loop.if_flags & IFF_LOOPBACK);
	cr_assert_null(if_first(), "if_first() names a driver's interface, never lo0");
	cr_assert_eq(ip_route(IP4(127, 1, 2, 3), 0), &if_loop);
	cr_assert_null(ip_route(IP4(8, 8, 8, 8), 0));
}

Test(lo0, ping_is_answered_after_the_drain)
{
	cr_assert_eq(icmp_echo_request(&if_loop, LO, 7, 1, "abc", 3), 0);
	cr_assert_eq(echoes, 0, "output only queues");
	cr_assert_eq(if_loop_drain(), 2); /* the request, then the reply it caused */
	cr_assert_eq(echoes, 1);
	cr_assert_eq(if_loop.if_stats.opackets, 2);
	cr_assert_eq(if_loop.if_stats.ipackets, 2);
	cr_assert_eq(if_loop.if_stats.icmp_echo_replied, 1);
	cr_assert_eq(kalloc_shim_live, 0);
}

Test(lo0, udp_arrives_and_a_closed_port_is_unreachable)
{
	cr_assert_eq(udp_bind(9, on_udp, NULL), 0);
	cr_assert_eq(udp_output(&if_loop, 0, 5000, LO, 9, "hello", 5), 0);
	cr_assert_eq(udp_output(&if_loop, 0, 5000, IP4(127, 0, 0, 2), 10, "hello", 5), 0);
	if_loop_drain();
	cr_assert_eq(dgrams, 1);
	cr_assert_eq(if_loop.if_stats.udp_noport, 1);
	cr_assert_eq(if_loop.if_stats.icmp_err_out, 1);
	cr_assert_eq(if_loop.if_stats.icmp_unreach_in, 1);
}

Test(lo0, the_queue_is_bounded)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < IF_LOOP_QMAX + 10; i++)
		ok += udp_output(&if_loop, 0, 5000, LO, 9, "hello", 5) == 0;
	cr_assert_eq(ok, IF_LOOP_QMAX);
	cr_assert_eq(if_loop.if_stats.oerrors, 10);
	if_loop_drain();
	cr_assert_eq(kalloc_shim_live, 0);
}
