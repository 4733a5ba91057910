/*
 * kvm_hypercall.S — KVM hypercalls that survive a hypervisor that does not take them.
 *
 * KVM's ABI (Documentation/virt/kvm/x86/hypercalls.rst): number in rax, arguments in rbx, rcx,
 * rdx, rsi; result in rax; the instruction is VMCALL on Intel and VMMCALL on AMD. A KVM that
 * expects the other instruction (or a KVM backend that is neither, such as PVM) emulates it
 * and rewrites the instruction in our text — which is read-only, so the rewrite is a page fault
 * injected here. Both instructions are listed in .trap_recover (trap.h): a fault returns
 * rax = -(vector + 1) instead of a panic, and the caller gives up on hypercalls.
 *
 * long kvm_hypercall2_vmcall(unsigned long nr, unsigned long a0, unsigned long a1);
 * long kvm_hypercall2_vmmcall(unsigned long nr, unsigned long a0, unsigned long a1);
 */
	.text

	.macro	HYPERCALL2 name, insn
	.globl	\name
	.type	\name, @function
\name:
	push	%rbx
	mov	%rdi, %rax
	mov	%rsi, %rbx
	mov	%rdx, %rcx
1:	\insn
2:	pop	%rbx
	ret
	.pushsection .trap_recover, "a"
	.quad	1b, 2b
	.popsection
	.size	\name, . - \name
	.endm

	HYPERCALL2 kvm_hypercall2_vmcall, vmcall
	HYPERCALL2 kvm_hypercall2_vmmcall, vmmcall
