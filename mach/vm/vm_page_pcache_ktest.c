/*
 * vm_page_pcache_ktest.c — the per-CPU page caches under contention: a thread on every CPU
 * takes pages, stamps them with its own tag, gives half of them to the next CPU's thread to
 * release (so pages cross caches), checks its stamps, and releases the rest. A page handed to
 * two owners at once shows as a stamp that changed under its owner.
 */
#include <console.h>
#include <ktest.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define PC_ROUNDS 200
#define PC_PAGES  48

static volatile unsigned pc_done;
static unsigned pc_ncpu;
static uint64_t pc_bad;
/* Per CPU: pages handed to the next CPU to release (a one-slot mailbox of PC_PAGES / 2). */
static vm_page_t pc_mail[MAX_CPUS][PC_PAGES / 2];
static volatile unsigned pc_mail_full[MAX_CPUS];

static void
pc_stamp(vm_page_t m, uint64_t tag)
{
	uint64_t *w = phystokv(VM_PAGE_TO_PHYS(m));

	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 64)
		w[i] = tag ^ i;
}

static bool
pc_check(vm_page_t m, uint64_t tag)
{
	const uint64_t *w = phystokv(VM_PAGE_TO_PHYS(m));

	for (unsigned i = 0; i < PAGE_SIZE / 8; i += 64)
		if (w[i] != (tag ^ i))
			return false;
	return true;
}

static void
pc_worker(void *arg, wait_result_t wr)
{
	unsigned cpu = (unsigned)(uintptr_t)arg, next = (cpu + 1) % pc_ncpu;
	vm_page_t mine[PC_PAGES];

	(void)wr;
	(void)thread_bind(&processor_array[cpu]);
	for (unsigned r = 0; r < PC_ROUNDS; r++) {
		unsigned got = 0;

		for (; got < PC_PAGES; got++) {
			if ((mine[got] = vm_page_grab()) == NULL)
				break;
			pc_stamp(mine[got], (uint64_t)cpu << 48 | r << 16 | got);
		}
		for (unsigned i = 0; i < got; i++)
			if (!pc_check(mine[i], (uint64_t)cpu << 48 | r << 16 | i))
				__atomic_fetch_add(&pc_bad, 1, __ATOMIC_RELAXED);
		/* Release what the previous CPU mailed us, then mail half of ours on. */
		if (__atomic_load_n(&pc_mail_full[cpu], __ATOMIC_ACQUIRE)) {
			for (unsigned i = 0; i < PC_PAGES / 2; i++)
				if (pc_mail[cpu][i] != NULL)
					vm_page_release(pc_mail[cpu][i]);
			__atomic_store_n(&pc_mail_full[cpu], 0, __ATOMIC_RELEASE);
		}
		/* Only we fill next's mailbox and only next empties it: decide once per round. */
		bool mail = !__atomic_load_n(&pc_mail_full[next], __ATOMIC_ACQUIRE);

		for (unsigned i = 0; i < got; i++) {
			if (mail && i < PC_PAGES / 2)
				pc_mail[next][i] = mine[i];
			else
				vm_page_release(mine[i]);
		}
		if (mail) {
			for (unsigned i = got; i < PC_PAGES / 2; i++)
				pc_mail[next][i] = NULL;
			__atomic_store_n(&pc_mail_full[next], 1, __ATOMIC_RELEASE);
		}
	}
	kt_count_up(&pc_done);
}

KTEST(vm_page_pcache_all_cpus)
{
	unsigned base = thread_count();

	pc_ncpu = processor_count_scheduling();
	pc_done = 0;
	pc_bad = 0;
	for (unsigned c = 0; c < MAX_CPUS; c++)
		pc_mail_full[c] = 0;
	for (unsigned c = 0; c < pc_ncpu; c++)
		KT_ASSERT_EQ(kt_start(pc_worker, (void *)(uintptr_t)c, 80, TH_MODE_FIXED),
			     KERN_SUCCESS);
	KT_ASSERT(kt_wait_count(&pc_done, pc_ncpu, 60000000000ULL));
	/* What is still in a mailbox is released here. */
	for (unsigned c = 0; c < pc_ncpu; c++)
		if (pc_mail_full[c])
			for (unsigned i = 0; i < PC_PAGES / 2; i++)
				if (pc_mail[c][i] != NULL)
					vm_page_release(pc_mail[c][i]);
	KT_ASSERT(kt_wait_reaped(base));
	printf("# %u cpus x %u rounds x %u pages, %llu stamps changed under their owner\n",
	       pc_ncpu, PC_ROUNDS, PC_PAGES, (unsigned long long)pc_bad);
	KT_ASSERT_EQ(pc_bad, 0);
}
