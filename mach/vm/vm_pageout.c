/*
 * vm_pageout.c — the pageout scan (Mach 3.0 vm/vm_pageout.c; the two-queue "second chance"
 * clock of Babaoglu and Joy's VAX Unix): active pages that were not referenced since the last
 * pass become inactive; inactive pages still not referenced are cleaned through their pager
 * and freed, referenced ones go back to active.
 *
 * The one idea: reference bits live in the pmap (pmap_is_referenced/pmap_clear_reference), so
 * a page's age is read and reset without knowing who maps it; a page is only written back
 * when its modify bit (or its "never written back" dirty flag) says the pager lacks its data.
 */
#include <console.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

struct vm_pageout_stats vm_pageout_stats;

bool
vm_pageout_page(vm_page_t m)
{
	vm_object_t o = m->vmp_object;
	bool dirty;

	pmap_page_protect(m, VM_PROT_NONE);
	dirty = (m->vmp_vmflags & VM_PAGE_VM_DIRTY) || pmap_is_modified(m);
	if (dirty) {
		if (o->vo_pager == NULL && (o->vo_pager = default_pager_create(o)) == NULL)
			return false;
		if (memory_object_data_return(o->vo_pager, m->vmp_offset,
					      phystokv(VM_PAGE_TO_PHYS(m)), PAGE_SIZE) !=
		    KERN_SUCCESS)
			return false;
		vm_pageout_stats.vps_returned++;
	}
	vm_page_free(m);
	vm_pageout_stats.vps_freed++;
	return true;
}

uint64_t
vm_pageout_scan(uint64_t target)
{
	bool st = lck_spin_lock_irqsave(&vm_object_lock_all);
	uint64_t n, freed = 0;
	vm_page_t m, next;

	/* Age: one look at each active page. XXX: walks the queue without its lock (one CPU). */
	n = vm_page_active_count;
	for (m = vm_page_queue_first(VM_PAGE_Q_ACTIVE); m != NULL && n > 0; m = next, n--) {
		next = m->vmp_next;
		vm_pageout_stats.vps_scanned++;
		if (pmap_is_referenced(m)) {
			pmap_clear_reference(m);
			vm_page_activate(m); /* to the tail: young again */
		} else {
			vm_page_deactivate(m);
		}
	}
	/* Clean and free: the oldest inactive pages first. */
	n = vm_page_inactive_count;
	for (m = vm_page_queue_first(VM_PAGE_Q_INACTIVE); m != NULL && n > 0 && freed < target;
	     m = next, n--) {
		next = m->vmp_next;
		vm_pageout_stats.vps_scanned++;
		if (pmap_is_referenced(m)) {
			pmap_clear_reference(m);
			vm_page_activate(m);
			vm_pageout_stats.vps_reactivated++;
		} else if (m->vmp_object != NULL && vm_pageout_page(m)) {
			freed++;
		}
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return freed;
}
