/*
 * net_input_fuzz.c — libFuzzer harness for the network input path: if_input() (Ethernet,
 * bsd/net/if.c) into ARP, IPv4, ICMP and UDP, and dhcp_parse() on every UDP payload that
 * reaches the DHCP client port, as the kernel's DHCP client would see it.
 *
 * The input is a script: byte 0 picks whether the interface is configured; then records of
 * [len_hi, len_lo, clock step, frame bytes...]. Checked on every input: no memory error, every
 * frame the stack sends is a legal Ethernet frame (60..1514 bytes) with a valid IPv4 header
 * checksum when it carries IPv4, and nothing leaks (held ARP packets and fragments in
 * reassembly are freed).
 */
// fuzz-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/dhcp.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <stdlib.h>

#include <bsd/net/dhcp.h>

#include "../unit/bsd/net/net_harness.h"
#include "../unit/shim/kalloc_malloc.h"

static void
on_udp(void *arg, struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst,
       const uint8_t *data, size_t len)
{
	struct dhcp_reply r;

	(void)arg;
	(void)src;
	(void)sport;
	(void)dst;
	if (dhcp_parse(data, len, 0x01020304, ifp->if_mac, &r) == 0 &&
	    r.dr_type != DHCPOFFER && r.dr_type != DHCPACK && r.dr_type != DHCPNAK)
		abort();
}

uint8_t net_fuzz_sink;

static void
on_echo(struct ifnet *ifp, uint32_t from, uint16_t id, uint16_t seq, const uint8_t *d,
	size_t len)
{

	(void)ifp;
	(void)from;
	(void)id;
	(void)seq;
	for (size_t i = 0; i < len; i++) /* the hook may read all of it */
		net_fuzz_sink ^= d[i];
}

static void
check_output(void)
{
	for (unsigned i = 0; i < h_nframes && i < H_MAXFRAMES; i++) {
		const uint8_t *f = h_frames[i];

		if (h_flen[i] < ETHER_MIN_LEN || h_flen[i] > ETHER_MAX_LEN)
			abort();
		if (net_get16(f + 12) == ETHERTYPE_IP &&
		    in_cksum_fold(in_cksum_add(0, f + 14, IP_HDR_LEN)) != 0)
			abort();
	}
	h_nframes = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ifnet ifp;
	size_t i = 1;

	if (size < 1)
		return 0;
	h_if_init(&ifp, (data[0] & 1) ? IP4(10, 0, 2, 15) : 0);
	h_now = 1000000000ull;
	icmp_echo_reply_hook = on_echo;
	udp_bind(DHCP_CLIENT_PORT, on_udp, NULL);
	while (i + 3 <= size) {
		size_t len = net_get16(data + i) % 2048;

		h_now += (uint64_t)data[i + 2] * 100000000ull;
		i += 3;
		len = MIN(len, size - i);
		/* A private copy, exactly len bytes: ASan sees any over-read. */
		uint8_t *frame = malloc(len ? len : 1);
		memcpy(frame, data + i, len);
		if_input(&ifp, frame, len);
		free(frame);
		check_output();
		i += len;
	}
	udp_unbind(DHCP_CLIENT_PORT);
	arp_flush(&ifp);
	ip_reass_flush(NULL); /* fragments still waiting for the rest */
	if (kalloc_shim_live != 0)
		abort();
	return 0;
}
