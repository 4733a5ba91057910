/*
 * vm_map.h — address maps: the ranges of an address space and what backs each one (Mach 3.0
 * vm/vm_map.h; XNU osfmk/vm/vm_map.h).
 *
 * A map is a sorted list of non-overlapping entries [start, end), each a window on a VM object
 * at an offset, with a protection, a maximum protection and an inheritance. The entries are
 * also kept in a red-black tree by start address (CLRS ch. 13), so finding the entry for an
 * address is O(log n) however fragmented the map. An entry with no object is zero fill: the
 * first fault gives it an object. An entry marked needs_copy shares its object copy-on-write:
 * the first write fault puts a shadow object in front (vm_object.h).
 *
 * Locks: vm_lock (spin) covers the entries and the tree. XXX: Mach's map lock is a sleeping
 * read-write lock held across a fault's pager I/O; that waits for the scheduler (issue 3).
 */
#ifndef _MACH_VM_VM_MAP_H_
#define _MACH_VM_VM_MAP_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>
#include <mach/kern/locks.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_types.h>

struct vm_map_entry {
	struct vm_map_entry *vme_prev, *vme_next; /* sorted list; the map's header ends it */
	struct vm_map_entry *vme_left, *vme_right, *vme_parent; /* tree by vme_start */
	bool vme_red;
	bool vme_needs_copy;	 /* vme_object is shared copy-on-write */
	uint16_t vme_wired;	 /* wirings (kmem_alloc) */
	vm_prot_t vme_prot, vme_max_prot;
	vm_inherit_t vme_inherit;
	vaddr_t vme_start, vme_end;
	vm_object_t vme_object;	 /* NULL: zero fill, object made by the first fault */
	vm_object_offset_t vme_offset;
};
typedef struct vm_map_entry *vm_map_entry_t;

struct vm_map {
	struct vm_map_entry vm_header; /* list sentinel: vm_header.vme_next is the first entry */
	struct vm_map_entry *vm_root;
	lck_spin_t vm_lock;
	uint32_t vm_refs;
	unsigned vm_nentries;
	vaddr_t vm_min, vm_max;	/* the range the map manages */
	vm_size_t vm_size;	/* bytes in entries */
	pmap_t vm_pmap;
};
typedef struct vm_map *vm_map_t;

/* vm_map_enter flags */
#define VM_FLAGS_FIXED	  0x0
#define VM_FLAGS_ANYWHERE 0x1

/* Entries in existence (for tests). */
extern uint64_t vm_map_entry_count;

/* The kernel's map (vm_kern.c): kmem_alloc's part of the kernel address space. */
extern vm_map_t kernel_map;

/* vm_map_bootstrap: create the zones for maps and entries. Once, after kalloc_init(). */
void vm_map_bootstrap(void);

/*
 * vm_map_create: an empty map managing [min, max) over pmap (which it does not own).
 *   Returns: the map (one reference) or NULL when memory is short.
 */
vm_map_t vm_map_create(pmap_t pmap, vaddr_t min, vaddr_t max);

/* vm_map_reference / vm_map_deallocate: the last reference removes every entry and frees. */
void vm_map_reference(vm_map_t map);
void vm_map_deallocate(vm_map_t map);

/*
 * vm_map_enter: map size bytes of object (NULL: zero fill) from offset, at *addr (FIXED) or
 * at the lowest free range (ANYWHERE, *addr is where to start looking). The map takes over the
 * caller's reference on object. An entry with no object that continues the previous one with
 * the same attributes extends it instead (coalesce).
 *   Locks:   takes the map lock.
 *   Returns: KERN_SUCCESS and *addr; KERN_INVALID_ARGUMENT (size 0, unaligned, cur_prot not
 *            within max_prot); KERN_NO_SPACE (FIXED range outside the map or in use, or no free
 *            range for ANYWHERE); KERN_RESOURCE_SHORTAGE. On failure the reference stays with
 *            the caller.
 */
kern_return_t vm_map_enter(vm_map_t map, vaddr_t *addr, vm_size_t size, int flags,
			   vm_object_t object, vm_object_offset_t offset, bool needs_copy,
			   vm_prot_t cur_prot, vm_prot_t max_prot, vm_inherit_t inherit);

/*
 * vm_map_remove: unmap [start, end): entries are clipped to the range, their pages removed
 * from the pmap and their objects released. Unmapped parts of the range are ignored.
 *   Returns: KERN_SUCCESS, or KERN_INVALID_ARGUMENT for a range outside the map.
 */
kern_return_t vm_map_remove(vm_map_t map, vaddr_t start, vaddr_t end);

/*
 * vm_map_protect: set the protection (set_max: the maximum protection, lowering the current
 * one to fit) of [start, end). The whole range must be mapped.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS (a hole in the range); KERN_PROTECTION_FAILURE
 *            (new_prot beyond an entry's maximum; nothing changed).
 */
kern_return_t vm_map_protect(vm_map_t map, vaddr_t start, vaddr_t end, vm_prot_t new_prot,
			     bool set_max);

/* vm_map_inherit: set the inheritance of [start, end). KERN_INVALID_ARGUMENT for a bad value. */
kern_return_t vm_map_inherit(vm_map_t map, vaddr_t start, vaddr_t end, vm_inherit_t inherit);

/*
 * vm_map_lookup_entry: the entry containing addr (true), or the last entry before addr or the
 * header when none (false). Map lock held.
 */
bool vm_map_lookup_entry(vm_map_t map, vaddr_t addr, vm_map_entry_t *entry);

/*
 * vm_map_copy_region: map a copy-on-write copy of [src, src + size) of src_map into dst_map at
 * the lowest free address (*dst): both sides then share the pages until one writes. Holes in
 * the source range are not copied (they stay holes). src_map and dst_map may be the same map.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ADDRESS (bad source range); KERN_NO_SPACE;
 *            KERN_RESOURCE_SHORTAGE.
 */
kern_return_t vm_map_copy_region(vm_map_t src_map, vaddr_t src, vm_size_t size, vm_map_t dst_map,
				 vaddr_t *dst);

/*
 * vm_map_fork: a new map over pmap for a child: entries with VM_INHERIT_SHARE are shared,
 * VM_INHERIT_COPY copied copy-on-write, VM_INHERIT_NONE left out.
 *   Returns: the map, or NULL when memory is short.
 */
vm_map_t vm_map_fork(vm_map_t old, pmap_t pmap);

/*
 * vm_map_check: verify the map's invariants: the list sorted, entries non-empty, inside the
 * map and non-overlapping, the tree a valid red-black tree over exactly the listed entries,
 * the counts right. Logs the first problem. For tests.
 */
bool vm_map_check(vm_map_t map);

#endif /* _MACH_VM_VM_MAP_H_ */
