/*
 * hpet.c — the HPET's main counter, read as a reference clock for calibration and checks.
 *
 * Follows the IA-PC HPET specification 1.0a §2.3 (general capabilities and ID register: counter
 * period in femtoseconds in bits 63:32, 64-bit counter capability in bit 13; general
 * configuration: ENABLE_CNF bit 0; main counter value at offset 0xF0).
 *
 * The kernel uses no HPET comparators: ticks come from the local APIC. Each counter read is an
 * MMIO exit under a hypervisor, so the HPET is only read while calibrating and in tests.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>

#define HPET_GCAP	  0x000
#define HPET_GCONF	  0x010
#define HPET_COUNTER	  0x0f0
#define HPET_MMIO_SIZE	  0x400
#define GCAP_COUNT_64	  (1ull << 13)
#define GCONF_ENABLE	  (1ull << 0)
#define HPET_MAX_PERIOD_FS 100000000ull /* 100 ns (§2.3.4) */

static volatile uint8_t *hpet_mmio;
static uint64_t hpet_period;
static bool hpet_64bit;

static uint64_t
hpet_rd(unsigned off)
{
	return *(volatile uint64_t *)(hpet_mmio + off);
}

static void
hpet_wr(unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(hpet_mmio + off) = v;
}

int
hpet_init(uint64_t base)
{
	uint64_t cap;

	hpet_mmio = pmap_mapdev(base, HPET_MMIO_SIZE);
	if (hpet_mmio == NULL) {
		klog(LOG_WARNING, "hpet: cannot map %#llx\n", (unsigned long long)base);
		return -1;
	}
	cap = hpet_rd(HPET_GCAP);
	hpet_period = cap >> 32;
	if (cap == ~0ull || hpet_period == 0 || hpet_period > HPET_MAX_PERIOD_FS) {
		klog(LOG_WARNING, "hpet: at %#llx reports period %llu fs; not used\n",
		     (unsigned long long)base, (unsigned long long)hpet_period);
		hpet_mmio = NULL;
		hpet_period = 0;
		return -1;
	}
	hpet_64bit = (cap & GCAP_COUNT_64) != 0;
	if ((hpet_rd(HPET_GCONF) & GCONF_ENABLE) == 0)
		hpet_wr(HPET_GCONF, hpet_rd(HPET_GCONF) | GCONF_ENABLE);
	return 0;
}

bool
hpet_present(void)
{
	return hpet_mmio != NULL;
}

uint64_t
hpet_counter(void)
{
	uint64_t v = hpet_rd(HPET_COUNTER);

	return hpet_64bit ? v : (uint32_t)v;
}

uint64_t
hpet_period_fs(void)
{
	return hpet_period;
}

uint64_t
hpet_delta(uint64_t c0, uint64_t c1)
{
	return hpet_64bit ? c1 - c0 : (uint32_t)(c1 - c0);
}
