/*
 * syscall_sw.h — the Mach traps (system-call class 1), for the dispatcher in bsd/kern/syscall.c.
 */
#ifndef _MACH_KERN_SYSCALL_SW_H_
#define _MACH_KERN_SYSCALL_SW_H_

#include <libkern/libkern.h>

struct trapframe;

/*
 * mach_trap: run Mach trap n of the current thread with the arguments in tf (rdi, rsi, rdx,
 * r10, r8, r9); *ret gets its result (a port name or a mach_msg_return_t). Returns false when
 * there is no trap n (the dispatcher answers ENOSYS).
 */
bool mach_trap(struct trapframe *tf, uint32_t n, uint64_t *ret);

#endif /* _MACH_KERN_SYSCALL_SW_H_ */
