/*
 * syscall_sw.h — the Mach traps (system-call class 1), for the dispatcher in bsd/kern/syscall.c.
 */
#ifndef _MACH_KERN_SYSCALL_SW_H_
#define _MACH_KERN_SYSCALL_SW_H_

#include <libkern/libkern.h>
#include <mach/ipc/message.h>
#include <mach/kern/task.h>

struct trapframe;

/*
 * mach_trap: run Mach trap n of the current thread with the arguments in tf (rdi, rsi, rdx,
 * r10, r8, r9); *ret gets its result (a port name or a mach_msg_return_t). Returns false when
 * there is no trap n (the dispatcher answers ENOSYS).
 */
bool mach_trap(struct trapframe *tf, uint32_t n, uint64_t *ret);

/*
 * task_for_pid_trap (trap 45, provided by the BSD layer as XNU's bsd/vm/vm_unix.c does): a send
 * right to the task port of process pid, named in the caller's space and stored at the user
 * address namep, for a caller whose own task port target_tport names and who is privileged
 * (proc_suser) or asks for itself.
 *   Returns: KERN_SUCCESS; KERN_FAILURE (no such process, not privileged, not its task port);
 *            KERN_INVALID_ADDRESS (namep).
 */
kern_return_t task_for_pid_trap(task_t caller, mach_port_name_t target_tport, int pid,
				uint64_t namep);

#endif /* _MACH_KERN_SYSCALL_SW_H_ */
