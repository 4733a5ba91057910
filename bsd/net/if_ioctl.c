/*
 * if_ioctl.c — the Linux interface ioctls over struct ifnet (netdevice(7), route(4)): names,
 * flags, addresses, netmask, MTU, hardware address and index per interface, SIOCGIFCONF's
 * list, and the default route that SIOCADDRT/SIOCDELRT add and remove. What busybox's
 * `ifconfig` and `route` need; the user copies happen in uipc_syscalls.c.
 *
 * The one idea: every answer is read and every change made under the network lock, and a
 * change is checked whole before any field moves, so the stack never sees half an update.
 */
#include <bsd/net/if_ioctl.h>
#include <bsd/net/ipconfig.h>
#include <bsd/net/net_kern.h>

/* Linux's interface flags (linux/if.h), not ifnet's own IFF_*. */
#define LIFF_UP		0x1
#define LIFF_BROADCAST	0x2
#define LIFF_LOOPBACK	0x8
#define LIFF_RUNNING	0x40
#define LIFF_MULTICAST	0x1000
#define LARPHRD_ETHER	1
#define LARPHRD_LOOPBACK 772
#define LAF_INET	2
#define LRTF_UP		0x1
#define LRTF_GATEWAY	0x2
#define IF_MTU_MIN	68 /* RFC 791 */

static void
ifr_put_addr(struct linux_ifreq *ifr, uint32_t a)
{
	memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
	ifr->ifr_addr.sa_family = LAF_INET;
	net_put32(ifr->ifr_addr.sa_data + 2, a);
}

static int
sa_get_addr(const struct linux_sockaddr *sa, uint32_t *a)
{
	if (sa->sa_family != LAF_INET)
		return EINVAL;
	*a = net_get32(sa->sa_data + 2);
	return 0;
}

static int
if_index_of(const struct ifnet *ifp)
{
	int i = 1;

	for (const struct ifnet *p = if_all(); p != NULL && p != ifp; p = p->if_next)
		i++;
	return i;
}

static int16_t
if_linux_flags(const struct ifnet *ifp)
{
	if (ifp->if_flags & IFF_LOOPBACK)
		return LIFF_UP | LIFF_LOOPBACK | LIFF_RUNNING;
	return (int16_t)(LIFF_UP | LIFF_BROADCAST | LIFF_MULTICAST |
			 (ifp->if_link_up ? LIFF_RUNNING : 0));
}

/* One command on ifp. Network lock held. */
static int
if_ioctl_locked(unsigned long cmd, struct ifnet *ifp, struct linux_ifreq *ifr)
{
	uint32_t a;
	int err;

	switch (cmd) {
	case SIOCGIFFLAGS_:
		memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad));
		ifr->ifr_flags = if_linux_flags(ifp);
		return 0;
	case SIOCSIFFLAGS_:
		/* XXX: an interface cannot be taken down (no administrative state in ifnet);
		 * setting it up, which it always is, succeeds. */
		return (ifr->ifr_flags & LIFF_UP) ? 0 : EOPNOTSUPP;
	case SIOCGIFADDR_:
		ifr_put_addr(ifr, ifp->if_addr);
		return 0;
	case SIOCGIFDSTADDR_:
		ifr_put_addr(ifr, 0);
		return 0;
	case SIOCGIFBRDADDR_:
		ifr_put_addr(ifr, (ifp->if_flags & IFF_LOOPBACK) || ifp->if_addr == 0
					  ? 0
					  : (ifp->if_addr | ~ifp->if_netmask));
		return 0;
	case SIOCGIFNETMASK_:
		ifr_put_addr(ifr, ifp->if_netmask);
		return 0;
	case SIOCSIFADDR_:
		if ((err = sa_get_addr(&ifr->ifr_addr, &a)) != 0)
			return err;
		if (a == IP_BROADCAST || (ifp->if_flags & IFF_LOOPBACK))
			return EINVAL;
		/* As Linux: a new address brings its class's mask (SIOCSIFNETMASK may follow). */
		ifp->if_netmask = a == 0 ? 0 : net_class_mask(a);
		ifp->if_addr = a;
		if (a != 0)
			arp_gratuitous(ifp);
		return 0;
	case SIOCSIFNETMASK_:
		if ((err = sa_get_addr(&ifr->ifr_addr, &a)) != 0)
			return err;
		if ((~a & (~a + 1)) != 0 || (ifp->if_flags & IFF_LOOPBACK))
			return EINVAL; /* not a contiguous mask */
		ifp->if_netmask = a;
		return 0;
	case SIOCGIFMETRIC_:
		memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad));
		return 0;
	case SIOCGIFMTU_:
		memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad));
		ifr->ifr_ivalue = ifp->if_mtu;
		return 0;
	case SIOCSIFMTU_:
		if (ifr->ifr_ivalue < IF_MTU_MIN || ifr->ifr_ivalue > IF_MTU_DEFAULT)
			return EINVAL;
		ifp->if_mtu = (uint16_t)ifr->ifr_ivalue;
		return 0;
	case SIOCGIFHWADDR_:
		memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
		if (ifp->if_flags & IFF_LOOPBACK) {
			ifr->ifr_addr.sa_family = LARPHRD_LOOPBACK;
		} else {
			ifr->ifr_addr.sa_family = LARPHRD_ETHER;
			memcpy(ifr->ifr_addr.sa_data, ifp->if_mac, ETHER_ADDR_LEN);
		}
		return 0;
	case SIOCGIFINDEX_:
		memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad));
		ifr->ifr_ivalue = if_index_of(ifp);
		return 0;
	case SIOCGIFTXQLEN_:
		memset(ifr->ifr_pad, 0, sizeof(ifr->ifr_pad));
		ifr->ifr_ivalue = 1000;
		return 0;
	default:
		return ENOTTY;
	}
}

int
if_ioctl_ifreq(unsigned long cmd, struct linux_ifreq *ifr)
{
	struct ifnet *ifp;
	int err;

	ifr->ifr_name[IFNAMSIZ - 1] = '\0';
	net_lock();
	ifp = if_find(ifr->ifr_name);
	err = ifp == NULL ? ENODEV : if_ioctl_locked(cmd, ifp, ifr);
	net_unlock();
	return err;
}

void
if_ioctl_conf(struct linux_ifreq *out, unsigned max, unsigned *n)
{
	unsigned k = 0;

	net_lock();
	for (struct ifnet *ifp = if_all(); ifp != NULL; ifp = ifp->if_next) {
		if (ifp->if_addr == 0) /* as Linux: only interfaces with an address */
			continue;
		if (out != NULL) {
			if (k == max)
				break;
			memset(&out[k], 0, sizeof(out[k]));
			memcpy(out[k].ifr_name, ifp->if_name, IFNAMSIZ);
			ifr_put_addr(&out[k], ifp->if_addr);
		}
		k++;
	}
	net_unlock();
	*n = k;
}

int
if_ioctl_route(unsigned long cmd, const struct linux_rtentry *rt, const char *dev)
{
	uint32_t dst, gw, mask;
	struct ifnet *ifp;
	int err = 0;

	if (sa_get_addr(&rt->rt_dst, &dst) != 0)
		return EINVAL;
	/* `route del default` names no gateway (family 0): any will do. */
	if (sa_get_addr(&rt->rt_gateway, &gw) != 0)
		gw = 0;
	mask = rt->rt_genmask.sa_family == LAF_INET ? net_get32(rt->rt_genmask.sa_data + 2) : 0;
	if (dst != 0 || mask != 0)
		return EOPNOTSUPP; /* XXX: one default route per interface, no routing table */
	net_lock();
	ifp = dev[0] != '\0' ? if_find(dev) : NULL;
	/* No device named: the interface whose subnet holds the gateway (to delete "the"
	 * default route without one, the first interface that has one). */
	for (struct ifnet *p = if_all(); dev[0] == '\0' && ifp == NULL && p != NULL;
	     p = p->if_next)
		if (!(p->if_flags & IFF_LOOPBACK) && p->if_addr != 0 &&
		    (gw == 0 ? cmd == SIOCDELRT_ && p->if_gateway != 0
			     : (gw & p->if_netmask) == (p->if_addr & p->if_netmask)))
			ifp = p;
	if (ifp == NULL) {
		err = dev[0] != '\0' ? ENODEV : (cmd == SIOCDELRT_ ? ESRCH : EINVAL);
	} else if (cmd == SIOCADDRT_) {
		if (!(rt->rt_flags & LRTF_GATEWAY) || gw == 0 ||
		    (gw & ifp->if_netmask) != (ifp->if_addr & ifp->if_netmask))
			err = EINVAL; /* the next hop must be on the link */
		else
			ifp->if_gateway = gw;
	} else if (ifp->if_gateway == 0 || (gw != 0 && gw != ifp->if_gateway)) {
		err = ESRCH;
	} else {
		ifp->if_gateway = 0;
	}
	net_unlock();
	return err;
}
