/*
 * socket_ktest.c — in-kernel tests of lo0, TCP and the socket layer, with kernel threads on
 * both ends of 127.0.0.1: a 256 KiB echo exchange checked byte for byte, a refused connect,
 * accept and receive time-outs and non-blocking calls, UDP over loopback with an ICMP port
 * unreachable for a closed port, ping of 127.0.0.1, and both ends of a closed connection
 * reaching CLOSED/TIME_WAIT; AF_UNIX stream pairs, names and datagrams. They need no
 * network device, so they run in every boot.
 */
#include <bsd/net/net_kern.h>
#include <bsd/net/socket.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

#define LO IP4(127, 0, 0, 1)
#define KT_ECHO_PORT 7101
#define KT_BYTES (256u * 1024)
#define KT_CHUNK 8192u

struct kt_echo {
	struct socket *ke_listen;
	volatile bool ke_done;
	int ke_err;
	size_t ke_bytes;
};

static void
kt_echo_server(void *arg, wait_result_t wr)
{
	struct kt_echo *ke = arg;
	struct socket *c;
	uint8_t buf[1500];

	(void)wr;
	ke->ke_err = soaccept(ke->ke_listen, &c, NULL, NULL);
	if (ke->ke_err == 0) {
		for (;;) {
			struct so_iovec iov;
			struct so_uio uio;
			size_t got, sent;

			so_uio_kernel(&uio, &iov, buf, sizeof(buf));
			ke->ke_err = soreceive(c, &uio, NULL, NULL, 0, &got);
			if (ke->ke_err != 0 || got == 0)
				break;
			so_uio_kernel(&uio, &iov, buf, got);
			ke->ke_err = sosend(c, &uio, NULL, 0, 0, &sent);
			if (ke->ke_err != 0)
				break;
			ke->ke_bytes += sent;
		}
		soclose(c);
	}
	ke->ke_done = true;
	thread_wakeup(ke);
}

static bool
kt_wait_flag(volatile bool *flag, uint64_t ns)
{
	uint64_t deadline = clock_get_uptime() + ns;

	while (!*flag && clock_get_uptime() < deadline)
		thread_sleep_ns(5000000);
	return *flag;
}

static uint8_t kt_out[KT_CHUNK], kt_in[KT_CHUNK];

KTEST(net_tcp_loopback_echo)
{
	static struct kt_echo ke;
	struct so_timeval tv = { 20, 0 };
	struct socket *c;
	uint32_t la, fa;
	uint16_t lp, fp;
	uint64_t rexmit_before = tcpstat.sndrexmitpack, t0;
	thread_t t;

	memset(&ke, 0, sizeof(ke));
	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &ke.ke_listen), 0);
	KT_ASSERT_EQ(sobind(ke.ke_listen, LO, KT_ECHO_PORT), 0);
	KT_ASSERT_EQ(solisten(ke.ke_listen, 4), 0);
	KT_ASSERT_EQ(kernel_thread_start(kt_echo_server, &ke, &t), KERN_SUCCESS);
	thread_deallocate(t);

	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &c), 0);
	sosetopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	KT_ASSERT_EQ(soconnect(c, LO, KT_ECHO_PORT), 0);
	KT_ASSERT_EQ(sogetaddr(c, true, &fa, &fp), 0);
	KT_ASSERT_EQ(fa, LO);
	KT_ASSERT_EQ(fp, KT_ECHO_PORT);
	KT_ASSERT_EQ(sogetaddr(c, false, &la, &lp), 0);
	KT_ASSERT(lp >= 49152);
	t0 = clock_get_uptime();
	for (size_t off = 0; off < KT_BYTES; off += KT_CHUNK) {
		struct so_iovec iov;
		struct so_uio uio;
		size_t sent, got;

		for (size_t i = 0; i < KT_CHUNK; i++)
			kt_out[i] = (uint8_t)((off + i) % 251);
		so_uio_kernel(&uio, &iov, kt_out, KT_CHUNK);
		KT_ASSERT_EQ(sosend(c, &uio, NULL, 0, 0, &sent), 0);
		KT_ASSERT_EQ(sent, KT_CHUNK);
		memset(kt_in, 0, sizeof(kt_in));
		so_uio_kernel(&uio, &iov, kt_in, KT_CHUNK);
		KT_ASSERT_EQ(soreceive(c, &uio, NULL, NULL, MSG_WAITALL, &got), 0);
		KT_ASSERT_EQ(got, KT_CHUNK);
		KT_ASSERT(memcmp(kt_in, kt_out, KT_CHUNK) == 0);
	}
	KT_ASSERT_EQ(soshutdown(c, SHUT_WR), 0);
	{
		struct so_iovec iov;
		struct so_uio uio;
		size_t got = 1;

		so_uio_kernel(&uio, &iov, kt_in, 16);
		KT_ASSERT_EQ(soreceive(c, &uio, NULL, NULL, 0, &got), 0);
		KT_ASSERT_EQ(got, 0); /* the server's FIN: end of stream */
	}
	KT_ASSERT(kt_wait_flag(&ke.ke_done, 5000000000ull));
	KT_ASSERT_EQ(ke.ke_err, 0);
	KT_ASSERT_EQ(ke.ke_bytes, KT_BYTES);
	/* The active closer holds TIME_WAIT; nothing was lost on lo0. */
	net_lock();
	KT_ASSERT(c->so_tcp->t_state == TCPS_TIME_WAIT);
	KT_ASSERT(c->so_tcp->t_srtt != 0);
	net_unlock();
	KT_ASSERT_EQ(tcpstat.sndrexmitpack, rexmit_before);
	t0 = clock_get_uptime() - t0;
	printf("# 256 KiB echoed over lo0 in %llu ms, 8 KiB at a time; lo0 %llu packets out\n",
	       (unsigned long long)(t0 / 1000000), (unsigned long long)if_loop.if_stats.opackets);
	soclose(c);
	soclose(ke.ke_listen);
}

KTEST(net_tcp_refused_and_timeouts)
{
	struct so_timeval tv = { 0, 50000 };
	struct socket *s, *l, *n;
	uint8_t b[8];
	struct so_iovec iov;
	struct so_uio uio;
	size_t got;
	uint64_t t0;

	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &s), 0);
	KT_ASSERT_EQ(soconnect(s, LO, 1), ECONNREFUSED); /* RST from a closed port */
	soclose(s);

	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &l), 0);
	KT_ASSERT_EQ(sobind(l, 0, 7102), 0);
	KT_ASSERT_EQ(solisten(l, 2), 0);
	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &s), 0);
	KT_ASSERT_EQ(sobind(s, 0, 7102), EADDRINUSE);
	soclose(s);
	/* A non-blocking accept with nobody connecting; then a timed one. */
	so_set_nbio(l, true);
	KT_ASSERT_EQ(soaccept(l, &n, NULL, NULL), EWOULDBLOCK);
	so_set_nbio(l, false);
	KT_ASSERT_EQ(sosetopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	t0 = clock_get_uptime();
	KT_ASSERT_EQ(soaccept(l, &n, NULL, NULL), EWOULDBLOCK);
	KT_ASSERT(clock_get_uptime() - t0 >= 40000000ull);

	/* A connection with nothing to read: the receive times out, non-blocking says so. */
	KT_ASSERT_EQ(socreate(AF_INET, SOCK_STREAM, 0, &s), 0);
	KT_ASSERT_EQ(soconnect(s, LO, 7102), 0);
	KT_ASSERT_EQ(soaccept(l, &n, NULL, NULL), 0);
	KT_ASSERT(so_poll(n) & SO_POLLOUT);
	KT_ASSERT(!(so_poll(n) & SO_POLLIN));
	KT_ASSERT_EQ(sosetopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	so_uio_kernel(&uio, &iov, b, sizeof(b));
	KT_ASSERT_EQ(soreceive(s, &uio, NULL, NULL, 0, &got), EWOULDBLOCK);
	KT_ASSERT_EQ(soreceive(s, &uio, NULL, NULL, MSG_DONTWAIT, &got), EWOULDBLOCK);
	/* Closing with unread data resets the peer (RFC 2525). */
	so_uio_kernel(&uio, &iov, b, 4);
	KT_ASSERT_EQ(sosend(n, &uio, NULL, 0, 0, &got), 0);
	KT_ASSERT_EQ(got, 4);
	thread_sleep_ns(20000000);
	KT_ASSERT(so_poll(s) & SO_POLLIN);
	soclose(s);
	thread_sleep_ns(20000000);
	so_uio_kernel(&uio, &iov, b, sizeof(b));
	KT_ASSERT_EQ(soreceive(n, &uio, NULL, NULL, 0, &got), ECONNRESET);
	soclose(n);
	soclose(l);
}

KTEST(net_udp_loopback_and_unreachable)
{
	struct so_timeval tv = { 2, 0 };
	struct socket *a, *b;
	char msg[] = "over lo0", in[32];
	uint32_t to = LO, from;
	uint16_t fport;
	struct so_iovec iov;
	struct so_uio uio;
	size_t n;
	uint64_t unreach;

	KT_ASSERT_EQ(socreate(AF_INET, SOCK_DGRAM, 0, &a), 0);
	KT_ASSERT_EQ(socreate(AF_INET, SOCK_DGRAM, 0, &b), 0);
	KT_ASSERT_EQ(sobind(b, LO, 7103), 0);
	KT_ASSERT_EQ(sosetopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	so_uio_kernel(&uio, &iov, msg, sizeof(msg));
	KT_ASSERT_EQ(sosend(a, &uio, &to, 7103, 0, &n), 0);
	so_uio_kernel(&uio, &iov, in, sizeof(in));
	KT_ASSERT_EQ(soreceive(b, &uio, &from, &fport, 0, &n), 0);
	KT_ASSERT_EQ(n, sizeof(msg));
	KT_ASSERT(memcmp(in, msg, sizeof(msg)) == 0);
	KT_ASSERT_EQ(from, LO);
	KT_ASSERT(fport >= 49152);
	/* Nobody on 7104: lo0 answers with ICMP port unreachable, which lo0 receives. */
	unreach = if_loop.if_stats.icmp_unreach_in;
	so_uio_kernel(&uio, &iov, msg, sizeof(msg));
	KT_ASSERT_EQ(sosend(a, &uio, &to, 7104, 0, &n), 0);
	KT_ASSERT_EQ(if_loop.if_stats.icmp_unreach_in, unreach + 1);
	soclose(a);
	soclose(b);
}

KTEST(net_lo0_ping)
{
	uint64_t rtt;

	net_lock();
	net_unlock();
	KT_ASSERT(if_find("lo0") == &if_loop);
	KT_ASSERT_EQ(net_ping(&if_loop, LO, 0x6c6f, 1, 1000000000ull, &rtt), 0);
	KT_ASSERT(if_loop.if_stats.icmp_echo_replied >= 1);
}

/* ---- AF_UNIX ---- */

struct kt_unix_writer {
	struct socket *kw_so;
	size_t kw_bytes;
	volatile bool kw_done;
	int kw_err;
};

static void
kt_unix_writer(void *arg, wait_result_t wr)
{
	struct kt_unix_writer *kw = arg;
	static uint8_t buf[3000];

	(void)wr;
	for (size_t off = 0; off < kw->kw_bytes && kw->kw_err == 0;) {
		struct so_iovec iov;
		struct so_uio uio;
		size_t n = MIN(sizeof(buf), kw->kw_bytes - off), sent;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)((off + i) % 251);
		so_uio_kernel(&uio, &iov, buf, n);
		kw->kw_err = sosend(kw->kw_so, &uio, NULL, 0, 0, &sent);
		off += sent;
	}
	soclose(kw->kw_so); /* the reader sees end of stream */
	kw->kw_done = true;
}

KTEST(net_unix_stream_pair_and_names)
{
	static struct kt_unix_writer kw;
	struct socket *a, *b, *l, *c, *s;
	size_t got, total = 0;
	struct so_iovec iov;
	struct so_uio uio;
	thread_t t;
	int one = 1;

	/* socketpair: 256 KiB through 64 KiB rings, writer and reader in two threads. */
	KT_ASSERT_EQ(sopair(SOCK_STREAM, &a, &b), 0);
	memset(&kw, 0, sizeof(kw));
	kw.kw_so = a;
	kw.kw_bytes = KT_BYTES;
	KT_ASSERT_EQ(kernel_thread_start(kt_unix_writer, &kw, &t), KERN_SUCCESS);
	thread_deallocate(t);
	for (;;) {
		so_uio_kernel(&uio, &iov, kt_in, sizeof(kt_in));
		KT_ASSERT_EQ(soreceive(b, &uio, NULL, NULL, 0, &got), 0);
		if (got == 0)
			break;
		for (size_t i = 0; i < got; i++)
			KT_ASSERT_EQ(kt_in[i], (uint8_t)((total + i) % 251));
		total += got;
	}
	KT_ASSERT_EQ(total, KT_BYTES);
	KT_ASSERT(kt_wait_flag(&kw.kw_done, 5000000000ull));
	KT_ASSERT_EQ(kw.kw_err, 0);
	/* The peer is gone: writing is a broken pipe. */
	so_uio_kernel(&uio, &iov, kt_in, 4);
	KT_ASSERT_EQ(sosend(b, &uio, NULL, 0, 0, &got), EPIPE);
	soclose(b);

	/* By name: bind, listen, connect, accept, both directions, half-close. */
	KT_ASSERT_EQ(socreate(AF_UNIX, SOCK_STREAM, 0, &l), 0);
	KT_ASSERT_EQ(sobind_unix(l, "/tmp/kt.sock"), 0);
	KT_ASSERT_EQ(socreate(AF_UNIX, SOCK_STREAM, 0, &c), 0);
	KT_ASSERT_EQ(sobind_unix(c, "/tmp/kt.sock"), EADDRINUSE);
	KT_ASSERT_EQ(soconnect_unix(c, "/tmp/kt.sock"), ECONNREFUSED); /* not listening */
	KT_ASSERT_EQ(solisten(l, 1), 0);
	KT_ASSERT_EQ(soconnect_unix(c, "/tmp/none"), ECONNREFUSED);
	KT_ASSERT_EQ(soconnect_unix(c, "/tmp/kt.sock"), 0);
	KT_ASSERT(so_poll(l) & SO_POLLIN);
	KT_ASSERT_EQ(soaccept(l, &s, NULL, NULL), 0);
	so_uio_kernel(&uio, &iov, (void *)"ping", 4);
	KT_ASSERT_EQ(sosend(c, &uio, NULL, 0, 0, &got), 0);
	so_uio_kernel(&uio, &iov, kt_in, sizeof(kt_in));
	KT_ASSERT_EQ(soreceive(s, &uio, NULL, NULL, 0, &got), 0);
	KT_ASSERT_EQ(got, 4);
	KT_ASSERT(memcmp(kt_in, "ping", 4) == 0);
	KT_ASSERT_EQ(soshutdown(c, SHUT_WR), 0);
	so_uio_kernel(&uio, &iov, kt_in, sizeof(kt_in));
	KT_ASSERT_EQ(soreceive(s, &uio, NULL, NULL, 0, &got), 0);
	KT_ASSERT_EQ(got, 0);
	/* Non-blocking: a full ring says EWOULDBLOCK after taking what fits. */
	so_set_nbio(s, true);
	KT_ASSERT_EQ(sosetopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	so_uio_kernel(&uio, &iov, kt_out, sizeof(kt_out));
	for (int i = 0; i < 64; i++) {
		int err;

		so_uio_kernel(&uio, &iov, kt_out, sizeof(kt_out));
		err = sosend(s, &uio, NULL, 0, 0, &got);
		if (err == EWOULDBLOCK)
			break;
		KT_ASSERT_EQ(err, 0);
		total += got;
	}
	so_uio_kernel(&uio, &iov, kt_out, sizeof(kt_out));
	KT_ASSERT_EQ(sosend(s, &uio, NULL, 0, 0, &got), EWOULDBLOCK);
	soclose(s);
	soclose(c);
	soclose(l);
}

KTEST(net_unix_datagrams)
{
	struct socket *r, *w, *p, *q;
	struct so_timeval tv = { 0, 20000 };
	struct so_iovec iov;
	struct so_uio uio;
	size_t got;

	KT_ASSERT_EQ(socreate(AF_UNIX, SOCK_DGRAM, 0, &r), 0);
	KT_ASSERT_EQ(socreate(AF_UNIX, SOCK_DGRAM, 0, &w), 0);
	KT_ASSERT_EQ(sobind_unix(r, "/run/kt.dgram"), 0);
	so_uio_kernel(&uio, &iov, (void *)"one", 3);
	KT_ASSERT_EQ(sosend_unix(w, &uio, "/run/kt.dgram", 0, &got), 0);
	so_uio_kernel(&uio, &iov, (void *)"two!", 4);
	KT_ASSERT_EQ(sosend_unix(w, &uio, "/run/kt.dgram", 0, &got), 0);
	so_uio_kernel(&uio, &iov, (void *)"x", 1);
	KT_ASSERT_EQ(sosend_unix(w, &uio, "/run/none", 0, &got), ECONNREFUSED);
	so_uio_kernel(&uio, &iov, kt_in, sizeof(kt_in));
	KT_ASSERT_EQ(soreceive(r, &uio, NULL, NULL, 0, &got), 0);
	KT_ASSERT_EQ(got, 3); /* boundaries kept */
	so_uio_kernel(&uio, &iov, kt_in, sizeof(kt_in));
	KT_ASSERT_EQ(soreceive(r, &uio, NULL, NULL, 0, &got), 0);
	KT_ASSERT_EQ(got, 4);
	KT_ASSERT_EQ(sosetopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	KT_ASSERT_EQ(soreceive(r, &uio, NULL, NULL, 0, &got), EWOULDBLOCK);
	/* A datagram pair; closing one end leaves the other unconnected. */
	KT_ASSERT_EQ(sopair(SOCK_DGRAM, &p, &q), 0);
	so_uio_kernel(&uio, &iov, (void *)"pair", 4);
	KT_ASSERT_EQ(sosend(p, &uio, NULL, 0, 0, &got), 0);
	KT_ASSERT(so_poll(q) & SO_POLLIN);
	soclose(q);
	so_uio_kernel(&uio, &iov, (void *)"pair", 4);
	KT_ASSERT_EQ(sosend(p, &uio, NULL, 0, 0, &got), ENOTCONN);
	soclose(p);
	soclose(w);
	soclose(r);
}
