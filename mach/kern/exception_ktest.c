/*
 * exception_ktest.c — self-tests of exception delivery: a thread that raises EXC_BAD_ACCESS
 * with its exception port set waits while a handler (another space) receives
 * mach_exception_raise with the codes and send rights to the thread's and task's ports; the
 * handler's KERN_SUCCESS resumes it; a failure reply, a request dropped unanswered (the
 * send-once notification), and an exception type with no handler all come back as
 * KERN_FAILURE, which is what BSD will turn into a signal. And a thread sets its own
 * exception port with a thread_set_exception_ports message to its thread port.
 */
#include <console.h>
#include <ktest.h>
#include <mach/kern/exception.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>

struct ex_ctx {
	ipc_port_t port;	/* send right to the handler's exception port */
	kern_return_t result[4];
	volatile unsigned done;
};

static void
ex_faulter(void *arg, wait_result_t wr)
{
	struct ex_ctx *c = arg;
	mach_exception_data_type_t code[2] = { 1 /* KERN_INVALID_ADDRESS */, 0xdead000 };

	(void)wr;
	if (thread_set_exception_ports(current_thread(), EXC_MASK(EXC_BAD_ACCESS), c->port,
				       EXCEPTION_DEFAULT | MACH_EXCEPTION_CODES, 0) != KERN_SUCCESS)
		goto out;
	for (unsigned i = 0; i < 3; i++)
		c->result[i] = exception_triage(current_thread(), EXC_BAD_ACCESS, code, 2);
	c->result[3] = exception_triage(current_thread(), EXC_BREAKPOINT, code, 1);
out:
	kt_count_up(&c->done);
}

struct ex_rcv {
	mach_exception_raise_request_t req;
	mach_msg_audit_trailer_t t;
};

KTEST(exception_handler_resumes_thread)
{
	static struct ex_ctx c;
	struct ex_rcv m;
	mig_reply_error_t rep;
	mach_msg_type_name_t type;
	mach_port_name_t exc;
	mach_port_type_t t;
	ipc_space_t h;

	memset(&c, 0, sizeof(c));
	KT_ASSERT_EQ(ipc_space_create(&h), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_allocate(h, MACH_PORT_RIGHT_RECEIVE, &exc), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_extract_right(h, exc, MACH_MSG_TYPE_MAKE_SEND, &c.port, &type),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(kt_start(ex_faulter, &c, BASEPRI_KERNEL, TH_MODE_FIXED), KERN_SUCCESS);
	for (unsigned round = 0; round < 3; round++) {
		memset(&m, 0, sizeof(m));
		KT_ASSERT_EQ(ipc_mach_msg(h, NULL, &m,
					  MACH_RCV_MSG | MACH_RCV_TIMEOUT |
					      MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
					  0, sizeof(m), exc, 2000),
			     MACH_MSG_SUCCESS);
		KT_ASSERT_EQ(m.req.Head.msgh_id, MSGID_MACH_EXCEPTION_RAISE);
		KT_ASSERT_EQ(m.req.Head.msgh_size, sizeof(m.req));
		KT_ASSERT_EQ(m.req.exception, EXC_BAD_ACCESS);
		KT_ASSERT_EQ(m.req.codeCnt, 2);
		KT_ASSERT_EQ(m.req.code[1], 0xdead000);
		KT_ASSERT_EQ(mach_port_type(h, m.req.thread.name, &t), KERN_SUCCESS);
		KT_ASSERT_EQ(t, MACH_PORT_TYPE_SEND);
		KT_ASSERT_EQ(mach_port_type(h, m.req.task.name, &t), KERN_SUCCESS);
		KT_ASSERT_EQ(t, MACH_PORT_TYPE_SEND);
		KT_ASSERT_EQ(MACH_MSGH_BITS_REMOTE(m.req.Head.msgh_bits),
			     MACH_MSG_TYPE_PORT_SEND_ONCE);
		KT_ASSERT_EQ(c.done, 0); /* the faulting thread waits for the answer */
		if (round == 2) {
			/* Dropped unanswered: the kernel hears the send-once notification. */
			KT_ASSERT_EQ(mach_port_deallocate(h, m.req.Head.msgh_remote_port),
				     KERN_SUCCESS);
			continue;
		}
		memset(&rep, 0, sizeof(rep));
		rep.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		rep.Head.msgh_remote_port = m.req.Head.msgh_remote_port;
		rep.Head.msgh_id = MSGID_MACH_EXCEPTION_RAISE + MIG_REPLY_DELTA;
		rep.RetCode = round == 0 ? KERN_SUCCESS : KERN_FAILURE;
		KT_ASSERT_EQ(ipc_mach_msg(h, NULL, &rep, MACH_SEND_MSG, sizeof(rep), 0, 0, 0),
			     MACH_MSG_SUCCESS);
	}
	KT_ASSERT(kt_wait_count(&c.done, 1, 2000000000ull));
	KT_ASSERT_EQ(c.result[0], KERN_SUCCESS);
	KT_ASSERT_EQ(c.result[1], KERN_FAILURE);
	KT_ASSERT_EQ(c.result[2], KERN_FAILURE);
	KT_ASSERT_EQ(c.result[3], KERN_FAILURE);
	/* Bad arguments are refused (and the right given is still consumed). */
	KT_ASSERT_EQ(thread_set_exception_ports(current_thread(), 1u << 30, NULL,
						EXCEPTION_DEFAULT, 0),
		     KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(exception_triage(current_thread(), EXC_TYPES_COUNT, NULL, 0),
		     KERN_INVALID_ARGUMENT);
	ipc_space_destroy(h);
}

struct ex_ctx2 {
	mach_port_name_t exc;	/* receive right in kernel_task's space */
	kern_return_t set, raised;
	volatile unsigned done;
};

/* Set our own exception port with a message to our thread port, then fault. */
static void
ex_faulter_msg(void *arg, wait_result_t wr)
{
	struct ex_ctx2 *c = arg;
	mach_exception_data_type_t code[2] = { 2, 0x1234 };
	mach_port_name_t reply = mach_reply_port(kernel_task);
	union {
		set_exception_ports_request_t req;
		struct {
			mig_reply_error_t rep;
			mach_msg_audit_trailer_t t;
		} r;
	} m;

	(void)wr;
	memset(&m, 0, sizeof(m));
	m.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND,
					      MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			       MACH_MSGH_BITS_COMPLEX;
	m.req.Head.msgh_remote_port = thread_self_trap(current_thread());
	m.req.Head.msgh_local_port = reply;
	m.req.Head.msgh_id = MSGID_thread_set_exception_ports;
	m.req.msgh_body.msgh_descriptor_count = 1;
	m.req.new_port.name = c->exc;
	m.req.new_port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.req.new_port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.req.exception_mask = EXC_MASK(EXC_BAD_ACCESS);
	m.req.behavior = EXCEPTION_DEFAULT;
	c->set = ipc_mach_msg(kernel_task->t_space, NULL, &m,
			      MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof(m.req),
			      sizeof(m.r), reply, 1000);
	if (c->set == MACH_MSG_SUCCESS)
		c->set = m.r.rep.RetCode;
	(void)mach_port_mod_refs(kernel_task->t_space, reply, MACH_PORT_RIGHT_RECEIVE, -1);
	if (c->set == KERN_SUCCESS)
		c->raised = exception_triage(current_thread(), EXC_BAD_ACCESS, code, 2);
	kt_count_up(&c->done);
}

KTEST(exception_ports_set_by_message)
{
	static struct ex_ctx2 c;
	ipc_space_t ks = kernel_task->t_space;
	struct {
		exception_raise_request_t req;
		mach_msg_audit_trailer_t t;
	} m;
	mig_reply_error_t rep;

	memset(&c, 0, sizeof(c));
	c.exc = mach_reply_port(kernel_task);
	c.set = c.raised = KERN_FAILURE;
	KT_ASSERT(MACH_PORT_VALID(c.exc));
	KT_ASSERT_EQ(kt_start(ex_faulter_msg, &c, BASEPRI_KERNEL, TH_MODE_FIXED), KERN_SUCCESS);
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(ipc_mach_msg(ks, NULL, &m, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m),
				  c.exc, 2000),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(c.set, KERN_SUCCESS);
	KT_ASSERT_EQ(m.req.Head.msgh_id, MSGID_EXCEPTION_RAISE);
	KT_ASSERT_EQ(m.req.exception, EXC_BAD_ACCESS);
	KT_ASSERT_EQ(m.req.code[0], 2);
	KT_ASSERT_EQ(m.req.code[1], 0x1234);
	memset(&rep, 0, sizeof(rep));
	rep.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	rep.Head.msgh_remote_port = m.req.Head.msgh_remote_port;
	rep.Head.msgh_id = MSGID_EXCEPTION_RAISE + MIG_REPLY_DELTA;
	KT_ASSERT_EQ(ipc_mach_msg(ks, NULL, &rep, MACH_SEND_MSG, sizeof(rep), 0, 0, 0),
		     MACH_MSG_SUCCESS);
	KT_ASSERT(kt_wait_count(&c.done, 1, 2000000000ull));
	KT_ASSERT_EQ(c.raised, KERN_SUCCESS);
	(void)mach_port_deallocate(ks, m.req.thread.name);
	(void)mach_port_deallocate(ks, m.req.task.name);
	KT_ASSERT_EQ(mach_port_mod_refs(ks, c.exc, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}
