/*
 * user_entry.S — entering the kernel from ring 3 by `syscall` and going back to ring 3.
 *
 * Follows Intel SDM Vol. 2B SYSCALL/SYSRET and AMD APM Vol. 2 §6.1.1: syscall leaves the user
 * rip in rcx and rflags in r11, loads CS/SS from STAR[47:32] and masks rflags with FMASK (IF,
 * DF, TF, AC cleared), but does not change rsp; so the entry swaps GS first, parks the user rsp
 * in the per-CPU area and loads this thread's kernel stack top from it (%gs:16 and %gs:8,
 * struct processor).
 *
 * The one idea: every way into the kernel from user mode builds the same struct trapframe at
 * the top of the thread's kernel stack (syscall by hand, traps through the TSS rsp0), and one
 * exit path, usr_return, leaves through it: sysret when the frame allows it (rcx = rip,
 * r11 = rflags, rip a user address below USER_ADDR_MAX), iretq otherwise (after execve, a
 * signal frame, sigreturn), so a sysret never meets a non-canonical rip.
 */
#define GSEL_UCODE	0x2b
#define GSEL_UDATA	0x23
#define T_SYSCALL	0x100
#define TF_SIZE		(22 * 8)

#include "trapframe.inc"

	.text

	.globl	syscall_entry
	.type	syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:16
	movq	%gs:8, %rsp
	pushq	$GSEL_UDATA		/* ss */
	pushq	%gs:16			/* rsp */
	pushq	%r11			/* rflags */
	pushq	$GSEL_UCODE		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error code */
	pushq	$T_SYSCALL		/* trap number */
	TF_PUSH_GPRS
	xorl	%ebp, %ebp
	movq	%rsp, %rdi
	sti
	call	unix_syscall
	jmp	usr_return
	.size	syscall_entry, . - syscall_entry

/*
 * usr_return: rsp points at the user trap frame. Deliver pending work (usr_return_prepare:
 * signals, preemption; it returns with interrupts off and tf_trapno = 1 when sysret may be
 * used), restore the registers and leave.
 */
	.globl	usr_return
	.type	usr_return, @function
usr_return:
	movq	%rsp, %rdi
	call	usr_return_prepare
	TF_POP_GPRS
	cmpq	$1, (%rsp)
	jne	1f
	movq	40(%rsp), %rsp		/* the frame's user rsp; rcx and r11 hold rip, rflags */
	swapgs
	sysretq
1:	addq	$16, %rsp		/* trap number and error code */
	swapgs
	iretq
	.size	usr_return, . - usr_return

/*
 * usr_thread_enter(const struct trapframe *tf, uint64_t stack_top): drop the current stack,
 * copy *tf (which must not be on this stack) to the top of the kernel stack and return to user
 * mode through it. The first instructions of every user thread.
 */
	.globl	usr_thread_enter
	.type	usr_thread_enter, @function
usr_thread_enter:
	cli
	leaq	-TF_SIZE(%rsi), %rsp
	movq	%rdi, %rsi
	movq	%rsp, %rdi
	movl	$22, %ecx
	cld
	rep movsq
	jmp	usr_return
	.size	usr_thread_enter, . - usr_thread_enter

	.section .note.GNU-stack, "", @progbits
