/*
 * net_kern.h — the kernel side of bsd/net/: the network lock, the door drivers use
 * (net_if_attach/detach/input), the DHCP client thread, and small blocking helpers that the
 * ktests and the debug shell use (ping, a UDP endpoint). Not portable: threads and clocks.
 */
#ifndef _BSD_NET_NET_KERN_H_
#define _BSD_NET_NET_KERN_H_

#include <bsd/net/net.h>
#include <mach/kern/locks.h>

/* The network lock: every bsd/net/ protocol function runs under it. A sleeping mutex. */
void net_lock(void);
void net_unlock(void);

/*
 * net_if_attach: attach a driver's interface (if_attach) and, for the first one, start the
 * DHCP client thread unless `net.dhcp=0` is on the command line. Thread context.
 * net_if_detach: the reverse; the interface is no longer used when it returns.
 * net_if_input: hand one received frame to the stack (takes the network lock). Thread context.
 * csum_valid: the device (or the driver) checked the frame's TCP/UDP checksum; the stack does
 * not sum it again (ifnet's if_rx_csum_valid).
 */
void net_if_attach(struct ifnet *ifp);
void net_if_detach(struct ifnet *ifp);
void net_if_input(struct ifnet *ifp, const void *frame, size_t len, bool csum_valid);
/*
 * net_resolv_root_ready: the root file system is mounted (or will not be): write the
 * /etc/resolv.conf that DHCP or ip= left pending, before init starts. Main thread, once.
 */
void net_resolv_root_ready(void);
/* net_if_tx_ready: ifp's driver has transmit room again. Any context (an interrupt). */
void net_if_tx_ready(struct ifnet *ifp);

/*
 * net_wait_configured: wait until ifp has an IPv4 address or timeout_ns passes.
 *   Returns: true when configured.
 */
bool net_wait_configured(struct ifnet *ifp, uint64_t timeout_ns);

/*
 * net_ping: send one ICMP echo request (id, seq, 56 bytes) to dst and wait up to timeout_ns for
 * its reply. Returns 0 and the round trip in *rtt_ns, ETIMEDOUT, or ip_output()'s errno.
 */
int net_ping(struct ifnet *ifp, uint32_t dst, uint16_t id, uint16_t seq, uint64_t timeout_ns,
	     uint64_t *rtt_ns);

/* A bound UDP port with a short queue of received datagrams (the precursor of sockets). */
#define NET_UDP_QLEN 4
struct net_udp_dgram {
	uint32_t nd_src;
	uint16_t nd_sport;
	uint16_t nd_len;
	uint8_t nd_data[ETHER_MAX_LEN];
};
struct net_udp {
	uint16_t nu_port;
	lck_spin_t nu_lock;
	unsigned nu_head, nu_count;
	uint64_t nu_drops;
	struct net_udp_dgram nu_q[NET_UDP_QLEN];
};
/* net_udp_open: bind u (caller's memory) to port. Returns udp_bind()'s codes. */
int net_udp_open(struct net_udp *u, uint16_t port);
void net_udp_close(struct net_udp *u);
/*
 * net_udp_recv: wait up to timeout_ns for a datagram; copy at most cap bytes to buf.
 *   Returns: the datagram's length (≥ 0; truncated to cap in buf), or -ETIMEDOUT.
 */
int net_udp_recv(struct net_udp *u, void *buf, size_t cap, uint32_t *src, uint16_t *sport,
		 uint64_t timeout_ns);
/* net_udp_send: udp_output() under the network lock, from u's port; ENXIO when ifp has been
 * detached. */
int net_udp_send(struct net_udp *u, struct ifnet *ifp, uint32_t dst, uint16_t dport,
		 const void *data, size_t len);

/* Print one interface, as the shell's ifconfig does. */
void net_if_print(struct ifnet *ifp);
/* The debug shell's commands: `ifconfig [NAME]` and `ping ADDR [COUNT]`. Thread context. */
void net_shell_ifconfig(int argc, char **argv);
void net_shell_ping(int argc, char **argv);

#endif /* _BSD_NET_NET_KERN_H_ */
