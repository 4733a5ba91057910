/*
 * ipconfig_test.c — unit tests for bsd/net/ipconfig.c: the ip= forms Linux documents (dhcp,
 * off, the static nine-field form with fields left out), bad values refused and answered with
 * DHCP, and the resolv.conf text (search line, servers, a buffer too small).
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "net_harness.h"
#include <bsd/net/ipconfig.h>

Test(ipconfig, absent_and_keywords)
{
	struct net_ipconfig c;

	cr_assert_eq(net_ipconfig_parse(NULL, &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_DHCP);
	cr_assert_eq(net_ipconfig_parse("dhcp", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_DHCP);
	cr_assert_eq(net_ipconfig_parse("off", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_OFF);
	cr_assert_eq(net_ipconfig_parse(":::::eth1:dhcp", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_DHCP);
	cr_assert_str_eq(c.nc_dev, "eth1");
	cr_assert_eq(net_ipconfig_parse(":::::eth0:none", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_OFF);
}

Test(ipconfig, static_full_form)
{
	struct net_ipconfig c;

	cr_assert_eq(net_ipconfig_parse("10.9.0.2::10.9.0.1:255.255.255.0:guest:eth0:off:10.9.0.1:"
					"8.8.8.8", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_STATIC);
	cr_assert_eq(c.nc_addr, IP4(10, 9, 0, 2));
	cr_assert_eq(c.nc_gateway, IP4(10, 9, 0, 1));
	cr_assert_eq(c.nc_netmask, IP4(255, 255, 255, 0));
	cr_assert_str_eq(c.nc_dev, "eth0");
	cr_assert_eq(c.nc_ndns, 2);
	cr_assert_eq(c.nc_dns[0], IP4(10, 9, 0, 1));
	cr_assert_eq(c.nc_dns[1], IP4(8, 8, 8, 8));
}

Test(ipconfig, static_short_forms)
{
	struct net_ipconfig c;

	cr_assert_eq(net_ipconfig_parse("192.168.7.9", &c), 0);
	cr_assert_eq(c.nc_mode, NET_IPCONF_STATIC);
	cr_assert_eq(c.nc_netmask, IP4(255, 255, 255, 0), "class C by default");
	cr_assert_eq(c.nc_gateway, 0);
	cr_assert_eq(c.nc_dev[0], '\0');
	cr_assert_eq(net_ipconfig_parse("10.1.2.3::10.0.0.1", &c), 0);
	cr_assert_eq(c.nc_netmask, IP4(255, 0, 0, 0), "class A by default");
	cr_assert_eq(c.nc_gateway, IP4(10, 0, 0, 1));
	cr_assert_eq(net_ipconfig_parse("172.16.0.5:::255.255.0.0", &c), 0);
	cr_assert_eq(c.nc_netmask, IP4(255, 255, 0, 0));
}

Test(ipconfig, bad_values_fall_back_to_dhcp)
{
	static const char *bad[] = {
		"10.0.0.300",			   /* not an address */
		"10.0.0.2:::255.0.255.0",	   /* a mask with a hole */
		"10.0.0.2:::::eth0:dhcp",	   /* an address and DHCP at once */
		":::::eth0:rarpish",		   /* an unknown autoconf */
		"10.0.0.2:::::averyveryverylongname0", /* device name too long */
		"1:2:3:4:5:6:7:8:9:10",		   /* ten fields */
		"0.0.0.0",			   /* no address */
		"10.0.0.2::::::::x",		   /* a bad name server */
		"maybe",
	};
	struct net_ipconfig c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(net_ipconfig_parse(bad[i], &c), EINVAL, "%s", bad[i]);
		cr_assert_eq(c.nc_mode, NET_IPCONF_DHCP, "%s", bad[i]);
		cr_assert_eq(c.nc_addr, 0, "%s", bad[i]);
	}
}

Test(ipconfig, resolv_conf_text)
{
	const uint32_t dns[2] = { IP4(10, 0, 2, 3), IP4(1, 1, 1, 1) };
	char b[256], tiny[40];
	size_t n;

	cr_assert_eq(net_resolv_conf(b, sizeof(b), dns, 0, "x"), 0, "no servers: no file");
	cr_assert_gt(net_resolv_conf(b, sizeof(b), dns, 2, "example.org"), 0);
	cr_assert(strstr(b, "\nsearch example.org\nnameserver 10.0.2.3\nnameserver 1.1.1.1\n") !=
		  NULL, "%s", b);
	n = net_resolv_conf(b, sizeof(b), dns, 1, NULL);
	cr_assert_eq(n, strlen(b));
	cr_assert(strstr(b, "search") == NULL);
	cr_assert_eq(net_resolv_conf(tiny, sizeof(tiny), dns, 2, "example.org"), 0, "too small");
}
