/*
 * if.c — the interface list and the Ethernet layer (IEEE 802.3 framing, Ethernet II types):
 * if_attach()/if_find(), the input demultiplexer if_input() and ether_output().
 *
 * The one idea: if_input() is the single door for received bytes. It checks the frame's
 * length and destination before anything above sees it, counts what it drops, and passes
 * only the payload and its length down to ARP or IPv4.
 */
#include <bsd/net/net.h>
#include <console.h>

static struct ifnet *if_list;
const uint8_t ether_broadcast[ETHER_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void
if_attach(struct ifnet *ifp)
{
	struct ifnet **pp = &if_list;

	while (*pp != NULL)
		pp = &(*pp)->if_next;
	ifp->if_next = NULL;
	if (ifp->if_mtu == 0 || ifp->if_mtu > IF_MTU_DEFAULT)
		ifp->if_mtu = IF_MTU_DEFAULT;
	*pp = ifp;
}

void
if_detach(struct ifnet *ifp)
{
	for (struct ifnet **pp = &if_list; *pp != NULL; pp = &(*pp)->if_next) {
		if (*pp == ifp) {
			*pp = ifp->if_next;
			break;
		}
	}
	arp_flush(ifp);
	ip_reass_flush(ifp);
}

struct ifnet *
if_find(const char *name)
{
	for (struct ifnet *ifp = if_list; ifp != NULL; ifp = ifp->if_next)
		if (name == NULL || strcmp(ifp->if_name, name) == 0)
			return ifp;
	return NULL;
}

bool
if_attached(const struct ifnet *ifp)
{
	for (struct ifnet *i = if_list; i != NULL; i = i->if_next)
		if (i == ifp)
			return true;
	return false;
}

struct ifnet *
if_first(void)
{
	for (struct ifnet *ifp = if_list; ifp != NULL; ifp = ifp->if_next)
		if (!(ifp->if_flags & IFF_LOOPBACK))
			return ifp;
	return NULL;
}

struct ifnet *
if_all(void)
{
	return if_list;
}

void
if_input(struct ifnet *ifp, const void *frame, size_t len)
{
	const uint8_t *f = frame;
	bool bcast;
	uint16_t type;

	ifp->if_stats.ipackets++;
	ifp->if_stats.ibytes += len;
	if (len < ETHER_HDR_LEN || len > ETHER_MAX_LEN + 4 /* an 802.1Q tag */) {
		ifp->if_stats.ierrors++;
		return;
	}
	bcast = memcmp(f, ether_broadcast, ETHER_ADDR_LEN) == 0;
	if (!bcast && memcmp(f, ifp->if_mac, ETHER_ADDR_LEN) != 0) {
		ifp->if_stats.iqdrops++; /* multicast, or another host's: not ours */
		return;
	}
	type = net_get16(f + 12);
	switch (type) {
	case ETHERTYPE_ARP:
		arp_input(ifp, f + ETHER_HDR_LEN, len - ETHER_HDR_LEN);
		break;
	case ETHERTYPE_IP:
		ip_input(ifp, f + ETHER_HDR_LEN, len - ETHER_HDR_LEN, bcast);
		break;
	default:
		ifp->if_stats.iqdrops++; /* IPv6, VLAN-tagged, LLDP, ...: not spoken */
		break;
	}
}

int
ether_output(struct ifnet *ifp, const uint8_t *dst, uint16_t ethertype, const void *payload,
	     size_t len)
{
	uint8_t frame[ETHER_MAX_LEN];
	size_t flen = ETHER_HDR_LEN + len;
	int err;

	if (len > ifp->if_mtu || flen > sizeof(frame)) {
		ifp->if_stats.oerrors++;
		return EMSGSIZE;
	}
	memcpy(frame, dst, ETHER_ADDR_LEN);
	memcpy(frame + 6, ifp->if_mac, ETHER_ADDR_LEN);
	net_put16(frame + 12, ethertype);
	memcpy(frame + ETHER_HDR_LEN, payload, len);
	if (flen < ETHER_MIN_LEN) { /* pad runts: some peers drop them */
		memset(frame + flen, 0, ETHER_MIN_LEN - flen);
		flen = ETHER_MIN_LEN;
	}
	err = ifp->if_output(ifp, frame, flen);
	if (err != 0) {
		ifp->if_stats.oerrors++;
		return err;
	}
	ifp->if_stats.opackets++;
	ifp->if_stats.obytes += flen;
	return 0;
}

const char *
if_mac_str(const uint8_t *mac, char *buf)
{
	ksnprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		  mac[4], mac[5]);
	return buf;
}

const char *
if_ip_str(uint32_t ip, char *buf)
{
	ksnprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		  ip & 0xff);
	return buf;
}

bool
if_parse_ip(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (int part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || n > 255)
			return false;
		v = (v << 8) | n;
		if (part < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*ip = v;
	return true;
}
