/*
 * tcp_timer.c — TCP's timers: retransmission (RFC 6298 §5, exponential backoff, NewReno's
 * reaction to a time-out from RFC 5681 §3.1), persist (RFC 9293 §3.8.6.1, zero-window
 * probes), keep-alive (RFC 1122 §4.2.3.6), delayed ACK (RFC 1122 §4.2.3.2) and 2MSL
 * (TIME_WAIT, RFC 9293 §3.6.1).
 *
 * The one idea: a timer is just a deadline in the block (t_timer[]); tcp_slowtimo(), run by
 * the kernel every TCP_TICK_NS (a test calls it after moving its fake clock), fires what is due.
 * Firing only changes state and calls tcp_output(); blocks that die are reaped at the end.
 */
#include <bsd/net/tcp.h>

static void
tcp_timer_rexmt(struct tcpcb *tp, uint64_t now)
{
	unsigned limit = tp->t_state < TCPS_ESTABLISHED ? TCP_SYN_RETRIES : TCP_MAXRXTSHIFT;
	uint32_t flight = MIN(tp->snd_wnd, tp->snd_cwnd);

	(void)now;
	if (++tp->t_rxtshift > limit) {
		tcpstat.timeoutdrop++;
		tcp_drop(tp, ETIMEDOUT);
		return;
	}
	tcpstat.rexmttimeo++;
	tp->t_rexmits++;
	/* RFC 5681 §3.1 eq. 4 and after: one segment, from snd_una, slow start again. */
	tp->snd_ssthresh = MAX(flight / 2, 2u * tp->t_maxseg);
	tp->snd_cwnd = tp->t_maxseg;
	tp->snd_recover = tp->snd_max;
	tp->t_flags &= ~TF_INRECOVERY;
	tp->t_dupacks = 0;
	tp->t_nsacked = 0; /* the receiver may have dropped what it SACKed (RFC 2018 §8) */
	tp->t_rtttime = 0; /* Karn: no RTT sample from a retransmitted segment */
	tp->snd_nxt = tp->t_state < TCPS_ESTABLISHED ? tp->iss : tp->snd_una;
	tcp_output(tp);
}

static void
tcp_timer_persist(struct tcpcb *tp, uint64_t now)
{
	uint64_t next;

	tcpstat.persisttimeo++;
	if (tp->t_rxtshift < TCP_MAXRXTSHIFT)
		tp->t_rxtshift++;
	next = MIN(MAX(TCP_PERSMIN_NS, tcp_rexmt_rto(tp)), TCP_PERSMAX_NS);
	tp->t_flags |= TF_FORCE;
	tcp_output(tp);
	tp->t_flags &= ~TF_FORCE;
	if (tp->snd_wnd == 0 && tp->t_snd.r_len != 0)
		tp->t_timer[TT_PERSIST] = now + next;
}

static void
tcp_timer_keep(struct tcpcb *tp, uint64_t now)
{
	if (!(tp->t_flags & TF_KEEPALIVE) || tp->t_state < TCPS_ESTABLISHED ||
	    tp->t_state > TCPS_CLOSE_WAIT)
		return;
	if (now - tp->t_rcvtime < tp->t_keepidle && tp->t_keepcnt == 0) {
		tp->t_timer[TT_KEEP] = tp->t_rcvtime + tp->t_keepidle;
		return;
	}
	if (tp->t_keepcnt >= tp->t_keepmax) {
		tcpstat.keepdrops++;
		tcp_drop(tp, ETIMEDOUT);
		return;
	}
	/* A probe: an old sequence number and no data; a live peer answers with an ACK. */
	tcpstat.keepprobe++;
	tp->t_keepcnt++;
	tcp_respond(tp->t_laddr, tp->t_lport, tp->t_faddr, tp->t_fport, tp->snd_una - 1,
		    tp->rcv_nxt, TH_ACK);
	tp->t_timer[TT_KEEP] = now + tp->t_keepintvl;
}

static void
tcp_timer_2msl(struct tcpcb *tp, uint64_t now)
{
	if (tp->t_state == TCPS_FIN_WAIT_2 && now - tp->t_rcvtime < 2 * TCP_MSL_NS) {
		tp->t_timer[TT_2MSL] = tp->t_rcvtime + 2 * TCP_MSL_NS;
		return;
	}
	if (tp->t_state == TCPS_TIME_WAIT)
		tcpstat.timewait_closed++;
	tcp_set_state(tp, TCPS_CLOSED);
}

void
tcp_slowtimo(void)
{
	uint64_t now = net_now_ns();

	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		for (unsigned t = 0; t < TT_NTIMERS && tp->t_state != TCPS_CLOSED; t++) {
			if (tp->t_timer[t] == 0 || now < tp->t_timer[t])
				continue;
			tp->t_timer[t] = 0;
			switch (t) {
			case TT_REXMT:
				tcp_timer_rexmt(tp, now);
				break;
			case TT_PERSIST:
				tcp_timer_persist(tp, now);
				break;
			case TT_KEEP:
				tcp_timer_keep(tp, now);
				break;
			case TT_2MSL:
				tcp_timer_2msl(tp, now);
				break;
			case TT_DELACK:
				/* A delayed ACK, or a send the interface refused (ENOBUFS). */
				if (tp->t_flags & TF_DELACK)
					tcpstat.delacks++;
				if (tp->t_flags & (TF_DELACK | TF_ACKNOW))
					tcp_send_ack_now(tp);
				break;
			}
		}
	}
	tcp_reap();
}
