/*
 * syscall.h — the system-call handlers of the Linux x86-64 class (class 0 of ARCHITECTURE.md
 * "User ABI"). Each takes the caller's trap frame (arguments in rdi, rsi, rdx, r10, r8, r9) and
 * returns the value for rax: a result, or a negative errno.
 */
#ifndef _BSD_KERN_SYSCALL_H_
#define _BSD_KERN_SYSCALL_H_

#include <arch/x86_64/trap.h>

typedef long (*sy_call_t)(struct trapframe *tf);

#define SYS_HANDLERS(X)                                                                         \
	X(sys_read) X(sys_write) X(sys_readv) X(sys_writev) X(sys_close) X(sys_dup) X(sys_dup2)  \
	X(sys_dup3) X(sys_ioctl) X(sys_exit) X(sys_exit_group) X(sys_getpid) X(sys_getppid)     \
	X(sys_gettid) X(sys_getuid) X(sys_brk) X(sys_mmap) X(sys_munmap) X(sys_mprotect)        \
	X(sys_madvise) X(sys_arch_prctl) X(sys_set_tid_address) X(sys_uname)                    \
	X(sys_clock_gettime) X(sys_gettimeofday) X(sys_nanosleep) X(sys_pause) X(sys_sched_yield)            \
	X(sys_fork) X(sys_vfork) X(sys_clone) X(sys_wait4) X(sys_execve) X(sys_kill)            \
	X(sys_getrandom) X(sys_reboot) X(sys_rt_sigaction) X(sys_rt_sigprocmask) \
	X(sys_rt_sigreturn) X(sys_access) X(sys_faccessat)    \
	X(sys_pipe) X(sys_pipe2) X(sys_clock_nanosleep) X(sys_getrlimit) X(sys_setrlimit)     \
	X(sys_prlimit64) X(sys_prctl) X(sys_setsid) X(sys_getsid) X(sys_getpgid) X(sys_getpgrp)    \
	X(sys_setpgid) X(sys_fcntl) X(sys_poll) X(sys_ppoll) X(sys_rt_sigtimedwait)         \
	X(sys_msync)                                                                            \
	X(sys_sync) X(sys_time)                                                                 \
	X(sys_getgid) X(sys_geteuid) X(sys_getegid) X(sys_setuid) X(sys_setgid) X(sys_setreuid) \
	X(sys_setregid) X(sys_setresuid) X(sys_setresgid) X(sys_getresuid) X(sys_getresgid)     \
	X(sys_getgroups) X(sys_setgroups) X(sys_tkill) X(sys_tgkill) X(sys_getcpu) \
	X(sys_sysinfo) X(sys_rt_sigsuspend) X(sys_syslog) X(sys_sethostname) X(sys_settimeofday) X(sys_clock_settime)

#define SYS_DECLARE(name) long name(struct trapframe *tf);
SYS_HANDLERS(SYS_DECLARE)
#undef SYS_DECLARE

/* fork's common part (kern_proc.c): the child returns 0 from the same frame. */
long sys_fork_common(struct trapframe *tf);

#endif /* _BSD_KERN_SYSCALL_H_ */
