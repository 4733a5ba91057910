/*
 * pmap.h (machine-independent) — the interface the portable VM uses to reach the machine's page
 * tables (after Mach 3.0 / XNU osfmk/vm/pmap.h). The x86-64 implementation and struct pmap are in
 * kernel/arch/x86_64/pmap.h and pmap_as.c; hosted unit tests of the portable VM provide their
 * own recording versions of these functions.
 *
 * The one idea: the pmap is a cache of what the vm_map says. The VM may ask it to forget any
 * mapping at any time (pmap_page_protect, pmap_remove) and refills it on the next fault.
 */
#ifndef _MACH_VM_PMAP_H_
#define _MACH_VM_PMAP_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_types.h>

struct vm_page;
struct pmap;
typedef struct pmap *pmap_t;

extern struct pmap kernel_pmap_store;
#define kernel_pmap (&kernel_pmap_store)

/* pmap_enter flags */
#define PMAP_NOCACHE 0x1 /* uncached (PCD|PWT): device memory */

/* Bits of vmp_pmap_attrs and of pmap_page_attrs() */
#define PMAP_ATTR_REFERENCED 0x1
#define PMAP_ATTR_MODIFIED   0x2

/*
 * pmap_create: a new, empty address space whose upper half is the kernel's.
 *   Returns: the pmap with one reference, or NULL when memory is short.
 */
pmap_t pmap_create(void);

/* pmap_reference: take one more reference on pmap. */
void pmap_reference(pmap_t pmap);

/*
 * pmap_destroy: drop one reference; the last one removes every mapping and frees the page-table
 * pages and the pmap. The last reference must not be dropped while the pmap is active on a CPU
 * (a kernel bug: panic). The kernel pmap is never destroyed.
 */
void pmap_destroy(pmap_t pmap);

/*
 * pmap_enter: map the page at pa at va (both page aligned) with protection prot, replacing
 * whatever va mapped before. VM_PROT_NONE is pmap_remove of that page. User pmaps take
 * va < PMAP_USER_TOP only (mapped user-accessible); the kernel pmap va >= PMAP_KERNEL_MIN
 * (mapped global). Without VM_PROT_EXECUTE the page is NX (when the CPU has NX).
 *   Locks:   takes pm_lock, then the pv lock for a managed page.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS for a va outside the pmap's half or not
 *            aligned; KERN_RESOURCE_SHORTAGE when a page-table page or pv entry cannot be had
 *            (nothing changed then).
 */
kern_return_t pmap_enter(pmap_t pmap, vaddr_t va, paddr_t pa, vm_prot_t prot, unsigned flags);

/* pmap_remove: unmap every page in [start, end) (page aligned; unmapped pages are skipped). */
void pmap_remove(pmap_t pmap, vaddr_t start, vaddr_t end);

/*
 * pmap_protect: reduce the protection of the pages mapped in [start, end) to prot (only ever
 * takes rights away: pages keep write or execute only if prot has them). VM_PROT_NONE removes.
 */
void pmap_protect(pmap_t pmap, vaddr_t start, vaddr_t end, vm_prot_t prot);

/* pmap_extract: the physical address va maps to in pmap, or 0 when it is not mapped. */
paddr_t pmap_extract(pmap_t pmap, vaddr_t va);

/* pmap_activate: load pmap's tables on this CPU (CR3), when they are not already loaded. */
void pmap_activate(pmap_t pmap);

/* The pmap whose tables this CPU runs on (the kernel pmap when none of the others). */
pmap_t pmap_current(void);

/*
 * pmap_page_protect: reduce every mapping of managed page m to prot; VM_PROT_NONE (or no
 * VM_PROT_READ) removes them all. For copy-on-write (write-protect) and reclaim (remove).
 *   Locks:   takes the pv lock; pm_lock of no pmap may be held.
 */
void pmap_page_protect(struct vm_page *m, vm_prot_t prot);
/*
 * pmap_disconnect_batch: pmap_page_protect(pages[i], VM_PROT_NONE) for n pages with one TLB
 * shootdown at the end instead of one per mapping (the pageout scan). The referenced/modified
 * bits are final once it returns.
 *   Locks:   as pmap_page_protect.
 */
void pmap_disconnect_batch(struct vm_page **pages, unsigned n);

/* Referenced and modified bits of managed page m, over all its mappings, past and present. */
bool pmap_is_referenced(struct vm_page *m);
bool pmap_is_modified(struct vm_page *m);
void pmap_clear_reference(struct vm_page *m);
void pmap_clear_modify(struct vm_page *m);

/* Whether managed page m has any mapping. */
bool pmap_page_is_mapped(struct vm_page *m);

/*
 * pmap_spin_lock_irqsave: lck_spin_lock_irqsave(l) for a lock whose holder may shoot down TLB
 * entries (the pmap's own locks; vm_object_lock_all and a map's vm_lock, held over
 * pmap_page_protect and pmap_remove). While it spins with interrupts off, this CPU answers
 * shootdown requests, so a holder waiting for every CPU's answer never waits on it.
 *   Returns: the interrupt state for lck_spin_unlock_irqrestore.
 */
bool pmap_spin_lock_irqsave(lck_spin_t *l);

/* Fill a physical page with zeros; copy one physical page to another (through the direct map). */
void pmap_zero_page(paddr_t pa);
void pmap_copy_page(paddr_t src, paddr_t dst);

#endif /* _MACH_VM_PMAP_H_ */
