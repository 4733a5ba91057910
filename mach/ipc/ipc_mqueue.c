/*
 * ipc_mqueue.c — message queues and mach_msg: sending with the queue limit, receiving from a
 * port or a port set, time-outs (XNU osfmk/ipc/ipc_mqueue.c, mach_msg.c; the Mach 3 Kernel
 * Interfaces manual, mach_msg).
 *
 * The one idea: a sender on a send right waits while the destination holds ip_qlimit
 * messages; it checks before copyin, under the same lock hold that queues the message, so a
 * send that times out has moved nothing. Send-once rights (replies, notifications) never wait:
 * the receiver that made the right is owed exactly one message.
 *
 * Hosted builds (unit tests) have no scheduler: a wait times out at once.
 */
#include <mach/ipc/ipc.h>
#include <mach/kern/kalloc.h>
#ifndef NIMBUS_HOSTED
#include <arch/x86_64/timer.h>
#include <mach/kern/thread.h>
#else
#define THREAD_AWAKENED	   0
#define THREAD_TIMED_OUT   1
#define THREAD_INTERRUPTED 2
#endif

/* Sleep on event until woken or deadline (0: none); the IPC lock is dropped meanwhile. */
static int
mq_wait(void *event, uint64_t deadline, bool interruptible)
{
#ifndef NIMBUS_HOSTED
	int wr;
	int intr = interruptible ? THREAD_INTERRUPTIBLE : THREAD_UNINT;

	if (deadline != 0)
		assert_wait_deadline((event_t)event, intr, deadline);
	else
		assert_wait((event_t)event, intr);
	ipc_unlock();
	wr = thread_block(NULL);
	ipc_lock();
	return wr;
#else
	(void)event;
	(void)deadline;
	(void)interruptible;
	return THREAD_TIMED_OUT;
#endif
}

/* The port a send to msg's destination would wait on, or NULL if it need not wait. */
static ipc_port_t
mq_full_dest(ipc_space_t space, const void *msg, mach_msg_size_t size)
{
	mach_msg_header_t h;
	struct ipc_entry *e;
	mach_msg_type_name_t rd;
	ipc_port_t port;

	if (size < sizeof(h))
		return NULL;
	memcpy(&h, msg, sizeof(h));
	rd = MACH_MSGH_BITS_REMOTE(h.msgh_bits);
	if (rd != MACH_MSG_TYPE_MOVE_SEND && rd != MACH_MSG_TYPE_COPY_SEND &&
	    rd != MACH_MSG_TYPE_MAKE_SEND)
		return NULL;
	if ((e = ipc_entry_lookup(space, h.msgh_remote_port)) == NULL)
		return NULL;
	ipc_right_check(space, h.msgh_remote_port, e);
	if (!(e->ie_bits & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)))
		return NULL;
	port = e->ie_object;
	return port->ip_active && port->ip_msgcount >= port->ip_qlimit ? port : NULL;
}

static mach_msg_return_t
mq_send(ipc_space_t space, struct ipc_umem *um, ipc_kmsg_t kmsg, mach_msg_option_t option,
	mach_msg_timeout_t timeout, uint64_t deadline)
{
	mach_msg_return_t mr;
	ipc_port_t port;
	int wr;

	while ((port = mq_full_dest(space, kmsg->ikm_data, kmsg->ikm_size)) != NULL) {
		if ((option & MACH_SEND_TIMEOUT) && timeout == 0)
			return MACH_SEND_TIMED_OUT;
		ipc_port_reference(port);
		wr = mq_wait(&port->ip_qlimit, deadline, option & MACH_SEND_INTERRUPT);
		ipc_port_release(port);
		if (wr == THREAD_TIMED_OUT)
			return MACH_SEND_TIMED_OUT;
		if (wr == THREAD_INTERRUPTED)
			return MACH_SEND_INTERRUPTED;
	}
	if ((mr = ipc_kmsg_copyin(space, um, kmsg)) != MACH_MSG_SUCCESS)
		return mr;
	ipc_kmsg_deliver(kmsg);
	return MACH_MSG_SUCCESS;
}

ipc_kmsg_t
ipc_mqueue_receive_kernel(ipc_port_t port)
{
	queue_chain_t *q;

	while (queue_empty(&port->ip_messages)) {
		if (!port->ip_active || mq_wait(&port->ip_messages, 0, false) != THREAD_AWAKENED)
			return NULL;
	}
	q = queue_dequeue(&port->ip_messages);
	port->ip_msgcount--;
	ipc_port_wakeup_senders(port);
	return container_of(q, struct ipc_kmsg, ikm_link);
}

/* The first message queued on port, or on any member of pset. */
static ipc_kmsg_t
mq_first(ipc_port_t port, ipc_pset_t pset)
{
	if (port != NULL)
		return queue_empty(&port->ip_messages)
			   ? NULL
			   : container_of(port->ip_messages.next, struct ipc_kmsg, ikm_link);
	queue_foreach(&pset->ips_members, q) {
		ipc_port_t m = container_of(q, struct ipc_port, ip_pset_link);

		if (!queue_empty(&m->ip_messages))
			return container_of(m->ip_messages.next, struct ipc_kmsg, ikm_link);
	}
	return NULL;
}

static mach_msg_return_t
mq_receive_locked(ipc_space_t space, struct ipc_umem *um, void *buf, mach_msg_size_t rcv_size,
		  ipc_port_t port, ipc_pset_t pset, mach_msg_option_t option,
		  mach_msg_timeout_t timeout, uint64_t deadline, ipc_kmsg_t *kmsgp)
{
	mach_msg_size_t tsize = ipc_kmsg_trailer_size(option);
	ipc_kmsg_t kmsg;
	ipc_port_t mport;
	int wr;

	for (;;) {
		if ((port != NULL && !port->ip_active) || (pset != NULL && !pset->ips_active))
			return MACH_RCV_PORT_DIED;
		/* Its receive right left this space (moved in a message) while we slept. */
		if (port != NULL && port->ip_receiver != space)
			return MACH_RCV_PORT_CHANGED;
		if ((kmsg = mq_first(port, pset)) != NULL)
			break;
		if ((option & MACH_RCV_TIMEOUT) && timeout == 0)
			return MACH_RCV_TIMED_OUT;
		wr = mq_wait(port != NULL ? (void *)&port->ip_messages : (void *)&pset->ips_members,
			     deadline, option & MACH_RCV_INTERRUPT);
		if (wr == THREAD_TIMED_OUT)
			return MACH_RCV_TIMED_OUT;
		if (wr == THREAD_INTERRUPTED)
			return MACH_RCV_INTERRUPTED;
	}
	mport = kmsg->ikm_remote;
	if ((uint64_t)kmsg->ikm_size + tsize > rcv_size) {
		if (option & MACH_RCV_LARGE) {
			/* The message stays queued; the header says how much room it needs. */
			if (rcv_size >= sizeof(mach_msg_header_t))
				((mach_msg_header_t *)buf)->msgh_size = kmsg->ikm_size + tsize;
			return MACH_RCV_TOO_LARGE;
		}
		queue_remove(&kmsg->ikm_link);
		mport->ip_msgcount--;
		ipc_port_wakeup_senders(mport);
		ipc_kmsg_destroy_later(kmsg);
		return MACH_RCV_TOO_LARGE;
	}
	queue_remove(&kmsg->ikm_link);
	mport->ip_msgcount--;
	kmsg->ikm_trailer.msgh_seqno = mport->ip_seqno++;
	ipc_port_wakeup_senders(mport);
	*kmsgp = kmsg;
	return ipc_kmsg_copyout(space, um, kmsg);
}

/* Receive; a message taken off its queue comes back in *kmsgp for ipc_kmsg_put. */
static mach_msg_return_t
mq_receive(ipc_space_t space, struct ipc_umem *um, void *buf, mach_msg_size_t rcv_size,
	   mach_port_name_t rcv_name, mach_msg_option_t option, mach_msg_timeout_t timeout,
	   uint64_t deadline, ipc_kmsg_t *kmsgp)
{
	struct ipc_entry *e;
	ipc_port_t port = NULL;
	ipc_pset_t pset = NULL;
	mach_msg_return_t mr;

	if (((option >> 28) & 0xf) != MACH_MSG_TRAILER_FORMAT_0)
		return MACH_RCV_INVALID_TRAILER;
	if (!space->is_active || (e = ipc_entry_lookup(space, rcv_name)) == NULL)
		return MACH_RCV_INVALID_NAME;
	ipc_right_check(space, rcv_name, e);
	if (e->ie_bits & MACH_PORT_TYPE_RECEIVE) {
		port = e->ie_object;
		ipc_port_reference(port);
	} else if (e->ie_bits & MACH_PORT_TYPE_PORT_SET) {
		pset = e->ie_object;
		pset->ips_references++;
	} else {
		return MACH_RCV_INVALID_NAME;
	}
	mr = mq_receive_locked(space, um, buf, rcv_size, port, pset, option, timeout, deadline,
			       kmsgp);
	if (port != NULL)
		ipc_port_release(port);
	else
		ipc_pset_release(pset);
	return mr;
}

mach_msg_return_t
ipc_mach_msg(ipc_space_t space, struct ipc_umem *um, void *msg, mach_msg_option_t option,
	     mach_msg_size_t send_size, mach_msg_size_t rcv_size, mach_port_name_t rcv_name,
	     mach_msg_timeout_t timeout)
{
	mach_msg_return_t mr = MACH_MSG_SUCCESS;
	ipc_kmsg_t kmsg = NULL;
	uint64_t deadline = 0;

#ifndef NIMBUS_HOSTED
	if ((option & (MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT)) && timeout != 0)
		deadline = clock_uptime_ns() + (uint64_t)timeout * 1000000ull;
#endif
	/* Out-of-line memory is taken before the IPC lock: it may fault on the sender's map. */
	if ((option & MACH_SEND_MSG) &&
	    (mr = ipc_kmsg_get(um, msg, send_size, &kmsg)) != MACH_MSG_SUCCESS)
		return mr;
	ipc_lock();
	if (option & MACH_SEND_MSG) {
		mr = mq_send(space, um, kmsg, option, (option & MACH_SEND_TIMEOUT) ? timeout : 0,
			     (option & MACH_SEND_TIMEOUT) ? deadline : 0);
		if (mr != MACH_MSG_SUCCESS)
			ipc_kmsg_destroy_later(kmsg); /* holds no right yet: only memory */
		kmsg = NULL;
		/* A request to a kernel object is served here, so its reply can be received. */
		if (ipc_kobject_pending()) {
			ipc_unlock();
			ipc_kobject_drain();
			ipc_lock();
		}
	}
	if (mr == MACH_MSG_SUCCESS && (option & MACH_RCV_MSG))
		mr = mq_receive(space, um, msg, rcv_size, rcv_name, option,
				(option & MACH_RCV_TIMEOUT) ? timeout : 0,
				(option & MACH_RCV_TIMEOUT) ? deadline : 0, &kmsg);
	ipc_unlock();
	if (kmsg != NULL)
		mr = ipc_kmsg_put(um, kmsg, msg, ipc_kmsg_trailer_size(option), mr);
	return mr;
}

/* Whether a receive that returned mr wrote a message into the buffer. */
static bool
mq_received(mach_msg_return_t mr)
{
	mr &= ~(MACH_MSG_IPC_SPACE | MACH_MSG_VM_SPACE);
	return mr == MACH_MSG_SUCCESS || mr == MACH_RCV_HEADER_ERROR || mr == MACH_RCV_BODY_ERROR;
}

mach_msg_return_t
ipc_mach_msg_trap(ipc_space_t space, struct ipc_umem *um, vaddr_t msg_addr,
		  mach_msg_option_t option, mach_msg_size_t send_size, mach_msg_size_t rcv_size,
		  mach_port_name_t rcv_name, mach_msg_timeout_t timeout)
{
	mach_msg_size_t send_room = (option & MACH_SEND_MSG) ? send_size : 0;
	mach_msg_size_t rcv_room = 0;
	mach_msg_header_t *h;
	mach_msg_return_t mr;
	vm_size_t bytes;
	uint8_t *buf;

	if (option & MACH_RCV_MSG)
		rcv_room = MIN(rcv_size, IPC_KMSG_MAX_SIZE + sizeof(mach_msg_audit_trailer_t));
	if (send_room > IPC_KMSG_MAX_SIZE)
		return MACH_SEND_TOO_LARGE;
	bytes = MAX(MAX(send_room, rcv_room), sizeof(mach_msg_header_t));
	if ((buf = kalloc_zero(bytes)) == NULL)
		return (option & MACH_SEND_MSG) ? MACH_SEND_NO_BUFFER : MACH_RCV_TOO_LARGE;
	h = (mach_msg_header_t *)buf;
	if (send_room != 0 && um->um_copyin(um, msg_addr, buf, send_room) != KERN_SUCCESS) {
		mr = MACH_SEND_INVALID_DATA;
		goto out;
	}
	mr = ipc_mach_msg(space, um, buf, option, send_room, rcv_room, rcv_name, timeout);
	if (!(option & MACH_RCV_MSG))
		goto out;
	if (mq_received(mr)) {
		if (um->um_copyout(um, buf, msg_addr,
				   h->msgh_size + ipc_kmsg_trailer_size(option)) != KERN_SUCCESS)
			mr = MACH_RCV_INVALID_DATA;
	} else if (mr == MACH_RCV_TOO_LARGE && (option & MACH_RCV_LARGE) &&
		   rcv_room >= sizeof(*h)) {
		if (um->um_copyout(um, &h->msgh_size, msg_addr + offsetof(mach_msg_header_t,
									  msgh_size),
				   sizeof(h->msgh_size)) != KERN_SUCCESS)
			mr = MACH_RCV_INVALID_DATA;
	}
out:
	kfree(buf, bytes);
	return mr;
}
