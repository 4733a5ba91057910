/*
 * trap.h — trap frames, exception and interrupt dispatch, descriptor tables.
 */
#ifndef _ARCH_X86_64_TRAP_H_
#define _ARCH_X86_64_TRAP_H_

#include <arch/x86_64/cpu.h>
#include <libkern/libkern.h>

/* Saved by trap_entry.S, lowest address first; the CPU pushes tf_rip..tf_ss. */
struct trapframe {
	uint64_t tf_r15, tf_r14, tf_r13, tf_r12, tf_r11, tf_r10, tf_r9, tf_r8;
	uint64_t tf_rbp, tf_rdi, tf_rsi, tf_rdx, tf_rcx, tf_rbx, tf_rax;
	uint64_t tf_trapno, tf_err;
	uint64_t tf_rip, tf_cs, tf_rflags, tf_rsp, tf_ss;
};

#define GSEL_KCODE   0x08
#define GSEL_KDATA   0x10
#define GSEL_UCODE32 0x1b
#define GSEL_UDATA   0x23
#define GSEL_UCODE   0x2b
#define GSEL_TSS     0x30

#define T_DIVIDE 0
#define T_NMI	 2
#define T_BPT	 3
#define T_INVOP	 6
#define T_DOUBLE 8
#define T_GPFLT	 13
#define T_PAGEFLT 14
#define T_MCHK	 18

#define IDT_FIRST_INTR 32
#define IDT_SPURIOUS   0xff

/* The 64-bit TSS (SDM Vol. 3A §7.7); one per CPU. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/* The IST slots (1-based, as in IDT gates): #DF, NMI and #MC get stacks of their own. */
#define IST_DOUBLE 1
#define IST_NMI	   2
#define IST_MCHK   3

/* GDT, TSS (with IST stacks for #DF, NMI, #MC) and IDT for the boot CPU. */
void trap_init(void);

/*
 * gdt_load_cpu: fill this CPU's GDT (the layout and selectors above) and TSS, with the tops of
 * its three IST stacks (#DF, NMI, #MC), then load the GDT, reload the segments and the task
 * register. Every CPU calls it once, on itself; the IDT is shared and loaded separately.
 */
void gdt_load_cpu(uint64_t gdt[8], struct tss64 *tss, const uint64_t ist_top[3]);

typedef void (*intr_handler_t)(struct trapframe *tf, void *arg);
/* Route a vector (>= IDT_FIRST_INTR) to fn; the dispatcher sends the EOI afterwards. */
void intr_set_handler(unsigned vector, intr_handler_t fn, void *arg);
/* Hand out a free vector in [first, last], or 0 when none is left. */
unsigned intr_alloc_vector(unsigned first, unsigned last);
/* End-of-interrupt: the local APIC driver installs the right one (xAPIC, x2APIC, PV EOI). */
extern void (*intr_eoi)(void);
/* Interrupts taken per vector since boot. */
uint64_t intr_count(unsigned vector);

/* Fill tf with the caller's registers, for panic() outside a trap; inlined so that the frame
 * and instruction pointer are the caller's own. */
static inline __attribute__((always_inline)) void
trapframe_capture(struct trapframe *tf)
{
	memset(tf, 0, sizeof(*tf));
	__asm__ volatile("movq %%rbp, %0\n\t"
			 "movq %%rsp, %1\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, %2"
			 : "=m"(tf->tf_rbp), "=m"(tf->tf_rsp), "=m"(tf->tf_rip)
			 :
			 : "rax");
	__asm__ volatile("movq %%rbx, %0\n\t"
			 "movq %%r12, %1\n\t"
			 "movq %%r13, %2\n\t"
			 "movq %%r14, %3\n\t"
			 "movq %%r15, %4"
			 : "=m"(tf->tf_rbx), "=m"(tf->tf_r12), "=m"(tf->tf_r13), "=m"(tf->tf_r14),
			   "=m"(tf->tf_r15));
	tf->tf_cs = GSEL_KCODE;
	tf->tf_ss = GSEL_KDATA;
	tf->tf_rflags = read_rflags();
	tf->tf_trapno = ~0ULL;
}

void trap_print_registers(const struct trapframe *tf);
/* Print a symbolised backtrace, starting at pc, then walking the frame-pointer chain from fp. */
void backtrace_print(uint64_t fp, uint64_t pc);

/*
 * Instructions that may fault on purpose — probes of what the CPU or the hypervisor allows —
 * name themselves in section .trap_recover, from assembly:
 *
 *	1:	vmmcall
 *		.pushsection .trap_recover, "a"
 *		.quad 1b, fixup
 *		.popsection
 *
 * A kernel-mode exception (not NMI or machine check) at such an instruction, that nothing else
 * resolves, resumes at the fixup with rax = -(vector + 1) instead of panicking. The code between
 * the instruction and the fixup must not have changed the stack.
 */
struct trap_recover_entry {
	uint64_t tr_ip;
	uint64_t tr_fixup;
};

#endif /* _ARCH_X86_64_TRAP_H_ */
