/*
 * ipconfig.h — the boot-time address configuration of an interface: the `ip=` kernel argument
 * (Linux Documentation/admin-guide/nfs/nfsroot.rst, "ip="), and the /etc/resolv.conf text
 * (resolv.conf(5)) that tells user programs the name servers DHCP or `ip=` gave. Both halves
 * are portable (no VFS, no threads) so they are unit-tested; net_kern.c applies them.
 */
#ifndef _BSD_NET_IPCONFIG_H_
#define _BSD_NET_IPCONFIG_H_

#include <bsd/net/net.h>

#define NET_IPCONF_DNS_MAX 3

enum net_ipconf_mode {
	NET_IPCONF_DHCP,   /* no ip=, or ip=dhcp/on/any/both: the kernel's DHCP client */
	NET_IPCONF_STATIC, /* ip=ADDR:...: the address, mask, gateway and servers below */
	NET_IPCONF_OFF,	   /* ip=off/none, ip=:::::DEV:off: the interface stays unconfigured */
};

struct net_ipconfig {
	enum net_ipconf_mode nc_mode;
	uint32_t nc_addr, nc_netmask, nc_gateway;
	uint32_t nc_dns[NET_IPCONF_DNS_MAX];
	unsigned nc_ndns;
	char nc_dev[IFNAMSIZ]; /* "" when any (the first) interface */
};

/*
 * net_ipconfig_parse: read an ip= value (NULL: none given) into *c. The static form is
 *	CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1
 * with trailing fields optional; SERVER and HOSTNAME are ignored; an empty NETMASK is the
 * address's class mask, as in Linux; AUTOCONF dhcp/on/any/both with no CLIENT asks for DHCP.
 *   Returns: 0 and *c; EINVAL (a malformed address, a device name too long, an unknown
 *            AUTOCONF, a static form without a client address) — *c is then DHCP.
 */
int net_ipconfig_parse(const char *s, struct net_ipconfig *c);

/* net_class_mask: the mask of a's address class (RFC 791), for an address given without one. */
uint32_t net_class_mask(uint32_t a);

/*
 * net_resolv_conf: write /etc/resolv.conf's text for ndns servers and a search domain (NULL
 * or "": none) into buf (cap bytes, NUL-terminated). Returns the length, or 0 when it did not
 * fit or there is nothing to say (no server).
 */
size_t net_resolv_conf(char *buf, size_t cap, const uint32_t *dns, unsigned ndns,
		       const char *domain);

#endif /* _BSD_NET_IPCONFIG_H_ */
