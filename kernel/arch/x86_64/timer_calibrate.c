/*
 * timer_calibrate.c — measuring the TSC and local-APIC timer frequencies once at boot.
 *
 * Follows Intel SDM Vol. 3A §11.5.4 (APIC timer: divide configuration, initial and current
 * count) and the references in hpet.c and pit.c. The HPET is preferred: its period is stated
 * by the hardware to the femtosecond, while the PIT's 1.193182 MHz is a convention that a
 * hypervisor emulates by host time. A CPUID-stated TSC frequency (leaf 0x15) beats both.
 *
 * The one idea: both counters are read at the two edges of one reference window, so both
 * frequencies come from the same interval; the window is measured twice and the second is
 * kept, because the first pays for cold caches (and, under TCG, for code translation). This is
 * the only place the kernel polls a timer device; afterwards time comes from the TSC alone.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <iokit/acpi_platform.h>

#define WINDOW_NS	 10000000ull /* 10 ms */
#define PIT_WINDOW	 11932	     /* 10 ms at PIT_HZ */
#define POLL_LIMIT	 50000000ull /* reads before a reference is declared dead */

struct window {
	uint64_t w_ns;
	uint64_t w_tsc;
	uint32_t w_lapic;
};

static uint64_t lapic_hz;
static uint64_t known_tsc_hz, known_lapic_bus_hz; /* from the hypervisor (pv/), 0 if unknown */

void
timer_set_known_freq(uint64_t tsc_hz, uint64_t lapic_bus_hz)
{
	known_tsc_hz = tsc_hz;
	known_lapic_bus_hz = lapic_bus_hz;
}

uint64_t
lapic_timer_freq_hz(void)
{
	return lapic_hz;
}

/* A one-shot, masked APIC timer counting down from the top: read its count at both edges. */
static void
lapic_count_start(void)
{
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
}

static bool
window_hpet(struct window *w)
{
	uint64_t period = hpet_period_fs(), target = WINDOW_NS * 1000000 / period;
	uint64_t h0, h1, t0, n = 0;
	uint32_t l0;

	lapic_count_start();
	h0 = hpet_counter();
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CCR);
	do {
		h1 = hpet_counter();
	} while (hpet_delta(h0, h1) < target && ++n < POLL_LIMIT);
	w->w_tsc = rdtsc() - t0;
	w->w_lapic = l0 - lapic_read(LAPIC_TIMER_CCR);
	w->w_ns = hpet_delta(h0, h1) * period / 1000000;
	return n < POLL_LIMIT;
}

static bool
window_pit(struct window *w)
{
	uint64_t t0, n = 0;
	uint32_t l0;

	lapic_count_start();
	pit_oneshot_start(PIT_WINDOW);
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CCR);
	while (!pit_oneshot_done() && ++n < POLL_LIMIT)
		;
	w->w_tsc = rdtsc() - t0;
	w->w_lapic = l0 - lapic_read(LAPIC_TIMER_CCR);
	w->w_ns = (uint64_t)PIT_WINDOW * 1000000000ull / PIT_HZ;
	/* Done before the first poll: OUT2 did not start low, so port 0x61 is not wired. */
	return n > 0 && n < POLL_LIMIT;
}

/* Channel 0 read back through the latch: no port 0x61 needed. */
static bool
window_pit_ch0(struct window *w)
{
	uint64_t t0, n = 0, elapsed = 0;
	uint32_t l0;
	uint16_t prev, now;

	pit_ch0_start();
	lapic_count_start();
	prev = pit_ch0_read();
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CCR);
	while (elapsed < PIT_WINDOW && ++n < POLL_LIMIT) {
		now = pit_ch0_read();
		elapsed += (uint16_t)(prev - now); /* counts down, wraps at 65536 */
		prev = now;
	}
	w->w_tsc = rdtsc() - t0;
	w->w_lapic = l0 - lapic_read(LAPIC_TIMER_CCR);
	w->w_ns = elapsed * 1000000000ull / PIT_HZ;
	return n < POLL_LIMIT;
}

static void
print_mhz(const char *what, uint64_t hz)
{
	printf("%s %llu.%03llu MHz", what, (unsigned long long)(hz / 1000000),
	       (unsigned long long)(hz / 1000 % 1000));
}

int
timer_calibrate(void)
{
	bool (*measure)(struct window *) = window_pit;
	const char *ref = "PIT";
	struct window w;
	uint64_t tsc_hz, cpuid_hz;
	bool ok;

	/* Both frequencies stated by the hypervisor: nothing to measure. */
	if (known_tsc_hz != 0 && known_lapic_bus_hz != 0) {
		lapic_hz = known_lapic_bus_hz / LAPIC_TIMER_DIVISOR;
		print_mhz("timer: hypervisor states TSC", known_tsc_hz);
		print_mhz(", LAPIC bus", known_lapic_bus_hz);
		printf("; no calibration\n");
		tsc_set_freq(known_tsc_hz);
		return 0;
	}
	if (acpi_info.ai_has_hpet && hpet_init(acpi_info.ai_hpet_base) == 0) {
		measure = window_hpet;
		ref = "HPET";
	}
	ok = measure(&w) && measure(&w);
	if (!ok && measure == window_hpet) {
		klog(LOG_WARNING, "timer: the HPET counter does not advance; trying the PIT\n");
		measure = window_pit;
		ref = "PIT";
		ok = measure(&w) && measure(&w);
	}
	if (!ok && measure == window_pit) {
		klog(LOG_NOTICE, "timer: PIT channel 2 has no gate at port 0x61; using channel 0\n");
		measure = window_pit_ch0;
		ref = "PIT channel 0";
		ok = measure(&w) && measure(&w);
	}
	lapic_write(LAPIC_TIMER_ICR, 0);
	if (!ok || w.w_ns == 0 || w.w_tsc == 0 || w.w_lapic == 0) {
		klog(LOG_ERR, "timer: calibration against the %s failed\n", ref);
		return -1;
	}
	tsc_hz = w.w_tsc * 1000000000ull / w.w_ns;
	lapic_hz = (uint64_t)w.w_lapic * 1000000000ull / w.w_ns;

	printf("timer: calibrated against the %s over %llu.%03llu ms: ", ref,
	       (unsigned long long)(w.w_ns / 1000000), (unsigned long long)(w.w_ns / 1000 % 1000));
	print_mhz("TSC", tsc_hz);
	print_mhz(", LAPIC timer", lapic_hz);
	printf(" (/%u)\n", LAPIC_TIMER_DIVISOR);

	cpuid_hz = known_tsc_hz != 0 ? known_tsc_hz : tsc_cpuid_freq();
	if (cpuid_hz != 0) {
		print_mhz(known_tsc_hz != 0 ? "tsc: the hypervisor states"
					    : "tsc: CPUID 0x15/0x16 states", cpuid_hz);
		printf("; using it\n");
		tsc_hz = cpuid_hz;
	}
	printf("tsc: %s\n", tsc_invariant() ? "invariant (constant rate in all power states)"
					    : "not invariant (CPUID 0x80000007 EDX[8] clear)");
	tsc_set_freq(tsc_hz);
	return 0;
}
