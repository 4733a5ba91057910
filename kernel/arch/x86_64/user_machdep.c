/*
 * user_machdep.c — the machine side of user mode (see user_machdep.h): syscall MSRs, SMEP and
 * SMAP, the per-thread state a context switch carries for user threads, user traps turned into
 * Mach exceptions for the BSD layer, and kernel page faults on user addresses.
 *
 * Follows Intel SDM Vol. 3A §2.5 (CR4.SMEP/SMAP), §5.8.8 (SYSCALL/SYSRET), §13.1 (FXSAVE) and
 * XNU's osfmk/i386/trap.c (user_trap → exception_triage → ux_exception).
 *
 * The one idea: a thread is a user thread exactly when it has an FPU area (mt_fpu); the kernel is
 * built -mgeneral-regs-only, so only user threads own SSE state, and a switch saves it from the
 * old user thread and loads it for the new one, together with its address space, FS base and the
 * kernel stack top that `syscall` (%gs:8) and ring-3 traps (TSS rsp0) enter on.
 * Everything a user thread needs from its CPU is per CPU (the active pmap in pmap_as.c, the
 * syscall stack top and scratch at %gs:8/%gs:16, the TSS, the MSRs set here), so user threads
 * run on every CPU.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <mach/kern/exception.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/processor.h>
#include <mach/kern/task.h>
#include <mach/vm/vm_fault.h>
#include <panic.h>

_Static_assert(offsetof(struct processor, p_kstack_top) == 8, "user_entry.S uses %gs:8");
_Static_assert(offsetof(struct processor, p_user_rsp) == 16, "user_entry.S uses %gs:16");
_Static_assert(sizeof(struct trapframe) == 22 * 8, "user_entry.S copies 22 words");

#define CR0_MP	    (1ul << 1)
#define CR0_EM	    (1ul << 2)
#define CR0_TS	    (1ul << 3)
#define CR4_OSXMMEX (1ul << 10)
#define CR4_SMEP    (1ul << 20)
#define CR4_SMAP    (1ul << 21)
#define FPU_SIZE    512

#define RFLAGS_TF 0x100
#define RFLAGS_DF 0x400
#define RFLAGS_IOPL 0x3000
#define RFLAGS_NT 0x4000
#define RFLAGS_AC 0x40000

extern const char syscall_entry[], usercopy_begin[], usercopy_end[];
extern uint8_t usercopy_smap;

static bool usr_has_smap;
static struct tss64 *usr_tss[MAX_CPUS];

void
usr_cpu_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		if (r[1] & (1u << 7))
			write_cr4(read_cr4() | CR4_SMEP);
		/* SMAP goes on per CPU when it first runs a user thread (usr_switch_in): the VM
		 * self-tests touch user pages directly from the kernel. */
		usr_has_smap = (r[1] & (1u << 20)) != 0;
	}
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEX);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* sysret: CS = STAR[63:48] + 16 (0x2b), SS = + 8 (0x23); syscall: CS 0x08, SS 0x10. */
	wrmsr(MSR_STAR, ((uint64_t)(GSEL_UCODE32) << 48) | ((uint64_t)GSEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC);
}

/* This CPU's TSS, found once through the GDT descriptor the task register selects. */
static struct tss64 *
usr_cpu_tss(void)
{
	unsigned cpu = current_cpu();
	struct __packed {
		uint16_t limit;
		uint64_t base;
	} gp;
	const uint64_t *gdt;

	if (usr_tss[cpu] != NULL)
		return usr_tss[cpu];
	__asm__ volatile("sgdt %0" : "=m"(gp));
	gdt = (const uint64_t *)gp.base;
	usr_tss[cpu] = (struct tss64 *)(((gdt[6] >> 16) & 0xffffff) | (((gdt[6] >> 56) & 0xff) << 24) |
					(gdt[7] << 32));
	return usr_tss[cpu];
}

void *
usr_fpu_alloc(void)
{
	uint8_t *fpu = kalloc_zero(FPU_SIZE);

	if (fpu == NULL)
		return NULL;
	assert(((uintptr_t)fpu & 15) == 0);
	*(uint16_t *)fpu = 0x37f;	  /* FCW: all x87 exceptions masked (FNINIT) */
	*(uint32_t *)(fpu + 24) = 0x1f80; /* MXCSR: all SSE exceptions masked */
	return fpu;
}

void
usr_thread_init(thread_t thread, void *fpu)
{
	thread->th_machine.mt_fpu = fpu;
	thread->th_machine.mt_fsbase = 0;
}

void
usr_thread_free(thread_t thread)
{
	bool s = intr_save();
	void *fpu = thread->th_machine.mt_fpu;

	/* Once NULL, a switch away no longer saves into it. */
	thread->th_machine.mt_fpu = NULL;
	intr_restore(s);
	if (fpu != NULL)
		kfree(fpu, FPU_SIZE);
}

void
usr_thread_copy_fpu(thread_t child)
{
	bool s = intr_save();

	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_SIZE])child->th_machine.mt_fpu));
	intr_restore(s);
}

void
usr_fpu_save(void *area)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_SIZE])area));
}

void
usr_fpu_load(void *area)
{
	uint32_t *mxcsr = (uint32_t *)((uint8_t *)area + 24);

	/* A reserved MXCSR bit makes fxrstor #GP in the kernel; the image came from the user. */
	*mxcsr &= 0xffff;
	*(uint32_t *)((uint8_t *)area + 28) = 0; /* MXCSR_MASK is ignored by fxrstor */
	__asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[FPU_SIZE])area));
}

int
usr_set_fsbase(uint64_t base)
{
	if (base >= USER_ADDR_MAX)
		return EPERM;
	current_thread()->th_machine.mt_fsbase = base;
	wrmsr(MSR_FS_BASE, base);
	return 0;
}

void
machine_thread_switch(thread_t old, thread_t new)
{
	struct processor *p = current_processor();
	pmap_t cur = pmap_current();

	if (old->th_machine.mt_fpu != NULL)
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_SIZE])old->th_machine.mt_fpu));
	if (new->th_machine.mt_fpu == NULL) {
		/* A kernel thread runs in the map it switched to (vm_map_switch); otherwise it
		 * keeps whatever pmap is loaded (the kernel half is in every pmap): a pmap being
		 * destroyed is first unloaded from every CPU that holds it (pmap_tlb_evict). */
		if (new->th_map != NULL && cur != new->th_map->vm_pmap)
			pmap_activate(new->th_map->vm_pmap);
		return;
	}
	p->p_kstack_top = new->th_kstack + KERNEL_STACK_SIZE;
	usr_cpu_tss()->rsp[0] = p->p_kstack_top;
	pmap_activate(new->th_task->t_map->vm_pmap);
	wrmsr(MSR_FS_BASE, new->th_machine.mt_fsbase);
	wrmsr(MSR_KGS_BASE, 0);
	if (usr_has_smap && !(read_cr4() & CR4_SMAP)) {
		write_cr4(read_cr4() | CR4_SMAP);
		/* Once, on whichever CPU runs the first user thread. */
		if (__atomic_exchange_n(&usercopy_smap, 1, __ATOMIC_SEQ_CST) == 0)
			printf("user: SMAP on (SMEP %s)\n", (read_cr4() & CR4_SMEP) ? "on" : "off");
	}
	__asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[FPU_SIZE])new->th_machine.mt_fpu));
}

bool
usercopy_fault_ip(uint64_t rip)
{
	return rip >= (uint64_t)usercopy_begin && rip < (uint64_t)usercopy_end;
}

static vm_prot_t
usr_fault_access(const struct trapframe *tf)
{
	return (tf->tf_err & 2) ? VM_PROT_WRITE : (tf->tf_err & 16) ? VM_PROT_EXECUTE : VM_PROT_READ;
}

static vm_map_t
usr_current_map(void)
{
	thread_t t = current_thread();

	if (t == NULL || t->th_machine.mt_fpu == NULL)
		return NULL;
	return t->th_task->t_map;
}

bool
usr_kernel_fault(struct trapframe *tf)
{
	uint64_t addr = read_cr2();
	vm_map_t map = usr_current_map();
	kern_return_t kr;

	if (map == NULL || addr >= USER_ADDR_MAX)
		return false;
	/* Protection faults on a present page from the kernel are SMAP/SMEP violations unless they
	 * are the copy routines writing to a copy-on-write page. vm_fault may sleep (pager and
	 * swap I/O): with interrupts on when the faulting code had them on. */
	if (tf->tf_rflags & RFLAGS_IF)
		intr_enable();
	kr = vm_fault(map, addr, usr_fault_access(tf));
	intr_disable();
	if (kr == KERN_SUCCESS)
		return true;
	if (!usercopy_fault_ip(tf->tf_rip))
		return false;
	tf->tf_rip = (uint64_t)usercopy_fault;
	return true;
}

/*
 * A user fault as a Mach exception: the thread's and then its task's exception port get it
 * first (exception_triage); when no handler answers KERN_SUCCESS, BSD turns it into a signal
 * (ux_exception). A handler that fixed the thread (thread_set_state) lets it resume.
 */
static void
usr_exception(int exception, uint64_t code, uint64_t subcode)
{
	mach_exception_data_type_t codes[2] = { (int64_t)code, (int64_t)subcode };

	intr_enable(); /* the handler's reply is waited for */
	if (exception_triage(current_thread(), exception, codes, 2) == KERN_SUCCESS)
		return;
	ux_exception(exception, code, subcode);
}

void
usr_trap(struct trapframe *tf)
{
	vm_map_t map = usr_current_map();
	uint64_t addr;
	kern_return_t kr;

	if (map == NULL)
		panic_trap(tf, "user-mode trap %llu in a thread with no user state",
			   (unsigned long long)tf->tf_trapno);
	switch (tf->tf_trapno) {
	case T_PAGEFLT:
		addr = read_cr2();
		intr_enable();
		kr = addr < USER_ADDR_MAX ? vm_fault(map, addr, usr_fault_access(tf))
					  : KERN_INVALID_ADDRESS;
		if (kr == KERN_SUCCESS)
			return;
		usr_exception(EXC_BAD_ACCESS, kr, addr);
		return;
	case 6: /* #UD */
		usr_exception(EXC_BAD_INSTRUCTION, tf->tf_trapno, tf->tf_rip);
		return;
	case T_DIVIDE:
	case 16: /* #MF */
	case 19: /* #XM */
		usr_exception(EXC_ARITHMETIC, tf->tf_trapno, tf->tf_rip);
		return;
	case 1:
	case T_BPT:
		usr_exception(EXC_BREAKPOINT, tf->tf_trapno, tf->tf_rip);
		return;
	default: /* #GP, #SS, #NP, #AC, … */
		usr_exception(EXC_BAD_ACCESS, KERN_PROTECTION_FAILURE, tf->tf_err);
		return;
	}
}

void
usr_return_prepare(struct trapframe *tf)
{
	for (;;) {
		intr_enable();
		bsd_ast(tf);
		ast_taken_intr(tf);
		thread_suspend_wait();
		intr_disable();
		if (!bsd_ast_pending())
			break;
	}
	/* sysret reloads rip from rcx and rflags from r11: usable only when they agree. */
	tf->tf_trapno = tf->tf_cs == GSEL_UCODE && tf->tf_ss == GSEL_UDATA &&
			tf->tf_rcx == tf->tf_rip && tf->tf_r11 == tf->tf_rflags &&
			tf->tf_rip < USER_ADDR_MAX;
}
