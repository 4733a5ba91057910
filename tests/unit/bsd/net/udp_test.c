/*
 * udp_test.c — unit tests for bsd/net/udp.c: delivery to a bound port, the checksum with its
 * pseudo-header (both ways), a zero checksum accepted, bad lengths and unbound ports counted,
 * and the binding table's errors.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <criterion/criterion.h>

#include "net_harness.h"

#define US   IP4(10, 0, 2, 15)
#define PEER IP4(10, 0, 2, 3)

static struct ifnet ifp;
static unsigned got;
static uint8_t got_data[64];
static size_t got_len;
static uint16_t got_sport;

static void
deliver(void *arg, struct ifnet *i, uint32_t src, uint16_t sport, uint32_t dst,
	const uint8_t *data, size_t len)
{
	cr_assert_eq(arg, &ifp);
	cr_assert_eq(src, PEER);
	got++;
	got_sport = sport;
	got_len = len;
	memcpy(got_data, data, MIN(len, sizeof(got_data)));
}

static void
setup(void)
{
	h_if_init(&ifp, US);
	got = 0;
	cr_assert_eq(udp_bind(5353, deliver, &ifp), 0);
}

static void
teardown(void)
{
	udp_unbind(5353);
	arp_flush(&ifp);
}

TestSuite(udp, .init = setup, .fini = teardown);

Test(udp, bound_port_gets_the_datagram)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_udp(f, PEER, 53, US, 5353, "hello", 5, true);

	if_input(&ifp, f, n);
	cr_assert_eq(got, 1);
	cr_assert_eq(got_sport, 53);
	cr_assert_eq(got_len, 5);
	cr_assert_arr_eq(got_data, "hello", 5);
}

Test(udp, zero_checksum_is_accepted_bad_one_is_not)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_udp(f, PEER, 53, US, 5353, "abc", 3, false);

	if_input(&ifp, f, n);
	cr_assert_eq(got, 1);
	n = h_udp(f, PEER, 53, US, 5353, "abc", 3, true);
	f[42] ^= 1;
	if_input(&ifp, f, n);
	cr_assert_eq(got, 1);
	cr_assert_eq(ifp.if_stats.udp_badsum, 1);
}

Test(udp, bad_lengths_and_unbound_ports_are_counted)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_udp(f, PEER, 53, US, 5353, "abcd", 4, false);

	net_put16(f + 38, 40); /* UDP length past the IP payload */
	if_input(&ifp, f, n);
	net_put16(f + 38, 7); /* shorter than the header */
	if_input(&ifp, f, n);
	cr_assert_eq(ifp.if_stats.udp_badlen, 2);
	n = h_udp(f, PEER, 53, US, 9999, "abcd", 4, true);
	if_input(&ifp, f, n);
	cr_assert_eq(ifp.if_stats.udp_noport, 1);
	cr_assert_eq(got, 0);
}

Test(udp, output_checksum_verifies)
{
	uint8_t ph[12];
	const uint8_t *u;

	/* Teach ARP the peer so the datagram leaves at once. */
	uint8_t a[64];
	size_t an = h_arp(a, h_mac, 2, h_peer_mac, PEER, h_mac, US);
	if_input(&ifp, a, an);
	h_nframes = 0;
	cr_assert_eq(udp_output(&ifp, 0, 40000, PEER, 53, "query", 5), 0);
	cr_assert_eq(h_nframes, 1);
	u = h_frames[0] + 34;
	cr_assert_eq(net_get16(u), 40000);
	cr_assert_eq(net_get16(u + 2), 53);
	cr_assert_eq(net_get16(u + 4), 13);
	net_put32(ph, US);
	net_put32(ph + 4, PEER);
	ph[8] = 0;
	ph[9] = IPPROTO_UDP;
	net_put16(ph + 10, 13);
	cr_assert_eq(in_cksum_fold(in_cksum_add(in_cksum_add(0, ph, 12), u, 13)), 0);
}

Test(udp, binding_table_errors)
{
	cr_assert_eq(udp_bind(5353, deliver, NULL), EADDRINUSE);
	cr_assert_eq(udp_bind(0, deliver, NULL), EINVAL);
	for (uint16_t p = 1; p < UDP_MAX_BINDINGS; p++)
		cr_assert_eq(udp_bind(p, deliver, NULL), 0);
	cr_assert_eq(udp_bind(100, deliver, NULL), ENOBUFS);
	for (uint16_t p = 1; p < UDP_MAX_BINDINGS; p++)
		udp_unbind(p);
	cr_assert_eq(udp_bind(100, deliver, NULL), 0);
	udp_unbind(100);
}

/* The fuzzer found it: port 0 matched a free slot of the table and called its NULL function. */
Test(udp, datagram_to_port_zero_is_dropped)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_udp(f, PEER, 53, US, 0, "x", 1, true);

	if_input(&ifp, f, n);
	cr_assert_eq(got, 0);
	cr_assert_eq(ifp.if_stats.udp_noport, 1);
}
