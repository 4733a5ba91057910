/*
 * zalloc.h — Mach zones: pools of fixed-size kernel objects (Mach 3.0 kern/zalloc.c; XNU
 * osfmk/kern/zalloc.h), grown a chunk of physical pages at a time.
 */
#ifndef _MACH_KERN_ZALLOC_H_
#define _MACH_KERN_ZALLOC_H_

#include <libkern/libkern.h>
#include <mach/vm/vm_types.h>

typedef struct zone *zone_t;

/* What zone_get_info() reports. */
struct zone_info {
	const char *zi_name;
	vm_size_t zi_elem_size;	 /* bytes per element, as rounded by zinit */
	vm_size_t zi_alloc_size; /* bytes per chunk */
	vm_size_t zi_max_size;	 /* 0: unlimited */
	uint64_t zi_count;	 /* elements in use */
	uint64_t zi_free_count;	 /* elements on the free list */
	uint64_t zi_pages;	 /* pages the zone holds */
};

/* Smallest element: a free element holds a link and a cookie. */
#define ZONE_MIN_ELEM 16

/*
 * zone_bootstrap: create the zone of zones. Call once, after vm_page_bootstrap().
 */
void zone_bootstrap(void);

/*
 * zinit: create a zone of elements of `size` bytes (rounded up to 8, at least ZONE_MIN_ELEM),
 * holding at most `max` bytes (0: no limit), grown `alloc` bytes at a time (rounded up to a
 * power-of-two number of pages; 0: chosen for little waste). name is kept, not copied.
 *   Locks:   none held on entry; takes the zone list lock.
 *   Returns: the zone, or NULL (size 0 or above 2^VM_PAGE_MAX_ORDER pages, or no memory).
 */
zone_t zinit(vm_size_t size, vm_size_t max, vm_size_t alloc, const char *name);

/*
 * zalloc: take one element (contents undefined). Never sleeps.
 *   Locks:   takes the zone lock (irqsave), then the vm_page lock to grow.
 *   Returns: the element, or NULL when the zone is at its max or physical memory is short.
 *   XXX: Mach's zalloc waits for memory; it will once the scheduler exists (zalloc_noblock
 *   then keeps today's behaviour).
 */
void *zalloc(zone_t zone);

/*
 * zfree: give an element back to its zone. An element that is not one of this zone's, or that
 * is already free, is a kernel bug: panic naming the zone.
 *   Locks:   takes the zone lock (irqsave).
 */
void zfree(zone_t zone, void *elem);

void zone_get_info(zone_t zone, struct zone_info *info);
/* The zone called name, or NULL. */
zone_t zone_find(const char *name);
/* How many zones exist (the zone of zones included). */
unsigned zone_count(void);
/* Print one `zone:` line per zone, for the debug shell. */
void zone_print_stats(void);

#endif /* _MACH_KERN_ZALLOC_H_ */
