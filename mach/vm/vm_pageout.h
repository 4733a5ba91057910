/*
 * vm_pageout.h — reclaiming resident pages (Mach 3.0 vm/vm_pageout.c): age active pages to
 * inactive by their reference bits, return modified inactive pages to their pager through the
 * laundry, free clean ones; the pageout daemon does it when free pages run low, and allocators
 * that find none wait for it (vm_page_wait).
 */
#ifndef _MACH_VM_VM_PAGEOUT_H_
#define _MACH_VM_VM_PAGEOUT_H_

#include <mach/kern/thread.h>
#include <mach/vm/vm_object.h>

struct vm_pageout_stats {
	uint64_t vps_scanned;	  /* pages looked at */
	uint64_t vps_reactivated; /* inactive pages found referenced again */
	uint64_t vps_returned;	  /* modified pages handed to their pager (data_return) */
	uint64_t vps_clusters;	  /* data_return calls (each a run of adjacent pages) */
	uint64_t vps_freed;	  /* pages reclaimed */
	uint64_t vps_return_failed; /* data_return errors (the page stays, dirty) */
	uint64_t vps_wakeups;	  /* daemon runs */
	uint64_t vps_waits;	  /* vm_page_wait sleeps */
};
extern struct vm_pageout_stats vm_pageout_stats;

/*
 * vm_pageout_scan: one pass of the pageout scan: move unreferenced active pages to the
 * inactive queue (clearing reference bits of the others), then reclaim unreferenced inactive
 * pages, oldest first, until `target` pages are freed or the queue is done. A dirty page goes
 * to the laundry: it is unmapped and busy while its object's pager (the default pager, made
 * for an anonymous object that has none) writes it with data_return, then freed.
 *   Locks:   none held; takes vm_object_lock_all, drops it for each data_return (may sleep).
 *   Returns: the pages freed.
 */
uint64_t vm_pageout_scan(uint64_t target);

/*
 * vm_pageout_start: set the free-page thresholds from the size of memory and start the pageout
 * daemon thread. Once, after sched_init().
 */
void vm_pageout_start(void);

/*
 * vm_page_wait: wait for the pageout daemon to free pages (the caller found none above the
 * reserve), or for a while when it cannot.
 *   Locks:   none held (sleeps).
 *   Returns: true when pages are free now (retry the allocation); false when none came after
 *            repeated waits (memory is exhausted: fail the allocation) or the wait was
 *            interrupted (interruptible THREAD_INTERRUPTIBLE only).
 */
bool vm_page_wait(wait_interrupt_t interruptible);

/* Print the page counts (free, active, inactive, laundry, wired) and pageout statistics. */
void vm_pageout_print_stats(void);

#endif /* _MACH_VM_VM_PAGEOUT_H_ */
