/*
 * pmap_as_ktest.c — in-kernel self-tests of address spaces: enter/extract/remove/protect on a
 * fresh pmap, running on it and touching a user-half address through it, NX and global bits,
 * referenced/modified bits through the pv list, pmap_page_protect, and no page-table page or pv
 * entry leaked after pmap_destroy (free pages before = after).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define UVA1 0x0000000000400000UL
#define UVA2 0x00007ffffffff000UL /* the last user page: its own PDPT, PD and PT */
#define UVA3 0x0000004000200000UL /* another PML4 slot */

/* Grow the pmap and pv zones once, so that later counts compare like with like. */
static void
pmap_as_ktest_warm(void)
{
	pmap_t p = pmap_create();
	vm_page_t m = vm_page_grab();

	if (p != NULL && m != NULL) {
		for (unsigned i = 0; i < 64; i++)
			(void)pmap_enter(p, UVA1 + ptoa(i), VM_PAGE_TO_PHYS(m), VM_PROT_READ, 0);
	}
	if (p != NULL)
		pmap_destroy(p);
	if (m != NULL)
		vm_page_release(m);
}

KTEST(pmap_as_enter_extract_remove)
{
	uint64_t pv0;
	vm_page_t m1, m2;
	paddr_t pa1, pa2;
	pmap_t p;

	pmap_as_ktest_warm();
	vm_kt_account_begin();
	pv0 = pmap_pv_count;
	p = pmap_create();
	m1 = vm_page_grab();
	m2 = vm_page_grab();
	KT_ASSERT(p != NULL && m1 != NULL && m2 != NULL);
	pa1 = VM_PAGE_TO_PHYS(m1);
	pa2 = VM_PAGE_TO_PHYS(m2);

	KT_ASSERT_EQ(pmap_extract(p, UVA1), 0);
	KT_ASSERT_EQ(pmap_enter(p, UVA1, pa1, VM_PROT_DEFAULT, 0), KERN_SUCCESS);
	KT_ASSERT_EQ(pmap_enter(p, UVA2, pa1, VM_PROT_READ, 0), KERN_SUCCESS);
	KT_ASSERT_EQ(pmap_enter(p, UVA3, pa2, VM_PROT_ALL, 0), KERN_SUCCESS);
	KT_ASSERT_EQ(pmap_extract(p, UVA1 + 0x123), pa1 + 0x123);
	KT_ASSERT_EQ(pmap_extract(p, UVA2), pa1);
	KT_ASSERT_EQ(pmap_extract(p, UVA3), pa2);
	KT_ASSERT_EQ(pmap_extract(p, UVA1 + PAGE_SIZE), 0);
	KT_ASSERT_EQ(p->pm_resident, 3);
	KT_ASSERT_EQ(pmap_pv_count, pv0 + 3);
	KT_ASSERT(pmap_page_is_mapped(m1));

	/* Bad addresses are refused, not mapped. */
	KT_ASSERT_EQ(pmap_enter(p, PMAP_USER_TOP, pa1, VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
	KT_ASSERT_EQ(pmap_enter(p, UVA1 + 1, pa1, VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
	KT_ASSERT_EQ(pmap_enter(kernel_pmap, UVA1, pa1, VM_PROT_READ, 0), KERN_INVALID_ADDRESS);

	/* Replacing a mapping moves its pv entry from one page to the other. */
	KT_ASSERT_EQ(pmap_enter(p, UVA2, pa2, VM_PROT_READ, 0), KERN_SUCCESS);
	KT_ASSERT_EQ(pmap_extract(p, UVA2), pa2);
	KT_ASSERT_EQ(p->pm_resident, 3);
	KT_ASSERT_EQ(pmap_pv_count, pv0 + 3);

	/* The kernel half is shared: the direct map resolves through the new pmap too. */
	KT_ASSERT_EQ(pmap_extract(kernel_pmap, (vaddr_t)phystokv(pa1)), pa1);

	pmap_remove(p, UVA1, UVA1 + PAGE_SIZE);
	KT_ASSERT_EQ(pmap_extract(p, UVA1), 0);
	KT_ASSERT(!pmap_page_is_mapped(m1));
	pmap_protect(p, 0, PMAP_USER_TOP, VM_PROT_NONE);
	KT_ASSERT_EQ(pmap_extract(p, UVA3), 0);
	KT_ASSERT_EQ(p->pm_resident, 0);
	KT_ASSERT_EQ(pmap_pv_count, pv0);
	KT_ASSERT(p->pm_ptpages > 1);

	pmap_destroy(p);
	vm_page_release(m1);
	vm_page_release(m2);
	VM_KT_ASSERT_BALANCE(0);
}

KTEST(pmap_as_switch_and_touch)
{
	volatile uint64_t *uva = (volatile uint64_t *)UVA1;
	uint64_t nx = pmap_nx_enabled() ? PTE_NX : 0;
	struct pmap_lookup l;
	uint64_t *kva;
	vm_page_t m;
	pmap_t p;

	pmap_as_ktest_warm();
	vm_kt_account_begin();
	p = pmap_create();
	m = vm_page_grab();
	KT_ASSERT(p != NULL && m != NULL);
	kva = phystokv(VM_PAGE_TO_PHYS(m));
	kva[0] = 0x1111;
	kva[1] = 0;
	KT_ASSERT_EQ(pmap_enter(p, UVA1, VM_PAGE_TO_PHYS(m), VM_PROT_DEFAULT, 0), KERN_SUCCESS);
	KT_ASSERT(!pmap_is_referenced(m));
	KT_ASSERT(!pmap_is_modified(m));

	pmap_activate(p);
	KT_ASSERT(pmap_current() == p);
	KT_ASSERT_EQ(read_cr3() & PTE_ADDR_MASK, p->pm_pml4);
	/* Read through the user address: referenced, not modified. */
	KT_ASSERT_EQ(uva[0], 0x1111);
	KT_ASSERT(pmap_is_referenced(m));
	KT_ASSERT(!pmap_is_modified(m));
	/* Write: modified, and the write lands in the physical page. */
	uva[1] = 0x2222;
	KT_ASSERT(pmap_is_modified(m));
	KT_ASSERT_EQ(kva[1], 0x2222);

	/* The leaf is user, writable, NX (no execute asked), not global. */
	KT_ASSERT(pmap_kernel_lookup(UVA1, &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_U | PTE_W | PTE_NX | PTE_G), PTE_U | PTE_W | nx);
	/* Kernel text is still mapped and global while this pmap runs. */
	KT_ASSERT(pmap_kernel_lookup((vaddr_t)pmap_enter, &l));
	KT_ASSERT_EQ(l.pl_flags & PTE_U, 0);

	pmap_clear_modify(m);
	pmap_clear_reference(m);
	KT_ASSERT(!pmap_is_modified(m));
	KT_ASSERT(!pmap_is_referenced(m));
	KT_ASSERT_EQ(uva[1], 0x2222);
	KT_ASSERT(pmap_is_referenced(m));
	KT_ASSERT(!pmap_is_modified(m));

	/* Write-protect every mapping of the page (copy-on-write does this). */
	pmap_page_protect(m, VM_PROT_READ);
	KT_ASSERT(pmap_kernel_lookup(UVA1, &l));
	KT_ASSERT_EQ(l.pl_flags & PTE_W, 0);
	/* pmap_protect to read+execute: still read-only, now executable. */
	pmap_enter(p, UVA1, VM_PAGE_TO_PHYS(m), VM_PROT_DEFAULT, 0);
	pmap_protect(p, UVA1, UVA1 + PAGE_SIZE, VM_PROT_READ);
	KT_ASSERT(pmap_kernel_lookup(UVA1, &l));
	KT_ASSERT_EQ(l.pl_flags & (PTE_W | PTE_NX), nx);

	/* The A/D bits of a removed mapping stay with the page. */
	KT_ASSERT_EQ(pmap_enter(p, UVA1, VM_PAGE_TO_PHYS(m), VM_PROT_DEFAULT, 0), KERN_SUCCESS);
	pmap_clear_modify(m);
	uva[0] = 3;
	pmap_page_protect(m, VM_PROT_NONE);
	KT_ASSERT(!pmap_page_is_mapped(m));
	KT_ASSERT_EQ(pmap_extract(p, UVA1), 0);
	KT_ASSERT(pmap_is_modified(m));
	KT_ASSERT_EQ(kva[0], 3);

	pmap_activate(kernel_pmap);
	KT_ASSERT(pmap_current() == kernel_pmap);
	pmap_destroy(p);
	vm_page_release(m);
	VM_KT_ASSERT_BALANCE(0);
}

/* Many pages over many page tables: destroy gives every table page back. */
KTEST(pmap_as_destroy_frees_tables)
{
	uint64_t pv0;
	vm_page_t m;
	pmap_t p;

	pmap_as_ktest_warm();
	vm_kt_account_begin();
	pv0 = pmap_pv_count;
	p = pmap_create();
	m = vm_page_grab();
	KT_ASSERT(p != NULL && m != NULL);
	/* One page in each of 40 page tables spread over PDPTs and PML4 slots. */
	for (unsigned i = 0; i < 40; i++) {
		vaddr_t va = ((vaddr_t)i << 39) + ((vaddr_t)i << 30) + ((vaddr_t)i << 21);

		KT_ASSERT_EQ(pmap_enter(p, va, VM_PAGE_TO_PHYS(m), VM_PROT_READ, 0), KERN_SUCCESS);
	}
	KT_ASSERT_EQ(p->pm_ptpages, 1 + 40 * 3);
	KT_ASSERT_EQ(pmap_pv_count, pv0 + 40);
	/* Destroy with the mappings still there: it removes them itself. */
	pmap_destroy(p);
	KT_ASSERT(!pmap_page_is_mapped(m));
	KT_ASSERT_EQ(pmap_pv_count, pv0);
	vm_page_release(m);
	VM_KT_ASSERT_BALANCE(0);
}
