/*
 * trap.c — the boot CPU's descriptor tables (GDT, TSS, IDT) and the dispatcher every trap and
 * interrupt goes through.
 *
 * Follows Intel SDM Vol. 3A §3.4.5 (segment descriptors), §7.2.3 (the 64-bit TSS and its
 * interrupt stack table) and §6.14.1 (64-bit IDT gates). Exceptions from the kernel are kernel
 * bugs and panic with the trap frame; #DF, NMI and #MC run on their own IST stacks so that a
 * blown kernel stack is still reported. Device interrupts go to the handler registered for
 * their vector, then to the local APIC's EOI.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/trap.h>
#include <arch/x86_64/user_machdep.h>
#include <mach/kern/thread.h>
#include <console.h>
#include <mach/vm/vm_fault.h>
#include <panic.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IST_SIZE   8192

extern const uint8_t trap_stubs[];

static uint64_t gdt[8] __aligned(16);
static struct tss64 tss __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static uint8_t ist_stacks[3][IST_SIZE] __aligned(16);

static struct {
	intr_handler_t fn;
	void *arg;
} intr_table[256];
static uint64_t intr_counts[256];

static void
intr_eoi_none(void)
{
}

void (*intr_eoi)(void) = intr_eoi_none;

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "BOUND range exceeded",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
	"page fault", "reserved 15", "x87 floating-point error", "alignment check",
	"machine check", "SIMD floating-point error", "virtualization exception",
	"control protection exception", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "hypervisor injection",
	"VMM communication", "security exception", "reserved 31",
};

void
gdt_load_cpu(uint64_t gdt[8], struct tss64 *tss, const uint64_t ist_top[3])
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
	struct desc_ptr gp = { 8 * sizeof(uint64_t) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL; /* 0x08 kernel code, 64-bit */
	gdt[2] = 0x00cf92000000ffffULL; /* 0x10 kernel data */
	gdt[3] = 0x00cffa000000ffffULL; /* 0x18 user code, 32-bit (sysret layout) */
	gdt[4] = 0x00cff2000000ffffULL; /* 0x20 user data */
	gdt[5] = 0x00affa000000ffffULL; /* 0x28 user code, 64-bit */
	/* 0x30: the 16-byte available 64-bit TSS descriptor. */
	gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[7] = base >> 32;

	tss->ist[IST_DOUBLE - 1] = ist_top[0];
	tss->ist[IST_NMI - 1] = ist_top[1];
	tss->ist[IST_MCHK - 1] = ist_top[2];
	tss->iomap_base = sizeof(*tss);

	__asm__ volatile("lgdt %0\n\t"
			 "movl %1, %%ds\n\t"
			 "movl %1, %%es\n\t"
			 "movl %1, %%ss\n\t"
			 "pushq %2\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :
			 : "m"(gp), "r"(GSEL_KDATA), "i"((uint64_t)GSEL_KCODE), "r"(GSEL_TSS)
			 : "rax", "memory");
}

static void
gdt_init(void)
{
	const uint64_t ist_top[3] = { (uint64_t)&ist_stacks[0][IST_SIZE],
				      (uint64_t)&ist_stacks[1][IST_SIZE],
				      (uint64_t)&ist_stacks[2][IST_SIZE] };

	gdt_load_cpu(gdt, &tss, ist_top);
}

static void
idt_set_gate(unsigned vec, uint64_t handler, unsigned ist)
{
	idt[vec] = (struct idt_gate){
		.offset_lo = handler & 0xffff,
		.selector = GSEL_KCODE,
		.ist = (uint8_t)ist,
		.type_attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

void
trap_init(void)
{
	struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };

	gdt_init();
	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, (uint64_t)&trap_stubs[16 * v], 0);
	idt[T_DOUBLE].ist = IST_DOUBLE;
	idt[T_NMI].ist = IST_NMI;
	idt[T_MCHK].ist = IST_MCHK;
	idt[T_BPT].type_attr = 0xee; /* int3 allowed from user mode */
	__asm__ volatile("lidt %0" : : "m"(ip));
}

void
intr_set_handler(unsigned vector, intr_handler_t fn, void *arg)
{
	assert(vector >= IDT_FIRST_INTR && vector < 256);
	intr_table[vector].arg = arg;
	__atomic_store_n(&intr_table[vector].fn, fn, __ATOMIC_RELEASE);
}

unsigned
intr_alloc_vector(unsigned first, unsigned last)
{
	for (unsigned v = MAX(first, IDT_FIRST_INTR); v <= last && v < IDT_SPURIOUS; v++)
		if (intr_table[v].fn == NULL)
			return v;
	return 0;
}

uint64_t
intr_count(unsigned vector)
{
	return vector < 256 ? __atomic_load_n(&intr_counts[vector], __ATOMIC_RELAXED) : 0;
}

void trap_dispatch(struct trapframe *tf);

extern const struct trap_recover_entry __trap_recover_start[], __trap_recover_end[];

/* An exception at an instruction listed in .trap_recover resumes at its fixup (trap.h). */
static bool
trap_recover(struct trapframe *tf)
{
	for (const struct trap_recover_entry *e = __trap_recover_start; e < __trap_recover_end;
	     e++) {
		if (e->tr_ip == tf->tf_rip) {
			tf->tf_rip = e->tr_fixup;
			tf->tf_rax = (uint64_t)-(int64_t)(tf->tf_trapno + 1);
			return true;
		}
	}
	return false;
}

void
trap_dispatch(struct trapframe *tf)
{
	unsigned vec = (unsigned)tf->tf_trapno;

	if (vec == T_NMI && panic_in_progress())
		mp_stopped_here(); /* another CPU panics and stops the rest */
	if (vec < IDT_FIRST_INTR) {
		vaddr_t addr = 0;

		/* User-mode exceptions become signals (user_machdep.c); in the kernel, only page
		 * faults on user or pageable memory are not bugs. */
		if (tf->tf_cs & 3) {
			usr_trap(tf);
			return;
		}
		if (vec == T_PAGEFLT && usr_kernel_fault(tf))
			return;
		if (vec == T_PAGEFLT) {
			vm_prot_t access = (tf->tf_err & 2)    ? VM_PROT_WRITE
					   : (tf->tf_err & 16) ? VM_PROT_EXECUTE
							       : VM_PROT_READ;
			kern_return_t kr;

			/*
			 * A fault in the current map's range (the user half) may be resolved. It
			 * may sleep (pager I/O): with interrupts on when the faulting code had them.
			 */
			addr = read_cr2();
			if (tf->tf_rflags & RFLAGS_IF)
				intr_enable();
			kr = vm_fault_trap(addr, access);
			intr_disable();
			if (kr == KERN_SUCCESS)
				return;
		}
		if (vec != T_NMI && vec != T_MCHK && trap_recover(tf))
			return;
		if (vec == T_PAGEFLT)
			panic_trap(tf, "page fault at %#llx (%s %s, %s mode) rip %#llx",
				   (unsigned long long)addr,
				   (tf->tf_err & 1) ? "protection violation" : "not present",
				   (tf->tf_err & 16) ? "fetch" : (tf->tf_err & 2) ? "write" : "read",
				   (tf->tf_err & 4) ? "user" : "kernel",
				   (unsigned long long)tf->tf_rip);
		panic_trap(tf, "%s (vector %u, error %#llx) at rip %#llx", exception_names[vec], vec,
			   (unsigned long long)tf->tf_err, (unsigned long long)tf->tf_rip);
	}
	__atomic_fetch_add(&intr_counts[vec], 1, __ATOMIC_RELAXED);
	if (vec == IDT_SPURIOUS)
		return; /* spurious interrupts take no EOI (SDM §10.9) */
	intr_handler_t fn = __atomic_load_n(&intr_table[vec].fn, __ATOMIC_ACQUIRE);
	if (fn != NULL)
		fn(tf, intr_table[vec].arg);
	else
		klog(LOG_WARNING, "intr: unexpected interrupt on vector %u\n", vec);
	intr_eoi();
	/* The scheduler preempts here when the interrupt made a better thread runnable. */
	ast_taken_intr(tf);
}

void
trap_print_registers(const struct trapframe *tf)
{
	printf("rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       (unsigned long long)tf->tf_rax, (unsigned long long)tf->tf_rbx,
	       (unsigned long long)tf->tf_rcx, (unsigned long long)tf->tf_rdx);
	printf("rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n",
	       (unsigned long long)tf->tf_rsi, (unsigned long long)tf->tf_rdi,
	       (unsigned long long)tf->tf_rbp, (unsigned long long)tf->tf_rsp);
	printf("r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n",
	       (unsigned long long)tf->tf_r8, (unsigned long long)tf->tf_r9,
	       (unsigned long long)tf->tf_r10, (unsigned long long)tf->tf_r11);
	printf("r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n",
	       (unsigned long long)tf->tf_r12, (unsigned long long)tf->tf_r13,
	       (unsigned long long)tf->tf_r14, (unsigned long long)tf->tf_r15);
	printf("rip %016llx cs %04llx rflags %08llx ss %04llx\n", (unsigned long long)tf->tf_rip,
	       (unsigned long long)tf->tf_cs, (unsigned long long)tf->tf_rflags,
	       (unsigned long long)tf->tf_ss);
	printf("cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	if (tf->tf_trapno < 32)
		printf("trap %llu (%s) error %#llx\n", (unsigned long long)tf->tf_trapno,
		       exception_names[tf->tf_trapno], (unsigned long long)tf->tf_err);
}
