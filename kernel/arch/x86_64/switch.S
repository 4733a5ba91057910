/*
 * switch.S — the machine half of a context switch (System V AMD64 ABI: rbx, rbp, r12-r15 and
 * rsp are callee-saved, so they are all a switch must keep).
 *
 * thread_t machine_switch(thread_t old, uint64_t *save_rsp, uint64_t new_rsp)
 *	Pushes the callee-saved registers on the old stack, stores rsp in *save_rsp, loads
 *	new_rsp and pops the new thread's registers. It "returns" in the new thread, handing it
 *	old (rax), the thread it came from, so the new thread can finish switching the old out.
 *
 * machine_call_continuation(fn, param, wresult, stack_top)
 *	Discards the current stack: rsp = stack_top, fn(param, wresult); if fn returns, the
 *	thread terminates.
 *
 * machine_thread_trampoline
 *	Where a new stack's first machine_switch "returns" to (kstack frame built by
 *	thread.c): calls thread_continue_start(old).
 */
	.text

	.globl	machine_switch
	.type	machine_switch, @function
machine_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rsi)
	movq	%rdx, %rsp
	movq	%rdi, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	machine_switch, . - machine_switch

	.globl	machine_call_continuation
	.type	machine_call_continuation, @function
machine_call_continuation:
	movq	%rcx, %rsp
	xorl	%ebp, %ebp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movl	%edx, %esi
	call	*%rax
	call	thread_terminate_self
	ud2
	.size	machine_call_continuation, . - machine_call_continuation

	.globl	machine_thread_trampoline
	.type	machine_thread_trampoline, @function
machine_thread_trampoline:
	xorl	%ebp, %ebp
	movq	%rax, %rdi
	andq	$-16, %rsp
	call	thread_continue_start
	ud2
	.size	machine_thread_trampoline, . - machine_thread_trampoline

	.section .note.GNU-stack, "", @progbits
