/*
 * mach_traps.c — user/libmach's class-1 traps: `syscall` with rax = 0x01000000 | n, the
 * numbers of XNU's mach_trap_table (mach/kern/syscall_sw.c), arguments in the Linux
 * register order (rdi, rsi, rdx, r10, r8, r9).
 */
#include "mach.h"

#define MACH_TRAP(n) (0x01000000L | (n))

static long
mach_trap6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(MACH_TRAP(n)), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

mach_port_t
mach_reply_port(void)
{
	return (mach_port_t)mach_trap6(26, 0, 0, 0, 0, 0, 0);
}

mach_port_t
mach_thread_self(void)
{
	return (mach_port_t)mach_trap6(27, 0, 0, 0, 0, 0, 0);
}

mach_port_t
mach_task_self(void)
{
	return (mach_port_t)mach_trap6(28, 0, 0, 0, 0, 0, 0);
}

mach_port_t
mach_host_self(void)
{
	return (mach_port_t)mach_trap6(29, 0, 0, 0, 0, 0, 0);
}

mach_msg_return_t
mach_msg(void *msg, mach_msg_option_t option, mach_msg_size_t send_size,
	 mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout)
{
	return (mach_msg_return_t)mach_trap6(31, (long)msg, option, send_size, rcv_size, rcv_name,
					     timeout);
}

kern_return_t
task_for_pid(mach_port_t task, int pid, mach_port_t *target)
{
	return (kern_return_t)mach_trap6(45, task, pid, (long)target, 0, 0, 0);
}
