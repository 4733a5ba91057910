/*
 * tcp_input.c — segment arrival (RFC 9293 §3.10.7): LISTEN, SYN-SENT and the synchronized
 * states, with RFC 5961's defences (RST and SYN in window answered by a challenge ACK, ACKs
 * outside [SND.UNA - MAX.SND.WND, SND.MAX] ignored), RFC 7323's PAWS and timestamp RTT
 * samples, RFC 5681 duplicate-ACK counting and RFC 6582 NewReno fast recovery, and an
 * out-of-order queue that fills holes.
 *
 * The one idea: after the LISTEN and SYN-SENT special cases, a segment is first cut down to
 * the part inside the receive window (duplicates and the part past the window are trimmed,
 * not rejected, so the ACK field of any segment is still used), then processed in the RFC's
 * fixed order: RST, SYN, ACK, window update, data, FIN.
 */
#include <bsd/net/tcp.h>
#include <mach/kern/kalloc.h>

/* RFC 5681 §3.1's initial window. */
static uint32_t
tcp_initial_window(const struct tcpcb *tp)
{
	uint32_t mss = tp->t_maxseg;

	return mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
}

/* Take the options of a SYN (ours is tp): scaling and timestamps only when both offer. */
static void
tcp_syn_options(struct tcpcb *tp, const struct tcp_opts *to)
{
	uint16_t ours = tcp_mss_for(tp->t_faddr, tp->t_laddr);

	tp->t_peermss = to->to_has_mss ? to->to_mss : TCP_MSS_DEFAULT;
	tp->t_maxseg = MIN(ours, MAX(tp->t_peermss, (uint16_t)64));
	if ((tp->t_flags & TF_REQ_SCALE) && to->to_has_ws) {
		tp->t_flags |= TF_RCVD_SCALE;
		tp->snd_scale = to->to_ws;
		tp->rcv_scale = tcp_pick_rcv_scale(tp->t_rcvcap);
	} else {
		tp->t_flags &= ~(TF_REQ_SCALE | TF_RCVD_SCALE);
		tp->snd_scale = tp->rcv_scale = 0;
	}
	if ((tp->t_flags & TF_REQ_SACK) && to->to_sack_ok)
		tp->t_flags |= TF_SACK_PERMIT;
	else
		tp->t_flags &= ~(TF_REQ_SACK | TF_SACK_PERMIT);
	if ((tp->t_flags & TF_REQ_TSTMP) && to->to_has_ts) {
		tp->t_flags |= TF_RCVD_TSTMP;
		tp->ts_recent = to->to_tsval;
		tp->ts_recent_age = net_now_ns();
	} else {
		tp->t_flags &= ~(TF_REQ_TSTMP | TF_RCVD_TSTMP);
	}
}

/* A SYN for listener lp: make an embryo in SYN_RECEIVED and answer SYN-ACK. */
static void
tcp_passive_open(struct tcpcb *lp, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		 tcp_seq seq, uint32_t win, const struct tcp_opts *to)
{
	struct tcpcb *c;

	if (lp->t_qlen >= lp->t_qlimit) {
		tcpstat.listen_overflow++; /* no RST: the peer's SYN timer tries again */
		return;
	}
	if (lp->t_q0len >= TCP_SYNQ_MAX) {
		struct tcpcb *old = lp->t_q0;

		for (struct tcpcb *e = lp->t_q0; e != NULL; e = e->t_qnext)
			if (e->t_born < old->t_born)
				old = e;
		tcpstat.synq_evicted++;
		tcp_set_state(old, TCPS_CLOSED); /* silently: a flood's SYNs have no one to tell */
	}
	c = tcp_new();
	if (c == NULL)
		return;
	c->t_head = lp;
	c->t_detached = true;
	c->t_qnext = lp->t_q0;
	lp->t_q0 = c;
	lp->t_q0len++;
	c->t_born = net_now_ns();
	c->t_laddr = dst;
	c->t_lport = dport;
	c->t_faddr = src;
	c->t_fport = sport;
	c->t_flags = (lp->t_flags & (TF_NODELAY | TF_KEEPALIVE)) | TF_REQ_SCALE | TF_REQ_TSTMP |
		     TF_REQ_SACK;
	c->t_sndcap = lp->t_sndcap;
	c->t_rcvcap = lp->t_rcvcap;
	c->t_keepidle = lp->t_keepidle;
	c->t_keepintvl = lp->t_keepintvl;
	c->t_keepmax = lp->t_keepmax;
	c->irs = seq;
	c->rcv_nxt = c->rcv_adv = seq + 1;
	tcp_syn_options(c, to);
	c->iss = tcp_new_iss(dst, dport, src, sport);
	c->snd_una = c->snd_nxt = c->snd_max = c->snd_recover = c->iss;
	c->snd_wnd = win;
	c->snd_wl1 = seq;
	c->t_state = TCPS_SYN_RECEIVED;
	c->t_rcvtime = c->t_born;
	tcp_output(c);
}

/* Keep an out-of-order segment (already inside the window), sorted by sequence number. */
static void
tcp_ooo_insert(struct tcpcb *tp, tcp_seq seq, const uint8_t *data, uint32_t len, bool fin)
{
	struct tcp_ooo **pp = &tp->t_ooo, *o;

	for (; *pp != NULL; pp = &(*pp)->o_next) {
		if ((*pp)->o_seq == seq && (*pp)->o_len >= len && ((*pp)->o_fin || !fin))
			return; /* a duplicate of what we hold */
		if (SEQ_GT((*pp)->o_seq, seq))
			break;
	}
	if (tp->t_ooo_count >= TCP_OOO_MAX || (o = kalloc(sizeof(*o) + len)) == NULL) {
		tcpstat.ooo_dropped++;
		return;
	}
	o->o_seq = seq;
	o->o_len = len;
	o->o_fin = fin;
	memcpy(o->o_data, data, len);
	o->o_next = *pp;
	*pp = o;
	tp->t_ooo_count++;
}

/* Move what the queue holds at rcv_nxt into the buffer. Returns true when a FIN came due. */
static bool
tcp_ooo_drain(struct tcpcb *tp)
{
	bool fin = false;

	while (tp->t_ooo != NULL && SEQ_LEQ(tp->t_ooo->o_seq, tp->rcv_nxt)) {
		struct tcp_ooo *o = tp->t_ooo;
		tcp_seq end = o->o_seq + o->o_len;

		if (SEQ_GT(end, tp->rcv_nxt)) {
			uint32_t skip = tp->rcv_nxt - o->o_seq;
			uint32_t n = tcp_ring_put(&tp->t_rcv, o->o_data + skip, o->o_len - skip);

			tp->rcv_nxt += n;
			tp->t_bytes_in += n;
			if (n < o->o_len - skip)
				break; /* no room (cannot happen inside the window); keep it */
		}
		if (o->o_fin && tp->rcv_nxt == end)
			fin = true;
		tp->t_ooo = o->o_next;
		tp->t_ooo_count--;
		kfree(o, sizeof(*o) + o->o_len);
	}
	return fin;
}

/* RFC 6582 §3.2 step 2: three duplicate ACKs: retransmit and enter fast recovery. */
static void
tcp_fast_retransmit(struct tcpcb *tp, tcp_seq ack)
{
	uint32_t flight = tp->snd_max - tp->snd_una;
	tcp_seq onxt = tp->snd_nxt;

	tp->snd_ssthresh = MAX(flight / 2, 2u * tp->t_maxseg);
	tp->snd_recover = tp->snd_max;
	tp->t_flags |= TF_INRECOVERY;
	tp->t_timer[TT_REXMT] = 0;
	tp->t_rtttime = 0;
	tp->snd_nxt = ack;
	tp->snd_cwnd = tp->t_maxseg;
	tcpstat.fastrexmit++;
	tp->t_fastrexmits++;
	tcp_output(tp);
	tp->snd_cwnd = tp->snd_ssthresh + 3u * tp->t_maxseg;
	if (SEQ_GT(onxt, tp->snd_nxt))
		tp->snd_nxt = onxt;
	tp->t_sack_next = ack + tp->t_maxseg;
}

/* An ACK that moved snd_una by acked bytes: congestion window, RTT, buffers. */
static void
tcp_new_ack(struct tcpcb *tp, tcp_seq ack, const struct tcp_opts *to, bool *ourfinacked)
{
	uint32_t acked = ack - tp->snd_una;
	uint64_t now = net_now_ns();
	bool partial = false;

	if (tp->t_flags & TF_INRECOVERY) {
		if (SEQ_LT(ack, tp->snd_recover)) {
			partial = true;
		} else {
			uint32_t flight = tp->snd_max - ack;

			tp->snd_cwnd = MIN(tp->snd_ssthresh, flight + tp->t_maxseg);
			tp->t_flags &= ~TF_INRECOVERY;
		}
	} else if (tp->snd_cwnd <= tp->snd_ssthresh) {
		tp->snd_cwnd += MIN(acked, (uint32_t)tp->t_maxseg); /* slow start (RFC 3465) */
	} else {
		tp->snd_cwnd += MAX(1u, (uint32_t)tp->t_maxseg * tp->t_maxseg / tp->snd_cwnd);
	}
	tp->t_dupacks = 0;
	if (to->to_has_ts && (tp->t_flags & TF_RCVD_TSTMP) && to->to_tsecr != 0 &&
	    tcp_ts_now() - to->to_tsecr < 60000u)
		tcp_xmit_timer(tp, (uint64_t)(tcp_ts_now() - to->to_tsecr) * 1000000);
	else if (tp->t_rtttime != 0 && SEQ_GT(ack, tp->t_rtseq))
		tcp_xmit_timer(tp, now - tp->t_rtttime);
	if (tp->t_rtttime != 0 && SEQ_GT(ack, tp->t_rtseq))
		tp->t_rtttime = 0;

	if (acked > tp->t_snd.r_len) {
		*ourfinacked = (tp->t_flags & TF_SENTFIN) != 0;
		tcp_ring_drop(&tp->t_snd, tp->t_snd.r_len);
	} else {
		tcp_ring_drop(&tp->t_snd, acked);
	}
	tp->snd_una = ack;
	if (SEQ_LT(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	tp->t_timer[TT_REXMT] = ack == tp->snd_max ? 0 : now + tcp_rexmt_rto(tp);

	if (partial) {
		/* RFC 6582 §3.2 step 5: resend the first unacknowledged segment, deflate. */
		tcp_seq onxt = tp->snd_nxt;
		uint32_t cwnd = tp->snd_cwnd;

		tcpstat.partialack++;
		tp->snd_nxt = ack;
		tp->snd_cwnd = tp->t_maxseg;
		tcp_output(tp);
		tp->snd_cwnd = cwnd > acked ? cwnd - acked + tp->t_maxseg : tp->t_maxseg;
		if (SEQ_GT(onxt, tp->snd_nxt))
			tp->snd_nxt = onxt;
	}
}

/* The peer's FIN arrived in order. */
static void
tcp_fin_received(struct tcpcb *tp)
{
	tp->rcv_nxt++;
	tp->t_flags |= TF_ACKNOW;
	switch (tp->t_state) {
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tcp_set_state(tp, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		tcp_set_state(tp, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2:
		tcp_set_state(tp, TCPS_TIME_WAIT);
		break;
	default:
		break;
	}
}

void
tcp_input(struct ifnet *ifp, const uint8_t *ip, unsigned hlen, unsigned tot)
{
	const uint8_t *th = ip + hlen, *data;
	uint32_t src = net_get32(ip + 12), dst = net_get32(ip + 16);
	unsigned len = tot - hlen, off;
	uint16_t sport, dport;
	uint32_t tiwin, tlen, rcv_wnd;
	tcp_seq seq, ack;
	uint8_t flags;
	struct tcp_opts to;
	struct tcpcb *tp;
	uint64_t now = net_now_ns();
	bool ourfinacked = false;
	int32_t todrop;

	tcpstat.rcvpack++;
	if (len < TCP_HDR_LEN) {
		tcpstat.rcvshort++;
		return;
	}
	if (!ifp->if_rx_csum_valid &&
	    in_cksum_fold(in_cksum_add(in_pseudo_sum(src, dst, IPPROTO_TCP, len), th, len)) != 0) {
		tcpstat.rcvbadsum++;
		return;
	}
	off = (th[12] >> 4) * 4u;
	if (off < TCP_HDR_LEN || off > len) {
		tcpstat.rcvbadoff++;
		return;
	}
	if (src == 0 || src == IP_BROADCAST || (src >> 28) == 0xe)
		return; /* RFC 9293 §3.10.7.2: no connections with a broadcast or multicast */
	sport = net_get16(th);
	dport = net_get16(th + 2);
	seq = net_get32(th + 4);
	ack = net_get32(th + 8);
	flags = th[13] & 0x3f;
	tiwin = net_get16(th + 14);
	data = th + off;
	tlen = len - off;
	if (tcp_parse_options(th + TCP_HDR_LEN, off - TCP_HDR_LEN, (flags & TH_SYN) != 0, &to) != 0)
		memset(&to, 0, sizeof(to));
	tcpstat.rcvbyte += tlen;

	tp = tcp_lookup(dst, dport, src, sport);
	if (tp == NULL || sport == 0 || dport == 0) {
		tcpstat.rcvnoport++;
		goto dropwithreset;
	}

	if (tp->t_state == TCPS_LISTEN) {
		if (flags & TH_RST)
			return;
		if (flags & TH_ACK)
			goto dropwithreset;
		if ((flags & (TH_SYN | TH_FIN)) != TH_SYN)
			return;
		tcp_passive_open(tp, src, sport, dst, dport, seq, tiwin, &to);
		goto out;
	}

	if (tp->t_state == TCPS_SYN_SENT) {
		if ((flags & TH_ACK) && (SEQ_LEQ(ack, tp->iss) || SEQ_GT(ack, tp->snd_max))) {
			if (flags & TH_RST)
				return;
			goto dropwithreset;
		}
		if (flags & TH_RST) {
			if (flags & TH_ACK)
				tcp_drop(tp, ECONNREFUSED);
			goto out;
		}
		if (!(flags & TH_SYN))
			return;
		tp->irs = seq;
		tp->rcv_nxt = tp->rcv_adv = seq + 1;
		tcp_syn_options(tp, &to);
		tp->t_flags |= TF_ACKNOW;
		if (flags & TH_ACK) {
			tp->snd_una = ack;
			if (SEQ_LT(tp->snd_nxt, ack))
				tp->snd_nxt = ack;
			if (to.to_has_ts && to.to_tsecr != 0)
				tcp_xmit_timer(tp, (uint64_t)(tcp_ts_now() - to.to_tsecr) * 1000000);
			else if (tp->t_rtttime != 0)
				tcp_xmit_timer(tp, now - tp->t_rtttime);
			tp->t_rtttime = 0;
			tp->t_timer[TT_REXMT] = 0;
			tp->snd_wnd = tiwin; /* a SYN's window is never scaled */
			tp->max_sndwnd = tiwin;
			tp->snd_wl1 = seq;
			tp->snd_wl2 = ack;
			tp->snd_cwnd = tcp_initial_window(tp);
			tp->t_rcvtime = now;
			if (tp->t_flags & TF_KEEPALIVE)
				tp->t_timer[TT_KEEP] = now + tp->t_keepidle;
			tcpstat.connects++;
			tcp_set_state(tp, TCPS_ESTABLISHED);
			/* XXX: data and FIN carried on the SYN-ACK are left for the peer to send
			 * again. */
		} else {
			tp->t_state = TCPS_SYN_RECEIVED; /* simultaneous open: SYN-ACK ours */
			tp->snd_wnd = tiwin;
			tp->snd_nxt = tp->iss;
		}
		tcp_output(tp);
		goto out;
	}

	/* A synchronized state (SYN_RECEIVED and on). Scale the window (never a SYN's). */
	if (!(flags & TH_SYN) && (tp->t_flags & TF_RCVD_SCALE))
		tiwin <<= tp->snd_scale;
	tp->t_rcvtime = now;
	if ((tp->t_flags & TF_KEEPALIVE) && TCPS_HAVEESTABLISHED(tp->t_state)) {
		tp->t_timer[TT_KEEP] = now + tp->t_keepidle;
		tp->t_keepcnt = 0;
	}
	rcv_wnd = tp->t_rcv.r_buf != NULL ? tcp_ring_space(&tp->t_rcv) : tp->t_rcvcap;
	if (SEQ_GT(tp->rcv_adv, tp->rcv_nxt) && rcv_wnd < tp->rcv_adv - tp->rcv_nxt)
		rcv_wnd = tp->rcv_adv - tp->rcv_nxt;
	if (TCPS_HAVERCVDFIN(tp->t_state))
		rcv_wnd = 0;

	/* RFC 5961 §3.2: a RST resets only at exactly rcv_nxt; in the window: challenge. */
	if (flags & TH_RST) {
		if (seq == tp->rcv_nxt) {
			if (tp->t_state == TCPS_SYN_RECEIVED && tp->t_head == NULL)
				tp->t_error = ECONNREFUSED;
			else if (tp->t_state != TCPS_TIME_WAIT && tp->t_state != TCPS_SYN_RECEIVED)
				tp->t_error = tp->t_state == TCPS_LAST_ACK || tp->t_state == TCPS_CLOSING
						      ? 0
						      : ECONNRESET;
			if (tp->t_state >= TCPS_ESTABLISHED)
				tcpstat.drops++;
			tcp_set_state(tp, TCPS_CLOSED);
		} else if (SEQ_GT(seq, tp->rcv_nxt) && SEQ_LT(seq, tp->rcv_nxt + MAX(rcv_wnd, 1u))) {
			tcpstat.challenge_acks++;
			tcp_send_ack_now(tp);
		}
		goto out;
	}
	/* RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK; a repeated SYN to
	 * an embryo gets its SYN-ACK again. */
	if (flags & TH_SYN) {
		if (tp->t_state != TCPS_SYN_RECEIVED || seq != tp->irs) {
			tcpstat.challenge_acks++;
			tcp_send_ack_now(tp);
			goto out;
		}
		if (!(flags & TH_ACK) || SEQ_LEQ(ack, tp->snd_una) || SEQ_GT(ack, tp->snd_max)) {
			tp->t_flags |= TF_ACKNOW;
			tcp_output(tp);
			goto out;
		}
		/* Simultaneous open: the peer's SYN-ACK acknowledges our SYN. Its SYN is the
		 * one we have; go on with the rest of the segment. */
		flags &= (uint8_t)~TH_SYN;
		seq++;
		if (tlen > 0) {
			data++;
			tlen--;
		}
	}
	/* RFC 7323 §5.3: PAWS. A timestamp older than the last one is an old duplicate. */
	if (to.to_has_ts && (tp->t_flags & TF_RCVD_TSTMP) && SEQ_LT(to.to_tsval, tp->ts_recent)) {
		if (now - tp->ts_recent_age > 24ull * 86400 * 1000000000) {
			tp->ts_recent = 0; /* RFC 7323 §5.5: a timestamp that old is stale */
		} else {
			tcpstat.rcvpaws++;
			goto dropafterack;
		}
	}

	/* Trim what lies before rcv_nxt (a duplicate) and past the window. */
	todrop = (int32_t)(tp->rcv_nxt - seq);
	if (todrop > 0) {
		if ((uint32_t)todrop > tlen || ((uint32_t)todrop == tlen && !(flags & TH_FIN))) {
			tcpstat.rcvduppack++;
			flags &= (uint8_t)~TH_FIN;
			tp->t_flags |= TF_ACKNOW;
			todrop = (int32_t)tlen;
			if (tp->t_state == TCPS_TIME_WAIT)
				tp->t_timer[TT_2MSL] = now + 2 * TCP_MSL_NS;
		}
		data += todrop;
		seq += (uint32_t)todrop;
		tlen -= (uint32_t)todrop;
	}
	todrop = (int32_t)((seq + tlen) - (tp->rcv_nxt + rcv_wnd));
	if (todrop > 0) {
		tcpstat.rcvafterwin++;
		if ((uint32_t)todrop >= tlen) {
			/* All of it is past the window: a window probe gets an ACK, as does
			 * anything else; its ACK field is still good. */
			if (tlen != 0 || (flags & TH_FIN))
				tp->t_flags |= TF_ACKNOW;
			if (seq != tp->rcv_nxt && tlen != 0)
				goto dropafterack;
			tlen = 0;
		} else {
			tlen -= (uint32_t)todrop;
		}
		flags &= (uint8_t)~(TH_FIN | TH_PUSH);
	}
	/* RFC 7323 §4.3: remember the timestamp of the segment that our last ACK covered. */
	if (to.to_has_ts && (tp->t_flags & TF_RCVD_TSTMP) && SEQ_LEQ(seq, tp->last_ack_sent) &&
	    SEQ_LEQ(tp->last_ack_sent, seq + tlen + ((flags & TH_FIN) ? 1 : 0))) {
		tp->ts_recent = to.to_tsval;
		tp->ts_recent_age = now;
	}
	if (!(flags & TH_ACK))
		goto out;

	if (tp->t_state == TCPS_SYN_RECEIVED) {
		if (SEQ_LEQ(ack, tp->snd_una) || SEQ_GT(ack, tp->snd_max))
			goto dropwithreset;
		if (tp->t_head != NULL && tp->t_head->t_qlen >= tp->t_head->t_qlimit) {
			tcpstat.listen_overflow++;
			tcp_drop(tp, ECONNABORTED);
			goto out;
		}
		if (!tcp_alloc_rings(tp)) {
			tcp_drop(tp, ENOBUFS);
			goto out;
		}
		tp->snd_una++; /* our SYN is acknowledged */
		tp->snd_wnd = tiwin;
		tp->max_sndwnd = tiwin;
		tp->snd_wl1 = seq;
		tp->snd_wl2 = ack;
		tp->snd_cwnd = tcp_initial_window(tp);
		tp->snd_ssthresh = 0x7fffffff;
		if (tp->t_rtttime != 0) {
			tcp_xmit_timer(tp, now - tp->t_rtttime);
			tp->t_rtttime = 0;
		}
		tp->t_timer[TT_REXMT] = 0;
		if (tp->t_flags & TF_KEEPALIVE)
			tp->t_timer[TT_KEEP] = now + tp->t_keepidle;
		tcp_set_state(tp, TCPS_ESTABLISHED);
		if (tp->t_head != NULL) { /* from the embryo queue to the accept queue */
			struct tcpcb *head = tp->t_head, **pp;

			for (pp = &head->t_q0; *pp != NULL; pp = &(*pp)->t_qnext) {
				if (*pp == tp) {
					*pp = tp->t_qnext;
					head->t_q0len--;
					break;
				}
			}
			for (pp = &head->t_q; *pp != NULL; pp = &(*pp)->t_qnext)
				;
			tp->t_qnext = NULL;
			*pp = tp;
			head->t_qlen++;
			tcp_notify(head);
		} else {
			tcpstat.connects++;
		}
	}

	/* RFC 5961 §5.2: an ACK beyond what we sent, or too far behind, is not believed. */
	if (SEQ_GT(ack, tp->snd_max)) {
		goto dropafterack;
	}
	if (tp->t_flags & TF_SACK_PERMIT)
		tcp_sack_update(tp, ack, &to);
	if (SEQ_LT(ack, tp->snd_una - tp->max_sndwnd)) {
		tcpstat.challenge_acks++;
		goto dropafterack;
	}
	if (SEQ_LEQ(ack, tp->snd_una)) {
		if (tlen == 0 && tiwin == tp->snd_wnd && !(flags & TH_FIN) && ack == tp->snd_una &&
		    tp->snd_max != tp->snd_una) {
			tcpstat.rcvdupack++;
			if (tp->t_timer[TT_REXMT] == 0) {
				tp->t_dupacks = 0;
			} else if (++tp->t_dupacks == 3 && !(tp->t_flags & TF_INRECOVERY) &&
				   SEQ_GEQ(ack, tp->snd_recover)) {
				/* RFC 6582 §3.2 step 2 asks ack > recover; ack == recover is
				 * let through so a loss of the first segment after a recovery
				 * is not left to the timer. */
				tcp_fast_retransmit(tp, ack);
				goto out;
			} else if (tp->t_dupacks > 3 && (tp->t_flags & TF_INRECOVERY)) {
				tp->snd_cwnd += tp->t_maxseg; /* one more segment left the network */
				/* With SACK, the segment that left lets a hole be filled first. */
				if (!tcp_sack_rexmit(tp))
					tcp_output(tp);
				goto out;
			}
			goto out;
		}
		if (ack != tp->snd_una || tlen != 0)
			tp->t_dupacks = 0;
	} else {
		tcp_new_ack(tp, ack, &to, &ourfinacked);
		tcp_notify(tp); /* room in the send buffer */
	}

	switch (tp->t_state) {
	case TCPS_FIN_WAIT_1:
		if (ourfinacked) {
			tcp_set_state(tp, TCPS_FIN_WAIT_2);
			/* A closed socket does not wait forever for a silent peer's FIN. */
			if (tp->t_flags & TF_CANTRCVMORE)
				tp->t_timer[TT_2MSL] = now + 2 * TCP_MSL_NS;
		}
		break;
	case TCPS_CLOSING:
		if (ourfinacked) {
			tcp_set_state(tp, TCPS_TIME_WAIT);
			goto out;
		}
		break; /* data may still queue before our FIN: the ACK lets more of it out */
	case TCPS_LAST_ACK:
		if (ourfinacked) {
			tcp_set_state(tp, TCPS_CLOSED);
			goto out;
		}
		break;
	case TCPS_TIME_WAIT:
		goto dropafterack;
	default:
		break;
	}

	/* Window update (RFC 9293 §3.10.7.4, the SND.WL1/WL2 rule). */
	if (SEQ_LT(tp->snd_wl1, seq) ||
	    (tp->snd_wl1 == seq && (SEQ_LT(tp->snd_wl2, ack) ||
				    (tp->snd_wl2 == ack && tiwin > tp->snd_wnd)))) {
		tp->snd_wnd = tiwin;
		tp->snd_wl1 = seq;
		tp->snd_wl2 = ack;
		if (tiwin > tp->max_sndwnd)
			tp->max_sndwnd = tiwin;
		if (tiwin != 0)
			tp->t_timer[TT_PERSIST] = 0;
	}

	/* Data and FIN. */
	if ((tlen != 0 || (flags & TH_FIN)) && !TCPS_HAVERCVDFIN(tp->t_state) &&
	    tp->t_state != TCPS_SYN_RECEIVED) {
		bool fin = (flags & TH_FIN) != 0;

		if (tlen != 0 && (tp->t_flags & TF_CANTRCVMORE)) {
			/* Data for a closed socket: nobody will read it (RFC 2525 §2.17). */
			tcp_drop(tp, ECONNRESET);
			goto out;
		}
		if (seq == tp->rcv_nxt && tp->t_ooo == NULL) {
			uint32_t n = tcp_ring_put(&tp->t_rcv, data, tlen);

			tp->rcv_nxt += n;
			tp->t_bytes_in += n;
			if (n < tlen)
				fin = false;
			if (++tp->t_segs_unacked >= 2 || fin)
				tp->t_flags |= TF_ACKNOW;
			else if (!(tp->t_flags & TF_DELACK)) {
				tp->t_flags |= TF_DELACK;
				tp->t_timer[TT_DELACK] = now + TCP_DELACK_NS;
			}
		} else {
			/* Out of order, or filling the hole before queued data: ACK at once so
			 * the sender sees duplicate ACKs (RFC 5681 §4.2). */
			tcpstat.rcvoopack++;
			tcp_ooo_insert(tp, seq, data, tlen, fin);
			tp->t_ooo_last = seq;
			fin = tcp_ooo_drain(tp);
			tp->t_flags |= TF_ACKNOW;
		}
		if (fin)
			tcp_fin_received(tp);
		tcp_notify(tp);
	}
	tcp_output(tp);
	goto out;

dropafterack:
	tp->t_flags |= TF_ACKNOW;
	tcp_output(tp);
	goto out;

dropwithreset:
	if (flags & TH_RST)
		goto out;
	tcpstat.sndrst++;
	if (flags & TH_ACK)
		tcp_respond(dst, dport, src, sport, ack, 0, TH_RST);
	else
		tcp_respond(dst, dport, src, sport, 0,
			    seq + tlen + ((flags & TH_SYN) ? 1 : 0) + ((flags & TH_FIN) ? 1 : 0),
			    TH_RST | TH_ACK);
out:
	tcp_reap();
}
