/*
 * if_ioctl.h — the interface ioctls of the Linux ABI (linux/sockios.h numbers, struct ifreq,
 * struct ifconf and struct rtentry as Linux x86-64 lays them out) that busybox's ifconfig and
 * route issue on any socket, over struct ifnet. The system call glue (uipc_syscalls.c) copies
 * the user's structure in and out; everything here works on kernel copies.
 */
#ifndef _BSD_NET_IF_IOCTL_H_
#define _BSD_NET_IF_IOCTL_H_

#include <bsd/net/net.h>

#define SIOCADDRT_	0x890b
#define SIOCDELRT_	0x890c
#define SIOCGIFCONF_	0x8912
#define SIOCGIFFLAGS_	0x8913
#define SIOCSIFFLAGS_	0x8914
#define SIOCGIFADDR_	0x8915
#define SIOCSIFADDR_	0x8916
#define SIOCGIFDSTADDR_ 0x8917
#define SIOCGIFBRDADDR_ 0x8919
#define SIOCGIFNETMASK_ 0x891b
#define SIOCSIFNETMASK_ 0x891c
#define SIOCGIFMETRIC_	0x891d
#define SIOCGIFMTU_	0x8921
#define SIOCSIFMTU_	0x8922
#define SIOCGIFHWADDR_	0x8927
#define SIOCGIFINDEX_	0x8933
#define SIOCGIFTXQLEN_	0x8942

/* struct sockaddr as Linux has it: a family and 14 bytes (sockaddr_in: port, address). */
struct linux_sockaddr {
	uint16_t sa_family;
	uint8_t sa_data[14];
};

/* struct ifreq: a name and a 24-byte union (linux/if.h). */
struct linux_ifreq {
	char ifr_name[IFNAMSIZ];
	union {
		struct linux_sockaddr ifr_addr;
		int16_t ifr_flags;
		int32_t ifr_ivalue; /* mtu, index, metric, qlen */
		uint8_t ifr_pad[24];
	};
};
_Static_assert(sizeof(struct linux_ifreq) == 40, "Linux's struct ifreq");

/* struct ifconf: a length and a user pointer to an ifreq array. */
struct linux_ifconf {
	int32_t ifc_len;
	uint32_t ifc_pad;
	uint64_t ifc_buf;
};

/* struct rtentry (linux/route.h), x86-64. */
struct linux_rtentry {
	uint64_t rt_pad1;
	struct linux_sockaddr rt_dst, rt_gateway, rt_genmask;
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint32_t rt_pad2b;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;
	uint16_t rt_pad5[3];
	uint64_t rt_dev; /* a user pointer to the interface's name, or 0 */
	uint64_t rt_mtu, rt_window;
	uint16_t rt_irtt;
};
_Static_assert(sizeof(struct linux_rtentry) == 120, "Linux's struct rtentry on x86-64");

/*
 * if_ioctl_ifreq: one SIOC[GS]IF* command on ifr (the name in, the answer out).
 *   Locks: takes the network lock.
 *   Returns: 0; ENODEV (no such interface); EINVAL (a bad address, family or MTU);
 *            EOPNOTSUPP (bringing an interface down); ENOTTY (not an interface command).
 */
int if_ioctl_ifreq(unsigned long cmd, struct linux_ifreq *ifr);

/*
 * if_ioctl_conf: fill out[0..max) with one ifreq (name and IPv4 address) per configured
 * interface, as SIOCGIFCONF does; *n gets how many, or how many there are when out is NULL.
 *   Locks: takes the network lock.
 */
void if_ioctl_conf(struct linux_ifreq *out, unsigned max, unsigned *n);

/*
 * if_ioctl_route: SIOCADDRT / SIOCDELRT for rt, dev its device name ("" when none). Only the
 * default route is kept (ifnet's if_gateway): a gateway on the interface's subnet.
 *   Locks: takes the network lock.
 *   Returns: 0; EINVAL (not AF_INET, no RTF_GATEWAY, gateway off-link); ESRCH (deleting a
 *            route that is not there); ENODEV; EOPNOTSUPP (a route other than the default).
 */
int if_ioctl_route(unsigned long cmd, const struct linux_rtentry *rt, const char *dev);

#endif /* _BSD_NET_IF_IOCTL_H_ */
