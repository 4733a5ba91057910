/*
 * net_hdr_test.c — unit tests for virtio/net_hdr.c: a transmit header for TCP only (not UDP,
 * ARP or a fragment); a received NEEDS_CSUM TCP and UDP frame finished to the checksum the
 * stack computes; DATA_VALID believed; and a hostile device's headers refused without
 * touching the frame: offsets that miss the TCP/UDP checksum or run past the frame, a wrong
 * pseudo-header sum, a length beyond the frame, a fragment, a non-IPv4 frame.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "../bsd/net/net_harness.h"
#include <virtio/net_hdr.h>

#define SRC IP4(10, 99, 0, 1)
#define DST IP4(10, 99, 0, 2)

static uint8_t f[ETHER_MAX_LEN];

/* An Ethernet + IPv4 frame with an l4len-byte TCP or UDP payload; its checksum field holds
 * the pseudo-header sum (as a host's stack sends it); returns the frame's length. */
static size_t
frame(uint8_t proto, size_t l4len)
{
	uint8_t *ip = f + ETHER_HDR_LEN, *l4 = ip + IP_HDR_LEN;
	unsigned off = proto == IPPROTO_TCP ? 16 : 6;

	memset(f, 0, sizeof(f));
	net_put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	net_put16(ip + 2, (uint16_t)(IP_HDR_LEN + l4len));
	net_put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	net_put32(ip + 12, SRC);
	net_put32(ip + 16, DST);
	net_put16(ip + 10, in_cksum_fold(in_cksum_add(0, ip, IP_HDR_LEN)));
	for (size_t i = 0; i < l4len; i++)
		l4[i] = (uint8_t)(i * 13 + 7);
	if (proto == IPPROTO_TCP)
		l4[12] = 5 << 4;
	else
		net_put16(l4 + 4, (uint16_t)l4len);
	net_put16(l4 + off, (uint16_t)~in_cksum_fold(in_pseudo_sum(SRC, DST, proto, l4len)));
	return ETHER_HDR_LEN + IP_HDR_LEN + l4len;
}

static struct virtio_net_hdr_v1
needs(unsigned start, unsigned off)
{
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };

	h.csum_start = (uint16_t)start;
	h.csum_offset = (uint16_t)off;
	return h;
}

Test(net_hdr, transmit_offloads_tcp_only)
{
	struct virtio_net_hdr_v1 h;
	size_t n;

	memset(&h, 0, sizeof(h));
	cr_assert(vtnet_hdr_tx_csum(f, frame(IPPROTO_TCP, 100), &h));
	cr_assert_eq(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	cr_assert_eq(h.csum_start, 34);
	cr_assert_eq(h.csum_offset, 16);
	memset(&h, 0, sizeof(h));
	cr_assert_not(vtnet_hdr_tx_csum(f, frame(IPPROTO_UDP, 100), &h), "UDP is summed by us");
	n = frame(IPPROTO_TCP, 100);
	f[ETHER_HDR_LEN + 6] |= 0x20; /* MF: a fragment */
	cr_assert_not(vtnet_hdr_tx_csum(f, n, &h));
	n = frame(IPPROTO_TCP, 100);
	net_put16(f + 12, ETHERTYPE_ARP);
	cr_assert_not(vtnet_hdr_tx_csum(f, n, &h));
	cr_assert_not(vtnet_hdr_tx_csum(f, 40, &h), "shorter than a TCP header");
	cr_assert_eq(h.flags, 0);
}

Test(net_hdr, needs_csum_is_finished_to_the_stacks_sum)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

	for (unsigned p = 0; p < 2; p++) {
		for (size_t l4 = 20; l4 < 1480; l4 += 97) {
			uint8_t proto = protos[p];
			size_t n = frame(proto, l4);
			struct virtio_net_hdr_v1 h = needs(34, proto == IPPROTO_TCP ? 16 : 6);
			const uint8_t *seg = f + 34;

			cr_assert_eq(vtnet_hdr_rx_csum(&h, f, n + 4), VTNET_CSUM_VALID,
				     "proto %u len %zu (with 4 bytes of padding)", proto, l4);
			cr_assert_eq(in_cksum_fold(in_cksum_add(in_pseudo_sum(SRC, DST, proto, l4),
								seg, l4)), 0,
				     "the stack would accept it: proto %u len %zu", proto, l4);
		}
	}
}

Test(net_hdr, data_valid_is_believed_and_no_flags_is_no_claim)
{
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };

	cr_assert_eq(vtnet_hdr_rx_csum(&h, f, frame(IPPROTO_TCP, 40)), VTNET_CSUM_VALID);
	h.flags = 0;
	cr_assert_eq(vtnet_hdr_rx_csum(&h, f, frame(IPPROTO_TCP, 40)), VTNET_CSUM_NONE);
}

Test(net_hdr, hostile_headers_leave_the_frame_alone)
{
	static const struct {
		unsigned start, off;
		int poke; /* -1: none; else an offset into the frame to change */
		uint8_t val;
		size_t cut;
		const char *what;
	} bad[] = {
		{ 34, 6, -1, 0, 0, "UDP's offset on a TCP frame" },
		{ 30, 16, -1, 0, 0, "start inside the IPv4 header" },
		{ 38, 16, -1, 0, 0, "start past the TCP header's beginning" },
		{ 34, 60000, -1, 0, 0, "offset far outside the frame" },
		{ 60000, 16, -1, 0, 0, "start far outside the frame" },
		{ 34, 16, 34 + 16, 0x55, 0, "a partial sum not of this pseudo-header" },
		{ 34, 16, 14 + 12, 0x0b, 0, "the source address changed under the sum" },
		{ 34, 16, 14 + 6, 0x20, 0, "a fragment" },
		{ 34, 16, 14, 0x65, 0, "not IPv4" },
		{ 34, 16, 12, 0x86, 0, "not an IP frame" },
		{ 34, 16, -1, 0, 10, "the IPv4 length runs past the frame" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = frame(IPPROTO_TCP, 200);
		struct virtio_net_hdr_v1 h = needs(bad[i].start, bad[i].off);
		uint8_t before[ETHER_MAX_LEN];

		if (bad[i].poke >= 0)
			f[bad[i].poke] ^= bad[i].val;
		memcpy(before, f, sizeof(f));
		cr_assert_eq(vtnet_hdr_rx_csum(&h, f, n - bad[i].cut), VTNET_CSUM_BAD_HDR, "%s",
			     bad[i].what);
		cr_assert_arr_eq(before, f, sizeof(f), "%s: the frame was changed", bad[i].what);
	}
	cr_assert_eq(vtnet_hdr_rx_csum(&(struct virtio_net_hdr_v1){ .flags = 1 }, f, 20),
		     VTNET_CSUM_BAD_HDR, "a runt");
}
