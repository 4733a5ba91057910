/*
 * mp.c — application-processor start-up: INIT-SIPI-SIPI (Intel SDM Vol. 3A §8.4.4, §10.6.1 for
 * the ICR), the low-memory trampoline (mp_trampoline.S), and each AP's own descriptor tables.
 *
 * The one idea: the AP needs an identity mapping only for the instant paging turns on, so it
 * gets a private copy of the kernel's top-level page table with the first 2 MiB added; once in
 * the kernel half it switches to the kernel's own tables and never looks at low memory again.
 * The trampoline page lies in the first MiB, which vm_page never hands out.
 * Once its tables are loaded an AP sets up its local APIC and tick, makes its boot context its
 * idle thread (processor_sched_init) and schedules. IPIs between CPUs go through
 * mp_ipi_send(); the reschedule IPI's handler only counts it, since the AST check at the end of
 * every interrupt does the rescheduling.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/pmap_tlb.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <iokit/acpi.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/processor.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>
#include <pv/hv.h>

#define MP_TRAMPOLINE_PA 0x8000
#define MP_STACK_SIZE	 16384
#define MP_IST_SIZE	 4096

#define LAPIC_ICR_LO	 0x300
#define LAPIC_ICR_HI	 0x310
#define MSR_X2APIC_ICR	 0x830
#define ICR_INIT	 0x00000500
#define ICR_STARTUP	 0x00000600
#define ICR_NMI		 0x00000400
#define ICR_LEVEL_ASSERT 0x00004000
#define ICR_PENDING	 0x00001000

extern const char mp_trampoline_start[], mp_trampoline_end[];
extern const char mp_tramp_cr3[], mp_tramp_efer[], mp_tramp_stack[], mp_tramp_entry[],
    mp_tramp_arg[];

struct mp_desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

/* What each AP owns; allocated by the boot CPU before the SIPI. */
struct mp_cpu {
	uint64_t mc_gdt[8] __aligned(16);
	struct tss64 mc_tss __aligned(16);
	uint32_t mc_apic_id;
	unsigned mc_cpu; /* index in processor_array */
	volatile bool mc_online;
	uint8_t mc_ist[3][MP_IST_SIZE] __aligned(16);
	uint8_t mc_stack[MP_STACK_SIZE] __aligned(16);
};

static volatile unsigned mp_online = 1;
static volatile unsigned mp_stopped;	/* CPUs halted by mp_stop_others() */
static void (*mp_ap_hook)(unsigned cpu);
static uint32_t mp_apic_ids[MAX_CPUS];	/* by processor index */
static unsigned mp_resched_vector;
/* XXX: under Xen (dom0 on TCG) the ktests' timing does not hold with the application
 * processors scheduling (xen-dom0 scenario); there they stay parked until that is understood. */
static bool mp_ap_park;
static uint64_t mp_kernel_cr3, mp_kernel_cr0, mp_kernel_cr4, mp_pat;
static struct mp_desc_ptr mp_idtr;

unsigned
mp_cpus_online(void)
{
	return __atomic_load_n(&mp_online, __ATOMIC_ACQUIRE);
}

/* The boot CPU's GDT layout (trap.c) with this CPU's TSS and IST stacks; the shared IDT. */
static void
mp_load_tables(struct mp_cpu *c)
{
	const uint64_t ist_top[3] = { (uint64_t)&c->mc_ist[0][MP_IST_SIZE],
				      (uint64_t)&c->mc_ist[1][MP_IST_SIZE],
				      (uint64_t)&c->mc_ist[2][MP_IST_SIZE] };

	gdt_load_cpu(c->mc_gdt, &c->mc_tss, ist_top);
	__asm__ volatile("lidt %0" : : "m"(mp_idtr) : "memory");
}

void mp_ap_entry(struct mp_cpu *c);
void
mp_ap_entry(struct mp_cpu *c)
{
	write_cr3(mp_kernel_cr3);
	/* The boot CPU's control state: WP, global pages and the rest of CR4, the memory types
	 * pmap_mapdev() relies on. */
	write_cr4(mp_kernel_cr4);
	write_cr0(mp_kernel_cr0);
	if (mp_pat != 0)
		wrmsr(MSR_PAT, mp_pat);
	mp_load_tables(c);
	usr_cpu_init();
	processor_cpu_init(c->mc_cpu);
	if (lapic_x2apic())
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1ULL << 11) | (1ULL << 10));
	/* This CPU's own APIC: accept every priority, only the boot CPU takes LINT0/LINT1
	 * (ExtINT and NMI wiring), errors masked (the boot CPU's handler logs its own). */
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, 0x100 | IDT_SPURIOUS);
	if (mp_ap_park) {
		__atomic_store_n(&c->mc_online, true, __ATOMIC_RELEASE);
		__atomic_fetch_add(&mp_online, 1, __ATOMIC_ACQ_REL);
		for (;;) {
			intr_disable();
			cpu_halt();
		}
	}
	if (mp_ap_hook != NULL)
		mp_ap_hook(c->mc_cpu);
	processor_sched_init((uintptr_t)c->mc_stack);
	timer_start_ap();
	__atomic_store_n(&c->mc_online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&mp_online, 1, __ATOMIC_ACQ_REL);
	processor_idle_run();
}

/* Interrupts off around it: the xAPIC ICR is two registers another sender must not split. */
static void
mp_send_ipi(uint32_t apic_id, uint32_t icr)
{
	bool s = intr_save();

	/* Stores before the IPI (a run queue, a shootdown request) must be visible to the
	 * target when it takes the interrupt; an x2APIC ICR write is not serialising. */
	__asm__ volatile("mfence; lfence" ::: "memory");
	if (lapic_x2apic()) {
		wrmsr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | icr);
		intr_restore(s);
		return;
	}
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		cpu_pause();
	intr_restore(s);
}

void
mp_ipi_send(unsigned cpu, unsigned vector)
{
	if (cpu >= MAX_CPUS || !processor_array[cpu].p_online)
		panic("mp_ipi_send: cpu %u is not online", cpu);
	mp_send_ipi(mp_apic_ids[cpu], ICR_LEVEL_ASSERT | vector);
}

static void
mp_resched_intr(struct trapframe *tf, void *arg)
{
	(void)tf;
	(void)arg;
	current_processor()->p_resched_ipis++;
}

static bool (*mp_kick)(uint32_t apic_id);

void
mp_set_kick(bool (*fn)(uint32_t apic_id))
{
	__atomic_store_n(&mp_kick, fn, __ATOMIC_RELEASE);
}

void
mp_resched_ipi(unsigned cpu)
{
	bool (*kick)(uint32_t) = __atomic_load_n(&mp_kick, __ATOMIC_ACQUIRE);
	struct processor *p = &processor_array[cpu];

	/* The caller's AST store comes first (sched_poke_locked), so a CPU that reads p_halted
	 * as false still sees the AST in its idle check, or gets the IPI after its sti. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (kick != NULL && cpu < MAX_CPUS && __atomic_load_n(&p->p_halted, __ATOMIC_RELAXED) &&
	    kick(mp_apic_ids[cpu])) {
		__atomic_fetch_add(&p->p_kicks, 1, __ATOMIC_RELAXED);
		return;
	}
	if (mp_resched_vector != 0)
		mp_ipi_send(cpu, mp_resched_vector);
}

void
mp_set_ap_hook(void (*fn)(unsigned cpu))
{
	mp_ap_hook = fn;
}

unsigned
mp_stop_others(uint64_t wait_ns)
{
	unsigned online = __atomic_load_n(&mp_online, __ATOMIC_ACQUIRE), n = 0;
	uint32_t self;
	uint64_t t0;

	if (online <= 1)
		return 0;
	self = lapic_id();
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		if (!processor_array[i].p_online || mp_apic_ids[i] == self)
			continue;
		mp_send_ipi(mp_apic_ids[i], ICR_NMI | ICR_LEVEL_ASSERT);
		n++;
	}
	t0 = clock_uptime_ns();
	while (__atomic_load_n(&mp_stopped, __ATOMIC_ACQUIRE) < n &&
	       clock_uptime_ns() - t0 < wait_ns)
		cpu_pause();
	return __atomic_load_n(&mp_stopped, __ATOMIC_ACQUIRE);
}

void
mp_stopped_here(void)
{
	__atomic_fetch_add(&mp_stopped, 1, __ATOMIC_ACQ_REL);
	for (;;) {
		intr_disable();
		cpu_halt();
	}
}

/* A page table for the trampoline: the kernel's PML4 plus the first 2 MiB identity-mapped. */
static paddr_t
mp_trampoline_pml4(void)
{
	vm_page_t p[3];

	for (int i = 0; i < 3; i++) {
		p[i] = vm_page_grab_below(PHYSMAP_EARLY_LIMIT);
		if (p[i] == NULL) {
			while (--i >= 0)
				vm_page_release(p[i]);
			return 0;
		}
		memset(phystokv(VM_PAGE_TO_PHYS(p[i])), 0, PAGE_SIZE);
	}
	uint64_t *pml4 = phystokv(VM_PAGE_TO_PHYS(p[0]));
	uint64_t *pdpt = phystokv(VM_PAGE_TO_PHYS(p[1]));
	uint64_t *pd = phystokv(VM_PAGE_TO_PHYS(p[2]));

	memcpy(pml4, phystokv(mp_kernel_cr3 & PTE_ADDR_MASK), PAGE_SIZE);
	pml4[0] = VM_PAGE_TO_PHYS(p[1]) | PTE_P | PTE_W;
	pdpt[0] = VM_PAGE_TO_PHYS(p[2]) | PTE_P | PTE_W;
	pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	return VM_PAGE_TO_PHYS(p[0]);
}

static void
mp_put(const char *field, uint64_t v)
{
	uint8_t *page = phystokv(MP_TRAMPOLINE_PA);

	memcpy(page + (field - mp_trampoline_start), &v, sizeof(v));
}

static bool
mp_start_one(uint32_t apic_id, unsigned cpu, paddr_t cr3)
{
	struct mp_cpu *c = kalloc(sizeof(*c));
	uint64_t deadline;

	if (c == NULL) {
		klog(LOG_ERR, "mp: no memory for cpu %u\n", apic_id);
		return false;
	}
	memset(c, 0, sizeof(*c));
	c->mc_apic_id = apic_id;
	c->mc_cpu = cpu;
	mp_apic_ids[cpu] = apic_id;
	mp_put(mp_tramp_cr3, cr3);
	mp_put(mp_tramp_efer, rdmsr(MSR_EFER));
	mp_put(mp_tramp_stack, (uint64_t)&c->mc_stack[MP_STACK_SIZE]);
	mp_put(mp_tramp_entry, (uint64_t)mp_ap_entry);
	mp_put(mp_tramp_arg, (uint64_t)c);
	__asm__ volatile("mfence" ::: "memory");

	mp_send_ipi(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	delay_us(10000);
	for (int i = 0; i < 2 && !c->mc_online; i++) {
		mp_send_ipi(apic_id, ICR_STARTUP | (MP_TRAMPOLINE_PA >> 12));
		delay_us(200);
	}
	deadline = clock_uptime_ns() + 100000000ULL;
	while (!__atomic_load_n(&c->mc_online, __ATOMIC_ACQUIRE) && clock_uptime_ns() < deadline)
		cpu_pause();
	if (!c->mc_online) {
		/* XXX: c stays allocated, and the next CPU reuses its processor index: a CPU
		 * that starts this late would share both. */
		klog(LOG_WARNING, "mp: cpu with APIC id %u did not start\n", apic_id);
		return false;
	}
	return true;
}

void
mp_start(void)
{
	size_t len = (size_t)(mp_trampoline_end - mp_trampoline_start);
	uint32_t self = lapic_id();
	unsigned tried = 0;
	paddr_t cr3;

	if (!acpi_info.ai_has_madt || acpi_info.ai_ncpus <= 1)
		return;
	mp_apic_ids[0] = self;
	mp_ap_park = hv_info.hv_kind == HV_XEN;
	/* intr_alloc_vector() only finds a free vector: install each before taking the next. */
	mp_resched_vector = intr_alloc_vector(0xf0, 0xfe);
	if (mp_resched_vector != 0)
		intr_set_handler(mp_resched_vector, mp_resched_intr, NULL);
	if (mp_resched_vector == 0 || pmap_tlb_init() != 0) {
		klog(LOG_ERR, "mp: no vectors for IPIs; application processors not started\n");
		return;
	}
	mp_kernel_cr3 = read_cr3() & PTE_ADDR_MASK; /* PCID 0: CR4.PCIDE needs CR3[11:0] clear */
	mp_kernel_cr0 = read_cr0();
	mp_kernel_cr4 = read_cr4();
	mp_pat = cpu_has(1, CPUID_EDX, 16) ? rdmsr(MSR_PAT) : 0;
	__asm__ volatile("sidt %0" : "=m"(mp_idtr));
	cr3 = mp_trampoline_pml4();
	if (cr3 == 0) {
		klog(LOG_ERR, "mp: no memory for the trampoline page tables\n");
		return;
	}
	memcpy(phystokv(MP_TRAMPOLINE_PA), mp_trampoline_start, len);
	for (uint32_t i = 0; i < acpi_info.ai_ncpus && i < ACPI_MAX_CPUS; i++) {
		const struct acpi_cpu *ac = &acpi_info.ai_cpus[i];

		if (ac->ac_apic_id == self || !(ac->ac_flags & ACPI_CPU_ENABLED))
			continue;
		if (mp_cpus_online() == MAX_CPUS) {
			klog(LOG_WARNING, "mp: more than %u cpus; APIC id %u not started\n",
			     MAX_CPUS, ac->ac_apic_id);
			continue;
		}
		tried++;
		(void)mp_start_one(ac->ac_apic_id, mp_cpus_online(), cr3);
	}
	printf("mp: %u of %u cpus online, reschedule IPI vector %#x, TLB shootdown %#x%s\n",
	       mp_cpus_online(), tried + 1, mp_resched_vector, pmap_tlb_vector(),
	       mp_ap_park ? " (application processors parked under Xen)" : "");
}
