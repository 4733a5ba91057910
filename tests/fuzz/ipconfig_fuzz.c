/*
 * ipconfig_fuzz.c — libFuzzer harness for bsd/net/ipconfig.c: the `ip=` value comes from
 * whoever launched the VM, so any text must parse without a fault into a consistent answer —
 * 0 with a static, DHCP or off configuration (static: a client address and a contiguous mask),
 * or EINVAL with the configuration left at DHCP — and the name servers, given or from DHCP,
 * must render into a resolv.conf that fits its buffer and says each server once.
 */
// fuzz-deps: bsd/net/ipconfig.c bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/net/ipconfig.h>

#include "../unit/bsd/net/net_harness.h" /* net_now_ns for the interface code it links */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), conf[160];
	struct net_ipconfig c;
	size_t n;
	int err;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err = net_ipconfig_parse(s, &c);
	if (err != 0 && (err != EINVAL || c.nc_mode != NET_IPCONF_DHCP))
		abort();
	if (c.nc_ndns > NET_IPCONF_DNS_MAX || memchr(c.nc_dev, '\0', sizeof(c.nc_dev)) == NULL)
		abort();
	if (err == 0 && c.nc_mode == NET_IPCONF_STATIC) {
		uint32_t inv = ~c.nc_netmask;

		if (c.nc_addr == 0 || (inv & (inv + 1)) != 0) /* mask: ones, then zeros */
			abort();
	}
	n = net_resolv_conf(conf, sizeof(conf), c.nc_dns, c.nc_ndns, c.nc_dev);
	if (n >= sizeof(conf) || (n != 0 && strlen(conf) != n))
		abort();
	free(s);
	return 0;
}
