/*
 * ipc_ktest.c — self-tests of Mach IPC between kernel threads: an RPC ping-pong through
 * mach_msg with a send-once reply port (the round-trip figure), a sender blocked by the queue
 * limit that proceeds when the receiver drains, receive and send time-outs, a receive on a
 * port set woken by a member, a blocked receiver and a dead-name request both told when the
 * receive right dies, a no-senders notification, and 10,000 ports allocated and freed with
 * the port zone's counts equal before and after.
 *
 * Each thread has its own ipc_space (tasks do not carry one yet), and a thread that waits
 * does so with a time-out, so a bug fails a test instead of hanging the run.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>

#define MS 1000000ULL

struct ik_msg {
	mach_msg_header_t h;
	uint64_t payload;
	mach_msg_audit_trailer_t t;
};

static mach_port_name_t
ik_recv(ipc_space_t s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	(void)mach_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n);
	return n;
}

/* Give space `to` a right made from from's receive right; its name there. */
static mach_port_name_t
ik_give(ipc_space_t from, mach_port_name_t name, mach_msg_type_name_t disp, ipc_space_t to)
{
	ipc_port_t port;
	mach_msg_type_name_t type;
	mach_port_name_t n = MACH_PORT_NULL;

	if (mach_port_extract_right(from, name, disp, &port, &type) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	ipc_lock();
	if (ipc_right_copyout(to, port, type, &n) != KERN_SUCCESS)
		ipc_object_destroy(port, type);
	ipc_unlock();
	return n;
}

static mach_msg_return_t
ik_send(ipc_space_t s, mach_port_name_t dest, mach_msg_type_name_t disp, mach_msg_id_t id,
	mach_msg_option_t extra, mach_msg_timeout_t timeout)
{
	struct ik_msg m = { 0 };

	m.h.msgh_bits = MACH_MSGH_BITS(disp, 0);
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = id;
	return ipc_mach_msg(s, NULL, &m, MACH_SEND_MSG | extra, offsetof(struct ik_msg, t), 0, 0,
			    timeout);
}

static mach_msg_return_t
ik_receive(ipc_space_t s, mach_port_name_t name, struct ik_msg *m, mach_msg_timeout_t ms)
{
	return ipc_mach_msg(s, NULL, m,
			    MACH_RCV_MSG | MACH_RCV_TIMEOUT |
				MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
			    0, sizeof(*m), name, ms);
}

static volatile unsigned ik_done;

static void
ik_finish(void)
{
	__atomic_fetch_add(&ik_done, 1, __ATOMIC_RELEASE);
	thread_wakeup((event_t)&ik_done);
}

/* Wait (at most 5 s) until ik_done reaches target. */
static bool
ik_wait_done(unsigned target)
{
	uint64_t deadline = clock_uptime_ns() + 5000 * MS;

	while (__atomic_load_n(&ik_done, __ATOMIC_ACQUIRE) < target) {
		assert_wait_deadline((event_t)&ik_done, THREAD_UNINT, deadline);
		if (__atomic_load_n(&ik_done, __ATOMIC_ACQUIRE) >= target) {
			(void)clear_wait(current_thread(), THREAD_AWAKENED);
			break;
		}
		if (thread_block(NULL) == THREAD_TIMED_OUT)
			break;
	}
	return __atomic_load_n(&ik_done, __ATOMIC_ACQUIRE) >= target;
}

/* Wait until the reaper has freed the test's threads, so the next test counts right. */
static bool
ik_wait_reaped(unsigned base)
{
	for (int i = 0; i < 200 && thread_count() != base; i++)
		thread_sleep_ns(10 * MS);
	return thread_count() == base;
}

static kern_return_t
ik_start(thread_continue_t fn, void *arg)
{
	thread_t t;
	kern_return_t kr = kernel_thread_start(fn, arg, &t);

	if (kr == KERN_SUCCESS)
		thread_deallocate(t);
	return kr;
}

/* ---- ping-pong ---- */

struct ik_server {
	ipc_space_t is_space;
	mach_port_name_t is_port;
	uint64_t is_served;
	mach_msg_return_t is_error;
};

/* Serve until a message with id 0: reply to each on its send-once right, id + 100. */
static void
ik_server_thread(void *arg, wait_result_t wr)
{
	struct ik_server *srv = arg;
	struct ik_msg m;
	mach_msg_return_t mr;

	for (;;) {
		mr = ik_receive(srv->is_space, srv->is_port, &m, 5000);
		if (mr != MACH_MSG_SUCCESS || m.h.msgh_id == 0)
			break;
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_id += 100;
		m.payload++;
		mr = ipc_mach_msg(srv->is_space, NULL, &m, MACH_SEND_MSG, offsetof(struct ik_msg, t), 0,
				  0, 0);
		if (mr != MACH_MSG_SUCCESS)
			break;
		srv->is_served++;
	}
	srv->is_error = mr;
	ik_finish();
}

KTEST(ipc_rpc_pingpong)
{
	static struct ik_server srv;
	ipc_space_t cs;
	mach_port_name_t send, reply;
	uint64_t t0, t1, c0, c1, n = 0, budget = 500 * MS;
	struct ik_msg m;
	unsigned done0 = ik_done, base = thread_count();

	KT_ASSERT_EQ(ipc_space_create(&srv.is_space), KERN_SUCCESS);
	KT_ASSERT_EQ(ipc_space_create(&cs), KERN_SUCCESS);
	srv.is_port = ik_recv(srv.is_space);
	srv.is_served = 0;
	send = ik_give(srv.is_space, srv.is_port, MACH_MSG_TYPE_MAKE_SEND, cs);
	reply = ik_recv(cs);
	KT_ASSERT(MACH_PORT_VALID(send) && MACH_PORT_VALID(reply));
	KT_ASSERT_EQ(ik_start(ik_server_thread, &srv), KERN_SUCCESS);

	t0 = clock_uptime_ns();
	c0 = rdtsc();
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.h.msgh_bits =
		    MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_remote_port = send;
		m.h.msgh_local_port = reply;
		m.h.msgh_id = 1;
		m.payload = n;
		KT_ASSERT_EQ(ipc_mach_msg(cs, NULL, &m, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
					  offsetof(struct ik_msg, t), sizeof(m), reply, 5000),
			     MACH_MSG_SUCCESS);
		KT_ASSERT_EQ(m.h.msgh_id, 101);
		KT_ASSERT_EQ(m.payload, n + 1);
		KT_ASSERT_EQ(m.h.msgh_local_port, reply);
		n++;
		if ((n & 63) == 0 && clock_uptime_ns() - t0 >= budget)
			break;
	}
	c1 = rdtsc();
	t1 = clock_uptime_ns();
	KT_ASSERT_EQ(ik_send(cs, send, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0), MACH_MSG_SUCCESS);
	KT_ASSERT(ik_wait_done(done0 + 1));
	KT_ASSERT_EQ(srv.is_served, n);
	printf("# figure: ipc rpc round trip (send + receive + reply, two kernel threads): "
	       "%llu round trips in %llu ms = %llu/s, %llu ns, %llu cycles each\n",
	       (unsigned long long)n, (unsigned long long)((t1 - t0) / MS),
	       (unsigned long long)(n * 1000000000ull / (t1 - t0)),
	       (unsigned long long)((t1 - t0) / n), (unsigned long long)((c1 - c0) / n));
	ipc_space_destroy(cs);
	ipc_space_destroy(srv.is_space);
	KT_ASSERT(ik_wait_reaped(base));
}

/* ---- queue limit ---- */

struct ik_sender {
	ipc_space_t ks_space;
	mach_port_name_t ks_dest;
	volatile unsigned ks_sent;
	mach_msg_return_t ks_error;
};

static void
ik_sender_thread(void *arg, wait_result_t wr)
{
	struct ik_sender *s = arg;

	for (unsigned i = 0; i < 3; i++) {
		s->ks_error = ik_send(s->ks_space, s->ks_dest, MACH_MSG_TYPE_COPY_SEND, 10 + i,
				      MACH_SEND_TIMEOUT, 5000);
		if (s->ks_error != MACH_MSG_SUCCESS)
			break;
		__atomic_fetch_add(&s->ks_sent, 1, __ATOMIC_RELEASE);
	}
	ik_finish();
}

KTEST(ipc_queue_limit_blocks_sender)
{
	static struct ik_sender snd;
	ipc_space_t rs;
	mach_port_name_t port;
	struct ipc_port_status st;
	struct ik_msg m;
	unsigned done0 = ik_done, base = thread_count();

	KT_ASSERT_EQ(ipc_space_create(&rs), KERN_SUCCESS);
	KT_ASSERT_EQ(ipc_space_create(&snd.ks_space), KERN_SUCCESS);
	port = ik_recv(rs);
	KT_ASSERT_EQ(mach_port_set_qlimit(rs, port, 1), KERN_SUCCESS);
	snd.ks_dest = ik_give(rs, port, MACH_MSG_TYPE_MAKE_SEND, snd.ks_space);
	snd.ks_sent = 0;
	KT_ASSERT_EQ(ik_start(ik_sender_thread, &snd), KERN_SUCCESS);
	thread_sleep_ns(50 * MS);
	/* One message queued, the sender blocked on the second. */
	KT_ASSERT_EQ(snd.ks_sent, 1);
	KT_ASSERT_EQ(mach_port_get_status(rs, port, &st), KERN_SUCCESS);
	KT_ASSERT_EQ(st.mps_msgcount, 1);
	for (unsigned i = 0; i < 3; i++) {
		KT_ASSERT_EQ(ik_receive(rs, port, &m, 2000), MACH_MSG_SUCCESS);
		KT_ASSERT_EQ(m.h.msgh_id, 10 + i);
		KT_ASSERT_EQ(m.t.msgh_seqno, i);
	}
	KT_ASSERT(ik_wait_done(done0 + 1));
	KT_ASSERT_EQ(snd.ks_error, MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(snd.ks_sent, 3);
	ipc_space_destroy(snd.ks_space);
	ipc_space_destroy(rs);
	KT_ASSERT(ik_wait_reaped(base));
}

KTEST(ipc_timeouts)
{
	ipc_space_t s;
	mach_port_name_t port, send;
	struct ik_msg m;
	uint64_t t0, dt;

	KT_ASSERT_EQ(ipc_space_create(&s), KERN_SUCCESS);
	port = ik_recv(s);
	t0 = clock_uptime_ns();
	KT_ASSERT_EQ(ik_receive(s, port, &m, 30), MACH_RCV_TIMED_OUT);
	dt = clock_uptime_ns() - t0;
	KT_ASSERT(dt >= 30 * MS);
	KT_ASSERT(dt < 3000 * MS);
	KT_ASSERT_EQ(ik_receive(s, port, &m, 0), MACH_RCV_TIMED_OUT);
	/* A full queue: the send times out and moves nothing. */
	KT_ASSERT_EQ(mach_port_set_qlimit(s, port, 1), KERN_SUCCESS);
	send = ik_give(s, port, MACH_MSG_TYPE_MAKE_SEND, s);
	KT_ASSERT_EQ(ik_send(s, send, MACH_MSG_TYPE_COPY_SEND, 1, 0, 0), MACH_MSG_SUCCESS);
	t0 = clock_uptime_ns();
	KT_ASSERT_EQ(ik_send(s, send, MACH_MSG_TYPE_COPY_SEND, 2, MACH_SEND_TIMEOUT, 20),
		     MACH_SEND_TIMED_OUT);
	KT_ASSERT(clock_uptime_ns() - t0 >= 20 * MS);
	printf("# figure: 30 ms receive time-out took %llu us\n", (unsigned long long)(dt / 1000));
	ipc_space_destroy(s);
}

/* ---- port sets and death ---- */

struct ik_waiter {
	ipc_space_t kw_space;
	mach_port_name_t kw_name;
	mach_msg_return_t kw_result;
	struct ik_msg kw_msg;
};

static void
ik_waiter_thread(void *arg, wait_result_t wr)
{
	struct ik_waiter *w = arg;

	w->kw_result = ik_receive(w->kw_space, w->kw_name, &w->kw_msg, 5000);
	ik_finish();
}

KTEST(ipc_port_set_receive)
{
	static struct ik_waiter w;
	ipc_space_t other;
	mach_port_name_t p1, p2, send;
	unsigned done0 = ik_done, base = thread_count();

	KT_ASSERT_EQ(ipc_space_create(&w.kw_space), KERN_SUCCESS);
	KT_ASSERT_EQ(ipc_space_create(&other), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_allocate(w.kw_space, MACH_PORT_RIGHT_PORT_SET, &w.kw_name), 0);
	p1 = ik_recv(w.kw_space);
	p2 = ik_recv(w.kw_space);
	KT_ASSERT_EQ(mach_port_move_member(w.kw_space, p1, w.kw_name), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_move_member(w.kw_space, p2, w.kw_name), KERN_SUCCESS);
	send = ik_give(w.kw_space, p2, MACH_MSG_TYPE_MAKE_SEND, other);
	w.kw_result = -1;
	KT_ASSERT_EQ(ik_start(ik_waiter_thread, &w), KERN_SUCCESS);
	thread_sleep_ns(20 * MS);
	KT_ASSERT_EQ(w.kw_result, -1);
	KT_ASSERT_EQ(ik_send(other, send, MACH_MSG_TYPE_MOVE_SEND, 77, 0, 0), MACH_MSG_SUCCESS);
	KT_ASSERT(ik_wait_done(done0 + 1));
	KT_ASSERT_EQ(w.kw_result, MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(w.kw_msg.h.msgh_id, 77);
	KT_ASSERT_EQ(w.kw_msg.h.msgh_local_port, p2);
	ipc_space_destroy(other);
	ipc_space_destroy(w.kw_space);
	KT_ASSERT(ik_wait_reaped(base));
}

KTEST(ipc_dead_name_notification)
{
	static struct ik_waiter blocked, notified;
	ipc_space_t owner;
	mach_port_name_t port, send, prev;
	mach_dead_name_notification_t *n = (void *)&notified.kw_msg;
	mach_port_urefs_t refs = 0;
	unsigned done0 = ik_done, base = thread_count();

	KT_ASSERT_EQ(ipc_space_create(&owner), KERN_SUCCESS);
	KT_ASSERT_EQ(ipc_space_create(&notified.kw_space), KERN_SUCCESS);
	port = ik_recv(owner);
	send = ik_give(owner, port, MACH_MSG_TYPE_MAKE_SEND, notified.kw_space);
	notified.kw_name = ik_recv(notified.kw_space);
	KT_ASSERT_EQ(mach_port_request_notification(notified.kw_space, send,
						    MACH_NOTIFY_DEAD_NAME, 0, notified.kw_name,
						    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		     KERN_SUCCESS);
	/* One thread waits for the notification, one receives on the port that will die. */
	blocked.kw_space = owner;
	blocked.kw_name = port;
	KT_ASSERT_EQ(ik_start(ik_waiter_thread, &notified), KERN_SUCCESS);
	KT_ASSERT_EQ(ik_start(ik_waiter_thread, &blocked), KERN_SUCCESS);
	thread_sleep_ns(20 * MS);
	KT_ASSERT_EQ(mach_port_mod_refs(owner, port, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	KT_ASSERT(ik_wait_done(done0 + 2));
	KT_ASSERT_EQ(blocked.kw_result, MACH_RCV_PORT_DIED);
	KT_ASSERT_EQ(notified.kw_result, MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(n->not_header.msgh_id, MACH_NOTIFY_DEAD_NAME);
	KT_ASSERT_EQ(n->not_port, send);
	KT_ASSERT_EQ(mach_port_get_refs(notified.kw_space, send, MACH_PORT_RIGHT_DEAD_NAME, &refs),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(refs, 2);
	ipc_space_destroy(owner);
	ipc_space_destroy(notified.kw_space);
	KT_ASSERT(ik_wait_reaped(base));
}

KTEST(ipc_no_senders_notification)
{
	static struct ik_waiter w;
	ipc_space_t client;
	mach_port_name_t port, send, prev;
	mach_no_senders_notification_t *n = (void *)&w.kw_msg;
	unsigned done0 = ik_done, base = thread_count();

	KT_ASSERT_EQ(ipc_space_create(&w.kw_space), KERN_SUCCESS);
	KT_ASSERT_EQ(ipc_space_create(&client), KERN_SUCCESS);
	port = ik_recv(w.kw_space);
	w.kw_name = ik_recv(w.kw_space);
	send = ik_give(w.kw_space, port, MACH_MSG_TYPE_MAKE_SEND, client);
	(void)ik_give(w.kw_space, port, MACH_MSG_TYPE_MAKE_SEND, client);
	KT_ASSERT_EQ(mach_port_request_notification(w.kw_space, port, MACH_NOTIFY_NO_SENDERS, 1,
						    w.kw_name, MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		     KERN_SUCCESS);
	w.kw_result = -1;
	KT_ASSERT_EQ(ik_start(ik_waiter_thread, &w), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_deallocate(client, send), KERN_SUCCESS);
	thread_sleep_ns(20 * MS);
	KT_ASSERT_EQ(w.kw_result, -1); /* one user reference is left */
	KT_ASSERT_EQ(mach_port_deallocate(client, send), KERN_SUCCESS);
	KT_ASSERT(ik_wait_done(done0 + 1));
	KT_ASSERT_EQ(w.kw_result, MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(n->not_header.msgh_id, MACH_NOTIFY_NO_SENDERS);
	KT_ASSERT_EQ(n->not_count, 2);
	ipc_space_destroy(client);
	ipc_space_destroy(w.kw_space);
	KT_ASSERT(ik_wait_reaped(base));
}

KTEST(ipc_10000_ports_no_leak)
{
	enum { N = 10000 };
	zone_t pz = zone_find("ipc.ports");
	struct zone_info z0, z1;
	ipc_space_t s;
	mach_port_name_t first = MACH_PORT_NULL, n;
	uint64_t ports0 = ipc_port_count();

	KT_ASSERT(pz != NULL);
	zone_get_info(pz, &z0);
	KT_ASSERT_EQ(ipc_space_create(&s), KERN_SUCCESS);
	for (unsigned i = 0; i < N; i++) {
		KT_ASSERT_EQ(mach_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n), KERN_SUCCESS);
		if (i == 0)
			first = n;
		if (i % 2 == 0)
			KT_ASSERT_EQ(ik_give(s, n, MACH_MSG_TYPE_MAKE_SEND, s), n);
	}
	KT_ASSERT_EQ(ipc_port_count(), ports0 + N);
	zone_get_info(pz, &z1);
	KT_ASSERT_EQ(z1.zi_count, z0.zi_count + N);
	/* Half go by name; the rest with the space. */
	for (unsigned i = 0; i < N / 2; i++)
		KT_ASSERT_EQ(mach_port_destroy(s, MACH_PORT_MAKE(MACH_PORT_INDEX(first) + i,
								 MACH_PORT_GEN(first))),
			     KERN_SUCCESS);
	ipc_space_destroy(s);
	zone_get_info(pz, &z1);
	KT_ASSERT_EQ(z1.zi_count, z0.zi_count);
	KT_ASSERT_EQ(ipc_port_count(), ports0);
}
