/*
 * tcp_input_test.c — TCP (bsd/net/tcp_*.c) between two interfaces of the hosted stack over a
 * simulated wire (tcp_link.h): the handshake and its options, a few hundred KiB delivered
 * intact over a clean wire and over one that drops, duplicates and reorders (retransmission
 * and fast recovery, with SACK, must happen, by the counters), a refused connection, a zero window that
 * only persist probes get past, RFC 5961 challenge ACKs, a SYN flood that leaves memory
 * bounded and the listener usable, time-outs (retransmission and keep-alive), TIME_WAIT's
 * end, and no memory left behind.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "../../shim/kalloc_malloc.h"
#include "tcp_link.h"

#define PORT	 8080
#define XFER	 (300u * 1024)

static struct tcpcb *lst, *cli, *srv;
static unsigned upcalls;

static void
count_upcall(void *arg, struct tcpcb *tp)
{
	(void)arg;
	(void)tp;
	upcalls++;
}

static void
setup(void)
{
	l_init();
	lst = tcp_new();
	cr_assert_not_null(lst);
	lst->t_upcall = count_upcall;
	cr_assert_eq(tcp_bind(lst, 0, PORT), 0);
	cr_assert_eq(tcp_listen(lst, 8), 0);
}

static void
teardown(void)
{
	l_free_all();
}

TestSuite(tcp, .init = setup, .fini = teardown);

/* Connect A → B:PORT and accept; run the wire until both are established. */
static void
connect_pair(void)
{
	cli = tcp_new();
	cr_assert_not_null(cli);
	cr_assert_eq(tcp_bind(cli, A_ADDR, 0), 0);
	cr_assert_eq(tcp_connect(cli, B_ADDR, PORT), 0);
	cr_assert_eq(cli->t_state, TCPS_SYN_SENT);
	for (int i = 0; i < 20000 && (srv = tcp_accept(lst)) == NULL; i++)
		l_step();
	cr_assert_not_null(srv, "no connection to accept");
	for (int i = 0; i < 20000 && cli->t_state != TCPS_ESTABLISHED; i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_ESTABLISHED);
	cr_assert_eq(srv->t_state, TCPS_ESTABLISHED);
}

/* Push n bytes of pattern from s to r, reading as it arrives; returns simulated ms taken. */
static unsigned
transfer(struct tcpcb *s, struct tcpcb *r, size_t n, bool reader_sleeps_first)
{
	static uint8_t buf[4096];
	size_t sent = 0, got = 0;
	unsigned ms = 0;

	while (got < n && ms < 600000) {
		while (sent < n) {
			size_t c = MIN(sizeof(buf), n - sent);
			long took;

			for (size_t i = 0; i < c; i++)
				buf[i] = (uint8_t)((sent + i) % 251);
			took = tcp_send(s, buf, c);
			cr_assert_geq(took, 0);
			sent += (size_t)took;
			if ((size_t)took < c)
				break;
		}
		if (!reader_sleeps_first || ms > 5000) {
			size_t c;

			while ((c = tcp_recv(r, buf, sizeof(buf))) > 0) {
				for (size_t i = 0; i < c; i++)
					cr_assert_eq(buf[i], (uint8_t)((got + i) % 251),
						     "byte %zu is wrong", got + i);
				got += c;
			}
		}
		l_step();
		ms++;
	}
	cr_assert_eq(got, n, "only %zu of %zu bytes arrived", got, n);
	return ms;
}

/* Close both ends and run until only the listener is left (TIME_WAIT passes). */
static void
close_pair(void)
{
	tcp_shutdown(cli);
	for (int i = 0; i < 5000 && (srv->t_state != TCPS_CLOSE_WAIT ||
				     cli->t_state != TCPS_FIN_WAIT_2); i++)
		l_step();
	cr_assert_eq(srv->t_state, TCPS_CLOSE_WAIT);
	cr_assert_eq(cli->t_state, TCPS_FIN_WAIT_2);
	tcp_close(srv);
	for (int i = 0; i < 5000 && cli->t_state != TCPS_TIME_WAIT; i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_TIME_WAIT);
	tcp_close(cli);
	h_now += 2 * TCP_MSL_NS;
	l_step();
	cr_assert_eq(tcp_pcbs, lst, "only the listener remains");
	cr_assert_null(lst->t_next);
}

Test(tcp, handshake_negotiates_mss_scale_and_timestamps)
{
	connect_pair();
	cr_assert_eq(cli->t_maxseg, 1460);
	cr_assert_eq(srv->t_maxseg, 1460);
	cr_assert(cli->t_flags & TF_RCVD_SCALE);
	cr_assert(srv->t_flags & TF_RCVD_TSTMP);
	cr_assert(cli->t_flags & TF_SACK_PERMIT);
	cr_assert(srv->t_flags & TF_SACK_PERMIT);
	cr_assert_eq(cli->snd_scale, srv->rcv_scale);
	cr_assert_eq(cli->rcv_scale, tcp_pick_rcv_scale(TCP_BUF_DEFAULT));
	cr_assert_eq(srv->t_faddr, A_ADDR);
	cr_assert_eq(srv->t_fport, cli->t_lport);
	cr_assert_gt(upcalls, 0, "the listener heard of the connection");
	cr_assert_neq(cli->t_srtt, 0, "the SYN's round trip was measured");
}

Test(tcp, clean_wire_delivers_everything_without_retransmission)
{
	size_t live;

	connect_pair();
	live = kalloc_shim_live;
	transfer(cli, srv, XFER, false);
	transfer(srv, cli, XFER / 3, false);
	cr_assert_eq(tcpstat.sndrexmitpack, 0);
	cr_assert_eq(tcpstat.rexmttimeo, 0);
	cr_assert_gt(tcpstat.delacks + tcpstat.sndacks, 0);
	cr_assert_gt(cli->snd_cwnd, 10u * cli->t_maxseg, "slow start opened the window");
	cr_assert_eq(kalloc_shim_live, live);
	close_pair();
	tcp_close(lst);
	tcp_reap();
	cr_assert_null(tcp_pcbs);
	cr_assert_eq(kalloc_shim_live, 0, "%zu bytes leaked", kalloc_shim_live);
}

Test(tcp, lossy_wire_recovers_with_fast_retransmit_and_timeouts)
{
	connect_pair();
	l_drop = 50;	 /* 5 % */
	l_dup = 20;	 /* 2 % */
	l_reorder = 100; /* 10 % */
	transfer(cli, srv, XFER, false);
	transfer(srv, cli, XFER / 2, false);
	cr_assert_gt(l_dropped, 0);
	cr_assert_gt(l_duped, 0);
	cr_assert_gt(tcpstat.sndrexmitpack, 0);
	cr_assert_gt(tcpstat.fastrexmit, 0, "three duplicate ACKs started fast retransmit");
	cr_assert_gt(tcpstat.rcvoopack, 0);
	cr_assert_gt(tcpstat.rcvduppack, 0);
	cr_assert_gt(tcpstat.sack_blocks_sent, 0);
	cr_assert_gt(tcpstat.sack_blocks_rcvd, 0);
	cr_assert_gt(tcpstat.sack_rexmits, 0, "holes were filled from the SACK scoreboard");
	cr_log_info("lossy: %llu frames, %llu dropped, %llu duplicated; %llu segments resent, "
		    "%llu fast retransmits, %llu partial ACKs, %llu time-outs, %llu SACK resends",
		    (unsigned long long)l_frames, (unsigned long long)l_dropped,
		    (unsigned long long)l_duped, (unsigned long long)tcpstat.sndrexmitpack,
		    (unsigned long long)tcpstat.fastrexmit, (unsigned long long)tcpstat.partialack,
		    (unsigned long long)tcpstat.rexmttimeo, (unsigned long long)tcpstat.sack_rexmits);
	l_drop = l_dup = l_reorder = 0;
	close_pair();
}

Test(tcp, closed_port_refuses)
{
	struct tcpcb *c = tcp_new();

	cr_assert_eq(tcp_bind(c, A_ADDR, 0), 0);
	cr_assert_eq(tcp_connect(c, B_ADDR, PORT + 1), 0);
	for (int i = 0; i < 100 && c->t_state != TCPS_CLOSED; i++)
		l_step();
	cr_assert_eq(c->t_state, TCPS_CLOSED);
	cr_assert_eq(c->t_error, ECONNREFUSED);
	cr_assert_gt(tcpstat.rcvnoport, 0);
}

Test(tcp, zero_window_is_probed_then_reopens)
{
	connect_pair();
	/* The reader sleeps 5 s: the sender fills B's buffer, sees a zero window, probes. */
	transfer(cli, srv, 4 * TCP_BUF_DEFAULT, true);
	cr_assert_gt(tcpstat.persisttimeo, 0);
	cr_assert_gt(tcpstat.sndprobe, 0);
	close_pair();
}

Test(tcp, rst_or_syn_in_window_gets_a_challenge_ack)
{
	uint8_t f[ETHER_MAX_LEN], *ip, *th;
	size_t n;

	connect_pair();
	/* A forged RST from A's address at rcv_nxt + 100: inside the window, not exact. */
	n = h_eth(f, l_b.if_mac, ETHERTYPE_IP);
	ip = f + n;
	th = ip + IP_HDR_LEN;
	memset(th, 0, TCP_HDR_LEN);
	net_put16(th, cli->t_lport);
	net_put16(th + 2, PORT);
	net_put32(th + 4, srv->rcv_nxt + 100);
	th[12] = 5 << 4;
	th[13] = TH_RST;
	net_put16(th + 16, in_cksum_fold(in_cksum_add(in_pseudo_sum(A_ADDR, B_ADDR, IPPROTO_TCP,
								     TCP_HDR_LEN), th, TCP_HDR_LEN)));
	h_ip(ip, IPPROTO_TCP, A_ADDR, B_ADDR, TCP_HDR_LEN);
	if_input(&l_b, f, n + IP_HDR_LEN + TCP_HDR_LEN);
	cr_assert_eq(srv->t_state, TCPS_ESTABLISHED);
	cr_assert_eq(tcpstat.challenge_acks, 1);
	/* A SYN on the established connection: challenged too. */
	th[13] = TH_SYN;
	net_put16(th + 16, 0);
	net_put16(th + 16, in_cksum_fold(in_cksum_add(in_pseudo_sum(A_ADDR, B_ADDR, IPPROTO_TCP,
								     TCP_HDR_LEN), th, TCP_HDR_LEN)));
	if_input(&l_b, f, n + IP_HDR_LEN + TCP_HDR_LEN);
	cr_assert_eq(srv->t_state, TCPS_ESTABLISHED);
	cr_assert_eq(tcpstat.challenge_acks, 2);
	/* The RST at exactly rcv_nxt resets. */
	th[13] = TH_RST;
	net_put32(th + 4, srv->rcv_nxt);
	net_put16(th + 16, 0);
	net_put16(th + 16, in_cksum_fold(in_cksum_add(in_pseudo_sum(A_ADDR, B_ADDR, IPPROTO_TCP,
								     TCP_HDR_LEN), th, TCP_HDR_LEN)));
	if_input(&l_b, f, n + IP_HDR_LEN + TCP_HDR_LEN);
	cr_assert_eq(srv->t_state, TCPS_CLOSED);
	cr_assert_eq(srv->t_error, ECONNRESET);
}

Test(tcp, syn_flood_is_bounded_and_the_listener_still_serves)
{
	uint8_t f[ETHER_MAX_LEN], *ip, *th;
	size_t n, live_peak = 0;
	unsigned pcbs = 0;

	/* B must know A's MAC for the SYN-ACKs; a connection teaches it. */
	connect_pair();
	n = h_eth(f, l_b.if_mac, ETHERTYPE_IP);
	ip = f + n;
	th = ip + IP_HDR_LEN;
	l_cut = true; /* the flooder never answers */
	for (unsigned i = 0; i < 5000; i++) {
		memset(th, 0, TCP_HDR_LEN);
		net_put16(th, (uint16_t)(1024 + i));
		net_put16(th + 2, PORT);
		net_put32(th + 4, i * 7919u);
		th[12] = 5 << 4;
		th[13] = TH_SYN;
		net_put16(th + 14, 65535);
		net_put16(th + 16, in_cksum_fold(in_cksum_add(
					   in_pseudo_sum(A_ADDR, B_ADDR, IPPROTO_TCP, TCP_HDR_LEN), th,
					   TCP_HDR_LEN)));
		h_ip(ip, IPPROTO_TCP, A_ADDR, B_ADDR, TCP_HDR_LEN);
		if_input(&l_b, f, n + IP_HDR_LEN + TCP_HDR_LEN);
		live_peak = MAX(live_peak, kalloc_shim_live);
	}
	cr_assert_leq(lst->t_q0len, TCP_SYNQ_MAX);
	cr_assert_geq(tcpstat.synq_evicted, 5000 - TCP_SYNQ_MAX);
	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next)
		pcbs++;
	cr_assert_leq(pcbs, TCP_SYNQ_MAX + 3);
	cr_assert_lt(live_peak, (TCP_SYNQ_MAX + 8) * sizeof(struct tcpcb) + 4 * TCP_BUF_DEFAULT +
					 64 * 1024, "memory grew with the flood: %zu", live_peak);
	/* The flood ends; a real client still gets in. */
	l_cut = false;
	{
		struct tcpcb *c2 = tcp_new(), *s2 = NULL;

		cr_assert_eq(tcp_bind(c2, A_ADDR, 0), 0);
		cr_assert_eq(tcp_connect(c2, B_ADDR, PORT), 0);
		for (int i = 0; i < 5000 && (s2 = tcp_accept(lst)) == NULL; i++)
			l_step();
		cr_assert_not_null(s2);
		cr_assert_eq(c2->t_state, TCPS_ESTABLISHED);
	}
}

Test(tcp, dead_peer_times_out_with_backoff)
{
	uint8_t b[100] = { 0 };
	uint64_t t0;

	connect_pair();
	l_cut = true;
	t0 = h_now;
	cr_assert_eq(tcp_send(cli, b, sizeof(b)), (long)sizeof(b));
	for (int i = 0; i < 2000000 && cli->t_state != TCPS_CLOSED; i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_CLOSED);
	cr_assert_eq(cli->t_error, ETIMEDOUT);
	cr_assert_eq(tcpstat.rexmttimeo, TCP_MAXRXTSHIFT);
	/* Doubling from ≥ 200 ms, capped at 60 s: minutes, not seconds. */
	cr_assert_gt(h_now - t0, 120ull * 1000000000);
}

Test(tcp, keepalive_probes_then_drops_a_silent_peer)
{
	connect_pair();
	cli->t_flags |= TF_KEEPALIVE;
	cli->t_keepidle = 10ull * 1000000000;
	cli->t_keepintvl = 1000000000;
	cli->t_keepmax = 3;
	cli->t_timer[TT_KEEP] = h_now + cli->t_keepidle;
	/* A live peer answers the probes: the connection stays. */
	for (int i = 0; i < 15000; i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_ESTABLISHED);
	cr_assert_gt(tcpstat.keepprobe, 0);
	l_cut = true;
	for (int i = 0; i < 30000 && cli->t_state != TCPS_CLOSED; i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_CLOSED);
	cr_assert_eq(cli->t_error, ETIMEDOUT);
	cr_assert_eq(tcpstat.keepdrops, 1);
}

Test(tcp, simultaneous_close_passes_closing_to_time_wait)
{
	connect_pair();
	tcp_shutdown(cli);
	tcp_shutdown(srv);
	for (int i = 0; i < 5000 && (cli->t_state != TCPS_TIME_WAIT ||
				     srv->t_state != TCPS_TIME_WAIT); i++)
		l_step();
	cr_assert_eq(cli->t_state, TCPS_TIME_WAIT);
	cr_assert_eq(srv->t_state, TCPS_TIME_WAIT);
}

/*
 * A close with data still queued (the echo service's half-close after the peer's FIN) puts
 * the block in LAST_ACK before its FIN can go: the ACKs that come back must let the rest of
 * the data out. They once did not (LAST_ACK returned before tcp_output), so only time-outs
 * moved it, and when an ACK covered all in flight, nothing ever did.
 */
Test(tcp, last_ack_with_queued_data_sends_it_on_acks)
{
	static uint8_t buf[4096];
	size_t queued = 0, got = 0, c;
	long took;

	connect_pair();
	tcp_shutdown(cli);
	for (int i = 0; i < 5000 && srv->t_state != TCPS_CLOSE_WAIT; i++)
		l_step();
	cr_assert_eq(srv->t_state, TCPS_CLOSE_WAIT);
	do {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)((queued + i) % 251);
		took = tcp_send(srv, buf, sizeof(buf));
		cr_assert_geq(took, 0);
		queued += (size_t)took;
	} while (took == (long)sizeof(buf));
	cr_assert_gt(queued, 20u * srv->t_maxseg, "more queued than the first window");
	tcp_shutdown(srv);
	cr_assert_eq(srv->t_state, TCPS_LAST_ACK);
	for (int ms = 0; ms < 20000 && srv->t_state != TCPS_CLOSED; ms++) {
		while ((c = tcp_recv(cli, buf, sizeof(buf))) > 0) {
			for (size_t i = 0; i < c; i++)
				cr_assert_eq(buf[i], (uint8_t)((got + i) % 251));
			got += c;
		}
		l_step();
	}
	cr_assert_eq(got, queued, "%zu of %zu bytes arrived", got, queued);
	cr_assert_eq(srv->t_state, TCPS_CLOSED, "our FIN was acknowledged");
	cr_assert_eq(tcpstat.rexmttimeo, 0, "ACKs, not time-outs, moved the data");
}

Test(tcp, simultaneous_open_establishes_both)
{
	struct tcpcb *x = tcp_new(), *y = tcp_new();

	cr_assert_eq(tcp_bind(x, A_ADDR, 5000), 0);
	cr_assert_eq(tcp_bind(y, B_ADDR, 6000), 0);
	cr_assert_eq(tcp_connect(x, B_ADDR, 6000), 0);
	cr_assert_eq(tcp_connect(y, A_ADDR, 5000), 0);
	for (int i = 0; i < 5000 && (x->t_state != TCPS_ESTABLISHED ||
				     y->t_state != TCPS_ESTABLISHED); i++)
		l_step();
	cr_assert_eq(x->t_state, TCPS_ESTABLISHED);
	cr_assert_eq(y->t_state, TCPS_ESTABLISHED);
	cli = x;
	srv = y;
	transfer(x, y, 20000, false);
	transfer(y, x, 20000, false);
}
