/*
 * tcp.h — the Transmission Control Protocol (RFC 9293) of bsd/net/: the connection block
 * (struct tcpcb), its states and timers, and the calls the socket layer and tests make.
 *
 * The pieces: tcp_subr.c (blocks, ports, the user requests, options, RTT), tcp_input.c (the
 * segment arrival rules of RFC 9293 §3.10.7 with RFC 5961's checks and RFC 7323's PAWS),
 * tcp_output.c (what to send: Nagle, windows, options, the persist probe), tcp_timer.c
 * (RFC 6298 retransmission with backoff, persist, keep-alive, delayed ACK, 2MSL).
 * Congestion control is NewReno (RFC 5681 slow start and avoidance, RFC 6582 fast recovery).
 *
 * The one idea: like the rest of bsd/net/, TCP is portable code run under the network lock,
 * with no thread of its own. Time is net_now_ns(); each timer is a deadline in the block that
 * tcp_slowtimo() compares with the clock; a user learns of events through t_upcall. So two
 * whole stacks can talk in a Criterion test over a simulated wire with a fake clock.
 *
 * Memory: a block in SYN_RECEIVED (an embryo) owns no buffers, and a listener keeps at most
 * TCP_SYNQ_MAX of them (a new SYN evicts the oldest), so a SYN flood costs a fixed amount.
 * Send and receive buffers (byte rings) are allocated when a connection is established.
 */
#ifndef _BSD_NET_TCP_H_
#define _BSD_NET_TCP_H_

#include <bsd/net/net.h>

#define TCP_HDR_LEN 20
#define TH_FIN	    0x01
#define TH_SYN	    0x02
#define TH_RST	    0x04
#define TH_PUSH	    0x08
#define TH_ACK	    0x10
#define TH_URG	    0x20

#define TCPOPT_EOL	 0
#define TCPOPT_NOP	 1
#define TCPOPT_MAXSEG	 2
#define TCPOPT_WINDOW	 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK	 5
#define TCPOPT_TIMESTAMP 8
#define TCP_SACK_MAXBLKS 4	/* blocks one segment carries at most (RFC 2018 §3) */
#define TCP_SACK_HOLES	 8	/* SACKed ranges the sender remembers */
#define TCP_MAX_WINSHIFT 14

#define TCP_MSS_DEFAULT	 536			/* RFC 9293 §3.7.1: without the option */
#define TCP_BUF_DEFAULT	 (64u * 1024)		/* send and receive buffer, each */
#define TCP_BUF_MIN	 2048
#define TCP_BUF_MAX	 (4u * 1024 * 1024)
#define TCP_SYNQ_MAX	 64			/* embryos per listener */
#define TCP_BACKLOG_MAX	 128			/* established, not yet accepted */
#define TCP_MAX_PCBS	 4096			/* all blocks together */
#define TCP_OOO_MAX	 128			/* out-of-order segments kept */
#define TCP_RTO_INIT_NS	 (1000ull * 1000000)	/* RFC 6298 §2.1 */
#define TCP_RTO_MIN_NS	 (200ull * 1000000)	/* below RFC 6298's 1 s, as Linux and BSD */
#define TCP_RTO_MAX_NS	 (60ull * 1000000000)
#define TCP_MAXRXTSHIFT	 12			/* retransmissions before ETIMEDOUT */
#define TCP_SYN_RETRIES	 6
#define TCP_DELACK_NS	 (40ull * 1000000)	/* RFC 1122: well under 500 ms */
#define TCP_MSL_NS	 (30ull * 1000000000)	/* TIME_WAIT lasts 2 MSL */
#define TCP_PERSMIN_NS	 (500ull * 1000000)
#define TCP_PERSMAX_NS	 (60ull * 1000000000)
#define TCP_KEEPIDLE_NS	 (7200ull * 1000000000)	/* RFC 1122 §4.2.3.6: at least 2 h */
#define TCP_KEEPINTVL_NS (75ull * 1000000000)
#define TCP_KEEPCNT	 9
#define TCP_TICK_NS	 (10ull * 1000000)	/* the timer's granularity (G of RFC 6298) */

typedef uint32_t tcp_seq;
#define SEQ_LT(a, b)  ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)  ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

enum tcp_state {
	TCPS_CLOSED,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_CLOSE_WAIT,
	TCPS_FIN_WAIT_1,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_FIN_WAIT_2,
	TCPS_TIME_WAIT,
	TCPS_NSTATES
};
#define TCPS_HAVEESTABLISHED(s) ((s) >= TCPS_ESTABLISHED)
/* States in which the peer's FIN has arrived: no more data will come. */
#define TCPS_HAVERCVDFIN(s)                                                                     \
	((s) == TCPS_CLOSE_WAIT || (s) == TCPS_CLOSING || (s) == TCPS_LAST_ACK ||               \
	 (s) == TCPS_TIME_WAIT)
extern const char *const tcp_state_names[TCPS_NSTATES];

enum { TT_REXMT, TT_PERSIST, TT_KEEP, TT_2MSL, TT_DELACK, TT_NTIMERS };

/* t_flags */
#define TF_ACKNOW	0x0001	/* send an ACK now */
#define TF_DELACK	0x0002	/* an ACK is owed; the delayed-ACK timer runs */
#define TF_NODELAY	0x0004	/* no Nagle (TCP_NODELAY) */
#define TF_KEEPALIVE	0x0008	/* SO_KEEPALIVE */
#define TF_REQ_SCALE	0x0010	/* we offer window scaling */
#define TF_RCVD_SCALE	0x0020	/* the peer offered it too: both use it */
#define TF_REQ_TSTMP	0x0040
#define TF_RCVD_TSTMP	0x0080
#define TF_NEEDFIN	0x0100	/* the user closed its send side: a FIN follows the data */
#define TF_SENTFIN	0x0200	/* the FIN went out at least once */
#define TF_INRECOVERY	0x0400	/* NewReno fast recovery */
#define TF_FORCE	0x0800	/* send one byte past a zero window (persist probe) */
#define TF_CANTRCVMORE	0x1000	/* the user will read no more: data that comes is reset */
#define TF_REQ_SACK	0x2000	/* we offer SACK (RFC 2018) */
#define TF_SACK_PERMIT	0x4000	/* both offered: SACK blocks flow both ways */
#define TF_TXBLOCKED	0x8000	/* the interface's queue was full (tcp_tx_ready) */

/* A byte ring: the send buffer (data from snd_una on) and the receive buffer. */
struct tcp_ring {
	uint8_t *r_buf;
	uint32_t r_cap, r_head, r_len;
};

/* A segment that arrived ahead of rcv_nxt. */
struct tcp_ooo {
	struct tcp_ooo *o_next;
	tcp_seq o_seq;
	uint32_t o_len;
	bool o_fin;
	uint8_t o_data[];
};

/* Options of one segment, as parsed by tcp_parse_options(). */
struct tcp_sackblk {
	tcp_seq sb_start, sb_end;
};

struct tcp_opts {
	bool to_has_mss, to_has_ws, to_has_ts, to_sack_ok;
	uint16_t to_mss;
	uint8_t to_ws;
	uint32_t to_tsval, to_tsecr;
	unsigned to_nsacks;
	struct tcp_sackblk to_sacks[TCP_SACK_MAXBLKS];
};

struct tcpcb;
/* Called (network lock held) when something a user may wait for happened on tp: data,
 * space, a connection, an error, a state change. Must not call back into TCP. */
typedef void (*tcp_upcall_fn)(void *arg, struct tcpcb *tp);

struct tcpcb {
	struct tcpcb *t_next;		/* all blocks (tcp_pcbs) */
	enum tcp_state t_state;
	uint32_t t_laddr, t_faddr;	/* host order; laddr 0: any (a listener) */
	uint16_t t_lport, t_fport;
	uint32_t t_flags;
	bool t_reuseaddr;
	bool t_detached;		/* no user: freed once CLOSED */
	int t_error;			/* ECONNREFUSED, ECONNRESET, ETIMEDOUT; 0 */

	/* send sequence space (RFC 9293 §3.3.1) */
	tcp_seq iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2, snd_recover;
	uint32_t snd_wnd, max_sndwnd, snd_cwnd, snd_ssthresh;
	/* receive sequence space */
	tcp_seq irs, rcv_nxt, rcv_adv, last_ack_sent;
	uint8_t snd_scale, rcv_scale;
	uint32_t ts_recent;
	uint64_t ts_recent_age;
	uint16_t t_maxseg;		/* data bytes per segment, options left out */
	uint16_t t_peermss;
	unsigned t_dupacks;
	unsigned t_segs_unacked;	/* full segments since our last ACK */

	/* round trip (RFC 6298), nanoseconds */
	uint64_t t_srtt, t_rttvar, t_rto;
	unsigned t_rxtshift;
	tcp_seq t_rtseq;
	uint64_t t_rtttime;		/* when t_rtseq went out; 0: not timing */

	uint64_t t_timer[TT_NTIMERS];	/* deadlines (net_now_ns), 0: off */
	uint64_t t_rcvtime;		/* last segment from the peer (keep-alive) */
	unsigned t_keepcnt;
	uint64_t t_keepidle, t_keepintvl;
	unsigned t_keepmax;

	struct tcp_ring t_snd, t_rcv;
	uint32_t t_sndcap, t_rcvcap;	/* sizes the rings get (SO_SNDBUF, SO_RCVBUF) */
	struct tcp_ooo *t_ooo;
	unsigned t_ooo_count;
	tcp_seq t_ooo_last;		/* the latest out-of-order arrival (first SACK block) */
	/* the sender's SACK scoreboard: ranges above snd_una the peer holds, sorted */
	struct tcp_sackblk t_sacked[TCP_SACK_HOLES];
	unsigned t_nsacked;
	tcp_seq t_sack_next;		/* in recovery: resend holes from here on */

	/* a listener's queues, and an embryo's or queued connection's listener */
	struct tcpcb *t_head;
	struct tcpcb *t_qnext;
	struct tcpcb *t_q0, *t_q;	/* embryos (SYN_RECEIVED); established, not accepted */
	unsigned t_q0len, t_qlen, t_qlimit;
	uint64_t t_born;		/* eviction order among embryos */

	tcp_upcall_fn t_upcall;
	void *t_upcall_arg;

	/* per connection counters (netstat) */
	uint64_t t_rexmits, t_fastrexmits, t_bytes_in, t_bytes_out;
};

struct tcp_stats {
	uint64_t connattempt, accepts, connects, drops, conndrops, timeoutdrop;
	uint64_t sndpack, sndbyte, sndrexmitpack, sndrexmitbyte, sndacks, sndprobe, sndrst;
	uint64_t rcvpack, rcvbyte, rcvduppack, rcvoopack, rcvdupack, rcvbadsum, rcvbadoff;
	uint64_t rcvshort, rcvafterwin, rcvpaws, rcvnoport, challenge_acks;
	uint64_t rexmttimeo, fastrexmit, partialack, persisttimeo, keepprobe, keepdrops;
	uint64_t synq_evicted, listen_overflow, delacks, timewait_closed, ooo_dropped;
	uint64_t pcb_limit, sndnobufs;
	uint64_t sack_blocks_sent, sack_blocks_rcvd, sack_rexmits;
};
extern struct tcp_stats tcpstat;
/* All blocks, for netstat: walk t_next. Network lock held. */
extern struct tcpcb *tcp_pcbs;

/* ---- the user requests (tcp_subr.c); all with the network lock held ---- */
/* tcp_new: a CLOSED block owned by its caller. NULL: no memory or TCP_MAX_PCBS reached. */
struct tcpcb *tcp_new(void);
/*
 * tcp_bind: give tp a local address (0: any) and port (0: an ephemeral one, 49152..65535).
 *   Returns: 0, EINVAL (already bound), EADDRINUSE (taken; a TIME_WAIT holder only when
 *            neither asked for SO_REUSEADDR), EADDRNOTAVAIL (laddr not ours).
 */
int tcp_bind(struct tcpcb *tp, uint32_t laddr, uint16_t lport);
/* tcp_listen: accept connections, at most backlog (1..TCP_BACKLOG_MAX) waiting. EINVAL. */
int tcp_listen(struct tcpcb *tp, int backlog);
/*
 * tcp_connect: start an active open to faddr:fport (binds first when unbound). The result
 * comes later through t_upcall: t_state ESTABLISHED, or CLOSED with t_error.
 *   Returns: 0, EISCONN/EALREADY, ENETUNREACH (no route), EADDRINUSE, ENOBUFS.
 */
int tcp_connect(struct tcpcb *tp, uint32_t faddr, uint16_t fport);
/* tcp_accept: the oldest established connection waiting on listener tp (now the caller's,
 * t_detached false), or NULL when none waits. */
struct tcpcb *tcp_accept(struct tcpcb *tp);
/* How many bytes tcp_send() would take now, and how many tcp_recv() would give. */
uint32_t tcp_send_space(const struct tcpcb *tp);
uint32_t tcp_recv_avail(const struct tcpcb *tp);
/*
 * tcp_send: append up to len bytes to the send buffer and send what may be sent.
 *   Returns: bytes taken (0 when the buffer is full), or -EPIPE (send side shut down or the
 *            connection is gone), -ENOTCONN (not yet established).
 */
long tcp_send(struct tcpcb *tp, const void *data, size_t len);
/* tcp_recv: move up to len received bytes to buf (and open the window). Returns the count. */
size_t tcp_recv(struct tcpcb *tp, void *buf, size_t len);
/* tcp_shutdown: no more data from us: send a FIN after what is queued. */
void tcp_shutdown(struct tcpcb *tp);
/*
 * tcp_close: the user is done with tp (it must not touch tp again). A connection with unread
 * data is reset (RFC 9293 §3.10.4 via RFC 2525); otherwise it closes gracefully on its own
 * and is freed when done. A listener drops its queued connections.
 */
void tcp_close(struct tcpcb *tp);
/* tcp_abort: reset the connection now (SO_LINGER 0); tp stays the caller's, CLOSED. */
void tcp_abort(struct tcpcb *tp);
/* tcp_set_bufsizes: ring sizes to use (clamped), for a block not yet established. */
void tcp_set_bufsizes(struct tcpcb *tp, uint32_t snd, uint32_t rcv);

/* ---- internals shared by the tcp_*.c files ---- */
int tcp_parse_options(const uint8_t *opt, size_t len, bool syn, struct tcp_opts *to);
struct tcpcb *tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport);
void tcp_drop(struct tcpcb *tp, int err);
void tcp_set_state(struct tcpcb *tp, enum tcp_state st);
void tcp_notify(struct tcpcb *tp);
void tcp_xmit_timer(struct tcpcb *tp, uint64_t rtt_ns);
uint64_t tcp_rexmt_rto(const struct tcpcb *tp);
bool tcp_alloc_rings(struct tcpcb *tp);
void tcp_reap(void);
uint32_t tcp_ts_now(void);
uint16_t tcp_mss_for(uint32_t faddr, uint32_t laddr);
tcp_seq tcp_new_iss(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport);
uint8_t tcp_pick_rcv_scale(uint32_t rcvcap);
void tcp_canceltimers(struct tcpcb *tp);
uint32_t tcp_ring_space(const struct tcp_ring *r);
uint32_t tcp_ring_put(struct tcp_ring *r, const void *data, uint32_t len);
void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t len);
void tcp_ring_drop(struct tcp_ring *r, uint32_t len);

/* SACK (tcp_sack.c): the receiver's blocks, the sender's scoreboard and its retransmissions. */
unsigned tcp_sack_build(const struct tcpcb *tp, uint8_t *opt, unsigned room);
void tcp_sack_update(struct tcpcb *tp, tcp_seq ack, const struct tcp_opts *to);
bool tcp_sack_rexmit(struct tcpcb *tp);

/* tcp_output: send what tp's state, windows and buffers allow (tcp_output.c). 0 or errno. */
int tcp_output(struct tcpcb *tp);
/* tcp_respond: a bare segment (RST or ACK) not tied to a block's send state. */
void tcp_respond(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport, tcp_seq seq,
		 tcp_seq ack, uint8_t flags);
/* tcp_send_ack_now: an immediate ACK (challenge ACKs, keep-alive answers). */
void tcp_send_ack_now(struct tcpcb *tp);
/*
 * tcp_tx_ready: an interface's transmit queue has room again: send for every block that
 * found it full. tcp_tx_blocked says whether any did (read without the lock by a driver's
 * interrupt, to decide whether to wake the stack's thread).
 */
extern volatile bool tcp_tx_blocked;
void tcp_tx_ready(void);
/* tcp_slowtimo: run every timer that is due (tcp_timer.c). Call every TCP_TICK_NS or so. */
void tcp_slowtimo(void);

#endif /* _BSD_NET_TCP_H_ */
