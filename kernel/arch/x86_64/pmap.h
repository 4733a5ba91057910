/*
 * pmap.h — the machine-dependent half of virtual memory: x86-64 page tables for the kernel.
 *
 * Kernel address space (ARCHITECTURE.md, "Boot"):
 *   0xffff800000000000  direct map of physical memory (PHYSMAP_BASE + pa), write-back, NX
 *   0xfffffe0000000000  kernel stacks (pmap_kenter), 4 KiB pages with unmapped guards, NX
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
#include <mach/vm/pmap.h>
#include <mach/vm/vm_types.h>

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
#define PMAP_KSTACK_BASE 0xfffffe0000000000UL /* kernel stacks with guard pages, 512 GiB */
#define PMAP_KSTACK_END	 0xfffffe8000000000UL
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

/*
 * pmap_kenter: map the 4 KiB page pa at va in the kernel stack window, read-write, NX.
 *   Locks:   takes the pmap lock (irqsave).
 *   Returns: false when va is outside the window or page tables cannot be allocated.
 */
bool pmap_kenter(vaddr_t va, paddr_t pa);

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
	uint64_t pm_cpus;	/* CPUs whose CR3 holds it (bit per CPU; set before the load) */
	uint64_t pm_id;		/* unique, never reused: whose translations a PCID holds */
	uint64_t pm_tlb_gen;	/* bumped by every change that needs a flush (pmap_pcid.c) */
};

/* PCID use since boot (pmap_pcid.c): loads that kept a PCID's translations, that lent a PCID
 * to a pmap anew, and that found a pmap's PCID stale (changed meanwhile) and flushed it. */
struct pmap_pcid_stats {
	uint64_t pps_kept, pps_lent, pps_stale;
};
extern struct pmap_pcid_stats pmap_pcid_stats;

extern struct pmap kernel_pmap_store;
/* pv entries in use (for tests: counts before = after). */
extern uint64_t pmap_pv_count;

#endif /* _ARCH_X86_64_PMAP_H_ */
