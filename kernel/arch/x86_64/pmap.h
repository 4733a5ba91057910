/*
 * pmap.h — the machine-dependent half of virtual memory: x86-64 page tables for the kernel.
 *
 * Kernel address space (ARCHITECTURE.md, "Boot"):
 *   0xffff800000000000  direct map of physical memory (PHYSMAP_BASE + pa), write-back, NX
 *   0xfffffe0000000000  kernel stacks (pmap_kenter), 4 KiB pages with unmapped guards, NX
 *   0xffffffff00000000  device window (pmap_mapdev), 2 GiB, uncached, NX
 *   0xffffffff80000000  the kernel image (KERNEL_BASE + pa), 4 KiB pages, W^X by section
 * Nothing is mapped in the lower half: NULL and every user address fault in the kernel.
 */
#ifndef _ARCH_X86_64_PMAP_H_
#define _ARCH_X86_64_PMAP_H_

#include <boot/bootinfo.h>
#include <libkern/libkern.h>

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

#endif /* _ARCH_X86_64_PMAP_H_ */
