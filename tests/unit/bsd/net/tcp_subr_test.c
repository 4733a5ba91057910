/*
 * tcp_subr_test.c — unit tests for bsd/net/tcp_subr.c: option parsing (RFC 9293 §3.2,
 * RFC 7323) with good, odd and malformed lists; the RFC 6298 estimator; ports and binding.
 */
// unit-deps: bsd/net/if.c bsd/net/arp.c bsd/net/ip.c bsd/net/udp.c bsd/net/if_loop.c bsd/net/ip_reass.c bsd/net/tcp_input.c bsd/net/tcp_output.c bsd/net/tcp_timer.c bsd/net/tcp_sack.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>

#include "tcp_link.h"

Test(tcp_options, syn_options_are_read)
{
	const uint8_t o[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0 };
	struct tcp_opts to;

	cr_assert_eq(tcp_parse_options(o, sizeof(o), true, &to), 0);
	cr_assert(to.to_has_mss);
	cr_assert_eq(to.to_mss, 1460);
	cr_assert(to.to_has_ws);
	cr_assert_eq(to.to_ws, 7);
	cr_assert(to.to_sack_ok);
	cr_assert(to.to_has_ts);
	cr_assert_eq(to.to_tsval, 5);
}

Test(tcp_options, mss_and_scale_count_only_on_a_syn)
{
	const uint8_t o[] = { 2, 4, 0x05, 0xb4, 3, 3, 7, 0 };
	struct tcp_opts to;

	cr_assert_eq(tcp_parse_options(o, sizeof(o), false, &to), 0);
	cr_assert(!to.to_has_mss);
	cr_assert(!to.to_has_ws);
}

Test(tcp_options, shift_over_14_is_14)
{
	const uint8_t o[] = { 3, 3, 200, 0 };
	struct tcp_opts to;

	cr_assert_eq(tcp_parse_options(o, sizeof(o), true, &to), 0);
	cr_assert_eq(to.to_ws, 14);
}

Test(tcp_options, malformed_lengths_are_refused)
{
	const uint8_t zero[] = { 8, 0, 1, 1 }, past[] = { 1, 2, 9, 1 }, one[] = { 1, 1, 2 };
	const uint8_t badts[] = { 8, 6, 0, 0, 0, 0 }, unknown[] = { 99, 3, 0, 2, 3, 1, 0 };
	struct tcp_opts to;

	cr_assert_eq(tcp_parse_options(zero, sizeof(zero), true, &to), EINVAL);
	cr_assert_eq(tcp_parse_options(past, sizeof(past), true, &to), EINVAL);
	cr_assert_eq(tcp_parse_options(one, sizeof(one), true, &to), EINVAL);
	cr_assert_eq(tcp_parse_options(badts, sizeof(badts), true, &to), 0);
	cr_assert(!to.to_has_ts, "a timestamp option of the wrong length is ignored");
	cr_assert_eq(tcp_parse_options(unknown, sizeof(unknown), true, &to), 0);
	cr_assert(!to.to_has_mss, "an MSS of the wrong length is ignored");
}

Test(tcp_rtt, rfc6298_estimator)
{
	struct tcpcb *tp;

	l_init();
	tp = tcp_new();
	cr_assert_eq(tp->t_rto, TCP_RTO_INIT_NS);
	tcp_xmit_timer(tp, 100000000); /* 100 ms */
	cr_assert_eq(tp->t_srtt, 100000000);
	cr_assert_eq(tp->t_rttvar, 50000000);
	cr_assert_eq(tp->t_rto, 300000000); /* SRTT + 4 RTTVAR */
	tcp_xmit_timer(tp, 200000000);
	cr_assert_eq(tp->t_rttvar, (3 * 50000000ull + 100000000) / 4);
	cr_assert_eq(tp->t_srtt, (7 * 100000000ull + 200000000) / 8);
	tcp_xmit_timer(tp, 1000); /* tiny samples clamp at the minimum */
	for (int i = 0; i < 50; i++)
		tcp_xmit_timer(tp, 1000);
	cr_assert_eq(tp->t_rto, TCP_RTO_MIN_NS);
	tp->t_rxtshift = 20;
	cr_assert_eq(tcp_rexmt_rto(tp), TCP_RTO_MAX_NS);
}

Test(tcp_bind, ports_addresses_and_reuse)
{
	struct tcpcb *a, *b, *c;

	l_init();
	a = tcp_new();
	b = tcp_new();
	c = tcp_new();
	cr_assert_eq(tcp_bind(a, IP4(192, 168, 1, 1), 80), EADDRNOTAVAIL);
	cr_assert_eq(tcp_bind(a, A_ADDR, 80), 0);
	cr_assert_eq(tcp_bind(a, A_ADDR, 81), EINVAL);
	cr_assert_eq(tcp_bind(b, 0, 80), EADDRINUSE);
	cr_assert_eq(tcp_bind(b, B_ADDR, 80), 0, "another address, the same port");
	cr_assert_eq(tcp_bind(c, 0, 0), 0);
	cr_assert_geq(c->t_lport, 49152);
}
