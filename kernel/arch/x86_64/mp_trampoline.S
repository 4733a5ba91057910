/*
 * mp_trampoline.S — where an application processor starts after INIT-SIPI-SIPI (Intel SDM
 * Vol. 3A §8.4.4 "MP initialization example", §9.8.5 "Initializing IA-32e mode").
 *
 * The SIPI starts the AP in real mode at MP_TRAMPOLINE_PA (vector = address / 4096); mp.c copies
 * this code there and fills in the parameter block at its end. The code is position-dependent
 * on that address: 16-bit → 32-bit protected mode with its own flat GDT → long mode with the
 * page tables in mp_cr3 (the kernel's, plus an identity map of the first 2 MiB so the code
 * keeps running when paging turns on) → a jump to mp_ap_entry in the kernel's half on its own
 * stack. The one idea: everything the AP needs is in this page; it touches nothing else before
 * C.
 */
#define MP_TRAMPOLINE_PA 0x8000
#define REL(x)	(MP_TRAMPOLINE_PA + ((x) - mp_trampoline_start))

	.section .rodata
	.globl	mp_trampoline_start, mp_trampoline_end
	.globl	mp_tramp_cr3, mp_tramp_efer, mp_tramp_stack, mp_tramp_entry, mp_tramp_arg
	.code16
mp_trampoline_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	REL(mp_tramp_gdtr)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $REL(mp_tramp_pm32)

	.code32
mp_tramp_pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	REL(mp_tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER: the BSP's value (LME, NXE, SCE) */
	movl	REL(mp_tramp_efer), %eax
	movl	REL(mp_tramp_efer) + 4, %edx
	wrmsr
	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16)), %eax	/* PG, WP */
	movl	%eax, %cr0
	ljmpl	$0x18, $REL(mp_tramp_lm64)

	.code64
mp_tramp_lm64:
	movq	mp_tramp_stack(%rip), %rsp
	movq	mp_tramp_arg(%rip), %rdi
	movq	mp_tramp_entry(%rip), %rax
	xorl	%ebp, %ebp
	pushq	$0
	jmpq	*%rax

	.balign 8
mp_tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x10 data */
	.quad	0x00af9a000000ffff		/* 0x18 64-bit code */
mp_tramp_gdtr:
	.word	mp_tramp_gdtr - mp_tramp_gdt - 1
	.long	REL(mp_tramp_gdt)
	.balign 8
mp_tramp_cr3:	.quad 0
mp_tramp_efer:	.quad 0
mp_tramp_stack:	.quad 0
mp_tramp_entry:	.quad 0
mp_tramp_arg:	.quad 0
mp_trampoline_end:

	.section .note.GNU-stack, "", @progbits
