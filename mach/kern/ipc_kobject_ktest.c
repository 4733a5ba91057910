/*
 * ipc_kobject_ktest.c — self-tests of the kernel server through messages, as a user task will
 * send them: task_info, thread_info and host_info answered with the right figures, bad
 * flavors, ids and sizes answered with the MIG error codes, task_threads returning the thread
 * ports as an out-of-line array, mach_port_allocate/_type/_deallocate run on a task's space
 * through its task port, and a thread's port turning into a dead name when the thread is freed.
 *
 * The sender is kernel_task (its space from ipc_kobject_init); a receive that gets an
 * out-of-line array maps it into a test map.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/processor.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

union kk_msg {
	mach_msg_header_t h;
	kobj_info_request_t info_req;
	kobj_info_reply_t info;
	mig_reply_error_t err;
	mach_port_request_t port_req;
	mach_port_reply_t port;
	task_threads_reply_t threads;
	uint8_t bytes[512];
};

/* Send req (size bytes) to dest with a send-once reply port, and receive the reply in m. */
static mach_msg_return_t
kk_rpc(mach_port_name_t dest, mach_msg_id_t id, union kk_msg *m, mach_msg_size_t size,
       struct ipc_umem *um)
{
	ipc_space_t space = kernel_task->t_space;
	mach_port_name_t reply = mach_reply_port(kernel_task);
	mach_msg_return_t mr;

	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	m->h.msgh_remote_port = dest;
	m->h.msgh_local_port = reply;
	m->h.msgh_voucher_port = MACH_PORT_NULL;
	m->h.msgh_id = id;
	mr = ipc_mach_msg(space, um, m, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size,
			  sizeof(*m), reply, 1000);
	(void)mach_port_mod_refs(space, reply, MACH_PORT_RIGHT_RECEIVE, -1);
	return mr;
}

static mach_msg_return_t
kk_info(mach_port_name_t dest, mach_msg_id_t id, integer_t flavor, uint32_t cnt,
	union kk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->info_req.flavor = flavor;
	m->info_req.info_outCnt = cnt;
	return kk_rpc(dest, id, m, sizeof(kobj_info_request_t), NULL);
}

KTEST(ipc_kobject_task_info)
{
	mach_port_name_t task = task_self_trap(kernel_task);
	mach_task_basic_info_data_t ti;
	union kk_msg m;

	KT_ASSERT(MACH_PORT_VALID(task));
	KT_ASSERT_EQ(kk_info(task, MSGID_task_info, MACH_TASK_BASIC_INFO, KOBJ_INFO_MAX, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.h.msgh_id, MSGID_task_info + MIG_REPLY_DELTA);
	KT_ASSERT_EQ(m.info.RetCode, KERN_SUCCESS);
	KT_ASSERT_EQ(m.info.info_outCnt, KOBJ_COUNT(ti));
	KT_ASSERT_EQ(m.h.msgh_size, offsetof(kobj_info_reply_t, info_out) + sizeof(ti));
	memcpy(&ti, m.info.info_out, sizeof(ti));
	KT_ASSERT_EQ(ti.policy, POLICY_TIMESHARE);
	/* The kernel's threads have run for some ticks by now (the boot alone takes several). */
	KT_ASSERT(ti.system_time.seconds > 0 || ti.system_time.microseconds > 0);
	/* Errors come back as MIG replies with the code. */
	KT_ASSERT_EQ(kk_info(task, MSGID_task_info, 12345, KOBJ_INFO_MAX, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(m.h.msgh_size, sizeof(mig_reply_error_t));
	KT_ASSERT_EQ(kk_info(task, MSGID_task_info, MACH_TASK_BASIC_INFO, 3, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(kk_info(task, 3499, MACH_TASK_BASIC_INFO, 12, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, MIG_BAD_ID);
	KT_ASSERT_EQ(m.h.msgh_id, 3599);
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(kk_rpc(task, MSGID_task_info, &m, sizeof(mach_msg_header_t) + 8, NULL),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, MIG_BAD_ARGUMENTS);
	/* A task routine sent to the host port is refused. */
	KT_ASSERT_EQ(kk_info(host_self_trap(kernel_task), MSGID_task_info, MACH_TASK_BASIC_INFO,
			     12, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_INVALID_ARGUMENT);
}

KTEST(ipc_kobject_thread_and_host_info)
{
	mach_port_name_t self = thread_self_trap(current_thread());
	mach_port_name_t host = host_self_trap(kernel_task);
	thread_identifier_info_data_t id;
	thread_basic_info_data_t tb;
	host_basic_info_data_t hb;
	union kk_msg m;

	KT_ASSERT(MACH_PORT_VALID(self) && MACH_PORT_VALID(host));
	KT_ASSERT_EQ(thread_self_trap(current_thread()), self);
	KT_ASSERT_EQ(kk_info(self, MSGID_thread_info, THREAD_IDENTIFIER_INFO, 6, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.info.RetCode, KERN_SUCCESS);
	memcpy(&id, m.info.info_out, sizeof(id));
	KT_ASSERT_EQ(id.thread_id, current_thread()->th_id);
	KT_ASSERT_EQ(kk_info(self, MSGID_thread_info, THREAD_BASIC_INFO, 10, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.info.RetCode, KERN_SUCCESS);
	memcpy(&tb, m.info.info_out, sizeof(tb));
	KT_ASSERT_EQ(tb.run_state, TH_STATE_RUNNING);
	KT_ASSERT_EQ(kk_info(host, MSGID_host_info, HOST_BASIC_INFO, 12, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.info.RetCode, KERN_SUCCESS);
	memcpy(&hb, m.info.info_out, sizeof(hb));
	KT_ASSERT_EQ(hb.avail_cpus, processor_count_scheduling());
	KT_ASSERT_EQ(hb.max_mem, vm_page_total_count * PAGE_SIZE);
	KT_ASSERT_EQ(hb.cpu_type, CPU_TYPE_X86_64);
	printf("# host_info: %d of %d CPUs, %llu MiB\n", hb.avail_cpus, hb.max_cpus,
	       (unsigned long long)(hb.max_mem >> 20));
}

static kern_return_t
kk_copyin(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len)
{
	return vm_map_copy_bytes(um->um_map, uaddr, kbuf, len, false);
}

static kern_return_t
kk_copyout(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr, vm_size_t len)
{
	return vm_map_copy_bytes(um->um_map, uaddr, (void *)(uintptr_t)kbuf, len, true);
}

KTEST(ipc_kobject_task_threads)
{
	mach_port_name_t task = task_self_trap(kernel_task);
	mach_port_name_t self = thread_self_trap(current_thread());
	static mach_port_name_t names[256];
	pmap_t pmap = pmap_create();
	struct ipc_umem um = { 0, kk_copyin, kk_copyout };
	union kk_msg m;
	bool found = false;
	uint32_t n;

	KT_ASSERT(pmap != NULL);
	um.um_map = vm_map_create(pmap, 0x40000000UL, PMAP_USER_TOP);
	KT_ASSERT(um.um_map != NULL);
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(kk_rpc(task, MSGID_task_threads, &m, sizeof(task_threads_request_t), &um),
		     MACH_MSG_SUCCESS);
	KT_ASSERT(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	n = m.threads.act_listCnt;
	KT_ASSERT_EQ(m.threads.act_list.count, n);
	KT_ASSERT(n > 1 && n <= 256 && m.threads.act_list.address != 0);
	KT_ASSERT_EQ(m.threads.act_list.disposition, MACH_MSG_TYPE_PORT_SEND);
	KT_ASSERT_EQ(vm_map_copy_bytes(um.um_map, m.threads.act_list.address, names,
				       n * sizeof(names[0]), false),
		     KERN_SUCCESS);
	for (uint32_t i = 0; i < n; i++) {
		mach_port_type_t t = 0;

		KT_ASSERT_EQ(mach_port_type(kernel_task->t_space, names[i], &t), KERN_SUCCESS);
		KT_ASSERT(t & MACH_PORT_TYPE_SEND);
		found |= names[i] == self;
		(void)mach_port_deallocate(kernel_task->t_space, names[i]);
	}
	KT_ASSERT(found); /* our own thread's port, under the name thread_self gave */
	vm_map_deallocate(um.um_map);
	pmap_destroy(pmap);
}

static mach_msg_return_t
kk_port(mach_port_name_t task, mach_msg_id_t id, uint32_t arg, union kk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->port_req.arg = arg;
	return kk_rpc(task, id, m, sizeof(mach_port_request_t), NULL);
}

KTEST(ipc_kobject_mach_port_calls)
{
	mach_port_name_t task = task_self_trap(kernel_task), name;
	union kk_msg m;

	KT_ASSERT_EQ(kk_port(task, MSGID_mach_port_allocate, MACH_PORT_RIGHT_DEAD_NAME, &m),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.port.RetCode, KERN_SUCCESS);
	name = m.port.out;
	KT_ASSERT_EQ(kk_port(task, MSGID_mach_port_type, name, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.port.RetCode, KERN_SUCCESS);
	KT_ASSERT_EQ(m.port.out, MACH_PORT_TYPE_DEAD_NAME);
	KT_ASSERT_EQ(kk_port(task, MSGID_mach_port_deallocate, name, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_SUCCESS);
	KT_ASSERT_EQ(kk_port(task, MSGID_mach_port_type, name, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_INVALID_NAME);
	KT_ASSERT_EQ(kk_port(task, MSGID_mach_port_allocate, 77, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.err.RetCode, KERN_INVALID_VALUE);
}

static void
kk_exit(void *arg, wait_result_t wr)
{
	(void)arg;
	(void)wr;
}

KTEST(ipc_kobject_thread_port_dies_with_thread)
{
	mach_port_name_t name;
	mach_port_type_t t = 0;
	union kk_msg m;
	thread_t th;

	KT_ASSERT_EQ(kernel_thread_start(kk_exit, NULL, &th), KERN_SUCCESS);
	name = thread_self_trap(th);
	KT_ASSERT(MACH_PORT_VALID(name));
	/* Wait until only our reference is left (the thread ran and was reaped). */
	for (unsigned i = 0; i < 500 && __atomic_load_n(&th->th_ref, __ATOMIC_ACQUIRE) > 1; i++)
		thread_sleep_ns(10000000);
	KT_ASSERT_EQ(__atomic_load_n(&th->th_ref, __ATOMIC_ACQUIRE), 1);
	thread_deallocate(th);
	KT_ASSERT_EQ(mach_port_type(kernel_task->t_space, name, &t), KERN_SUCCESS);
	KT_ASSERT_EQ(t, MACH_PORT_TYPE_DEAD_NAME);
	KT_ASSERT_EQ(kk_info(name, MSGID_thread_info, THREAD_BASIC_INFO, 10, &m),
		     MACH_SEND_INVALID_DEST);
	KT_ASSERT_EQ(mach_port_deallocate(kernel_task->t_space, name), KERN_SUCCESS);
}

/* A request of the new routines' kinds, with room for their replies and the trailer. */
union kk_big {
	mach_msg_header_t h;
	mig_reply_error_t err;
	kobj_port_reply_t right;
	task_get_special_port_request_t get_special;
	task_set_special_port_request_t set_special;
	mach_port_request_notification_request_t notify;
	mach_port_insert_right_request_t insert;
	thread_get_state_request_t get_state;
	thread_set_state_request_t set_state;
	uint8_t bytes[sizeof(thread_set_state_request_t) + sizeof(mach_msg_audit_trailer_t)];
};

/* kk_rpc for a request that may be complex. */
static mach_msg_return_t
kk_rpc2(mach_port_name_t dest, mach_msg_id_t id, union kk_big *m, mach_msg_size_t size,
	bool complex)
{
	ipc_space_t space = kernel_task->t_space;
	mach_port_name_t reply = mach_reply_port(kernel_task);
	mach_msg_return_t mr;

	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			 (complex ? MACH_MSGH_BITS_COMPLEX : 0);
	m->h.msgh_size = size;
	m->h.msgh_remote_port = dest;
	m->h.msgh_local_port = reply;
	m->h.msgh_voucher_port = MACH_PORT_NULL;
	m->h.msgh_id = id;
	mr = ipc_mach_msg(space, NULL, m, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, size,
			  sizeof(*m), reply, 1000);
	(void)mach_port_mod_refs(space, reply, MACH_PORT_RIGHT_RECEIVE, -1);
	return mr;
}

/* The simple reply's code (a complex reply: KERN_SUCCESS with a right). */
static kern_return_t
kk_code(const union kk_big *m)
{
	return (m->h.msgh_bits & MACH_MSGH_BITS_COMPLEX) ? KERN_SUCCESS : m->err.RetCode;
}

/*
 * The routines added for user space, driven with good and malformed requests: special ports,
 * insert_right, request_notification, thread state and suspend on the wrong kind of thread;
 * every bad shape answered with MIG's code, and the rights it carried released.
 */
KTEST(ipc_kobject_special_ports_and_malformed_requests)
{
	ipc_space_t space = kernel_task->t_space;
	mach_port_name_t task = task_self_trap(kernel_task), self, rcv, so_port;
	struct ipc_port_status st;
	mach_port_type_t type;
	union kk_big m;

	KT_ASSERT(MACH_PORT_VALID(task));
	KT_ASSERT_EQ(mach_port_allocate(space, MACH_PORT_RIGHT_RECEIVE, &rcv), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_allocate(space, MACH_PORT_RIGHT_RECEIVE, &so_port), KERN_SUCCESS);

	/* insert_right: MAKE_SEND of our receive right under its own name. */
	memset(&m, 0, sizeof(m));
	m.insert.msgh_body.msgh_descriptor_count = 1;
	m.insert.poly = (mach_msg_port_descriptor_t){ .name = rcv,
						      .disposition = MACH_MSG_TYPE_MAKE_SEND,
						      .type = MACH_MSG_PORT_DESCRIPTOR };
	m.insert.name = rcv;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_mach_port_insert_right, &m, sizeof(m.insert), true),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_type(space, rcv, &type), KERN_SUCCESS);
	KT_ASSERT_EQ(type, MACH_PORT_TYPE_SEND_RECEIVE);

	/* Special ports: set the bootstrap port, read it back; a bad slot is refused. */
	memset(&m, 0, sizeof(m));
	m.set_special.msgh_body.msgh_descriptor_count = 1;
	m.set_special.special_port = (mach_msg_port_descriptor_t){
		.name = rcv, .disposition = MACH_MSG_TYPE_COPY_SEND,
		.type = MACH_MSG_PORT_DESCRIPTOR };
	m.set_special.which_port = TASK_BOOTSTRAP_PORT;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_task_set_special_port, &m, sizeof(m.set_special), true),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_SUCCESS);
	memset(&m, 0, sizeof(m));
	m.get_special.which_port = TASK_BOOTSTRAP_PORT;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_task_get_special_port, &m, sizeof(m.get_special), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	KT_ASSERT_EQ(m.right.port.name, rcv);
	KT_ASSERT_EQ(mach_port_get_status(space, rcv, &st), KERN_SUCCESS);
	/* One per naming entry (insert_right's and get_special's coalesce: two user references)
	 * and the task slot's. */
	KT_ASSERT_EQ(st.mps_srights, 2u);
	{
		mach_port_urefs_t refs;

		KT_ASSERT_EQ(mach_port_get_refs(space, rcv, MACH_PORT_RIGHT_SEND, &refs),
			     KERN_SUCCESS);
		KT_ASSERT_EQ(refs, 2u);
	}
	m.get_special.which_port = 77;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_task_get_special_port, &m, sizeof(m.get_special), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_INVALID_ARGUMENT);
	/* The right sent as a simple message: MIG_BAD_ARGUMENTS. */
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_task_set_special_port, &m, sizeof(m.set_special), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), MIG_BAD_ARGUMENTS);
	/* Emptying the slot releases its right. */
	memset(&m, 0, sizeof(m));
	m.set_special.msgh_body.msgh_descriptor_count = 1;
	m.set_special.special_port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.set_special.special_port.disposition = MACH_MSG_TYPE_COPY_SEND; /* of MACH_PORT_NULL */
	m.set_special.which_port = TASK_BOOTSTRAP_PORT;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_task_set_special_port, &m, sizeof(m.set_special), true),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_get_status(space, rcv, &st), KERN_SUCCESS);
	KT_ASSERT_EQ(st.mps_srights, 1u);

	/* request_notification with a send right where a send-once right belongs: MIG's type
	 * error, and the send right it carried is released. */
	memset(&m, 0, sizeof(m));
	m.notify.msgh_body.msgh_descriptor_count = 1;
	m.notify.notify = (mach_msg_port_descriptor_t){ .name = rcv,
							.disposition = MACH_MSG_TYPE_COPY_SEND,
							.type = MACH_MSG_PORT_DESCRIPTOR };
	m.notify.name = rcv;
	m.notify.msgid = MACH_NOTIFY_NO_SENDERS;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_mach_port_request_notification, &m, sizeof(m.notify),
			     true),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), MIG_TYPE_ERROR);
	KT_ASSERT_EQ(mach_port_get_status(space, rcv, &st), KERN_SUCCESS);
	KT_ASSERT_EQ(st.mps_srights, 1u);
	/* The right kind: no previous request comes back. */
	memset(&m, 0, sizeof(m));
	m.notify.msgh_body.msgh_descriptor_count = 1;
	m.notify.notify = (mach_msg_port_descriptor_t){ .name = so_port,
							.disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE,
							.type = MACH_MSG_PORT_DESCRIPTOR };
	m.notify.name = rcv;
	m.notify.msgid = MACH_NOTIFY_NO_SENDERS;
	m.notify.sync = 1;
	KT_ASSERT_EQ(kk_rpc2(task, MSGID_mach_port_request_notification, &m, sizeof(m.notify),
			     true),
		     MACH_MSG_SUCCESS);
	KT_ASSERT(m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	KT_ASSERT_EQ(m.right.port.name, MACH_PORT_NULL);
	/* Dropping the name's two references (its one send right) fires it. */
	KT_ASSERT_EQ(mach_port_mod_refs(space, rcv, MACH_PORT_RIGHT_SEND, -2), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_get_status(space, so_port, &st), KERN_SUCCESS);
	KT_ASSERT_EQ(st.mps_msgcount, 1u);

	/* A kernel thread has no user state to read or write, and cannot be suspended. */
	self = thread_self_trap(current_thread());
	memset(&m, 0, sizeof(m));
	m.get_state.flavor = x86_THREAD_STATE64;
	m.get_state.old_stateCnt = THREAD_STATE_MAX;
	KT_ASSERT_EQ(kk_rpc2(self, MSGID_thread_get_state, &m, sizeof(m.get_state), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_INVALID_ARGUMENT);
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(kk_rpc2(self, MSGID_thread_suspend, &m, sizeof(mach_msg_header_t), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_INVALID_ARGUMENT);
	/* thread_set_state whose size disagrees with its count, or too short: MIG's codes. */
	memset(&m, 0, sizeof(m));
	m.set_state.flavor = x86_THREAD_STATE64;
	m.set_state.new_stateCnt = x86_THREAD_STATE64_COUNT;
	KT_ASSERT_EQ(kk_rpc2(self, MSGID_thread_set_state, &m, THREAD_SET_STATE_MIN_SIZE + 8,
			     false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), MIG_BAD_ARGUMENTS);
	memset(&m, 0, sizeof(m));
	KT_ASSERT_EQ(kk_rpc2(self, MSGID_thread_set_state, &m, sizeof(mach_msg_header_t), false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), MIG_BAD_ARGUMENTS);
	memset(&m, 0, sizeof(m));
	m.set_state.flavor = x86_THREAD_STATE64;
	m.set_state.new_stateCnt = x86_THREAD_STATE64_COUNT;
	KT_ASSERT_EQ(kk_rpc2(self, MSGID_thread_set_state, &m,
			     THREAD_SET_STATE_MIN_SIZE + x86_THREAD_STATE64_COUNT * 4, false),
		     MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(kk_code(&m), KERN_INVALID_ARGUMENT);

	KT_ASSERT_EQ(mach_port_mod_refs(space, rcv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_mod_refs(space, so_port, MACH_PORT_RIGHT_RECEIVE, -1),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_deallocate(space, self), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_deallocate(space, task), KERN_SUCCESS);
}
