/*
 * tcp_input_fuzz.c — libFuzzer harness for TCP segment input (bsd/net/tcp_input.c and what
 * it calls): segments with any flags, options, sequence and acknowledgement numbers, windows
 * and payloads, thrown at a listener and at an established connection (in whatever state the
 * earlier segments drove it to), while the two stacks of tcp_link.h keep talking and the
 * clock moves.
 *
 * The input: byte 0 says whether to establish a connection first; then records of
 *   [ctl][flags][seq 4][ack 4][win 2][optlen][opts...][paylen][payload...]
 * ctl bits 0-1 pick the source port (the connection's, a new one, or 1024+seq's low byte),
 * bit 2 makes seq relative to the server's rcv_nxt and bit 3 ack relative to its snd_una,
 * bits 4-7 step the clock (tens of ms). Checked after every record: the send sequence
 * variables are ordered, no ring over-fills, the SYN queue stays bounded; at the end, after
 * every block is closed, no memory is left (kalloc shim).
 */
// fuzz-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_subr.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include "../unit/bsd/net/tcp_link.h"
#include "../unit/shim/kalloc_malloc.h"

#define FPORT 80

static void
check_invariants(struct tcpcb *lst)
{
	unsigned n = 0;

	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next, n++) {
		if (tp->t_state == TCPS_CLOSED || tp->t_state == TCPS_LISTEN)
			continue;
		if (SEQ_GT(tp->snd_una, tp->snd_nxt) || SEQ_GT(tp->snd_nxt, tp->snd_max))
			abort();
		if (tp->t_snd.r_len > tp->t_snd.r_cap || tp->t_rcv.r_len > tp->t_rcv.r_cap)
			abort();
		if (tp->t_ooo_count > TCP_OOO_MAX)
			abort();
	}
	if (lst->t_q0len > TCP_SYNQ_MAX || lst->t_qlen > lst->t_qlimit)
		abort();
	if (n > TCP_SYNQ_MAX + lst->t_qlimit + 4)
		abort();
}

static void
teardown(void)
{
	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		tp->t_detached = true;
		if (tp->t_state != TCPS_CLOSED)
			tcp_set_state(tp, TCPS_CLOSED);
	}
	tcp_reap();
	if_detach(&l_a);
	if_detach(&l_b);
	l_free_all();
	l_cut = false;
	if (tcp_pcbs != NULL || kalloc_shim_live != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpcb *lst, *cli = NULL, *srv = NULL;
	size_t at = 1;

	if (size < 1)
		return 0;
	l_init();
	lst = tcp_new();
	if (lst == NULL || tcp_bind(lst, 0, FPORT) != 0 || tcp_listen(lst, 4) != 0)
		abort();
	if (data[0] & 1) {
		cli = tcp_new();
		if (cli == NULL || tcp_bind(cli, A_ADDR, 0) != 0 ||
		    tcp_connect(cli, B_ADDR, FPORT) != 0)
			abort();
		for (int i = 0; i < 50 && srv == NULL; i++) {
			l_step();
			srv = tcp_accept(lst);
		}
	}
	while (at + 13 <= size) {
		const uint8_t *r = data + at;
		uint8_t f[ETHER_MAX_LEN], *ip, *th;
		size_t n = h_eth(f, l_b.if_mac, ETHERTYPE_IP), optlen, paylen, tl;
		uint16_t sport;
		uint32_t seq = net_get32(r + 2), ack = net_get32(r + 6);

		ip = f + n;
		th = ip + IP_HDR_LEN;
		switch (r[0] & 3) {
		case 0:
			sport = cli != NULL ? cli->t_lport : 40000;
			break;
		case 1:
			sport = (uint16_t)(41000 + (at & 0xff));
			break;
		default:
			sport = (uint16_t)(1024 + (seq & 0xff));
			break;
		}
		if ((r[0] & 4) && srv != NULL)
			seq += srv->rcv_nxt;
		if ((r[0] & 8) && srv != NULL)
			ack += srv->snd_una;
		optlen = MIN((size_t)r[12], (size_t)40) & ~(size_t)3;
		at += 13;
		if (at + optlen + 1 > size)
			break;
		memset(th, 0, TCP_HDR_LEN);
		memcpy(th + TCP_HDR_LEN, data + at, optlen);
		at += optlen;
		paylen = MIN((size_t)data[at], size - at - 1);
		at++;
		memcpy(th + TCP_HDR_LEN + optlen, data + at, paylen);
		at += paylen;
		tl = TCP_HDR_LEN + optlen + paylen;
		net_put16(th, sport);
		net_put16(th + 2, FPORT);
		net_put32(th + 4, seq);
		net_put32(th + 8, ack);
		th[12] = (uint8_t)(((TCP_HDR_LEN + optlen) / 4) << 4);
		th[13] = r[1];
		th[14] = r[10];
		th[15] = r[11];
		net_put16(th + 16, in_cksum_fold(in_cksum_add(
					   in_pseudo_sum(A_ADDR, B_ADDR, IPPROTO_TCP, tl), th, tl)));
		h_ip(ip, IPPROTO_TCP, A_ADDR, B_ADDR, tl);
		if_input(&l_b, f, n + IP_HDR_LEN + tl);
		check_invariants(lst);
		for (unsigned s = 0; s < (r[0] >> 4); s++) {
			h_now += 9000000;
			l_step();
		}
		if (srv != NULL && srv->t_state != TCPS_CLOSED) {
			uint8_t b[600];

			tcp_recv(srv, b, sizeof(b));
			if (data[0] & 2)
				tcp_send(srv, b, sizeof(b));
		}
		check_invariants(lst);
	}
	/* A long quiet spell: every timer that is armed fires, and nothing breaks. */
	for (int i = 0; i < 200; i++) {
		h_now += 500000000;
		l_step();
	}
	check_invariants(lst);
	teardown();
	return 0;
}
