/*
 * lapic.h — the local APIC (xAPIC through MMIO, x2APIC through MSRs) and the legacy 8259 PICs.
 */
#ifndef _ARCH_X86_64_LAPIC_H_
#define _ARCH_X86_64_LAPIC_H_

#include <libkern/libkern.h>

/* Register offsets in the xAPIC page (Intel SDM Vol. 3A, Table 11-1); x2APIC MSR = 0x800 +
 * offset / 16. */
#define LAPIC_ID	 0x020
#define LAPIC_VERSION	 0x030
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_ESR	 0x280
#define LAPIC_LVT_CMCI	 0x2f0
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_THERM	 0x330
#define LAPIC_LVT_PERF	 0x340
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_ICR	 0x380
#define LAPIC_TIMER_CCR	 0x390
#define LAPIC_TIMER_DCR	 0x3e0

#define LAPIC_LVT_MASKED	 (1u << 16)
#define LAPIC_LVT_PERIODIC	 (1u << 17)
#define LAPIC_LVT_TSC_DEADLINE	 (2u << 17)
#define LAPIC_LVT_NMI		 (4u << 8)
#define LAPIC_LVT_ACTIVE_LOW	 (1u << 13)
#define LAPIC_TIMER_DIV16	 0x3
#define LAPIC_TIMER_DIVISOR	 16

/*
 * lapic_init: enable the boot CPU's local APIC — x2APIC mode when CPUID.1:ECX[21] offers it,
 * else xAPIC through pmap_mapdev() — with spurious vector 0xff, LINT0 masked, LINT1/NMI as the
 * MADT says, an error handler, and intr_eoi pointed at the matching EOI routine.
 *   Returns: 0, or -1 when the CPU has no usable local APIC (logged).
 */
int lapic_init(void);
/* The current CPU's APIC id (x2APIC: 32 bits). Usable before lapic_init() (from CPUID). */
uint32_t lapic_id(void);
/* True once lapic_init() put the APIC in x2APIC mode. */
bool lapic_x2apic(void);
uint32_t lapic_read(unsigned reg);
void lapic_write(unsigned reg, uint32_t v);

/* Remap the two 8259s to vectors 0x20-0x2f and mask every line: the IOAPIC takes over. */
void pic_disable(void);

#endif /* _ARCH_X86_64_LAPIC_H_ */
