/*
 * ipconfig.c — parsing `ip=` (the Linux nfsroot.rst form, so a command line written for Linux
 * configures Nimbus the same way) and formatting /etc/resolv.conf (resolv.conf(5)).
 *
 * The one idea: the command line is split on ':' into at most nine fields, each copied into a
 * bounded buffer before it is read; an empty field means "not given", never zero.
 */
#include <bsd/net/ipconfig.h>

#define IPCONF_FIELDS 9
#define IPCONF_FIELD_MAX 32

static bool
ipconf_is(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static const char *const ipconf_dhcp_words[] = { "dhcp", "on", "any", "both", "bootp", NULL };
static const char *const ipconf_off_words[] = { "off", "none", NULL };

uint32_t
net_class_mask(uint32_t a)
{
	if ((a >> 31) == 0)
		return 0xff000000u;
	if ((a >> 30) == 2)
		return 0xffff0000u;
	return 0xffffff00u;
}

int
net_ipconfig_parse(const char *s, struct net_ipconfig *c)
{
	char f[IPCONF_FIELDS][IPCONF_FIELD_MAX];
	unsigned n = 0;
	size_t len = 0;

	memset(c, 0, sizeof(*c));
	c->nc_mode = NET_IPCONF_DHCP;
	if (s == NULL || ipconf_is(s, ipconf_dhcp_words))
		return 0;
	if (ipconf_is(s, ipconf_off_words)) {
		c->nc_mode = NET_IPCONF_OFF;
		return 0;
	}
	memset(f, 0, sizeof(f));
	for (; *s != '\0'; s++) {
		if (*s == ':') {
			if (++n == IPCONF_FIELDS)
				return EINVAL;
			len = 0;
		} else if (len + 1 < IPCONF_FIELD_MAX) {
			f[n][len++] = *s;
		} else {
			return EINVAL;
		}
	}
	if (strlen(f[5]) >= IFNAMSIZ)
		return EINVAL;
	memcpy(c->nc_dev, f[5], strlen(f[5]) + 1);
	if (f[0][0] == '\0') {
		if (f[6][0] == '\0' || ipconf_is(f[6], ipconf_dhcp_words))
			return 0;
		if (ipconf_is(f[6], ipconf_off_words)) {
			c->nc_mode = NET_IPCONF_OFF;
			return 0;
		}
		goto bad;
	}
	if (f[6][0] != '\0' && !ipconf_is(f[6], ipconf_off_words) && strcmp(f[6], "static") != 0)
		goto bad; /* an address and an autoconfiguration at once: Linux's DHCP-then-check */
	if (!if_parse_ip(f[0], &c->nc_addr) || c->nc_addr == 0 || c->nc_addr == IP_BROADCAST)
		goto bad;
	if (f[2][0] != '\0' && !if_parse_ip(f[2], &c->nc_gateway))
		goto bad;
	if (f[3][0] == '\0')
		c->nc_netmask = net_class_mask(c->nc_addr);
	else if (!if_parse_ip(f[3], &c->nc_netmask) ||
		 (c->nc_netmask != 0 && (~c->nc_netmask & (~c->nc_netmask + 1)) != 0))
		goto bad; /* not a contiguous mask */
	for (unsigned i = 7; i < IPCONF_FIELDS; i++) {
		if (f[i][0] == '\0')
			continue;
		if (!if_parse_ip(f[i], &c->nc_dns[c->nc_ndns]))
			goto bad;
		c->nc_ndns++;
	}
	c->nc_mode = NET_IPCONF_STATIC;
	return 0;
bad:
	memset(c, 0, sizeof(*c));
	c->nc_mode = NET_IPCONF_DHCP;
	return EINVAL;
}

size_t
net_resolv_conf(char *buf, size_t cap, const uint32_t *dns, unsigned ndns, const char *domain)
{
	char a[16];
	size_t n = 0;
	int w;

	if (ndns == 0 || cap == 0)
		return 0;
	buf[0] = '\0';
	w = ksnprintf(buf, cap, "# written by the Nimbus kernel from its network configuration\n");
	if (w < 0 || (size_t)w >= cap)
		return 0;
	n = (size_t)w;
	if (domain != NULL && domain[0] != '\0') {
		w = ksnprintf(buf + n, cap - n, "search %s\n", domain);
		if (w < 0 || (size_t)w >= cap - n)
			return 0;
		n += (size_t)w;
	}
	for (unsigned i = 0; i < ndns; i++) {
		w = ksnprintf(buf + n, cap - n, "nameserver %s\n", if_ip_str(dns[i], a));
		if (w < 0 || (size_t)w >= cap - n)
			return 0;
		n += (size_t)w;
	}
	return n;
}
