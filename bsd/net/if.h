/*
 * if.h — network interfaces (BSD net/if.h, reduced): struct ifnet, which a link driver fills
 * and attaches, and which the protocol code in bsd/net/ sends through and receives from.
 *
 * The one idea: a driver knows nothing of protocols. It gives the interface a name, a MAC, an
 * MTU and an output function that queues one Ethernet frame; it hands every received frame to
 * if_input(). Everything above (ARP, IPv4, ...) is portable code in bsd/net/ that runs, in the
 * kernel, under one network lock (net_lock(), bsd/net/net_kern.c) and, on the host, in tests.
 */
#ifndef _BSD_NET_IF_H_
#define _BSD_NET_IF_H_

#include <libkern/libkern.h>

#define IFNAMSIZ      16
#define ETHER_ADDR_LEN 6
#define ETHER_HDR_LEN  14
#define ETHER_MAX_LEN  1514 /* header and 1500 bytes of payload, no FCS */
#define ETHER_MIN_LEN  60
#define IF_MTU_DEFAULT 1500
#define ARP_CACHE_SIZE 16

struct ifnet;
/* Queue one Ethernet frame (header included) for transmission. 0 or an errno (ENOBUFS, EIO). */
typedef int (*if_output_fn)(struct ifnet *ifp, const void *frame, size_t len);

struct arp_entry {
	uint32_t ae_ip;		/* host order; 0: free slot */
	uint8_t ae_mac[ETHER_ADDR_LEN];
	bool ae_valid;		/* ae_mac is known */
	uint8_t ae_tries;	/* requests sent while unresolved */
	uint64_t ae_expire;	/* ns: entry valid until / next request due */
	void *ae_hold;		/* one IPv4 packet waiting for resolution (kalloc'd) */
	size_t ae_hold_len;
};

#define IFF_LOOPBACK 0x1 /* lo0: output turns around to input (if_loop.c) */

/*
 * if_hwassist: what the device finishes on output. IF_HWCSUM_TCP: the stack leaves a TCP
 * segment's checksum field holding only the pseudo-header sum (not complemented, as RFC 1071
 * incremental sums go) and the driver has the device sum the segment from the TCP header on.
 */
#define IF_HWCSUM_TCP 0x1

struct if_stats {
	uint64_t ipackets, ibytes, ierrors, iqdrops;
	uint64_t opackets, obytes, oerrors;
	/* protocol counters */
	uint64_t ip_badhdr, ip_badsum, ip_badlen, ip_frags, ip_notours, ip_noproto;
	uint64_t ip_reassembled, ip_frag_dropped, ip_frag_timeout;
	uint64_t icmp_err_out, icmp_unreach_in;
	uint64_t arp_in, arp_req_out, arp_reply_out, arp_bad;
	uint64_t icmp_in, icmp_echo_replied, icmp_bad;
	uint64_t udp_in, udp_badsum, udp_badlen, udp_noport;
	uint64_t tx_csum_hw, rx_csum_hw; /* checksums the device did or vouched for */
};

struct ifnet {
	char if_name[IFNAMSIZ];
	uint8_t if_mac[ETHER_ADDR_LEN];
	uint16_t if_mtu;
	bool if_link_up;
	uint32_t if_flags; /* IFF_* */
	/* IPv4 configuration, host byte order; 0 while unconfigured. */
	uint32_t if_addr, if_netmask, if_gateway, if_dns;
	if_output_fn if_output;
	void *if_softc;
	uint32_t if_hwassist; /* IF_HWCSUM_* */
	/*
	 * True only while if_input() handles a frame whose TCP or UDP checksum the device (or
	 * its driver) has checked; ip_input() clears it for fragments. Network lock held.
	 */
	bool if_rx_csum_valid;
	struct if_stats if_stats;
	struct arp_entry if_arp[ARP_CACHE_SIZE];
	struct ifnet *if_next;
};

/*
 * if_attach: make ifp known (if_find(), the shell's ifconfig). The driver has set name, MAC,
 * MTU and output. In the kernel this also starts DHCP on the first interface (net_kern.c).
 *   Locks: takes the network lock in the kernel.
 */
void if_attach(struct ifnet *ifp);
/* if_detach: forget ifp. After it returns no protocol code uses ifp. */
void if_detach(struct ifnet *ifp);
/* The interface named name, the first one (name NULL), or NULL. Network lock held or not. */
struct ifnet *if_find(const char *name);
/* if_first: the first interface that is not a loopback (a driver's), or NULL. */
struct ifnet *if_first(void);
/* if_all: the head of the whole list (lo0 included), for walks along if_next. */
struct ifnet *if_all(void);
/* Whether ifp is attached (not detached since). Network lock held. */
bool if_attached(const struct ifnet *ifp);

/*
 * if_input: one received Ethernet frame (no virtio header, no FCS) from ifp's driver. The
 * bytes are the device's: everything is validated. The frame is not kept after the call.
 *   Locks: network lock held (net_kern.c's net_if_input() takes it for drivers).
 */
void if_input(struct ifnet *ifp, const void *frame, size_t len);

/* ---- the loopback interface (if_loop.c) ---- */
#define IF_LOOP_QMAX 256 /* packets queued on lo0 before output says ENOBUFS */
extern struct ifnet if_loop;
/* if_loop_attach: configure and attach lo0 (127.0.0.1/8). Once; network lock held. */
void if_loop_attach(void);
/*
 * if_loop_output: queue a copy of the IPv4 packet pkt on lo0. Returns 0 or ENOBUFS (queue
 * full, or no memory). The packet is delivered by if_loop_drain(), never from inside the
 * sender's call, so protocol code is not re-entered.
 */
int if_loop_output(struct ifnet *ifp, const void *pkt, size_t len);
/* if_loop_drain: deliver every queued loopback packet (and those they cause). Network lock
 * held; the kernel calls it on every net_unlock(). Returns the number delivered. */
unsigned if_loop_drain(void);

/* Format helpers: "52:54:00:12:34:56" and "10.0.2.15" into buf (18 and 16 bytes). */
const char *if_mac_str(const uint8_t *mac, char *buf);
const char *if_ip_str(uint32_t ip, char *buf);
/* if_parse_ip: a dotted quad ("10.0.2.2", each part 0..255, nothing after) into *ip. */
bool if_parse_ip(const char *s, uint32_t *ip);

#endif /* _BSD_NET_IF_H_ */
