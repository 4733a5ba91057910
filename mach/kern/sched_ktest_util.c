/*
 * sched_ktest_util.c — helpers shared by the scheduler, lock and SMP self-tests.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
#include <mach/kern/clock.h>
#include <mach/kern/sched_ktest_util.h>

#define MS 1000000ULL

kern_return_t
kt_start(thread_continue_t fn, void *arg, int pri, sched_mode_t mode)
{
	thread_t t;
	kern_return_t kr = kernel_thread_start_priority(fn, arg, pri, mode, &t);

	if (kr == KERN_SUCCESS)
		thread_deallocate(t);
	return kr;
}

bool
kt_wait_count(volatile unsigned *counter, unsigned target, uint64_t timeout_ns)
{
	uint64_t deadline = clock_uptime_ns() + timeout_ns;

	for (;;) {
		assert_wait_deadline((event_t)counter, THREAD_UNINT, deadline);
		if (__atomic_load_n(counter, __ATOMIC_ACQUIRE) >= target) {
			(void)clear_wait(current_thread(), THREAD_AWAKENED);
			return true;
		}
		if (thread_block(NULL) == THREAD_TIMED_OUT)
			return __atomic_load_n(counter, __ATOMIC_ACQUIRE) >= target;
	}
}

void
kt_count_up(volatile unsigned *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELEASE);
	thread_wakeup((event_t)counter);
}

bool
kt_wait_reaped(unsigned base)
{
	/* At most base: other subsystems' threads may end meanwhile (a leak is still one more). */
	for (int i = 0; i < 500 && thread_count() > base; i++)
		thread_sleep_ns(10 * MS);
	if (thread_count() <= base)
		return true;
	printf("# %u threads, expected %u\n", thread_count(), base);
	thread_print_all();
	return false;
}
