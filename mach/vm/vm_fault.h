/*
 * vm_fault.h — resolving page faults from the address map (Mach 3.0 vm/vm_fault.c): find the
 * entry, find or make the page through the object's shadow chain, enter it in the pmap.
 */
#ifndef _MACH_VM_VM_FAULT_H_
#define _MACH_VM_VM_FAULT_H_

#include <mach/kern/kern_return.h>
#include <mach/vm/vm_map.h>

/* Fault counts since boot (statistics; read without a lock). */
struct vm_fault_stats {
	uint64_t vfs_faults;	/* vm_fault calls that succeeded */
	uint64_t vfs_zero_fill; /* pages made by zero fill */
	uint64_t vfs_cow;	/* pages copied up a shadow chain by a write */
	uint64_t vfs_shadows;	/* shadow objects made by a write to a needs_copy entry */
	uint64_t vfs_pageins;	/* pages the pager supplied (data_request) */
	uint64_t vfs_pagein_requests; /* data_request calls (one per cluster) */
	uint64_t vfs_busy_waits; /* sleeps on a page another thread held busy */
	uint64_t vfs_pushes;	/* old contents pushed into a delayed copy before a write */
	uint64_t vfs_fault_around; /* resident file pages mapped beside a read fault */
};

/* Most pages one data_request asks for (the read-ahead cluster around a fault). */
#define VM_FAULT_CLUSTER_MAX 16
extern struct vm_fault_stats vm_fault_stats;

/*
 * vm_fault: make vaddr in map accessible for fault_type (VM_PROT_READ, _WRITE or _EXECUTE):
 * zero-fill a page never touched, copy a page a write finds below in the shadow chain into the
 * top object, or map what is there; then enter it in map's pmap.
 *   Locks:   none held on entry (it sleeps: pager I/O, busy pages, free-page waits); takes
 *            the map lock, the object lock and the pmap's, never across a sleep. Interrupts
 *            must be enabled (the page-fault trap enables them when the faulting code had).
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS (nothing mapped there);
 *            KERN_PROTECTION_FAILURE (the entry does not allow fault_type);
 *            KERN_RESOURCE_SHORTAGE (no free page, and none came after waiting for pageout);
 *            KERN_MEMORY_ERROR (the pager could not supply the data: logged).
 */
kern_return_t vm_fault(vm_map_t map, vaddr_t vaddr, vm_prot_t fault_type);

/*
 * vm_page_unbusy: clear m's busy bit and wake the threads waiting for it (VM_PAGE_VM_WANTED).
 *   Locks:   vm_object_lock_all held.
 */
void vm_page_unbusy(vm_page_t m);

/*
 * vm_map_switch: make map the current kernel thread's map (th_map: faults in the lower half are
 * resolved against it, and the context switch loads its pmap whenever the thread runs) and
 * activate its pmap; NULL goes back to the kernel pmap. User threads run in their task's map.
 */
void vm_map_switch(vm_map_t map);
/* The map the current kernel thread switched to, or NULL. */
vm_map_t vm_map_current_thread(void);

/*
 * vm_fault_trap: the page-fault trap's entry: resolve addr in the current map.
 *   Returns: KERN_SUCCESS when the faulting access can be retried; anything else means the
 *            trap handler must treat the fault as fatal (kernel) or a signal (user, later).
 */
kern_return_t vm_fault_trap(vaddr_t addr, vm_prot_t fault_type);

#endif /* _MACH_VM_VM_FAULT_H_ */
