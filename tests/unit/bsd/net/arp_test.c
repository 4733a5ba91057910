/*
 * arp_test.c — unit tests for bsd/net/arp.c: requests for us answered, RFC 826's merge rule
 * (only packets for us create entries), timeouts, retries with a hold-down, the held packet
 * sent on resolution, gratuitous ARP, a claim on our address, malformed packets counted, and
 * a full cache reusing the oldest entry.
 */
// unit-deps: bsd/net/if.c bsd/net/ip.c bsd/net/udp.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <criterion/criterion.h>

#include "../../shim/kalloc_malloc.h"
#include "hosted.h"
#include "net_harness.h"

#define US   IP4(10, 0, 2, 15)
#define PEER IP4(10, 0, 2, 2)

static struct ifnet ifp;
static const uint8_t zero6[6];

static void
setup(void)
{
	h_if_init(&ifp, US);
	h_now = 1000000000ull;
}

static void
teardown(void)
{
	arp_flush(&ifp);
	cr_assert_eq(kalloc_shim_live, 0, "held packets leaked");
}

TestSuite(arp, .init = setup, .fini = teardown);

Test(arp, request_for_us_is_answered_and_learned)
{
	uint8_t f[64], mac[6];
	size_t n = h_arp(f, ether_broadcast, 1, h_peer_mac, PEER, zero6, US);

	if_input(&ifp, f, n);
	cr_assert_eq(h_nframes, 1);
	const uint8_t *r = h_frames[0];
	cr_assert_arr_eq(r, h_peer_mac, 6, "the reply is unicast to the asker");
	cr_assert_eq(net_get16(r + 12), ETHERTYPE_ARP);
	cr_assert_eq(net_get16(r + 14 + 6), 2, "op reply");
	cr_assert_arr_eq(r + 14 + 8, h_mac, 6);
	cr_assert_eq(net_get32(r + 14 + 14), US);
	cr_assert_arr_eq(r + 14 + 18, h_peer_mac, 6);
	cr_assert_eq(net_get32(r + 14 + 24), PEER);
	cr_assert(arp_lookup(&ifp, PEER, mac));
	cr_assert_arr_eq(mac, h_peer_mac, 6);
}

Test(arp, others_traffic_creates_no_entry)
{
	uint8_t f[64], mac[6];
	size_t n = h_arp(f, ether_broadcast, 1, h_peer_mac, PEER, zero6, IP4(10, 0, 2, 77));

	if_input(&ifp, f, n);
	cr_assert_eq(h_nframes, 0);
	cr_assert(!arp_lookup(&ifp, PEER, mac));
}

Test(arp, entries_expire)
{
	uint8_t f[64], mac[6];
	size_t n = h_arp(f, h_mac, 2, h_peer_mac, PEER, h_mac, US);

	if_input(&ifp, f, n);
	cr_assert(arp_lookup(&ifp, PEER, mac));
	h_now += ARP_TIMEOUT_NS - 1;
	cr_assert(arp_lookup(&ifp, PEER, mac));
	h_now += 1;
	cr_assert(!arp_lookup(&ifp, PEER, mac));
}

Test(arp, resolve_retries_then_holds_down)
{
	uint8_t mac[6], pkt[40] = { 0x45 };

	for (unsigned i = 0; i < ARP_MAX_TRIES; i++) {
		cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EAGAIN);
		cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EAGAIN);
		h_now += ARP_RETRY_NS;
	}
	cr_assert_eq(h_nframes, ARP_MAX_TRIES, "one request per retry interval");
	cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EHOSTUNREACH, "gave up");
	cr_assert_eq(kalloc_shim_live, 0, "the held packet was dropped");
	h_now += ARP_HOLDDOWN_NS - 1;
	cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EHOSTUNREACH, "held down");
	cr_assert_eq(h_nframes, ARP_MAX_TRIES);
	h_now += 1;
	cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EAGAIN, "tried afresh");
	cr_assert_eq(h_nframes, ARP_MAX_TRIES + 1);
}

Test(arp, held_packet_goes_out_on_reply)
{
	uint8_t f[64], mac[6], pkt[28];

	memset(pkt, 0xab, sizeof(pkt));
	cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), EAGAIN);
	cr_assert_gt(kalloc_shim_live, 0);
	if_input(&ifp, f, h_arp(f, h_mac, 2, h_peer_mac, PEER, h_mac, US));
	cr_assert_eq(h_nframes, 2);
	cr_assert_arr_eq(h_frames[1], h_peer_mac, 6);
	cr_assert_eq(net_get16(h_frames[1] + 12), ETHERTYPE_IP);
	cr_assert_arr_eq(h_frames[1] + 14, pkt, sizeof(pkt));
	cr_assert_eq(kalloc_shim_live, 0);
	cr_assert_eq(arp_resolve(&ifp, PEER, mac, pkt, sizeof(pkt)), 0);
}

Test(arp, gratuitous_announces_our_address)
{
	cr_assert_eq(arp_gratuitous(&ifp), 0);
	cr_assert_eq(h_nframes, 1);
	cr_assert_arr_eq(h_frames[0], ether_broadcast, 6);
	cr_assert_eq(net_get32(h_frames[0] + 14 + 14), US);
	cr_assert_eq(net_get32(h_frames[0] + 14 + 24), US);
	ifp.if_addr = 0;
	cr_assert_eq(arp_gratuitous(&ifp), EINVAL);
}

Test(arp, a_claim_on_our_address_is_logged_not_learned)
{
	uint8_t f[64], mac[6];

	hosted_klog_reset();
	if_input(&ifp, f, h_arp(f, ether_broadcast, 1, h_peer_mac, US, zero6, US));
	cr_assert_eq(hosted_klog_count, 1);
	cr_assert(strstr(hosted_klog_last, "claims our address") != NULL);
	cr_assert(!arp_lookup(&ifp, US, mac));
	cr_assert_eq(h_nframes, 0);
}

Test(arp, malformed_packets_are_counted)
{
	uint8_t f[64];
	size_t n = h_arp(f, ether_broadcast, 1, h_peer_mac, PEER, zero6, US);

	if_input(&ifp, f, n - 1); /* short */
	f[14 + 4] = 8;		  /* hlen */
	if_input(&ifp, f, n);
	f[14 + 4] = 6;
	net_put16(f + 14 + 6, 9); /* op */
	if_input(&ifp, f, n);
	net_put16(f + 14 + 6, 1);
	f[14 + 8] |= 1; /* a multicast sender */
	if_input(&ifp, f, n);
	cr_assert_eq(ifp.if_stats.arp_bad, 4);
	cr_assert_eq(h_nframes, 0);
}

Test(arp, full_cache_reuses_the_oldest)
{
	uint8_t mac[6];

	for (unsigned i = 0; i < ARP_CACHE_SIZE + 1; i++) {
		cr_assert_eq(arp_resolve(&ifp, IP4(10, 0, 2, 100 + i), mac, NULL, 0), EAGAIN);
		h_now += 1000;
	}
	unsigned present = 0;
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		present += ifp.if_arp[i].ae_ip == IP4(10, 0, 2, 100);
	cr_assert_eq(present, 0, "the oldest entry was reused");
}
