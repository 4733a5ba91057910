/*
 * net_kern.c — the kernel glue of the network stack: the network lock, the driver door
 * (attach, detach, input), the DHCP client (RFC 2131 §4.4: DISCOVER, OFFER, REQUEST, ACK,
 * with retransmission backing off 1, 2, 4 ... 16 s) or the static `ip=` configuration, the
 * /etc/resolv.conf that either leaves for user programs, and blocking helpers for ping and UDP.
 *
 * The one idea: protocol code (the other files in bsd/net/) is single-threaded under one
 * sleeping mutex and never sleeps; threads that wait for the network (DHCP, ping, ktests) sleep on their own
 * event, which the protocol callbacks wake, never holding the network lock while asleep.
 */
#include <bsd/net/dhcp.h>
#include <bsd/net/ipconfig.h>
#include <bsd/net/net_kern.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/net/tcp.h>
#include <cmdline.h>
#include <console.h>
#include <debugshell.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

static lck_mtx_t net_mtx;
static lck_mtx_t net_resolv_mtx; /* /etc/resolv.conf's writer (below) */
static bool net_inited;
static bool net_dhcp_started;

static struct {
	lck_spin_t np_lock;
	uint16_t np_id, np_seq;
	uint32_t np_dst;
	bool np_waiting, np_got;
	uint64_t np_when;
} net_ping_state;

uint64_t
net_now_ns(void)
{
	return clock_get_uptime();
}

static event_t net_timer_event = &net_timer_event;

/*
 * The stack's clock: TCP's timers and reassembly time-outs, every TCP_TICK_NS while TCP has
 * blocks, ten times slower while it has none.
 */
static void
net_timer_thread(void *arg, wait_result_t wr)
{
	(void)arg;
	(void)wr;
	for (;;) {
		bool busy;

		net_lock();
		if (tcp_tx_blocked)
			tcp_tx_ready();
		tcp_slowtimo();
		ip_reass_slowtimo();
		busy = tcp_pcbs != NULL;
		net_unlock();
		assert_wait_deadline(net_timer_event, THREAD_UNINT,
				     clock_get_uptime() + (busy ? TCP_TICK_NS : 10 * TCP_TICK_NS));
		thread_block(NULL);
	}
}

static void
net_init_once(void)
{
	thread_t t;

	/* First call comes from a driver's start() during matching, on the boot CPU, or from
	 * the first socket or shell command when there is no network device. */
	if (!net_inited) {
		lck_mtx_init(&net_mtx, "net");
		lck_mtx_init(&net_resolv_mtx, "net_resolv");
		lck_spin_init(&net_ping_state.np_lock);
		net_inited = true;
		lck_mtx_lock(&net_mtx);
		if_loop_attach();
		lck_mtx_unlock(&net_mtx);
		if (kernel_thread_start(net_timer_thread, NULL, &t) != KERN_SUCCESS) {
			klog(LOG_ERR, "net: no timer thread; TCP will not retransmit\n");
		} else {
			thread_set_name(t, "net_timer");
			thread_deallocate(t);
		}
	}
}

void
net_lock(void)
{
	net_init_once();
	lck_mtx_lock(&net_mtx);
}

void
net_unlock(void)
{
	/* Deliver what went out on lo0 while we held the lock: loopback's "wire". */
	if_loop_drain();
	lck_mtx_unlock(&net_mtx);
}

void
net_if_tx_ready(struct ifnet *ifp)
{
	(void)ifp;
	if (tcp_tx_blocked)
		thread_wakeup(net_timer_event);
}

void
net_if_input(struct ifnet *ifp, const void *frame, size_t len, bool csum_valid)
{
	net_lock();
	ifp->if_rx_csum_valid = csum_valid;
	if_input(ifp, frame, len);
	ifp->if_rx_csum_valid = false;
	net_unlock();
}

/* ---- UDP endpoints ---- */

static void
net_udp_deliver(void *arg, struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst,
		const uint8_t *data, size_t len)
{
	struct net_udp *u = arg;
	bool s = lck_spin_lock_irqsave(&u->nu_lock);

	(void)ifp;
	(void)dst;
	if (u->nu_count == NET_UDP_QLEN || len > ETHER_MAX_LEN) {
		u->nu_drops++;
	} else {
		struct net_udp_dgram *d = &u->nu_q[(u->nu_head + u->nu_count) % NET_UDP_QLEN];

		d->nd_src = src;
		d->nd_sport = sport;
		d->nd_len = (uint16_t)len;
		memcpy(d->nd_data, data, len);
		u->nu_count++;
	}
	lck_spin_unlock_irqrestore(&u->nu_lock, s);
	thread_wakeup(u);
}

int
net_udp_open(struct net_udp *u, uint16_t port)
{
	int err;

	memset(u, 0, sizeof(*u));
	lck_spin_init(&u->nu_lock);
	net_lock();
	err = udp_bind(port, net_udp_deliver, u);
	net_unlock();
	if (err == 0)
		u->nu_port = port;
	return err;
}

void
net_udp_close(struct net_udp *u)
{
	net_lock();
	udp_unbind(u->nu_port);
	net_unlock();
	u->nu_port = 0;
}

int
net_udp_recv(struct net_udp *u, void *buf, size_t cap, uint32_t *src, uint16_t *sport,
	     uint64_t timeout_ns)
{
	uint64_t deadline = clock_get_uptime() + timeout_ns;

	for (;;) {
		wait_result_t wr;
		bool s;

		assert_wait_deadline(u, THREAD_UNINT, deadline);
		s = lck_spin_lock_irqsave(&u->nu_lock);
		if (u->nu_count != 0) {
			struct net_udp_dgram *d = &u->nu_q[u->nu_head];
			int len = d->nd_len;

			memcpy(buf, d->nd_data, MIN((size_t)len, cap));
			if (src != NULL)
				*src = d->nd_src;
			if (sport != NULL)
				*sport = d->nd_sport;
			u->nu_head = (u->nu_head + 1) % NET_UDP_QLEN;
			u->nu_count--;
			lck_spin_unlock_irqrestore(&u->nu_lock, s);
			thread_wakeup(u); /* end our own wait: thread_block returns at once */
			thread_block(NULL);
			return len;
		}
		lck_spin_unlock_irqrestore(&u->nu_lock, s);
		wr = thread_block(NULL);
		if (wr == THREAD_TIMED_OUT && clock_get_uptime() >= deadline && u->nu_count == 0)
			return -ETIMEDOUT;
	}
}

int
net_udp_send(struct net_udp *u, struct ifnet *ifp, uint32_t dst, uint16_t dport,
	     const void *data, size_t len)
{
	int err;

	net_lock();
	err = if_attached(ifp) ? udp_output(ifp, 0, u->nu_port, dst, dport, data, len) : ENXIO;
	net_unlock();
	return err;
}

/* ---- ping ---- */


static void
net_echo_reply(struct ifnet *ifp, uint32_t from, uint16_t id, uint16_t seq, const uint8_t *data,
	       size_t len)
{
	bool s = lck_spin_lock_irqsave(&net_ping_state.np_lock);

	(void)ifp;
	(void)data;
	(void)len;
	if (net_ping_state.np_waiting && from == net_ping_state.np_dst &&
	    id == net_ping_state.np_id && seq == net_ping_state.np_seq) {
		net_ping_state.np_got = true;
		net_ping_state.np_when = clock_get_uptime();
	}
	lck_spin_unlock_irqrestore(&net_ping_state.np_lock, s);
	thread_wakeup(&net_ping_state);
}

int
net_ping(struct ifnet *ifp, uint32_t dst, uint16_t id, uint16_t seq, uint64_t timeout_ns,
	 uint64_t *rtt_ns)
{
	static bool busy;
	uint8_t data[56];
	uint64_t t0, deadline;
	int err;
	bool s;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	net_lock();
	if (busy) { /* one ping at a time (the shell's and a ktest's could meet) */
		net_unlock();
		return EBUSY;
	}
	busy = true;
	icmp_echo_reply_hook = net_echo_reply;
	s = lck_spin_lock_irqsave(&net_ping_state.np_lock);
	net_ping_state.np_id = id;
	net_ping_state.np_seq = seq;
	net_ping_state.np_dst = dst;
	net_ping_state.np_got = false;
	net_ping_state.np_waiting = true;
	lck_spin_unlock_irqrestore(&net_ping_state.np_lock, s);
	t0 = clock_get_uptime();
	deadline = t0 + timeout_ns;
	err = icmp_echo_request(ifp, dst, id, seq, data, sizeof(data));
	net_unlock();
	while (err == 0) {
		assert_wait_deadline(&net_ping_state, THREAD_UNINT, deadline);
		if (net_ping_state.np_got) {
			thread_wakeup(&net_ping_state);
			thread_block(NULL);
			break;
		}
		if (thread_block(NULL) == THREAD_TIMED_OUT && !net_ping_state.np_got)
			err = ETIMEDOUT;
	}
	s = lck_spin_lock_irqsave(&net_ping_state.np_lock);
	net_ping_state.np_waiting = false;
	if (err == 0 && rtt_ns != NULL)
		*rtt_ns = net_ping_state.np_when - t0;
	lck_spin_unlock_irqrestore(&net_ping_state.np_lock, s);
	net_lock();
	busy = false;
	net_unlock();
	return err;
}

/* ---- /etc/resolv.conf ---- */

#define NET_RESOLV_MAX 512

/*
 * The text waits (pending) until the root is mounted; then it is written once and synced at
 * once, so a machine powered off hard right after boot finds its root file system clean.
 * net_resolv_mtx orders the DHCP thread and the main thread (net_resolv_root_ready).
 */
static char net_resolv_text[NET_RESOLV_MAX];
static bool net_resolv_pending, net_resolv_root;

/* Write the pending text if the root is there. net_resolv_mtx held. */
static void
net_resolv_flush(void)
{
	size_t len = strlen(net_resolv_text), resid = 0;
	vnode_t vp;
	int err;

	if (!net_resolv_pending || !net_resolv_root)
		return;
	net_resolv_pending = false;
	err = vn_open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC, 0644, &vp);
	if (err != 0) {
		/* No /etc (devfs alone, a boot cpio) or a read-only root: normal, not news. */
		klog(err == ENOENT || err == EROFS ? LOG_DEBUG : LOG_WARNING,
		     "net: /etc/resolv.conf not written (error %d)\n", err);
		return;
	}
	err = vn_rdwr(UIO_WRITE, vp, net_resolv_text, len, 0, UIO_SYSSPACE, 0, &resid);
	vn_close(vp, O_WRONLY);
	if (err == 0 && resid == 0)
		err = vfs_sync_all();
	if (err != 0 || resid != 0)
		klog(LOG_WARNING, "net: /etc/resolv.conf: write error %d\n", err);
	else
		printf("net: /etc/resolv.conf written (%zu bytes)\n", len);
}

/* Publish name servers: written now if the root is mounted, else when it is. May sleep. */
static void
net_resolv_publish(const uint32_t *dns, unsigned ndns, const char *domain)
{
	lck_mtx_lock(&net_resolv_mtx);
	if (net_resolv_conf(net_resolv_text, sizeof(net_resolv_text), dns, ndns, domain) != 0) {
		net_resolv_pending = true;
		net_resolv_flush();
	}
	lck_mtx_unlock(&net_resolv_mtx);
}

void
net_resolv_root_ready(void)
{
	net_lock(); /* the first use initialises the stack and net_resolv_mtx */
	net_unlock();
	lck_mtx_lock(&net_resolv_mtx);
	net_resolv_root = rootvnode != NULL;
	net_resolv_flush();
	lck_mtx_unlock(&net_resolv_mtx);
}

/* ---- DHCP client ---- */

static struct net_udp net_dhcp_udp;

/*
 * Send msg and wait up to timeout for a reply of type want (or a NAK) to xid for mac. ifp is
 * used only under the network lock, after checking it is still attached (ENXIO otherwise).
 */
static int
dhcp_exchange(struct ifnet *ifp, const uint8_t *mac, const uint8_t *msg, size_t len,
	      uint32_t xid, uint8_t want, uint64_t timeout_ns, struct dhcp_reply *r)
{
	static uint8_t in[DHCP_MSG_MAX + 1024];
	uint64_t deadline = clock_get_uptime() + timeout_ns;
	int err = net_udp_send(&net_dhcp_udp, ifp, IP_BROADCAST, DHCP_SERVER_PORT, msg, len);

	if (err != 0)
		return err;
	for (;;) {
		uint64_t now = clock_get_uptime();
		uint16_t sport;
		int n;

		if (now >= deadline)
			return ETIMEDOUT;
		n = net_udp_recv(&net_dhcp_udp, in, sizeof(in), NULL, &sport, deadline - now);
		if (n < 0)
			return ETIMEDOUT;
		if (sport != DHCP_SERVER_PORT ||
		    dhcp_parse(in, MIN((size_t)n, sizeof(in)), xid, mac, r) != 0)
			continue; /* not for us, or malformed: keep listening */
		if (r->dr_type == want || r->dr_type == DHCPNAK)
			return 0;
	}
}

static unsigned
net_prefix_len(uint32_t mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

/*
 * The DHCP client of one interface. The driver may detach the interface at any moment (a
 * quarantined device): the thread keeps its own copy of the name and MAC and touches ifp only
 * under the network lock after if_attached().
 */
static void
net_dhcp_thread(void *arg, wait_result_t wr)
{
	struct ifnet *ifp = arg;
	static uint8_t msg[DHCP_MSG_MAX];
	uint64_t backoff = 1000000000ull;
	struct dhcp_reply offer, ack;
	char a[16], g[16], sv[16], name[IFNAMSIZ];
	uint8_t mac[ETHER_ADDR_LEN];
	uint32_t xid, mask;
	bool attached;
	size_t len;
	int err;

	(void)wr;
	net_lock();
	attached = if_attached(ifp);
	memcpy(name, ifp->if_name, sizeof(name));
	memcpy(mac, ifp->if_mac, sizeof(mac));
	net_unlock();
	if (!attached)
		return;
	if (net_udp_open(&net_dhcp_udp, DHCP_CLIENT_PORT) != 0) {
		klog(LOG_ERR, "net: %s: DHCP: port %u is taken\n", name, DHCP_CLIENT_PORT);
		return;
	}
	xid = (uint32_t)clock_get_uptime() ^ net_get32(mac + 2);
	for (;;) {
		xid++;
		len = dhcp_build(msg, DHCPDISCOVER, xid, mac, 0, 0);
		err = dhcp_exchange(ifp, mac, msg, len, xid, DHCPOFFER, backoff, &offer);
		if (err == ENXIO)
			goto gone;
		if (err != 0 || offer.dr_type != DHCPOFFER)
			goto retry;
		len = dhcp_build(msg, DHCPREQUEST, xid, mac, offer.dr_yiaddr, offer.dr_server);
		err = dhcp_exchange(ifp, mac, msg, len, xid, DHCPACK, backoff, &ack);
		if (err == ENXIO)
			goto gone;
		if (err != 0)
			goto retry;
		if (ack.dr_type == DHCPNAK) {
			klog(LOG_WARNING, "net: %s: DHCP: the server said NAK\n", name);
			goto retry;
		}
		break;
retry:
		if (backoff < 16000000000ull)
			backoff *= 2;
	}
	mask = ack.dr_netmask != 0 ? ack.dr_netmask : 0xffffff00u;
	net_lock();
	attached = if_attached(ifp);
	if (attached) {
		ifp->if_netmask = mask;
		ifp->if_gateway = ack.dr_router;
		ifp->if_dns = ack.dr_ndns != 0 ? ack.dr_dns[0] : 0;
		ifp->if_addr = ack.dr_yiaddr;
		arp_gratuitous(ifp);
	}
	net_unlock();
	if (!attached)
		goto gone;
	net_udp_close(&net_dhcp_udp);
	printf("net: %s %s/%u gw %s (DHCP from %s, lease %us)\n", name,
	       if_ip_str(ack.dr_yiaddr, a), net_prefix_len(mask), if_ip_str(ack.dr_router, g),
	       if_ip_str(ack.dr_server, sv), ack.dr_lease);
	/* XXX: no renewal at T1/T2 (RFC 2131 §4.4.5) yet: the address is kept past the lease. */
	net_resolv_publish(ack.dr_dns, ack.dr_ndns, ack.dr_domain);
	return;
gone:
	net_udp_close(&net_dhcp_udp);
	klog(LOG_NOTICE, "net: %s: detached; DHCP stops\n", name);
}

/* Configure ifp as `ip=` says; once, at attach, before any traffic (network lock held). */
static void
net_if_static(struct ifnet *ifp, const struct net_ipconfig *c)
{
	char a[16], g[16];

	ifp->if_netmask = c->nc_netmask;
	ifp->if_gateway = c->nc_gateway;
	ifp->if_dns = c->nc_ndns != 0 ? c->nc_dns[0] : 0;
	ifp->if_addr = c->nc_addr;
	printf("net: %s %s/%u gw %s (ip=)\n", ifp->if_name, if_ip_str(c->nc_addr, a),
	       net_prefix_len(c->nc_netmask), if_ip_str(c->nc_gateway, g));
}

void
net_if_attach(struct ifnet *ifp)
{
	const char *v = cmdline_get(&boot_cmdline, "net.dhcp");
	const char *ip = cmdline_get(&boot_cmdline, "ip");
	struct net_ipconfig c;
	bool first, mine;
	thread_t t;

	if (net_ipconfig_parse(ip, &c) != 0)
		klog(LOG_WARNING, "net: ip=%s not understood: using DHCP\n", ip);
	net_lock();
	first = !net_dhcp_started;
	net_dhcp_started = true;
	if_attach(ifp);
	/* ip= without a device names the first interface, as DHCP serves only the first. */
	mine = c.nc_dev[0] == '\0' ? first : strcmp(c.nc_dev, ifp->if_name) == 0;
	if (mine && c.nc_mode == NET_IPCONF_STATIC) {
		net_if_static(ifp, &c);
		arp_gratuitous(ifp);
	}
	net_unlock();
	if (mine && c.nc_mode == NET_IPCONF_STATIC)
		net_resolv_publish(c.nc_dns, c.nc_ndns, NULL); /* pending: no root yet */
	if (!first || c.nc_mode != NET_IPCONF_DHCP || (v != NULL && strcmp(v, "0") == 0))
		return;
	if (kernel_thread_start(net_dhcp_thread, ifp, &t) != KERN_SUCCESS) {
		klog(LOG_ERR, "net: no thread for DHCP\n");
		return;
	}
	thread_set_name(t, "dhcp");
	thread_deallocate(t);
}

void
net_if_detach(struct ifnet *ifp)
{
	/* A DHCP thread still running on ifp notices (if_attached) and stops. */
	net_lock();
	if_detach(ifp);
	net_unlock();
}

bool
net_wait_configured(struct ifnet *ifp, uint64_t timeout_ns)
{
	uint64_t deadline = clock_get_uptime() + timeout_ns;

	while (ifp->if_addr == 0) {
		if (clock_get_uptime() >= deadline)
			return false;
		thread_sleep_ns(10000000);
	}
	return true;
}

void
net_if_print(struct ifnet *ifp)
{
	const struct if_stats *st = &ifp->if_stats;
	char m[18], a[16], n[16], g[16];

	if (ifp->if_flags & IFF_LOOPBACK)
		printf("%s: loopback mtu %u\n", ifp->if_name, ifp->if_mtu);
	else
		printf("%s: ether %s mtu %u link %s\n", ifp->if_name,
		       if_mac_str(ifp->if_mac, m), ifp->if_mtu, ifp->if_link_up ? "up" : "down");
	printf("    inet %s netmask %s gw %s\n", if_ip_str(ifp->if_addr, a),
	       if_ip_str(ifp->if_netmask, n), if_ip_str(ifp->if_gateway, g));
	printf("    RX packets %llu bytes %llu errors %llu dropped %llu\n",
	       (unsigned long long)st->ipackets, (unsigned long long)st->ibytes,
	       (unsigned long long)st->ierrors, (unsigned long long)st->iqdrops);
	printf("    TX packets %llu bytes %llu errors %llu\n", (unsigned long long)st->opackets,
	       (unsigned long long)st->obytes, (unsigned long long)st->oerrors);
	printf("    ip bad hdr/len/sum %llu/%llu/%llu frags %llu; arp in %llu; icmp in %llu;"
	       " udp in %llu noport %llu\n",
	       (unsigned long long)st->ip_badhdr, (unsigned long long)st->ip_badlen,
	       (unsigned long long)st->ip_badsum, (unsigned long long)st->ip_frags,
	       (unsigned long long)st->arp_in, (unsigned long long)st->icmp_in,
	       (unsigned long long)st->udp_in, (unsigned long long)st->udp_noport);
	if (st->tx_csum_hw != 0 || st->rx_csum_hw != 0)
		printf("    checksum offload: tx %llu rx %llu\n",
		       (unsigned long long)st->tx_csum_hw, (unsigned long long)st->rx_csum_hw);
	printf("    reassembled %llu frag drops %llu timeouts %llu; icmp errors out %llu"
	       " unreach in %llu\n",
	       (unsigned long long)st->ip_reassembled, (unsigned long long)st->ip_frag_dropped,
	       (unsigned long long)st->ip_frag_timeout, (unsigned long long)st->icmp_err_out,
	       (unsigned long long)st->icmp_unreach_in);
}

void
net_shell_ifconfig(int argc, char **argv)
{
	struct ifnet *ifp;

	if (argc > 1) {
		ifp = if_find(argv[1]);
		if (ifp == NULL)
			printf("ifconfig: no interface %s\n", argv[1]);
		else
			net_if_print(ifp);
		return;
	}
	net_lock(); /* the first use brings lo0 up */
	net_unlock();
	for (ifp = if_all(); ifp != NULL; ifp = ifp->if_next)
		net_if_print(ifp);
}

void
net_shell_ping(int argc, char **argv)
{
	struct ifnet *ifp = if_first();
	uint64_t count = 4, rtt;
	unsigned ok = 0;
	uint32_t dst;

	if (argc < 2 || !if_parse_ip(argv[1], &dst) ||
	    (argc > 2 && (!kstrtou64(argv[2], strlen(argv[2]), 10, &count) || count == 0 ||
			  count > 100))) {
		printf("usage: ping ADDR [COUNT 1..100]\n");
		return;
	}
	if ((dst >> 24) == 127) {
		net_lock(); /* brings lo0 up on first use */
		net_unlock();
		ifp = &if_loop;
	}
	if (ifp == NULL || !net_wait_configured(ifp, 5000000000ull)) {
		printf("ping: no configured interface\n");
		return;
	}
	for (uint64_t seq = 1; seq <= count; seq++) {
		int err = net_ping(ifp, dst, 0x7368, (uint16_t)seq, 1000000000ull, &rtt);

		if (err == 0) {
			ok++;
			printf("reply from %s: seq=%llu time=%llu.%03llu ms\n", argv[1],
			       (unsigned long long)seq, (unsigned long long)(rtt / 1000000),
			       (unsigned long long)(rtt / 1000 % 1000));
		} else {
			printf("seq=%llu: %s\n", (unsigned long long)seq,
			       err == ETIMEDOUT ? "no reply" : "send failed");
		}
	}
	printf("%u/%llu replies\n", ok, (unsigned long long)count);
}

DEBUGSHELL_COMMAND(ifconfig, "show network interfaces (ifconfig NAME: one)", net_shell_ifconfig);
DEBUGSHELL_COMMAND(ping, "ping ADDR [COUNT]: ICMP echo through the first interface",
		   net_shell_ping);
