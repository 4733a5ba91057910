/*
 * tcp_sack.c — TCP selective acknowledgements (RFC 2018): the blocks a receiver reports for
 * what it holds beyond rcv_nxt, and the sender's scoreboard of SACKed ranges, which lets fast
 * recovery resend every hole of a window in one round trip instead of one per round trip as
 * NewReno alone does (a simplified RFC 6675: holes are resent in order, one per ACK that
 * reports a segment left the network, within the NewReno window).
 *
 * The one idea: the scoreboard is a short sorted array of merged ranges above snd_una; a hole
 * is any gap below the highest SACKed byte, and t_sack_next remembers how far resending got.
 */
#include <bsd/net/tcp.h>

/* The ranges the out-of-order queue holds, merged and sorted, into r[]; returns how many. */
static unsigned
sack_ranges(const struct tcpcb *tp, struct tcp_sackblk *r, unsigned max)
{
	unsigned n = 0;

	for (const struct tcp_ooo *o = tp->t_ooo; o != NULL; o = o->o_next) {
		tcp_seq s = o->o_seq, e = o->o_seq + o->o_len;

		if (o->o_len == 0 || SEQ_LEQ(e, tp->rcv_nxt))
			continue;
		if (n > 0 && SEQ_LEQ(s, r[n - 1].sb_end)) {
			if (SEQ_GT(e, r[n - 1].sb_end))
				r[n - 1].sb_end = e;
		} else if (n < max) {
			r[n].sb_start = s;
			r[n].sb_end = e;
			n++;
		}
	}
	return n;
}

unsigned
tcp_sack_build(const struct tcpcb *tp, uint8_t *opt, unsigned room)
{
	struct tcp_sackblk r[TCP_SACK_HOLES], first;
	unsigned n, fit, at = 0, w = 4;

	if (!(tp->t_flags & TF_SACK_PERMIT) || tp->t_ooo == NULL || room < 12)
		return 0;
	n = sack_ranges(tp, r, TCP_SACK_HOLES);
	if (n == 0)
		return 0;
	fit = MIN(MIN(n, (unsigned)TCP_SACK_MAXBLKS), (room - 4) / 8);
	/* RFC 2018 §4: the first block holds the segment that arrived last. */
	for (unsigned i = 0; i < n; i++)
		if (SEQ_GEQ(tp->t_ooo_last, r[i].sb_start) && SEQ_LT(tp->t_ooo_last, r[i].sb_end))
			at = i;
	first = r[at];
	opt[0] = TCPOPT_NOP;
	opt[1] = TCPOPT_NOP;
	opt[2] = TCPOPT_SACK;
	opt[3] = (uint8_t)(2 + 8 * fit);
	net_put32(opt + w, first.sb_start);
	net_put32(opt + w + 4, first.sb_end);
	w += 8;
	for (unsigned i = 0; i < n && (w - 4) / 8 < fit; i++) {
		if (i == at)
			continue;
		net_put32(opt + w, r[i].sb_start);
		net_put32(opt + w + 4, r[i].sb_end);
		w += 8;
	}
	tcpstat.sack_blocks_sent += fit;
	return w;
}

/* Add [s, e) to the sorted scoreboard, merging; when full, the highest range gives way. */
static void
sack_insert(struct tcpcb *tp, tcp_seq s, tcp_seq e)
{
	struct tcp_sackblk *b = tp->t_sacked;
	unsigned i = 0, j;

	while (i < tp->t_nsacked && SEQ_LT(b[i].sb_end, s))
		i++;
	/* Ranges i.. that touch [s, e) fold into it. */
	for (j = i; j < tp->t_nsacked && SEQ_LEQ(b[j].sb_start, e); j++) {
		if (SEQ_LT(b[j].sb_start, s))
			s = b[j].sb_start;
		if (SEQ_GT(b[j].sb_end, e))
			e = b[j].sb_end;
	}
	if (j > i) {
		memmove(&b[i + 1], &b[j], (tp->t_nsacked - j) * sizeof(b[0]));
		tp->t_nsacked -= j - i - 1;
	} else {
		if (tp->t_nsacked == TCP_SACK_HOLES) {
			if (i == TCP_SACK_HOLES)
				return;
			tp->t_nsacked--;
		}
		memmove(&b[i + 1], &b[i], (tp->t_nsacked - i) * sizeof(b[0]));
		tp->t_nsacked++;
	}
	b[i].sb_start = s;
	b[i].sb_end = e;
}

void
tcp_sack_update(struct tcpcb *tp, tcp_seq ack, const struct tcp_opts *to)
{
	unsigned k = 0;

	/* What the cumulative ACK covers leaves the scoreboard. */
	for (unsigned i = 0; i < tp->t_nsacked; i++) {
		if (SEQ_LEQ(tp->t_sacked[i].sb_end, ack))
			continue;
		tp->t_sacked[k] = tp->t_sacked[i];
		if (SEQ_LT(tp->t_sacked[k].sb_start, ack))
			tp->t_sacked[k].sb_start = ack;
		k++;
	}
	tp->t_nsacked = k;
	for (unsigned i = 0; i < to->to_nsacks; i++) {
		tcp_seq s = to->to_sacks[i].sb_start, e = to->to_sacks[i].sb_end;

		/* A block must be non-empty, above the ACK and within what we sent. */
		if (SEQ_LEQ(e, s) || SEQ_LEQ(e, ack) || SEQ_GT(e, tp->snd_max) ||
		    SEQ_LT(s, tp->snd_una))
			continue;
		if (SEQ_LT(s, ack))
			s = ack;
		tcpstat.sack_blocks_rcvd++;
		sack_insert(tp, s, e);
	}
}

bool
tcp_sack_rexmit(struct tcpcb *tp)
{
	tcp_seq h = tp->snd_una, onxt = tp->snd_nxt;
	uint32_t cwnd = tp->snd_cwnd, len = 0;

	if (!(tp->t_flags & TF_SACK_PERMIT) || tp->t_nsacked == 0)
		return false;
	if (SEQ_GT(tp->t_sack_next, h))
		h = tp->t_sack_next;
	for (unsigned i = 0; i < tp->t_nsacked; i++) {
		const struct tcp_sackblk *b = &tp->t_sacked[i];

		if (SEQ_LT(h, b->sb_start)) {
			len = MIN(b->sb_start - h, (uint32_t)tp->t_maxseg);
			break;
		}
		if (SEQ_LT(h, b->sb_end))
			h = b->sb_end;
	}
	if (len == 0)
		return false; /* no hole below the highest SACKed byte */
	tp->snd_nxt = h;
	tp->snd_cwnd = (h - tp->snd_una) + len;
	tcp_output(tp);
	tp->snd_cwnd = cwnd;
	if (SEQ_GT(onxt, tp->snd_nxt))
		tp->snd_nxt = onxt;
	tp->t_sack_next = h + len;
	tcpstat.sack_rexmits++;
	return true;
}
