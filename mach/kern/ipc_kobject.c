/*
 * ipc_kobject.c — the kernel server: kernel-object ports and the dispatch of the messages sent
 * to them by message id (XNU osfmk/kern/ipc_kobject.c, ipc_kobject_server; the routine tables
 * MIG generates, here written by hand once, in kobj_routines[]).
 *
 * The one idea: the server runs in the sender's thread, after its send and before its
 * receive, with no IPC lock held (the routines take other locks and may allocate). It takes a
 * reference on the object under the IPC lock, so an object that dies meanwhile answers
 * KERN_INVALID_ARGUMENT instead of being used after it is freed.
 */
#include <arch/x86_64/usercopy.h>
#include <console.h>
#include <mach/kern/exception.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_map.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>
#include <panic.h>

/* The NDR record that MIG-built peers check: little-endian, ASCII, IEEE floats. */
static const NDR_record_t kobj_ndr = { 0, 0, 0, 0, 1, 0, 0, 0 };

ipc_port_t
ipc_kobject_alloc(void *object, unsigned type)
{
	ipc_port_t port;

	ipc_lock();
	port = ipc_port_alloc();
	if (port != NULL) {
		port->ip_kotype = (uint8_t)type;
		port->ip_kobject = object;
	}
	ipc_unlock();
	return port;
}

void
ipc_kobject_destroy(ipc_port_t port)
{
	if (port == NULL)
		return;
	ipc_lock();
	port->ip_kobject = NULL;
	ipc_port_destroy(port); /* the kernel's receive right */
	ipc_unlock();
}

ipc_port_t
ipc_kobject_make_send_lazy(ipc_port_t *slot, void *object, unsigned type)
{
	if (*slot == NULL) {
		ipc_port_t port = ipc_port_alloc();

		if (port == NULL)
			return NULL;
		port->ip_kotype = (uint8_t)type;
		port->ip_kobject = object;
		*slot = port;
	}
	ipc_port_make_send(*slot);
	return *slot;
}

mach_port_name_t
ipc_kobject_copyout_send(struct task *task, ipc_port_t port)
{
	mach_port_name_t name = MACH_PORT_NULL;

	if (port == NULL)
		return MACH_PORT_NULL;
	if (task->t_space == NULL || ipc_right_copyout(task->t_space, port,
						       MACH_MSG_TYPE_PORT_SEND, &name) != 0) {
		ipc_port_release_send(port);
		return MACH_PORT_NULL;
	}
	return name;
}

/* One more reference on a count that is not zero (zero: the object is being freed). */
static bool
kobj_ref_try(uint32_t *refs)
{
	uint32_t r = __atomic_load_n(refs, __ATOMIC_RELAXED);

	while (r != 0)
		if (__atomic_compare_exchange_n(refs, &r, r + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

/* The object port stands for if it is of kind type, with a reference; NULL otherwise. */
static void *
kobj_reference(ipc_port_t port, unsigned type)
{
	void *obj = NULL;

	ipc_lock();
	if (port->ip_active && port->ip_kotype == type && port->ip_kobject != NULL) {
		obj = port->ip_kobject;
		if (type == IKOT_TASK && !kobj_ref_try(&((task_t)obj)->t_ref))
			obj = NULL;
		else if (type == IKOT_THREAD && !kobj_ref_try(&((thread_t)obj)->th_ref))
			obj = NULL;
	}
	ipc_unlock();
	return obj;
}

static void
kobj_release(void *obj, unsigned type)
{
	if (obj == NULL)
		return;
	if (type == IKOT_TASK)
		task_deallocate(obj);
	else if (type == IKOT_THREAD)
		thread_deallocate(obj);
}

/*
 * What a routine hands back: the reply body (kr_size bytes; the dispatcher presets a
 * mig_reply_error_t) and, for a complex reply, its one descriptor (a port right or an array of
 * send rights), whose rights the reply takes over.
 */
struct kobj_reply {
	union {
		mig_reply_error_t err;
		kobj_info_reply_t info;
		task_threads_reply_t threads;
		mach_port_reply_t port;
		kobj_port_reply_t right;
		thread_get_state_reply_t state;
		mach_vm_allocate_reply_t vm_alloc;
		mach_vm_read_reply_t vm_read;
	} kr_msg;
	mach_msg_size_t kr_size;
	bool kr_complex;
	struct ipc_kdesc kr_desc;	/* kd_port or kd_ports/kd_count; the rest is filled in */
};

/* A routine: obj (referenced) of the routine's kind, the request (its size checked), rep. */
typedef kern_return_t kobj_fn_t(void *obj, ipc_kmsg_t kmsg, const void *req,
				struct kobj_reply *rep);

static kern_return_t
kobj_info(void *obj, unsigned type, const void *reqp, struct kobj_reply *rep)
{
	const kobj_info_request_t *req = reqp;
	uint32_t count = MIN(req->info_outCnt, KOBJ_INFO_MAX);
	integer_t out[KOBJ_INFO_MAX];
	kern_return_t kr;

	if (type == IKOT_TASK)
		kr = task_info(obj, req->flavor, out, &count);
	else if (type == IKOT_THREAD)
		kr = thread_info(obj, req->flavor, out, &count);
	else
		kr = host_info(req->flavor, out, &count);
	if (kr != KERN_SUCCESS)
		return kr;
	memcpy(rep->kr_msg.info.info_out, out, count * sizeof(integer_t));
	rep->kr_msg.info.info_outCnt = count;
	rep->kr_size = offsetof(kobj_info_reply_t, info_out) + count * sizeof(integer_t);
	return KERN_SUCCESS;
}

static kern_return_t
kobj_host_info(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg;
	return kobj_info(obj, IKOT_HOST, req, rep);
}

static kern_return_t
kobj_task_info(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg;
	return kobj_info(obj, IKOT_TASK, req, rep);
}

static kern_return_t
kobj_thread_info(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg;
	return kobj_info(obj, IKOT_THREAD, req, rep);
}

/* The reply carries one right of type to port (consumed; NULL sends MACH_PORT_NULL). */
static void
kobj_reply_right(struct kobj_reply *rep, ipc_port_t port, mach_msg_type_name_t type)
{
	kobj_port_reply_t *r = &rep->kr_msg.right;

	rep->kr_complex = true;
	rep->kr_desc.kd_off = offsetof(kobj_port_reply_t, port);
	rep->kr_desc.kd_type = MACH_MSG_PORT_DESCRIPTOR;
	rep->kr_desc.kd_right = (uint8_t)type;
	rep->kr_desc.kd_port = port;
	r->msgh_body.msgh_descriptor_count = 1;
	r->port.type = MACH_MSG_PORT_DESCRIPTOR;
	r->port.disposition = (uint8_t)type;
	rep->kr_size = sizeof(*r);
}

static kern_return_t
kobj_task_threads(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	task_threads_reply_t *r = &rep->kr_msg.threads;
	struct ipc_kdesc *kd = &rep->kr_desc;
	kern_return_t kr;

	(void)kmsg;
	(void)reqp;
	if ((kr = task_threads(obj, &kd->kd_ports, &kd->kd_count)) != KERN_SUCCESS)
		return kr;
	rep->kr_complex = true;
	kd->kd_off = offsetof(task_threads_reply_t, act_list);
	kd->kd_type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	kd->kd_right = MACH_MSG_TYPE_PORT_SEND;
	r->msgh_body.msgh_descriptor_count = 1;
	r->act_list.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	r->act_list.disposition = MACH_MSG_TYPE_PORT_SEND;
	r->act_list.copy = MACH_MSG_VIRTUAL_COPY;
	r->act_list.count = kd->kd_count;
	r->NDR = kobj_ndr;
	r->act_listCnt = kd->kd_count;
	rep->kr_size = sizeof(*r);
	return KERN_SUCCESS;
}

/* The space of the task a mach_port_* request goes to. */
static ipc_space_t
kobj_space(void *task)
{
	return ((task_t)task)->t_space;
}

static kern_return_t
kobj_mach_port_allocate(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_port_request_t *req = reqp;
	mach_port_name_t name = MACH_PORT_NULL;
	kern_return_t kr;

	(void)kmsg;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	kr = mach_port_allocate(kobj_space(obj), req->arg, &name);
	rep->kr_msg.port.out = name;
	rep->kr_size = sizeof(mach_port_reply_t);
	return kr;
}

static kern_return_t
kobj_mach_port_type(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_port_request_t *req = reqp;
	mach_port_type_t pt = 0;
	kern_return_t kr;

	(void)kmsg;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	kr = mach_port_type(kobj_space(obj), req->arg, &pt);
	rep->kr_msg.port.out = pt;
	rep->kr_size = sizeof(mach_port_reply_t);
	return kr;
}

static kern_return_t
kobj_mach_port_deallocate(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	(void)kmsg;
	(void)rep;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	return mach_port_deallocate(kobj_space(obj), ((const mach_port_request_t *)reqp)->arg);
}

static kern_return_t
kobj_mach_port_destroy(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	(void)kmsg;
	(void)rep;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	return mach_port_destroy(kobj_space(obj), ((const mach_port_request_t *)reqp)->arg);
}

static kern_return_t
kobj_mach_port_get_refs(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_port_get_refs_request_t *req = reqp;
	mach_port_urefs_t refs = 0;
	kern_return_t kr;

	(void)kmsg;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	kr = mach_port_get_refs(kobj_space(obj), req->name, req->right, &refs);
	rep->kr_msg.port.out = refs;
	rep->kr_size = sizeof(mach_port_reply_t);
	return kr;
}

static kern_return_t
kobj_mach_port_mod_refs(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_port_mod_refs_request_t *req = reqp;

	(void)kmsg;
	(void)rep;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	return mach_port_mod_refs(kobj_space(obj), req->name, req->right, req->delta);
}

/* The request's port descriptor: its right, now the routine's (NULL: MACH_PORT_NULL). */
static ipc_port_t
kobj_take_port(ipc_kmsg_t req)
{
	ipc_port_t port = req->ikm_desc[0].kd_port;

	req->ikm_desc[0].kd_port = NULL;
	return port == IPC_PORT_DEAD_PTR ? NULL : port;
}

static kern_return_t
kobj_mach_port_request_notification(void *obj, ipc_kmsg_t kmsg, const void *reqp,
				    struct kobj_reply *rep)
{
	const mach_port_request_notification_request_t *req = reqp;
	ipc_port_t prev = NULL;
	kern_return_t kr;

	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	/* The send-once right stays in the request (destroyed with it) unless the call takes it. */
	kr = ipc_right_request_notification(kobj_space(obj), req->name, req->msgid, req->sync,
					    &kmsg->ikm_desc[0].kd_port, &prev);
	if (kr == KERN_SUCCESS)
		kobj_reply_right(rep, prev, MACH_MSG_TYPE_PORT_SEND_ONCE);
	return kr;
}

static kern_return_t
kobj_mach_port_insert_right(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_port_insert_right_request_t *req = reqp;
	struct ipc_kdesc *kd = &kmsg->ikm_desc[0];
	kern_return_t kr;

	(void)rep;
	if (kobj_space(obj) == NULL)
		return KERN_INVALID_TASK;
	if (kd->kd_port == NULL || kd->kd_port == IPC_PORT_DEAD_PTR)
		return KERN_INVALID_CAPABILITY;
	/* Consumed on success; otherwise the request's destruction releases it. */
	kr = mach_port_insert_right(kobj_space(obj), req->name, kd->kd_port, kd->kd_right);
	if (kr == KERN_SUCCESS)
		kd->kd_port = NULL;
	return kr;
}

static kern_return_t
kobj_task_get_special_port(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	ipc_port_t port;
	kern_return_t kr;

	(void)kmsg;
	kr = task_get_special_port(obj, ((const task_get_special_port_request_t *)reqp)->which_port,
				   &port);
	if (kr == KERN_SUCCESS)
		kobj_reply_right(rep, port, MACH_MSG_TYPE_PORT_SEND);
	return kr;
}

static kern_return_t
kobj_task_set_special_port(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	(void)rep;
	return task_set_special_port(obj, ((const task_set_special_port_request_t *)reqp)->which_port,
				     kobj_take_port(kmsg));
}

static kern_return_t
kobj_task_set_exception_ports(void *obj, ipc_kmsg_t kmsg, const void *reqp,
			      struct kobj_reply *rep)
{
	const set_exception_ports_request_t *r = reqp;

	(void)rep;
	return task_set_exception_ports(obj, r->exception_mask, kobj_take_port(kmsg), r->behavior,
					r->new_flavor);
}

static kern_return_t
kobj_thread_set_exception_ports(void *obj, ipc_kmsg_t kmsg, const void *reqp,
				struct kobj_reply *rep)
{
	const set_exception_ports_request_t *r = reqp;

	(void)rep;
	return thread_set_exception_ports(obj, r->exception_mask, kobj_take_port(kmsg),
					  r->behavior, r->new_flavor);
}

/*
 * The map of the task a mach_vm_* request goes to, with a reference (vm_map_deallocate it);
 * NULL for a task without one (kernel_task, an exited process).
 * XXX: proc_exit clears t_map without a lock; reading it with interrupts off is atomic
 * against that only because user threads run on CPU 0 (user_machdep.c).
 */
static vm_map_t
kobj_task_map(void *task)
{
	bool s = intr_save();
	vm_map_t map = ((task_t)task)->t_map;

	if (map != NULL && task != kernel_task)
		vm_map_reference(map);
	else
		map = NULL;
	intr_restore(s);
	return map;
}

/* A user range: not empty, not wrapping, below the top of user space. */
static bool
kobj_range_ok(uint64_t addr, uint64_t size)
{
	return size != 0 && addr + size > addr && addr + size <= USER_ADDR_MAX;
}

static kern_return_t
kobj_mach_vm_allocate(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_vm_allocate_request_t *req = reqp;
	vm_map_t map = kobj_task_map(obj);
	vaddr_t addr = req->address;
	kern_return_t kr;

	(void)kmsg;
	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((req->flags & ~VM_FLAGS_ANYWHERE) != 0 || !kobj_range_ok(addr, req->size) ||
	    req->size > USER_ADDR_MAX)
		kr = KERN_INVALID_ARGUMENT;
	else
		kr = vm_allocate(map, &addr, req->size, req->flags & VM_FLAGS_ANYWHERE);
	vm_map_deallocate(map);
	if (kr == KERN_SUCCESS) {
		rep->kr_msg.vm_alloc.address = addr;
		rep->kr_size = sizeof(mach_vm_allocate_reply_t);
	}
	return kr;
}

static kern_return_t
kobj_mach_vm_deallocate(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_vm_range_request_t *req = reqp;
	vm_map_t map = kobj_task_map(obj);
	kern_return_t kr;

	(void)kmsg, (void)rep;
	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	kr = kobj_range_ok(req->address, req->size)
		 ? vm_deallocate(map, req->address, req->size)
		 : KERN_INVALID_ARGUMENT;
	vm_map_deallocate(map);
	return kr;
}

static kern_return_t
kobj_mach_vm_protect(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_vm_protect_request_t *req = reqp;
	vm_map_t map = kobj_task_map(obj);
	kern_return_t kr;

	(void)kmsg, (void)rep;
	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	kr = kobj_range_ok(req->address, req->size) && (req->new_protection & ~VM_PROT_ALL) == 0
		 ? vm_protect(map, req->address, req->size, req->set_maximum != 0,
			      req->new_protection)
		 : KERN_INVALID_ARGUMENT;
	vm_map_deallocate(map);
	return kr;
}

/* mach_vm_read: the range, copy-on-write, out of line in the reply. */
static kern_return_t
kobj_mach_vm_read(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_vm_range_request_t *req = reqp;
	mach_vm_read_reply_t *r = &rep->kr_msg.vm_read;
	vm_map_t map = kobj_task_map(obj);
	vm_map_copy_t copy = VM_MAP_COPY_NULL;
	kern_return_t kr;

	(void)kmsg;
	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	/* The reply's descriptor counts bytes in 32 bits. */
	kr = kobj_range_ok(req->address, req->size) && req->size <= UINT32_MAX
		 ? vm_map_copyin(map, req->address, req->size, false, &copy)
		 : KERN_INVALID_ARGUMENT;
	vm_map_deallocate(map);
	if (kr != KERN_SUCCESS)
		return kr;
	rep->kr_complex = true;
	rep->kr_desc.kd_off = offsetof(mach_vm_read_reply_t, data);
	rep->kr_desc.kd_type = MACH_MSG_OOL_DESCRIPTOR;
	rep->kr_desc.kd_copy = copy;
	r->msgh_body.msgh_descriptor_count = 1;
	r->data.type = MACH_MSG_OOL_DESCRIPTOR;
	r->data.copy = MACH_MSG_VIRTUAL_COPY;
	r->data.size = (mach_msg_size_t)req->size;
	r->NDR = kobj_ndr;
	r->dataCnt = (uint32_t)req->size;
	rep->kr_size = sizeof(*r);
	return KERN_SUCCESS;
}

/*
 * mach_vm_write: the request's out-of-line bytes over [address, address + dataCnt) of the
 * task: mapped into the task's map first (copy-on-write, no bytes moved), then copied over
 * the range within that map, then unmapped.
 */
static kern_return_t
kobj_mach_vm_write(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const mach_vm_write_request_t *req = reqp;
	struct ipc_kdesc *kd = &kmsg->ikm_desc[0];
	vm_map_t map = kobj_task_map(obj);
	vaddr_t tmp = 0;
	kern_return_t kr;

	(void)rep;
	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	if (kd->kd_copy == VM_MAP_COPY_NULL || req->dataCnt != req->data.size ||
	    !kobj_range_ok(req->address, req->dataCnt)) {
		kr = KERN_INVALID_ARGUMENT;
	} else if ((kr = vm_map_copyout(map, &tmp, kd->kd_copy)) == KERN_SUCCESS) {
		kd->kd_copy = VM_MAP_COPY_NULL; /* the map has it now */
		kr = vm_copy(map, tmp, req->dataCnt, req->address);
		(void)vm_deallocate(map, trunc_page(tmp), round_page(tmp + req->dataCnt) -
							      trunc_page(tmp));
	}
	vm_map_deallocate(map);
	return kr;
}

static kern_return_t
kobj_thread_get_state(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const thread_get_state_request_t *req = reqp;
	thread_get_state_reply_t *r = &rep->kr_msg.state;
	uint32_t count = MIN(req->old_stateCnt, THREAD_STATE_MAX);
	natural_t state[THREAD_STATE_MAX];
	kern_return_t kr;

	(void)kmsg;
	if ((kr = thread_get_state(obj, req->flavor, state, &count)) != KERN_SUCCESS)
		return kr;
	memcpy(r->old_state, state, count * sizeof(natural_t));
	r->old_stateCnt = count;
	rep->kr_size = offsetof(thread_get_state_reply_t, old_state) + count * sizeof(natural_t);
	return KERN_SUCCESS;
}

static kern_return_t
kobj_thread_set_state(void *obj, ipc_kmsg_t kmsg, const void *reqp, struct kobj_reply *rep)
{
	const thread_set_state_request_t *req = reqp;
	natural_t state[THREAD_STATE_MAX];

	(void)rep;
	/* The request is exactly as long as the count it gives (MIG's check). */
	if (req->new_stateCnt > THREAD_STATE_MAX ||
	    kmsg->ikm_size != THREAD_SET_STATE_MIN_SIZE + req->new_stateCnt * sizeof(natural_t))
		return MIG_BAD_ARGUMENTS;
	memcpy(state, req->new_state, req->new_stateCnt * sizeof(natural_t));
	return thread_set_state(obj, req->flavor, state, req->new_stateCnt);
}

static kern_return_t
kobj_thread_suspend(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg, (void)req, (void)rep;
	return thread_suspend(obj);
}

static kern_return_t
kobj_thread_resume(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg, (void)req, (void)rep;
	return thread_resume(obj);
}

static kern_return_t
kobj_task_suspend(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg, (void)req, (void)rep;
	return task_suspend(obj);
}

static kern_return_t
kobj_task_resume(void *obj, ipc_kmsg_t kmsg, const void *req, struct kobj_reply *rep)
{
	(void)kmsg, (void)req, (void)rep;
	return task_resume(obj);
}

/* The dispatch table, expanded from the interface description (mig_defs.h). */
static const struct kobj_routine {
	mach_msg_id_t kr_id;
	unsigned kr_kotype;
	mach_msg_size_t kr_req_size;	/* exact, or the largest for a variable request */
	uint8_t kr_port_right;		/* the right the one port descriptor carries, or 0 */
	kobj_fn_t *kr_fn;
} kobj_routines[] = {
#define KOBJ_ENTRY(name, id, kotype, req, right) { id, kotype, sizeof(req), right, kobj_##name },
	MIG_ROUTINES(KOBJ_ENTRY)
#undef KOBJ_ENTRY
};

static const struct kobj_routine *
kobj_lookup(mach_msg_id_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(kobj_routines); i++)
		if (kobj_routines[i].kr_id == id)
			return &kobj_routines[i];
	return NULL;
}

/* Whether req has the size and shape routine r expects. */
static bool
kobj_shape_ok(const struct kobj_routine *r, ipc_kmsg_t req, const mach_msg_header_t *h)
{
	bool complex = (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;

	if (r->kr_id == MSGID_thread_set_state) {
		if (req->ikm_size < THREAD_SET_STATE_MIN_SIZE || req->ikm_size > r->kr_req_size)
			return false;
	} else if (req->ikm_size != r->kr_req_size) {
		return false;
	}
	return complex == (r->kr_port_right != 0) && req->ikm_ndesc == (complex ? 1u : 0u);
}

/* Whether the request's one descriptor carries what routine r takes. */
static bool
kobj_desc_ok(const struct kobj_routine *r, ipc_kmsg_t req)
{
	const struct ipc_kdesc *kd = &req->ikm_desc[0];

	if (r->kr_port_right == 0)
		return true;
	if (r->kr_port_right == MIG_OOL_DATA)
		return kd->kd_type == MACH_MSG_OOL_DESCRIPTOR;
	if (kd->kd_type != MACH_MSG_PORT_DESCRIPTOR)
		return false;
	/* MACH_PORT_NULL and MACH_PORT_DEAD carry no right to check. */
	return kd->kd_port == NULL || kd->kd_port == IPC_PORT_DEAD_PTR ||
	       r->kr_port_right == MIG_RIGHT_POLY || kd->kd_right == r->kr_port_right;
}

/* Release the rights of a reply that will not be sent. */
static void
kobj_reply_release(struct kobj_reply *rep)
{
	struct ipc_kdesc *kd = &rep->kr_desc;

	if (!rep->kr_complex)
		return;
	if (kd->kd_type == MACH_MSG_OOL_DESCRIPTOR) {
		vm_map_copy_discard(kd->kd_copy);
		memset(kd, 0, sizeof(*kd));
		rep->kr_complex = false;
		return;
	}
	ipc_lock();
	if (kd->kd_type == MACH_MSG_PORT_DESCRIPTOR)
		ipc_object_destroy(kd->kd_port, kd->kd_right);
	else
		for (uint32_t i = 0; i < kd->kd_count; i++)
			ipc_object_destroy(kd->kd_ports[i], kd->kd_right);
	ipc_unlock();
	if (kd->kd_type == MACH_MSG_OOL_PORTS_DESCRIPTOR)
		kfree(kd->kd_ports, kd->kd_count * sizeof(ipc_port_t));
	memset(kd, 0, sizeof(*kd));
	rep->kr_complex = false;
}

/* Run the routine req asks for; the reply body is in rep. */
static void
kobj_dispatch(ipc_kmsg_t req, const mach_msg_header_t *h, struct kobj_reply *rep)
{
	const struct kobj_routine *r = kobj_lookup(h->msgh_id);
	kern_return_t kr;
	void *obj;

	rep->kr_size = sizeof(mig_reply_error_t);
	if (r == NULL) {
		kr = MIG_BAD_ID;
	} else if (!kobj_shape_ok(r, req, h)) {
		kr = MIG_BAD_ARGUMENTS;
	} else if (!kobj_desc_ok(r, req)) {
		kr = MIG_TYPE_ERROR;
	} else if ((obj = kobj_reference(req->ikm_remote, r->kr_kotype)) == NULL) {
		kr = KERN_INVALID_ARGUMENT;
	} else {
		kr = r->kr_fn(obj, req, req->ikm_data, rep);
		kobj_release(obj, r->kr_kotype);
	}
	if (kr == KERN_SUCCESS)
		return;
	kobj_reply_release(rep);
	memset(&rep->kr_msg, 0, sizeof(rep->kr_msg));
	rep->kr_size = sizeof(mig_reply_error_t);
	rep->kr_msg.err.RetCode = kr;
}

/* Build the reply kmsg to req's reply right (taken from req). NULL when memory is short. */
static ipc_kmsg_t
kobj_reply_msg(ipc_kmsg_t req, const mach_msg_header_t *h, struct kobj_reply *rep)
{
	bool complex = rep->kr_complex;
	struct ipc_kdesc *kd = &rep->kr_desc;
	bool ool_ports = complex && kd->kd_type == MACH_MSG_OOL_PORTS_DESCRIPTOR;
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(rep->kr_size, complex ? 1 : 0);
	vm_size_t names_size = ool_ports ? kd->kd_count * sizeof(mach_port_name_t) : 0;
	mach_port_name_t *names = NULL;
	mach_msg_header_t rh = { 0 };

	if (names_size != 0)
		names = kalloc_zero(names_size);
	if (kmsg == NULL || (names_size != 0 && names == NULL)) {
		if (kmsg != NULL)
			ipc_kmsg_free(kmsg);
		kfree(names, names_size);
		return NULL;
	}
	rh.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_LOCAL(h->msgh_bits), 0) |
		       (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	rh.msgh_size = rep->kr_size;
	rh.msgh_id = h->msgh_id + MIG_REPLY_DELTA;
	if (!complex)
		rep->kr_msg.err.NDR = kobj_ndr;
	memcpy(kmsg->ikm_data, &rep->kr_msg, rep->kr_size);
	memcpy(kmsg->ikm_data, &rh, sizeof(rh));
	if (complex) {
		kmsg->ikm_desc[0] = *kd;
		kmsg->ikm_desc[0].kd_names = names;
		memset(kd, 0, sizeof(*kd));
		rep->kr_complex = false;
	}
	kmsg->ikm_remote = req->ikm_local;
	req->ikm_local = NULL;
	return kmsg;
}

/* The server: answer one request sent to a kernel object's port, then destroy it. */
static void
kobj_server(ipc_kmsg_t req)
{
	struct kobj_reply *rep = kalloc_zero(sizeof(*rep));
	ipc_kmsg_t reply = NULL;
	mach_msg_header_t h;

	memcpy(&h, req->ikm_data, sizeof(h));
	if (rep == NULL) {
		klog(LOG_WARNING, "ipc: no memory to serve message %d; dropped\n", h.msgh_id);
	} else {
		kobj_dispatch(req, &h, rep);
		if (req->ikm_local != NULL && (reply = kobj_reply_msg(req, &h, rep)) == NULL)
			klog(LOG_WARNING, "ipc: no memory for the reply to %d\n", h.msgh_id);
		kobj_reply_release(rep);
		kfree(rep, sizeof(*rep));
	}
	ipc_lock();
	if (reply != NULL)
		ipc_kmsg_deliver(reply);
	/* The reply right left req if a reply went; destroying req releases the rest. */
	ipc_kmsg_destroy_later(req);
	ipc_unlock();
}

void
ipc_kobject_init(void)
{
	ipc_kobject_server_fn = kobj_server;
	if (ipc_host_port() == NULL || ipc_task_init(kernel_task) != KERN_SUCCESS)
		panic("ipc: cannot create the host port and kernel_task's space");
}
