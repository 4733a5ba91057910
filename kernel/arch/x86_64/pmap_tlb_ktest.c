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

/*
 * A user pmap's shootdown asks only the CPUs that have it loaded: CPU 1 loads the pmap and
 * reads a page through it, the mapping is pointed at another page from CPU 0 (where the pmap is
 * not loaded), and CPU 1 must read the new page; a pmap loaded nowhere costs no shootdown at
 * all; and pmap_tlb_evict unloads it from CPU 1, which the thread left without switching back.
 */
#define TLBT_USER_VA 0x50000000UL

KTEST(pmap_tlb_shootdown_per_pmap)
{
	vm_page_t x = vm_page_grab(), y = vm_page_grab();
	uint64_t init0, recv0, init1, recv1, seen;
	struct processor *was;
	unsigned tries = 0;
	pmap_t p, q;

	if (processor_count_scheduling() < 2 || x == NULL || y == NULL) {
		if (x != NULL)
			vm_page_release(x);
		if (y != NULL)
			vm_page_release(y);
		KT_SKIP("needs two CPUs and two free pages");
	}
	*(volatile uint64_t *)phystokv(VM_PAGE_TO_PHYS(x)) = 0x1111;
	*(volatile uint64_t *)phystokv(VM_PAGE_TO_PHYS(y)) = 0x2222;
	KT_ASSERT((p = pmap_create()) != NULL && (q = pmap_create()) != NULL);
	KT_ASSERT_EQ(pmap_enter(p, TLBT_USER_VA, VM_PAGE_TO_PHYS(x), VM_PROT_READ, 0),
		     KERN_SUCCESS);

	/* Loaded nowhere: changing a present entry asks nobody (retried if others shoot). */
	KT_ASSERT_EQ(pmap_enter(q, TLBT_USER_VA, VM_PAGE_TO_PHYS(x), VM_PROT_READ, 0),
		     KERN_SUCCESS);
	do {
		pmap_tlb_counts(&init0, &recv0);
		KT_ASSERT_EQ(pmap_enter(q, TLBT_USER_VA, VM_PAGE_TO_PHYS(tries % 2 ? x : y),
					VM_PROT_READ, 0), KERN_SUCCESS);
		pmap_tlb_counts(&init1, &recv1);
	} while (init1 != init0 && ++tries < 3);
	KT_ASSERT_EQ(init1, init0);

	was = thread_bind(&processor_array[1]);
	pmap_activate(p);
	seen = *(volatile uint64_t *)TLBT_USER_VA;
	KT_ASSERT_EQ(__atomic_load_n(&p->pm_cpus, __ATOMIC_SEQ_CST), 1ULL << 1);
	(void)thread_bind(&processor_array[0]);
	KT_ASSERT_EQ(seen, 0x1111);

	pmap_tlb_counts(&init0, &recv0);
	KT_ASSERT_EQ(pmap_enter(p, TLBT_USER_VA, VM_PAGE_TO_PHYS(y), VM_PROT_READ, 0),
		     KERN_SUCCESS);
	pmap_tlb_counts(&init1, &recv1);
	KT_ASSERT(init1 - init0 >= 1 && recv1 - recv0 >= 1);

	(void)thread_bind(&processor_array[1]);
	seen = *(volatile uint64_t *)TLBT_USER_VA;
	(void)thread_bind(&processor_array[0]);
	KT_ASSERT_EQ(seen, 0x2222);

	/* CPU 1 still holds p: evict it from here. */
	KT_ASSERT_EQ(__atomic_load_n(&p->pm_cpus, __ATOMIC_SEQ_CST), 1ULL << 1);
	pmap_tlb_evict(p);
	KT_ASSERT_EQ(__atomic_load_n(&p->pm_cpus, __ATOMIC_SEQ_CST), 0);
	(void)thread_bind(&processor_array[1]);
	KT_ASSERT(pmap_current() == kernel_pmap);
	(void)thread_bind(was);

	pmap_remove(p, TLBT_USER_VA, TLBT_USER_VA + PAGE_SIZE);
	pmap_remove(q, TLBT_USER_VA, TLBT_USER_VA + PAGE_SIZE);
	pmap_destroy(p);
	pmap_destroy(q);
	vm_page_release(x);
	vm_page_release(y);
}
