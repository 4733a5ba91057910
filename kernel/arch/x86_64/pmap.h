/*
 * pmap.h — the machine-dependent half of virtual memory: x86-64 page tables for the kernel.
 *
 * Kernel address space (ARCHITECTURE.md, "Boot"):
 *   0xffff800000000000  direct map of physical memory (PHYSMAP_BASE + pa), write-back, NX
 *   0xffffffff00000000  device window (pmap_mapdev), 2 GiB, uncached, NX
 *   0xffffffff80000000  the kernel image (KERNEL_BASE + pa), 4 KiB pages, W^X by section
 * The lower half [0, PMAP_USER_TOP) belongs to address spaces (struct pmap, pmap_as.c): each
 * has its own PML4 whose slots 256..511 are copies of the kernel's, which pmap_bootstrap()
 * fills once so they never change. The kernel pmap itself maps nothing in the lower half, so
 * NULL faults in the kernel.
 */
#ifndef _ARCH_X86_64_PMAP_H_
#define _ARCH_X86_64_PMAP_H_

#include <boot/bootinfo.h>
#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_types.h>

struct vm_page;

/* Page-table entry bits (Intel SDM vol. 3A §4.5, tables 4-15 .. 4-20). */
#define PTE_P	      0x001ULL
#define PTE_W	      0x002ULL
#define PTE_U	      0x004ULL
#define PTE_PWT	      0x008ULL
#define PTE_PCD	      0x010ULL
#define PTE_A	      0x020ULL
#define PTE_D	      0x040ULL
#define PTE_PS	      0x080ULL
#define PTE_G	      0x100ULL
#define PTE_NX	      (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PMAP_USER_TOP	       0x0000800000000000UL /* end of the lower half */
#define PMAP_KERNEL_MIN	       0xffff800000000000UL /* start of the upper half */
#define PMAP_KERNEL_PML4_FIRST 256
#define PMAP_DEVICE_BASE 0xffffffff00000000UL
#define PMAP_DEVICE_END	 0xffffffff80000000UL

/*
 * pmap_bootstrap: build the kernel page tables from the memory map and switch to them.
 * Called once by startup_memory() after vm_page_bootstrap(), on the boot CPU, interrupts off.
 * Page-table pages come from vm_page (below 4 GiB until the switch). Prints one `pmap:` line.
 * Panics when page-table pages cannot be had: the kernel cannot run without its tables.
 */
void pmap_bootstrap(const struct boot_info *bi);

/*
 * pmap_mapdev: map len bytes of device memory at physical address pa, uncached (PCD|PWT),
 * read-write and NX, into the device window, and return the kernel virtual address of pa.
 * A range inside one mapped before returns that mapping again. Never unmapped.
 *   Locks:   takes the pmap lock (irqsave).
 *   Returns: NULL when len is 0, the range wraps, is managed RAM, the window is full, page
 *            tables cannot be allocated, or the pmap is not yet bootstrapped.
 */
void *pmap_mapdev(paddr_t pa, size_t len);

/* The physical address va maps to in the kernel page tables, or 0 when va is not mapped. */
paddr_t pmap_kextract(vaddr_t va);

/* What one kernel virtual address resolves to. */
struct pmap_lookup {
	paddr_t pl_pa;		/* physical address of va */
	uint64_t pl_flags;	/* effective PTE_* bits: W and U ANDed over the walk, NX ORed,
				   PWT/PCD/G/PS from the leaf */
	uint64_t pl_page_size;	/* 4 KiB, 2 MiB or 1 GiB */
};

/* Walk the current page tables for va. Returns false when va is not mapped (or not canonical). */
bool pmap_kernel_lookup(vaddr_t va, struct pmap_lookup *out);

/* Whether the kernel tables use NX (EFER.NXE was on) and 1 GiB pages. */
bool pmap_nx_enabled(void);
bool pmap_gbpages_enabled(void);

/*
 * Address spaces (pmap_as.c).
 *
 * A pmap is one set of four-level page tables. Mappings of managed pages (those with a
 * vm_page) are recorded on the page's pv list, so that the machine-independent VM can ask for
 * and clear the referenced and modified bits of a page, or take away its mappings, without
 * knowing which maps hold it.
 *
 * Locks: each pmap has pm_lock (spin, irqsave); the pv lists share one spin lock, taken after
 * a pm_lock. Nothing here sleeps.
 * XXX: one CPU runs today. When the scheduler brings up the others, every TLB flush here
 * (pmap_tlb_flush in pmap_as.c) must become a shootdown by IPI to the CPUs that have the pmap
 * active (pm_cpus), and the pv lock should be split per page (hashed) to avoid contention.
 * XXX: PCID is not used; every CR3 switch flushes the non-global TLB entries.
 */
struct pmap {
	paddr_t pm_pml4;	/* physical address of the PML4 */
	lck_spin_t pm_lock;
	uint32_t pm_refs;	/* pmap_reference/pmap_destroy */
	uint64_t pm_ptpages;	/* page-table pages, the PML4 included */
	uint64_t pm_resident;	/* 4 KiB leaf mappings made by pmap_enter */
};
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

/* Referenced and modified bits of managed page m, over all its mappings, past and present. */
bool pmap_is_referenced(struct vm_page *m);
bool pmap_is_modified(struct vm_page *m);
void pmap_clear_reference(struct vm_page *m);
void pmap_clear_modify(struct vm_page *m);

/* Whether managed page m has any mapping. */
bool pmap_page_is_mapped(struct vm_page *m);

/* Fill a physical page with zeros; copy one physical page to another (through the direct map). */
void pmap_zero_page(paddr_t pa);
void pmap_copy_page(paddr_t src, paddr_t dst);

/* pv entries in use (for tests: counts before = after). */
extern uint64_t pmap_pv_count;

#endif /* _ARCH_X86_64_PMAP_H_ */
