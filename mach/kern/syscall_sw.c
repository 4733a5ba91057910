/*
 * syscall_sw.c — the Mach trap table: system-call class 1 (ARCHITECTURE.md "User ABI": rax =
 * 0x01000000 | n), after XNU osfmk/kern/syscall_sw.c. The numbers are XNU's (positive here):
 * 26 mach_reply_port, 27 thread_self_trap, 28 task_self_trap, 29 host_self_trap, 31
 * mach_msg_trap, 45 task_for_pid (in the BSD layer, which knows pids and privilege). Everything else a task asks of Mach (mach_port_allocate, task_info, …) is a
 * message to one of these ports, served by the kernel server (ipc_kobject.c).
 *
 * The one idea: a trap only adapts the registers to the kernel functions the IPC code already
 * has; user memory is reached through an ipc_umem whose hooks are copyin/copyout, so a bad
 * message pointer is MACH_SEND_INVALID_DATA / MACH_RCV_INVALID_DATA, never a kernel fault. A
 * task gets its IPC space (with its task port) on its first trap.
 */
#include <arch/x86_64/trap.h>
#include <arch/x86_64/usercopy.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/syscall_sw.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>

#define MACH_TRAP_REPLY_PORT 26
#define MACH_TRAP_THREAD_SELF 27
#define MACH_TRAP_TASK_SELF  28
#define MACH_TRAP_HOST_SELF  29
#define MACH_TRAP_MSG	     31
#define MACH_TRAP_TASK_FOR_PID 45

static kern_return_t
trap_copyin(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len)
{
	(void)um;
	return copyin((const void *)uaddr, kbuf, len) == 0 ? KERN_SUCCESS : KERN_INVALID_ADDRESS;
}

static kern_return_t
trap_copyout(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr, vm_size_t len)
{
	(void)um;
	return copyout(kbuf, (void *)uaddr, len) == 0 ? KERN_SUCCESS : KERN_INVALID_ADDRESS;
}

/* The calling task's space, made on its first trap; NULL when memory is short. */
static ipc_space_t
trap_space(task_t task)
{
	if (task->t_space == NULL && ipc_task_init(task) != KERN_SUCCESS)
		return NULL;
	return task->t_space;
}

bool
mach_trap(struct trapframe *tf, uint32_t n, uint64_t *ret)
{
	task_t task = current_thread()->th_task;
	struct ipc_umem um = { task->t_map, trap_copyin, trap_copyout };
	ipc_space_t space = trap_space(task);

	switch (n) {
	case MACH_TRAP_REPLY_PORT:
		*ret = space == NULL ? MACH_PORT_NULL : mach_reply_port(task);
		return true;
	case MACH_TRAP_THREAD_SELF:
		*ret = space == NULL ? MACH_PORT_NULL : thread_self_trap(current_thread());
		return true;
	case MACH_TRAP_TASK_SELF:
		*ret = space == NULL ? MACH_PORT_NULL : task_self_trap(task);
		return true;
	case MACH_TRAP_HOST_SELF:
		*ret = space == NULL ? MACH_PORT_NULL : host_self_trap(task);
		return true;
	case MACH_TRAP_MSG:
		/* mach_msg_trap(msg, option, send_size, rcv_size, rcv_name, timeout): the six
		 * register arguments; the seventh (notify) is unused, as in XNU. */
		if (space == NULL) {
			*ret = MACH_SEND_NO_BUFFER;
			return true;
		}
		*ret = (uint32_t)ipc_mach_msg_trap(space, &um, tf->tf_rdi, (mach_msg_option_t)tf->tf_rsi,
						   (mach_msg_size_t)tf->tf_rdx,
						   (mach_msg_size_t)tf->tf_r10,
						   (mach_port_name_t)tf->tf_r8,
						   (mach_msg_timeout_t)tf->tf_r9);
		return true;
	case MACH_TRAP_TASK_FOR_PID:
		*ret = space == NULL ? (uint64_t)KERN_RESOURCE_SHORTAGE
				     : (uint32_t)task_for_pid_trap(task, (mach_port_name_t)tf->tf_rdi,
								   (int)tf->tf_rsi, tf->tf_rdx);
		return true;
	default:
		return false;
	}
}
