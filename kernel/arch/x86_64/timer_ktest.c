/*
 * timer_ktest.c — self-tests of the clock and the tick on the machine we booted on.
 *
 * Waiting is done by polling the TSC (no VM exits), not by halting, so a tick that never comes
 * fails the test instead of hanging it.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>

static void
wait_ns(uint64_t ns)
{
	uint64_t end = clock_uptime_ns() + ns;

	while (clock_uptime_ns() < end)
		cpu_pause();
}

KTEST(timer_tick_rate)
{
	uint64_t k0, k1;

	KT_ASSERT(tsc_freq_hz() != 0);
	KT_ASSERT(strcmp(timer_mode(), "off") != 0);
	KT_ASSERT(read_rflags() & RFLAGS_IF);
	k0 = timer_ticks();
	wait_ns(100000000); /* 100 ms: HZ / 10 ticks */
	k1 = timer_ticks();
	printf("# %llu ticks in 100 ms (%s)\n", (unsigned long long)(k1 - k0), timer_mode());
	/*
	 * The tick must run and must not run fast. It may run slow: under TCG on a loaded host
	 * the virtual CPU is descheduled while the TSC goes on, and QEMU drops the periods it
	 * missed (3 ticks in 100 ms was seen), so no lower bound beyond "it ticks" holds.
	 */
	KT_ASSERT(k1 - k0 >= 1);
	KT_ASSERT(k1 - k0 <= HZ / 10 * 3 / 2 + 1);
}

KTEST(timer_uptime_monotonic)
{
	uint64_t prev = clock_uptime_ns(), first = prev;

	KT_ASSERT(prev != 0);
	for (int i = 0; i < 100000; i++) {
		uint64_t now = clock_uptime_ns();

		KT_ASSERT(now >= prev);
		prev = now;
	}
	KT_ASSERT(prev > first);
}

/* The TSC-based clock and the HPET agree within 3% over 50 ms. */
KTEST(timer_uptime_vs_hpet)
{
	uint64_t h0, h1, u0, u1, hns, uns;
	bool s;

	if (!hpet_present())
		KT_SKIP("no HPET");
	/* Each pair is read with interrupts off: a preemption between the two reads (other
	 * threads run on every CPU now) would count its time on one clock only. */
	s = intr_save();
	h0 = hpet_counter();
	u0 = clock_uptime_ns();
	intr_restore(s);
	wait_ns(50000000);
	s = intr_save();
	h1 = hpet_counter();
	u1 = clock_uptime_ns();
	intr_restore(s);
	hns = hpet_delta(h0, h1) * hpet_period_fs() / 1000000;
	uns = u1 - u0;
	printf("# 50 ms: TSC clock %llu ns, HPET %llu ns\n", (unsigned long long)uns,
	       (unsigned long long)hns);
	KT_ASSERT(hns > 0);
	KT_ASSERT(uns * 100 >= hns * 97 && uns * 100 <= hns * 103);
}

KTEST(timer_delay_us)
{
	uint64_t t0 = clock_uptime_ns();

	delay_us(2000);
	KT_ASSERT(clock_uptime_ns() - t0 >= 2000000);
}
