/*
 * usercopy.S — copyin, copyout and copyinstr (see usercopy.h).
 *
 * The one idea: the routines lie between usercopy_begin and usercopy_end and push nothing on
 * the stack, so a fault anywhere inside them can be recovered by setting the trap frame's rip to
 * usercopy_fault, which lowers AC and returns EFAULT to the caller directly (the same scheme as
 * FreeBSD's pcb_onfault, with one range instead of a per-thread pointer).
 */
#define EFAULT		14
#define ENAMETOOLONG	36
#define USER_ADDR_MAX	0x00007ffffffff000

	.text
	.globl	usercopy_begin, usercopy_end, usercopy_fault
	.globl	copyin, copyout, copyinstr

/* stac/clac only when the CPU has SMAP (usercopy_smap, set by usr_cpu_init): they are #UD
 * without it. */
	.macro	AC_ON
	testb	$1, usercopy_smap(%rip)
	jz	9f
	stac
9:
	.endm
	.macro	AC_OFF
	testb	$1, usercopy_smap(%rip)
	jz	9f
	clac
9:
	.endm

	.balign	16
usercopy_begin:

/* int copyin(const void *uaddr (rdi), void *kaddr (rsi), size_t len (rdx)) */
copyin:
	movq	%rdi, %rax
	addq	%rdx, %rax
	jc	usercopy_efault
	movq	$USER_ADDR_MAX, %rcx
	cmpq	%rcx, %rax
	ja	usercopy_efault
	xchgq	%rdi, %rsi		/* movsb copies from rsi (user) to rdi (kernel) */
	movq	%rdx, %rcx
	AC_ON
	rep movsb
	AC_OFF
	xorl	%eax, %eax
	ret

/* int copyout(const void *kaddr (rdi), void *uaddr (rsi), size_t len (rdx)) */
copyout:
	movq	%rsi, %rax
	addq	%rdx, %rax
	jc	usercopy_efault
	movq	$USER_ADDR_MAX, %rcx
	cmpq	%rcx, %rax
	ja	usercopy_efault
	xchgq	%rdi, %rsi
	movq	%rdx, %rcx
	AC_ON
	rep movsb
	AC_OFF
	xorl	%eax, %eax
	ret

/* int copyinstr(const void *uaddr (rdi), char *kaddr (rsi), size_t max (rdx), size_t *done (rcx))
 * Copies byte by byte; the user range is checked byte by byte against USER_ADDR_MAX. */
copyinstr:
	movq	%rcx, %r9		/* done */
	xorl	%r8d, %r8d		/* bytes copied */
	movq	$USER_ADDR_MAX, %r10
	AC_ON
1:	cmpq	%rdx, %r8
	jae	3f
	leaq	(%rdi, %r8), %rax
	cmpq	%r10, %rax
	jae	4f
	movb	(%rax), %cl
	movb	%cl, (%rsi, %r8)
	incq	%r8
	testb	%cl, %cl
	jnz	1b
	AC_OFF
	xorl	%eax, %eax
2:	testq	%r9, %r9
	jz	5f
	movq	%r8, (%r9)
5:	ret
3:	AC_OFF
	movl	$ENAMETOOLONG, %eax
	jmp	2b
4:	AC_OFF
	movl	$EFAULT, %eax
	jmp	2b

usercopy_fault:
	AC_OFF
usercopy_efault:
	movl	$EFAULT, %eax
	ret
usercopy_end:

	.data
	.globl	usercopy_smap
usercopy_smap:
	.byte	0

	.section .note.GNU-stack, "", @progbits
