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
 * XXX: EXCEPTION_STATE and _STATE_IDENTITY (they carry the thread's registers, which wait
 * for user threads); the host's exception ports; the handler's queue limit is not honoured
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

	if ((mask & ~EXC_MASK_VALID) != 0 ||
	    (behavior & ~MACH_EXCEPTION_CODES) != EXCEPTION_DEFAULT) {
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

/* The request for action, sent by thread, with reply as its reply port. IPC lock held. */
static ipc_kmsg_t
exc_request(thread_t thread, const struct exception_action *a, ipc_port_t reply,
	    exception_type_t exception, const mach_exception_data_type_t *code, uint32_t n)
{
	bool wide = a->ea_behavior & MACH_EXCEPTION_CODES;
	mach_msg_size_t size = wide ? sizeof(mach_exception_raise_request_t)
				    : sizeof(exception_raise_request_t);
	mach_exception_raise_request_t req = { 0 };
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(size, 2);
	task_t task = thread->th_task;

	if (kmsg == NULL)
		return NULL;
	req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND, MACH_MSG_TYPE_PORT_SEND_ONCE) |
			     MACH_MSGH_BITS_COMPLEX;
	req.Head.msgh_size = size;
	req.Head.msgh_id = wide ? MSGID_MACH_EXCEPTION_RAISE : MSGID_EXCEPTION_RAISE;
	req.msgh_body.msgh_descriptor_count = 2;
	req.thread.type = req.task.type = MACH_MSG_PORT_DESCRIPTOR;
	req.thread.disposition = req.task.disposition = MACH_MSG_TYPE_PORT_SEND;
	req.NDR = exc_ndr;
	req.exception = exception;
	req.codeCnt = n;
	if (wide) {
		for (uint32_t i = 0; i < n; i++)
			req.code[i] = code[i];
		memcpy(kmsg->ikm_data, &req, size);
	} else {
		exception_raise_request_t narrow;

		memcpy(&narrow, &req, offsetof(exception_raise_request_t, code));
		for (uint32_t i = 0; i < 2; i++)
			narrow.code[i] = i < n ? (integer_t)code[i] : 0;
		memcpy(kmsg->ikm_data, &narrow, size);
	}
	kmsg->ikm_desc[0] = (struct ipc_kdesc){
		.kd_off = offsetof(exception_raise_request_t, thread),
		.kd_type = MACH_MSG_PORT_DESCRIPTOR,
		.kd_right = MACH_MSG_TYPE_PORT_SEND,
		.kd_port = ipc_kobject_make_send_lazy(&thread->th_self, thread, IKOT_THREAD),
	};
	if (task->t_self != NULL)
		ipc_port_make_send(task->t_self);
	kmsg->ikm_desc[1] = (struct ipc_kdesc){
		.kd_off = offsetof(exception_raise_request_t, task),
		.kd_type = MACH_MSG_PORT_DESCRIPTOR,
		.kd_right = MACH_MSG_TYPE_PORT_SEND,
		.kd_port = task->t_self,
	};
	a->ea_port->ip_srights++;
	ipc_port_reference(a->ea_port);
	kmsg->ikm_remote = a->ea_port;
	reply->ip_sorights++;
	ipc_port_reference(reply);
	kmsg->ikm_local = reply;
	return kmsg;
}

/* Send the exception to one handler and wait for its answer. */
static kern_return_t
exc_deliver(thread_t thread, struct exception_action *table, exception_type_t exception,
	    const mach_exception_data_type_t *code, uint32_t n)
{
	kern_return_t kr = KERN_FAILURE;
	ipc_kmsg_t req, rep;
	mig_reply_error_t r;
	mach_msg_id_t id;
	ipc_port_t reply;

	ipc_lock();
	if (table == NULL || table[exception].ea_port == NULL ||
	    !table[exception].ea_port->ip_active || (reply = ipc_port_alloc()) == NULL) {
		ipc_unlock();
		return KERN_FAILURE;
	}
	if ((req = exc_request(thread, &table[exception], reply, exception, code, n)) == NULL) {
		klog(LOG_WARNING, "exception: no memory for exception %d\n", exception);
		ipc_port_destroy(reply);
		ipc_unlock();
		return KERN_FAILURE;
	}
	memcpy(&id, req->ikm_data + offsetof(mach_msg_header_t, msgh_id), sizeof(id));
	ipc_kmsg_deliver(req);
	rep = ipc_mqueue_receive_kernel(reply);
	if (rep != NULL) {
		/* MIG's check of a reply: the id, the size, a simple message. */
		memcpy(&r, rep->ikm_data, MIN((size_t)rep->ikm_size, sizeof(r)));
		if (rep->ikm_size == sizeof(r) && r.Head.msgh_id == id + MIG_REPLY_DELTA &&
		    !(r.Head.msgh_bits & MACH_MSGH_BITS_COMPLEX))
			kr = r.RetCode == KERN_SUCCESS ? KERN_SUCCESS : KERN_FAILURE;
		ipc_kmsg_destroy_later(rep);
	}
	ipc_port_destroy(reply);
	ipc_unlock();
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
