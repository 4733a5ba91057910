/*
 * clocksource_tsc.c — the time-stamp counter as a clocksource, over the frequency that
 * kernel/arch/x86_64/tsc.c holds (CPUID 0x15/0x16, the hypervisor timing leaf, or calibration).
 *
 * Follows Intel SDM Vol. 3B §18.17: only an invariant TSC (CPUID 0x80000007 EDX[8]) keeps a
 * constant rate, so only it gets the rating that beats nothing else.
 *
 * The one idea: reading costs one RDTSC and a multiply (tsc_to_ns); it causes no VM exit.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <pv/clocksource.h>

static uint64_t
tsc_cs_read(void)
{
	return tsc_to_ns(rdtsc());
}

static struct clocksource tsc_clocksource = {
	.cs_name = "tsc",
	.cs_read_ns = tsc_cs_read,
	.cs_tsc_hz = tsc_freq_hz,
};

int
clocksource_tsc_register(void)
{
	uint64_t hz = tsc_freq_hz();

	if (hz == 0) {
		klog(LOG_WARNING, "clocksource: the TSC is not calibrated; not offered\n");
		return -1;
	}
	tsc_clocksource.cs_rating = tsc_invariant() ? CS_RATING_TSC_INV : CS_RATING_TSC;
	tsc_clocksource.cs_resolution_ns = MAX((uint64_t)1, (1000000000ull + hz - 1) / hz);
	return clocksource_register(&tsc_clocksource);
}
