/*
 * ip_test.c — unit tests for bsd/net/ip.c (IPv4 and ICMP echo), through the whole input path
 * (bsd/net/if.c's if_input) with a fake interface: the checksum, echo replies (after ARP
 * resolves the asker), every malformed header rejected and counted, fragments dropped,
 * packets for other hosts ignored, and output routing errors.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/udp.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <criterion/criterion.h>

#include "net_harness.h"

#define US   IP4(10, 0, 2, 15)
#define PEER IP4(10, 0, 2, 2)

static struct ifnet ifp;

static void
setup(void)
{
	h_if_init(&ifp, US);
}

static void
teardown(void)
{
	arp_flush(&ifp);
}

TestSuite(ip, .init = setup, .fini = teardown);

Test(ip, rfc1071_checksum)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };

	cr_assert_eq(in_cksum_add(0, d, sizeof(d)), 0xddf2);
	cr_assert_eq(in_cksum_fold(in_cksum_add(0, d, sizeof(d))), 0x220d);
	cr_assert_eq(in_cksum_add(0, odd, 3), 0x0402); /* 0x0102 + 0x0300 */
}

/* Teach the ARP cache the peer (a request from it for us). */
static void
learn_peer(void)
{
	uint8_t f[64];
	size_t n = h_arp(f, ether_broadcast, 1, h_peer_mac, PEER, (const uint8_t[6]){ 0 }, US);

	if_input(&ifp, f, n);
	h_nframes = 0;
}

Test(ip, echo_request_is_answered)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n;

	learn_peer();
	n = h_icmp_echo(f, 8, PEER, US, 0x1234, 7, 56);
	if_input(&ifp, f, n);
	cr_assert_eq(h_nframes, 1);
	cr_assert_eq(h_flen[0], n);
	const uint8_t *r = h_frames[0];
	cr_assert_arr_eq(r, h_peer_mac, 6);
	cr_assert_arr_eq(r + 6, h_mac, 6);
	cr_assert_eq(net_get16(r + 12), ETHERTYPE_IP);
	cr_assert_eq(in_cksum_fold(in_cksum_add(0, r + 14, 20)), 0, "IP header checksum");
	cr_assert_eq(net_get32(r + 14 + 12), US);
	cr_assert_eq(net_get32(r + 14 + 16), PEER);
	cr_assert_eq(r[34], 0, "an echo reply");
	cr_assert_eq(net_get16(r + 38), 0x1234);
	cr_assert_eq(net_get16(r + 40), 7);
	cr_assert_eq(in_cksum_fold(in_cksum_add(0, r + 34, 8 + 56)), 0, "ICMP checksum");
	cr_assert_arr_eq(r + 42, f + 42, 56, "the data is echoed");
	cr_assert_eq(ifp.if_stats.icmp_echo_replied, 1);
}

Test(ip, echo_reply_waits_for_arp)
{
	uint8_t f[ETHER_MAX_LEN], a[64];
	size_t n = h_icmp_echo(f, 8, PEER, US, 1, 1, 8), an;

	if_input(&ifp, f, n);
	cr_assert_eq(h_nframes, 1, "only an ARP request goes out");
	cr_assert_eq(net_get16(h_frames[0] + 12), ETHERTYPE_ARP);
	cr_assert_eq(net_get32(h_frames[0] + 14 + 24), PEER);
	an = h_arp(a, h_mac, 2, h_peer_mac, PEER, h_mac, US);
	if_input(&ifp, a, an);
	cr_assert_eq(h_nframes, 2, "the held reply follows the ARP reply");
	cr_assert_eq(net_get16(h_frames[1] + 12), ETHERTYPE_IP);
	cr_assert_eq(h_frames[1][34], 0);
}

static unsigned replies;
static uint16_t reply_seq;

static void
on_reply(struct ifnet *i, uint32_t from, uint16_t id, uint16_t seq, const uint8_t *d, size_t len)
{
	(void)i;
	cr_assert_eq(from, PEER);
	cr_assert_eq(id, 0x4e4d);
	cr_assert_eq(len, 16);
	replies++;
	reply_seq = seq;
}

Test(ip, echo_reply_reaches_the_hook)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n = h_icmp_echo(f, 0, PEER, US, 0x4e4d, 3, 16);

	icmp_echo_reply_hook = on_reply;
	replies = 0;
	if_input(&ifp, f, n);
	icmp_echo_reply_hook = NULL;
	cr_assert_eq(replies, 1);
	cr_assert_eq(reply_seq, 3);
	cr_assert_eq(h_nframes, 0, "no answer to a reply");
}

/* Corrupt a good echo request with fn; it must be dropped without output. */
static void
expect_dropped(void (*fn)(uint8_t *f, size_t *n), uint64_t *counter)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n;
	uint64_t before = *counter;

	learn_peer();
	n = h_icmp_echo(f, 8, PEER, US, 1, 1, 32);
	fn(f, &n);
	if_input(&ifp, f, n);
	cr_assert_eq(h_nframes, 0, "a malformed packet was answered");
	cr_assert_eq(*counter, before + 1, "the drop was not counted");
}

static void
fix_ipsum(uint8_t *f)
{
	net_put16(f + 24, 0);
	net_put16(f + 24, in_cksum_fold(in_cksum_add(0, f + 14, (f[14] & 0xf) * 4u)));
}

static void c_version(uint8_t *f, size_t *n) { f[14] = 0x65; fix_ipsum(f); }
static void c_ihl_short(uint8_t *f, size_t *n) { f[14] = 0x44; }
static void c_ihl_long(uint8_t *f, size_t *n) { f[14] = 0x4f; *n = 14 + 40; }
static void c_totlen_big(uint8_t *f, size_t *n) { net_put16(f + 16, 1400); fix_ipsum(f); }
static void c_totlen_small(uint8_t *f, size_t *n) { net_put16(f + 16, 19); fix_ipsum(f); }
static void c_sum(uint8_t *f, size_t *n) { f[24] ^= 0x40; }
static void c_mf(uint8_t *f, size_t *n) { net_put16(f + 20, 0x2000); fix_ipsum(f); }
static void c_offset(uint8_t *f, size_t *n) { net_put16(f + 20, 0x0010); fix_ipsum(f); }
static void c_runt(uint8_t *f, size_t *n) { *n = 14 + 12; }
static void c_other_host(uint8_t *f, size_t *n) { net_put32(f + 30, IP4(10, 0, 2, 99)); fix_ipsum(f); }
static void c_icmp_sum(uint8_t *f, size_t *n) { f[40] ^= 1; }
static void c_icmp_short(uint8_t *f, size_t *n) { net_put16(f + 16, 24); *n = 14 + 24; fix_ipsum(f); }

Test(ip, malformed_headers_are_dropped_and_counted)
{
	expect_dropped(c_version, &ifp.if_stats.ip_badhdr);
	expect_dropped(c_ihl_short, &ifp.if_stats.ip_badhdr);
	expect_dropped(c_ihl_long, &ifp.if_stats.ip_badhdr);
	expect_dropped(c_totlen_big, &ifp.if_stats.ip_badlen);
	expect_dropped(c_totlen_small, &ifp.if_stats.ip_badlen);
	expect_dropped(c_sum, &ifp.if_stats.ip_badsum);
	expect_dropped(c_runt, &ifp.if_stats.ip_badhdr);
	expect_dropped(c_other_host, &ifp.if_stats.ip_notours);
	expect_dropped(c_icmp_sum, &ifp.if_stats.icmp_bad);
	expect_dropped(c_icmp_short, &ifp.if_stats.icmp_bad);
}

Test(ip, fragments_are_dropped_and_counted)
{
	expect_dropped(c_mf, &ifp.if_stats.ip_frags);
	expect_dropped(c_offset, &ifp.if_stats.ip_frags);
}

Test(ip, ethernet_padding_does_not_extend_the_packet)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n;

	learn_peer();
	n = h_icmp_echo(f, 8, PEER, US, 9, 9, 0); /* 42 bytes: a NIC pads to 60 */
	memset(f + n, 0xee, 60 - n);
	if_input(&ifp, f, 60);
	cr_assert_eq(h_nframes, 1);
	cr_assert_eq(net_get16(h_frames[0] + 16), 28, "the reply has no padding inside IP");
}

Test(ip, frames_for_other_macs_and_types_are_ignored)
{
	uint8_t f[ETHER_MAX_LEN];
	size_t n;

	learn_peer();
	n = h_icmp_echo(f, 8, PEER, US, 1, 1, 8);
	f[0] ^= 0x02;
	if_input(&ifp, f, n);
	n = h_icmp_echo(f, 8, PEER, US, 1, 1, 8);
	net_put16(f + 12, 0x86dd);
	if_input(&ifp, f, n);
	if_input(&ifp, f, 13);
	cr_assert_eq(h_nframes, 0);
	cr_assert_eq(ifp.if_stats.iqdrops, 2);
	cr_assert_eq(ifp.if_stats.ierrors, 1);
}

Test(ip, output_routes_or_refuses)
{
	uint8_t big[1600] = { 0 };

	cr_assert_eq(ip_output(&ifp, IPPROTO_UDP, 0, PEER, big, 1481), EMSGSIZE);
	ifp.if_gateway = 0;
	cr_assert_eq(ip_output(&ifp, IPPROTO_UDP, 0, IP4(8, 8, 8, 8), big, 10), ENETUNREACH);
	ifp.if_gateway = PEER;
	cr_assert_eq(ip_output(&ifp, IPPROTO_UDP, 0, IP4(8, 8, 8, 8), big, 10), 0);
	cr_assert_eq(h_nframes, 1);
	cr_assert_eq(net_get32(h_frames[0] + 14 + 24), PEER, "ARP asks for the gateway");
	cr_assert_eq(ip_output(&ifp, IPPROTO_UDP, 0, IP_BROADCAST, big, 10), 0);
	cr_assert_arr_eq(h_frames[1], ether_broadcast, 6);
	cr_assert_eq(h_flen[1], 60, "runts are padded");
}

/* The Internet checksum, two bytes at a time as RFC 1071 writes it: the reference. */
static uint16_t
slow_cksum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

Test(ip, checksum_matches_the_reference_at_every_length_and_alignment)
{
	static uint8_t buf[1600];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	memset(buf + 700, 0xff, 300); /* long runs of carries */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += (len < 80 ? 1 : 37))
			cr_assert_eq(in_cksum_fold(in_cksum_add(0x1fffe, buf + off, len)),
				     slow_cksum(0x1fffe, buf + off, len), "off %zu len %zu", off,
				     len);
}
