/*
 * dhcp.h — DHCP messages (RFC 2131 §2-§4, options from RFC 2132): building DISCOVER and
 * REQUEST, parsing OFFER/ACK/NAK. The client's state machine, which needs a thread and a
 * clock, is in net_kern.c; this half is portable and fuzzed.
 */
#ifndef _BSD_NET_DHCP_H_
#define _BSD_NET_DHCP_H_

#include <bsd/net/net.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN	 236 /* BOOTP header up to the options */
#define DHCP_MSG_MAX	 576

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPACK	     5
#define DHCPNAK	     6

#define DHCP_DNS_MAX	3  /* name servers kept from option 6 (resolv.conf reads three) */
#define DHCP_DOMAIN_MAX 64 /* option 15, with its NUL */

struct dhcp_reply {
	uint8_t dr_type;     /* DHCPOFFER, DHCPACK, DHCPNAK */
	uint32_t dr_yiaddr;  /* the address offered */
	uint32_t dr_server;  /* option 54 */
	uint32_t dr_netmask; /* option 1, 0 if absent */
	uint32_t dr_router;  /* option 3 (the first), 0 if absent */
	uint32_t dr_dns[DHCP_DNS_MAX]; /* option 6, the first dr_ndns of them */
	uint8_t dr_ndns;
	uint32_t dr_lease; /* option 51, seconds; 0 if absent */
	/* Option 15, "" if absent or not a plain host name (letters, digits, '-', '.'). */
	char dr_domain[DHCP_DOMAIN_MAX];
};

/*
 * dhcp_build: write a client message of type (DHCPDISCOVER, DHCPREQUEST) with xid and the
 * client's mac into buf (at least DHCP_MSG_MAX bytes). For a REQUEST after an OFFER,
 * requested and server are options 50 and 54 (0: left out). Returns the length.
 */
size_t dhcp_build(uint8_t *buf, uint8_t type, uint32_t xid, const uint8_t *mac,
		  uint32_t requested, uint32_t server);

/*
 * dhcp_parse: check that p[0..len) is a BOOTREPLY for xid and mac, and read its options.
 *   Returns: 0 and *r, or EINVAL (short, not a reply, another transaction, a malformed or
 *            missing option).
 */
int dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t *mac,
	       struct dhcp_reply *r);

#endif /* _BSD_NET_DHCP_H_ */
