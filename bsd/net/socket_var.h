/*
 * socket_var.h — what the socket layer's files (socket.c, unp.c) share and nobody else uses:
 * sleeping on a socket, deadlines, moving bytes from and to a uio, the datagram queue.
 * All with the network lock held.
 */
#ifndef _BSD_NET_SOCKET_VAR_H_
#define _BSD_NET_SOCKET_VAR_H_

#include <bsd/net/socket.h>

#define SO_BOUNCE 2048

/* Sleep on so until woken or deadline (0: none): 0, or EWOULDBLOCK once it passed. */
int so_sleep(struct socket *so, uint64_t deadline);
/* so_wait: EWOULDBLOCK for a non-blocking socket or MSG_DONTWAIT, else so_sleep. */
int so_wait(struct socket *so, int flags, uint64_t deadline);
/* The deadline for a timeout (0: none). */
uint64_t so_deadline(uint64_t timeo);
/* Move n bytes between kbuf and uio (to_uio: into it). 0 or EFAULT. */
int so_uiomove(void *kbuf, size_t n, struct so_uio *uio, bool to_uio);
/* Queue a datagram on so (false: over so_rcvbuf or no memory, counted) and wake it. */
bool so_dgram_enqueue(struct socket *so, uint32_t addr, uint16_t port, const void *data,
		      size_t len);
/* Take the next datagram into uio, waiting as so's options say. */
int so_dgram_receive(struct socket *so, struct so_uio *uio, uint32_t *from_addr,
		     uint16_t *from_port, int flags, size_t *got);
/* Free so's queued datagrams. */
void so_dgram_flush(struct socket *so);

/* ---- raw ICMP sockets (raw_ip.c) ---- */
/* rip_attach: so hears every ICMP message for this host (ENOBUFS: too many raw sockets). */
int rip_attach(struct socket *so);
void rip_detach(struct socket *so);
/* rip_send: the caller's ICMP message (checksum included) in an IPv4 packet to dst. */
int rip_send(struct socket *so, struct so_uio *uio, const uint32_t *to_addr, size_t *sent);

/* ---- AF_UNIX (unp.c) ---- */
int unp_attach(struct socket *so);
void unp_detach(struct socket *so);
int unp_listen(struct socket *so, int backlog);
int unp_accept(struct socket *so, struct socket **nsop);
int unp_send(struct socket *so, struct so_uio *uio, const char *to_path, int flags,
	     size_t *sent);
int unp_receive(struct socket *so, struct so_uio *uio, int flags, size_t *got);
int unp_shutdown(struct socket *so, int how);
unsigned unp_poll(struct socket *so);

#endif /* _BSD_NET_SOCKET_VAR_H_ */
