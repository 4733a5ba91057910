/*
 * socket.h — the kernel socket layer (BSD kern/uipc_socket.c, reduced): AF_INET stream
 * (TCP) and datagram (UDP) sockets that kernel threads use today and that the system calls
 * (socket, bind, listen, accept4, connect, sendto/recvfrom, sendmsg/recvmsg, shutdown,
 * setsockopt/getsockopt) will wrap. Constants carry their Linux values, the ABI of class 0.
 *
 * The one idea: a socket's state lives under the network lock, like the protocols under it;
 * a thread that must wait asserts a wait on the socket, drops the lock and sleeps, and the
 * protocol's upcall (data, space, connection, error) wakes it. Data moves through a
 * struct so_uio, a list of buffers that today are kernel memory and later may be a user's.
 */
#ifndef _BSD_NET_SOCKET_H_
#define _BSD_NET_SOCKET_H_

#include <bsd/net/tcp.h>

#define AF_UNIX	    1
#define AF_INET	    2
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define SOCK_RAW    3 /* AF_INET, IPPROTO_ICMP only (raw_ip.c) */

#define SOL_SOCKET   1
#define SO_REUSEADDR 2
#define SO_TYPE	     3
#define SO_ERROR     4
#define SO_SNDBUF    7
#define SO_RCVBUF    8
#define SO_KEEPALIVE 9
#define SO_RCVTIMEO  20
#define SO_SNDTIMEO  21
#define TCP_NODELAY  1

#define MSG_PEEK     0x02
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL  0x100

#define SHUT_RD	  0
#define SHUT_WR	  1
#define SHUT_RDWR 2

#define SO_POLLIN  0x001
#define SO_POLLOUT 0x004
#define SO_POLLERR 0x008
#define SO_POLLHUP 0x010

#define SO_UDP_RCVBUF_DEFAULT (64u * 1024)

/* Where the bytes of a send or receive are: kernel memory today, a user's later. */
enum so_uio_seg { SO_UIO_SYSSPACE, SO_UIO_USERSPACE };
struct so_iovec {
	void *iov_base;
	size_t iov_len;
};
struct so_uio {
	struct so_iovec *uio_iov;	/* advanced as bytes move */
	unsigned uio_iovcnt;
	size_t uio_resid;		/* bytes left to move */
	enum so_uio_seg uio_seg;
};
/* so_uio_kernel: describe one kernel buffer (iov is the caller's storage). */
void so_uio_kernel(struct so_uio *uio, struct so_iovec *iov, void *buf, size_t len);

/* A timeout as setsockopt's struct timeval (Linux x86-64 layout). */
struct so_timeval {
	int64_t tv_sec, tv_usec;
};

struct so_dgram;
struct unpcb;

struct socket {
	int so_domain;			/* AF_INET, AF_UNIX */
	int so_type;			/* SOCK_STREAM, SOCK_DGRAM */
	bool so_nbio;			/* O_NONBLOCK / FIONBIO */
	bool so_reuseaddr, so_keepalive, so_nodelay;
	bool so_rcv_shut, so_snd_shut;
	int so_error;			/* pending error (SO_ERROR), 0 */
	uint64_t so_rcvtimeo, so_sndtimeo; /* ns, 0: wait forever */
	uint32_t so_rcvbuf, so_sndbuf;
	struct tcpcb *so_tcp;		/* SOCK_STREAM */
	/* SOCK_DGRAM: addresses (host order) and the queue of received datagrams */
	uint32_t so_laddr, so_faddr;
	uint16_t so_lport, so_fport;
	struct so_dgram *so_dq_head, **so_dq_tail;
	uint32_t so_dq_bytes;
	uint64_t so_dq_drops;
	struct unpcb *so_unp;		/* AF_UNIX (unp.c) */
};

/*
 * The calls. Every one takes the network lock itself (so the caller must not hold it), may
 * sleep (thread context), and returns 0 or a positive errno:
 *   EAFNOSUPPORT/EPROTONOSUPPORT/ESOCKTNOSUPPORT (socreate), EADDRINUSE/EADDRNOTAVAIL/EINVAL
 *   (sobind), EWOULDBLOCK (non-blocking, or SO_RCVTIMEO/SO_SNDTIMEO ran out; a partial
 *   transfer returns 0 with the count instead), EINPROGRESS (non-blocking connect),
 *   ECONNREFUSED/ECONNRESET/ETIMEDOUT (the connection failed), EPIPE (send after shutdown or
 *   reset), ENOTCONN, EISCONN, EMSGSIZE (a datagram larger than one packet), ENOBUFS.
 * Addresses and ports are host order. A socket is used by one thread at a time (XXX: the fd
 * layer will hold references and serialise).
 */
int socreate(int domain, int type, int protocol, struct socket **sop);
int sobind(struct socket *so, uint32_t addr, uint16_t port);
int solisten(struct socket *so, int backlog);
/* soaccept: wait (SO_RCVTIMEO) for a connection on listener so; *nsop is a new socket. */
int soaccept(struct socket *so, struct socket **nsop, uint32_t *faddr, uint16_t *fport);
/* soconnect: TCP: open and wait (SO_SNDTIMEO) until established; UDP: set the peer. */
int soconnect(struct socket *so, uint32_t addr, uint16_t port);
/* sosend: send uio (to addr:port for an unconnected UDP socket); *sent: bytes taken. */
int sosend(struct socket *so, struct so_uio *uio, const uint32_t *to_addr, uint16_t to_port,
	   int flags, size_t *sent);
/* soreceive: receive into uio; *got: bytes (0 with return 0: end of stream). from may be NULL. */
int soreceive(struct socket *so, struct so_uio *uio, uint32_t *from_addr, uint16_t *from_port,
	      int flags, size_t *got);
int soshutdown(struct socket *so, int how);
/* soclose: release so (it must not be used again). TCP closes gracefully in the background. */
int soclose(struct socket *so);
int sosetopt(struct socket *so, int level, int name, const void *val, size_t len);
/* sogetopt: *len is the buffer's size on entry, the value's on return. */
int sogetopt(struct socket *so, int level, int name, void *val, size_t *len);
int sogetaddr(struct socket *so, bool peer, uint32_t *addr, uint16_t *port);

/*
 * AF_UNIX (unp.c): names are strings in a kernel namespace of their own (XXX: bound in the
 * file system once bsd/vfs can make socket vnodes). For AF_UNIX sockets sosend's to_addr is
 * ignored (use sosend_unix), and soreceive reports no source address.
 *   sobind_unix: EADDRINUSE, EINVAL (empty, too long, already bound).
 *   soconnect_unix: ECONNREFUSED (nobody listens there, or its queue is full), EPROTOTYPE.
 *   sopair: connect two new sockets of type to each other (socketpair).
 */
#define UNP_PATH_MAX 108
int sobind_unix(struct socket *so, const char *path);
int soconnect_unix(struct socket *so, const char *path);
int sosend_unix(struct socket *so, struct so_uio *uio, const char *to_path, int flags,
		size_t *sent);
int sopair(int type, struct socket **a, struct socket **b);
void so_set_nbio(struct socket *so, bool on);
/* so_poll: which of SO_POLLIN/OUT/ERR/HUP hold now (for poll/select). */
unsigned so_poll(struct socket *so);

/* The debug shell's netstat and its TCP services (socket_shell.c). */
void net_shell_netstat(int argc, char **argv);

#endif /* _BSD_NET_SOCKET_H_ */
