/*
 * socket_shell.c — the debug shell's TCP tools, built on the kernel socket layer: `netstat`
 * (TCP blocks and counters), `tcpecho PORT` (an echo service in kernel threads), `tcpwait
 * PORT N` (wait until it served N connections) and `tcpsend HOST PORT BYTES` (send a known
 * pattern, half-close, print what came back). The boot scenario net-tcp drives them against
 * a peer on the host, through QEMU's user network.
 *
 * The one idea: the pattern byte at offset i is (i % 251), so either side can check a stream
 * of any length without storing it, and a shifted or dropped byte shows at once.
 */
#include <bsd/net/net_kern.h>
#include <bsd/net/socket.h>
#include <console.h>
#include <debugshell.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

#define ECHO_SERVICES 4

struct echo_service {
	uint16_t es_port;
	struct socket *es_listen;
	unsigned es_served, es_active;
	uint64_t es_bytes;
};
static struct echo_service echo_services[ECHO_SERVICES];

/* netstat -v: a block's sequence space, windows and timers (ms from now), for debugging. */
static void
netstat_verbose(const struct tcpcb *tp)
{
	uint64_t now = net_now_ns();
	long long t[TT_NTIMERS];

	for (unsigned i = 0; i < TT_NTIMERS; i++)
		t[i] = tp->t_timer[i] == 0 ? -1 : (long long)(tp->t_timer[i] - now) / 1000000;
	printf("      snd una %u nxt +%u max +%u wnd %u cwnd %u ssthresh %u recover +%d dupacks %u"
	       " sacked %u rxtshift %u rto %llu ms flags %#x\n",
	       tp->snd_una, tp->snd_nxt - tp->snd_una, tp->snd_max - tp->snd_una, tp->snd_wnd,
	       tp->snd_cwnd, tp->snd_ssthresh, (int)(tp->snd_recover - tp->snd_una),
	       tp->t_dupacks, tp->t_nsacked, tp->t_rxtshift,
	       (unsigned long long)(tp->t_rto / 1000000), tp->t_flags);
	printf("      rcv nxt %u adv +%u ooo %u; timers rexmt %lld persist %lld keep %lld 2msl %lld"
	       " delack %lld\n", tp->rcv_nxt, tp->rcv_adv - tp->rcv_nxt, tp->t_ooo_count,
	       t[TT_REXMT], t[TT_PERSIST], t[TT_KEEP], t[TT_2MSL], t[TT_DELACK]);
}

void
net_shell_netstat(int argc, char **argv)
{
	const struct tcp_stats *s = &tcpstat;
	char la[16], fa[16];

	printf("Proto Local                 Foreign               State        Send-Q Recv-Q"
	       " rexmit srtt(us)\n");
	net_lock();
	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		printf("tcp   %15s:%-5u %15s:%-5u %-12s %6u %6u %6llu %llu\n",
		       if_ip_str(tp->t_laddr, la), tp->t_lport, if_ip_str(tp->t_faddr, fa),
		       tp->t_fport, tcp_state_names[tp->t_state], tp->t_snd.r_len, tp->t_rcv.r_len,
		       (unsigned long long)(tp->t_rexmits + tp->t_fastrexmits),
		       (unsigned long long)(tp->t_srtt / 1000));
		if (argc > 1 && strcmp(argv[1], "-v") == 0)
			netstat_verbose(tp);
	}
	printf("tcp: %llu segs out (%llu rexmit, %llu acks, %llu rst, %llu queue full), %llu in "
	       "(%llu dup, %llu out-of-order, %llu bad sum)\n",
	       (unsigned long long)s->sndpack, (unsigned long long)s->sndrexmitpack,
	       (unsigned long long)s->sndacks, (unsigned long long)s->sndrst,
	       (unsigned long long)s->sndnobufs,
	       (unsigned long long)s->rcvpack, (unsigned long long)s->rcvduppack,
	       (unsigned long long)s->rcvoopack, (unsigned long long)s->rcvbadsum);
	printf("tcp: %llu connects %llu accepts %llu drops; timeouts %llu fast rexmit %llu "
	       "partial acks %llu; syn queue evictions %llu listen overflows %llu\n",
	       (unsigned long long)s->connects, (unsigned long long)s->accepts,
	       (unsigned long long)s->drops, (unsigned long long)s->rexmttimeo,
	       (unsigned long long)s->fastrexmit, (unsigned long long)s->partialack,
	       (unsigned long long)s->synq_evicted, (unsigned long long)s->listen_overflow);
	net_unlock();
}

/*
 * Wait (up to a minute) until the peer has acknowledged everything, our FIN included, so that
 * "served" means the echo arrived and a tcpwait that returns is not followed by a power-off
 * while the echo's tail is still queued (SO_LINGER's wait, for this one kernel service).
 */
static void
echo_linger(struct socket *so)
{
	uint64_t deadline = clock_get_uptime() + 60ull * 1000000000;

	for (;;) {
		int st;

		net_lock();
		st = so->so_tcp->t_state;
		net_unlock();
		if (st == TCPS_CLOSED || st == TCPS_TIME_WAIT || st == TCPS_FIN_WAIT_2 ||
		    clock_get_uptime() >= deadline)
			return;
		thread_sleep_ns(20000000);
	}
}

/* One echo connection: everything read is written back until the peer half-closes. */
static void
echo_conn_thread(void *arg, wait_result_t wr)
{
	struct socket *so = arg;
	struct echo_service *es = NULL;
	uint8_t buf[1024];
	uint32_t la;
	uint16_t lport;

	(void)wr;
	sogetaddr(so, false, &la, &lport);
	for (unsigned i = 0; i < ECHO_SERVICES; i++)
		if (echo_services[i].es_port == lport)
			es = &echo_services[i];
	for (;;) {
		struct so_iovec iov;
		struct so_uio uio;
		size_t got = 0, sent = 0;

		so_uio_kernel(&uio, &iov, buf, sizeof(buf));
		if (soreceive(so, &uio, NULL, NULL, 0, &got) != 0 || got == 0)
			break;
		so_uio_kernel(&uio, &iov, buf, got);
		if (sosend(so, &uio, NULL, 0, 0, &sent) != 0 || sent != got)
			break;
		if (es != NULL)
			__atomic_fetch_add(&es->es_bytes, got, __ATOMIC_RELAXED);
	}
	soshutdown(so, SHUT_WR);
	echo_linger(so);
	soclose(so);
	if (es != NULL) {
		__atomic_fetch_sub(&es->es_active, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&es->es_served, 1, __ATOMIC_RELEASE);
	}
}

static void
echo_listen_thread(void *arg, wait_result_t wr)
{
	struct echo_service *es = arg;

	(void)wr;
	for (;;) {
		struct socket *c;
		thread_t t;

		if (soaccept(es->es_listen, &c, NULL, NULL) != 0) {
			thread_sleep_ns(100000000);
			continue;
		}
		__atomic_fetch_add(&es->es_active, 1, __ATOMIC_RELAXED);
		if (kernel_thread_start(echo_conn_thread, c, &t) != KERN_SUCCESS) {
			__atomic_fetch_sub(&es->es_active, 1, __ATOMIC_RELAXED);
			soclose(c);
			continue;
		}
		thread_set_name(t, "tcpecho");
		thread_deallocate(t);
	}
}

static void
net_shell_tcpecho(int argc, char **argv)
{
	struct echo_service *es = NULL;
	uint64_t port;
	int one = 1, err;
	thread_t t;

	if (argc != 2 || !kstrtou64(argv[1], strlen(argv[1]), 10, &port) || port == 0 ||
	    port > 65535) {
		printf("usage: tcpecho PORT\n");
		return;
	}
	for (unsigned i = 0; i < ECHO_SERVICES; i++) {
		if (echo_services[i].es_port == port) {
			printf("tcpecho: already serving port %llu\n", (unsigned long long)port);
			return;
		}
		if (echo_services[i].es_port == 0 && es == NULL)
			es = &echo_services[i];
	}
	if (es == NULL) {
		printf("tcpecho: too many services\n");
		return;
	}
	if ((err = socreate(AF_INET, SOCK_STREAM, 0, &es->es_listen)) != 0) {
		printf("tcpecho: socket: error %d\n", err);
		return;
	}
	sosetopt(es->es_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((err = sobind(es->es_listen, 0, (uint16_t)port)) != 0 ||
	    (err = solisten(es->es_listen, 16)) != 0) {
		printf("tcpecho: bind/listen port %llu: error %d\n", (unsigned long long)port, err);
		soclose(es->es_listen);
		return;
	}
	es->es_port = (uint16_t)port;
	if (kernel_thread_start(echo_listen_thread, es, &t) != KERN_SUCCESS) {
		printf("tcpecho: no thread\n");
		return;
	}
	thread_set_name(t, "tcpecho-listen");
	thread_deallocate(t);
	printf("tcpecho: listening on port %llu\n", (unsigned long long)port);
}

static void
net_shell_tcpwait(int argc, char **argv)
{
	uint64_t port, n, deadline = clock_get_uptime() + 120ull * 1000000000;
	struct echo_service *es = NULL;

	if (argc != 3 || !kstrtou64(argv[1], strlen(argv[1]), 10, &port) ||
	    !kstrtou64(argv[2], strlen(argv[2]), 10, &n)) {
		printf("usage: tcpwait PORT N\n");
		return;
	}
	for (unsigned i = 0; i < ECHO_SERVICES; i++)
		if (echo_services[i].es_port == port && port != 0)
			es = &echo_services[i];
	if (es == NULL) {
		printf("tcpwait: no echo service on port %llu\n", (unsigned long long)port);
		return;
	}
	while (__atomic_load_n(&es->es_served, __ATOMIC_ACQUIRE) < n &&
	       clock_get_uptime() < deadline)
		thread_sleep_ns(50000000);
	printf("tcpwait: %u connections served, %llu bytes echoed\n", es->es_served,
	       (unsigned long long)es->es_bytes);
}

static void
net_shell_tcpsend(int argc, char **argv)
{
	uint64_t port, total, t0, t1;
	uint8_t buf[2048], reply[256];
	size_t sent_total = 0, rlen = 0, got = 0;
	struct so_timeval tv = { 30, 0 };
	struct socket *so;
	uint32_t dst;
	int err;

	if (argc != 4 || !if_parse_ip(argv[1], &dst) ||
	    !kstrtou64(argv[2], strlen(argv[2]), 10, &port) || port == 0 || port > 65535 ||
	    !kstrtou64(argv[3], strlen(argv[3]), 10, &total)) {
		printf("usage: tcpsend HOST PORT BYTES\n");
		return;
	}
	if ((dst >> 24) != 127 && (if_first() == NULL ||
				   !net_wait_configured(if_first(), 5000000000ull))) {
		printf("tcpsend: no configured interface\n");
		return;
	}
	if ((err = socreate(AF_INET, SOCK_STREAM, 0, &so)) != 0) {
		printf("tcpsend: socket: error %d\n", err);
		return;
	}
	sosetopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sosetopt(so, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	t0 = clock_get_uptime();
	if ((err = soconnect(so, dst, (uint16_t)port)) != 0) {
		printf("tcpsend: connect: error %d\n", err);
		soclose(so);
		return;
	}
	while (sent_total < total) {
		size_t n = MIN(sizeof(buf), (size_t)(total - sent_total)), sent = 0;
		struct so_iovec iov;
		struct so_uio uio;

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)((sent_total + i) % 251);
		so_uio_kernel(&uio, &iov, buf, n);
		err = sosend(so, &uio, NULL, 0, 0, &sent);
		sent_total += sent;
		if (err != 0 || sent == 0)
			break;
	}
	t1 = clock_get_uptime();
	soshutdown(so, SHUT_WR);
	for (;;) {
		struct so_iovec iov;
		struct so_uio uio;

		so_uio_kernel(&uio, &iov, buf, sizeof(buf));
		if (soreceive(so, &uio, NULL, NULL, 0, &got) != 0 || got == 0)
			break;
		if (rlen < sizeof(reply) - 1) {
			size_t c = MIN(got, sizeof(reply) - 1 - rlen);

			memcpy(reply + rlen, buf, c);
			rlen += c;
		}
	}
	reply[rlen] = 0;
	for (size_t i = 0; i < rlen; i++)
		if (reply[i] == '\n' || reply[i] == '\r')
			reply[i] = ' ';
	printf("tcpsend: sent %llu of %llu bytes in %llu ms (error %d); reply: %s\n",
	       (unsigned long long)sent_total, (unsigned long long)total,
	       (unsigned long long)((t1 - t0) / 1000000), err, (const char *)reply);
	soclose(so);
}

DEBUGSHELL_COMMAND(netstat, "TCP connections and counters (netstat -v: each block's state)",
		   net_shell_netstat);
DEBUGSHELL_COMMAND(tcpecho, "tcpecho PORT: start a TCP echo service", net_shell_tcpecho);
DEBUGSHELL_COMMAND(tcpwait, "tcpwait PORT N: wait until the echo service served N connections",
		   net_shell_tcpwait);
DEBUGSHELL_COMMAND(tcpsend, "tcpsend HOST PORT BYTES: send a pattern, print the reply",
		   net_shell_tcpsend);
