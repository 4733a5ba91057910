/*
 * vm_page.h — the resident page table: one struct vm_page per managed physical page, and the
 * physical page allocator over them (a binary buddy allocator, after Knuth, TAOCP vol. 1 §2.5).
 *
 * The one idea: every page of usable RAM has a vm_page, found from its physical address by
 * PHYS_TO_VM_PAGE(); free pages sit on per-order free queues in naturally aligned blocks of
 * 2^order pages, so a single page and an aligned contiguous run are both a queue pop away, and a
 * released block merges with its free buddy back into larger blocks.
 */
#ifndef _MACH_VM_VM_PAGE_H_
#define _MACH_VM_VM_PAGE_H_

#include <boot/bootinfo.h>
#include <libkern/libkern.h>
#include <mach/vm/vm_types.h>

/* Largest free block: 2^VM_PAGE_MAX_ORDER pages (4 MiB). */
#define VM_PAGE_MAX_ORDER 10

/* Most discontiguous runs of managed memory (after holes and reserved ranges are cut out). */
#define VM_PAGE_MAX_SEGS 64

struct pv_entry;
struct vm_object;
struct zone;

/* vmp_state */
enum vm_page_state {
	VM_PAGE_FREE = 1,	/* in a free block (its head or inside it) */
	VM_PAGE_ALLOCATED,	/* handed out by vm_page_grab*() */
};

/* vmp_flags */
#define VM_PAGE_F_FREEQ	 0x0001 /* head of a free block, on vm_page_freeq[vmp_order] */
#define VM_PAGE_F_ZONE	 0x0002 /* backs a zone: vmp_zone and vmp_zone_off are valid */
#define VM_PAGE_F_KALLOC 0x0004 /* head of a large kalloc block of 2^vmp_order pages */
#define VM_PAGE_F_PCACHE 0x0008 /* free, held by a CPU's page cache (on no free queue) */

struct vm_page {
	struct vm_page *vmp_next; /* queue linkage: free queue now, VM page queues later */
	struct vm_page *vmp_prev;
	paddr_t vmp_phys;
	union {
		struct {		   /* pageable memory (the VM issue) */
			struct vm_object *vmp_object;
			uint64_t vmp_offset;
		};
		struct {		   /* kernel allocator memory */
			struct zone *vmp_zone;
			uint64_t vmp_zone_off; /* byte offset of this page in its zone chunk */
		};
	};
	struct vm_page *vmp_hnext;  /* vm_object: resident-page hash chain */
	struct pv_entry *vmp_pv;    /* pmap: the mappings of this page (pmap pv lock) */
	uint32_t vmp_wire_count;
	uint16_t vmp_flags;
	uint8_t vmp_state;
	uint8_t vmp_order; /* free: block order (valid with F_FREEQ); allocated: order grabbed */
	uint8_t vmp_queue; /* vm_object: the VM page queue it is on (enum vm_page_queue) */
	uint8_t vmp_pmap_attrs; /* pmap: referenced/modified bits of mappings already removed */
	uint16_t vmp_vmflags;	/* vm_object: VM_PAGE_VM_* */
};

typedef struct vm_page *vm_page_t;

/* A physical range [vpr_start, vpr_end) that must never be handed out. */
struct vm_phys_range {
	paddr_t vpr_start;
	paddr_t vpr_end;
};

extern uint64_t vm_page_free_count;   /* pages on the free queues */
extern uint64_t vm_page_total_count;  /* pages managed (free + allocated) */
extern uint64_t vm_page_wire_count;   /* pages allocated (kernel memory is wired) */
extern uint64_t vm_page_array_pages;  /* pages the vm_page array itself takes */

/*
 * Accounting for tests (vm_ktest_util.h): while vm_page_account_match is set and answers true,
 * pages grabbed add to vm_page_account_delta and pages released subtract from it. Called
 * under the allocator's spin lock: it must only compare.
 */
extern bool (*vm_page_account_match)(void);
extern int64_t vm_page_account_delta;

/*
 * vm_page_bootstrap: build the vm_page array and the free queues from the loader's memory map.
 *   mem/nmem: the memory map; entries may be unsorted, overlapping, empty or wrapping (bad ones
 *             are dropped with a warning); only BOOT_MEM_RAM not covered by another entry type
 *             or by reserved[] becomes managed. RAM is taken in whole pages.
 *   The array itself is carved from managed RAM below PHYSMAP_EARLY_LIMIT (it must be reachable
 *   through the boot direct map). With too little RAM it manages fewer (possibly no) pages and
 *   says so; the caller decides whether that is fatal.
 *   Call once, single-threaded, before any other vm_page function.
 */
void vm_page_bootstrap(const struct boot_mem_region *mem, unsigned nmem,
		       const struct vm_phys_range *reserved, unsigned nreserved);

/*
 * vm_page_grab: take one free page (from this CPU's cache when it has one).
 *   Locks:   takes this CPU's cache lock and at times the vm_page lock (irqsave); callable
 *            from interrupt context.
 *   Returns: an allocated page (vmp_wire_count 1, contents undefined), or NULL when none is free.
 */
vm_page_t vm_page_grab(void);

/*
 * vm_page_grab_below: vm_page_grab() for a page whose physical address is below limit. Slow
 * (searches the free queues): for the pmap bootstrap, which can only reach the first 4 GiB.
 *   Returns: the page, or NULL when no free page lies below limit.
 */
vm_page_t vm_page_grab_below(paddr_t limit);

/*
 * vm_page_release: give back a page from vm_page_grab*(). Releasing a free or unmanaged page,
 * or the head of a larger block, is a kernel bug (panic).
 */
void vm_page_release(vm_page_t m);

/*
 * vm_page_grab_contig: take 2^order physically contiguous pages, aligned to 2^order pages.
 *   Returns: the first page (the others follow it in physical order and in the array), or NULL
 *            when order > VM_PAGE_MAX_ORDER or no such block is free.
 */
vm_page_t vm_page_grab_contig(unsigned order);

/* vm_page_release_contig: give back a block from vm_page_grab_contig(order), same order. */
void vm_page_release_contig(vm_page_t m, unsigned order);

/*
 * vm_page_drain_caches: give every CPU's cached free pages back to the buddy lists, so they
 * can merge. Any context that may take spin locks; done by the allocator itself when it finds
 * nothing else and by vm_page_free_blocks().
 */
void vm_page_drain_caches(void);

/* The page that describes pa, or NULL when pa is not managed memory. Lock-free (read-only). */
vm_page_t PHYS_TO_VM_PAGE(paddr_t pa);

static inline paddr_t
VM_PAGE_TO_PHYS(vm_page_t m)
{
	return m->vmp_phys;
}

/* Print `mem:` lines: managed, free, wired, the array, and the free blocks per order. */
void vm_page_print_stats(void);

/* Free blocks of each order (for tests and stats); counts[0..VM_PAGE_MAX_ORDER]. */
void vm_page_free_blocks(uint64_t counts[VM_PAGE_MAX_ORDER + 1]);

#endif /* _MACH_VM_VM_PAGE_H_ */
