/*
 * kstack_ktest.c — the kernel-stack guard page: a thread that writes just below its stack must
 * fault (and panic, as every kernel page fault does today) instead of corrupting memory.
 * Explicit: it ends the run; tests/boot/kstack-guard.sh judges the panic.
 */
#include <console.h>
#include <ktest.h>
#include <mach/kern/thread.h>

static volatile unsigned kg_before;

/* Not inlined, so the backtrace names it. */
static __attribute__((noinline)) void
kstack_guard_overflow(void)
{
	volatile uint64_t *below = (volatile uint64_t *)(current_thread()->th_kstack - 8);

	kg_before = 1;
	*below = 0xdead; /* the guard page: must fault */
	kg_before = 2;
}

static void
kstack_guard_thread(void *arg, wait_result_t wr)
{
	kstack_guard_overflow();
}

KTEST_F(kstack_guard, KTEST_EXPLICIT)
{
	thread_t t;

	/* On this CPU, so that the thread (at 90, above this one) runs before this test can
	 * report: on another CPU the run could end before its panic. */
	(void)thread_bind(current_processor());
	KT_ASSERT_EQ(kernel_thread_start_priority(kstack_guard_thread, NULL, 90, TH_MODE_FIXED,
						  &t),
		     KERN_SUCCESS);
	/* Only reached if the write did not fault. */
	KT_ASSERT_EQ(kg_before, 0);
	thread_deallocate(t);
}
