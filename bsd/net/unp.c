/*
 * unp.c — AF_UNIX sockets between endpoints of this kernel (BSD kern/uipc_usrreq.c, reduced):
 * stream sockets that listen, connect and accept by name or come in pairs (socketpair), and
 * datagram sockets that send to a name or to a connected peer.
 *
 * The one idea: there is no protocol, only memory. A stream socket's bytes go straight into
 * its peer's receive ring (the TCP byte ring, sized by the peer's SO_RCVBUF), so a full ring
 * is the flow control: the sender sleeps on its own socket until the reader, having made
 * room, wakes it. A datagram goes onto the receiver's datagram queue, the one UDP uses.
 * Connecting to a listener makes the server's socket at once (BSD's sonewconn) and queues it
 * for accept.
 */
#include <bsd/net/net_kern.h>
#include <bsd/net/socket_var.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>

struct unpcb {
	struct socket *unp_so;
	struct unpcb *unp_peer;		/* the other end (stream), the default target (dgram) */
	struct unpcb *unp_next;		/* bound names */
	char unp_path[UNP_PATH_MAX];	/* "" while unbound */
	struct tcp_ring unp_rcv;	/* stream: bytes for us */
	bool unp_eof;			/* stream: the peer will write no more */
	bool unp_listening;
	struct unpcb *unp_q, *unp_qnext; /* a listener's connections waiting for accept */
	unsigned unp_qlen, unp_qlimit;
	struct unpcb *unp_head;		/* the listener whose queue holds us */
	struct unpcb *unp_allnext;	/* every AF_UNIX socket */
};

static struct unpcb *unp_bound, *unp_all;

static struct unpcb *
unp_lookup(const char *path)
{
	for (struct unpcb *u = unp_bound; u != NULL; u = u->unp_next)
		if (strcmp(u->unp_path, path) == 0)
			return u;
	return NULL;
}

static void
unp_unbind(struct unpcb *u)
{
	for (struct unpcb **pp = &unp_bound; *pp != NULL; pp = &(*pp)->unp_next) {
		if (*pp == u) {
			*pp = u->unp_next;
			break;
		}
	}
	u->unp_path[0] = '\0';
}

int
unp_attach(struct socket *so)
{
	struct unpcb *u = kalloc_zero(sizeof(*u));

	if (u == NULL)
		return ENOBUFS;
	u->unp_so = so;
	so->so_unp = u;
	u->unp_allnext = unp_all;
	unp_all = u;
	return 0;
}

static bool
unp_alloc_ring(struct unpcb *u)
{
	if (u->unp_rcv.r_buf != NULL)
		return true;
	u->unp_rcv.r_buf = kalloc(u->unp_so->so_rcvbuf);
	if (u->unp_rcv.r_buf == NULL)
		return false;
	u->unp_rcv.r_cap = u->unp_so->so_rcvbuf;
	return true;
}

/* Break the link between u and its peer; the peer sees end of stream. */
static void
unp_disconnect(struct unpcb *u)
{
	struct unpcb *p = u->unp_peer;

	if (p == NULL)
		return;
	u->unp_peer = NULL;
	if (p->unp_peer == u) {
		p->unp_peer = NULL;
		p->unp_eof = true;
		thread_wakeup(p->unp_so);
	}
}

void
unp_detach(struct socket *so)
{
	struct unpcb *u = so->so_unp;

	unp_disconnect(u);
	if (u->unp_path[0] != '\0')
		unp_unbind(u);
	/* Connections nobody accepted die with their listener. */
	while (u->unp_q != NULL) {
		struct unpcb *c = u->unp_q;

		u->unp_q = c->unp_qnext;
		unp_detach(c->unp_so);
		kfree(c->unp_so, sizeof(*c->unp_so));
	}
	/* Datagram sockets that named us as their target forget us. */
	for (struct unpcb **pp = &unp_all; *pp != NULL;) {
		if ((*pp)->unp_peer == u)
			(*pp)->unp_peer = NULL;
		if (*pp == u)
			*pp = u->unp_allnext;
		else
			pp = &(*pp)->unp_allnext;
	}
	if (u->unp_rcv.r_buf != NULL)
		kfree(u->unp_rcv.r_buf, u->unp_rcv.r_cap);
	so_dgram_flush(so);
	kfree(u, sizeof(*u));
	so->so_unp = NULL;
}

int
sobind_unix(struct socket *so, const char *path)
{
	struct unpcb *u = so->so_unp;
	size_t n = strlen(path);
	int err = 0;

	if (so->so_domain != AF_UNIX)
		return EAFNOSUPPORT;
	if (n == 0 || n >= UNP_PATH_MAX)
		return EINVAL;
	net_lock();
	if (u->unp_path[0] != '\0')
		err = EINVAL;
	else if (unp_lookup(path) != NULL)
		err = EADDRINUSE;
	if (err == 0) {
		memcpy(u->unp_path, path, n + 1);
		u->unp_next = unp_bound;
		unp_bound = u;
	}
	net_unlock();
	return err;
}

int
unp_listen(struct socket *so, int backlog)
{
	struct unpcb *u = so->so_unp;

	if (u->unp_path[0] == '\0' || u->unp_peer != NULL)
		return EINVAL;
	u->unp_listening = true;
	u->unp_qlimit = (unsigned)MAX(1, MIN(backlog, (int)TCP_BACKLOG_MAX));
	return 0;
}

/* Make so and its new server-side socket for listener l peers. Lock held. */
static int
unp_connect_stream(struct socket *so, struct unpcb *l)
{
	struct unpcb *u = so->so_unp, *c;
	struct socket *ns;

	if (!l->unp_listening || l->unp_qlen >= l->unp_qlimit)
		return ECONNREFUSED;
	ns = kalloc_zero(sizeof(*ns));
	if (ns == NULL)
		return ENOBUFS;
	*ns = *l->unp_so;
	ns->so_nbio = false;
	ns->so_error = 0;
	ns->so_dq_head = NULL;
	ns->so_dq_tail = &ns->so_dq_head;
	ns->so_dq_bytes = 0;
	if (unp_attach(ns) != 0) {
		kfree(ns, sizeof(*ns));
		return ENOBUFS;
	}
	c = ns->so_unp;
	if (!unp_alloc_ring(c) || !unp_alloc_ring(u)) {
		unp_detach(ns);
		kfree(ns, sizeof(*ns));
		return ENOBUFS;
	}
	c->unp_peer = u;
	u->unp_peer = c;
	c->unp_head = l;
	c->unp_qnext = NULL;
	{
		struct unpcb **pp = &l->unp_q;

		while (*pp != NULL)
			pp = &(*pp)->unp_qnext;
		*pp = c;
	}
	l->unp_qlen++;
	thread_wakeup(l->unp_so);
	return 0;
}

int
soconnect_unix(struct socket *so, const char *path)
{
	struct unpcb *u = so->so_unp, *l;
	int err;

	if (so->so_domain != AF_UNIX)
		return EAFNOSUPPORT;
	net_lock();
	l = unp_lookup(path);
	if (l == NULL)
		err = ECONNREFUSED;
	else if (l->unp_so->so_type != so->so_type)
		err = EPROTOTYPE;
	else if (u->unp_peer != NULL && so->so_type == SOCK_STREAM)
		err = EISCONN;
	else if (so->so_type == SOCK_STREAM)
		err = unp_connect_stream(so, l);
	else {
		u->unp_peer = l;
		err = 0;
	}
	net_unlock();
	return err;
}

int
unp_accept(struct socket *so, struct socket **nsop)
{
	struct unpcb *u = so->so_unp, *c;
	uint64_t deadline = so_deadline(so->so_rcvtimeo);
	int err = 0;

	if (!u->unp_listening)
		return EINVAL;
	while ((c = u->unp_q) == NULL) {
		if (so->so_nbio)
			return EWOULDBLOCK;
		if ((err = so_sleep(so, deadline)) != 0)
			return err;
		if (so->so_unp == NULL || !u->unp_listening)
			return ECONNABORTED;
	}
	u->unp_q = c->unp_qnext;
	u->unp_qlen--;
	c->unp_qnext = NULL;
	c->unp_head = NULL;
	*nsop = c->unp_so;
	return 0;
}

int
sopair(int type, struct socket **a, struct socket **b)
{
	int err;

	if ((err = socreate(AF_UNIX, type, 0, a)) != 0)
		return err;
	if ((err = socreate(AF_UNIX, type, 0, b)) != 0) {
		soclose(*a);
		return err;
	}
	net_lock();
	if (type == SOCK_STREAM &&
	    (!unp_alloc_ring((*a)->so_unp) || !unp_alloc_ring((*b)->so_unp))) {
		net_unlock();
		soclose(*a);
		soclose(*b);
		return ENOBUFS;
	}
	(*a)->so_unp->unp_peer = (*b)->so_unp;
	(*b)->so_unp->unp_peer = (*a)->so_unp;
	net_unlock();
	return 0;
}

static int
unp_send_stream(struct socket *so, struct so_uio *uio, int flags, size_t *sent)
{
	uint64_t deadline = so_deadline(so->so_sndtimeo);
	uint8_t bounce[SO_BOUNCE];
	struct unpcb *u = so->so_unp;
	int err = 0;

	while (uio->uio_resid > 0) {
		struct unpcb *p = u->unp_peer;
		uint32_t space;
		size_t n;

		if (so->so_snd_shut || p == NULL) {
			err = u->unp_eof || so->so_snd_shut ? EPIPE : ENOTCONN;
			break;
		}
		space = tcp_ring_space(&p->unp_rcv);
		if (space == 0 || p->unp_so->so_rcv_shut) {
			if (p->unp_so->so_rcv_shut) {
				err = EPIPE;
				break;
			}
			err = so_wait(so, flags, deadline);
			if (err != 0)
				break;
			continue;
		}
		n = MIN(MIN((size_t)space, uio->uio_resid), sizeof(bounce));
		if ((err = so_uiomove(bounce, n, uio, false)) != 0)
			break;
		tcp_ring_put(&p->unp_rcv, bounce, (uint32_t)n);
		*sent += n;
		thread_wakeup(p->unp_so);
	}
	if (*sent > 0 && (err == EWOULDBLOCK || err == EPIPE))
		err = 0;
	return err;
}

int
unp_send(struct socket *so, struct so_uio *uio, const char *to_path, int flags, size_t *sent)
{
	uint8_t buf[SO_BOUNCE];
	struct unpcb *t;
	size_t n = uio->uio_resid;
	int err;

	if (so->so_type == SOCK_STREAM)
		return unp_send_stream(so, uio, flags, sent);
	if (so->so_snd_shut)
		return EPIPE;
	t = to_path != NULL ? unp_lookup(to_path) : so->so_unp->unp_peer;
	if (t == NULL)
		return to_path != NULL ? ECONNREFUSED : ENOTCONN;
	if (t->unp_so->so_type != SOCK_DGRAM)
		return EPROTOTYPE;
	if (n > sizeof(buf))
		return EMSGSIZE; /* XXX: datagrams larger than the bounce buffer */
	if ((err = so_uiomove(buf, n, uio, false)) != 0)
		return err;
	/* XXX: a full queue drops, as UDP does; Linux would block the sender. */
	if (!so_dgram_enqueue(t->unp_so, 0, 0, buf, n))
		return ENOBUFS;
	*sent = n;
	return 0;
}

int
sosend_unix(struct socket *so, struct so_uio *uio, const char *to_path, int flags,
	    size_t *sent)
{
	int err;

	if (so->so_domain != AF_UNIX)
		return EAFNOSUPPORT;
	*sent = 0;
	net_lock();
	err = unp_send(so, uio, to_path, flags, sent);
	net_unlock();
	return err;
}

int
unp_receive(struct socket *so, struct so_uio *uio, int flags, size_t *got)
{
	uint64_t deadline = so_deadline(so->so_rcvtimeo);
	uint8_t bounce[SO_BOUNCE];
	struct unpcb *u = so->so_unp;
	int err = 0;

	if (so->so_type == SOCK_DGRAM)
		return so_dgram_receive(so, uio, NULL, NULL, flags, got);
	if (u->unp_listening)
		return ENOTCONN;
	while (uio->uio_resid > 0) {
		uint32_t avail = u->unp_rcv.r_len;
		size_t n;

		if (avail == 0) {
			if (*got > 0 && !(flags & MSG_WAITALL))
				break;
			if (u->unp_eof || so->so_rcv_shut)
				break; /* end of stream */
			if (u->unp_peer == NULL) {
				err = ENOTCONN;
				break;
			}
			err = so_wait(so, flags, deadline);
			if (err != 0)
				break;
			continue;
		}
		n = MIN(MIN((size_t)avail, uio->uio_resid), sizeof(bounce));
		tcp_ring_peek(&u->unp_rcv, 0, bounce, (uint32_t)n);
		if (!(flags & MSG_PEEK))
			tcp_ring_drop(&u->unp_rcv, (uint32_t)n);
		if ((err = so_uiomove(bounce, n, uio, true)) != 0)
			break;
		*got += n;
		if (u->unp_peer != NULL)
			thread_wakeup(u->unp_peer->unp_so); /* room for the writer */
		if (flags & MSG_PEEK)
			break;
	}
	if (*got > 0 && err == EWOULDBLOCK)
		err = 0;
	return err;
}

int
unp_shutdown(struct socket *so, int how)
{
	struct unpcb *u = so->so_unp;

	if (so->so_type == SOCK_STREAM && u->unp_peer == NULL && !u->unp_eof)
		return ENOTCONN;
	if (how != SHUT_WR)
		so->so_rcv_shut = true;
	if (how != SHUT_RD) {
		so->so_snd_shut = true;
		if (u->unp_peer != NULL && so->so_type == SOCK_STREAM) {
			u->unp_peer->unp_eof = true;
			thread_wakeup(u->unp_peer->unp_so);
		}
	}
	thread_wakeup(so);
	return 0;
}

unsigned
unp_poll(struct socket *so)
{
	struct unpcb *u = so->so_unp;
	unsigned ev = 0;

	if (so->so_type == SOCK_DGRAM) {
		if (so->so_dq_head != NULL || so->so_rcv_shut)
			ev |= SO_POLLIN;
		return ev | SO_POLLOUT;
	}
	if (u->unp_listening)
		return u->unp_q != NULL ? SO_POLLIN : 0;
	if (u->unp_rcv.r_len != 0 || u->unp_eof || so->so_rcv_shut)
		ev |= SO_POLLIN;
	if (u->unp_peer != NULL && tcp_ring_space(&u->unp_peer->unp_rcv) != 0)
		ev |= SO_POLLOUT;
	if (u->unp_peer == NULL && u->unp_eof)
		ev |= SO_POLLHUP;
	return ev;
}
