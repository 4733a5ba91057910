/*
 * socket.c — the kernel socket layer over TCP (tcp.h) and UDP (udp.c): creation, names,
 * connection set-up, blocking, non-blocking and timed sends and receives, shutdown, close
 * and options (BSD kern/uipc_socket.c and uipc_usrreq's split, reduced to what AF_INET needs).
 *
 * The one idea: nothing here has a lock of its own. Socket and protocol state are both under
 * the network lock; so_sleep() asserts a wait on the socket before it drops that lock, and
 * the protocols wake the socket (thread_wakeup) from their upcalls while holding it, so a
 * wakeup can never fall between "nothing to read" and "asleep". Bytes cross between a uio and
 * the protocol through a small bounce buffer, so a user buffer (which may fault) is touched
 * by so_uiomove() only.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/net/net_kern.h>
#include <bsd/net/socket_var.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>

struct so_dgram {
	struct so_dgram *sd_next;
	uint32_t sd_addr;
	uint16_t sd_port;
	uint32_t sd_len;
	uint8_t sd_data[];
};

static uint16_t so_udp_next_port = 49152;

void
so_uio_kernel(struct so_uio *uio, struct so_iovec *iov, void *buf, size_t len)
{
	iov->iov_base = buf;
	iov->iov_len = len;
	uio->uio_iov = iov;
	uio->uio_iovcnt = 1;
	uio->uio_resid = len;
	uio->uio_seg = SO_UIO_SYSSPACE;
}

int
so_uiomove(void *kbuf, size_t n, struct so_uio *uio, bool to_uio)
{
	uint8_t *k = kbuf;

	while (n > 0 && uio->uio_iovcnt > 0) {
		struct so_iovec *iov = uio->uio_iov;
		size_t c = MIN(n, iov->iov_len);

		/* A user buffer only through the user copies: a bad address is EFAULT, and what
		 * moved before it stays counted. (The network lock is a mutex: a fault may sleep.) */
		if (uio->uio_seg == SO_UIO_USERSPACE) {
			if ((to_uio ? copyout(k, iov->iov_base, c) : copyin(iov->iov_base, k, c)) != 0)
				return EFAULT;
		} else if (to_uio) {
			memcpy(iov->iov_base, k, c);
		} else {
			memcpy(k, iov->iov_base, c);
		}
		iov->iov_base = (uint8_t *)iov->iov_base + c;
		iov->iov_len -= c;
		uio->uio_resid -= c;
		k += c;
		n -= c;
		if (iov->iov_len == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
		}
	}
	return 0;
}

int
so_sleep(struct socket *so, uint64_t deadline)
{
	wait_result_t wr;

	if (deadline != 0 && clock_get_uptime() >= deadline)
		return EWOULDBLOCK;
	if (deadline != 0)
		assert_wait_deadline(so, THREAD_UNINT, deadline);
	else
		assert_wait(so, THREAD_UNINT);
	net_unlock();
	wr = thread_block(NULL);
	net_lock();
	return wr == THREAD_TIMED_OUT ? EWOULDBLOCK : 0;
}

int
so_wait(struct socket *so, int flags, uint64_t deadline)
{
	if (so->so_nbio || (flags & MSG_DONTWAIT))
		return EWOULDBLOCK;
	return so_sleep(so, deadline);
}

uint64_t
so_deadline(uint64_t timeo)
{
	return timeo == 0 ? 0 : clock_get_uptime() + timeo;
}

static void
so_tcp_upcall(void *arg, struct tcpcb *tp)
{
	(void)tp;
	thread_wakeup(arg);
}

bool
so_dgram_enqueue(struct socket *so, uint32_t addr, uint16_t port, const void *data, size_t len)
{
	struct so_dgram *d;

	if (so->so_rcv_shut || so->so_dq_bytes + len > so->so_rcvbuf ||
	    (d = kalloc(sizeof(*d) + len)) == NULL) {
		so->so_dq_drops++;
		return false;
	}
	d->sd_next = NULL;
	d->sd_addr = addr;
	d->sd_port = port;
	d->sd_len = (uint32_t)len;
	memcpy(d->sd_data, data, len);
	*so->so_dq_tail = d;
	so->so_dq_tail = &d->sd_next;
	so->so_dq_bytes += (uint32_t)len;
	thread_wakeup(so);
	return true;
}

void
so_dgram_flush(struct socket *so)
{
	while (so->so_dq_head != NULL) {
		struct so_dgram *d = so->so_dq_head;

		so->so_dq_head = d->sd_next;
		kfree(d, sizeof(*d) + d->sd_len);
	}
	so->so_dq_tail = &so->so_dq_head;
	so->so_dq_bytes = 0;
}

static void
so_udp_input(void *arg, struct ifnet *ifp, uint32_t src, uint16_t sport, uint32_t dst,
	     const uint8_t *data, size_t len)
{
	struct socket *so = arg;

	(void)ifp;
	(void)dst;
	if (so->so_faddr != 0 && (src != so->so_faddr || sport != so->so_fport))
		return; /* a connected UDP socket hears only its peer */
	so_dgram_enqueue(so, src, sport, data, len);
}

int
socreate(int domain, int type, int protocol, struct socket **sop)
{
	struct socket *so;

	if (domain != AF_INET && domain != AF_UNIX)
		return EAFNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM &&
	    !(type == SOCK_RAW && domain == AF_INET))
		return ESOCKTNOSUPPORT;
	if (type == SOCK_RAW ? protocol != IPPROTO_ICMP
			     : protocol != 0 && (domain == AF_UNIX ||
						 protocol != (type == SOCK_STREAM ? IPPROTO_TCP
										  : IPPROTO_UDP)))
		return EPROTONOSUPPORT;
	so = kalloc_zero(sizeof(*so));
	if (so == NULL)
		return ENOBUFS;
	so->so_domain = domain;
	so->so_type = type;
	so->so_dq_tail = &so->so_dq_head;
	so->so_sndbuf = TCP_BUF_DEFAULT;
	so->so_rcvbuf = type == SOCK_STREAM ? TCP_BUF_DEFAULT : SO_UDP_RCVBUF_DEFAULT;
	if (domain == AF_UNIX) {
		int err;

		net_lock();
		err = unp_attach(so);
		net_unlock();
		if (err != 0) {
			kfree(so, sizeof(*so));
			return err;
		}
	} else if (type == SOCK_STREAM) {
		net_lock();
		so->so_tcp = tcp_new();
		if (so->so_tcp != NULL) {
			so->so_tcp->t_upcall = so_tcp_upcall;
			so->so_tcp->t_upcall_arg = so;
		}
		net_unlock();
		if (so->so_tcp == NULL) {
			kfree(so, sizeof(*so));
			return ENOBUFS;
		}
	} else if (type == SOCK_RAW) {
		int err;

		net_lock();
		err = rip_attach(so);
		net_unlock();
		if (err != 0) {
			kfree(so, sizeof(*so));
			return err;
		}
	}
	*sop = so;
	return 0;
}

/* Bind a UDP socket (port 0: an ephemeral one). Network lock held. */
static int
so_udp_bind(struct socket *so, uint32_t addr, uint16_t port)
{
	int err = EADDRINUSE;

	if (so->so_lport != 0)
		return EINVAL;
	if (port != 0) {
		err = udp_bind(port, so_udp_input, so);
	} else {
		for (unsigned i = 0; i < 16384 && err == EADDRINUSE; i++) {
			port = so_udp_next_port;
			so_udp_next_port = port == 65535 ? 49152 : port + 1;
			err = udp_bind(port, so_udp_input, so);
		}
	}
	if (err == 0) {
		so->so_laddr = addr;
		so->so_lport = port;
	}
	return err;
}

int
sobind(struct socket *so, uint32_t addr, uint16_t port)
{
	int err;

	if (so->so_domain != AF_INET)
		return EAFNOSUPPORT;
	net_lock();
	if (so->so_type == SOCK_STREAM) {
		so->so_tcp->t_reuseaddr = so->so_reuseaddr;
		err = tcp_bind(so->so_tcp, addr, port);
	} else if (so->so_type == SOCK_RAW) {
		so->so_laddr = addr; /* no ports: only the source address */
		err = 0;
	} else {
		err = so_udp_bind(so, addr, port);
	}
	net_unlock();
	return err;
}

int
solisten(struct socket *so, int backlog)
{
	int err;

	if (so->so_type != SOCK_STREAM)
		return EOPNOTSUPP;
	net_lock();
	if (so->so_domain == AF_UNIX) {
		err = unp_listen(so, backlog);
		net_unlock();
		return err;
	}
	so->so_tcp->t_reuseaddr = so->so_reuseaddr;
	tcp_set_bufsizes(so->so_tcp, so->so_sndbuf, so->so_rcvbuf);
	err = tcp_listen(so->so_tcp, backlog);
	net_unlock();
	return err;
}

int
soaccept(struct socket *so, struct socket **nsop, uint32_t *faddr, uint16_t *fport)
{
	uint64_t deadline = so_deadline(so->so_rcvtimeo);
	struct socket *ns;
	struct tcpcb *c;
	int err = 0;

	if (so->so_type != SOCK_STREAM)
		return EOPNOTSUPP;
	if (so->so_domain == AF_UNIX) {
		net_lock();
		err = unp_accept(so, nsop);
		net_unlock();
		if (err == 0 && faddr != NULL)
			*faddr = 0;
		if (err == 0 && fport != NULL)
			*fport = 0;
		return err;
	}
	ns = kalloc_zero(sizeof(*ns));
	if (ns == NULL)
		return ENOBUFS;
	net_lock();
	if (so->so_tcp->t_state != TCPS_LISTEN)
		err = EINVAL;
	while (err == 0 && (c = tcp_accept(so->so_tcp)) == NULL) {
		if (so->so_nbio)
			err = EWOULDBLOCK;
		else
			err = so_sleep(so, deadline);
		if (err == 0 && so->so_tcp->t_state != TCPS_LISTEN)
			err = ECONNABORTED;
	}
	if (err == 0) {
		*ns = *so;
		ns->so_nbio = false;
		ns->so_error = 0;
		ns->so_tcp = c;
		ns->so_dq_tail = &ns->so_dq_head;
		c->t_upcall = so_tcp_upcall;
		c->t_upcall_arg = ns;
		if (faddr != NULL)
			*faddr = c->t_faddr;
		if (fport != NULL)
			*fport = c->t_fport;
		*nsop = ns;
	}
	net_unlock();
	if (err != 0)
		kfree(ns, sizeof(*ns));
	return err;
}

int
soconnect(struct socket *so, uint32_t addr, uint16_t port)
{
	uint64_t deadline = so_deadline(so->so_sndtimeo);
	struct tcpcb *tp = so->so_tcp;
	int err = 0;

	if (so->so_domain != AF_INET)
		return EAFNOSUPPORT;
	net_lock();
	if (so->so_type != SOCK_STREAM) {
		if (so->so_type == SOCK_DGRAM && so->so_lport == 0)
			err = so_udp_bind(so, 0, 0);
		if (err == 0) {
			so->so_faddr = addr;
			so->so_fport = port;
		}
		net_unlock();
		return err;
	}
	tp->t_reuseaddr = so->so_reuseaddr;
	tcp_set_bufsizes(tp, so->so_sndbuf, so->so_rcvbuf);
	if (so->so_nodelay)
		tp->t_flags |= TF_NODELAY;
	if (so->so_keepalive)
		tp->t_flags |= TF_KEEPALIVE;
	err = tcp_connect(tp, addr, port);
	if (err == 0 && so->so_nbio)
		err = EINPROGRESS;
	while (err == 0 && tp->t_state == TCPS_SYN_SENT)
		err = so_sleep(so, deadline);
	if (err == 0 && tp->t_state == TCPS_CLOSED)
		err = tp->t_error != 0 ? tp->t_error : ECONNREFUSED;
	if (err == EWOULDBLOCK)
		err = ETIMEDOUT;
	net_unlock();
	return err;
}

static int
so_tcp_send(struct socket *so, struct so_uio *uio, int flags, size_t *sent)
{
	uint64_t deadline = so_deadline(so->so_sndtimeo);
	uint8_t bounce[SO_BOUNCE];
	struct tcpcb *tp = so->so_tcp;
	int err = 0;

	while (uio->uio_resid > 0) {
		uint32_t space = tcp_send_space(tp);
		size_t n;
		long took;

		if (so->so_snd_shut || tp->t_state == TCPS_CLOSED) {
			err = tp->t_error != 0 && tp->t_state == TCPS_CLOSED ? tp->t_error : EPIPE;
			if (err == ECONNREFUSED)
				err = EPIPE;
			break;
		}
		if (!TCPS_HAVEESTABLISHED(tp->t_state)) {
			err = ENOTCONN;
			break;
		}
		if (space == 0) {
			err = so_wait(so, flags, deadline);
			if (err != 0)
				break;
			continue;
		}
		n = MIN(MIN((size_t)space, uio->uio_resid), sizeof(bounce));
		err = so_uiomove(bounce, n, uio, false);
		if (err != 0)
			break;
		took = tcp_send(tp, bounce, n);
		if (took < 0) {
			err = (int)-took;
			break;
		}
		*sent += (size_t)took; /* n ≤ space: all of it was taken */
	}
	if (*sent > 0 && (err == EWOULDBLOCK || err == EPIPE))
		err = 0; /* a partial send reports its count; the error comes next time */
	return err;
}

static int
so_udp_send(struct socket *so, struct so_uio *uio, const uint32_t *to_addr, uint16_t to_port,
	    size_t *sent)
{
	uint8_t buf[IF_MTU_DEFAULT - IP_HDR_LEN - UDP_HDR_LEN];
	uint32_t dst = to_addr != NULL ? *to_addr : so->so_faddr;
	uint16_t dport = to_addr != NULL ? to_port : so->so_fport;
	size_t n = uio->uio_resid;
	struct ifnet *ifp;
	int err;

	if (so->so_snd_shut)
		return EPIPE;
	if (dst == 0 || dport == 0)
		return to_addr != NULL ? EINVAL : ENOTCONN;
	if (n > sizeof(buf))
		return EMSGSIZE; /* XXX: no fragmentation on output */
	if (so->so_lport == 0 && (err = so_udp_bind(so, 0, 0)) != 0)
		return err;
	ifp = ip_route(dst, so->so_laddr);
	if (ifp == NULL)
		return ENETUNREACH;
	err = so_uiomove(buf, n, uio, false);
	if (err == 0)
		err = udp_output(ifp, so->so_laddr, so->so_lport, dst, dport, buf, n);
	if (err == 0)
		*sent = n;
	return err;
}

int
sosend(struct socket *so, struct so_uio *uio, const uint32_t *to_addr, uint16_t to_port,
       int flags, size_t *sent)
{
	int err;

	*sent = 0;
	net_lock();
	if (so->so_error != 0) {
		err = so->so_error;
		so->so_error = 0;
	} else if (so->so_domain == AF_UNIX) {
		err = unp_send(so, uio, NULL, flags, sent);
	} else if (so->so_type == SOCK_STREAM) {
		err = so_tcp_send(so, uio, flags, sent);
	} else if (so->so_type == SOCK_RAW) {
		err = rip_send(so, uio, to_addr, sent);
	} else {
		err = so_udp_send(so, uio, to_addr, to_port, sent);
	}
	net_unlock();
	return err;
}

static int
so_tcp_receive(struct socket *so, struct so_uio *uio, int flags, size_t *got)
{
	uint64_t deadline = so_deadline(so->so_rcvtimeo);
	uint8_t bounce[SO_BOUNCE];
	struct tcpcb *tp = so->so_tcp;
	int err = 0;

	while (uio->uio_resid > 0) {
		uint32_t avail = tcp_recv_avail(tp);
		size_t n;

		if (avail == 0) {
			if (*got > 0 && !(flags & MSG_WAITALL))
				break;
			if (tp->t_state == TCPS_CLOSED && tp->t_error != 0) {
				err = tp->t_error;
				break;
			}
			if (so->so_rcv_shut || TCPS_HAVERCVDFIN(tp->t_state) ||
			    tp->t_state == TCPS_CLOSED)
				break; /* end of stream */
			if (tp->t_state == TCPS_LISTEN ||
			    (tp->t_state < TCPS_SYN_SENT && tp->t_fport == 0)) {
				err = ENOTCONN;
				break;
			}
			err = so_wait(so, flags, deadline);
			if (err != 0)
				break;
			continue;
		}
		n = MIN(MIN((size_t)avail, uio->uio_resid), sizeof(bounce));
		if (flags & MSG_PEEK) {
			tcp_ring_peek(&tp->t_rcv, 0, bounce, (uint32_t)n);
			err = so_uiomove(bounce, n, uio, true);
			*got += n;
			break;
		}
		tcp_recv(tp, bounce, n);
		err = so_uiomove(bounce, n, uio, true);
		if (err != 0)
			break;
		*got += n;
	}
	if (*got > 0 && (err == EWOULDBLOCK || err == ECONNRESET))
		err = 0;
	return err;
}

int
so_dgram_receive(struct socket *so, struct so_uio *uio, uint32_t *from_addr, uint16_t *from_port,
	       int flags, size_t *got)
{
	uint64_t deadline = so_deadline(so->so_rcvtimeo);
	struct so_dgram *d;
	int err = 0;

	while ((d = so->so_dq_head) == NULL) {
		if (so->so_rcv_shut)
			return 0;
		if (so->so_nbio || (flags & MSG_DONTWAIT))
			return EWOULDBLOCK;
		if ((err = so_sleep(so, deadline)) != 0)
			return err;
	}
	*got = MIN((size_t)d->sd_len, uio->uio_resid); /* XXX: MSG_TRUNC is not reported */
	err = so_uiomove(d->sd_data, *got, uio, true);
	if (from_addr != NULL)
		*from_addr = d->sd_addr;
	if (from_port != NULL)
		*from_port = d->sd_port;
	if (!(flags & MSG_PEEK)) {
		so->so_dq_head = d->sd_next;
		if (so->so_dq_head == NULL)
			so->so_dq_tail = &so->so_dq_head;
		so->so_dq_bytes -= d->sd_len;
		kfree(d, sizeof(*d) + d->sd_len);
	}
	return err;
}

int
soreceive(struct socket *so, struct so_uio *uio, uint32_t *from_addr, uint16_t *from_port,
	  int flags, size_t *got)
{
	int err;

	*got = 0;
	net_lock();
	if (so->so_error != 0) {
		err = so->so_error;
		so->so_error = 0;
	} else if (so->so_domain == AF_UNIX) {
		err = unp_receive(so, uio, flags, got);
	} else if (so->so_type == SOCK_STREAM) {
		err = so_tcp_receive(so, uio, flags, got);
		if (from_addr != NULL)
			*from_addr = so->so_tcp->t_faddr;
		if (from_port != NULL)
			*from_port = so->so_tcp->t_fport;
	} else {
		err = so_dgram_receive(so, uio, from_addr, from_port, flags, got);
	}
	net_unlock();
	return err;
}

int
soshutdown(struct socket *so, int how)
{
	int err;

	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return EINVAL;
	net_lock();
	if (so->so_domain == AF_UNIX) {
		err = unp_shutdown(so, how);
		net_unlock();
		return err;
	}
	if (so->so_type == SOCK_STREAM && !TCPS_HAVEESTABLISHED(so->so_tcp->t_state) &&
	    so->so_tcp->t_state != TCPS_SYN_RECEIVED) {
		net_unlock();
		return ENOTCONN;
	}
	if (how != SHUT_WR)
		so->so_rcv_shut = true;
	if (how != SHUT_RD) {
		so->so_snd_shut = true;
		if (so->so_type == SOCK_STREAM)
			tcp_shutdown(so->so_tcp);
	}
	thread_wakeup(so);
	net_unlock();
	return 0;
}

int
soclose(struct socket *so)
{
	net_lock();
	if (so->so_domain == AF_UNIX) {
		unp_detach(so);
	} else if (so->so_type == SOCK_STREAM) {
		tcp_close(so->so_tcp);
	} else if (so->so_type == SOCK_RAW) {
		rip_detach(so);
	} else {
		if (so->so_lport != 0)
			udp_unbind(so->so_lport);
	}
	so_dgram_flush(so);
	net_unlock();
	kfree(so, sizeof(*so));
	return 0;
}

static int
so_get_int(const void *val, size_t len, int *out)
{
	if (val == NULL || len < sizeof(int))
		return EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

int
sosetopt(struct socket *so, int level, int name, const void *val, size_t len)
{
	struct tcpcb *tp = so->so_tcp;
	struct so_timeval tv;
	int v = 0, err = 0;

	if (level == IPPROTO_TCP && name == TCP_NODELAY && tp != NULL) {
		if ((err = so_get_int(val, len, &v)) != 0)
			return err;
		net_lock();
		so->so_nodelay = v != 0;
		if (v)
			tp->t_flags |= TF_NODELAY;
		else
			tp->t_flags &= ~TF_NODELAY;
		tcp_output(tp); /* what Nagle held back may go now */
		net_unlock();
		return 0;
	}
	if (level != SOL_SOCKET)
		return ENOPROTOOPT;
	switch (name) {
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		if (val == NULL || len < sizeof(tv))
			return EINVAL;
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return EDOM;
		if (name == SO_RCVTIMEO)
			so->so_rcvtimeo = (uint64_t)tv.tv_sec * 1000000000ull +
					  (uint64_t)tv.tv_usec * 1000;
		else
			so->so_sndtimeo = (uint64_t)tv.tv_sec * 1000000000ull +
					  (uint64_t)tv.tv_usec * 1000;
		return 0;
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
	case SO_SNDBUF:
	case SO_RCVBUF:
		if ((err = so_get_int(val, len, &v)) != 0)
			return err;
		break;
	default:
		return ENOPROTOOPT;
	}
	net_lock();
	switch (name) {
	case SO_REUSEADDR:
		so->so_reuseaddr = v != 0;
		if (tp != NULL)
			tp->t_reuseaddr = v != 0;
		break;
	case SO_KEEPALIVE:
		so->so_keepalive = v != 0;
		if (tp != NULL && v) {
			tp->t_flags |= TF_KEEPALIVE;
			if (TCPS_HAVEESTABLISHED(tp->t_state))
				tp->t_timer[TT_KEEP] = net_now_ns() + tp->t_keepidle;
		} else if (tp != NULL) {
			tp->t_flags &= ~TF_KEEPALIVE;
			tp->t_timer[TT_KEEP] = 0;
		}
		break;
	case SO_SNDBUF:
	case SO_RCVBUF:
		/* As Linux: the value is doubled for bookkeeping, and clamped. */
		v = v <= 0 ? (int)TCP_BUF_MIN : v;
		if (name == SO_SNDBUF)
			so->so_sndbuf = MAX(TCP_BUF_MIN, MIN((uint32_t)v, TCP_BUF_MAX));
		else
			so->so_rcvbuf = MAX(TCP_BUF_MIN, MIN((uint32_t)v, TCP_BUF_MAX));
		if (tp != NULL)
			tcp_set_bufsizes(tp, so->so_sndbuf, so->so_rcvbuf);
		break;
	}
	net_unlock();
	return 0;
}

int
sogetopt(struct socket *so, int level, int name, void *val, size_t *len)
{
	struct so_timeval tv;
	int v;

	if (level == IPPROTO_TCP && name == TCP_NODELAY && so->so_tcp != NULL) {
		v = so->so_nodelay;
	} else if (level != SOL_SOCKET) {
		return ENOPROTOOPT;
	} else {
		switch (name) {
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			uint64_t t = name == SO_RCVTIMEO ? so->so_rcvtimeo : so->so_sndtimeo;

			if (*len < sizeof(tv))
				return EINVAL;
			tv.tv_sec = (int64_t)(t / 1000000000ull);
			tv.tv_usec = (int64_t)(t % 1000000000ull / 1000);
			memcpy(val, &tv, sizeof(tv));
			*len = sizeof(tv);
			return 0;
		}
		case SO_REUSEADDR:
			v = so->so_reuseaddr;
			break;
		case SO_KEEPALIVE:
			v = so->so_keepalive;
			break;
		case SO_TYPE:
			v = so->so_type;
			break;
		case SO_SNDBUF:
			v = (int)so->so_sndbuf;
			break;
		case SO_RCVBUF:
			v = (int)so->so_rcvbuf;
			break;
		case SO_ERROR:
			net_lock();
			v = so->so_error;
			so->so_error = 0;
			if (v == 0 && so->so_tcp != NULL && so->so_tcp->t_state == TCPS_CLOSED)
				v = so->so_tcp->t_error;
			net_unlock();
			break;
		default:
			return ENOPROTOOPT;
		}
	}
	if (*len < sizeof(int))
		return EINVAL;
	memcpy(val, &v, sizeof(int));
	*len = sizeof(int);
	return 0;
}

int
sogetaddr(struct socket *so, bool peer, uint32_t *addr, uint16_t *port)
{
	if (so->so_domain != AF_INET)
		return EAFNOSUPPORT;
	net_lock();
	if (so->so_type == SOCK_STREAM) {
		*addr = peer ? so->so_tcp->t_faddr : so->so_tcp->t_laddr;
		*port = peer ? so->so_tcp->t_fport : so->so_tcp->t_lport;
	} else {
		*addr = peer ? so->so_faddr : so->so_laddr;
		*port = peer ? so->so_fport : so->so_lport;
	}
	net_unlock();
	return peer && *port == 0 ? ENOTCONN : 0;
}

void
so_set_nbio(struct socket *so, bool on)
{
	so->so_nbio = on;
}

unsigned
so_poll(struct socket *so)
{
	unsigned ev = 0;

	net_lock();
	if (so->so_domain == AF_UNIX) {
		ev = unp_poll(so);
	} else if (so->so_type != SOCK_STREAM) {
		if (so->so_dq_head != NULL || so->so_rcv_shut)
			ev |= SO_POLLIN;
		ev |= SO_POLLOUT;
	} else {
		struct tcpcb *tp = so->so_tcp;

		if (tp->t_state == TCPS_LISTEN) {
			if (tp->t_q != NULL)
				ev |= SO_POLLIN;
		} else {
			if (tcp_recv_avail(tp) != 0 || TCPS_HAVERCVDFIN(tp->t_state) ||
			    so->so_rcv_shut)
				ev |= SO_POLLIN;
			if (tcp_send_space(tp) != 0 && TCPS_HAVEESTABLISHED(tp->t_state))
				ev |= SO_POLLOUT;
			if (tp->t_state == TCPS_CLOSED && tp->t_fport != 0) {
				ev |= SO_POLLHUP | SO_POLLIN;
				if (tp->t_error != 0)
					ev |= SO_POLLERR;
			}
		}
	}
	if (so->so_error != 0)
		ev |= SO_POLLERR;
	net_unlock();
	return ev;
}
