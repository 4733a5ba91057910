/*
 * sched_smp_ktest.c — self-tests of scheduling on several CPUs: unbound threads spread to
 * every CPU, a thread asleep on an idle CPU is woken there by a reschedule IPI, threads are
 * created and reaped on every CPU at once without leaks, and the context-switch rate with a
 * pair of yielding threads on each CPU (a figure).
 *
 * Each test skips on one CPU. Figures are printed as `# figure:` lines, never asserted.
 */
#include <arch/x86_64/mp.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>
#include <panic.h>

#define MS 1000000ULL

static unsigned
smp_all_mask(void)
{
	return (1u << processor_count_scheduling()) - 1;
}

/*
 * Unbound threads spread: 3 per CPU spin for 100 ms each; together they must have run on every
 * CPU, and every CPU must have switched to a thread other than its idle thread.
 */
static volatile unsigned sp_done, sp_mask;

static void
sp_thread(void *arg, wait_result_t wr)
{
	uint64_t end = clock_uptime_ns() + 100 * MS;

	while (clock_uptime_ns() < end)
		__atomic_fetch_or(&sp_mask, 1u << current_cpu(), __ATOMIC_RELAXED);
	kt_count_up(&sp_done);
}

KTEST(sched_smp_threads_run_everywhere)
{
	unsigned n = 3 * processor_count_scheduling(), base = thread_count();
	uint64_t run0[MAX_CPUS];
	thread_t t;

	if (processor_count_scheduling() < 2)
		KT_SKIP("one cpu schedules");
	for (unsigned i = 0; i < processor_count_scheduling(); i++)
		run0[i] = processor_array[i].p_threads_run;
	sp_done = sp_mask = 0;
	for (unsigned i = 0; i < n; i++) {
		KT_ASSERT_EQ(kernel_thread_start_priority(sp_thread, NULL, 60, TH_MODE_FIXED, &t),
			     KERN_SUCCESS);
		thread_deallocate(t);
	}
	KT_ASSERT(kt_wait_count(&sp_done, n, 30000 * MS));
	printf("# spinners ran on cpu mask %#x of %#x; steals:", sp_mask, smp_all_mask());
	for (unsigned i = 0; i < processor_count_scheduling(); i++)
		printf(" %llu", (unsigned long long)processor_array[i].p_steals);
	printf("\n");
	KT_ASSERT_EQ(sp_mask, smp_all_mask());
	for (unsigned i = 0; i < processor_count_scheduling(); i++)
		KT_ASSERT(processor_array[i].p_threads_run > run0[i]);
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * A thread bound to CPU k sleeps there with k idle; a wakeup from CPU 0 must reach it through a
 * reschedule IPI (the count of k's IPIs goes up) and it must run on k.
 */
static volatile unsigned wk_ready, wk_done, wk_cpu;
static volatile uint64_t wk_woke_ns;
static int wk_event;

static void
wk_thread(void *arg, wait_result_t wr)
{
	unsigned k = (unsigned)(uintptr_t)arg;

	(void)thread_bind(&processor_array[k]);
	assert_wait((event_t)&wk_event, THREAD_UNINT);
	kt_count_up(&wk_ready);
	thread_block(NULL);
	wk_woke_ns = clock_uptime_ns();
	wk_cpu = current_cpu();
	kt_count_up(&wk_done);
}

/* Wakeups CPU k was sent: reschedule IPIs received plus PV kicks (mp_resched_ipi). */
static uint64_t
sched_kt_wakeups(unsigned k)
{
	return __atomic_load_n(&processor_array[k].p_resched_ipis, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&processor_array[k].p_kicks, __ATOMIC_ACQUIRE);
}

KTEST(sched_smp_wakeup_through_ipi)
{
	struct processor *was;
	uint64_t worst = 0;
	bool ok = true;

	if (processor_count_scheduling() < 2)
		KT_SKIP("one cpu schedules");
	was = thread_bind(&processor_array[0]);
	for (unsigned k = 1; k < processor_count_scheduling() && ok; k++) {
		unsigned base = thread_count();
		uint64_t ipis, t0;
		thread_t t;

		wk_ready = wk_done = 0;
		wk_cpu = ~0u;
		ok = kernel_thread_start_priority(wk_thread, (void *)(uintptr_t)k, 90,
						  TH_MODE_FIXED, &t) == KERN_SUCCESS;
		if (!ok)
			break;
		/* Wait until it sleeps for good (off its CPU), then let CPU k settle idle. */
		ok = kt_wait_count(&wk_ready, 1, 10000 * MS);
		for (int i = 0; ok && i < 1000 && (__atomic_load_n(&t->th_state, __ATOMIC_ACQUIRE) &
						   TH_RUN); i++)
			thread_sleep_ns(MS);
		ok = ok && !(t->th_state & TH_RUN);
		thread_sleep_ns(20 * MS);
		ipis = sched_kt_wakeups(k);
		t0 = clock_uptime_ns();
		ok = ok && thread_wakeup((event_t)&wk_event) == 1;
		ok = ok && kt_wait_count(&wk_done, 1, 10000 * MS);
		if (ok && wk_woke_ns - t0 > worst)
			worst = wk_woke_ns - t0;
		/* CPU k may find the thread before the IPI lands (between two halts, after a
		 * tick): the IPI or kick must still arrive, a little later. */
		for (int i = 0; ok && i < 1000 && sched_kt_wakeups(k) <= ipis; i++)
			thread_sleep_ns(MS);
		if (!ok || wk_cpu != k || sched_kt_wakeups(k) <= ipis) {
			printf("# cpu %u: woke %s, ran on cpu %u, IPIs + kicks %llu -> %llu\n", k,
			       ok ? "yes" : "no", wk_cpu, (unsigned long long)ipis,
			       (unsigned long long)sched_kt_wakeups(k));
			ok = false;
		}
		thread_deallocate(t);
		ok = ok && kt_wait_reaped(base);
	}
	(void)thread_bind(was);
	KT_ASSERT(ok);
	printf("# figure: cross-cpu wakeup through the reschedule IPI or PV kick: worst %llu us "
	       "(%llu kicks so far on cpu 1)\n", (unsigned long long)(worst / 1000),
	       (unsigned long long)processor_array[1].p_kicks);
}

/*
 * Create and reap on every CPU at once: one creator bound to each CPU starts up to 1,000
 * short threads (which inherit its binding); the thread and task zones end where they began.
 */
static volatile unsigned cr_done, cr_creators;
static volatile bool cr_failed;
static uint64_t cr_end;

static void
cr_child(void *arg, wait_result_t wr)
{
	__atomic_fetch_add(&cr_done, 1, __ATOMIC_RELAXED);
}

static void
cr_creator(void *arg, wait_result_t wr)
{
	thread_t t;

	(void)thread_bind(&processor_array[(uintptr_t)arg]);
	for (unsigned i = 0; i < 1000 && clock_uptime_ns() < cr_end; i++) {
		if (kernel_thread_start_priority(cr_child, NULL, 40, TH_MODE_FIXED, &t) !=
		    KERN_SUCCESS) {
			cr_failed = true;
			break;
		}
		thread_deallocate(t);
		if (i % 50 == 49)
			thread_yield();
	}
	kt_count_up(&cr_creators);
}

KTEST(sched_smp_create_reap_all_cpus)
{
	struct zone_info zt0, zt1, zk0, zk1;
	zone_t tz = zone_find("threads"), kz = zone_find("tasks");
	unsigned ncpu = processor_count_scheduling(), base = thread_count();
	uint64_t t0, dt;
	thread_t t;

	if (ncpu < 2)
		KT_SKIP("one cpu schedules");
	KT_ASSERT(tz != NULL && kz != NULL);
	zone_get_info(tz, &zt0);
	zone_get_info(kz, &zk0);
	cr_done = cr_creators = 0;
	cr_failed = false;
	t0 = clock_uptime_ns();
	cr_end = t0 + 3000 * MS;
	for (unsigned i = 0; i < ncpu; i++) {
		KT_ASSERT_EQ(kernel_thread_start_priority(cr_creator, (void *)(uintptr_t)i, 50,
							  TH_MODE_FIXED, &t), KERN_SUCCESS);
		thread_deallocate(t);
	}
	KT_ASSERT(kt_wait_count(&cr_creators, ncpu, 60000 * MS));
	KT_ASSERT(!cr_failed);
	KT_ASSERT(kt_wait_reaped(base));
	dt = clock_uptime_ns() - t0;
	zone_get_info(tz, &zt1);
	zone_get_info(kz, &zk1);
	KT_ASSERT_EQ(zt1.zi_count, zt0.zi_count);
	KT_ASSERT_EQ(zk1.zi_count, zk0.zi_count);
	printf("# figure: thread create+reap on %u cpus: %llu per second (%u threads)\n", ncpu,
	       (unsigned long long)(cr_done * 1000000000ULL / (dt ? dt : 1)), cr_done);
}

/*
 * Context switches per second with two threads yielding to each other on every CPU, for 200 ms.
 */
static volatile unsigned cs_done, cs_ready;
static volatile uint64_t cs_end;
static int cs_go;

static void
cs_thread(void *arg, wait_result_t wr)
{
	(void)thread_bind(&processor_array[(uintptr_t)arg]);
	assert_wait((event_t)&cs_go, THREAD_UNINT);
	kt_count_up(&cs_ready);
	thread_block(NULL);
	while (clock_uptime_ns() < cs_end)
		thread_yield();
	kt_count_up(&cs_done);
}

KTEST(sched_smp_context_switch_rate)
{
	unsigned ncpu = processor_count_scheduling(), base = thread_count();
	uint64_t s0, t0, dt, ds;
	thread_t t;

	if (ncpu < 2)
		KT_SKIP("one cpu schedules");
	cs_done = cs_ready = 0;
	cs_end = ~0ULL;
	for (unsigned i = 0; i < 2 * ncpu; i++) {
		KT_ASSERT_EQ(kernel_thread_start_priority(cs_thread, (void *)(uintptr_t)(i / 2), 85,
							  TH_MODE_FIXED, &t), KERN_SUCCESS);
		thread_deallocate(t);
	}
	KT_ASSERT(kt_wait_count(&cs_ready, 2 * ncpu, 10000 * MS));
	s0 = sched_context_switches_all();
	t0 = clock_uptime_ns();
	cs_end = t0 + 200 * MS;
	KT_ASSERT_EQ(thread_wakeup((event_t)&cs_go), 2 * ncpu);
	KT_ASSERT(kt_wait_count(&cs_done, 2 * ncpu, 20000 * MS));
	dt = clock_uptime_ns() - t0;
	ds = sched_context_switches_all() - s0;
	KT_ASSERT(ds >= 2 * ncpu);
	printf("# figure: context switches on %u cpus: %llu per second (%llu in %llu ms)\n", ncpu,
	       (unsigned long long)(ds * 1000000000ULL / (dt ? dt : 1)), (unsigned long long)ds,
	       (unsigned long long)(dt / MS));
	KT_ASSERT(kt_wait_reaped(base));
}

/*
 * panic_smp (run only when named: it ends the machine): a thread bound to CPU 1 prints a
 * numbered line every millisecond; once it has printed a few, CPU 0 panics. The panic must
 * stop it (tests/boot/panic-smp.sh reads the log: `panic: stopped 1 of 1 other CPUs` and no
 * spinner line after the panic's own line but the one that may have been on its way).
 */
static volatile unsigned ps_lines;

static void
ps_spinner(void *arg, wait_result_t wr)
{
	(void)arg;
	(void)wr;
	(void)thread_bind(&processor_array[1]);
	for (;;) {
		uint64_t next = clock_uptime_ns() + MS;

		printf("ktest: spinner on cpu %u line %u\n", current_cpu(), ps_lines);
		__atomic_fetch_add(&ps_lines, 1, __ATOMIC_RELEASE);
		while (clock_uptime_ns() < next)
			cpu_pause();
	}
}

KTEST_F(panic_smp, KTEST_EXPLICIT)
{
	uint64_t deadline = clock_uptime_ns() + 5000 * MS;

	if (processor_count_scheduling() < 2)
		KT_SKIP("one CPU");
	(void)thread_bind(&processor_array[0]);
	KT_ASSERT_EQ(kt_start(ps_spinner, NULL, BASEPRI_KERNEL, TH_MODE_FIXED), KERN_SUCCESS);
	while (__atomic_load_n(&ps_lines, __ATOMIC_ACQUIRE) < 5 && clock_uptime_ns() < deadline)
		thread_yield();
	KT_ASSERT(ps_lines >= 5);
	panic("ktest: panic while cpu 1 is busy (spinner at line %u)", ps_lines);
}
