/*
 * boot.S — the two ways into Nimbus, and the climb from 32-bit protected mode to long mode.
 *
 * Follows: the Multiboot2 specification (version 2.0, §3.1 "OS image format", §3.3 "I386 machine
 * state") and Xen's PVH boot ABI (docs/misc/pvh.pandoc; xen/include/public/elfnote.h,
 * XEN_ELFNOTE_PHYS32_ENTRY; arch-x86/hvm/start_info.h). Both loaders enter 32-bit code with paging
 * off and a pointer to their boot-information structure in %ebx. Each entry records which path
 * was taken; the shared code then builds throw-away page tables (identity map and direct map of
 * the first 4 GiB, plus the kernel's -2 GiB window, all in 2 MiB pages), turns on long mode, and
 * calls boot_entry(info_phys, path) in C on the kernel's boot stack. The pmap later replaces
 * these tables with the real ones.
 */
#include <xen/elfnote.h>
#include <boot/bootinfo_defs.h>

#define KERNEL_BASE	0xffffffff80000000
#define PHYS(sym)	((sym) - KERNEL_BASE)

#define MB2_MAGIC	0xe85250d6
#define MB2_BOOT_MAGIC	0x36d76289
#define MB2_ARCH_I386	0

#define COM1		0x3f8

/* Multiboot2 header: must be 8-byte aligned inside the first 32 KiB of the file. */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* entry address tag: the 32-bit entry (the ELF entry is the same, said twice for loaders
	 * that prefer one or the other). */
	.balign 8
	.word	3, 0
	.long	12
	.long	_start_mb2
	/* end tag */
	.balign 8
	.word	0, 0
	.long	8
mb2_header_end:

/* PVH: the physical 32-bit entry point, found by QEMU, Xen, Firecracker and cloud-hypervisor. */
	.section .note.Xen, "a"
	.balign 4
	.long	4
	.long	4
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.balign 4
	.long	_start_pvh
	.balign 4

	.section .boot.text, "ax"
	.code32
	.globl	_start_pvh, _start_mb2
_start_pvh:
	cli
	cld
	movl	%ebx, %edi
	movl	$BOOT_PATH_PVH, %esi
	jmp	common32

_start_mb2:
	cli
	cld
	cmpl	$MB2_BOOT_MAGIC, %eax
	jne	no_magic
	movl	%ebx, %edi
	movl	$BOOT_PATH_MB2, %esi

common32:
	movl	$PHYS(boot_stack_top), %esp
	rdtsc
	movl	%eax, PHYS(boot_tsc_entry)
	movl	%edx, PHYS(boot_tsc_entry) + 4

	/* Long mode is the one feature we cannot live without: say so on COM1 and stop. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	no_long_mode
	movl	%edx, %ebp		/* bit 20: NX, kept for EFER below */

	/* Zero the boot page tables (they live in .bss, which loaders zero, but say so here). */
	pushl	%edi
	movl	$PHYS(boot_pml4), %edi
	movl	$((boot_pt_end - boot_pml4) / 4), %ecx
	xorl	%eax, %eax
	rep stosl
	popl	%edi

	/* PML4[0] and PML4[256] (0xffff800000000000) share one PDPT: the first 4 GiB. */
	movl	$(PHYS(boot_pdpt_low) + 3), %eax
	movl	%eax, PHYS(boot_pml4)
	movl	%eax, PHYS(boot_pml4) + 256 * 8
	movl	$(PHYS(boot_pdpt_high) + 3), %eax
	movl	%eax, PHYS(boot_pml4) + 511 * 8

	/* PDPT_low[0..3] -> the four page directories; PDPT_high[510] -> the first one. */
	movl	$(PHYS(boot_pd) + 3), %eax
	movl	%eax, PHYS(boot_pdpt_high) + 510 * 8
	movl	$PHYS(boot_pdpt_low), %ebx
	movl	$4, %ecx
1:	movl	%eax, (%ebx)
	addl	$4096, %eax
	addl	$8, %ebx
	loop	1b

	/* 2048 large pages of 2 MiB: physical 0 to 4 GiB. */
	movl	$PHYS(boot_pd), %ebx
	movl	$0x83, %eax
	movl	$2048, %ecx
1:	movl	%eax, (%ebx)
	addl	$(1 << 21), %eax
	addl	$8, %ebx
	loop	1b

	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$PHYS(boot_pml4), %eax
	movl	%eax, %cr3

	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	orl	$(1 << 8), %eax		/* LME */
	testl	$(1 << 20), %ebp
	jz	1f
	orl	$(1 << 11), %eax	/* NXE */
1:	wrmsr

	movl	%cr0, %eax
	orl	$((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	movl	%eax, %cr0

	lgdt	boot_gdt_desc
	ljmp	$0x08, $long64

no_magic:
	movl	$msg_no_magic, %esi
	jmp	die32
no_long_mode:
	movl	$msg_no_lm, %esi
die32:
	movw	$COM1, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	hlt
	jmp	2b

	.code64
long64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movabsq	$high64, %rax
	jmp	*%rax

	.section .boot.data, "a"
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
msg_no_magic:
	.asciz	"nimbus: entered at the Multiboot2 entry without the Multiboot2 magic\r\n"
msg_no_lm:
	.asciz	"nimbus: this CPU has no long mode (x86-64); Nimbus cannot run here\r\n"

	.text
high64:
	movabsq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	/* %edi = boot-info physical address, %esi = path; both already zero-extended. */
	call	boot_entry
1:	cli
	hlt
	jmp	1b

	.bss
	.balign 4096
	.globl	boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096
boot_pt_end:
	.balign 16
	.globl	boot_stack, boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
	.balign 8
	.globl	boot_tsc_entry
boot_tsc_entry:	.quad 0

	.section .note.GNU-stack, "", @progbits
