/*
 * ip_reass_test.c — unit tests for bsd/net/ip_reass.c: a UDP datagram cut in three fragments
 * arrives out of order and duplicated and is delivered once, intact; overlaps; a datagram
 * missing a piece times out (with ICMP time exceeded) and frees its memory; malformed
 * fragments are refused; a flood of large datagrams stays within IP_REASS_MAXBYTES.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "../../shim/kalloc_malloc.h"
#include "net_harness.h"

#define US   IP4(10, 0, 2, 15)
#define PEER IP4(10, 0, 2, 2)
#define DLEN 3000

static struct ifnet ifp;
static uint8_t dgram[UDP_HDR_LEN + DLEN];
static unsigned got;
static uint8_t got_data[DLEN];
static size_t got_len;

static void
deliver(void *arg, struct ifnet *i, uint32_t src, uint16_t sport, uint32_t dst,
	const uint8_t *data, size_t len)
{
	got++;
	got_len = len;
	memcpy(got_data, data, MIN(len, sizeof(got_data)));
}

static void
setup(void)
{
	uint8_t ph[12];

	h_if_init(&ifp, US);
	if_attach(&ifp);
	cr_assert_eq(udp_bind(9, deliver, NULL), 0);
	/* A UDP datagram with a checksum, as the sender would have made it. */
	net_put16(dgram, 5000);
	net_put16(dgram + 2, 9);
	net_put16(dgram + 4, sizeof(dgram));
	for (unsigned i = 0; i < DLEN; i++)
		dgram[UDP_HDR_LEN + i] = (uint8_t)(i * 13);
	net_put32(ph, PEER);
	net_put32(ph + 4, US);
	ph[8] = 0;
	ph[9] = IPPROTO_UDP;
	net_put16(ph + 10, sizeof(dgram));
	net_put16(dgram + 6, in_cksum_fold(in_cksum_add(in_cksum_add(0, ph, 12), dgram,
							  sizeof(dgram))));
}

TestSuite(reass, .init = setup);

/* Send bytes [off, off+len) of dgram as a fragment of IP id; more: MF set. */
static void
frag(uint16_t id, size_t off, size_t len, bool more)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_eth(f, h_mac, ETHERTYPE_IP);

	h_ip(f + n, IPPROTO_UDP, PEER, US, len);
	net_put16(f + n + 4, id);
	net_put16(f + n + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	net_put16(f + n + 10, 0);
	net_put16(f + n + 10, in_cksum_fold(in_cksum_add(0, f + n, IP_HDR_LEN)));
	memcpy(f + n + IP_HDR_LEN, dgram + off, len);
	if_input(&ifp, f, n + IP_HDR_LEN + len);
}

Test(reass, out_of_order_and_duplicated_fragments_make_one_datagram)
{
	frag(1, 2960, sizeof(dgram) - 2960, false);
	frag(1, 1480, 1480, true);
	frag(1, 1480, 1480, true); /* a duplicate */
	cr_assert_eq(got, 0);
	frag(1, 0, 1480, true);
	cr_assert_eq(got, 1);
	cr_assert_eq(got_len, DLEN);
	cr_assert(memcmp(got_data, dgram + UDP_HDR_LEN, DLEN) == 0);
	cr_assert_eq(ifp.if_stats.ip_reassembled, 1);
	cr_assert_eq(ifp.if_stats.udp_badsum, 0);
	cr_assert_eq(kalloc_shim_live, 0);
}

Test(reass, overlapping_fragments_still_complete)
{
	frag(2, 0, 1480, true);
	frag(2, 1000, 1480, true);
	frag(2, 2400, sizeof(dgram) - 2400, false);
	cr_assert_eq(got, 1);
	cr_assert(memcmp(got_data, dgram + UDP_HDR_LEN, DLEN) == 0);
}

Test(reass, a_missing_piece_times_out_and_frees)
{
	frag(3, 0, 1480, true);
	frag(3, 2960, sizeof(dgram) - 2960, false);
	cr_assert_gt(kalloc_shim_live, 0);
	h_nframes = 0;
	h_now += IP_REASS_TIMEOUT_NS;
	ip_reass_slowtimo();
	cr_assert_eq(got, 0);
	cr_assert_eq(ifp.if_stats.ip_frag_timeout, 1);
	/* Time exceeded, reassembly (RFC 792), held until ARP for the peer resolves. */
	cr_assert_eq(ifp.if_stats.icmp_err_out, 1);
	arp_flush(&ifp);
	cr_assert_eq(kalloc_shim_live, 0);
}

Test(reass, malformed_fragments_are_refused)
{
	frag(4, 0, 1001, true); /* not a multiple of 8, yet more follow */
	cr_assert_eq(ifp.if_stats.ip_frag_dropped, 1);
	frag(5, 1480, 1480, false); /* the last ends at 2960 ... */
	frag(5, 2960, 8, true);	    /* ... so nothing may lie past it */
	cr_assert_eq(ifp.if_stats.ip_frag_dropped, 2);
	cr_assert_eq(got, 0);
	ip_reass_flush(NULL);
	cr_assert_eq(kalloc_shim_live, 0);
}

Test(reass, a_flood_of_large_datagrams_stays_bounded)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_eth(f, h_mac, ETHERTYPE_IP), peak = 0;

	for (unsigned id = 100; id < 400; id++) {
		h_ip(f + n, IPPROTO_UDP, PEER, US, 1000);
		net_put16(f + n + 4, (uint16_t)id);
		net_put16(f + n + 6, (uint16_t)(0x2000 | ((60000 + id * 8) % 64000) / 8));
		net_put16(f + n + 10, 0);
		net_put16(f + n + 10, in_cksum_fold(in_cksum_add(0, f + n, IP_HDR_LEN)));
		if_input(&ifp, f, n + IP_HDR_LEN + 1000);
		peak = MAX(peak, kalloc_shim_live);
	}
	cr_assert_leq(peak, IP_REASS_MAXBYTES, "reassembly held %zu bytes", peak);
	cr_assert_gt(ifp.if_stats.ip_frag_dropped, 250);
	ip_reass_flush(NULL);
	cr_assert_eq(kalloc_shim_live, 0);
}
