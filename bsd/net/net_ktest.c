/*
 * net_ktest.c — in-kernel tests of the network stack against QEMU's user network (slirp:
 * DHCP server and gateway 10.0.2.2, DNS at 10.0.2.3): the interface, DHCP, ARP, ping, UDP.
 *
 * The DNS test runs only where DHCP named a DNS server: slirp with restrict=on (the boot
 * tier's default, so that nothing leaves the machine) neither names one nor answers queries.
 *
 * Without a virtio-net interface these skip. With one but no answer from DHCP in time they
 * skip too (a scenario without slirp), unless `net.require=1` is on the command line, as in
 * tests/boot/net.sh, where every answer must come.
 */
#include <bsd/net/net_kern.h>
#include <cmdline.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

#define NET_KT_DHCP_NS (20ull * 1000000000ull)
#define SLIRP_GW       IP4(10, 0, 2, 2)
#define SLIRP_DNS      IP4(10, 0, 2, 3)

static bool net_kt_no_dhcp;

static bool
net_kt_required(void)
{
	const char *v = cmdline_get(&boot_cmdline, "net.require");

	return v != NULL && strcmp(v, "1") == 0;
}

static void
net_kt_skip(struct ktest_ctx *kt_ctx, const char *why)
{
	kt_ctx->skipped = true;
	printf("# skip: %s\n", why);
}

/* The configured interface, or NULL (ctx says skip or fail). */
static struct ifnet *
net_kt_ifp(struct ktest_ctx *kt_ctx, bool need_addr)
{
	struct ifnet *ifp = if_first();

	if (ifp == NULL) {
		if (net_kt_required())
			ktest_fail(kt_ctx, __FILE__, __LINE__, "no network interface");
		else
			net_kt_skip(kt_ctx, "no network interface");
		return NULL;
	}
	/* Unrequired, the wait is short and paid once: a scenario without a user network
	 * (CI without slirp) must not pay it in every test. */
	if (need_addr && net_kt_no_dhcp) {
		if (net_kt_required())
			ktest_fail(kt_ctx, __FILE__, __LINE__, "DHCP did not configure the interface");
		else
			net_kt_skip(kt_ctx, "no DHCP answer earlier");
		return NULL;
	}
	if (need_addr && !net_wait_configured(ifp, net_kt_required() ? NET_KT_DHCP_NS
								       : NET_KT_DHCP_NS / 7)) {
		net_kt_no_dhcp = true;
		if (net_kt_required())
			ktest_fail(kt_ctx, __FILE__, __LINE__, "DHCP did not configure the interface");
		else
			net_kt_skip(kt_ctx, "no DHCP answer (no user network here?)");
		return NULL;
	}
	return ifp;
}

KTEST(net_if_has_qemu_mac)
{
	struct ifnet *ifp = net_kt_ifp(kt_ctx, false);
	const char *want = cmdline_get(&boot_cmdline, "net.mac");
	char mac[18];

	if (ifp == NULL)
		return;
	if_mac_str(ifp->if_mac, mac);
	printf("# %s ether %s mtu %u\n", ifp->if_name, mac, ifp->if_mtu);
	KT_ASSERT(strcmp(ifp->if_name, "eth0") == 0);
	KT_ASSERT_EQ(ifp->if_mtu, 1500);
	KT_ASSERT((ifp->if_mac[0] & 1) == 0);
	if (want != NULL)
		KT_ASSERT(strcmp(mac, want) == 0);
}

KTEST(net_dhcp_configures)
{
	struct ifnet *ifp = net_kt_ifp(kt_ctx, true);

	if (ifp == NULL)
		return;
	KT_ASSERT_EQ(ifp->if_addr, IP4(10, 0, 2, 15));
	KT_ASSERT_EQ(ifp->if_netmask, IP4(255, 255, 255, 0));
	/* slirp with restrict=on names no router (nor DNS server) in its offers. */
	if (ifp->if_gateway == 0)
		printf("# the DHCP server named no router (a restricted user network)\n");
	else
		KT_ASSERT_EQ(ifp->if_gateway, SLIRP_GW);
}

KTEST(net_arp_resolves_gateway)
{
	struct ifnet *ifp = net_kt_ifp(kt_ctx, true);
	uint64_t deadline = clock_get_uptime() + 5000000000ull;
	uint8_t mac[ETHER_ADDR_LEN];
	bool got = false, cached;
	uint64_t before;
	char m[18];
	int err;

	if (ifp == NULL)
		return;
	net_lock();
	arp_flush(ifp);
	before = ifp->if_stats.arp_in;
	cached = arp_lookup(ifp, SLIRP_GW, mac);
	err = arp_resolve(ifp, SLIRP_GW, mac, NULL, 0);
	net_unlock();
	KT_ASSERT(!cached);
	KT_ASSERT_EQ(err, EAGAIN);
	while (!got && clock_get_uptime() < deadline) {
		thread_sleep_ns(10000000);
		net_lock();
		got = arp_lookup(ifp, SLIRP_GW, mac);
		net_unlock();
	}
	KT_ASSERT(got);
	KT_ASSERT(ifp->if_stats.arp_in > before);
	printf("# 10.0.2.2 is at %s\n", if_mac_str(mac, m));
}

KTEST(net_ping_gateway)
{
	struct ifnet *ifp = net_kt_ifp(kt_ctx, true);
	unsigned ok = 0;
	uint64_t best = ~0ull, sum = 0;

	if (ifp == NULL)
		return;
	for (uint16_t seq = 1; seq <= 4; seq++) {
		uint64_t rtt;
		int err = net_ping(ifp, SLIRP_GW, 0x4e4d, seq, 2000000000ull, &rtt);

		if (err == 0) {
			ok++;
			sum += rtt;
			best = MIN(best, rtt);
			printf("# ping 10.0.2.2 seq %u: %llu us\n", seq,
			       (unsigned long long)(rtt / 1000));
		} else {
			printf("# ping 10.0.2.2 seq %u: error %d\n", seq, err);
		}
	}
	if (ok == 0 && !net_kt_required())
		KT_SKIP("no echo replies from 10.0.2.2 (slirp without ICMP?)");
	KT_ASSERT(ok >= 3);
	printf("# ping 10.0.2.2: %u/4 replies, rtt min %llu us avg %llu us\n", ok,
	       (unsigned long long)(best / 1000), (unsigned long long)(sum / ok / 1000));
}

/* A DNS query (RFC 1035 §4.1) for "nimbus.example." type A, class IN. */
static size_t
net_kt_dns_query(uint8_t *q, uint16_t id)
{
	static const uint8_t name[] = "\6nimbus\7example";
	size_t n = 12;

	memset(q, 0, 12);
	net_put16(q, id);
	net_put16(q + 2, 0x0100); /* recursion desired */
	net_put16(q + 4, 1);	  /* one question */
	memcpy(q + n, name, sizeof(name)); /* includes the root's zero */
	n += sizeof(name);
	net_put16(q + n, 1);
	net_put16(q + n + 2, 1);
	return n + 4;
}

KTEST(net_udp_dns_reply)
{
	struct ifnet *ifp = net_kt_ifp(kt_ctx, true);
	static struct net_udp u;
	uint8_t q[64], r[512];
	uint16_t sport, id = 0x6e42;
	uint32_t src;
	size_t qlen;
	int n = -ETIMEDOUT;

	if (ifp == NULL)
		return;
	if (ifp->if_dns == 0) /* restrict=on: slirp neither names nor forwards to DNS */
		KT_SKIP("DHCP named no DNS server (restricted user network)");
	KT_ASSERT_EQ(ifp->if_dns, SLIRP_DNS);
	KT_ASSERT_EQ(net_udp_open(&u, 40053), 0);
	qlen = net_kt_dns_query(q, id);
	for (int tries = 0; tries < 3 && n < 0; tries++) {
		KT_ASSERT_EQ(net_udp_send(&u, ifp, SLIRP_DNS, 53, q, qlen), 0);
		n = net_udp_recv(&u, r, sizeof(r), &src, &sport, 2000000000ull);
	}
	net_udp_close(&u);
	if (n < 0 && !net_kt_required())
		KT_SKIP("no DNS answer from 10.0.2.3");
	KT_ASSERT(n >= 12);
	KT_ASSERT_EQ(src, SLIRP_DNS);
	KT_ASSERT_EQ(sport, 53);
	KT_ASSERT_EQ(net_get16(r), id);
	KT_ASSERT((r[2] & 0x80) != 0); /* QR: a response */
	KT_ASSERT_EQ(net_get16(r + 4), 1);
	printf("# DNS reply: %d bytes, rcode %u, %u answers\n", n, r[3] & 0xf, net_get16(r + 6));
}

bool virtio_net_break_for_test(void);

/*
 * A device that breaks its receive ring is quarantined: the queue refuses it, the device is
 * reset, its nub terminated and the interface detached; the kernel goes on. Ends the
 * interface, so it runs only when named: ktest=virtio_net_quarantine.
 */
KTEST_F(virtio_net_quarantine, KTEST_EXPLICIT)
{
	uint64_t deadline;

	if (if_first() == NULL)
		KT_SKIP("no network interface");
	KT_ASSERT(virtio_net_break_for_test());
	deadline = clock_get_uptime() + 5000000000ull;
	while (if_first() != NULL && clock_get_uptime() < deadline)
		thread_sleep_ns(10000000);
	KT_ASSERT(if_first() == NULL);
	KT_ASSERT(!virtio_net_break_for_test()); /* no driver any more */
}
