/*
 * tcp_subr.c — TCP's blocks and user requests (RFC 9293 §3.10.1–3.10.6: OPEN, SEND, RECEIVE,
 * CLOSE, ABORT), port allocation, option parsing (§3.2, RFC 7323), initial sequence numbers
 * (RFC 6528's shape) and the round-trip estimator of RFC 6298.
 *
 * The one idea: a block belongs either to its user (t_detached false) or to TCP. TCP never
 * frees a block from the middle of a call: a dead connection only becomes CLOSED, and
 * tcp_reap() frees detached CLOSED blocks when input or the timer has finished with them.
 */
#include <bsd/net/tcp.h>
#include <mach/kern/kalloc.h>
#include <panic.h>

struct tcp_stats tcpstat;
struct tcpcb *tcp_pcbs;
static unsigned tcp_npcbs;
static uint32_t tcp_iss_secret[4];
static uint16_t tcp_next_eport;

const char *const tcp_state_names[TCPS_NSTATES] = {
	"CLOSED",   "LISTEN",	   "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT",
	"FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",	"TIME_WAIT",
};

/* ---- rings ---- */

uint32_t
tcp_ring_space(const struct tcp_ring *r)
{
	return r->r_cap - r->r_len;
}

uint32_t
tcp_ring_put(struct tcp_ring *r, const void *data, uint32_t len)
{
	const uint8_t *d = data;
	uint32_t n = MIN(len, tcp_ring_space(r)), tail, first;

	if (n == 0)
		return 0;
	tail = (r->r_head + r->r_len) % r->r_cap;
	first = MIN(n, r->r_cap - tail);
	memcpy(r->r_buf + tail, d, first);
	memcpy(r->r_buf, d + first, n - first);
	r->r_len += n;
	return n;
}

void
tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *d = dst;
	uint32_t at = (r->r_head + off) % r->r_cap, first = MIN(len, r->r_cap - at);

	assert(off + len <= r->r_len);
	memcpy(d, r->r_buf + at, first);
	memcpy(d + first, r->r_buf, len - first);
}

void
tcp_ring_drop(struct tcp_ring *r, uint32_t len)
{
	assert(len <= r->r_len);
	r->r_head = (r->r_head + len) % (r->r_cap ? r->r_cap : 1);
	r->r_len -= len;
	if (r->r_len == 0)
		r->r_head = 0;
}

static void
tcp_ring_free(struct tcp_ring *r)
{
	if (r->r_buf != NULL)
		kfree(r->r_buf, r->r_cap);
	memset(r, 0, sizeof(*r));
}

bool
tcp_alloc_rings(struct tcpcb *tp)
{
	if (tp->t_snd.r_buf == NULL) {
		tp->t_snd.r_buf = kalloc(tp->t_sndcap);
		if (tp->t_snd.r_buf == NULL)
			return false;
		tp->t_snd.r_cap = tp->t_sndcap;
	}
	if (tp->t_rcv.r_buf == NULL) {
		tp->t_rcv.r_buf = kalloc(tp->t_rcvcap);
		if (tp->t_rcv.r_buf == NULL)
			return false;
		tp->t_rcv.r_cap = tp->t_rcvcap;
	}
	return true;
}

static void
tcp_free_ooo(struct tcpcb *tp)
{
	while (tp->t_ooo != NULL) {
		struct tcp_ooo *o = tp->t_ooo;

		tp->t_ooo = o->o_next;
		kfree(o, sizeof(*o) + o->o_len);
	}
	tp->t_ooo_count = 0;
}

/* ---- blocks ---- */

struct tcpcb *
tcp_new(void)
{
	struct tcpcb *tp;

	if (tcp_npcbs >= TCP_MAX_PCBS) {
		tcpstat.pcb_limit++;
		return NULL;
	}
	tp = kalloc_zero(sizeof(*tp));
	if (tp == NULL)
		return NULL;
	tp->t_state = TCPS_CLOSED;
	tp->t_sndcap = TCP_BUF_DEFAULT;
	tp->t_rcvcap = TCP_BUF_DEFAULT;
	tp->t_maxseg = TCP_MSS_DEFAULT;
	tp->t_rto = TCP_RTO_INIT_NS;
	tp->t_keepidle = TCP_KEEPIDLE_NS;
	tp->t_keepintvl = TCP_KEEPINTVL_NS;
	tp->t_keepmax = TCP_KEEPCNT;
	tp->t_flags = TF_REQ_SCALE | TF_REQ_TSTMP | TF_REQ_SACK;
	tp->t_next = tcp_pcbs;
	tcp_pcbs = tp;
	tcp_npcbs++;
	return tp;
}

/* Unlink tp from its listener's queues. */
static void
tcp_unqueue(struct tcpcb *tp)
{
	struct tcpcb *head = tp->t_head, **pp;

	if (head == NULL)
		return;
	for (pp = &head->t_q0; *pp != NULL; pp = &(*pp)->t_qnext) {
		if (*pp == tp) {
			*pp = tp->t_qnext;
			head->t_q0len--;
			goto out;
		}
	}
	for (pp = &head->t_q; *pp != NULL; pp = &(*pp)->t_qnext) {
		if (*pp == tp) {
			*pp = tp->t_qnext;
			head->t_qlen--;
			break;
		}
	}
out:
	tp->t_head = NULL;
	tp->t_qnext = NULL;
}

static void
tcp_free(struct tcpcb *tp)
{
	for (struct tcpcb **pp = &tcp_pcbs; *pp != NULL; pp = &(*pp)->t_next) {
		if (*pp == tp) {
			*pp = tp->t_next;
			break;
		}
	}
	tcp_unqueue(tp);
	tcp_ring_free(&tp->t_snd);
	tcp_ring_free(&tp->t_rcv);
	tcp_free_ooo(tp);
	tcp_npcbs--;
	kfree(tp, sizeof(*tp));
}

void
tcp_reap(void)
{
	struct tcpcb *tp = tcp_pcbs, *next;

	for (; tp != NULL; tp = next) {
		next = tp->t_next;
		if (tp->t_detached && tp->t_state == TCPS_CLOSED)
			tcp_free(tp);
	}
}

void
tcp_notify(struct tcpcb *tp)
{
	if (tp->t_upcall != NULL)
		tp->t_upcall(tp->t_upcall_arg, tp);
	else if (tp->t_head != NULL && tp->t_head->t_upcall != NULL)
		tp->t_head->t_upcall(tp->t_head->t_upcall_arg, tp->t_head);
}

void
tcp_canceltimers(struct tcpcb *tp)
{
	for (unsigned i = 0; i < TT_NTIMERS; i++)
		tp->t_timer[i] = 0;
}

void
tcp_set_state(struct tcpcb *tp, enum tcp_state st)
{
	tp->t_state = st;
	if (st == TCPS_CLOSED) {
		tcp_canceltimers(tp);
		tcp_free_ooo(tp);
		/* Leave the listener's queues: a reset embryo must not be accepted. */
		if (tp->t_head != NULL) {
			tcp_unqueue(tp);
			tp->t_detached = true;
		}
	}
	if (st == TCPS_TIME_WAIT) {
		/* Nothing more moves: the buffers can go. A user that still reads finds EOF. */
		tcp_canceltimers(tp);
		tp->t_timer[TT_2MSL] = net_now_ns() + 2 * TCP_MSL_NS;
		tcp_free_ooo(tp);
		tcp_ring_drop(&tp->t_snd, tp->t_snd.r_len);
	}
	tcp_notify(tp);
}

void
tcp_drop(struct tcpcb *tp, int err)
{
	if (tp->t_state >= TCPS_SYN_RECEIVED && tp->t_state != TCPS_TIME_WAIT) {
		tcp_respond(tp->t_laddr, tp->t_lport, tp->t_faddr, tp->t_fport, tp->snd_nxt, 0,
			    TH_RST);
		tcpstat.sndrst++;
	}
	if (tp->t_state >= TCPS_ESTABLISHED)
		tcpstat.drops++;
	else if (tp->t_state == TCPS_SYN_SENT || tp->t_state == TCPS_SYN_RECEIVED)
		tcpstat.conndrops++;
	if (err != 0)
		tp->t_error = err;
	tcp_set_state(tp, TCPS_CLOSED);
}

/* ---- lookup and ports ---- */

struct tcpcb *
tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport)
{
	struct tcpcb *listener = NULL;

	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		if (tp->t_lport != lport || tp->t_state == TCPS_CLOSED)
			continue;
		if (tp->t_state == TCPS_LISTEN) {
			if (tp->t_laddr == laddr || (tp->t_laddr == 0 && listener == NULL))
				listener = tp;
			continue;
		}
		if (tp->t_fport == fport && tp->t_faddr == faddr && tp->t_laddr == laddr)
			return tp;
	}
	return listener;
}

static bool
tcp_local_addr(uint32_t a)
{
	for (struct ifnet *ifp = if_all(); ifp != NULL; ifp = ifp->if_next) {
		if (ifp->if_addr == a)
			return true;
		if ((ifp->if_flags & IFF_LOOPBACK) && (a >> 24) == 127)
			return true;
	}
	return false;
}

static bool
tcp_port_taken(uint32_t laddr, uint16_t lport, bool reuse)
{
	for (struct tcpcb *tp = tcp_pcbs; tp != NULL; tp = tp->t_next) {
		if (tp->t_lport != lport || (tp->t_state == TCPS_CLOSED && tp->t_detached))
			continue;
		if (tp->t_laddr != laddr && tp->t_laddr != 0 && laddr != 0)
			continue;
		/* SO_REUSEADDR lets a listener start while connections on the port live on
		 * (TIME_WAIT ones especially); two listeners or two bound blocks never share. */
		if (reuse && tp->t_fport != 0 && tp->t_state != TCPS_LISTEN)
			continue;
		return true;
	}
	return false;
}

int
tcp_bind(struct tcpcb *tp, uint32_t laddr, uint16_t lport)
{
	if (tp->t_lport != 0)
		return EINVAL;
	if (laddr != 0 && !tcp_local_addr(laddr))
		return EADDRNOTAVAIL;
	if (lport == 0) {
		if (tcp_next_eport == 0)
			tcp_next_eport = (uint16_t)(49152 + (tcp_new_iss(0, 0, 0, 0) % 16384));
		for (unsigned tries = 0; tries < 16384; tries++) {
			uint16_t p = tcp_next_eport;

			tcp_next_eport = tcp_next_eport == 65535 ? 49152 : tcp_next_eport + 1;
			if (!tcp_port_taken(laddr, p, false)) {
				lport = p;
				break;
			}
		}
		if (lport == 0)
			return EADDRINUSE;
	} else if (tcp_port_taken(laddr, lport, tp->t_reuseaddr)) {
		return EADDRINUSE;
	}
	tp->t_laddr = laddr;
	tp->t_lport = lport;
	return 0;
}

int
tcp_listen(struct tcpcb *tp, int backlog)
{
	int err;

	if (tp->t_state != TCPS_CLOSED && tp->t_state != TCPS_LISTEN)
		return EINVAL;
	if (tp->t_lport == 0 && (err = tcp_bind(tp, 0, 0)) != 0)
		return err;
	if (backlog < 1)
		backlog = 1;
	tp->t_qlimit = (unsigned)MIN(backlog, TCP_BACKLOG_MAX);
	tp->t_state = TCPS_LISTEN;
	return 0;
}

uint8_t
tcp_pick_rcv_scale(uint32_t rcvcap)
{
	uint8_t s = 0;

	while (s < TCP_MAX_WINSHIFT && (65535u << s) < rcvcap)
		s++;
	return s;
}

uint16_t
tcp_mss_for(uint32_t faddr, uint32_t laddr)
{
	struct ifnet *ifp = ip_route(faddr, laddr);
	unsigned mtu = ifp != NULL ? ifp->if_mtu : 576;

	return (uint16_t)(mtu - IP_HDR_LEN - TCP_HDR_LEN);
}

int
tcp_connect(struct tcpcb *tp, uint32_t faddr, uint16_t fport)
{
	struct tcpcb *other;
	struct ifnet *ifp;
	int err;

	if (tp->t_state == TCPS_SYN_SENT)
		return EALREADY;
	if (tp->t_state != TCPS_CLOSED || tp->t_fport != 0)
		return EISCONN;
	if (faddr == 0 || faddr == IP_BROADCAST || fport == 0)
		return EADDRNOTAVAIL;
	ifp = ip_route(faddr, tp->t_laddr);
	if (ifp == NULL || ifp->if_addr == 0)
		return ENETUNREACH;
	if (tp->t_lport == 0 && (err = tcp_bind(tp, 0, 0)) != 0)
		return err;
	if (tp->t_laddr == 0)
		tp->t_laddr = (ifp->if_flags & IFF_LOOPBACK) ? faddr : ifp->if_addr;
	other = tcp_lookup(tp->t_laddr, tp->t_lport, faddr, fport);
	if (other != NULL && other->t_state != TCPS_LISTEN)
		return EADDRINUSE;
	if (!tcp_alloc_rings(tp))
		return ENOBUFS;
	tp->t_faddr = faddr;
	tp->t_fport = fport;
	tp->rcv_scale = tcp_pick_rcv_scale(tp->t_rcvcap);
	tp->t_maxseg = tcp_mss_for(faddr, tp->t_laddr);
	tp->iss = tcp_new_iss(tp->t_laddr, tp->t_lport, faddr, fport);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->snd_recover = tp->iss;
	tp->snd_cwnd = tp->t_maxseg;
	tp->snd_ssthresh = 0x7fffffff;
	tp->t_state = TCPS_SYN_SENT;
	tp->t_timer[TT_KEEP] = 0;
	tcpstat.connattempt++;
	tcp_output(tp); /* a SYN that could not go out is retransmitted like a lost one */
	return 0;
}

struct tcpcb *
tcp_accept(struct tcpcb *tp)
{
	struct tcpcb *c = tp->t_q;

	if (c == NULL)
		return NULL;
	tcp_unqueue(c);
	c->t_detached = false;
	tcpstat.accepts++;
	return c;
}

void
tcp_set_bufsizes(struct tcpcb *tp, uint32_t snd, uint32_t rcv)
{
	if (snd != 0 && tp->t_snd.r_buf == NULL)
		tp->t_sndcap = MAX(TCP_BUF_MIN, MIN(snd, TCP_BUF_MAX));
	if (rcv != 0 && tp->t_rcv.r_buf == NULL)
		tp->t_rcvcap = MAX(TCP_BUF_MIN, MIN(rcv, TCP_BUF_MAX));
}

uint32_t
tcp_send_space(const struct tcpcb *tp)
{
	if (tp->t_snd.r_buf == NULL || (tp->t_flags & TF_NEEDFIN))
		return 0;
	return tcp_ring_space(&tp->t_snd);
}

uint32_t
tcp_recv_avail(const struct tcpcb *tp)
{
	return tp->t_rcv.r_len;
}

long
tcp_send(struct tcpcb *tp, const void *data, size_t len)
{
	uint32_t n;

	if (tp->t_state == TCPS_SYN_SENT || tp->t_state == TCPS_SYN_RECEIVED ||
	    (tp->t_state == TCPS_CLOSED && tp->t_error == 0 && tp->t_fport == 0) ||
	    tp->t_state == TCPS_LISTEN)
		return -ENOTCONN;
	if ((tp->t_flags & TF_NEEDFIN) || tp->t_state == TCPS_CLOSED ||
	    (tp->t_state != TCPS_ESTABLISHED && tp->t_state != TCPS_CLOSE_WAIT))
		return -EPIPE;
	n = tcp_ring_put(&tp->t_snd, data, (uint32_t)MIN(len, (size_t)UINT32_MAX));
	tp->t_bytes_out += n;
	if (n != 0)
		tcp_output(tp);
	return n;
}

size_t
tcp_recv(struct tcpcb *tp, void *buf, size_t len)
{
	uint32_t n = (uint32_t)MIN(len, (size_t)tp->t_rcv.r_len);
	uint32_t before, after;

	if (n == 0)
		return 0;
	before = tcp_ring_space(&tp->t_rcv);
	tcp_ring_peek(&tp->t_rcv, 0, buf, n);
	tcp_ring_drop(&tp->t_rcv, n);
	after = tcp_ring_space(&tp->t_rcv);
	/* Tell the peer about a window that opened by two segments or half the buffer
	 * (RFC 9293 §3.8.6.2.2's receiver-side silly window avoidance). */
	if (TCPS_HAVEESTABLISHED(tp->t_state) && tp->t_state != TCPS_TIME_WAIT &&
	    (after - before >= 2u * tp->t_maxseg || after >= tp->t_rcv.r_cap / 2))
		tcp_output(tp);
	return n;
}

static void
tcp_usrclosed(struct tcpcb *tp)
{
	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		tcp_set_state(tp, TCPS_CLOSED);
		return;
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tp->t_flags |= TF_NEEDFIN;
		tp->t_state = TCPS_FIN_WAIT_1;
		break;
	case TCPS_CLOSE_WAIT:
		tp->t_flags |= TF_NEEDFIN;
		tp->t_state = TCPS_LAST_ACK;
		break;
	default:
		return; /* already closing */
	}
	tcp_output(tp);
}

void
tcp_shutdown(struct tcpcb *tp)
{
	tcp_usrclosed(tp);
}

void
tcp_abort(struct tcpcb *tp)
{
	if (tp->t_state != TCPS_CLOSED)
		tcp_drop(tp, ECONNABORTED);
}

void
tcp_close(struct tcpcb *tp)
{
	tp->t_upcall = NULL;
	tp->t_detached = true;
	if (tp->t_state == TCPS_LISTEN) {
		while (tp->t_q0 != NULL)
			tcp_drop(tp->t_q0, ECONNABORTED);
		while (tp->t_q != NULL)
			tcp_drop(tp->t_q, ECONNABORTED);
		tcp_set_state(tp, TCPS_CLOSED);
	} else if (tp->t_rcv.r_len != 0 && TCPS_HAVEESTABLISHED(tp->t_state)) {
		tcp_drop(tp, ECONNABORTED); /* RFC 2525 §2.17: unread data means reset */
	} else {
		tp->t_flags |= TF_CANTRCVMORE;
		tcp_usrclosed(tp);
	}
	tcp_reap();
}

/* ---- options (RFC 9293 §3.2, RFC 7323) ---- */

int
tcp_parse_options(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *to)
{
	memset(to, 0, sizeof(*to));
	while (len > 0) {
		uint8_t kind = opt[0], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2 || (olen = opt[1]) < 2 || olen > len)
			return EINVAL; /* a length that runs off the header: ignore them all */
		switch (kind) {
		case TCPOPT_MAXSEG:
			if (olen == 4 && syn) {
				to->to_has_mss = true;
				to->to_mss = net_get16(opt + 2);
			}
			break;
		case TCPOPT_WINDOW:
			if (olen == 3 && syn) {
				to->to_has_ws = true;
				/* RFC 7323 §2.3: a shift over 14 is taken as 14. */
				to->to_ws = MIN(opt[2], TCP_MAX_WINSHIFT);
			}
			break;
		case TCPOPT_SACK_PERM:
			if (olen == 2 && syn)
				to->to_sack_ok = true;
			break;
		case TCPOPT_SACK:
			/* RFC 2018 §3: 2 + 8n bytes; keep what fits, ignore the odd length. */
			if (!syn && olen >= 10 && (olen - 2) % 8 == 0) {
				for (unsigned i = 0; i < (olen - 2u) / 8 &&
						     to->to_nsacks < TCP_SACK_MAXBLKS; i++) {
					to->to_sacks[to->to_nsacks].sb_start =
						net_get32(opt + 2 + 8 * i);
					to->to_sacks[to->to_nsacks].sb_end =
						net_get32(opt + 6 + 8 * i);
					to->to_nsacks++;
				}
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == 10) {
				to->to_has_ts = true;
				to->to_tsval = net_get32(opt + 2);
				to->to_tsecr = net_get32(opt + 6);
			}
			break;
		default:
			break; /* unknown kinds are skipped by their length */
		}
		opt += olen;
		len -= olen;
	}
	return 0;
}

/* ---- sequence numbers and time ---- */

static uint32_t
tcp_mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/*
 * RFC 6528: ISN = M + F(4-tuple, secret), M a 4 µs clock. F here is a keyed integer mix,
 * not a cryptographic hash. XXX: key it from the kernel's entropy pool (kernel/random.h);
 * this portable file only has the clock, which seeds the key once.
 */
tcp_seq
tcp_new_iss(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport)
{
	uint64_t now = net_now_ns();
	uint32_t h;

	if (tcp_iss_secret[0] == 0) {
		for (unsigned i = 0; i < 4; i++)
			tcp_iss_secret[i] = tcp_mix((uint32_t)(now >> (8 * i)) + i, 0x9e3779b9u * (i + 1)) | 1;
	}
	h = tcp_mix(tcp_iss_secret[0], laddr);
	h = tcp_mix(h ^ tcp_iss_secret[1], faddr);
	h = tcp_mix(h ^ tcp_iss_secret[2], ((uint32_t)lport << 16) | fport);
	h = tcp_mix(h, tcp_iss_secret[3]);
	return h + (uint32_t)(now / 4000);
}

uint32_t
tcp_ts_now(void)
{
	return (uint32_t)(net_now_ns() / 1000000); /* a 1 ms timestamp clock */
}

uint64_t
tcp_rexmt_rto(const struct tcpcb *tp)
{
	uint64_t rto = tp->t_rto << MIN(tp->t_rxtshift, 12u);

	return MIN(MAX(rto, TCP_RTO_MIN_NS), TCP_RTO_MAX_NS);
}

/* RFC 6298 §2.2–2.4: fold one RTT sample into SRTT and RTTVAR and recompute RTO. */
void
tcp_xmit_timer(struct tcpcb *tp, uint64_t rtt)
{
	if (rtt == 0)
		rtt = 1000; /* a sample under the clock's resolution still counts */
	if (tp->t_srtt == 0) {
		tp->t_srtt = rtt;
		tp->t_rttvar = rtt / 2;
	} else {
		uint64_t delta = tp->t_srtt > rtt ? tp->t_srtt - rtt : rtt - tp->t_srtt;

		tp->t_rttvar = (3 * tp->t_rttvar + delta) / 4;
		tp->t_srtt = (7 * tp->t_srtt + rtt) / 8;
	}
	tp->t_rto = tp->t_srtt + MAX(TCP_TICK_NS, 4 * tp->t_rttvar);
	tp->t_rto = MIN(MAX(tp->t_rto, TCP_RTO_MIN_NS), TCP_RTO_MAX_NS);
	tp->t_rxtshift = 0;
}
