/*
 * locks_ktest.c — self-tests of the sleeping locks: a mutex shared by four threads that yield
 * inside the critical section keeps an exact counter; a read-write lock never lets a reader see
 * a half-done write; priority inheritance raises a mutex owner to its waiter's priority and
 * drops it on release. The stress tests run on every CPU; the priority-inheritance test needs
 * the owner and a middle thread to compete for one CPU, so it runs on CPU 0.
 *
 * The stress tests run their iterations or until a time budget is spent, whichever comes first
 * (a slow machine, e.g. nested virtualisation, does fewer), and check the exact outcome of the
 * iterations actually done.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/locks.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/thread.h>

#define MS 1000000ULL

#define MTX_THREADS 4
#define MTX_ITERS   3000
static lck_mtx_t mtx_stress = LCK_MTX_INITIALIZER("ktest.mtx");
#define STRESS_BUDGET (2000 * MS)
static volatile unsigned mtx_done;
static volatile uint64_t mtx_counter, mtx_iters, mtx_end, mtx_sleeps0;

static void
mtx_thread(void *arg, wait_result_t wr)
{
	unsigned i;

	for (i = 0; i < MTX_ITERS && clock_uptime_ns() < mtx_end; i++) {
		lck_mtx_lock(&mtx_stress);
		lck_mtx_assert(&mtx_stress, LCK_MTX_ASSERT_OWNED);
		uint64_t v = mtx_counter;
		/* Until some thread has slept on the mutex, the holder waits for one (at most
		 * 500 ms): with a CPU each, the threads might otherwise never meet (a host that
		 * runs the virtual CPUs one at a time). */
		for (uint64_t until = clock_uptime_ns() + 500 * MS;
		     lck_mtx_sleeps == mtx_sleeps0 && clock_uptime_ns() < until;)
			thread_yield();
		if (i % 8 == 0)
			thread_yield(); /* the others run and find the mutex held */
		mtx_counter = v + 1;
		lck_mtx_unlock(&mtx_stress);
		lck_mtx_assert(&mtx_stress, LCK_MTX_ASSERT_NOTOWNED);
	}
	__atomic_fetch_add(&mtx_iters, i, __ATOMIC_RELAXED);
	kt_count_up(&mtx_done);
}

KTEST(locks_mutex_stress)
{
	uint64_t sleeps = lck_mtx_sleeps;
	unsigned base = thread_count();

	mtx_done = 0;
	mtx_counter = mtx_iters = 0;
	mtx_sleeps0 = sleeps;
	mtx_end = clock_uptime_ns() + STRESS_BUDGET;
	for (int i = 0; i < MTX_THREADS; i++)
		KT_ASSERT_EQ(kt_start(mtx_thread, NULL, 40, TH_MODE_TIMESHARE), KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&mtx_done, MTX_THREADS, 20000 * MS));
	KT_ASSERT_EQ(mtx_counter, mtx_iters);
	KT_ASSERT(mtx_iters > 0);
	printf("# figure: mutex stress: %llu sleeps on the mutex in %llu acquisitions\n",
	       (unsigned long long)(lck_mtx_sleeps - sleeps), (unsigned long long)mtx_iters);
	KT_ASSERT(lck_mtx_sleeps - sleeps > 0); /* it really was contended */
	KT_ASSERT(lck_mtx_try_lock(&mtx_stress));
	lck_mtx_unlock(&mtx_stress);
	KT_ASSERT(kt_wait_reaped(base));
}

#define RW_WRITERS 2
#define RW_READERS 3
#define RW_ITERS   1000
static lck_rw_t rw_stress = LCK_RW_INITIALIZER("ktest.rw");
static volatile unsigned rw_done;
static volatile uint64_t rw_a, rw_b, rw_torn, rw_reads, rw_writes, rw_end;

static void
rw_writer(void *arg, wait_result_t wr)
{
	unsigned i;

	for (i = 0; i < RW_ITERS && clock_uptime_ns() < rw_end; i++) {
		lck_rw_lock_exclusive(&rw_stress);
		uint64_t a = rw_a;
		rw_a = a + 1;
		if (i % 4 == 0)
			thread_yield();
		rw_b = a + 1;
		lck_rw_done(&rw_stress);
	}
	__atomic_fetch_add(&rw_writes, i, __ATOMIC_RELAXED);
	kt_count_up(&rw_done);
}

static void
rw_reader(void *arg, wait_result_t wr)
{
	for (unsigned i = 0; i < RW_ITERS && clock_uptime_ns() < rw_end; i++) {
		lck_rw_lock_shared(&rw_stress);
		uint64_t a = rw_a;
		if (i % 4 == 0)
			thread_yield();
		if (rw_b != a)
			__atomic_fetch_add(&rw_torn, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&rw_reads, 1, __ATOMIC_RELAXED);
		lck_rw_done(&rw_stress);
	}
	kt_count_up(&rw_done);
}

KTEST(locks_rw_stress)
{
	unsigned base = thread_count();

	rw_done = 0;
	rw_a = rw_b = rw_torn = rw_reads = rw_writes = 0;
	rw_end = clock_uptime_ns() + STRESS_BUDGET;
	for (int i = 0; i < RW_WRITERS; i++)
		KT_ASSERT_EQ(kt_start(rw_writer, NULL, 40, TH_MODE_TIMESHARE), KERN_SUCCESS);
	for (int i = 0; i < RW_READERS; i++)
		KT_ASSERT_EQ(kt_start(rw_reader, NULL, 40, TH_MODE_TIMESHARE), KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&rw_done, RW_WRITERS + RW_READERS, 20000 * MS));
	KT_ASSERT_EQ(rw_a, rw_writes);
	KT_ASSERT_EQ(rw_b, rw_writes);
	KT_ASSERT(rw_writes > 0 && rw_reads > 0);
	KT_ASSERT_EQ(rw_torn, 0);
	printf("# figure: rw stress: %llu writes, %llu reads\n", (unsigned long long)rw_writes,
	       (unsigned long long)rw_reads);
	KT_ASSERT(kt_wait_reaped(base));
}

static lck_mtx_t pi_mtx = LCK_MTX_INITIALIZER("ktest.pi");
static volatile unsigned pi_done;
static volatile int pi_low_after;

static void
pi_low(void *arg, wait_result_t wr)
{
	lck_mtx_lock(&pi_mtx);
	thread_sleep_ns(60 * MS); /* holds the mutex while the high thread arrives */
	lck_mtx_unlock(&pi_mtx);
	pi_low_after = current_thread()->th_sched_pri;
	kt_count_up(&pi_done);
}

static void
pi_high(void *arg, wait_result_t wr)
{
	lck_mtx_lock(&pi_mtx);
	lck_mtx_unlock(&pi_mtx);
	kt_count_up(&pi_done);
}

KTEST_ON_CPU0(locks_mutex_priority_inheritance)
{
	unsigned base = thread_count();
	thread_t low;
	int boosted;

	pi_done = 0;
	KT_ASSERT_EQ(kernel_thread_start_priority(pi_low, NULL, 40, TH_MODE_FIXED, &low),
		     KERN_SUCCESS);
	thread_sleep_ns(10 * MS); /* low takes the mutex and sleeps */
	KT_ASSERT(pi_mtx.lm_owner == low);
	KT_ASSERT_EQ(kt_start(pi_high, NULL, 90, TH_MODE_FIXED), KERN_SUCCESS);
	/* high ran at once and now waits on the mutex: low runs at high's priority. */
	boosted = low->th_sched_pri;
	KT_ASSERT(kt_wait_count(&pi_done, 2, 2000 * MS));
	KT_ASSERT_EQ(boosted, 90);
	KT_ASSERT_EQ(pi_low_after, 40);
	thread_deallocate(low);
	KT_ASSERT(kt_wait_reaped(base));
}
