/*
 * arp.c — the Address Resolution Protocol for IPv4 over Ethernet (RFC 826; gratuitous ARP
 * per RFC 5227 §3): a small per-interface cache with timeouts, requests, replies, and one
 * held packet per unresolved address.
 *
 * The one idea: RFC 826's merge rule. A packet updates the entry of its sender if we have
 * one; only a packet aimed at our address creates an entry. So a flood of other hosts'
 * broadcasts cannot fill the cache, and the cache is a fixed array (ARP_CACHE_SIZE): when
 * full, the entry closest to expiry is reused.
 *
 * XXX: requests are repeated only when another packet wants the address (no timer of our
 * own); fine for ping and UDP, to revisit with TCP.
 */
#include <bsd/net/net.h>
#include <console.h>
#include <mach/kern/kalloc.h>

#define ARP_PKT_LEN 28
#define ARPOP_REQUEST 1
#define ARPOP_REPLY   2

static struct arp_entry *
arp_find(struct ifnet *ifp, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (ifp->if_arp[i].ae_ip == ip)
			return &ifp->if_arp[i];
	return NULL;
}

static void
arp_drop_hold(struct arp_entry *ae)
{
	if (ae->ae_hold != NULL)
		kfree(ae->ae_hold, ae->ae_hold_len);
	ae->ae_hold = NULL;
	ae->ae_hold_len = 0;
}

/* A slot for ip: a free one, else the one that expires first (its held packet dropped). */
static struct arp_entry *
arp_alloc(struct ifnet *ifp, uint32_t ip)
{
	struct arp_entry *victim = NULL;

	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		struct arp_entry *ae = &ifp->if_arp[i];

		if (ae->ae_ip == 0) {
			victim = ae;
			break;
		}
		if (victim == NULL || ae->ae_expire < victim->ae_expire)
			victim = ae;
	}
	arp_drop_hold(victim);
	memset(victim, 0, sizeof(*victim));
	victim->ae_ip = ip;
	return victim;
}

static int
arp_send(struct ifnet *ifp, uint16_t op, const uint8_t *dst_mac, const uint8_t *tha,
	 uint32_t tpa, uint32_t spa)
{
	uint8_t p[ARP_PKT_LEN];

	net_put16(p, 1);	    /* Ethernet */
	net_put16(p + 2, ETHERTYPE_IP);
	p[4] = ETHER_ADDR_LEN;
	p[5] = 4;
	net_put16(p + 6, op);
	memcpy(p + 8, ifp->if_mac, ETHER_ADDR_LEN);
	net_put32(p + 14, spa);
	memcpy(p + 18, tha, ETHER_ADDR_LEN);
	net_put32(p + 24, tpa);
	return ether_output(ifp, dst_mac, ETHERTYPE_ARP, p, sizeof(p));
}

int
arp_request(struct ifnet *ifp, uint32_t ip)
{
	static const uint8_t zero[ETHER_ADDR_LEN];

	ifp->if_stats.arp_req_out++;
	return arp_send(ifp, ARPOP_REQUEST, ether_broadcast, zero, ip, ifp->if_addr);
}

int
arp_gratuitous(struct ifnet *ifp)
{
	if (ifp->if_addr == 0)
		return EINVAL;
	return arp_request(ifp, ifp->if_addr);
}

bool
arp_lookup(struct ifnet *ifp, uint32_t ip, uint8_t *mac)
{
	struct arp_entry *ae = arp_find(ifp, ip);

	if (ae == NULL || !ae->ae_valid || net_now_ns() >= ae->ae_expire)
		return false;
	memcpy(mac, ae->ae_mac, ETHER_ADDR_LEN);
	return true;
}

/* Record ip → mac; send a packet that waited for it. */
static void
arp_update(struct ifnet *ifp, struct arp_entry *ae, const uint8_t *mac)
{
	memcpy(ae->ae_mac, mac, ETHER_ADDR_LEN);
	ae->ae_valid = true;
	ae->ae_tries = 0;
	ae->ae_expire = net_now_ns() + ARP_TIMEOUT_NS;
	if (ae->ae_hold != NULL) {
		void *pkt = ae->ae_hold;
		size_t len = ae->ae_hold_len;

		ae->ae_hold = NULL;
		ae->ae_hold_len = 0;
		ip_send_resolved(ifp, ae->ae_mac, pkt, len);
		kfree(pkt, len);
	}
}

void
arp_input(struct ifnet *ifp, const uint8_t *p, size_t len)
{
	uint32_t spa, tpa;
	const uint8_t *sha;
	struct arp_entry *ae;
	char b1[16], b2[18];
	uint16_t op;

	ifp->if_stats.arp_in++;
	if (len < ARP_PKT_LEN || net_get16(p) != 1 || net_get16(p + 2) != ETHERTYPE_IP ||
	    p[4] != ETHER_ADDR_LEN || p[5] != 4) {
		ifp->if_stats.arp_bad++;
		return;
	}
	op = net_get16(p + 6);
	sha = p + 8;
	spa = net_get32(p + 14);
	tpa = net_get32(p + 24);
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY) {
		ifp->if_stats.arp_bad++;
		return;
	}
	if ((sha[0] & 1) != 0 || memcmp(sha, ifp->if_mac, ETHER_ADDR_LEN) == 0) {
		ifp->if_stats.arp_bad++; /* a multicast sender, or our own packet echoed */
		return;
	}
	if (spa != 0 && spa == ifp->if_addr) {
		klog(LOG_WARNING, "arp: %s: %s claims our address %s\n", ifp->if_name,
		     if_mac_str(sha, b2), if_ip_str(spa, b1));
		return;
	}
	if (spa == 0) /* a probe (RFC 5227): nothing to learn */
		goto reply;
	ae = arp_find(ifp, spa);
	if (ae == NULL && ifp->if_addr != 0 && tpa == ifp->if_addr)
		ae = arp_alloc(ifp, spa);
	if (ae != NULL)
		arp_update(ifp, ae, sha);
reply:
	if (op == ARPOP_REQUEST && ifp->if_addr != 0 && tpa == ifp->if_addr) {
		ifp->if_stats.arp_reply_out++;
		arp_send(ifp, ARPOP_REPLY, sha, sha, spa, ifp->if_addr);
	}
}

int
arp_resolve(struct ifnet *ifp, uint32_t ip, uint8_t *mac, const void *pkt, size_t len)
{
	struct arp_entry *ae = arp_find(ifp, ip);
	uint64_t now = net_now_ns();
	void *copy;

	if (ae != NULL && ae->ae_valid && now < ae->ae_expire) {
		memcpy(mac, ae->ae_mac, ETHER_ADDR_LEN);
		return 0;
	}
	if (ae == NULL)
		ae = arp_alloc(ifp, ip);
	else if (ae->ae_valid) { /* expired: resolve afresh */
		ae->ae_valid = false;
		ae->ae_tries = 0;
		ae->ae_expire = 0;
	}
	if (ae->ae_tries > ARP_MAX_TRIES) { /* held down */
		if (now < ae->ae_expire)
			return EHOSTUNREACH;
		ae->ae_tries = 0; /* the hold-down passed: try again */
		ae->ae_expire = 0;
	} else if (ae->ae_tries == ARP_MAX_TRIES && now >= ae->ae_expire) {
		/* The last request went unanswered: give up for a while. */
		ae->ae_tries++;
		ae->ae_expire = now + ARP_HOLDDOWN_NS;
		arp_drop_hold(ae);
		return EHOSTUNREACH;
	}
	copy = pkt != NULL && len != 0 ? kalloc(len) : NULL;
	if (copy != NULL) {
		arp_drop_hold(ae);
		memcpy(copy, pkt, len);
		ae->ae_hold = copy;
		ae->ae_hold_len = len;
	}
	if (now >= ae->ae_expire) {
		ae->ae_tries++;
		ae->ae_expire = now + ARP_RETRY_NS;
		arp_request(ifp, ip);
	}
	return EAGAIN;
}

void
arp_flush(struct ifnet *ifp)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		arp_drop_hold(&ifp->if_arp[i]);
		memset(&ifp->if_arp[i], 0, sizeof(ifp->if_arp[i]));
	}
}
