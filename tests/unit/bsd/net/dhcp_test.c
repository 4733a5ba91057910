/*
 * dhcp_test.c — unit tests for bsd/net/dhcp.c: the DISCOVER and REQUEST we build (BOOTP
 * fields and options), an OFFER/ACK parsed, and replies refused for another xid or client,
 * a truncated option, a missing message type, or a nonsense address; a domain (option 15)
 * that is not a plain host name left out.
 */
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>

#include <bsd/net/dhcp.h>

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A reply like slirp's: OFFER of 10.0.2.15 with mask, router, DNS, lease, server. */
static size_t
reply(uint8_t *b, uint8_t type, uint32_t xid)
{
	size_t n = DHCP_FIXED_LEN;

	memset(b, 0, DHCP_MSG_MAX);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	net_put32(b + 4, xid);
	net_put32(b + 16, IP4(10, 0, 2, 15));
	memcpy(b + 28, mac, 6);
	net_put32(b + n, 0x63825363u);
	n += 4;
	const uint8_t opts[] = { 53, 1, type, 54, 4, 10, 0, 2, 2, 0, 51, 4, 0, 1, 0x51, 0x80,
				 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2, 6, 8, 10, 0, 2, 3,
				 1, 1, 1, 1, 15, 12, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
				 'o', 'r', 'g', 0, 255 };
	memcpy(b + n, opts, sizeof(opts));
	return n + sizeof(opts);
}

Test(dhcp, discover_and_request_are_well_formed)
{
	uint8_t b[DHCP_MSG_MAX];
	size_t n = dhcp_build(b, DHCPDISCOVER, 0xdeadbeef, mac, 0, 0);

	cr_assert_geq(n, 300);
	cr_assert_eq(b[0], 1);
	cr_assert_eq(net_get32(b + 4), 0xdeadbeef);
	cr_assert_eq(net_get16(b + 10), 0x8000, "broadcast flag");
	cr_assert_arr_eq(b + 28, mac, 6);
	cr_assert_eq(net_get32(b + 236), 0x63825363u);
	cr_assert_eq(b[240], 53);
	cr_assert_eq(b[242], DHCPDISCOVER);
	n = dhcp_build(b, DHCPREQUEST, 1, mac, IP4(10, 0, 2, 15), IP4(10, 0, 2, 2));
	cr_assert_eq(b[242], DHCPREQUEST);
	cr_assert_eq(b[243], 50);
	cr_assert_eq(net_get32(b + 245), IP4(10, 0, 2, 15));
	cr_assert_eq(b[249], 54);
	cr_assert_eq(net_get32(b + 251), IP4(10, 0, 2, 2));
}

Test(dhcp, offer_is_parsed)
{
	uint8_t b[DHCP_MSG_MAX];
	struct dhcp_reply r;

	cr_assert_eq(dhcp_parse(b, reply(b, DHCPOFFER, 42), 42, mac, &r), 0);
	cr_assert_eq(r.dr_type, DHCPOFFER);
	cr_assert_eq(r.dr_yiaddr, IP4(10, 0, 2, 15));
	cr_assert_eq(r.dr_server, IP4(10, 0, 2, 2));
	cr_assert_eq(r.dr_netmask, IP4(255, 255, 255, 0));
	cr_assert_eq(r.dr_router, IP4(10, 0, 2, 2));
	cr_assert_eq(r.dr_ndns, 2);
	cr_assert_eq(r.dr_dns[0], IP4(10, 0, 2, 3));
	cr_assert_eq(r.dr_dns[1], IP4(1, 1, 1, 1));
	cr_assert_str_eq(r.dr_domain, "example.org");
	cr_assert_eq(r.dr_lease, 86400);
}

Test(dhcp, foreign_or_broken_replies_are_refused)
{
	uint8_t b[DHCP_MSG_MAX];
	struct dhcp_reply r;
	size_t n;

	n = reply(b, DHCPACK, 42);
	cr_assert_eq(dhcp_parse(b, n, 43, mac, &r), EINVAL, "another xid");
	b[33] ^= 1;
	cr_assert_eq(dhcp_parse(b, n, 42, mac, &r), EINVAL, "another client");
	n = reply(b, DHCPACK, 42);
	cr_assert_eq(dhcp_parse(b, 252, 42, mac, &r), EINVAL, "an option cut short");
	cr_assert_eq(dhcp_parse(b, 239, 42, mac, &r), EINVAL, "no magic cookie");
	b[242] = 9;
	cr_assert_eq(dhcp_parse(b, n, 42, mac, &r), EINVAL, "unknown message type");
	n = reply(b, DHCPACK, 42);
	b[241] = 2; /* message type with length 2 */
	cr_assert_eq(dhcp_parse(b, n, 42, mac, &r), EINVAL);
	n = reply(b, DHCPACK, 42);
	net_put32(b + 16, 0);
	cr_assert_eq(dhcp_parse(b, n, 42, mac, &r), EINVAL, "no address");
	n = reply(b, DHCPACK, 42);
	b[0] = 1;
	cr_assert_eq(dhcp_parse(b, n, 42, mac, &r), EINVAL, "a request, not a reply");
}

Test(dhcp, odd_domain_is_left_out)
{
	uint8_t b[DHCP_MSG_MAX];
	struct dhcp_reply r;
	size_t n = reply(b, DHCPACK, 7);

	/* "example.org\0" at the end of the options: make it "exa\nple.org". */
	b[n - 11] = '\n';
	cr_assert_eq(dhcp_parse(b, n, 7, mac, &r), 0);
	cr_assert_str_eq(r.dr_domain, "");
}
