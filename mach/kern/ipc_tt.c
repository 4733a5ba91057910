/*
 * ipc_tt.c — task and thread ports: a task's IPC space and task port, threads' ports made on
 * first use, the self traps as kernel functions, and the task and thread routines the kernel
 * server calls (XNU osfmk/kern/ipc_tt.c, task.c task_info/task_threads, thread.c
 * thread_info; flavors and layouts from <mach/task_info.h> and <mach/thread_info.h>).
 *
 * The one idea: a port names its object without owning it. The object owns its port and
 * kills it when it is freed (task_deallocate, thread_deallocate), so a name held elsewhere
 * turns into a dead name rather than a pointer to freed memory.
 *
 * Special ports: a task's bootstrap port (a send right the kernel keeps for it) is how a
 * parent hands a right to a child: fork copies it, and its exception ports, as XNU's
 * ipc_task_init(child, parent) does.
 *
 * XXX: user and system time are not told apart (every tick counts as system time).
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <mach/kern/exception.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_map.h>
#include <mach/vm/vm_param.h>

kern_return_t
ipc_task_init(task_t task)
{
	ipc_space_t space;
	ipc_port_t port;

	if (ipc_space_create(&space) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	if ((port = ipc_kobject_alloc(task, IKOT_TASK)) == NULL) {
		ipc_space_destroy(space);
		return KERN_RESOURCE_SHORTAGE;
	}
	task->t_space = space;
	task->t_self = port;
	return KERN_SUCCESS;
}

/* A new send right to port, copied from one the kernel holds. IPC lock held. */
static ipc_port_t
tt_copy_send(ipc_port_t port)
{
	if (port != NULL) {
		port->ip_srights++;
		ipc_port_reference(port);
	}
	return port;
}

/* Take task's special ports and exception ports away; the rights are released. */
static void
tt_drop_ports(task_t task)
{
	ipc_port_t boot;

	ipc_lock();
	boot = task->t_bootstrap;
	task->t_bootstrap = NULL;
	if (boot != NULL)
		ipc_port_release_send(boot);
	ipc_unlock();
	exception_actions_free(task->t_exc_actions);
	task->t_exc_actions = NULL;
}

void
ipc_task_terminate(task_t task)
{
	ipc_kobject_destroy(task->t_self);
	task->t_self = NULL;
	tt_drop_ports(task);
	if (task->t_space != NULL)
		ipc_space_destroy(task->t_space);
	task->t_space = NULL;
}

void
ipc_task_exit(task_t task)
{
	tt_drop_ports(task);
	if (task->t_space != NULL)
		ipc_space_terminate(task->t_space);
}

void
ipc_task_inherit(task_t child, task_t parent)
{
	struct exception_action *exc = NULL;

	/* The child's space and task port exist from the start (not at its first trap), so a
	 * task_for_pid or an exception before it ever traps finds its port. Without memory
	 * they are made at its first trap, as for any task. */
	if (child->t_space == NULL && ipc_task_init(child) != KERN_SUCCESS)
		klog(LOG_WARNING, "ipc: no memory for a forked task's space yet\n");
	/* The table is allocated before the lock (kalloc may not be called under it). */
	if (parent->t_exc_actions != NULL &&
	    (exc = kalloc_zero(EXC_TYPES_COUNT * sizeof(*exc))) == NULL)
		klog(LOG_WARNING, "ipc: no memory to inherit exception ports; child has none\n");
	ipc_lock();
	child->t_bootstrap = tt_copy_send(parent->t_bootstrap);
	if (exc != NULL && parent->t_exc_actions != NULL) {
		for (unsigned i = 0; i < EXC_TYPES_COUNT; i++) {
			exc[i] = parent->t_exc_actions[i];
			tt_copy_send(exc[i].ea_port);
		}
		child->t_exc_actions = exc;
		exc = NULL;
	}
	ipc_unlock();
	kfree(exc, EXC_TYPES_COUNT * sizeof(*exc));
}

kern_return_t
task_get_special_port(task_t task, int which, ipc_port_t *portp)
{
	ipc_port_t port;

	ipc_lock();
	switch (which) {
	case TASK_KERNEL_PORT:
		port = task->t_self;
		if (port != NULL)
			ipc_port_make_send(port);
		break;
	case TASK_HOST_PORT:
		port = ipc_host_port();
		if (port != NULL)
			ipc_port_make_send(port);
		break;
	case TASK_BOOTSTRAP_PORT:
		port = tt_copy_send(task->t_bootstrap);
		break;
	default:
		ipc_unlock();
		return KERN_INVALID_ARGUMENT;
	}
	ipc_unlock();
	*portp = port;
	return KERN_SUCCESS;
}

kern_return_t
task_set_special_port(task_t task, int which, ipc_port_t port)
{
	ipc_port_t old;

	if (which != TASK_BOOTSTRAP_PORT) {
		/* The task and host ports are the kernel's to choose. */
		if (port != NULL)
			ipc_port_release_right(port, MACH_MSG_TYPE_PORT_SEND);
		return KERN_INVALID_ARGUMENT;
	}
	ipc_lock();
	old = task->t_bootstrap;
	task->t_bootstrap = port;
	if (old != NULL)
		ipc_port_release_send(old);
	ipc_unlock();
	return KERN_SUCCESS;
}

void
ipc_thread_terminate(thread_t thread)
{
	ipc_kobject_destroy(thread->th_self);
	thread->th_self = NULL;
	exception_actions_free(thread->th_exc_actions);
	thread->th_exc_actions = NULL;
}

mach_port_name_t
task_self_trap(task_t task)
{
	mach_port_name_t name = MACH_PORT_NULL;

	ipc_lock();
	if (task->t_self != NULL) {
		ipc_port_make_send(task->t_self);
		name = ipc_kobject_copyout_send(task, task->t_self);
	}
	ipc_unlock();
	return name;
}

mach_port_name_t
thread_self_trap(thread_t thread)
{
	mach_port_name_t name;

	ipc_lock();
	name = ipc_kobject_copyout_send(
	    thread->th_task, ipc_kobject_make_send_lazy(&thread->th_self, thread, IKOT_THREAD));
	ipc_unlock();
	return name;
}

mach_port_name_t
mach_reply_port(task_t task)
{
	mach_port_name_t name = MACH_PORT_NULL;

	if (task->t_space == NULL ||
	    mach_port_allocate(task->t_space, MACH_PORT_RIGHT_RECEIVE, &name) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return name;
}

/* Ticks as a time value. */
static time_value_t
tt_ticks_time(uint64_t ticks)
{
	uint64_t us = ticks * (1000000 / HZ);

	return (time_value_t){ (integer_t)(us / 1000000), (integer_t)(us % 1000000) };
}

kern_return_t
task_info(task_t task, integer_t flavor, integer_t *out, uint32_t *countp)
{
	mach_task_basic_info_data_t info = { 0 };
	uint64_t ticks = 0;
	bool st;

	if (flavor != MACH_TASK_BASIC_INFO || *countp < KOBJ_COUNT(info))
		return KERN_INVALID_ARGUMENT;
	if (task->t_map != NULL) {
		info.virtual_size = task->t_map->vm_size;
		if (task->t_map->vm_pmap != NULL)
			info.resident_size = task->t_map->vm_pmap->pm_resident * PAGE_SIZE;
	}
	info.resident_size_max = info.resident_size;
	st = lck_spin_lock_irqsave(&task->t_lock);
	queue_foreach(&task->t_threads, q) {
		ticks += container_of(q, struct thread, th_task_link)->th_ticks;
	}
	lck_spin_unlock_irqrestore(&task->t_lock, st);
	info.system_time = tt_ticks_time(ticks);
	info.policy = POLICY_TIMESHARE;
	memcpy(out, &info, sizeof(info));
	*countp = KOBJ_COUNT(info);
	return KERN_SUCCESS;
}

kern_return_t
thread_info(thread_t thread, integer_t flavor, integer_t *out, uint32_t *countp)
{
	/* Statistics: read without the scheduler lock, as XNU's thread_info does not hold it
	 * across the copy either. */
	int state = __atomic_load_n(&thread->th_state, __ATOMIC_RELAXED);

	if (flavor == THREAD_BASIC_INFO) {
		thread_basic_info_data_t info = { 0 };

		if (*countp < KOBJ_COUNT(info))
			return KERN_INVALID_ARGUMENT;
		info.system_time = tt_ticks_time(thread->th_ticks);
		info.policy = thread->th_sched_mode == TH_MODE_TIMESHARE ? POLICY_TIMESHARE
									 : POLICY_FIFO;
		info.run_state = (state & TH_TERMINATE)	 ? TH_STATE_HALTED
				 : (state & TH_UNINT)	 ? TH_STATE_UNINTERRUPTIBLE
				 : (state & TH_WAIT)	 ? TH_STATE_WAITING
							 : TH_STATE_RUNNING;
		info.flags = (state & TH_IDLE) ? TH_FLAGS_IDLE : 0;
		memcpy(out, &info, sizeof(info));
		*countp = KOBJ_COUNT(info);
		return KERN_SUCCESS;
	}
	if (flavor == THREAD_IDENTIFIER_INFO) {
		thread_identifier_info_data_t info = { 0 };

		if (*countp < KOBJ_COUNT(info))
			return KERN_INVALID_ARGUMENT;
		info.thread_id = thread->th_id;
		memcpy(out, &info, sizeof(info));
		*countp = KOBJ_COUNT(info);
		return KERN_SUCCESS;
	}
	return KERN_INVALID_ARGUMENT;
}

kern_return_t
task_threads(task_t task, ipc_port_t **portsp, uint32_t *countp)
{
	thread_t *threads = NULL;
	ipc_port_t *ports = NULL;
	unsigned n;
	bool st;

	/* Allocate for the count seen, then take the list only if it did not change. */
	for (;;) {
		unsigned i = 0;

		n = __atomic_load_n(&task->t_thread_count, __ATOMIC_RELAXED);
		if (n != 0 && (threads = kalloc(n * sizeof(*threads))) == NULL)
			return KERN_RESOURCE_SHORTAGE;
		st = lck_spin_lock_irqsave(&task->t_lock);
		if (task->t_thread_count == n) {
			queue_foreach(&task->t_threads, q) {
				threads[i] = container_of(q, struct thread, th_task_link);
				thread_reference(threads[i++]);
			}
			lck_spin_unlock_irqrestore(&task->t_lock, st);
			break;
		}
		lck_spin_unlock_irqrestore(&task->t_lock, st);
		kfree(threads, n * sizeof(*threads));
		threads = NULL;
	}
	if (n != 0 && (ports = kalloc_zero(n * sizeof(*ports))) != NULL) {
		ipc_lock();
		for (unsigned i = 0; i < n; i++)
			ports[i] = ipc_kobject_make_send_lazy(&threads[i]->th_self, threads[i],
							      IKOT_THREAD);
		ipc_unlock();
	}
	for (unsigned i = 0; i < n; i++)
		thread_deallocate(threads[i]);
	kfree(threads, n * sizeof(*threads));
	if (n != 0 && ports == NULL)
		return KERN_RESOURCE_SHORTAGE;
	*portsp = ports;
	*countp = n;
	return KERN_SUCCESS;
}

task_t
ipc_port_name_to_task(task_t task, mach_port_name_t name)
{
	struct ipc_entry *e;
	ipc_port_t port;
	task_t found = NULL;

	ipc_lock();
	if (task->t_space != NULL && task->t_space->is_active &&
	    (e = ipc_entry_lookup(task->t_space, name)) != NULL &&
	    !ipc_right_check(task->t_space, name, e) &&
	    (IE_BITS_TYPE(e->ie_bits) & MACH_PORT_TYPE_SEND) &&
	    (port = e->ie_object)->ip_active && port->ip_kotype == IKOT_TASK &&
	    port->ip_kobject != NULL) {
		found = port->ip_kobject;
		task_reference(found);
	}
	ipc_unlock();
	return found;
}

mach_port_name_t
ipc_task_port_copyout(task_t target, task_t to)
{
	mach_port_name_t name = MACH_PORT_NULL;

	ipc_lock();
	if (target->t_self != NULL) {
		ipc_port_make_send(target->t_self);
		name = ipc_kobject_copyout_send(to, target->t_self);
	}
	ipc_unlock();
	return name;
}
