/*
 * if_test.c — unit tests for bsd/net/if.c: the interface list, dotted-quad parsing and
 * formatting, and Ethernet output (header, padding of runts, MTU refusal, counters).
 */
// unit-deps: bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c
#include <criterion/criterion.h>

#include "net_harness.h"

Test(if, parse_and_format_addresses)
{
	static const char *bad[] = { "", "1.2.3", "1.2.3.4.", "1.2.3.256", "1..2.3", "a.b.c.d",
				     "1.2.3.4 ", "0001.2.3.4", "-1.2.3.4" };
	uint32_t ip;
	char b[18];

	cr_assert(if_parse_ip("10.0.2.2", &ip));
	cr_assert_eq(ip, IP4(10, 0, 2, 2));
	cr_assert(if_parse_ip("255.255.255.255", &ip));
	cr_assert_eq(ip, IP_BROADCAST);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!if_parse_ip(bad[i], &ip), "accepted '%s'", bad[i]);
	cr_assert_str_eq(if_ip_str(IP4(192, 168, 1, 10), b), "192.168.1.10");
	cr_assert_str_eq(if_mac_str(h_mac, b), "52:54:00:12:34:56");
}

Test(if, attach_find_detach)
{
	struct ifnet a, b;

	h_if_init(&a, 0);
	h_if_init(&b, 0);
	strcpy(b.if_name, "en1");
	b.if_mtu = 9000;
	if_attach(&a);
	if_attach(&b);
	cr_assert_eq(if_first(), &a);
	cr_assert_eq(if_find("en1"), &b);
	cr_assert_eq(b.if_mtu, IF_MTU_DEFAULT, "no jumbo frames yet");
	cr_assert_null(if_find("en2"));
	cr_assert(if_attached(&a));
	if_detach(&a);
	cr_assert(!if_attached(&a));
	cr_assert(if_attached(&b));
	cr_assert_eq(if_first(), &b);
	if_detach(&b);
	cr_assert_null(if_first());
}

Test(if, ether_output_frames_and_counts)
{
	struct ifnet ifp;
	uint8_t big[1501] = { 0 };

	h_if_init(&ifp, IP4(10, 0, 2, 15));
	cr_assert_eq(ether_output(&ifp, h_peer_mac, 0x0800, "abc", 3), 0);
	cr_assert_eq(h_flen[0], ETHER_MIN_LEN);
	cr_assert_arr_eq(h_frames[0], h_peer_mac, 6);
	cr_assert_arr_eq(h_frames[0] + 6, h_mac, 6);
	cr_assert_eq(net_get16(h_frames[0] + 12), 0x0800);
	cr_assert_arr_eq(h_frames[0] + 14, "abc", 3);
	cr_assert_eq(h_frames[0][17], 0, "padding is zeroed");
	cr_assert_eq(ether_output(&ifp, h_peer_mac, 0x0800, big, 1500), 0);
	cr_assert_eq(h_flen[1], ETHER_MAX_LEN);
	cr_assert_eq(ether_output(&ifp, h_peer_mac, 0x0800, big, 1501), EMSGSIZE);
	cr_assert_eq(ifp.if_stats.opackets, 2);
	cr_assert_eq(ifp.if_stats.obytes, 60 + 1514);
	cr_assert_eq(ifp.if_stats.oerrors, 1);
}
