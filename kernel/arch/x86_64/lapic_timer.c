/*
 * lapic_timer.c — the tick and the call-out interrupt: the local APIC timer.
 *
 * Follows Intel SDM Vol. 3A §11.5.4 (one-shot mode: the count runs down once; periodic mode: it
 * reloads itself) and §11.5.4.1 (TSC-deadline mode: the timer fires when the TSC reaches
 * IA32_TSC_DEADLINE).
 *
 * The one idea: every CPU keeps its next tick as an absolute TSC value and re-arms from the
 * previous one, not from "now", so interrupt latency never accumulates into drift (a tick that
 * comes too late skips ahead and counts the periods it missed); and what is armed is the
 * earlier of that tick and the CPU's first timer call-out (timer_program), so timed waits are
 * not rounded up to the 10 ms tick. TSC-deadline mode arms with one WRMSR, the only exit a tick
 * costs; without it (TCG) one-shot mode arms the count for the same instant. Periodic mode
 * (timer=periodic, or no TSC frequency) and external ticks (Xen) keep the tick's granularity.
 * Every CPU runs its own timer with the boot CPU's calibration (timer_start_ap); only the boot
 * CPU's ticks count in timer_ticks().
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <cmdline.h>
#include <console.h>
#include <mach/kern/processor.h>
#include <mach/kern/timer_call.h>

enum timer_mode { TIMER_OFF, TIMER_PERIODIC, TIMER_ONESHOT, TIMER_DEADLINE, TIMER_EXTERNAL };

static enum timer_mode mode;
static unsigned timer_vector;
static uint64_t ticks, ticks_missed; /* boot CPU: ticks taken, periods skipped */
static uint64_t deadline[MAX_CPUS], tsc_period; /* each CPU's next tick, as a TSC deadline */
static uint64_t armed[MAX_CPUS]; /* the TSC instant each CPU's timer is armed for; 0: none */
static uint64_t periodic_count;
static void (*tick_hook)(struct trapframe *tf);
static const char *external_name; /* TIMER_EXTERNAL: who drives the tick */

uint64_t
timer_ticks(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint64_t
timer_ticks_missed(void)
{
	return __atomic_load_n(&ticks_missed, __ATOMIC_RELAXED);
}

const char *
timer_mode(void)
{
	if (mode == TIMER_DEADLINE)
		return "tsc-deadline";
	if (mode == TIMER_ONESHOT)
		return "one-shot";
	if (mode == TIMER_EXTERNAL)
		return external_name;
	return mode == TIMER_PERIODIC ? "periodic" : "off";
}

void
timer_set_tick_hook(void (*fn)(struct trapframe *tf))
{
	__atomic_store_n(&tick_hook, fn, __ATOMIC_RELEASE);
}

uint64_t
timer_advance_deadline(uint64_t *deadline, uint64_t period, uint64_t now)
{
	uint64_t n = 1;

	*deadline += period;
	if ((int64_t)(now - *deadline) >= 0) {
		uint64_t missed = (now - *deadline) / period + 1;

		n += missed;
		*deadline += missed * period;
	}
	return n;
}

/* TSC ticks per ns as a 40.24 fixed-point factor (set by timer_start), so that the conversion
 * is one 64x64->128 multiply: no division, no overflow for any ns. */
static uint64_t tsc_per_ns_fp24;
/* LAPIC timer counts per TSC tick, 32.32 fixed point (one-shot mode). */
static uint64_t lapic_per_tsc_fp32;

static uint64_t
timer_ns_to_tsc(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * tsc_per_ns_fp24) >> 24);
}

/* Make this CPU's timer fire when the TSC reaches at. */
static void
timer_hw_arm(uint64_t at)
{
	uint64_t now, count;

	if (mode == TIMER_DEADLINE) {
		wrmsr(MSR_TSC_DEADLINE, at);
		return;
	}
	now = rdtsc();
	count = (int64_t)(at - now) <= 0
			? 1
			: (uint64_t)(((unsigned __int128)(at - now) * lapic_per_tsc_fp32) >> 32);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)MIN(MAX(count, (uint64_t)1), (uint64_t)UINT32_MAX));
}

/*
 * Program this CPU's timer for whichever comes first, its next tick or its earliest call-out
 * (p_timer_next, on the clocksource's time scale, carried over to the TSC from "now" on both).
 * Deadline and one-shot modes; interrupts off.
 */
static void
timer_program(unsigned cpu)
{
	uint64_t want = deadline[cpu];
	uint64_t next_ns = __atomic_load_n(&current_processor()->p_timer_next, __ATOMIC_ACQUIRE);

	if (next_ns != UINT64_MAX) {
		uint64_t now_ns = clock_uptime_ns(), tsc = rdtsc();
		uint64_t at = next_ns <= now_ns ? tsc : tsc + timer_ns_to_tsc(next_ns - now_ns);

		if ((int64_t)(at - want) < 0)
			want = at;
	}
	if (want != armed[cpu]) {
		armed[cpu] = want;
		timer_hw_arm(want);
	}
}

static bool
timer_armable(void)
{
	return mode == TIMER_DEADLINE || mode == TIMER_ONESHOT;
}

void
timer_callout_rearm(void)
{
	unsigned cpu = current_cpu();

	if (timer_armable() && deadline[cpu] != 0)
		timer_program(cpu);
}

static void
timer_intr(struct trapframe *tf, void *arg)
{
	unsigned cpu = current_cpu(); /* interrupt context: this CPU's */

	(void)arg;
	if (!timer_armable()) {
		timer_tick(tf, 1);
		return;
	}
	armed[cpu] = 0; /* it fired: nothing is armed now */
	if ((int64_t)(rdtsc() - deadline[cpu]) >= 0)
		timer_tick(tf, timer_advance_deadline(&deadline[cpu], tsc_period, rdtsc()));
	else
		timer_call_expire(clock_uptime_ns()); /* a call-out between ticks */
	timer_program(cpu);
}

void
timer_tick(struct trapframe *tf, uint64_t n)
{
	void (*hook)(struct trapframe *);

	/* Periods that passed without a tick (a starved vCPU) are skipped, not counted: the
	 * count is of ticks taken, which may fall behind the clock but never run ahead of it. */
	if (current_cpu() == 0) {
		__atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&ticks_missed, n - 1, __ATOMIC_RELAXED);
	}
	hook = __atomic_load_n(&tick_hook, __ATOMIC_ACQUIRE);
	if (hook != NULL)
		hook(tf);
}

void
timer_start_external(const char *name)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	external_name = name;
	mode = TIMER_EXTERNAL;
}

/* This CPU's LAPIC timer in TSC-deadline or one-shot mode, first tick one period from now. */
static void
timer_arm_deadline(void)
{
	unsigned cpu = current_cpu();

	if (mode == TIMER_DEADLINE) {
		lapic_write(LAPIC_LVT_TIMER, timer_vector | LAPIC_LVT_TSC_DEADLINE);
		/* The LVT write must reach the APIC before the deadline MSR is armed (SDM
		 * §11.5.4.1); x2APIC MSR writes are not serialising. */
		__asm__ volatile("mfence; lfence" ::: "memory");
	} else {
		lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV16);
		lapic_write(LAPIC_LVT_TIMER, timer_vector); /* mode bits 00: one-shot */
	}
	deadline[cpu] = rdtsc() + tsc_period;
	armed[cpu] = deadline[cpu];
	timer_hw_arm(deadline[cpu]);
}

static void
timer_arm_periodic(void)
{
	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_LVT_TIMER, timer_vector | LAPIC_LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)periodic_count);
}

void
timer_start_ap(void)
{
	if (timer_armable())
		timer_arm_deadline();
	else if (mode == TIMER_PERIODIC)
		timer_arm_periodic();
}

int
timer_start(void)
{
	const char *want = cmdline_get(&boot_cmdline, "timer");
	bool deadline_ok = cpu_has(1, CPUID_ECX, 24) && tsc_freq_hz() != 0;
	bool oneshot_ok = tsc_freq_hz() != 0;

	if (lapic_timer_freq_hz() == 0) {
		klog(LOG_ERR, "timer: not calibrated; no tick\n");
		return -1;
	}
	timer_vector = intr_alloc_vector(0xe0, 0xef);
	if (timer_vector == 0) {
		klog(LOG_ERR, "timer: no free vector; no tick\n");
		return -1;
	}
	intr_set_handler(timer_vector, timer_intr, NULL);
	if (want != NULL && strcmp(want, "periodic") == 0)
		deadline_ok = oneshot_ok = false;
	if (want != NULL && strcmp(want, "oneshot") == 0)
		deadline_ok = false;

	if (deadline_ok || oneshot_ok) {
		tsc_period = tsc_freq_hz() / HZ;
		tsc_per_ns_fp24 = (tsc_freq_hz() << 24) / 1000000000u;
		lapic_per_tsc_fp32 = (lapic_timer_freq_hz() << 32) / tsc_freq_hz();
		mode = deadline_ok ? TIMER_DEADLINE : TIMER_ONESHOT;
		timer_arm_deadline();
	} else {
		uint64_t count = lapic_timer_freq_hz() / HZ;

		if (count == 0 || count > 0xffffffffu) {
			klog(LOG_ERR, "timer: LAPIC count %llu per tick is unusable\n",
			     (unsigned long long)count);
			return -1;
		}
		mode = TIMER_PERIODIC;
		periodic_count = count;
		timer_arm_periodic();
	}
	printf("timer: LAPIC timer at %u Hz, %s mode, vector %#x\n", HZ, timer_mode(),
	       timer_vector);
	return 0;
}
