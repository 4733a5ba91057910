/*
 * trap_entry.S — one entry stub per IDT vector, and the common path that saves the registers
 * into a struct trapframe, calls trap_dispatch(tf), and returns with iretq.
 *
 * Follows Intel SDM Vol. 3A §6.12 "Exception and interrupt handling" and §6.14 (64-bit mode):
 * the CPU pushes SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17, 21, 29 and 30, an
 * error code. The stubs push a zero in its place for the others so every frame has one shape.
 * swapgs is done when the trap came from user mode, so %gs always holds the kernel's per-CPU
 * base inside the kernel.
 */
#include "trapframe.inc"

	.text

	.globl	trap_common
trap_common:
	testb	$3, 24(%rsp)		/* CS of the interrupted context */
	jz	1f
	swapgs
1:	TF_PUSH_GPRS
	movq	%rsp, %rdi
	cld
	call	trap_dispatch
	testb	$3, 144(%rsp)		/* back to user mode: through usr_return (user_entry.S) */
	jnz	usr_return
	TF_POP_GPRS
	testb	$3, 24(%rsp)
	jz	2f
	swapgs
2:	addq	$16, %rsp		/* vector and error code */
	iretq

/* 256 stubs of 16 bytes each: the stub for vector v is at trap_stubs + 16 * v. */
	.balign 16
	.globl	trap_stubs
trap_stubs:
	.set	vec, 0
	.rept	256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	trap_common
	.set	vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
