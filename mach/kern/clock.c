/*
 * clock.c — clock_get_uptime() and delay() (see clock.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

uint64_t
clock_get_uptime(void)
{
	return clock_uptime_ns();
}

/* calendar = uptime + clock_calendar_offset; one 64-bit word, so readers need no lock. */
static int64_t clock_calendar_offset;

uint64_t
clock_get_calendar_ns(void)
{
	return clock_uptime_ns() + (uint64_t)__atomic_load_n(&clock_calendar_offset,
							      __ATOMIC_RELAXED);
}

void
clock_set_calendar_ns(uint64_t ns)
{
	__atomic_store_n(&clock_calendar_offset, (int64_t)(ns - clock_uptime_ns()),
			 __ATOMIC_RELAXED);
}

bool
clock_can_block(void)
{
	return current_thread() != NULL && current_processor()->p_preempt_level == 0 &&
	       (read_rflags() & RFLAGS_IF) != 0;
}

void
delay(uint64_t usec)
{
	uint64_t deadline;

	if (usec < 1000000 / HZ || !clock_can_block()) {
		delay_us(usec);
		return;
	}
	deadline = clock_uptime_ns() + usec * 1000;
	/* A wakeup for another reason (none is expected on this event) just waits again. */
	while (clock_uptime_ns() < deadline) {
		assert_wait_deadline((event_t)&deadline, THREAD_UNINT, deadline);
		thread_block(NULL);
	}
}
