/*
 * tcp_output.c — what a TCP connection sends and when (RFC 9293 §3.8.6 windows, RFC 1122
 * §4.2.3.4 Nagle, RFC 9293 §3.8.6.2 sender-side silly window avoidance), the options it
 * carries (MSS, window scale and timestamps, RFC 7323), and bare RST/ACK replies.
 *
 * The one idea: tcp_output() is the only place that decides to put a segment of a connection
 * on the wire. Everything else (input, timers, the user) only changes state — snd_nxt,
 * windows, flags such as TF_ACKNOW or TF_FORCE — and calls it; it then sends as much as the
 * usable window min(snd_wnd, cwnd), Nagle and the segment size allow, one segment at a time.
 */
#include <bsd/net/tcp.h>

/* Put the header of a segment into seg and send it; the payload is at seg + hdrlen. */
static int
tcp_emit(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport, tcp_seq seq,
	 tcp_seq ack, uint8_t flags, uint16_t win, uint8_t *seg, unsigned hdrlen, unsigned dlen)
{
	struct ifnet *ifp = ip_route(faddr, laddr);
	unsigned len = hdrlen + dlen;
	int err;

	if (ifp == NULL)
		return ENETUNREACH;
	net_put16(seg, lport);
	net_put16(seg + 2, fport);
	net_put32(seg + 4, seq);
	net_put32(seg + 8, ack);
	seg[12] = (uint8_t)((hdrlen / 4) << 4);
	seg[13] = flags;
	net_put16(seg + 14, win);
	net_put16(seg + 16, 0);
	net_put16(seg + 18, 0);
	if (ifp->if_hwassist & IF_HWCSUM_TCP) /* the device sums from here (if.h) */
		net_put16(seg + 16, (uint16_t)~in_cksum_fold(in_pseudo_sum(laddr, faddr,
									   IPPROTO_TCP, len)));
	else
		net_put16(seg + 16, in_cksum_fold(in_cksum_add(in_pseudo_sum(laddr, faddr,
									      IPPROTO_TCP, len),
							       seg, len)));
	err = ip_output(ifp, IPPROTO_TCP, laddr, faddr, seg, len);
	if (err == 0)
		tcpstat.sndpack++;
	return err;
}

void
tcp_respond(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport, tcp_seq seq,
	    tcp_seq ack, uint8_t flags)
{
	uint8_t seg[TCP_HDR_LEN];

	tcp_emit(laddr, lport, faddr, fport, seq, ack, flags, 0, seg, TCP_HDR_LEN, 0);
}

/* The options for a segment of tp into opt; returns their length (a multiple of 4). */
static unsigned
tcp_build_options(struct tcpcb *tp, bool syn, uint8_t *opt)
{
	unsigned n = 0;
	bool synsent = tp->t_state == TCPS_SYN_SENT;

	if (syn) {
		opt[n++] = TCPOPT_MAXSEG;
		opt[n++] = 4;
		net_put16(opt + n, tcp_mss_for(tp->t_faddr, tp->t_laddr));
		n += 2;
		if ((tp->t_flags & TF_REQ_SCALE) && (synsent || (tp->t_flags & TF_RCVD_SCALE))) {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_WINDOW;
			opt[n++] = 3;
			opt[n++] = tp->rcv_scale;
		}
	}
	if ((tp->t_flags & TF_REQ_TSTMP) &&
	    ((syn && synsent) || (tp->t_flags & TF_RCVD_TSTMP))) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_TIMESTAMP;
		opt[n++] = 10;
		net_put32(opt + n, tcp_ts_now());
		net_put32(opt + n + 4, tp->ts_recent);
		n += 8;
	}
	if (syn && (tp->t_flags & TF_REQ_SACK) && (synsent || (tp->t_flags & TF_SACK_PERMIT))) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_SACK_PERM;
		opt[n++] = 2;
	}
	if (!syn)
		n += tcp_sack_build(tp, opt + n, 40 - n);
	return n;
}

/* The data bytes a segment may carry once the options every segment has are in. */
static uint32_t
tcp_seglimit(const struct tcpcb *tp)
{
	uint32_t ts = ((tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) ==
		       (TF_REQ_TSTMP | TF_RCVD_TSTMP)) ? 12 : 0;

	return tp->t_maxseg > ts + 8 ? tp->t_maxseg - ts : 8;
}

/* The receive window we may offer: free buffer space, but never less than already offered. */
static uint32_t
tcp_rcv_window(const struct tcpcb *tp)
{
	uint32_t space = tp->t_rcv.r_buf != NULL ? tcp_ring_space(&tp->t_rcv) : tp->t_rcvcap;

	if (SEQ_GT(tp->rcv_adv, tp->rcv_nxt) && space < tp->rcv_adv - tp->rcv_nxt)
		space = tp->rcv_adv - tp->rcv_nxt;
	return MIN(space, (uint32_t)65535 << tp->rcv_scale);
}

/* Send at most one segment. *more: call again, there may be another. 0 or an errno. */
static int
tcp_output_one(struct tcpcb *tp, bool *more)
{
	uint8_t seg[IF_MTU_DEFAULT];
	uint8_t flags = TH_ACK;
	uint32_t avail = 0, off = 0, win, len = 0, seglimit = tcp_seglimit(tp), rwin, optlen;
	uint64_t now = net_now_ns();
	bool syn = false, fin = false, force = (tp->t_flags & TF_FORCE) != 0;
	tcp_seq seq;
	int err;

	*more = false;
	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
		return 0;
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECEIVED:
		/* The SYN goes out when it is not in flight (first time, or after a time-out);
		 * an embryo asked to ACK (a repeated SYN) repeats its SYN-ACK. */
		if (tp->snd_nxt != tp->iss && !(tp->t_flags & TF_ACKNOW))
			return 0;
		syn = true;
		flags = tp->t_state == TCPS_SYN_SENT ? TH_SYN : TH_SYN | TH_ACK;
		tp->snd_nxt = tp->iss;
		goto send;
	default:
		break;
	}
	avail = tp->t_snd.r_len;
	off = tp->snd_nxt - tp->snd_una;
	if (tp->snd_wnd == 0 && off != 0 && off <= avail) {
		/* The window closed under data in flight (or an unanswered probe byte): pull
		 * back; what was beyond the window is sent again when it opens. */
		tp->t_timer[TT_REXMT] = 0;
		tp->snd_nxt = tp->snd_una;
		off = 0;
	}
	win = MIN(tp->snd_wnd, tp->snd_cwnd);
	if (force && win == 0)
		win = 1; /* the persist probe: one byte past a zero window */
	if (MIN(avail, win) > off) {
		len = MIN(avail, win) - off;
		if (len > seglimit) {
			len = seglimit;
			*more = true;
		}
	}
	if ((tp->t_flags & TF_NEEDFIN) && off + len == avail)
		fin = true; /* the FIN is due and not in flight (off passes avail once it is) */

	if (len > 0) {
		bool idle = tp->snd_max == tp->snd_una;

		if (len == seglimit || force || SEQ_LT(tp->snd_nxt, tp->snd_max))
			goto send;
		if ((idle || (tp->t_flags & TF_NODELAY)) && off + len >= avail)
			goto send;
		if (tp->max_sndwnd != 0 && len >= tp->max_sndwnd / 2)
			goto send;
	}
	if (tp->t_state != TCPS_TIME_WAIT && tp->t_rcv.r_buf != NULL &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		uint32_t space = tcp_ring_space(&tp->t_rcv);
		uint32_t offered = SEQ_GT(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;

		space = MIN(space, (uint32_t)65535 << tp->rcv_scale);
		if (space > offered && (space - offered >= 2u * tp->t_maxseg ||
					space - offered >= tp->t_rcv.r_cap / 2))
			goto send;
	}
	if (tp->t_flags & TF_ACKNOW)
		goto send;
	if (fin && (tp->t_state == TCPS_FIN_WAIT_1 || tp->t_state == TCPS_LAST_ACK ||
		    tp->t_state == TCPS_CLOSING))
		goto send;
	/* Data waits behind a window too small to use: probe it when nothing is in flight. */
	if (avail > off && tp->t_timer[TT_REXMT] == 0 && tp->t_timer[TT_PERSIST] == 0 &&
	    tp->snd_wnd < seglimit && tp->snd_nxt == tp->snd_max) {
		tp->t_rxtshift = 0;
		tp->t_timer[TT_PERSIST] = now + MAX(TCP_PERSMIN_NS, tcp_rexmt_rto(tp));
	}
	return 0;

send:
	if (fin && !(tp->t_state == TCPS_FIN_WAIT_1 || tp->t_state == TCPS_LAST_ACK ||
		     tp->t_state == TCPS_CLOSING))
		fin = false;
	optlen = tcp_build_options(tp, syn, seg + TCP_HDR_LEN);
	if (len > 0 && len + optlen > tp->t_maxseg) {
		/* SACK blocks took room from the data: send less, the rest follows. */
		len = tp->t_maxseg - optlen;
		fin = false;
	}
	if (len > 0) {
		tcp_ring_peek(&tp->t_snd, off, seg + TCP_HDR_LEN + optlen, len);
		if (off + len == avail)
			flags |= TH_PUSH;
	}
	if (fin)
		flags |= TH_FIN;
	seq = tp->snd_nxt;
	rwin = tcp_rcv_window(tp);
	err = tcp_emit(tp->t_laddr, tp->t_lport, tp->t_faddr, tp->t_fport, seq,
		       (flags & TH_ACK) ? tp->rcv_nxt : 0, flags,
		       (uint16_t)(syn ? MIN(rwin, 65535u) : rwin >> tp->rcv_scale), seg,
		       TCP_HDR_LEN + optlen, len);
	if (err == ENOBUFS) {
		/* The interface's queue is full and nothing went out: try again at the next
		 * tick, or sooner when the driver says there is room (tcp_tx_ready), rather
		 * than wait a retransmission time-out for a segment never sent. */
		tcpstat.sndnobufs++;
		tp->t_flags |= TF_ACKNOW | TF_TXBLOCKED;
		tcp_tx_blocked = true;
		tp->t_timer[TT_DELACK] = now + TCP_TICK_NS;
		return err;
	}
	/* Any other refusal (no route, ARP gave up) is treated as a loss: the timer resends. */
	if (len > 0 && SEQ_LT(tp->snd_nxt, tp->snd_max)) {
		tcpstat.sndrexmitpack++;
		tcpstat.sndrexmitbyte += len;
	} else if (len > 0) {
		tcpstat.sndbyte += len;
	} else if (!syn && !fin) {
		tcpstat.sndacks++;
	}
	if (force && len > 0)
		tcpstat.sndprobe++;

	tp->snd_nxt += len + (syn ? 1 : 0) + (fin ? 1 : 0);
	if (fin)
		tp->t_flags |= TF_SENTFIN;
	if (SEQ_GT(tp->snd_nxt, tp->snd_max)) {
		tp->snd_max = tp->snd_nxt;
		if (tp->t_rtttime == 0) {
			tp->t_rtttime = now;
			tp->t_rtseq = seq;
		}
	}
	if (tp->t_timer[TT_REXMT] == 0 && tp->snd_nxt != tp->snd_una && !force) {
		tp->t_timer[TT_REXMT] = now + tcp_rexmt_rto(tp);
		tp->t_timer[TT_PERSIST] = 0;
	}
	rwin = syn ? MIN(rwin, 65535u) : (rwin >> tp->rcv_scale) << tp->rcv_scale;
	if (SEQ_GT(tp->rcv_nxt + rwin, tp->rcv_adv))
		tp->rcv_adv = tp->rcv_nxt + rwin;
	tp->last_ack_sent = tp->rcv_nxt;
	tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
	tp->t_timer[TT_DELACK] = 0;
	tp->t_segs_unacked = 0;
	return err == ENETUNREACH ? err : 0;
}

volatile bool tcp_tx_blocked;

void
tcp_tx_ready(void)
{
	tcp_tx_blocked = false;
	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		if (!(tp->t_flags & TF_TXBLOCKED))
			continue;
		tp->t_flags &= ~TF_TXBLOCKED;
		tcp_output(tp);
	}
}

int
tcp_output(struct tcpcb *tp)
{
	bool more;
	int err;

	/* At most a window's worth per call; a bound keeps a bug from looping forever. */
	for (unsigned i = 0; i < 1024; i++) {
		err = tcp_output_one(tp, &more);
		if (err != 0 || !more)
			return err;
	}
	return 0;
}

void
tcp_send_ack_now(struct tcpcb *tp)
{
	tp->t_flags |= TF_ACKNOW;
	tcp_output(tp);
}
