/*
 * lapic.c — the boot CPU's local APIC: mode selection, the local vector table, EOI.
 *
 * Follows Intel SDM Vol. 3A chapter 11: §11.4.3 (enabling through IA32_APIC_BASE), §11.5.1 (the
 * LVT), §11.9 (spurious vector), §11.12 (x2APIC: registers become MSRs 0x800 + offset/16, EOI is
 * a WRMSR of 0, the ID register holds all 32 bits). ACPI 6.5 §5.2.12.7 (Local APIC NMI) says
 * which LINT pin carries NMI.
 *
 * The one idea: x2APIC is preferred whenever the CPU has it, because every register access is
 * then one MSR write — under a hypervisor a cheap, accelerated exit instead of an MMIO decode —
 * and intr_eoi is switched to the routine for the mode in use.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <iokit/acpi_platform.h>

#define APIC_BASE_BSP	 (1ull << 8)
#define APIC_BASE_EXTD	 (1ull << 10)
#define APIC_BASE_EN	 (1ull << 11)
#define APIC_BASE_ADDR	 0x000ffffffffff000ull
#define X2APIC_MSR_BASE	 0x800
#define SVR_ENABLE	 (1u << 8)
#define LAPIC_MMIO_SIZE	 0x1000

static volatile uint32_t *lapic_mmio;
static bool x2apic_mode;
static unsigned lapic_error_vector;

bool
lapic_x2apic(void)
{
	return x2apic_mode;
}

uint32_t
lapic_read(unsigned reg)
{
	if (x2apic_mode)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

void
lapic_write(unsigned reg, uint32_t v)
{
	if (x2apic_mode)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

uint32_t
lapic_id(void)
{
	uint32_t r[4];

	if (x2apic_mode)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (LAPIC_ID >> 4));
	if (lapic_mmio != NULL)
		return lapic_mmio[LAPIC_ID / 4] >> 24;
	cpuid(1, 0, r);
	return r[1] >> 24;
}

static void
lapic_eoi_xapic(void)
{
	lapic_mmio[LAPIC_EOI / 4] = 0;
}

static void
lapic_eoi_x2apic(void)
{
	wrmsr(X2APIC_MSR_BASE + (LAPIC_EOI >> 4), 0);
}

static void
lapic_error_intr(struct trapframe *tf, void *arg)
{
	(void)tf;
	(void)arg;
	lapic_write(LAPIC_ESR, 0); /* latch the errors into ESR, then read them */
	klog(LOG_WARNING, "lapic: APIC error, ESR %#x\n", lapic_read(LAPIC_ESR));
}

/* The ACPI processor UID of this CPU, to match Local APIC NMI entries; ~0 when unlisted. */
static uint32_t
lapic_acpi_uid(uint32_t id)
{
	for (uint32_t i = 0; i < acpi_info.ai_ncpus; i++)
		if (acpi_info.ai_cpus[i].ac_apic_id == id)
			return acpi_info.ai_cpus[i].ac_uid;
	return 0xfffffffeu;
}

/* LINT0 masked (the 8259s are off); LINT1 or LINT0 as NMI where the MADT says, else the
 * MP-spec default of NMI on LINT1. */
static void
lapic_setup_lint(void)
{
	uint32_t lint[2] = { LAPIC_LVT_MASKED, LAPIC_LVT_NMI };
	uint32_t uid = lapic_acpi_uid(lapic_id());
	bool listed = false;

	for (uint32_t i = 0; i < acpi_info.ai_nnmis; i++) {
		const struct acpi_lapic_nmi *n = &acpi_info.ai_nmis[i];

		if (n->an_uid != ACPI_NMI_ALL_CPUS && n->an_uid != uid)
			continue;
		if (!listed)
			lint[0] = lint[1] = LAPIC_LVT_MASKED;
		listed = true;
		/* NMI delivery is always edge triggered (SDM §11.5.1); only polarity applies. */
		lint[n->an_lint] = LAPIC_LVT_NMI;
		if ((n->an_flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW)
			lint[n->an_lint] |= LAPIC_LVT_ACTIVE_LOW;
	}
	lapic_write(LAPIC_LVT_LINT0, lint[0]);
	lapic_write(LAPIC_LVT_LINT1, lint[1]);
}

int
lapic_init(void)
{
	uint64_t base;
	uint32_t r[4], maxlvt;

	cpuid(1, 0, r);
	if ((r[CPUID_EDX] & (1u << 9)) == 0) {
		klog(LOG_ERR, "lapic: CPU has no local APIC\n");
		return -1;
	}
	base = rdmsr(MSR_APIC_BASE);
	if (r[CPUID_ECX] & (1u << 21)) {
		/* xAPIC → x2APIC may be done directly from the enabled state (SDM §11.12.5). */
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		x2apic_mode = true;
	} else {
		paddr_t pa = base & APIC_BASE_ADDR;

		if (acpi_info.ai_has_madt && acpi_info.ai_lapic_addr != pa)
			klog(LOG_WARNING, "lapic: MADT says %#llx, IA32_APIC_BASE %#llx; using the "
			     "MSR\n", (unsigned long long)acpi_info.ai_lapic_addr,
			     (unsigned long long)pa);
		lapic_mmio = pmap_mapdev(pa, LAPIC_MMIO_SIZE);
		if (lapic_mmio == NULL) {
			klog(LOG_ERR, "lapic: cannot map the xAPIC page at %#llx\n",
			     (unsigned long long)pa);
			return -1;
		}
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	}
	intr_eoi = x2apic_mode ? lapic_eoi_x2apic : lapic_eoi_xapic;

	maxlvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | IDT_SPURIOUS);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	if (maxlvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LAPIC_LVT_MASKED);
	if (maxlvt >= 5)
		lapic_write(LAPIC_LVT_THERM, LAPIC_LVT_MASKED);
	if (maxlvt >= 6)
		lapic_write(LAPIC_LVT_CMCI, LAPIC_LVT_MASKED);
	lapic_setup_lint();

	lapic_error_vector = intr_alloc_vector(0xf0, 0xfe);
	if (lapic_error_vector != 0) {
		intr_set_handler(lapic_error_vector, lapic_error_intr, NULL);
		lapic_write(LAPIC_LVT_ERROR, lapic_error_vector);
	}
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_EOI, 0); /* acknowledge anything left in service by the firmware */

	printf("lapic: %s mode, id %u, version %#x, %u LVT entries%s\n",
	       x2apic_mode ? "x2APIC" : "xAPIC", lapic_id(), lapic_read(LAPIC_VERSION) & 0xff,
	       maxlvt + 1, (base & APIC_BASE_BSP) ? ", boot CPU" : "");
	return 0;
}
