/*
 * vm_pageout.h — reclaiming resident pages (Mach 3.0 vm/vm_pageout.c): age active pages to
 * inactive by their reference bits, return modified inactive pages to their pager, free them.
 */
#ifndef _MACH_VM_VM_PAGEOUT_H_
#define _MACH_VM_VM_PAGEOUT_H_

#include <mach/vm/vm_object.h>

struct vm_pageout_stats {
	uint64_t vps_scanned;	  /* pages looked at */
	uint64_t vps_reactivated; /* inactive pages found referenced again */
	uint64_t vps_returned;	  /* modified pages handed to their pager (data_return) */
	uint64_t vps_freed;	  /* pages reclaimed */
};
extern struct vm_pageout_stats vm_pageout_stats;

/*
 * vm_pageout_page: reclaim page m now: take its mappings away, return its data to the
 * object's pager when it was modified (creating the default pager for an anonymous object
 * that has none), and free it.
 *   Locks:   vm_object_lock_all held.
 *   Returns: true when m was freed; false (m stays resident, unmapped) when the pager could not
 *            take the data.
 */
bool vm_pageout_page(vm_page_t m);

/*
 * vm_pageout_scan: one pass of the pageout daemon: move unreferenced active pages to the
 * inactive queue (clearing reference bits of the others), then reclaim unreferenced inactive
 * pages, oldest first, until `target` pages are freed or the queue is done.
 *   Locks:   takes vm_object_lock_all. Never sleeps.
 *   Returns: the pages freed.
 *   XXX: the daemon is a thread that runs this when free pages fall below a target; it needs
 *   the scheduler (issue 3). Until then callers (tests) run passes themselves.
 */
uint64_t vm_pageout_scan(uint64_t target);

#endif /* _MACH_VM_VM_PAGEOUT_H_ */
