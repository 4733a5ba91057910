/*
 * vm_pageout_ktest.c — in-kernel self-tests of pageout through the memory-object interface:
 * anonymous pages faulted in, written and left zero, are aged and paged out to the default
 * pager by vm_pageout_scan passes until none is resident, then read back through data_request
 * with every word checked; a copy-on-write sharer sees its own data after its pages went out
 * too; tearing down terminates the pager (the store is empty again) and leaks no page. Prints
 * pageout throughput in pages per second as a figure.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

#define PO_MIN	 0x20000000UL
#define PO_PAGES 128

static uint64_t
po_word(unsigned page, unsigned w)
{
	return ((uint64_t)page << 32) | (w * 2654435761u);
}

/*
 * Fault counters change inside the page-fault trap, which the compiler cannot see from a
 * plain load of user memory: read them with a barrier.
 */
static uint64_t
po_pageins(void)
{
	return __atomic_load_n(&vm_fault_stats.vfs_pageins, __ATOMIC_SEQ_CST);
}

/* Run passes until n pages are freed (at most 8 passes). Returns the pages freed. */
static uint64_t
po_reclaim(uint64_t n)
{
	uint64_t freed = 0;

	for (unsigned pass = 0; pass < 8 && freed < n; pass++)
		freed += vm_pageout_scan(n - freed);
	return freed;
}

static bool
vm_pageout_ktest_cycle(bool print)
{
	volatile uint64_t *a, *c;
	uint64_t t0, t, freed, pageins0;
	vm_map_t map;
	vaddr_t va = PO_MIN, cva = 0;
	pmap_t p = pmap_create();
	bool ok = true;

	if (p == NULL || (map = vm_map_create(p, PO_MIN, PMAP_USER_TOP)) == NULL)
		return false;
	if (vm_map_enter(map, &va, ptoa(PO_PAGES), VM_FLAGS_ANYWHERE, NULL, 0, false,
			 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS)
		return false;
	vm_map_switch(map);
	a = (volatile uint64_t *)va;
	/* Even pages get data in every word; odd pages are only read (zero). */
	for (unsigned i = 0; i < PO_PAGES; i++) {
		for (unsigned w = 0; w < PAGE_SIZE / 8; w++) {
			if (i % 2 == 0)
				a[i * PAGE_SIZE / 8 + w] = po_word(i, w);
			else
				ok = ok && a[i * PAGE_SIZE / 8 + w] == 0;
		}
	}
	/* A copy-on-write sharer of the first 16 pages, written on its first 8. */
	ok = ok && vm_map_copy_region(map, va, ptoa(16), map, &cva) == KERN_SUCCESS;
	c = (volatile uint64_t *)cva;
	for (unsigned i = 0; ok && i < 8; i++)
		c[i * PAGE_SIZE / 8] = 0xc0c0 + i;

	t0 = clock_uptime_ns();
	freed = po_reclaim(PO_PAGES + 8);
	t = clock_uptime_ns() - t0;
	ok = ok && freed == PO_PAGES + 8;
	ok = ok && pmap_extract(p, va) == 0 && pmap_extract(p, cva) == 0;
	if (print)
		printf("# vm_pageout: %llu pages paged out in %llu us (%llu pages/s), store holds "
		       "%llu pages in %llu KiB\n", (unsigned long long)freed,
		       (unsigned long long)(t / 1000),
		       (unsigned long long)(t != 0 ? freed * 1000000000ULL / t : 0),
		       (unsigned long long)default_pager_pages,
		       (unsigned long long)(default_pager_bytes >> 10));

	/* Everything reads back from the pager, word for word. */
	pageins0 = po_pageins();
	for (unsigned i = 0; i < PO_PAGES; i++)
		for (unsigned w = 0; ok && w < PAGE_SIZE / 8; w++)
			ok = a[i * PAGE_SIZE / 8 + w] == (i % 2 == 0 ? po_word(i, w) : 0);
	for (unsigned i = 0; i < 16; i++)
		ok = ok && c[i * PAGE_SIZE / 8] ==
				   (i < 8 ? 0xc0c0 + i : (i % 2 == 0 ? po_word(i, 0) : 0));
	ok = ok && po_pageins() - pageins0 == PO_PAGES + 8;

	vm_map_switch(NULL);
	vm_map_deallocate(map);
	pmap_destroy(p);
	ok = ok && default_pager_pages == 0 && default_pager_bytes == 0;
	return ok;
}

KTEST(vm_pageout_default_pager)
{
	uint64_t objs0 = vm_object_count;
	bool ok;

	KT_ASSERT(vm_pageout_ktest_cycle(false));
	vm_kt_account_begin();
	ok = vm_pageout_ktest_cycle(true);
	/* The cycle runs the scan itself (not the daemon): what it freed comes back here too. */
	VM_KT_ASSERT_BALANCE(0);
	KT_ASSERT(ok);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT(vm_page_queues_check());
}
