/*
 * futex.h — fast user-space mutexes (Linux futex(2)): the system call and the wake that
 * thread exit (CLONE_CHILD_CLEARTID) needs.
 */
#ifndef _BSD_KERN_FUTEX_H_
#define _BSD_KERN_FUTEX_H_

#include <bsd/kern/proc.h>

/*
 * futex_wake_addr: wake up to n threads of p waiting on the futex word at user address uaddr
 * (any bitset).
 *   Locks:   none held on entry.
 *   Returns: how many were woken.
 */
int futex_wake_addr(struct proc *p, uint64_t uaddr, int n);

long sys_futex(struct trapframe *tf);

#endif /* _BSD_KERN_FUTEX_H_ */
