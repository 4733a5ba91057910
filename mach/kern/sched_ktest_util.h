/*
 * sched_ktest_util.h — helpers the scheduler, lock and SMP self-tests share: start a thread,
 * count finished workers, wait for a count or for the reaper, pin a test to CPU 0.
 */
#ifndef _MACH_KERN_SCHED_KTEST_UTIL_H_
#define _MACH_KERN_SCHED_KTEST_UTIL_H_

#include <arch/x86_64/mp.h>
#include <ktest.h>
#include <mach/kern/thread.h>

/*
 * A test written for one CPU: it and every thread it starts (the binding is inherited) run on
 * CPU 0, whatever the other CPUs do.
 */
#define KTEST_ON_CPU0(name)                                                                     \
	static void kt_cpu0_##name(struct ktest_ctx *kt_ctx);                                    \
	KTEST(name)                                                                              \
	{                                                                                       \
		struct processor *was = thread_bind(&processor_array[0]);                        \
                                                                                                \
		kt_cpu0_##name(kt_ctx);                                                          \
		(void)thread_bind(was);                                                          \
	}                                                                                       \
	static void kt_cpu0_##name(struct ktest_ctx *kt_ctx)

/* Start a kernel thread at pri/mode and drop the caller's reference. */
kern_return_t kt_start(thread_continue_t fn, void *arg, int pri, sched_mode_t mode);
/* Sleep until *counter >= target or timeout_ns passes. Returns whether the target was met. */
bool kt_wait_count(volatile unsigned *counter, unsigned target, uint64_t timeout_ns);
/* A worker is done: count it and wake kt_wait_count(). */
void kt_count_up(volatile unsigned *counter);
/* Wait (up to 5 s) until the reaper has freed the test's threads: thread_count() <= base. */
bool kt_wait_reaped(unsigned base);

#endif
