/*
 * vm_memory_entry.h — named entries: a handle on a range of a VM object that other maps can
 * map as shared memory (Mach's mach_make_memory_entry and vm_map of the handle; XNU
 * osfmk/vm/vm_memory_entry.c, vm_map_enter_mem_object).
 *
 * The one idea: a named entry holds the object itself, not a copy: every map that maps it
 * without `copy` writes and reads the same pages. The object is marked TRUE_SHARE, so copies
 * of such mappings (vm_map_copy_region, fork with VM_INHERIT_COPY, out-of-line data, or a
 * mapping with `copy`) are delayed copies that stay private on both sides (vm_object.h).
 */
#ifndef _MACH_VM_VM_MEMORY_ENTRY_H_
#define _MACH_VM_VM_MEMORY_ENTRY_H_

#include <mach/kern/kern_return.h>
#include <mach/vm/vm_map.h>

struct vm_named_entry {
	uint32_t ne_refs;
	vm_prot_t ne_prot;	       /* the most any mapping of the entry may have */
	vm_object_t ne_object;	       /* one reference; TRUE_SHARE */
	vm_object_offset_t ne_offset;  /* where the entry starts in ne_object */
	vm_size_t ne_size;	       /* bytes, a page multiple */
};
typedef struct vm_named_entry *vm_named_entry_t;

/* Named entries in existence (for tests: counts before = after). */
extern uint64_t vm_named_entry_count;

/*
 * mach_make_memory_entry: a named entry for [addr, addr + *size) of map (page-rounded), with
 * access permission. The range's map entry gets an object it shares as itself first (a
 * zero-fill range gets its object now; a copy-on-write one its own shadow). The range ends
 * at the end of the map entry holding addr: *size says how much the named entry covers.
 *   Locks:   none held (takes the map lock).
 *   Refs:    the entry is returned with one reference (mach_memory_entry_deallocate).
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (size 0, wraps, bad permission);
 *            KERN_INVALID_ADDRESS (nothing mapped at addr); KERN_PROTECTION_FAILURE (the
 *            range's protection lacks part of permission); KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_make_memory_entry(vm_map_t map, vm_size_t *size, vaddr_t addr,
				     vm_prot_t permission, vm_named_entry_t *entryp);

/*
 * mach_memory_entry_allocate: a named entry over new zero-fill memory of size bytes
 * (page-rounded) that no map holds yet (XNU's MAP_MEM_NAMED_CREATE).
 *   Returns: KERN_SUCCESS with one reference; KERN_INVALID_ARGUMENT; KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_memory_entry_allocate(vm_size_t size, vm_prot_t permission,
					 vm_named_entry_t *entryp);

/* One more reference / drop one (the last releases the object). NULL is ignored. */
void mach_memory_entry_reference(vm_named_entry_t entry);
void mach_memory_entry_deallocate(vm_named_entry_t entry);

/*
 * vm_map_enter_mem_object: Mach's vm_map of a named entry: map size bytes of entry from offset
 * at *addr (VM_FLAGS_FIXED) or anywhere at or above *addr (VM_FLAGS_ANYWHERE). Without copy
 * the mapping shares the entry's pages (writes visible to every sharer both ways); with copy
 * it gets a private delayed copy of them as they are now.
 *   Locks:   none held.
 *   Refs:    the mapping holds its own reference on the object; the caller keeps the entry's.
 *   Returns: KERN_SUCCESS and *addr; KERN_INVALID_ARGUMENT (unaligned, size 0, the range
 *            beyond the entry, cur_prot beyond max_prot); KERN_INVALID_RIGHT (cur_prot or
 *            max_prot beyond the entry's permission); KERN_NO_SPACE; KERN_RESOURCE_SHORTAGE.
 */
kern_return_t vm_map_enter_mem_object(vm_map_t map, vaddr_t *addr, vm_size_t size, int flags,
				      vm_named_entry_t entry, vm_object_offset_t offset,
				      bool copy, vm_prot_t cur_prot, vm_prot_t max_prot,
				      vm_inherit_t inherit);

#endif /* _MACH_VM_VM_MEMORY_ENTRY_H_ */
