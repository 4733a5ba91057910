/*
 * raw_ip.c — raw IPv4 sockets for ICMP (SOCK_RAW, IPPROTO_ICMP; raw(7), after 4.4BSD
 * netinet/raw_ip.c): what busybox's ping opens. Every ICMP message addressed to this host is
 * queued, IPv4 header included, on each raw socket as well as handled by the kernel (an echo
 * request is still answered by ip.c); a send wraps the caller's ICMP message, checksum and
 * all, in an IPv4 header to the destination address.
 *
 * The one idea: a raw socket is a datagram socket (socket.c's queue, receive and poll) fed by
 * one more hook in ip.c instead of a UDP port.
 */
#include <bsd/net/socket_var.h>

#define RIP_MAX 8

static struct socket *rip_socks[RIP_MAX];

/* Every ICMP datagram for this host: ip (tot bytes, header included) from src. */
static void
rip_input(struct ifnet *ifp, const uint8_t *ip, size_t tot)
{
	uint32_t src = net_get32(ip + 12);

	(void)ifp;
	for (unsigned i = 0; i < RIP_MAX; i++) {
		struct socket *so = rip_socks[i];

		if (so == NULL || (so->so_faddr != 0 && so->so_faddr != src))
			continue;
		so_dgram_enqueue(so, src, 0, ip, tot);
	}
}

int
rip_attach(struct socket *so)
{
	for (unsigned i = 0; i < RIP_MAX; i++) {
		if (rip_socks[i] == NULL) {
			rip_socks[i] = so;
			icmp_raw_hook = rip_input;
			return 0;
		}
	}
	return ENOBUFS;
}

void
rip_detach(struct socket *so)
{
	for (unsigned i = 0; i < RIP_MAX; i++)
		if (rip_socks[i] == so)
			rip_socks[i] = NULL;
}

int
rip_send(struct socket *so, struct so_uio *uio, const uint32_t *to_addr, size_t *sent)
{
	uint8_t buf[IF_MTU_DEFAULT - IP_HDR_LEN];
	uint32_t dst = to_addr != NULL ? *to_addr : so->so_faddr;
	size_t n = uio->uio_resid;
	struct ifnet *ifp;
	int err;

	if (so->so_snd_shut)
		return EPIPE;
	if (dst == 0)
		return to_addr != NULL ? EINVAL : EDESTADDRREQ;
	if (n < ICMP_HDR_LEN || n > sizeof(buf))
		return n < ICMP_HDR_LEN ? EINVAL : EMSGSIZE;
	if ((ifp = ip_route(dst, so->so_laddr)) == NULL)
		return ENETUNREACH;
	if ((err = so_uiomove(buf, n, uio, false)) != 0)
		return err;
	err = ip_output(ifp, IPPROTO_ICMP, so->so_laddr, dst, buf, n);
	if (err == 0)
		*sent = n;
	return err;
}
