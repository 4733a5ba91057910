/*
 * exception.c — exception ports and exception delivery (XNU osfmk/kern/exception.c,
 * ipc_tt.c set_exception_ports; message formats from exc.defs and mach_exc.defs).
 *
 * The one idea: the faulting thread is its own client. It builds the exception_raise request
 * itself (send rights to its thread and task ports ride in it, a send-once right to a reply
 * port that only the kernel holds is the reply port), queues it on the handler's port, and
 * sleeps on the reply port until the handler's reply, or the send-once notification that
 * says the request died unanswered, arrives.
 *
 * EXCEPTION_STATE and _STATE_IDENTITY carry the thread's registers (thread_get_state) and
 * the handler's reply gives the ones it resumes with.
 *
 * XXX: the host's exception ports; the handler's queue limit is not honoured
 * (an exception message never waits for room, as notifications do not).
 */
#include <console.h>
#include <mach/kern/exception.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>

static const NDR_record_t exc_ndr = { 0, 0, 0, 0, 1, 0, 0, 0 };

void
exception_actions_free(struct exception_action *actions)
{
	if (actions == NULL)
		return;
	ipc_lock();
	for (unsigned i = 0; i < EXC_TYPES_COUNT; i++)
		if (actions[i].ea_port != NULL)
			ipc_port_release_send(actions[i].ea_port);
	ipc_unlock();
	kfree(actions, EXC_TYPES_COUNT * sizeof(*actions));
}

static kern_return_t
exc_set(struct exception_action **slot, exception_mask_t mask, ipc_port_t port,
	exception_behavior_t behavior, thread_state_flavor_t flavor)
{
	struct exception_action *fresh = NULL;
	kern_return_t kr = KERN_SUCCESS;

	int form = behavior & ~MACH_EXCEPTION_CODES;

	/* The _STATE forms need a flavor this kernel can read and write. */
	if ((mask & ~EXC_MASK_VALID) != 0 || form < EXCEPTION_DEFAULT ||
	    form > EXCEPTION_STATE_IDENTITY ||
	    (form != EXCEPTION_DEFAULT && flavor != x86_THREAD_STATE64)) {
		kr = KERN_INVALID_ARGUMENT;
		goto out;
	}
	if (*slot == NULL && (fresh = kalloc_zero(EXC_TYPES_COUNT * sizeof(*fresh))) == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto out;
	}
	ipc_lock();
	if (*slot == NULL) {
		*slot = fresh;
		fresh = NULL;
	}
	for (unsigned i = 1; i < EXC_TYPES_COUNT; i++) {
		struct exception_action *a = &(*slot)[i];

		if (!(mask & EXC_MASK(i)))
			continue;
		if (a->ea_port != NULL)
			ipc_port_release_send(a->ea_port);
		a->ea_port = NULL;
		if (port != NULL) {
			/* Each type holds its own copy of the right. */
			port->ip_srights++;
			ipc_port_reference(port);
			a->ea_port = port;
		}
		a->ea_behavior = behavior;
		a->ea_flavor = flavor;
	}
	ipc_unlock();
	kfree(fresh, EXC_TYPES_COUNT * sizeof(*fresh));
out:
	if (port != NULL)
		ipc_port_release_right(port, MACH_MSG_TYPE_PORT_SEND);
	return kr;
}

kern_return_t
task_set_exception_ports(task_t task, exception_mask_t mask, ipc_port_t port,
			 exception_behavior_t behavior, thread_state_flavor_t flavor)
{
	return exc_set(&task->t_exc_actions, mask, port, behavior, flavor);
}

kern_return_t
thread_set_exception_ports(thread_t thread, exception_mask_t mask, ipc_port_t port,
			   exception_behavior_t behavior, thread_state_flavor_t flavor)
{
	return exc_set(&thread->th_exc_actions, mask, port, behavior, flavor);
}

/* Append len bytes at *off of buf. */
static void
exc_put(uint8_t *buf, mach_msg_size_t *off, const void *p, size_t len)
{
	memcpy(buf + *off, p, len);
	*off += (mach_msg_size_t)len;
}

/*
 * The request for action, sent by thread, with reply as its reply port: exception_raise, or
 * _state / _state_identity with the thread's registers (none to send: NULL). The fields are
 * laid one after the other as MIG packs them. IPC lock held.
 */
static ipc_kmsg_t
exc_request(thread_t thread, const struct exception_action *a, ipc_port_t reply,
	    exception_type_t exception, const mach_exception_data_type_t *code, uint32_t n)
{
	static const mach_msg_id_t ids[] = { 0, MSGID_EXCEPTION_RAISE, MSGID_EXCEPTION_RAISE_STATE,
					     MSGID_EXCEPTION_RAISE_STATE_IDENTITY };
	bool wide = a->ea_behavior & MACH_EXCEPTION_CODES;
	int behavior = a->ea_behavior & ~MACH_EXCEPTION_CODES;
	bool ports = behavior != EXCEPTION_STATE, state = behavior != EXCEPTION_DEFAULT;
	uint8_t buf[sizeof(mach_exception_raise_state_identity_request_t)];
	natural_t regs[THREAD_STATE_MAX];
	uint32_t nregs = THREAD_STATE_MAX;
	mach_msg_header_t h = { 0 };
	mach_msg_size_t off = sizeof(h);
	task_t task = thread->th_task;
	ipc_kmsg_t kmsg;

	if (state && thread_get_state(thread, a->ea_flavor, regs, &nregs) != KERN_SUCCESS)
		return NULL; /* a kernel thread has no registers to send */
	if (ports) {
		mach_msg_body_t body = { 2 };
		mach_msg_port_descriptor_t d = { .disposition = MACH_MSG_TYPE_PORT_SEND,
						 .type = MACH_MSG_PORT_DESCRIPTOR };

		exc_put(buf, &off, &body, sizeof(body));
		exc_put(buf, &off, &d, sizeof(d));
		exc_put(buf, &off, &d, sizeof(d));
	}
	exc_put(buf, &off, &exc_ndr, sizeof(exc_ndr));
	exc_put(buf, &off, &exception, sizeof(exception));
	exc_put(buf, &off, &n, sizeof(n));
	for (uint32_t i = 0; i < n; i++) {
		integer_t narrow = (integer_t)code[i];

		if (wide)
			exc_put(buf, &off, &code[i], sizeof(code[i]));
		else
			exc_put(buf, &off, &narrow, sizeof(narrow));
	}
	/* exception_raise's code array is the last field: MIG sends it at its full size. */
	if (!state)
		off += (2 - n) * (wide ? sizeof(int64_t) : sizeof(integer_t));
	if (state) {
		exc_put(buf, &off, &a->ea_flavor, sizeof(a->ea_flavor));
		exc_put(buf, &off, &nregs, sizeof(nregs));
		exc_put(buf, &off, regs, nregs * sizeof(natural_t));
	}
	if ((kmsg = ipc_kmsg_alloc(off, ports ? 2 : 0)) == NULL)
		return NULL;
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE) |
		      (ports ? MACH_MSGH_BITS_COMPLEX : 0);
	h.msgh_size = off;
	h.msgh_id = ids[behavior] + (wide ? 4 : 0);
	memset(kmsg->ikm_data, 0, off);
	memcpy(kmsg->ikm_data, &h, sizeof(h));
	memcpy(kmsg->ikm_data + sizeof(h), buf + sizeof(h), off - sizeof(h));
	if (ports) {
		kmsg->ikm_desc[0] = (struct ipc_kdesc){
			.kd_off = offsetof(exception_raise_request_t, thread),
			.kd_type = MACH_MSG_PORT_DESCRIPTOR,
			.kd_right = MACH_MSG_TYPE_PORT_SEND,
			.kd_port = ipc_kobject_make_send_lazy(&thread->th_self, thread,
							      IKOT_THREAD),
		};
		if (task->t_self != NULL)
			ipc_port_make_send(task->t_self);
		kmsg->ikm_desc[1] = (struct ipc_kdesc){
			.kd_off = offsetof(exception_raise_request_t, task),
			.kd_type = MACH_MSG_PORT_DESCRIPTOR,
			.kd_right = MACH_MSG_TYPE_PORT_SEND,
			.kd_port = task->t_self,
		};
	}
	a->ea_port->ip_srights++;
	ipc_port_reference(a->ea_port);
	kmsg->ikm_remote = a->ea_port;
	reply->ip_sorights++;
	ipc_port_reference(reply);
	kmsg->ikm_local = reply;
	return kmsg;
}

/*
 * MIG's check of the handler's reply to request id: the id, a simple message, the size; a
 * _state reply's registers go into *st. KERN_SUCCESS only for a well-formed success.
 */
static kern_return_t
exc_reply_check(ipc_kmsg_t rep, mach_msg_id_t id, bool state, exception_raise_state_reply_t *st)
{
	mig_reply_error_t r;

	if (rep->ikm_size < sizeof(r))
		return KERN_FAILURE;
	memcpy(&r, rep->ikm_data, sizeof(r));
	if (r.Head.msgh_id != id + MIG_REPLY_DELTA || (r.Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
	    r.RetCode != KERN_SUCCESS)
		return KERN_FAILURE;
	if (!state)
		return rep->ikm_size == sizeof(r) ? KERN_SUCCESS : KERN_FAILURE;
	if (rep->ikm_size < offsetof(exception_raise_state_reply_t, new_state) ||
	    rep->ikm_size > sizeof(*st))
		return KERN_FAILURE;
	memcpy(st, rep->ikm_data, rep->ikm_size);
	if (st->new_stateCnt > THREAD_STATE_MAX ||
	    rep->ikm_size != offsetof(exception_raise_state_reply_t, new_state) +
				 st->new_stateCnt * sizeof(natural_t))
		return KERN_FAILURE;
	return KERN_SUCCESS;
}

/* Send the exception to one handler and wait for its answer. */
static kern_return_t
exc_deliver(thread_t thread, struct exception_action *table, exception_type_t exception,
	    const mach_exception_data_type_t *code, uint32_t n)
{
	exception_raise_state_reply_t *st = NULL;
	kern_return_t kr = KERN_FAILURE;
	ipc_kmsg_t req, rep;
	mach_msg_id_t id;
	ipc_port_t reply;
	bool state;

	ipc_lock();
	if (table == NULL || table[exception].ea_port == NULL ||
	    !table[exception].ea_port->ip_active) {
		ipc_unlock();
		return KERN_FAILURE;
	}
	state = (table[exception].ea_behavior & ~MACH_EXCEPTION_CODES) != EXCEPTION_DEFAULT;
	ipc_unlock();
	/* Room for the registers the handler sends back (kalloc: not under the IPC lock). */
	if (state && (st = kalloc(sizeof(*st))) == NULL)
		return KERN_FAILURE;
	ipc_lock();
	if (table[exception].ea_port == NULL || (reply = ipc_port_alloc()) == NULL) {
		ipc_unlock();
		kfree(st, sizeof(*st));
		return KERN_FAILURE;
	}
	if ((req = exc_request(thread, &table[exception], reply, exception, code, n)) == NULL) {
		klog(LOG_WARNING, "exception: cannot raise exception %d to its handler\n",
		     exception);
		ipc_port_destroy(reply);
		ipc_unlock();
		kfree(st, sizeof(*st));
		return KERN_FAILURE;
	}
	memcpy(&id, req->ikm_data + offsetof(mach_msg_header_t, msgh_id), sizeof(id));
	state = st != NULL && id != MSGID_EXCEPTION_RAISE && id != MSGID_MACH_EXCEPTION_RAISE;
	ipc_kmsg_deliver(req);
	rep = ipc_mqueue_receive_kernel(reply);
	if (rep != NULL) {
		kr = exc_reply_check(rep, id, state, st);
		ipc_kmsg_destroy_later(rep);
	}
	ipc_port_destroy(reply);
	ipc_unlock();
	/* The handler's registers: the thread resumes with them (a bad state is a refusal). */
	if (kr == KERN_SUCCESS && state) {
		natural_t regs[THREAD_STATE_MAX];

		memcpy(regs, st->new_state, st->new_stateCnt * sizeof(natural_t));
		if (thread_state_apply(thread, st->flavor, regs, st->new_stateCnt) != KERN_SUCCESS)
			kr = KERN_FAILURE;
	}
	kfree(st, sizeof(*st));
	return kr;
}

kern_return_t
exception_triage(thread_t thread, exception_type_t exception,
		 const mach_exception_data_type_t *code, uint32_t codeCnt)
{
	if (exception <= 0 || exception >= EXC_TYPES_COUNT || codeCnt > 2)
		return KERN_INVALID_ARGUMENT;
	if (exc_deliver(thread, thread->th_exc_actions, exception, code, codeCnt) == KERN_SUCCESS)
		return KERN_SUCCESS;
	return exc_deliver(thread, thread->th_task->t_exc_actions, exception, code, codeCnt);
}
