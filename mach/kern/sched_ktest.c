/*
 * sched_ktest.c — self-tests of the scheduler on the running kernel: priority order,
 * preemption of a spinning thread by a woken higher one, waits with deadlines and interruption,
 * time-share decay, a real-time thread among spinners, continuations and stacks, thread
 * creation and reaping without leaks, the context-switch rate, and delay().
 *
 * They were written for one CPU and run bound to CPU 0 (sched_smp_ktest.c tests the others).
 * The main kernel thread runs these at BASEPRI_KERNEL (81). Figures (rates, lateness) are
 * printed as `# figure:` lines and never asserted: TCG timing is not the hardware's.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>

#define MS 1000000ULL

/*
 * Priority order: threads below the test's priority run only once it blocks, highest first.
 */
static volatile unsigned po_done;
static int po_order[4];

static void
po_thread(void *arg, wait_result_t wr)
{
	unsigned i = __atomic_fetch_add(&po_done, 0, __ATOMIC_RELAXED);

	po_order[i] = (int)(intptr_t)arg;
	kt_count_up(&po_done);
}

KTEST_ON_CPU0(sched_priority_order)
{
	static const int pris[4] = { 50, 70, 40, 60 };
	unsigned base = thread_count();

	po_done = 0;
	for (int i = 0; i < 4; i++)
		KT_ASSERT_EQ(kt_start(po_thread, (void *)(intptr_t)pris[i], pris[i], TH_MODE_FIXED),
			     KERN_SUCCESS);
	KT_ASSERT_EQ(po_done, 0); /* none ran: all below us */
	KT_ASSERT(kt_wait_count(&po_done, 4, 2000 * MS));
	KT_ASSERT_EQ(po_order[0], 70);
	KT_ASSERT_EQ(po_order[1], 60);
	KT_ASSERT_EQ(po_order[2], 50);
	KT_ASSERT_EQ(po_order[3], 40);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Preemption: a low thread spins; a high thread sleeping on a deadline wakes in the timer
 * interrupt and must run at once, while the low one is still spinning.
 */
static volatile unsigned pe_done;
static volatile bool pe_stop, pe_spinning, pe_high_saw_spinning;
static volatile uint64_t pe_spins, pe_spins_at_wake, pe_deadline, pe_woke;

static void
pe_low(void *arg, wait_result_t wr)
{
	uint64_t end = clock_uptime_ns() + 3000 * MS;

	pe_spinning = true;
	while (!pe_stop && clock_uptime_ns() < end)
		pe_spins++;
	pe_spinning = false;
	kt_count_up(&pe_done);
}

static void
pe_high(void *arg, wait_result_t wr)
{
	pe_deadline = clock_uptime_ns() + 50 * MS;
	assert_wait_deadline((event_t)&pe_deadline, THREAD_UNINT, pe_deadline);
	thread_block(NULL);
	pe_woke = clock_uptime_ns();
	pe_high_saw_spinning = pe_spinning;
	pe_spins_at_wake = pe_spins;
	pe_stop = true;
	kt_count_up(&pe_done);
}

KTEST_ON_CPU0(sched_preempt_spinner)
{
	unsigned base = thread_count();

	pe_done = 0;
	pe_stop = pe_spinning = pe_high_saw_spinning = false;
	pe_spins = 0;
	KT_ASSERT_EQ(kt_start(pe_high, NULL, 90, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT_EQ(kt_start(pe_low, NULL, 40, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&pe_done, 2, 5000 * MS));
	KT_ASSERT(pe_high_saw_spinning);
	KT_ASSERT(pe_spins_at_wake > 0);
	printf("# figure: high thread woke %llu us after its deadline, preempting a spinner\n",
	       (unsigned long long)((pe_woke - pe_deadline) / 1000));
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * A spin lock defers preemption: a higher thread woken while we hold one runs when we drop it.
 */
static volatile unsigned sp_ran;

static void
sp_high(void *arg, wait_result_t wr)
{
	assert_wait((event_t)&sp_ran, THREAD_UNINT);
	thread_block(NULL);
	kt_count_up(&sp_ran);
}

KTEST_ON_CPU0(sched_spinlock_defers_preemption)
{
	static lck_spin_t l = LCK_SPIN_INITIALIZER;
	unsigned base = thread_count(), during;

	sp_ran = 0;
	KT_ASSERT_EQ(kt_start(sp_high, NULL, 90, TH_MODE_FIXED), KERN_SUCCESS);
	lck_spin_lock(&l);
	KT_ASSERT_EQ(thread_wakeup((event_t)&sp_ran), 1);
	during = sp_ran;
	lck_spin_unlock(&l);
	KT_ASSERT_EQ(during, 0);
	KT_ASSERT_EQ(sp_ran, 1); /* ran the moment preemption came back */
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Waits: a deadline times out; interruptible waits are interrupted; uninterruptible ones are
 * not; wakeup_one wakes exactly one.
 */
static volatile unsigned wt_done;
static volatile wait_result_t wt_result[4];
static int wt_event;

static void
wt_waiter(void *arg, wait_result_t wr)
{
	int i = (int)(intptr_t)arg;

	assert_wait_deadline((event_t)&wt_event, i == 0 ? THREAD_INTERRUPTIBLE : THREAD_UNINT,
			     clock_uptime_ns() + 5000 * MS);
	wt_result[i] = thread_block(NULL);
	kt_count_up(&wt_done);
}

KTEST_ON_CPU0(sched_wait_deadline_interrupt)
{
	uint64_t t0 = clock_uptime_ns(), dt;
	unsigned base = thread_count();
	thread_t w[3];

	assert_wait_deadline((event_t)&t0, THREAD_INTERRUPTIBLE, t0 + 30 * MS);
	KT_ASSERT_EQ(thread_block(NULL), THREAD_TIMED_OUT);
	dt = clock_uptime_ns() - t0;
	KT_ASSERT(dt >= 30 * MS);
	printf("# figure: 30 ms deadline wait took %llu us\n", (unsigned long long)(dt / 1000));

	/* Not waiting: nothing to clear. */
	KT_ASSERT_EQ(clear_wait(current_thread(), THREAD_AWAKENED), KERN_NOT_WAITING);
	/* A wakeup between assert_wait and thread_block is not lost. */
	assert_wait((event_t)&t0, THREAD_UNINT);
	KT_ASSERT_EQ(thread_wakeup((event_t)&t0), 1);
	KT_ASSERT_EQ(thread_block(NULL), THREAD_AWAKENED);

	wt_done = 0;
	for (int i = 0; i < 3; i++) {
		wt_result[i] = THREAD_WAITING;
		/* Above us: each runs at once and is waiting when this returns. */
		KT_ASSERT_EQ(kernel_thread_start_priority(wt_waiter, (void *)(intptr_t)i, 90,
							  TH_MODE_FIXED, &w[i]),
			     KERN_SUCCESS);
	}
	KT_ASSERT_EQ(thread_interrupt(w[0]), KERN_SUCCESS);
	KT_ASSERT_EQ(thread_interrupt(w[1]), KERN_FAILURE); /* uninterruptible */
	KT_ASSERT_EQ(thread_wakeup_one((event_t)&wt_event), 1);
	KT_ASSERT(kt_wait_count(&wt_done, 2, 1000 * MS));
	KT_ASSERT_EQ(wt_result[0], THREAD_INTERRUPTED);
	KT_ASSERT_EQ(thread_wakeup((event_t)&wt_event), 1);
	KT_ASSERT(kt_wait_count(&wt_done, 3, 1000 * MS));
	KT_ASSERT_EQ(wt_result[1], THREAD_AWAKENED);
	KT_ASSERT_EQ(wt_result[2], THREAD_AWAKENED);
	KT_ASSERT_EQ(clear_wait(w[2], THREAD_AWAKENED), KERN_NOT_WAITING);
	for (int i = 0; i < 3; i++)
		thread_deallocate(w[i]);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Time-share: a spinning thread's priority sinks below its base and recovers after sleeping.
 */
static volatile unsigned ts_done;
static volatile int ts_pri_spun, ts_pri_rested;

static void
ts_thread(void *arg, wait_result_t wr)
{
	thread_t self = current_thread();
	uint64_t end = clock_uptime_ns() + 400 * MS;

	while (clock_uptime_ns() < end)
		;
	ts_pri_spun = self->th_sched_pri;
	thread_sleep_ns(1500 * MS);
	thread_yield();
	ts_pri_rested = self->th_sched_pri;
	kt_count_up(&ts_done);
}

KTEST_ON_CPU0(sched_timeshare_decay)
{
	unsigned base = thread_count();

	ts_done = 0;
	KT_ASSERT_EQ(kt_start(ts_thread, NULL, 60, TH_MODE_TIMESHARE), KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&ts_done, 1, 5000 * MS));
	printf("# figure: time-share base 60: %d after spinning 400 ms, %d after resting 1.5 s\n",
	       ts_pri_spun, ts_pri_rested);
	KT_ASSERT(ts_pri_spun < 60);
	KT_ASSERT(ts_pri_rested > ts_pri_spun);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Real-time: a 20 ms periodic thread among four time-share spinners. Reports its worst
 * lateness; asserts only that it ran every period and kept its policy.
 */
#define RT_PERIODS 15
static volatile unsigned rt_done;
static volatile bool rt_stop;
static volatile uint64_t rt_worst, rt_runs;

static void
rt_spinner(void *arg, wait_result_t wr)
{
	while (!rt_stop)
		;
	kt_count_up(&rt_done);
}

static void
rt_thread(void *arg, wait_result_t wr)
{
	uint64_t start = clock_uptime_ns();

	for (unsigned k = 1; k <= RT_PERIODS; k++) {
		uint64_t next = start + k * 20 * MS, now;

		assert_wait_deadline((event_t)&rt_runs, THREAD_UNINT, next);
		thread_block(NULL);
		now = clock_uptime_ns();
		if (now - next > rt_worst)
			rt_worst = now - next;
		rt_runs++;
	}
	rt_stop = true;
	kt_count_up(&rt_done);
}

KTEST_ON_CPU0(sched_realtime_among_spinners)
{
	unsigned base = thread_count();
	thread_t rt;

	rt_done = 0;
	rt_stop = false;
	rt_worst = rt_runs = 0;
	for (int i = 0; i < 4; i++)
		KT_ASSERT_EQ(kt_start(rt_spinner, NULL, BASEPRI_DEFAULT, TH_MODE_TIMESHARE),
			     KERN_SUCCESS);
	KT_ASSERT_EQ(kernel_thread_start_priority(rt_thread, NULL, 50, TH_MODE_FIXED, &rt),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(thread_set_sched(rt, TH_MODE_REALTIME, 0, 20 * MS, 1 * MS, 5 * MS),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(thread_set_sched(rt, TH_MODE_REALTIME, 0, 20 * MS, 6 * MS, 5 * MS),
		     KERN_INVALID_ARGUMENT);
	KT_ASSERT(kt_wait_count(&rt_done, 5, 10000 * MS));
	printf("# figure: real-time 20 ms period among 4 spinners: worst lateness %llu us, "
	       "%llu overruns\n", (unsigned long long)(rt_worst / 1000),
	       (unsigned long long)rt->th_rt_overruns);
	KT_ASSERT_EQ(rt_runs, RT_PERIODS);
	thread_deallocate(rt);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Continuations: threads that block with one hold no stack; threads that block without one
 * each hold theirs.
 */
static volatile unsigned ct_done, ct_blocked;
static int ct_event;

static void
ct_resume(void *arg, wait_result_t wr)
{
	kt_count_up(&ct_done);
}

static void
ct_thread(void *arg, wait_result_t wr)
{
	assert_wait((event_t)&ct_event, THREAD_UNINT);
	__atomic_fetch_add(&ct_blocked, 1, __ATOMIC_RELAXED);
	if (arg != NULL)
		thread_block(ct_resume);
	thread_block(NULL);
	kt_count_up(&ct_done);
}

KTEST_ON_CPU0(sched_continuations_save_stacks)
{
	uint64_t base_use, with_cont, without_cont, cached, total;
	unsigned base = thread_count();
	const unsigned n = 32;

	kstack_counts(&base_use, &cached, &total);
	for (int pass = 0; pass < 2; pass++) {
		ct_done = ct_blocked = 0;
		for (unsigned i = 0; i < n; i++)
			KT_ASSERT_EQ(kt_start(ct_thread, pass == 0 ? (void *)1 : NULL, 90,
					      TH_MODE_FIXED),
				     KERN_SUCCESS);
		KT_ASSERT_EQ(ct_blocked, n);
		kstack_counts(pass == 0 ? &with_cont : &without_cont, &cached, &total);
		KT_ASSERT_EQ(thread_wakeup((event_t)&ct_event), n);
		KT_ASSERT(kt_wait_count(&ct_done, n, 2000 * MS));
		KT_ASSERT(kt_wait_reaped(base));
	}
	printf("# figure: stacks in use with %u blocked threads: %llu with continuations, %llu "
	       "without (base %llu)\n", n, (unsigned long long)with_cont,
	       (unsigned long long)without_cont, (unsigned long long)base_use);
	KT_ASSERT(with_cont <= base_use + 1);
	KT_ASSERT(without_cont >= base_use + n);
}

/*
 * 10,000 threads created and reaped: the thread and task zones end where they began. Stops
 * early, saying so, when a slow machine (nested virtualisation) spends 4 s before the end.
 */
static volatile unsigned cr_done;

static void
cr_thread(void *arg, wait_result_t wr)
{
	kt_count_up(&cr_done);
}

KTEST_ON_CPU0(sched_create_reap_10000)
{
	struct zone_info zt0, zt1, zk0, zk1;
	zone_t tz = zone_find("threads"), kz = zone_find("tasks");
	unsigned base = thread_count(), n = 0;
	uint64_t t0, dt;

	KT_ASSERT(tz != NULL && kz != NULL);
	zone_get_info(tz, &zt0);
	zone_get_info(kz, &zk0);
	cr_done = 0;
	t0 = clock_uptime_ns();
	while (n < 10000 && clock_uptime_ns() - t0 < 4000 * MS) {
		for (unsigned i = 0; i < 100; i++, n++)
			KT_ASSERT_EQ(kt_start(cr_thread, NULL, 40, TH_MODE_FIXED), KERN_SUCCESS);
		KT_ASSERT(kt_wait_count(&cr_done, n, 5000 * MS));
	}
	KT_ASSERT(kt_wait_reaped(base));
	dt = clock_uptime_ns() - t0;
	zone_get_info(tz, &zt1);
	zone_get_info(kz, &zk1);
	KT_ASSERT_EQ(cr_done, n);
	if (n < 10000)
		printf("# slow machine: stopped after %u threads\n", n);
	KT_ASSERT_EQ(zt1.zi_count, zt0.zi_count);
	KT_ASSERT_EQ(zk1.zi_count, zk0.zi_count);
	printf("# figure: thread create+reap: %llu per second (%u threads)\n",
	       (unsigned long long)(n * 1000000000ULL / (dt ? dt : 1)), n);
}

/*
 * Context switches per second: two threads at one priority yielding to each other, for at most
 * 20,000 yields each or 200 ms.
 */
static volatile unsigned cs_done, cs_ready;
static volatile uint64_t cs_end;
static int cs_go;

static void
cs_thread(void *arg, wait_result_t wr)
{
	/* Both must be runnable before either yields: the first would otherwise run alone. */
	assert_wait((event_t)&cs_go, THREAD_UNINT);
	__atomic_fetch_add(&cs_ready, 1, __ATOMIC_RELAXED);
	thread_block(NULL);
	/* Bounded by time, not count: a slow machine still finishes in 200 ms. */
	for (int i = 0; i < 20000 && clock_uptime_ns() < cs_end; i++)
		thread_yield();
	kt_count_up(&cs_done);
}

KTEST_ON_CPU0(sched_context_switch_rate)
{
	unsigned base = thread_count();
	uint64_t s0 = sched_context_switches(), t0 = clock_uptime_ns(), dt, ds;

	cs_done = cs_ready = 0;
	cs_end = clock_uptime_ns() + 200 * MS;
	KT_ASSERT_EQ(kt_start(cs_thread, NULL, 85, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT_EQ(kt_start(cs_thread, NULL, 85, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT_EQ(cs_ready, 2);
	KT_ASSERT_EQ(thread_wakeup((event_t)&cs_go), 2);
	KT_ASSERT(kt_wait_count(&cs_done, 2, 20000 * MS));
	dt = clock_uptime_ns() - t0;
	ds = sched_context_switches() - s0;
	KT_ASSERT(ds >= 2);
	printf("# figure: context switches: %llu per second (%llu in %llu ms)\n",
	       (unsigned long long)(ds * 1000000000ULL / (dt ? dt : 1)), (unsigned long long)ds,
	       (unsigned long long)(dt / MS));
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * delay(): a thread that delays sleeps, so a lower-priority thread runs meanwhile; from a
 * context that cannot block it spins instead.
 */
static volatile bool dl_stop;
static volatile uint64_t dl_spins;
static volatile unsigned dl_done;

static void
dl_low(void *arg, wait_result_t wr)
{
	while (!dl_stop)
		dl_spins++;
	kt_count_up(&dl_done);
}

KTEST_ON_CPU0(sched_delay_sleeps)
{
	static lck_spin_t l = LCK_SPIN_INITIALIZER;
	unsigned base = thread_count();
	uint64_t t0, slept, spun, low_ran;
	bool can_thread, can_locked;

	dl_stop = false;
	dl_spins = 0;
	dl_done = 0;
	KT_ASSERT_EQ(kt_start(dl_low, NULL, 40, TH_MODE_FIXED), KERN_SUCCESS);
	can_thread = clock_can_block();
	t0 = clock_get_uptime();
	delay(30000);
	slept = clock_get_uptime() - t0;
	low_ran = dl_spins;

	/* With a spin lock held delay() must spin: sleeping would panic in thread_block. */
	lck_spin_lock(&l);
	can_locked = clock_can_block();
	t0 = clock_get_uptime();
	delay(20000);
	spun = clock_get_uptime() - t0;
	lck_spin_unlock(&l);

	dl_stop = true;
	KT_ASSERT(kt_wait_count(&dl_done, 1, 2000 * MS));
	KT_ASSERT(can_thread);
	KT_ASSERT(slept >= 30 * MS);
	KT_ASSERT(low_ran > 0); /* the low thread ran while we slept */
	KT_ASSERT(!can_locked);
	KT_ASSERT(spun >= 20 * MS);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * A real-time thread that overruns its constraint is demoted to time-share (so it cannot
 * starve the system) and gets its real-time policy back when it next blocks.
 */
static volatile unsigned rh_done;
static volatile int rh_mode_spinning, rh_mode_after;

static void
rt_hog(void *arg, wait_result_t wr)
{
	thread_t self = current_thread();
	uint64_t end = clock_uptime_ns() + 60 * MS;

	while (clock_uptime_ns() < end)
		;
	rh_mode_spinning = self->th_sched_mode;
	thread_sleep_ns(5 * MS);
	rh_mode_after = self->th_sched_mode;
	kt_count_up(&rh_done);
}

KTEST_ON_CPU0(sched_realtime_overrun_demoted)
{
	unsigned base = thread_count();
	thread_t t;

	rh_done = 0;
	rh_mode_spinning = rh_mode_after = TH_MODE_NONE;
	KT_ASSERT_EQ(kernel_thread_start_priority(rt_hog, NULL, 50, TH_MODE_FIXED, &t),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(thread_set_sched(t, TH_MODE_REALTIME, 0, 20 * MS, 1 * MS, 2 * MS),
		     KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&rh_done, 1, 3000 * MS));
	KT_ASSERT(t->th_rt_overruns >= 1);
	KT_ASSERT_EQ(rh_mode_spinning, TH_MODE_TIMESHARE);
	KT_ASSERT_EQ(rh_mode_after, TH_MODE_REALTIME);
	thread_deallocate(t);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * Regression (found under KVM): a thread preempted between assert_wait() and its condition
 * check must stay runnable. It used to be put to sleep as if it had blocked, and the reaper,
 * finding work already queued, then slept with nobody left to wake it.
 */
static volatile unsigned pw_done;
static volatile bool pw_cond, pw_high_ran;
static int pw_event;

static void
pw_high(void *arg, wait_result_t wr)
{
	thread_sleep_ns(10 * MS);
	pw_high_ran = true;
	kt_count_up(&pw_done);
}

static void
pw_waiter(void *arg, wait_result_t wr)
{
	uint64_t end;

	assert_wait((event_t)&pw_event, THREAD_UNINT);
	/* The high thread wakes in here and preempts us with the wait asserted. */
	end = clock_uptime_ns() + 60 * MS;
	while (clock_uptime_ns() < end && !pw_high_ran)
		;
	if (pw_cond)
		(void)clear_wait(current_thread(), THREAD_AWAKENED);
	thread_block(NULL);
	kt_count_up(&pw_done);
}

KTEST_ON_CPU0(sched_preempted_waiter_not_blocked)
{
	unsigned base = thread_count();

	pw_done = 0;
	pw_cond = true;
	pw_high_ran = false;
	KT_ASSERT_EQ(kt_start(pw_high, NULL, 90, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT_EQ(kt_start(pw_waiter, NULL, 40, TH_MODE_FIXED), KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&pw_done, 2, 2000 * MS));
	KT_ASSERT(pw_high_ran);
	KT_ASSERT(kt_wait_reaped(base));
}
