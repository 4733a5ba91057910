/*
 * pmap_tlb_ktest.c — a TLB shootdown reaches every CPU: each CPU reads a kernel page through a
 * mapping (so its TLB may hold it), the mapping is pointed at another page, and after
 * pmap_tlb_shootdown() every CPU must read the new page, none the stale one.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/pmap_tlb.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

/* A page near the end of the kernel-stack window, which kstack.c fills from the start. */
#define TLBT_VA (PMAP_KSTACK_END - 16 * PAGE_SIZE)
#define TLBT_ROUNDS 8

/* The level-1 entry for va in the current tables (which pmap_kenter filled). */
static volatile uint64_t *
tlbt_leaf(vaddr_t va)
{
	uint64_t *table = phystokv(read_cr3() & PTE_ADDR_MASK);

	for (unsigned l = 4; l > 1; l--) {
		uint64_t e = table[(va >> (12 + 9 * (l - 1))) & 511];

		if (!(e & PTE_P))
			return NULL;
		table = phystokv(e & PTE_ADDR_MASK);
	}
	return &table[(va >> 12) & 511];
}

/* Read the test page on every CPU in turn; true when each saw want. */
static bool
tlbt_read_everywhere(uint64_t want)
{
	struct processor *was = NULL;
	bool ok = true;

	for (unsigned i = 0; i < processor_count_scheduling(); i++) {
		struct processor *prev = thread_bind(&processor_array[i]);
		uint64_t v = *(volatile uint64_t *)TLBT_VA;

		if (i == 0)
			was = prev;
		if (v != want) {
			printf("# cpu %u read %#llx, want %#llx\n", i, (unsigned long long)v,
			       (unsigned long long)want);
			ok = false;
		}
	}
	(void)thread_bind(was);
	return ok;
}

KTEST(pmap_tlb_shootdown_all_cpus)
{
	static vm_page_t home; /* the page TLBT_VA maps between runs (never released) */
	vm_page_t other = vm_page_grab();
	volatile uint64_t *leaf;
	uint64_t init0, recv0, init1, recv1, pte;
	paddr_t pa[2];
	bool ok = true;

	if (other == NULL)
		KT_SKIP("no free page");
	if (home == NULL) {
		home = vm_page_grab();
		if (home == NULL || !pmap_kenter(TLBT_VA, VM_PAGE_TO_PHYS(home))) {
			vm_page_release(other);
			KT_ASSERT(false);
		}
	}
	pa[0] = VM_PAGE_TO_PHYS(home);
	pa[1] = VM_PAGE_TO_PHYS(other);
	leaf = tlbt_leaf(TLBT_VA);
	KT_ASSERT(leaf != NULL && (*leaf & PTE_ADDR_MASK) == pa[0]);
	pte = *leaf;
	pmap_tlb_counts(&init0, &recv0);
	for (unsigned r = 0; r < TLBT_ROUNDS && ok; r++) {
		unsigned from = r & 1, to = from ^ 1;

		*(volatile uint64_t *)phystokv(pa[from]) = 0xa0000000ULL + 2 * r;
		*(volatile uint64_t *)phystokv(pa[to]) = 0xa0000000ULL + 2 * r + 1;
		ok = tlbt_read_everywhere(0xa0000000ULL + 2 * r);
		/* Small ranges flush page by page, odd rounds flush everything. */
		*leaf = (pte & ~PTE_ADDR_MASK) | pa[to];
		pmap_tlb_shootdown(NULL, TLBT_VA, TLBT_VA + ((r & 1) ? 64 : 1) * PAGE_SIZE);
		ok = ok && tlbt_read_everywhere(0xa0000000ULL + 2 * r + 1);
	}
	/* Back to the home page, everywhere, before the other page goes back to vm_page. */
	*leaf = pte;
	pmap_tlb_shootdown(NULL, TLBT_VA, TLBT_VA + PAGE_SIZE);
	vm_page_release(other);
	pmap_tlb_counts(&init1, &recv1);
	printf("# %llu shootdowns, %llu flushes on other cpus\n",
	       (unsigned long long)(init1 - init0), (unsigned long long)(recv1 - recv0));
	KT_ASSERT(ok);
	KT_ASSERT(init1 - init0 >= TLBT_ROUNDS + 1);
	if (processor_count_scheduling() > 1)
		KT_ASSERT(recv1 - recv0 >= (TLBT_ROUNDS + 1) * (processor_count_scheduling() - 1));
}
