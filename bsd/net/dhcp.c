/*
 * dhcp.c — DHCP client messages (RFC 2131 §2 message format, §4.4 client behaviour; RFC 2132
 * options): what the client sends, and a parser for what servers answer.
 *
 * The one idea: options are a type-length-value walk over bytes a server wrote; every length
 * is checked against what remains before anything is read, and a reply must echo our xid and
 * hardware address before it is believed.
 */
#include <bsd/net/dhcp.h>

#define BOOTREQUEST 1
#define BOOTREPLY   2
#define DHCP_MAGIC  0x63825363u

#define OPT_PAD	     0
#define OPT_NETMASK  1
#define OPT_ROUTER   3
#define OPT_DNS	     6
#define OPT_DOMAIN   15
#define OPT_REQIP    50
#define OPT_LEASE    51
#define OPT_OVERLOAD 52
#define OPT_MSGTYPE  53
#define OPT_SERVER   54
#define OPT_PARAMS   55
#define OPT_END	     255

/*
 * Option 15 goes into resolv.conf as text: keep it only when it is a plain host name (some
 * servers end it with NULs, which are dropped); anything else is left out, not an error.
 */
static void
dhcp_domain(const uint8_t *v, uint8_t len, char *out)
{
	size_t i;

	while (len > 0 && v[len - 1] == 0)
		len--;
	out[0] = '\0';
	if (len == 0 || len >= DHCP_DOMAIN_MAX)
		return;
	for (i = 0; i < len; i++) {
		uint8_t c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return;
	}
	memcpy(out, v, len);
	out[len] = '\0';
}

size_t
dhcp_build(uint8_t *b, uint8_t type, uint32_t xid, const uint8_t *mac, uint32_t requested,
	   uint32_t server)
{
	size_t n = DHCP_FIXED_LEN;

	memset(b, 0, DHCP_MSG_MAX);
	b[0] = BOOTREQUEST;
	b[1] = 1; /* Ethernet */
	b[2] = ETHER_ADDR_LEN;
	net_put32(b + 4, xid);
	net_put16(b + 10, 0x8000); /* broadcast: we cannot take unicast before configuring */
	memcpy(b + 28, mac, ETHER_ADDR_LEN);
	net_put32(b + n, DHCP_MAGIC);
	n += 4;
	b[n++] = OPT_MSGTYPE;
	b[n++] = 1;
	b[n++] = type;
	if (requested != 0) {
		b[n++] = OPT_REQIP;
		b[n++] = 4;
		net_put32(b + n, requested);
		n += 4;
	}
	if (server != 0) {
		b[n++] = OPT_SERVER;
		b[n++] = 4;
		net_put32(b + n, server);
		n += 4;
	}
	b[n++] = OPT_PARAMS;
	b[n++] = 4;
	b[n++] = OPT_NETMASK;
	b[n++] = OPT_ROUTER;
	b[n++] = OPT_DNS;
	b[n++] = OPT_DOMAIN;
	b[n++] = OPT_END;
	return n < 300 ? 300 : n; /* BOOTP's minimum size; some relays insist */
}

int
dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t *mac, struct dhcp_reply *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (len < DHCP_FIXED_LEN + 4 || p[0] != BOOTREPLY || p[1] != 1 ||
	    p[2] != ETHER_ADDR_LEN || net_get32(p + 4) != xid ||
	    memcmp(p + 28, mac, ETHER_ADDR_LEN) != 0 ||
	    net_get32(p + DHCP_FIXED_LEN) != DHCP_MAGIC)
		return EINVAL;
	r->dr_yiaddr = net_get32(p + 16);
	i = DHCP_FIXED_LEN + 4;
	while (i < len) {
		uint8_t code = p[i], olen;
		const uint8_t *v;

		if (code == OPT_END)
			break;
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2 > len)
			return EINVAL;
		olen = p[i + 1];
		if (i + 2 + olen > len)
			return EINVAL;
		v = p + i + 2;
		switch (code) {
		case OPT_MSGTYPE:
			if (olen != 1)
				return EINVAL;
			r->dr_type = v[0];
			break;
		case OPT_NETMASK:
		case OPT_SERVER:
		case OPT_LEASE:
			if (olen != 4)
				return EINVAL;
			if (code == OPT_NETMASK)
				r->dr_netmask = net_get32(v);
			else if (code == OPT_SERVER)
				r->dr_server = net_get32(v);
			else
				r->dr_lease = net_get32(v);
			break;
		case OPT_ROUTER:
		case OPT_DNS:
			if (olen < 4 || olen % 4 != 0)
				return EINVAL;
			if (code == OPT_ROUTER) {
				r->dr_router = net_get32(v);
				break;
			}
			for (r->dr_ndns = 0; r->dr_ndns < DHCP_DNS_MAX && 4u * r->dr_ndns < olen;
			     r->dr_ndns++)
				r->dr_dns[r->dr_ndns] = net_get32(v + 4u * r->dr_ndns);
			break;
		case OPT_DOMAIN:
			dhcp_domain(v, olen, r->dr_domain);
			break;
		case OPT_OVERLOAD: /* XXX: options in sname/file are not read */
		default:
			break;
		}
		i += 2u + olen;
	}
	if (r->dr_type != DHCPOFFER && r->dr_type != DHCPACK && r->dr_type != DHCPNAK)
		return EINVAL;
	if (r->dr_type != DHCPNAK && (r->dr_yiaddr == 0 || r->dr_yiaddr == IP_BROADCAST))
		return EINVAL;
	return 0;
}
