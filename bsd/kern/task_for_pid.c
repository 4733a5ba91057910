/*
 * task_for_pid.c — Mach trap 45, task_for_pid: the BSD half of the Mach trap table, since only
 * BSD knows pids and who is privileged (XNU bsd/vm/vm_unix.c task_for_pid).
 *
 * The one idea: a task port is total control of a task — its memory, its threads, its
 * registers — so, as in XNU since Mac OS X 10.4 (where any process of the same user could
 * take another's port, and malware did), a process gets another's task port only when it is
 * privileged (proc_suser); asking for its own is always allowed. A right, once given, is the
 * only capability: what the holder does with it is no longer checked.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/proc.h>
#include <console.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/syscall_sw.h>
#include <mach/kern/task.h>

kern_return_t
task_for_pid_trap(task_t caller, mach_port_name_t target_tport, int pid, uint64_t namep)
{
	struct proc *self = current_proc(), *p;
	mach_port_name_t name = MACH_PORT_NULL;
	task_t own, target = NULL;
	bool s;

	/* The first argument must be the caller's own task port, as XNU checks. */
	own = ipc_port_name_to_task(caller, target_tport);
	if (own != NULL)
		task_deallocate(own);
	if (own != caller || self == NULL)
		return KERN_FAILURE;
	s = lck_spin_lock_irqsave(&proc_lock);
	p = proc_find(pid);
	if (p != NULL && p->p_stat == SRUN && (p == self || proc_suser(self) == 0)) {
		target = p->p_task;
		task_reference(target);
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	if (target == NULL) {
		if (p != NULL)
			klog(LOG_INFO, "task_for_pid: pid %d may not have pid %d's task port\n",
			     self->p_pid, pid);
		return KERN_FAILURE;
	}
	name = ipc_task_port_copyout(target, caller);
	task_deallocate(target);
	if (name == MACH_PORT_NULL)
		return KERN_FAILURE;
	if (copyout(&name, (void *)namep, sizeof(name)) != 0) {
		(void)mach_port_deallocate(caller->t_space, name);
		return KERN_INVALID_ADDRESS;
	}
	return KERN_SUCCESS;
}
