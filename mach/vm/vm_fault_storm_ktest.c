/*
 * vm_fault_storm_ktest.c — the fault storm: one thread bound to each CPU, all in one map,
 * fault the same large anonymous region at once. First zero fill: every thread writes its own
 * word of every page, each starting at a different page, so the faults on a page race (busy
 * pages, "another fault made it meanwhile"). Then copy-on-write: the region is copied in the
 * same map (vm_map_copy_region) and every thread writes its word of every page of the copy
 * and, in the same pass, of every 32nd page of the source, so copies up both sides of the
 * shadow chains race, and with the shootdowns that replacing source mappings sends.
 * Every word of both sides is checked afterwards; nothing is leaked. Prints faults per second
 * over all CPUs (the closing figure).
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/processor.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_param.h>

#define FS_MIN	     0x20000000UL
#define FS_MAX_PAGES 512 /* 2 MiB: nested KVM (shadow paging) takes ~4 ms a fault */
/*
 * Every FS_SRC_EVERY-th page is written on the source side too: copying a page up there
 * replaces a mapping every CPU may cache, one shootdown each, which under TCG with more
 * vCPUs than host cores costs milliseconds apiece.
 */
#define FS_SRC_EVERY 32
#define FS_WORDS     (PAGE_SIZE / 8)
#define FS_SRC_WORD  64   /* + thread: its word in the source after the copy */
#define FS_DST_WORD  128  /* + thread: and in the copy */

struct fs_worker {
	vm_map_t fw_map;
	unsigned fw_cpu, fw_ncpu;
	uint64_t fw_npages;
	volatile uint64_t *fw_src, *fw_dst;
	volatile unsigned *fw_go, *fw_done;
};

static uint64_t
fs_word(uint64_t page, unsigned word)
{
	return (page << 20) ^ ((uint64_t)word << 8) ^ 0xf5;
}

/*
 * Sleep until the test reaches phase (one wakeup starts every worker). Sleeping, not spinning:
 * a worker spinning at kernel priority on the test thread's CPU could keep it from ever
 * setting the phase.
 */
static void
fs_wait_phase(volatile unsigned *go, unsigned phase)
{
	for (;;) {
		assert_wait((event_t)go, THREAD_UNINT);
		if (__atomic_load_n(go, __ATOMIC_ACQUIRE) >= phase) {
			(void)clear_wait(current_thread(), THREAD_AWAKENED);
			return;
		}
		(void)thread_block(NULL);
	}
}

static void
fs_set_phase(volatile unsigned *go, unsigned phase)
{
	__atomic_store_n(go, phase, __ATOMIC_RELEASE);
	thread_wakeup((event_t)go);
}

/* Wait for each phase, then fault the pages. */
static void
fs_worker_run(void *arg, wait_result_t wr)
{
	struct fs_worker *w = arg;
	uint64_t n = w->fw_npages, first = n * w->fw_cpu / w->fw_ncpu;
	unsigned k = w->fw_cpu;

	(void)wr;
	(void)thread_bind(&processor_array[k]);
	vm_map_switch(w->fw_map);
	fs_wait_phase(w->fw_go, 1);
	for (uint64_t j = 0; j < n; j++) {
		uint64_t i = (first + j) % n;

		w->fw_src[i * FS_WORDS + k] = fs_word(i, k);
	}
	kt_count_up(w->fw_done);
	fs_wait_phase(w->fw_go, 2);
	for (uint64_t j = 0; j < n; j++) {
		uint64_t i = (first + j) % n;

		w->fw_dst[i * FS_WORDS + FS_DST_WORD + k] = fs_word(i, FS_DST_WORD + k);
		if (i % FS_SRC_EVERY == 0)
			w->fw_src[i * FS_WORDS + FS_SRC_WORD + k] = fs_word(i, FS_SRC_WORD + k);
	}
	vm_map_switch(NULL);
	(void)thread_bind(NULL);
	kt_count_up(w->fw_done);
}

/*
 * Count the words of page i of p that differ from what they should hold: the zero-fill pass's
 * words, and (own) the words this side's copy-on-write pass wrote at own_base.
 */
static unsigned
fs_check_page(volatile uint64_t *p, uint64_t i, unsigned ncpu, unsigned own_base, bool own)
{
	unsigned bad = 0;

	for (unsigned k = 0; k < FS_WORDS; k++) {
		uint64_t want = 0;

		if (k < ncpu || (own && k >= own_base && k < own_base + ncpu))
			want = fs_word(i, k);
		bad += p[i * FS_WORDS + k] != want;
	}
	return bad;
}

KTEST(vm_fault_storm_all_cpus)
{
	static struct fs_worker w[MAX_CPUS];
	unsigned ncpu = processor_count_scheduling(), bad = 0;
	uint64_t objs0 = vm_object_count, ents0 = vm_map_entry_count, npages, t0, t_zero, t_cow;
	uint64_t zf0, cow0, busy0;
	volatile unsigned go = 0, done = 0;
	vaddr_t a = FS_MIN, d;
	vm_map_t map;
	pmap_t p;

	if (ncpu > FS_SRC_WORD)
		ncpu = FS_SRC_WORD;
	/*
	 * Three copies of the region must fit well inside free memory. Past two CPUs the region
	 * shrinks: TCG runs the vCPUs on fewer host cores, where every lock hand-over and
	 * shootdown waits for a host time slice.
	 */
	npages = MIN((uint64_t)FS_MAX_PAGES * 2 / MAX(ncpu, 2u), vm_page_free_count / 8);
	KT_ASSERT((p = pmap_create()) != NULL);
	KT_ASSERT((map = vm_map_create(p, FS_MIN, PMAP_USER_TOP)) != NULL);
	KT_ASSERT_EQ(vm_map_enter(map, &a, ptoa(npages), VM_FLAGS_ANYWHERE, NULL, 0, false,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY), KERN_SUCCESS);
	vm_map_switch(map);
	for (unsigned k = 0; k < ncpu; k++) {
		w[k] = (struct fs_worker){ map, k, ncpu, npages, (volatile uint64_t *)a, NULL,
					   &go, &done };
		KT_ASSERT_EQ(kt_start(fs_worker_run, &w[k], BASEPRI_KERNEL, TH_MODE_FIXED),
			     KERN_SUCCESS);
	}
	zf0 = vm_fault_stats.vfs_zero_fill;
	busy0 = vm_fault_stats.vfs_busy_waits;
	t0 = clock_uptime_ns();
	fs_set_phase(&go, 1);
	KT_ASSERT(kt_wait_count(&done, ncpu, 120 * 1000 * 1000 * 1000ULL));
	t_zero = clock_uptime_ns() - t0;
	KT_ASSERT_EQ(vm_fault_stats.vfs_zero_fill - zf0, npages);
	for (uint64_t i = 0; i < npages; i++)
		bad += fs_check_page((volatile uint64_t *)a, i, ncpu, 0, false);
	KT_ASSERT_EQ(bad, 0);

	KT_ASSERT_EQ(vm_map_copy_region(map, a, ptoa(npages), map, &d), KERN_SUCCESS);
	for (unsigned k = 0; k < ncpu; k++)
		w[k].fw_dst = (volatile uint64_t *)d;
	cow0 = vm_fault_stats.vfs_cow;
	t0 = clock_uptime_ns();
	fs_set_phase(&go, 2);
	KT_ASSERT(kt_wait_count(&done, 2 * ncpu, 120 * 1000 * 1000 * 1000ULL));
	t_cow = clock_uptime_ns() - t0;
	/* The copy copies every page up once (or takes it over, once the source has copied). */
	KT_ASSERT(vm_fault_stats.vfs_cow - cow0 >= npages - npages / FS_SRC_EVERY);
	for (uint64_t i = 0; i < npages; i++) {
		bad += fs_check_page((volatile uint64_t *)a, i, ncpu, FS_SRC_WORD,
				     i % FS_SRC_EVERY == 0);
		bad += fs_check_page((volatile uint64_t *)d, i, ncpu, FS_DST_WORD, true);
	}
	printf("# vm_fault_storm: %u cpus, %llu pages: %llu zero-fill faults/s, %llu COW faults/s,"
	       " %llu busy waits, %u bad words\n", ncpu, (unsigned long long)npages,
	       (unsigned long long)(t_zero ? npages * 1000000000ULL / t_zero : 0),
	       (unsigned long long)(t_cow ? (vm_fault_stats.vfs_cow - cow0) * 1000000000ULL /
						    t_cow : 0),
	       (unsigned long long)(vm_fault_stats.vfs_busy_waits - busy0), bad);
	KT_ASSERT_EQ(bad, 0);
	KT_ASSERT(vm_map_check(map));
	vm_map_switch(NULL);
	vm_map_deallocate(map);
	pmap_destroy(p);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT_EQ(vm_map_entry_count, ents0);
	KT_ASSERT(vm_page_queues_check());
}
