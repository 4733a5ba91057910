/*
 * vm_swap_ktest.c — in-kernel self-test of paging to a swap device: an anonymous region three
 * times the size of memory, in a map of its own, is written word by word (the pageout daemon
 * must launder pages to swap as faults run out of free pages), then read back and every word
 * checked (pages come back from swap through data_request clusters), then torn down (every swap
 * slot is freed). Prints page-out and page-in counts and rates as figures. Skips without a swap
 * device; tests/boot/swap.sh boots a small guest with one so that it runs.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

#define SW_MIN 0x40000000UL

static uint64_t
sw_word(uint64_t page, unsigned w)
{
	return (page << 20) ^ (w * 0x9e3779b1u) ^ 0x5a5a000000000000ULL;
}

static uint64_t
sw_rate(uint64_t n, uint64_t ns)
{
	return ns != 0 ? n * 1000000000ULL / ns : 0;
}

/*
 * The test touches its map from this thread, and a fault may sleep (vm_page_wait, swap I/O);
 * the map is the thread's (vm_map_switch), so the switch loads its pmap wherever it wakes. It
 * stays bound to CPU 0 all the same, as it was written.
 */
KTEST_ON_CPU0(vm_swap_working_set_larger_than_ram)
{
	struct default_pager_swap_stats s0, s1, s2;
	uint64_t npages, t0, t_write, t_read, objs0 = vm_object_count, bad = 0;
	volatile uint64_t *a;
	vaddr_t va = SW_MIN;
	struct vm_kt_region reg;

	if (!default_pager_has_swap())
		KT_SKIP("no swap device (swap= or a Linux swap partition)");
	default_pager_swap_stats(&s0);
	npages = 3 * vm_page_total_count;
	if (npages > (s0.dss_slots - s0.dss_used) * 3 / 4)
		KT_SKIP("the swap device is too small for three times memory");
	KT_ASSERT(vm_kt_region_create(&reg, SW_MIN, npages));
	va = reg.kr_va;
	a = (volatile uint64_t *)va;

	t0 = clock_uptime_ns();
	for (uint64_t i = 0; i < npages; i++) {
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++)
			a[i * (PAGE_SIZE / 8) + w] = sw_word(i, w);
	}
	t_write = clock_uptime_ns() - t0;
	default_pager_swap_stats(&s1);

	t0 = clock_uptime_ns();
	for (uint64_t i = 0; i < npages; i++)
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++)
			bad += a[i * (PAGE_SIZE / 8) + w] != sw_word(i, w);
	t_read = clock_uptime_ns() - t0;
	default_pager_swap_stats(&s2);

	printf("# vm_swap: %llu pages (%llu MiB, memory %llu MiB): %llu page-outs, %llu page-ins "
	       "(%llu pagein requests), %llu bad words\n", (unsigned long long)npages,
	       (unsigned long long)(ptoa(npages) >> 20),
	       (unsigned long long)(ptoa(vm_page_total_count) >> 20),
	       (unsigned long long)(s2.dss_pageouts - s0.dss_pageouts),
	       (unsigned long long)(s2.dss_pageins - s0.dss_pageins),
	       (unsigned long long)vm_fault_stats.vfs_pagein_requests,
	       (unsigned long long)bad);
	printf("# vm_swap: write pass %llu pages/s, read-back pass %llu pages/s; %llu page-out "
	       "writes; daemon freed %llu, %llu vm_page_wait sleeps\n",
	       (unsigned long long)sw_rate(npages, t_write),
	       (unsigned long long)sw_rate(npages, t_read),
	       (unsigned long long)(s2.dss_writes - s0.dss_writes),
	       (unsigned long long)vm_pageout_stats.vps_freed,
	       (unsigned long long)vm_pageout_stats.vps_waits);
	KT_ASSERT_EQ(bad, 0);
	/* Most of the region had to go out while it was written, and come back to be read. */
	KT_ASSERT(s1.dss_pageouts - s0.dss_pageouts >= npages / 2);
	KT_ASSERT(s2.dss_pageins - s1.dss_pageins >= npages / 2);
	KT_ASSERT_EQ(s2.dss_errors, s0.dss_errors);

	vm_kt_region_destroy(&reg);
	default_pager_swap_stats(&s2);
	KT_ASSERT_EQ(s2.dss_used, s0.dss_used);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(vm_page_queues_check());
	vm_pageout_print_stats();
}

/*
 * A swap device with fewer free slots than the dirty pages pageout is asked to reclaim: the
 * page-outs that find it full fail (an error, counted and logged once, not a panic), those
 * pages stay resident and dirty, and every page still reads back what was written. Needs a
 * small device (tests/boot/swap-full.sh: 1 MiB); skips on a large one.
 */
KTEST_ON_CPU0(vm_swap_full_is_an_error)
{
	struct default_pager_swap_stats s0, s1;
	uint64_t npages, freed = 0, failed0 = vm_pageout_stats.vps_return_failed, bad = 0;
	uint64_t objs0 = vm_object_count;
	volatile uint64_t *a;
	vaddr_t va = SW_MIN;
	struct vm_kt_region reg;

	if (!default_pager_has_swap())
		KT_SKIP("no swap device (swap= or a Linux swap partition)");
	default_pager_swap_stats(&s0);
	if (s0.dss_slots - s0.dss_used > 4096)
		KT_SKIP("the swap device is too large to fill quickly");
	npages = s0.dss_slots - s0.dss_used + 64;
	KT_ASSERT(vm_kt_region_create(&reg, SW_MIN, npages));
	va = reg.kr_va;
	a = (volatile uint64_t *)va;
	for (uint64_t i = 0; i < npages; i++)
		for (unsigned w = 0; w < PAGE_SIZE / 8; w += 64)
			a[i * (PAGE_SIZE / 8) + w] = sw_word(i, w);
	for (unsigned pass = 0; pass < 8 && freed < npages; pass++)
		freed += vm_pageout_scan(npages - freed);
	default_pager_swap_stats(&s1);
	printf("# vm_swap_full: %llu dirty pages, %llu slots: %llu paged out, %llu refused\n",
	       (unsigned long long)npages, (unsigned long long)(s0.dss_slots - s0.dss_used),
	       (unsigned long long)freed,
	       (unsigned long long)(vm_pageout_stats.vps_return_failed - failed0));
	KT_ASSERT_EQ(s1.dss_used, s1.dss_slots);
	KT_ASSERT(s1.dss_full > s0.dss_full);
	KT_ASSERT(vm_pageout_stats.vps_return_failed > failed0);
	KT_ASSERT(freed < npages);
	for (uint64_t i = 0; i < npages; i++)
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++)
			bad += a[i * (PAGE_SIZE / 8) + w] != (w % 64 == 0 ? sw_word(i, w) : 0);
	KT_ASSERT_EQ(bad, 0);
	vm_kt_region_destroy(&reg);
	default_pager_swap_stats(&s1);
	KT_ASSERT_EQ(s1.dss_used, s0.dss_used);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(vm_page_queues_check());
}

/*
 * Two threads on whatever CPUs the scheduler gives them fault over one region twice the size
 * of memory, interleaved page by page (so their read-ahead clusters and the daemon's laundry
 * meet on the same pages), write every word, then read every word back.
 */
struct sw_worker {
	volatile uint64_t *sw_base;
	uint64_t sw_npages;
	unsigned sw_id;
	uint64_t sw_bad;
	volatile unsigned *sw_done;
	vm_map_t sw_map; /* each thread runs in the map itself (vm_map_switch is per thread) */
};

static void
sw_worker_run(void *arg, wait_result_t wr)
{
	struct sw_worker *w = arg;

	(void)wr;
	vm_map_switch(w->sw_map);
	for (uint64_t i = w->sw_id; i < w->sw_npages; i += 2)
		for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
			w->sw_base[i * (PAGE_SIZE / 8) + k] = sw_word(i, k);
	for (uint64_t i = w->sw_id; i < w->sw_npages; i += 2)
		for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
			w->sw_bad += w->sw_base[i * (PAGE_SIZE / 8) + k] != sw_word(i, k);
	vm_map_switch(NULL);
	kt_count_up(w->sw_done);
}

KTEST(vm_swap_two_threads_share_a_region)
{
	struct default_pager_swap_stats s0, s1;
	struct sw_worker w[2];
	volatile unsigned done = 0;
	uint64_t npages, objs0 = vm_object_count, waits0 = vm_fault_stats.vfs_busy_waits;
	vaddr_t va = SW_MIN;
	struct vm_kt_region reg;
	vm_map_t map;

	if (!default_pager_has_swap())
		KT_SKIP("no swap device (swap= or a Linux swap partition)");
	default_pager_swap_stats(&s0);
	npages = 2 * vm_page_total_count;
	if (npages > (s0.dss_slots - s0.dss_used) * 3 / 4)
		KT_SKIP("the swap device is too small for twice memory");
	KT_ASSERT(vm_kt_region_create(&reg, SW_MIN, npages));
	va = reg.kr_va;
	map = reg.kr_map;
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct sw_worker){ (volatile uint64_t *)va, npages, i, 0, &done, map };
		KT_ASSERT_EQ(kt_start(sw_worker_run, &w[i], BASEPRI_KERNEL, TH_MODE_FIXED),
			     KERN_SUCCESS);
	}
	KT_ASSERT(kt_wait_count(&done, 2, 300 * 1000 * 1000 * 1000ULL));
	default_pager_swap_stats(&s1);
	printf("# vm_swap_threads: %llu pages, %llu page-outs, %llu page-ins, %llu busy waits, "
	       "%llu bad words\n", (unsigned long long)npages,
	       (unsigned long long)(s1.dss_pageouts - s0.dss_pageouts),
	       (unsigned long long)(s1.dss_pageins - s0.dss_pageins),
	       (unsigned long long)(vm_fault_stats.vfs_busy_waits - waits0),
	       (unsigned long long)(w[0].sw_bad + w[1].sw_bad));
	KT_ASSERT_EQ(w[0].sw_bad + w[1].sw_bad, 0);
	KT_ASSERT(s1.dss_pageouts - s0.dss_pageouts >= npages / 4);
	KT_ASSERT(s1.dss_pageins > s0.dss_pageins);
	vm_kt_region_destroy(&reg);
	default_pager_swap_stats(&s1);
	KT_ASSERT_EQ(s1.dss_used, s0.dss_used);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(vm_page_queues_check());
}
