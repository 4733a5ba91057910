/*
 * mig_stubs.c — user/libmach's client stubs for the kernel server: each builds the request
 * layout of mach/kern/mig_defs.h, sends it with a send-once reply right and checks the reply
 * as a MIG-built client does (id + 100, size, RetCode).
 *
 * The one idea: a stub's message id, request size and the right its port descriptor must
 * carry come from the routine table the kernel dispatches by (MIG_ROUTINES, expanded below
 * into one mig_<routine> record each), never from numbers typed here.
 */
#include <unistd.h>

#include "mach.h"

#define MIG_REPLY_MISMATCH  (-301)
#define MIG_ARRAY_TOO_LARGE (-307)

struct mig_routine {
	mach_msg_id_t id;
	mach_msg_size_t size;	/* the request's size (thread_set_state: its largest) */
	mach_msg_type_name_t right;
};

#define MIG_RECORD(name, id, kotype, req, right)                                               \
	static const struct mig_routine mig_##name __attribute__((unused)) = { id, sizeof(req), \
									       right };
MIG_ROUTINES(MIG_RECORD)
#undef MIG_RECORD

static const NDR_record_t mig_ndr = { 0, 0, 0, 0, 1, 0, 0, 0 };

/* Room for any request or reply, and the trailer. */
union mig_buf {
	mach_msg_header_t Head;
	mig_reply_error_t err;
	mach_port_reply_t port;
	kobj_port_reply_t right;
	mach_port_request_t port_req;
	mach_port_get_refs_request_t get_refs;
	mach_port_mod_refs_request_t mod_refs;
	mach_port_request_notification_request_t notify;
	mach_port_insert_right_request_t insert;
	task_get_special_port_request_t get_special;
	task_set_special_port_request_t set_special;
	set_exception_ports_request_t set_exc;
	thread_get_state_request_t get_state;
	thread_get_state_reply_t state;
	thread_set_state_request_t set_state;
	mach_vm_allocate_request_t vm_alloc;
	mach_vm_allocate_reply_t vm_alloc_reply;
	mach_vm_range_request_t vm_range;
	mach_vm_protect_request_t vm_protect;
	mach_vm_read_reply_t vm_read;
	mach_vm_write_request_t vm_write;
	uint8_t bytes[sizeof(thread_set_state_request_t) + sizeof(mach_msg_audit_trailer_t)];
};

static mach_port_t mig_reply;
static pid_t mig_reply_pid;

/* This process's reply port; a forked child has a new space, so it makes its own. */
static mach_port_t
mig_reply_port(void)
{
	pid_t pid = getpid();

	if (mig_reply == MACH_PORT_NULL || mig_reply_pid != pid) {
		mig_reply = mach_reply_port();
		mig_reply_pid = pid;
	}
	return mig_reply;
}

/*
 * Send m (size bytes) for routine r to dest and receive the reply in m. A failed call's reply
 * is a mig_reply_error_t; a successful one must be reply_size bytes (0: the caller checks)
 * and complex exactly when reply_complex says.
 */
static kern_return_t
mig_rpc(mach_port_t dest, const struct mig_routine *r, union mig_buf *m, mach_msg_size_t size,
	mach_msg_size_t reply_size, int reply_complex)
{
	mach_port_t reply = mig_reply_port();
	mach_msg_return_t mr;
	int complex;

	m->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			    (r->right != 0 ? MACH_MSGH_BITS_COMPLEX : 0);
	m->Head.msgh_size = size;
	m->Head.msgh_remote_port = dest;
	m->Head.msgh_local_port = reply;
	m->Head.msgh_voucher_port = MACH_PORT_NULL;
	m->Head.msgh_id = r->id;
	mr = mach_msg(m, MACH_SEND_MSG | MACH_RCV_MSG, size, sizeof(*m), reply, 0);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (m->Head.msgh_id != r->id + MIG_REPLY_DELTA)
		return MIG_REPLY_MISMATCH;
	complex = (m->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;
	if (!complex && m->Head.msgh_size == sizeof(mig_reply_error_t) && m->err.RetCode != 0)
		return m->err.RetCode;
	if (complex != reply_complex || (reply_size != 0 && m->Head.msgh_size != reply_size))
		return MIG_TYPE_ERROR;
	return KERN_SUCCESS;
}

/* A request's one port descriptor: name moved by disposition (the layouts are packed). */
#define MIG_PORT_DESC(body_, d_, name_, disp_)                                             \
	do {                                                                                  \
		(body_).msgh_descriptor_count = 1;                                             \
		(d_) = (mach_msg_port_descriptor_t){ .name = (name_),                           \
						    .disposition = (uint8_t)(disp_),    \
						    .type = MACH_MSG_PORT_DESCRIPTOR };       \
	} while (0)

/* The simple mach_port_* calls: one word in, maybe one word out. */
static kern_return_t
mig_port_call(const struct mig_routine *r, mach_port_t task, uint32_t arg, uint32_t *out)
{
	union mig_buf m;
	kern_return_t kr;

	m.port_req.NDR = mig_ndr;
	m.port_req.arg = arg;
	kr = mig_rpc(task, r, &m, r->size, out != NULL ? sizeof(mach_port_reply_t)
						       : sizeof(mig_reply_error_t), 0);
	if (kr == KERN_SUCCESS && out != NULL)
		*out = m.port.out;
	return kr;
}

kern_return_t
mach_port_allocate(mach_port_t task, mach_port_right_t right, mach_port_name_t *name)
{
	return mig_port_call(&mig_mach_port_allocate, task, right, name);
}

kern_return_t
mach_port_deallocate(mach_port_t task, mach_port_name_t name)
{
	return mig_port_call(&mig_mach_port_deallocate, task, name, NULL);
}

kern_return_t
mach_port_destroy(mach_port_t task, mach_port_name_t name)
{
	return mig_port_call(&mig_mach_port_destroy, task, name, NULL);
}

kern_return_t
mach_port_type(mach_port_t task, mach_port_name_t name, mach_port_type_t *type)
{
	return mig_port_call(&mig_mach_port_type, task, name, type);
}

kern_return_t
mach_port_get_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right,
		   mach_port_urefs_t *refs)
{
	union mig_buf m;
	kern_return_t kr;

	m.get_refs.NDR = mig_ndr;
	m.get_refs.name = name;
	m.get_refs.right = right;
	kr = mig_rpc(task, &mig_mach_port_get_refs, &m, mig_mach_port_get_refs.size,
		     sizeof(mach_port_reply_t), 0);
	if (kr == KERN_SUCCESS)
		*refs = m.port.out;
	return kr;
}

kern_return_t
mach_port_mod_refs(mach_port_t task, mach_port_name_t name, mach_port_right_t right,
		   mach_port_delta_t delta)
{
	union mig_buf m;

	m.mod_refs.NDR = mig_ndr;
	m.mod_refs.name = name;
	m.mod_refs.right = right;
	m.mod_refs.delta = delta;
	return mig_rpc(task, &mig_mach_port_mod_refs, &m, mig_mach_port_mod_refs.size,
		       sizeof(mig_reply_error_t), 0);
}

kern_return_t
mach_port_request_notification(mach_port_t task, mach_port_name_t name, mach_msg_id_t msgid,
			       mach_port_mscount_t sync, mach_port_t notify,
			       mach_msg_type_name_t notify_disp, mach_port_t *previous)
{
	union mig_buf m;
	kern_return_t kr;

	MIG_PORT_DESC(m.notify.msgh_body, m.notify.notify, notify, notify_disp);
	m.notify.NDR = mig_ndr;
	m.notify.name = name;
	m.notify.msgid = msgid;
	m.notify.sync = sync;
	kr = mig_rpc(task, &mig_mach_port_request_notification, &m,
		     mig_mach_port_request_notification.size, sizeof(kobj_port_reply_t), 1);
	if (kr == KERN_SUCCESS)
		*previous = m.right.port.name;
	return kr;
}

kern_return_t
mach_port_insert_right(mach_port_t task, mach_port_name_t name, mach_port_t poly,
		       mach_msg_type_name_t poly_disp)
{
	union mig_buf m;

	MIG_PORT_DESC(m.insert.msgh_body, m.insert.poly, poly, poly_disp);
	m.insert.NDR = mig_ndr;
	m.insert.name = name;
	return mig_rpc(task, &mig_mach_port_insert_right, &m, mig_mach_port_insert_right.size,
		       sizeof(mig_reply_error_t), 0);
}

kern_return_t
task_get_special_port(mach_port_t task, int which, mach_port_t *port)
{
	union mig_buf m;
	kern_return_t kr;

	m.get_special.NDR = mig_ndr;
	m.get_special.which_port = which;
	kr = mig_rpc(task, &mig_task_get_special_port, &m, mig_task_get_special_port.size,
		     sizeof(kobj_port_reply_t), 1);
	if (kr == KERN_SUCCESS)
		*port = m.right.port.name;
	return kr;
}

kern_return_t
task_set_special_port(mach_port_t task, int which, mach_port_t port)
{
	union mig_buf m;

	MIG_PORT_DESC(m.set_special.msgh_body, m.set_special.special_port, port,
		      MACH_MSG_TYPE_COPY_SEND);
	m.set_special.NDR = mig_ndr;
	m.set_special.which_port = which;
	return mig_rpc(task, &mig_task_set_special_port, &m, mig_task_set_special_port.size,
		       sizeof(mig_reply_error_t), 0);
}

static kern_return_t
mig_set_exception_ports(const struct mig_routine *r, mach_port_t target, exception_mask_t mask,
			mach_port_t port, exception_behavior_t behavior, int flavor)
{
	union mig_buf m;

	MIG_PORT_DESC(m.set_exc.msgh_body, m.set_exc.new_port, port, MACH_MSG_TYPE_COPY_SEND);
	m.set_exc.NDR = mig_ndr;
	m.set_exc.exception_mask = mask;
	m.set_exc.behavior = behavior;
	m.set_exc.new_flavor = flavor;
	return mig_rpc(target, r, &m, r->size, sizeof(mig_reply_error_t), 0);
}

kern_return_t
task_set_exception_ports(mach_port_t task, exception_mask_t mask, mach_port_t port,
			 exception_behavior_t behavior, int flavor)
{
	return mig_set_exception_ports(&mig_task_set_exception_ports, task, mask, port, behavior,
				       flavor);
}

kern_return_t
thread_set_exception_ports(mach_port_t thread, exception_mask_t mask, mach_port_t port,
			   exception_behavior_t behavior, int flavor)
{
	return mig_set_exception_ports(&mig_thread_set_exception_ports, thread, mask, port,
				       behavior, flavor);
}

kern_return_t
thread_get_state(mach_port_t thread, int flavor, natural_t *state, uint32_t *count)
{
	union mig_buf m;
	kern_return_t kr;

	m.get_state.NDR = mig_ndr;
	m.get_state.flavor = flavor;
	m.get_state.old_stateCnt = *count;
	kr = mig_rpc(thread, &mig_thread_get_state, &m, mig_thread_get_state.size, 0, 0);
	if (kr != KERN_SUCCESS)
		return kr;
	if (m.state.old_stateCnt > *count || m.state.Head.msgh_size !=
	    offsetof(thread_get_state_reply_t, old_state) + m.state.old_stateCnt * 4)
		return MIG_TYPE_ERROR;
	memcpy(state, m.state.old_state, m.state.old_stateCnt * sizeof(natural_t));
	*count = m.state.old_stateCnt;
	return KERN_SUCCESS;
}

kern_return_t
thread_set_state(mach_port_t thread, int flavor, const natural_t *state, uint32_t count)
{
	union mig_buf m;

	if (count > THREAD_STATE_MAX)
		return MIG_ARRAY_TOO_LARGE;
	m.set_state.NDR = mig_ndr;
	m.set_state.flavor = flavor;
	m.set_state.new_stateCnt = count;
	memcpy(m.set_state.new_state, state, count * sizeof(natural_t));
	return mig_rpc(thread, &mig_thread_set_state, &m,
		       THREAD_SET_STATE_MIN_SIZE + count * sizeof(natural_t),
		       sizeof(mig_reply_error_t), 0);
}

static kern_return_t
mig_noarg(const struct mig_routine *r, mach_port_t target)
{
	union mig_buf m;

	return mig_rpc(target, r, &m, r->size, sizeof(mig_reply_error_t), 0);
}

kern_return_t
thread_suspend(mach_port_t thread)
{
	return mig_noarg(&mig_thread_suspend, thread);
}

kern_return_t
thread_resume(mach_port_t thread)
{
	return mig_noarg(&mig_thread_resume, thread);
}

kern_return_t
task_suspend(mach_port_t task)
{
	return mig_noarg(&mig_task_suspend, task);
}

kern_return_t
task_resume(mach_port_t task)
{
	return mig_noarg(&mig_task_resume, task);
}

kern_return_t
mach_vm_allocate(mach_port_t task, uint64_t *address, uint64_t size, int flags)
{
	union mig_buf m;
	kern_return_t kr;

	m.vm_alloc.NDR = mig_ndr;
	m.vm_alloc.address = *address;
	m.vm_alloc.size = size;
	m.vm_alloc.flags = flags;
	kr = mig_rpc(task, &mig_mach_vm_allocate, &m, mig_mach_vm_allocate.size,
		     sizeof(mach_vm_allocate_reply_t), 0);
	if (kr == KERN_SUCCESS)
		*address = m.vm_alloc_reply.address;
	return kr;
}

kern_return_t
mach_vm_deallocate(mach_port_t task, uint64_t address, uint64_t size)
{
	union mig_buf m;

	m.vm_range.NDR = mig_ndr;
	m.vm_range.address = address;
	m.vm_range.size = size;
	return mig_rpc(task, &mig_mach_vm_deallocate, &m, mig_mach_vm_deallocate.size,
		       sizeof(mig_reply_error_t), 0);
}

kern_return_t
mach_vm_protect(mach_port_t task, uint64_t address, uint64_t size, int set_maximum,
		int new_protection)
{
	union mig_buf m;

	m.vm_protect.NDR = mig_ndr;
	m.vm_protect.address = address;
	m.vm_protect.size = size;
	m.vm_protect.set_maximum = set_maximum;
	m.vm_protect.new_protection = new_protection;
	return mig_rpc(task, &mig_mach_vm_protect, &m, mig_mach_vm_protect.size,
		       sizeof(mig_reply_error_t), 0);
}

kern_return_t
mach_vm_read(mach_port_t task, uint64_t address, uint64_t size, uint64_t *data,
	     uint32_t *dataCnt)
{
	union mig_buf m;
	kern_return_t kr;

	m.vm_range.NDR = mig_ndr;
	m.vm_range.address = address;
	m.vm_range.size = size;
	kr = mig_rpc(task, &mig_mach_vm_read, &m, mig_mach_vm_read.size,
		     sizeof(mach_vm_read_reply_t), 1);
	if (kr != KERN_SUCCESS)
		return kr;
	if (m.vm_read.data.type != MACH_MSG_OOL_DESCRIPTOR || m.vm_read.dataCnt != size ||
	    m.vm_read.data.size != size)
		return MIG_TYPE_ERROR;
	*data = m.vm_read.data.address;
	*dataCnt = m.vm_read.dataCnt;
	return KERN_SUCCESS;
}

kern_return_t
mach_vm_write(mach_port_t task, uint64_t address, const void *data, uint32_t dataCnt)
{
	union mig_buf m;

	m.vm_write.msgh_body.msgh_descriptor_count = 1;
	m.vm_write.data = (mach_msg_ool_descriptor_t){ .address = (uint64_t)(uintptr_t)data,
						       .copy = MACH_MSG_VIRTUAL_COPY,
						       .type = MACH_MSG_OOL_DESCRIPTOR,
						       .size = dataCnt };
	m.vm_write.NDR = mig_ndr;
	m.vm_write.address = address;
	m.vm_write.dataCnt = dataCnt;
	return mig_rpc(task, &mig_mach_vm_write, &m, mig_mach_vm_write.size,
		       sizeof(mig_reply_error_t), 0);
}
