/*
 * vm_page_ktest.c — in-kernel self-tests of the physical page allocator on the machine's real
 * memory: single pages and every contiguous order, written and read back through the direct
 * map, and the counters restored afterwards.
 */
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define VM_KTEST_PAGES 512

KTEST(vm_page_grab_release)
{
	static vm_page_t pages[VM_KTEST_PAGES];
	int64_t bal;

	vm_kt_account_begin();
	for (unsigned i = 0; i < VM_KTEST_PAGES; i++) {
		pages[i] = vm_page_grab();
		KT_ASSERT(pages[i] != NULL);
		KT_ASSERT(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(pages[i])) == pages[i]);
		KT_ASSERT((VM_PAGE_TO_PHYS(pages[i]) & PAGE_MASK) == 0);
		/* Tag each page with its address: a page handed out twice is overwritten. */
		uint64_t *w = phystokv(VM_PAGE_TO_PHYS(pages[i]));
		for (unsigned j = 0; j < PAGE_SIZE / 8; j++)
			w[j] = VM_PAGE_TO_PHYS(pages[i]) ^ j;
	}
	(void)vm_kt_account_balance(&bal); /* the daemon never frees grabbed pages */
	KT_ASSERT_EQ(bal, VM_KTEST_PAGES);
	for (unsigned i = 0; i < VM_KTEST_PAGES; i++) {
		const uint64_t *w = phystokv(VM_PAGE_TO_PHYS(pages[i]));
		for (unsigned j = 0; j < PAGE_SIZE / 8; j++)
			KT_ASSERT_EQ(w[j], VM_PAGE_TO_PHYS(pages[i]) ^ j);
	}
	for (unsigned i = 0; i < VM_KTEST_PAGES; i++) {
		vm_page_release(pages[i]);
		KT_ASSERT_EQ(pages[i]->vmp_state, VM_PAGE_FREE);
	}
	(void)vm_kt_account_balance(&bal);
	vm_kt_account_end();
	KT_ASSERT_EQ(bal, 0);
}

KTEST(vm_page_contig)
{
	uint64_t before[VM_PAGE_MAX_ORDER + 1];
	int64_t bal;
	vm_page_t big;

	vm_page_free_blocks(before);
	vm_kt_account_begin();
	for (unsigned order = 0; order <= VM_PAGE_MAX_ORDER; order++) {
		vm_page_t m = vm_page_grab_contig(order);
		uint64_t n = 1ULL << order;

		if (m == NULL && before[VM_PAGE_MAX_ORDER] == 0) {
			vm_kt_account_end();
			KT_SKIP("no free block of the largest order");
		}
		KT_ASSERT(m != NULL);
		KT_ASSERT_EQ(atop(VM_PAGE_TO_PHYS(m)) & (n - 1), 0);
		for (uint64_t i = 0; i < n; i++)
			KT_ASSERT_EQ(VM_PAGE_TO_PHYS(&m[i]), VM_PAGE_TO_PHYS(m) + ptoa(i));
		memset(phystokv(VM_PAGE_TO_PHYS(m)), 0x3c, ptoa(n));
		KT_ASSERT_EQ(*(uint8_t *)phystokv(VM_PAGE_TO_PHYS(m) + ptoa(n) - 1), 0x3c);
		vm_page_release_contig(m, order);
		KT_ASSERT_EQ(m[n - 1].vmp_state, VM_PAGE_FREE);
	}
	KT_ASSERT(vm_page_grab_contig(VM_PAGE_MAX_ORDER + 1) == NULL);
	/* The pieces split off the largest blocks merged back: one is still there. */
	KT_ASSERT((big = vm_page_grab_contig(VM_PAGE_MAX_ORDER)) != NULL);
	vm_page_release_contig(big, VM_PAGE_MAX_ORDER);
	(void)vm_kt_account_balance(&bal);
	vm_kt_account_end();
	KT_ASSERT_EQ(bal, 0);
}

KTEST(vm_page_unmanaged)
{
	extern char _kernel_phys_start[];

	KT_ASSERT(PHYS_TO_VM_PAGE(0) == NULL);
	KT_ASSERT(PHYS_TO_VM_PAGE(0x9f000) == NULL);
	KT_ASSERT(PHYS_TO_VM_PAGE((paddr_t)_kernel_phys_start) == NULL);
	KT_ASSERT(PHYS_TO_VM_PAGE(kvtophys(&vm_page_free_count)) == NULL);
	KT_ASSERT(PHYS_TO_VM_PAGE(0xfec00000) == NULL);
	vm_page_print_stats();
}
