/*
 * tsc.c — the time-stamp counter as the kernel's clock: frequency, conversion to nanoseconds,
 * uptime, short delays.
 *
 * Follows Intel SDM Vol. 3B §18.17 (TSC; invariant TSC: CPUID 0x80000007 EDX[8]) and Vol. 2A
 * CPUID leaves 0x15 (TSC/crystal ratio, crystal frequency) and 0x16 (base frequency).
 *
 * The one idea: conversion is one multiply and shift — ns = delta * mult >> 32, with mult fixed
 * once from the calibrated frequency — so reading the clock costs an RDTSC and no division,
 * and causes no VM exit.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>

extern uint64_t boot_tsc_entry;

static uint64_t tsc_hz;
static uint64_t tsc_mult; /* ns per TSC tick, as a 32.32 fixed-point number */

void
tsc_set_freq(uint64_t hz)
{
	tsc_mult = ((uint64_t)1000000000 << 32) / hz;
	__atomic_store_n(&tsc_hz, hz, __ATOMIC_RELEASE);
}

uint64_t
tsc_cpuid_freq(void)
{
	uint32_t r[4], max;

	cpuid(0, 0, r);
	max = r[0];
	if (max < 0x15)
		return 0;
	cpuid(0x15, 0, r);
	if (r[0] == 0 || r[1] == 0)
		return 0;
	if (r[2] != 0)
		return (uint64_t)r[2] * r[1] / r[0];
	/* No crystal frequency: derive it from the base frequency, as leaf 0x16 allows. */
	if (max >= 0x16) {
		uint32_t f[4];

		cpuid(0x16, 0, f);
		if (f[0] != 0)
			return (uint64_t)f[0] * 1000000;
	}
	return 0;
}

bool
tsc_invariant(void)
{
	return cpu_has(0x80000007, CPUID_EDX, 8);
}

uint64_t
tsc_freq_hz(void)
{
	return __atomic_load_n(&tsc_hz, __ATOMIC_ACQUIRE);
}

unsigned
tsc_freq_khz(void)
{
	return (unsigned)(tsc_freq_hz() / 1000);
}

uint64_t
tsc_to_ns(uint64_t delta)
{
	if (tsc_freq_hz() == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)delta * tsc_mult) >> 32);
}

static uint64_t (*clock_source)(void);

void
clock_set_source(uint64_t (*read_uptime_ns)(void))
{
	__atomic_store_n(&clock_source, read_uptime_ns, __ATOMIC_RELEASE);
}

uint64_t
clock_uptime_ns(void)
{
	uint64_t (*fn)(void) = __atomic_load_n(&clock_source, __ATOMIC_ACQUIRE);

	if (fn != NULL)
		return fn();
	return tsc_to_ns(rdtsc() - boot_tsc_entry);
}

void
delay_us(uint64_t us)
{
	uint64_t hz = tsc_freq_hz();

	if (hz == 0) {
		/* Before calibration: a read of port 0x80 takes about a microsecond on PCs. */
		for (uint64_t i = 0; i < us; i++)
			(void)inb(0x80);
		return;
	}
	/* On the clock everyone else reads (the selected clocksource), so a delay agrees with
	 * clock_uptime_ns() even where the raw TSC runs at another rate (Xen's emulated TSC). */
	uint64_t end = clock_uptime_ns() + us * 1000;
	while (clock_uptime_ns() < end)
		cpu_pause();
}
