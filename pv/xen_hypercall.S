/*
 * xen_hypercall.S — the page Xen fills with its hypercall stubs (32 bytes each: load the number,
 * VMCALL or VMMCALL as this CPU needs, return). Xen writes it when its physical address is given
 * to the MSR that CPUID leaf base+2 names (xen/arch-x86/cpuid.h); it lives in .text so that it
 * is mapped executable.
 */
	.section .text.xen_hypercall, "ax", @progbits
	.balign	4096
	.globl	xen_hypercall_page
xen_hypercall_page:
	.fill	4096, 1, 0xcc		/* int3 until Xen writes the stubs */
	.size	xen_hypercall_page, 4096
