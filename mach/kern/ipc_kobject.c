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
#include <console.h>
#include <mach/kern/exception.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
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

/* What a routine hands back: the reply body and, for task_threads, a port array. */
struct kobj_reply {
	union {
		mig_reply_error_t err;
		kobj_info_reply_t info;
		task_threads_reply_t threads;
		mach_port_reply_t port;
	} kr_msg;
	mach_msg_size_t kr_size;
	bool kr_complex;	/* the reply carries the port array */
	ipc_port_t *kr_ports;	/* kr_nports send rights, kalloc'd; NULL when none */
	uint32_t kr_nports;
};

static kern_return_t
kobj_info(void *obj, unsigned type, const void *reqp, struct kobj_reply *rep,
	  ipc_kmsg_t kmsg)
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
kobj_task_threads(void *obj, unsigned type, const void *reqp, struct kobj_reply *rep,
		  ipc_kmsg_t kmsg)
{
	task_threads_reply_t *r = &rep->kr_msg.threads;
	kern_return_t kr;

	(void)type;
	(void)reqp;
	if ((kr = task_threads(obj, &rep->kr_ports, &rep->kr_nports)) != KERN_SUCCESS)
		return kr;
	rep->kr_complex = true;
	r->msgh_body.msgh_descriptor_count = 1;
	r->act_list.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	r->act_list.disposition = MACH_MSG_TYPE_PORT_SEND;
	r->act_list.copy = MACH_MSG_VIRTUAL_COPY;
	r->act_list.count = rep->kr_nports;
	r->NDR = kobj_ndr;
	r->act_listCnt = rep->kr_nports;
	rep->kr_size = sizeof(*r);
	return KERN_SUCCESS;
}

static kern_return_t
kobj_mach_port(void *obj, unsigned type, const void *reqp, struct kobj_reply *rep,
	       mach_msg_id_t id)
{
	const mach_port_request_t *req = reqp;
	ipc_space_t space = ((task_t)obj)->t_space;
	mach_port_name_t name = MACH_PORT_NULL;
	mach_port_type_t pt = 0;
	kern_return_t kr;

	(void)type;
	if (space == NULL)
		return KERN_INVALID_TASK;
	rep->kr_size = sizeof(mach_port_reply_t);
	switch (id) {
	case MSGID_MACH_PORT_ALLOCATE:
		kr = mach_port_allocate(space, req->arg, &name);
		rep->kr_msg.port.out = name;
		break;
	case MSGID_MACH_PORT_DEALLOCATE:
		rep->kr_size = sizeof(mig_reply_error_t);
		kr = mach_port_deallocate(space, req->arg);
		break;
	default:
		kr = mach_port_type(space, req->arg, &pt);
		rep->kr_msg.port.out = pt;
		break;
	}
	return kr;
}

static kern_return_t
kobj_port_allocate(void *obj, unsigned type, const void *req, struct kobj_reply *rep,
		   ipc_kmsg_t kmsg)
{
	return kobj_mach_port(obj, type, req, rep, MSGID_MACH_PORT_ALLOCATE);
}

static kern_return_t
kobj_port_deallocate(void *obj, unsigned type, const void *req, struct kobj_reply *rep,
		     ipc_kmsg_t kmsg)
{
	return kobj_mach_port(obj, type, req, rep, MSGID_MACH_PORT_DEALLOCATE);
}

static kern_return_t
kobj_port_type(void *obj, unsigned type, const void *req, struct kobj_reply *rep,
	       ipc_kmsg_t kmsg)
{
	return kobj_mach_port(obj, type, req, rep, MSGID_MACH_PORT_TYPE);
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
kobj_set_exception_ports(void *obj, unsigned type, const void *reqp, struct kobj_reply *rep,
			 ipc_kmsg_t kmsg)
{
	const set_exception_ports_request_t *r = reqp;
	ipc_port_t port = kobj_take_port(kmsg);

	rep->kr_size = sizeof(mig_reply_error_t);
	if (type == IKOT_TASK)
		return task_set_exception_ports(obj, r->exception_mask, port, r->behavior,
						r->new_flavor);
	return thread_set_exception_ports(obj, r->exception_mask, port, r->behavior,
					  r->new_flavor);
}

/*
 * The interface: message id, the kind of port it goes to, the request's exact size, whether
 * it carries one port descriptor (a send right), and the routine.
 */
static const struct kobj_routine {
	mach_msg_id_t kr_id;
	unsigned kr_kotype;
	mach_msg_size_t kr_req_size;
	bool kr_port_desc;
	kern_return_t (*kr_fn)(void *obj, unsigned type, const void *req, struct kobj_reply *rep,
			       ipc_kmsg_t kmsg);
} kobj_routines[] = {
	{ MSGID_HOST_INFO, IKOT_HOST, sizeof(kobj_info_request_t), false, kobj_info },
	{ MSGID_TASK_INFO, IKOT_TASK, sizeof(kobj_info_request_t), false, kobj_info },
	{ MSGID_THREAD_INFO, IKOT_THREAD, sizeof(kobj_info_request_t), false, kobj_info },
	{ MSGID_TASK_THREADS, IKOT_TASK, sizeof(task_threads_request_t), false,
	  kobj_task_threads },
	{ MSGID_MACH_PORT_TYPE, IKOT_TASK, sizeof(mach_port_request_t), false, kobj_port_type },
	{ MSGID_MACH_PORT_ALLOCATE, IKOT_TASK, sizeof(mach_port_request_t), false,
	  kobj_port_allocate },
	{ MSGID_MACH_PORT_DEALLOCATE, IKOT_TASK, sizeof(mach_port_request_t), false,
	  kobj_port_deallocate },
	{ MSGID_TASK_SET_EXCEPTION_PORTS, IKOT_TASK, sizeof(set_exception_ports_request_t), true,
	  kobj_set_exception_ports },
	{ MSGID_THREAD_SET_EXCEPTION_PORTS, IKOT_THREAD, sizeof(set_exception_ports_request_t),
	  true, kobj_set_exception_ports },
};

static const struct kobj_routine *
kobj_lookup(mach_msg_id_t id)
{
	for (size_t i = 0; i < sizeof(kobj_routines) / sizeof(kobj_routines[0]); i++)
		if (kobj_routines[i].kr_id == id)
			return &kobj_routines[i];
	return NULL;
}

/* Run the routine req asks for; the reply body is in rep. */
static void
kobj_dispatch(ipc_kmsg_t req, const mach_msg_header_t *h, struct kobj_reply *rep)
{
	const struct kobj_routine *r = kobj_lookup(h->msgh_id);
	kern_return_t kr;
	void *obj;

	if (r == NULL) {
		kr = MIG_BAD_ID;
	} else if (req->ikm_size != r->kr_req_size ||
		   !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) == r->kr_port_desc ||
		   req->ikm_ndesc != (r->kr_port_desc ? 1u : 0u)) {
		kr = MIG_BAD_ARGUMENTS;
	} else if (r->kr_port_desc &&
		   (req->ikm_desc[0].kd_type != MACH_MSG_PORT_DESCRIPTOR ||
		    (req->ikm_desc[0].kd_port != NULL &&
		     req->ikm_desc[0].kd_right != MACH_MSG_TYPE_PORT_SEND))) {
		kr = MIG_TYPE_ERROR;
	} else if ((obj = kobj_reference(req->ikm_remote, r->kr_kotype)) == NULL) {
		kr = KERN_INVALID_ARGUMENT;
	} else {
		kr = r->kr_fn(obj, r->kr_kotype, req->ikm_data, rep, req);
		kobj_release(obj, r->kr_kotype);
	}
	if (kr == KERN_SUCCESS)
		return;
	memset(&rep->kr_msg, 0, sizeof(rep->kr_msg));
	rep->kr_complex = false;
	rep->kr_size = sizeof(mig_reply_error_t);
	rep->kr_msg.err.RetCode = kr;
	if (rep->kr_ports != NULL) {
		ipc_lock();
		for (uint32_t i = 0; i < rep->kr_nports; i++)
			ipc_port_release_send(rep->kr_ports[i]);
		ipc_unlock();
		kfree(rep->kr_ports, rep->kr_nports * sizeof(ipc_port_t));
		rep->kr_ports = NULL;
	}
}

/* Build the reply kmsg to req's reply right (taken from req). NULL when memory is short. */
static ipc_kmsg_t
kobj_reply_msg(ipc_kmsg_t req, const mach_msg_header_t *h, struct kobj_reply *rep)
{
	bool complex = rep->kr_complex;
	ipc_kmsg_t kmsg = ipc_kmsg_alloc(rep->kr_size, complex ? 1 : 0);
	vm_size_t names_size = rep->kr_nports * sizeof(mach_port_name_t);
	mach_port_name_t *names = NULL;
	mach_msg_header_t rh = { 0 };

	if (rep->kr_nports != 0)
		names = kalloc_zero(names_size);
	if (kmsg == NULL || (rep->kr_nports != 0 && names == NULL)) {
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
		struct ipc_kdesc *kd = &kmsg->ikm_desc[0];

		kd->kd_off = offsetof(task_threads_reply_t, act_list);
		kd->kd_type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
		kd->kd_right = MACH_MSG_TYPE_PORT_SEND;
		kd->kd_count = rep->kr_nports;
		kd->kd_ports = rep->kr_ports;
		kd->kd_names = names;
		rep->kr_ports = NULL;
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
		if (rep->kr_ports != NULL) {
			ipc_lock();
			for (uint32_t i = 0; i < rep->kr_nports; i++)
				ipc_port_release_send(rep->kr_ports[i]);
			ipc_unlock();
			kfree(rep->kr_ports, rep->kr_nports * sizeof(ipc_port_t));
		}
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
