/*
 * pmap_as.c — address spaces on x86-64: per-pmap four-level page tables, pv lists, and the
 * referenced/modified bits the pageout daemon reads.
 *
 * Follows the Intel SDM vol. 3A ch. 4 (§4.5 4-level paging; §4.8 accessed and dirty flags;
 * §4.10.4 invalidating the TLB) and the Mach pmap interface (Mach 3.0 / XNU osfmk/vm/pmap.h):
 * the machine-independent VM tells the pmap what to map, the pmap may forget any mapping of a
 * page it is told to protect, and it answers for each physical page where it is mapped.
 *
 * The one idea: the page-table entry is the truth, and whoever atomically turns a present
 * entry into a non-present one owns the removal of its pv entry and the accounting. That lets
 * pmap_page_protect() (pv lock only, reaching into many pmaps) and pmap_remove() (pm_lock,
 * then the pv lock) race without a lock order inversion: the loser of the exchange sees a
 * cleared or different entry and leaves it alone. Page-table pages are freed only when the
 * pmap is destroyed, after every pv entry that could lead into them is gone.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap_internal.h>
#include <arch/x86_64/pmap_tlb.h>
#include <mach/kern/processor.h>
#include <console.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <panic.h>

/* A mapping of a managed page: on the page's vmp_pv list. */
struct pv_entry {
	struct pv_entry *pv_next;
	pmap_t pv_pmap;
	vaddr_t pv_va;
};

static lck_spin_t pmap_pv_lock = LCK_SPIN_INITIALIZER;
static zone_t pmap_zone, pmap_pv_zone;
uint64_t pmap_pv_count;

/* Make sure the zones exist (the first pmap_create, on the boot CPU). */
static bool
pmap_zones_init(void)
{
	if (pmap_zone == NULL)
		pmap_zone = zinit(sizeof(struct pmap), 0, 0, "pmap");
	if (pmap_pv_zone == NULL)
		pmap_pv_zone = zinit(sizeof(struct pv_entry), 0, 0, "pmap.pv");
	return pmap_zone != NULL && pmap_pv_zone != NULL;
}

static bool
pmap_is_user(pmap_t pmap)
{
	return pmap != kernel_pmap;
}

static bool
pmap_va_ok(pmap_t pmap, vaddr_t va)
{
	if (pmap_is_user(pmap))
		return va < PMAP_USER_TOP;
	return va >= PMAP_KERNEL_MIN;
}

/* Flush va from every TLB that may cache pmap's translations (pmap_tlb.h). */
static void
pmap_tlb_flush(pmap_t pmap, vaddr_t va)
{
	pmap_tlb_shootdown(pmap, va, va + PAGE_SIZE);
}

static paddr_t
pmap_ptp_alloc(pmap_t pmap)
{
	vm_page_t m = vm_page_grab();

	if (m == NULL)
		return 0;
	memset(phystokv(VM_PAGE_TO_PHYS(m)), 0, PAGE_SIZE);
	pmap->pm_ptpages++;
	return VM_PAGE_TO_PHYS(m);
}

static void
pmap_ptp_free(pmap_t pmap, paddr_t pa)
{
	vm_page_t m = PHYS_TO_VM_PAGE(pa);

	if (m == NULL)
		panic("pmap: page-table page %#llx is not managed", (unsigned long long)pa);
	pmap->pm_ptpages--;
	vm_page_release(m);
}

/*
 * The level-1 entry for va, or NULL when a table on the way is missing (then *skip is the size
 * the missing entry covers, so a range walk can jump over it). With alloc, missing tables are
 * created (NULL then means out of memory). A large page on the way (the kernel's direct map)
 * is never a place for a 4 KiB entry: NULL, with *skip its size.
 *   Locks: pm_lock held.
 */
static pt_entry_t *
pmap_pte(pmap_t pmap, vaddr_t va, bool alloc, uint64_t *skip)
{
	pt_entry_t *table = phystokv(pmap->pm_pml4);
	uint64_t up = pmap_is_user(pmap) ? PTE_U : 0;

	for (unsigned l = 4; l > 1; l--) {
		pt_entry_t *e = &table[pte_index(va, l)];
		uint64_t size = 1ULL << (PAGE_SHIFT + 9 * (l - 1));

		if (*e & PTE_PS) {
			if (skip != NULL)
				*skip = size;
			return NULL;
		}
		if (!(*e & PTE_P)) {
			paddr_t ptp;

			if (!alloc || (ptp = pmap_ptp_alloc(pmap)) == 0) {
				if (skip != NULL)
					*skip = size;
				return NULL;
			}
			*e = ptp | PTE_P | PTE_W | up;
		}
		table = phystokv(*e & PTE_ADDR_MASK);
	}
	return &table[pte_index(va, 1)];
}

/* Merge a dying entry's A/D bits into the page's attributes. pv lock held. */
static void
pmap_harvest(vm_page_t m, pt_entry_t old)
{
	if (old & PTE_A)
		m->vmp_pmap_attrs |= PMAP_ATTR_REFERENCED;
	if (old & PTE_D)
		m->vmp_pmap_attrs |= PMAP_ATTR_MODIFIED;
}

/* Take (pmap, va) off m's pv list and free the entry. pv lock held. */
static void
pmap_pv_remove(vm_page_t m, pmap_t pmap, vaddr_t va)
{
	for (struct pv_entry **pp = &m->vmp_pv; *pp != NULL; pp = &(*pp)->pv_next) {
		struct pv_entry *pv = *pp;

		if (pv->pv_pmap == pmap && pv->pv_va == va) {
			*pp = pv->pv_next;
			zfree(pmap_pv_zone, pv);
			pmap_pv_count--;
			return;
		}
	}
	panic("pmap: no pv entry for %#lx in pmap %p (page %#llx)", (unsigned long)va,
	      (void *)pmap, (unsigned long long)VM_PAGE_TO_PHYS(m));
}

/*
 * Finish the removal of an entry this thread cleared (old was present): pv entry, A/D bits,
 * counts. Called with pm_lock held, without the pv lock.
 */
static void
pmap_removed(pmap_t pmap, vaddr_t va, pt_entry_t old)
{
	vm_page_t m = PHYS_TO_VM_PAGE(old & PTE_ADDR_MASK);

	pmap->pm_resident--;
	if (m != NULL && !(old & (PTE_PCD | PTE_PWT))) {
		bool st = pmap_spin_lock_irqsave(&pmap_pv_lock);

		pmap_harvest(m, old);
		pmap_pv_remove(m, pmap, va);
		lck_spin_unlock_irqrestore(&pmap_pv_lock, st);
	}
}

pmap_t
pmap_create(void)
{
	pmap_t pmap;
	pt_entry_t *pml4, *kpml4 = phystokv(kernel_pmap->pm_pml4);

	if (!pmap_zones_init() || (pmap = zalloc(pmap_zone)) == NULL)
		return NULL;
	memset(pmap, 0, sizeof(*pmap));
	lck_spin_init(&pmap->pm_lock);
	pmap->pm_refs = 1;
	pmap->pm_id = pmap_pcid_new_id();
	pmap->pm_pml4 = pmap_ptp_alloc(pmap);
	if (pmap->pm_pml4 == 0) {
		zfree(pmap_zone, pmap);
		return NULL;
	}
	pml4 = phystokv(pmap->pm_pml4);
	for (unsigned i = PMAP_KERNEL_PML4_FIRST; i < 512; i++)
		pml4[i] = kpml4[i];
	return pmap;
}

void
pmap_reference(pmap_t pmap)
{
	__atomic_fetch_add(&pmap->pm_refs, 1, __ATOMIC_RELAXED);
}

/* Free the tables below a level-`level` table entry's page (level 4: the PML4's user half). */
static void
pmap_free_tables(pmap_t pmap, paddr_t table_pa, unsigned level)
{
	pt_entry_t *t = phystokv(table_pa);
	unsigned n = level == 4 ? PMAP_KERNEL_PML4_FIRST : 512;

	for (unsigned i = 0; i < n; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level > 2)
			pmap_free_tables(pmap, t[i] & PTE_ADDR_MASK, level - 1);
		else if (level == 2)
			pmap_ptp_free(pmap, t[i] & PTE_ADDR_MASK);
		t[i] = 0;
	}
	if (level < 4)
		pmap_ptp_free(pmap, table_pa);
}

void
pmap_destroy(pmap_t pmap)
{
	if (pmap == kernel_pmap)
		panic("pmap_destroy: the kernel pmap");
	if (__atomic_sub_fetch(&pmap->pm_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* A CPU a thread left with this pmap loaded (it switched back elsewhere) unloads it. */
	pmap_tlb_evict(pmap);
	if (__atomic_load_n(&pmap->pm_cpus, __ATOMIC_SEQ_CST) != 0)
		panic("pmap_destroy: pmap %p is active on cpus %#llx", (void *)pmap,
		      (unsigned long long)pmap->pm_cpus);
	pmap_remove(pmap, 0, PMAP_USER_TOP);
	pmap_free_tables(pmap, pmap->pm_pml4, 4);
	pmap_ptp_free(pmap, pmap->pm_pml4);
	if (pmap->pm_ptpages != 0 || pmap->pm_resident != 0)
		panic("pmap_destroy: %llu table pages, %llu mappings left",
		      (unsigned long long)pmap->pm_ptpages, (unsigned long long)pmap->pm_resident);
	zfree(pmap_zone, pmap);
}

kern_return_t
pmap_enter(pmap_t pmap, vaddr_t va, paddr_t pa, vm_prot_t prot, unsigned flags)
{
	struct pv_entry *pv = NULL;
	pt_entry_t *pte, npte, old;
	vm_page_t m;
	bool st;

	if ((va & PAGE_MASK) != 0 || (pa & PAGE_MASK) != 0 || !pmap_va_ok(pmap, va) ||
	    (pa & ~PTE_ADDR_MASK) != 0)
		return KERN_INVALID_ADDRESS;
	if (!(prot & VM_PROT_READ)) {
		pmap_remove(pmap, va, va + PAGE_SIZE);
		return KERN_SUCCESS;
	}
	m = (flags & PMAP_NOCACHE) ? NULL : PHYS_TO_VM_PAGE(pa);
	if (m != NULL) {
		/* Allocated before any lock: zalloc takes its own. Freed again if unused. */
		if (!pmap_zones_init() || (pv = zalloc(pmap_pv_zone)) == NULL)
			return KERN_RESOURCE_SHORTAGE;
	}

	npte = pa | PTE_P;
	if (prot & VM_PROT_WRITE)
		npte |= PTE_W;
	if (!(prot & VM_PROT_EXECUTE) && pmap_nx)
		npte |= PTE_NX;
	if (flags & PMAP_NOCACHE)
		npte |= PTE_PCD | PTE_PWT;
	if (pmap_is_user(pmap))
		npte |= PTE_U;
	else if (pmap_pge)
		npte |= PTE_G;

	st = pmap_spin_lock_irqsave(&pmap->pm_lock);
	pte = pmap_pte(pmap, va, true, NULL);
	if (pte == NULL) {
		lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
		if (pv != NULL)
			zfree(pmap_pv_zone, pv);
		return KERN_RESOURCE_SHORTAGE;
	}
	old = *pte;
	if ((old & PTE_P) && (old & PTE_ADDR_MASK) == pa) {
		/* Same page, new protection: keep the pv entry and the A/D bits. */
		npte |= old & (PTE_A | PTE_D);
		if (!__atomic_compare_exchange_n(pte, &old, npte, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			/* pmap_page_protect changed it meanwhile: start over from its value. */
			lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
			if (pv != NULL)
				zfree(pmap_pv_zone, pv);
			return pmap_enter(pmap, va, pa, prot, flags);
		}
		pmap_tlb_flush(pmap, va);
		lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
		if (pv != NULL)
			zfree(pmap_pv_zone, pv);
		return KERN_SUCCESS;
	}
	if (m != NULL) {
		bool pst = pmap_spin_lock_irqsave(&pmap_pv_lock);

		pv->pv_pmap = pmap;
		pv->pv_va = va;
		pv->pv_next = m->vmp_pv;
		m->vmp_pv = pv;
		pmap_pv_count++;
		/* Publish the entry under the pv lock, so a page walk finds both or neither. */
		old = __atomic_exchange_n(pte, npte, __ATOMIC_ACQ_REL);
		lck_spin_unlock_irqrestore(&pmap_pv_lock, pst);
	} else {
		old = __atomic_exchange_n(pte, npte, __ATOMIC_ACQ_REL);
	}
	pmap->pm_resident++;
	if (old & PTE_P) {
		pmap_tlb_flush(pmap, va);
		pmap_removed(pmap, va, old);
	}
	lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
	return KERN_SUCCESS;
}

/*
 * Walk the level-1 entries of [start, end) that have tables, calling fn on each present one.
 * pm_lock held.
 */
static void
pmap_range_walk(pmap_t pmap, vaddr_t start, vaddr_t end,
		void (*fn)(pmap_t, vaddr_t, pt_entry_t *, vm_prot_t), vm_prot_t prot)
{
	vaddr_t va = start;

	while (va < end) {
		uint64_t skip = PAGE_SIZE;
		pt_entry_t *pte = pmap_pte(pmap, va, false, &skip);
		vaddr_t next;

		if (pte != NULL && (*pte & PTE_P))
			fn(pmap, va, pte, prot);
		next = (va + skip) & ~(skip - 1);
		if (next <= va)
			break; /* wrapped past the top of the address space */
		va = next;
	}
}

static void
pmap_remove_one(pmap_t pmap, vaddr_t va, pt_entry_t *pte, vm_prot_t prot)
{
	pt_entry_t old = __atomic_exchange_n(pte, 0, __ATOMIC_ACQ_REL);

	(void)prot;
	if (old & PTE_P) {
		pmap_tlb_flush(pmap, va);
		pmap_removed(pmap, va, old);
	}
}

void
pmap_remove(pmap_t pmap, vaddr_t start, vaddr_t end)
{
	bool st;

	start = trunc_page(start);
	if (pmap_is_user(pmap)) {
		end = MIN(end, PMAP_USER_TOP);
	} else {
		start = MAX(start, PMAP_KERNEL_MIN);
		if (end == 0)
			end = ~(vaddr_t)0; /* to the top of the address space */
	}
	if (start >= end)
		return;
	st = pmap_spin_lock_irqsave(&pmap->pm_lock);
	pmap_range_walk(pmap, start, end, pmap_remove_one, VM_PROT_NONE);
	lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
}

/* The PTE bits to take away for protection prot (which has VM_PROT_READ). */
static uint64_t
pmap_prot_clear(vm_prot_t prot)
{
	return (prot & VM_PROT_WRITE) ? 0 : PTE_W;
}

static uint64_t
pmap_prot_set(vm_prot_t prot)
{
	return (!(prot & VM_PROT_EXECUTE) && pmap_nx) ? PTE_NX : 0;
}

static void
pmap_protect_one(pmap_t pmap, vaddr_t va, pt_entry_t *pte, vm_prot_t prot)
{
	pt_entry_t old = __atomic_load_n(pte, __ATOMIC_ACQUIRE), n;

	do {
		if (!(old & PTE_P))
			return;
		n = (old & ~pmap_prot_clear(prot)) | pmap_prot_set(prot);
		if (n == old)
			return;
	} while (!__atomic_compare_exchange_n(pte, &old, n, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	pmap_tlb_flush(pmap, va);
}

void
pmap_protect(pmap_t pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	bool st;

	if (!(prot & VM_PROT_READ)) {
		pmap_remove(pmap, start, end);
		return;
	}
	start = trunc_page(start);
	if (pmap_is_user(pmap))
		end = MIN(end, PMAP_USER_TOP);
	else
		start = MAX(start, PMAP_KERNEL_MIN);
	if (start >= end)
		return;
	st = pmap_spin_lock_irqsave(&pmap->pm_lock);
	pmap_range_walk(pmap, start, end, pmap_protect_one, prot);
	lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
}

paddr_t
pmap_extract(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *pte;
	paddr_t pa = 0;
	bool st;

	if (pmap == kernel_pmap)
		return pmap_kextract(va);
	if (va >= PMAP_USER_TOP)
		return 0;
	st = pmap_spin_lock_irqsave(&pmap->pm_lock);
	pte = pmap_pte(pmap, va, false, NULL);
	if (pte != NULL && (*pte & PTE_P))
		pa = (*pte & PTE_ADDR_MASK) | (va & PAGE_MASK);
	lck_spin_unlock_irqrestore(&pmap->pm_lock, st);
	return pa;
}

/* The user pmap each CPU's CR3 holds (NULL: the kernel's). */
static pmap_t pmap_active[MAX_CPUS];

pmap_t
pmap_current(void)
{
	bool s = intr_save();
	pmap_t p = pmap_active[current_cpu()];

	intr_restore(s);
	return p != NULL ? p : kernel_pmap;
}

/*
 * The CPU joins the new pmap's set before it loads CR3 and leaves the old one's after, so a
 * shootdown that changed an entry before reading the set either finds this CPU in it or
 * happened before the load (which then reads the new entry).
 */
void
pmap_activate(pmap_t pmap)
{
	bool s = intr_save();
	unsigned me = current_cpu();
	pmap_t old = pmap_active[me], new = pmap == kernel_pmap ? NULL : pmap;

	if (new != NULL)
		__atomic_fetch_or(&new->pm_cpus, 1ULL << me, __ATOMIC_SEQ_CST);
	/* Still loaded: this CPU stayed in pm_cpus, so every shootdown reached it. */
	if ((read_cr3() & PTE_ADDR_MASK) != pmap->pm_pml4)
		write_cr3(pmap_pcid ? pmap_pcid_cr3(pmap, me) : pmap->pm_pml4);
	if (old != NULL && old != new)
		__atomic_fetch_and(&old->pm_cpus, ~(1ULL << me), __ATOMIC_SEQ_CST);
	pmap_active[me] = new;
	intr_restore(s);
}

void
pmap_evict_local(pmap_t pmap)
{
	unsigned me = current_cpu();

	if (pmap_active[me] != pmap)
		return;
	write_cr3(pmap_pcid ? pmap_pcid_cr3(kernel_pmap, me) : kernel_pmap->pm_pml4);
	__atomic_fetch_and(&pmap->pm_cpus, ~(1ULL << me), __ATOMIC_SEQ_CST);
	pmap_active[me] = NULL;
}

/*
 * Per-page operations. The pv lock keeps the list still; each entry's PTE is changed only by
 * compare-and-exchange against a value that still maps m (it may have been replaced or removed
 * by its pmap's owner since the pv entry was made, in which case that owner finishes it).
 */

/* The level-1 entry of a pv mapping, which exists while its pv entry does. pv lock held. */
static pt_entry_t *
pmap_pv_pte(struct pv_entry *pv)
{
	pt_entry_t *pte = pmap_pte(pv->pv_pmap, pv->pv_va, false, NULL);

	if (pte == NULL)
		panic("pmap: pv entry %#lx without a page table", (unsigned long)pv->pv_va);
	return pte;
}

/*
 * pmap_page_protect for one page. With cpus, the TLB flushes are not done but the CPUs that
 * need one are added to *cpus (the caller shoots down once for a batch of pages), and *kern
 * is set when a kernel mapping was among them.
 */
static void
pmap_page_protect_one(vm_page_t m, vm_prot_t prot, uint64_t *cpus, bool *kern)
{
	paddr_t pa = VM_PAGE_TO_PHYS(m);
	struct pv_entry *free = NULL;
	bool st;

	if ((prot & (VM_PROT_READ | VM_PROT_WRITE)) == (VM_PROT_READ | VM_PROT_WRITE))
		return;
	st = pmap_spin_lock_irqsave(&pmap_pv_lock);
	for (struct pv_entry **pp = &m->vmp_pv; *pp != NULL;) {
		struct pv_entry *pv = *pp;
		pt_entry_t *pte = pmap_pv_pte(pv);
		pt_entry_t old = __atomic_load_n(pte, __ATOMIC_ACQUIRE), n;
		bool removed = false;

		for (;;) {
			if (!(old & PTE_P) || (old & PTE_ADDR_MASK) != pa)
				break; /* its pmap's owner is replacing it and will finish */
			if (!(prot & VM_PROT_READ))
				n = 0;
			else
				n = old & ~PTE_W;
			if (__atomic_compare_exchange_n(pte, &old, n, false, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				if (cpus == NULL) {
					pmap_tlb_flush(pv->pv_pmap, pv->pv_va);
				} else if (pv->pv_pmap == kernel_pmap) {
					*cpus = ~0ULL;
					*kern = true;
				} else {
					pmap_pcid_changed(pv->pv_pmap);
					*cpus |= __atomic_load_n(&pv->pv_pmap->pm_cpus,
								 __ATOMIC_SEQ_CST);
				}
				if (n == 0) {
					pmap_harvest(m, old);
					__atomic_fetch_sub(&pv->pv_pmap->pm_resident, 1,
							   __ATOMIC_RELAXED);
					removed = true;
				}
				break;
			}
		}
		if (removed) {
			*pp = pv->pv_next;
			pv->pv_next = free;
			free = pv;
			pmap_pv_count--;
		} else {
			pp = &pv->pv_next;
		}
	}
	lck_spin_unlock_irqrestore(&pmap_pv_lock, st);
	while (free != NULL) {
		struct pv_entry *pv = free;

		free = pv->pv_next;
		zfree(pmap_pv_zone, pv);
	}
}

void
pmap_page_protect(vm_page_t m, vm_prot_t prot)
{
	pmap_page_protect_one(m, prot, NULL, NULL);
}

void
pmap_disconnect_batch(vm_page_t *pages, unsigned n)
{
	uint64_t cpus = 0;
	bool kern = false;

	for (unsigned i = 0; i < n; i++)
		pmap_page_protect_one(pages[i], VM_PROT_NONE, &cpus, &kern);
	/* Past TLB_FLUSH_ALL_PAGES: each CPU asked flushes its whole TLB (its current
	 * context's user entries, or everything when a kernel mapping went) once. */
	pmap_tlb_shootdown_cpus(cpus, 0, kern ? ~(vaddr_t)0 : PMAP_USER_TOP);
}

/* Whether any mapping of m has PTE bit `bit`, or the page's attributes have `attr`. */
static bool
pmap_page_test(vm_page_t m, uint64_t bit, uint8_t attr)
{
	bool st, found;

	st = pmap_spin_lock_irqsave(&pmap_pv_lock);
	found = (m->vmp_pmap_attrs & attr) != 0;
	for (struct pv_entry *pv = m->vmp_pv; pv != NULL && !found; pv = pv->pv_next) {
		pt_entry_t e = __atomic_load_n(pmap_pv_pte(pv), __ATOMIC_ACQUIRE);

		found = (e & PTE_P) && (e & PTE_ADDR_MASK) == VM_PAGE_TO_PHYS(m) && (e & bit);
	}
	lck_spin_unlock_irqrestore(&pmap_pv_lock, st);
	return found;
}

/* Clear PTE bit `bit` in every mapping of m and `attr` in its attributes. */
static void
pmap_page_clear(vm_page_t m, uint64_t bit, uint8_t attr)
{
	bool st;

	st = pmap_spin_lock_irqsave(&pmap_pv_lock);
	m->vmp_pmap_attrs &= (uint8_t)~attr;
	for (struct pv_entry *pv = m->vmp_pv; pv != NULL; pv = pv->pv_next) {
		pt_entry_t *pte = pmap_pv_pte(pv);
		pt_entry_t old = __atomic_load_n(pte, __ATOMIC_ACQUIRE);

		while ((old & PTE_P) && (old & PTE_ADDR_MASK) == VM_PAGE_TO_PHYS(m) &&
		       (old & bit)) {
			if (__atomic_compare_exchange_n(pte, &old, old & ~bit, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				/*
				 * A cached translation with D set would write without setting it
				 * again: flush. One with A set only delays the next reference
				 * bit until the entry leaves the TLB, which ages the page a
				 * little slower (Linux does the same, ptep_clear_flush_young on
				 * x86): no shootdown for that.
				 */
				if (bit != PTE_A)
					pmap_tlb_flush(pv->pv_pmap, pv->pv_va);
				break;
			}
		}
	}
	lck_spin_unlock_irqrestore(&pmap_pv_lock, st);
}

bool
pmap_is_referenced(vm_page_t m)
{
	return pmap_page_test(m, PTE_A, PMAP_ATTR_REFERENCED);
}

bool
pmap_is_modified(vm_page_t m)
{
	return pmap_page_test(m, PTE_D, PMAP_ATTR_MODIFIED);
}

void
pmap_clear_reference(vm_page_t m)
{
	pmap_page_clear(m, PTE_A, PMAP_ATTR_REFERENCED);
}

void
pmap_clear_modify(vm_page_t m)
{
	pmap_page_clear(m, PTE_D, PMAP_ATTR_MODIFIED);
}

bool
pmap_page_is_mapped(vm_page_t m)
{
	return __atomic_load_n(&m->vmp_pv, __ATOMIC_ACQUIRE) != NULL;
}

void
pmap_zero_page(paddr_t pa)
{
	memset(phystokv(pa), 0, PAGE_SIZE);
}

void
pmap_copy_page(paddr_t src, paddr_t dst)
{
	memcpy(phystokv(dst), phystokv(src), PAGE_SIZE);
}
